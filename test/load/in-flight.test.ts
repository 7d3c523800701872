/**
 * Requests in flight when the run cuts a session off (issue 22): one mechanism for every scenario with
 * request/response commands — the scenario tracks its client with `metrics.track(connection, client)`, and the
 * session counts the client's `requestsInFlight` as `in_flight_at_end` when the run's signal aborts, before the
 * scenario's own abort listener closes the client (which fails those requests).
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { createRng } from '../../src/core/rng.ts';
import { LoadRecorder } from '../../src/load/metrics.ts';
import { runScenarioSession } from '../../src/load/session.ts';
import type { LoadScenario } from '../../src/load/types.ts';
import type { Connection } from '../../src/net/connection.ts';

const connection = { bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0, closed: true } as unknown as Connection;

/** A session that sends `pending` requests and waits; on abort it closes its client, failing them. */
function scenario(pending: number, track: boolean): LoadScenario {
  return {
    id: 'fake',
    protocol: 'fake',
    description: 'fake',
    async runSession(ctx) {
      const client = { requestsInFlight: pending };
      if (track) ctx.metrics.track(connection, client);
      else ctx.metrics.track(connection);
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener(
          'abort',
          () => {
            client.requestsInFlight = 0;
            resolve();
          },
          { once: true },
        ),
      );
    },
  } as LoadScenario;
}

async function cutOff(s: LoadScenario, abortAfterEnd = false): Promise<number> {
  const recorder = new LoadRecorder();
  const ac = new AbortController();
  const run = runScenarioSession(
    {
      scenario: s,
      recorder,
      rootRng: createRng('in-flight'),
      log: silentLogger,
      host: '127.0.0.1',
      port: 1,
      thinkTimeMs: 0,
      requestTimeoutMs: 1000,
      params: {},
      shared: undefined,
    },
    0,
    ac.signal,
    performance.now(),
  );
  await new Promise((r) => setTimeout(r, 10));
  if (!abortAfterEnd) ac.abort();
  await run;
  if (abortAfterEnd) ac.abort();
  return recorder.counters().in_flight_at_end ?? 0;
}

describe('requests in flight at the end', () => {
  it('counts the tracked client requests still pending when the run cuts the session off', async () => {
    expect(await cutOff(scenario(3, true))).toBe(3);
  });

  it('counts nothing for a client that is not tracked, or has nothing pending', async () => {
    expect(await cutOff(scenario(3, false))).toBe(0);
    expect(await cutOff(scenario(0, true))).toBe(0);
  });

  it('counts nothing once the session has ended on its own', async () => {
    const ended: LoadScenario = {
      ...scenario(0, true),
      async runSession(ctx) {
        ctx.metrics.track(connection, { requestsInFlight: 5 });
      },
    } as LoadScenario;
    expect(await cutOff(ended, true)).toBe(0);
  });
});
