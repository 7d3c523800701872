import { afterEach } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { loadScenario, runLoadTest, type Workload } from '../../src/load/index.ts';
import { loadProtocol, type RunningServer } from '../../src/protocols/registry.ts';

/**
 * The embedded Galax reference server on port 0 and galax-play runs against it on `threads` generator threads,
 * for tests that compare what the load test counted with the server's own counters. Closes the server after
 * each test of the file that calls it.
 */
export function galaxHarness(threads = 1) {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return {
    /** The running server (after `start`). */
    server(): RunningServer {
      if (!server) throw new Error('galaxHarness: start() the server first');
      return server;
    },
    async start(settings: Record<string, string>): Promise<RunningServer> {
      const protocol = await loadProtocol('galax');
      server = await protocol.start({ host: '127.0.0.1', port: 0, log: silentLogger, settings });
      return server;
    },
    async run(workload: Workload, params: Record<string, string | number | boolean>, thinkTimeMs = 0) {
      const s = this.server();
      return runLoadTest({
        scenario: await loadScenario('galax-play'),
        host: s.host,
        port: s.port,
        workload,
        thinkTimeMs,
        requestTimeoutMs: 5000,
        // Games in flight when the duration ends finish on their own, so every counter can match the server's.
        gracefulStopMs: 20_000,
        params,
        seed: 'test',
        thresholds: [],
        threads,
      });
    },
  };
}
