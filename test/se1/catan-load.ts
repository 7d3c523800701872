import { silentLogger } from '../../src/core/log.ts';
import { loadScenario, runLoadTest } from '../../src/load/index.ts';
import type { LoadTestResult } from '../../src/load/runner.ts';
import { loadProtocol } from '../../src/protocols/registry.ts';

export interface Se1CatanRun {
  /** The server's game seed. */
  readonly serverSeed: string;
  /** The server's rule set; the bots' own `rules` parameter goes in `params`. */
  readonly serverRules?: 'base' | 'cities-and-knights';
  /** The se1-catan scenario's parameters (strategy, rules, ...). */
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** The run's graceful stop: the games started in the first 300 ms play to the end within it. */
  readonly gracefulStopMs: number;
  /** The load test's seed. */
  readonly seed?: string;
}

/**
 * One SE1 Catan server on a free loopback port and one closed-model `se1-catan` run of three sessions (one game)
 * against it; the server is closed before this returns, its stats taken at the end of the run.
 */
export async function runSe1Catan(run: Se1CatanRun) {
  const protocol = await loadProtocol('se1');
  const settings: Record<string, string> = { game: 'catan', seed: run.serverSeed };
  if (run.serverRules && run.serverRules !== 'base') settings.rules = `rules=${run.serverRules}`;
  const server = await protocol.start({
    host: '127.0.0.1',
    port: 0,
    log: silentLogger,
    settings,
  });
  try {
    const result: LoadTestResult = await runLoadTest({
      scenario: await loadScenario('se1-catan'),
      host: server.host,
      port: server.port,
      workload: { kind: 'closed', start: 3, stages: [{ durationMs: 300, target: 3 }] },
      thinkTimeMs: 0,
      requestTimeoutMs: 10_000,
      gracefulStopMs: run.gracefulStopMs,
      params: { lobbyTimeoutMs: 5000, ...run.params },
      seed: run.seed ?? 'test',
      thresholds: [],
    });
    return { ...result, stats: server.stats() };
  } finally {
    await server.close();
  }
}
