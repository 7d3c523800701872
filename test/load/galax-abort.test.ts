import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { createRng } from '../../src/core/rng.ts';
import { galaxEngine } from '../../src/games/galax/index.ts';
import { loadScenario } from '../../src/load/scenarios.ts';
import type { LoadMetrics, SessionContext } from '../../src/load/types.ts';
import { GalaxServer } from '../../src/protocols/galax/index.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** The Galax engine, but resolving a year throws: the server aborts the game with `ERRJ game <id> aborted`. */
const failingEngine: typeof galaxEngine = {
  ...galaxEngine,
  apply: () => {
    throw new Error('injected apply failure');
  },
};

describe('galax-play when the server aborts the game', () => {
  it('every session fails at once with game_aborted, not after its silence timeout', async () => {
    const server = new GalaxServer({
      host: '127.0.0.1',
      port: 0,
      config: galaxEngine.parseConfig({ maxYear: 8 }),
      engine: failingEngine,
      log: silentLogger,
    });
    const { port } = await server.listen();
    cleanups.push(() => server.close());
    const scenario = await loadScenario('galax-play');
    const params = { players: 3, lobbyTimeoutMs: 10_000 };
    const shared = await scenario.prepare!({ host: '127.0.0.1', port, log: silentLogger, params });
    const errors: string[] = [];
    const gaps: string[] = [];
    const metrics: LoadMetrics = {
      latency: () => {},
      count: () => {},
      error: (kind) => errors.push(kind),
      track: () => {},
      gap: (kind) => gaps.push(kind),
    };
    const session = (index: number) =>
      ({
        host: '127.0.0.1',
        port,
        index,
        metrics,
        rng: createRng(`s${index}`),
        log: silentLogger,
        signal: new AbortController().signal,
        thinkTimeMs: 0,
        requestTimeoutMs: 10_000,
        params,
        shared,
      }) as SessionContext;
    const started = performance.now();
    await Promise.all([0, 1, 2].map((i) => scenario.runSession(session(i))));
    // The silence timeout is lobbyTimeoutMs + 2 × requestTimeoutMs = 30 s: far from this.
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(errors.filter((e) => e === 'game_aborted')).toHaveLength(3);
    expect(errors.filter((e) => e === 'ERRJ')).toHaveLength(3);
    expect(errors).not.toContain('timeout');
    // Each bot waited for its game to start (join → first YEAR).
    expect(gaps.filter((k) => k === 'start')).toHaveLength(3);
  });
});
