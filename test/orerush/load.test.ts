import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { createRng } from '../../src/core/rng.ts';
import { loadScenario } from '../../src/load/scenarios.ts';
import type { LoadMetrics, SessionContext } from '../../src/load/types.ts';
import { type OreRushRunningServer, startOreRushServer } from '../../src/protocols/orerush/index.ts';

const servers: OreRushRunningServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

function recorder() {
  const latencies = new Map<string, number[]>();
  const counters = new Map<string, number>();
  const errors: string[] = [];
  const metrics: LoadMetrics = {
    latency: (m, us) => latencies.set(m, [...(latencies.get(m) ?? []), us]),
    count: (c, n = 1) => counters.set(c, (counters.get(c) ?? 0) + n),
    error: (kind) => errors.push(kind),
    track: () => {},
    gap: () => {},
  };
  return { metrics, latencies, counters, errors };
}

describe('orerush-play load scenario', () => {
  it('quick-matches sessions into games and plays them to the end', async () => {
    const server = await startOreRushServer({ port: 0, settings: { quickPlayers: 2, rules: { rounds: 20 } } });
    servers.push(server);
    const scenario = await loadScenario('orerush-play');
    expect(scenario.protocol).toBe('orerush');
    const params = { bot: 'heuristic', games: 2 };
    const shared = await scenario.prepare!({ host: '127.0.0.1', port: server.port, log: silentLogger, params });
    const rec = recorder();
    const abort = new AbortController();
    const session = (index: number): SessionContext =>
      ({
        host: '127.0.0.1',
        port: server.port,
        index,
        metrics: rec.metrics,
        rng: createRng(`s${index}`),
        log: silentLogger,
        signal: abort.signal,
        thinkTimeMs: 0,
        requestTimeoutMs: 10_000,
        params,
        shared,
      }) as SessionContext;
    await Promise.all([0, 1, 2, 3].map((i) => scenario.runSession(session(i))));
    expect(rec.errors).toEqual([]);
    expect(rec.counters.get('games')).toBe(4);
    expect(rec.counters.get('moves')).toBe(4 * 2 * 20);
    expect(rec.latencies.get('move_rtt')).toHaveLength(160);
    expect(rec.latencies.get('first_event')).toHaveLength(8);
    expect(server.stats().games_finished).toBe(4);
  });

  it('a session alone leaves after the lobby timeout', async () => {
    const server = await startOreRushServer({ port: 0, settings: { quickPlayers: 2 } });
    servers.push(server);
    const scenario = await loadScenario('orerush-play');
    const params = { lobbyTimeoutMs: 200 };
    const shared = await scenario.prepare!({ host: '127.0.0.1', port: server.port, log: silentLogger, params });
    const rec = recorder();
    await scenario.runSession({
      host: '127.0.0.1',
      port: server.port,
      index: 0,
      metrics: rec.metrics,
      rng: createRng('alone'),
      log: silentLogger,
      signal: new AbortController().signal,
      thinkTimeMs: 0,
      requestTimeoutMs: 5000,
      params,
      shared,
    });
    expect(rec.counters.get('lobby_timeouts')).toBe(1);
    expect(rec.errors).toEqual([]);
    expect(server.stats().games_abandoned).toBe(1);
  });
});
