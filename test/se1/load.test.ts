import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { createRng } from '../../src/core/rng.ts';
import { loadScenario } from '../../src/load/scenarios.ts';
import type { LoadMetrics } from '../../src/load/types.ts';
import { carcassonneSe1, type Se1RunningServer, startSe1Server } from '../../src/protocols/se1/index.ts';

let server: Se1RunningServer;
beforeAll(async () => {
  server = await startSe1Server({ port: 0, game: carcassonneSe1, settings: { seed: 'load' } });
});
afterAll(async () => {
  await server.close();
});

describe('se1-lobby load scenario', () => {
  it('runs lobby round trips and records them', async () => {
    const scenario = await loadScenario('se1-lobby');
    expect(scenario.protocol).toBe('se1');
    const latencies = new Map<string, number>();
    const counters = new Map<string, number>();
    const errors: string[] = [];
    const metrics: LoadMetrics = {
      latency: (m) => latencies.set(m, (latencies.get(m) ?? 0) + 1),
      count: (c, n = 1) => counters.set(c, (counters.get(c) ?? 0) + n),
      error: (k) => errors.push(k),
      track: () => {},
      gap: () => {},
    };
    await Promise.all(
      [0, 1, 2].map((index) =>
        scenario.runSession({
          host: server.host,
          port: server.port,
          index,
          metrics,
          rng: createRng(`s/${index}`),
          log: silentLogger,
          signal: new AbortController().signal,
          thinkTimeMs: 0,
          requestTimeoutMs: 10_000,
          params: { requests: 10 },
          shared: undefined,
        }),
      ),
    );
    expect(errors).toEqual([]);
    expect(counters.get('requests')).toBe(30);
    expect(counters.get('sessions')).toBe(3);
    expect(latencies.get('lobby_rtt')).toBe(30);
    expect(latencies.get('login_rtt')).toBe(3);
    expect(server.stats().logins).toBe(3);
  });

  it('counts a refused connection as an error, not a throw', async () => {
    const scenario = await loadScenario('se1-lobby');
    const errors: string[] = [];
    await scenario.runSession({
      host: '127.0.0.1',
      port: 1,
      index: 0,
      metrics: { latency: () => {}, count: () => {}, error: (k) => errors.push(k), track: () => {}, gap: () => {} },
      rng: createRng(1),
      log: silentLogger,
      signal: new AbortController().signal,
      thinkTimeMs: 0,
      requestTimeoutMs: 1000,
      params: {},
      shared: undefined,
    });
    expect(errors).toEqual(['connect_failed']);
  });
});
