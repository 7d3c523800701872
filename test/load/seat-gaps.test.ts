/** The waits for the server that the game load scenarios forward to `metrics.gap`, by kind and count. */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { createRng } from '../../src/core/rng.ts';
import { TOTAL_TILES } from '../../src/games/carcassonne/index.ts';
import { loadScenario } from '../../src/load/scenarios.ts';
import type { LoadMetrics, SessionContext } from '../../src/load/types.ts';
import { startOreRushServer } from '../../src/protocols/orerush/index.ts';
import { carcassonneSe1, startSe1Server } from '../../src/protocols/se1/index.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function recorder() {
  const gaps = new Map<string, number[]>();
  const errors: string[] = [];
  const metrics: LoadMetrics = {
    latency: () => {},
    count: () => {},
    error: (kind) => errors.push(kind),
    track: () => {},
    gap: (kind, micros) => gaps.set(kind, [...(gaps.get(kind) ?? []), micros]),
  };
  return { metrics, gaps, errors };
}

async function runSessions(scenarioId: string, port: number, params: Record<string, number | string>, n: number) {
  const scenario = await loadScenario(scenarioId);
  const shared = await scenario.prepare!({ host: '127.0.0.1', port, log: silentLogger, params });
  const rec = recorder();
  const session = (index: number) =>
    ({
      host: '127.0.0.1',
      port,
      index,
      metrics: rec.metrics,
      rng: createRng(`g${index}`),
      log: silentLogger,
      signal: new AbortController().signal,
      thinkTimeMs: 0,
      requestTimeoutMs: 10_000,
      params,
      shared,
    }) as SessionContext;
  await Promise.all(Array.from({ length: n }, (_, i) => scenario.runSession(session(i))));
  return rec;
}

describe('waits for the server, per game', () => {
  it('orerush-play: one `start` per game and player, then one `round` per later round', async () => {
    const server = await startOreRushServer({ port: 0, settings: { quickPlayers: 2, rules: { rounds: 10 } } });
    cleanups.push(() => server.close());
    const rec = await runSessions('orerush-play', server.port, { bot: 'random' }, 2);
    expect(rec.errors).toEqual([]);
    expect(rec.gaps.get('start')).toHaveLength(2);
    expect(rec.gaps.get('round')).toHaveLength(2 * 9);
    for (const micros of [...rec.gaps.values()].flat()) expect(micros).toBeGreaterThanOrEqual(0);
  });

  it('se1-carcassonne: one `start` per player, then a `prompt` after each command that hands the turn back', async () => {
    const server = await startSe1Server({ port: 0, game: carcassonneSe1, settings: { timeoutMs: 60_000 } });
    cleanups.push(() => server.close());
    const rec = await runSessions('se1-carcassonne', server.port, { strategy: 'random' }, 2);
    expect(rec.errors).toEqual([]);
    expect(rec.gaps.get('start')).toHaveLength(2);
    // A game has one turn per tile but the start tile (a few are discarded); each turn ends with a wait for the
    // next prompt, and within a turn the draw and the placement each wait for one too.
    expect(rec.gaps.get('prompt')!.length).toBeGreaterThanOrEqual(TOTAL_TILES);
  }, 60_000);
});
