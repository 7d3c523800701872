import { describe, expect, it } from 'vitest';
import { parseThresholds, runLoadTest } from '../../src/load/index.ts';
import { probeScenario } from './fixtures/probe-scenario.ts';

const probeRun = (thresholds: string[], abortOnFail: boolean) =>
  runLoadTest({
    scenario: probeScenario as never,
    host: '127.0.0.1',
    port: 1,
    preflight: false,
    // A new 100 ms session every 100 ms for 20 s: `count(sessions) < 5` fails after about half a second.
    workload: { kind: 'open', start: 10, stages: [{ durationMs: 20_000, rate: 10 }], maxSessions: 100 },
    thinkTimeMs: 0,
    requestTimeoutMs: 1000,
    stopGraceMs: 2000,
    params: { ...probeScenario.params, holdMs: 100 },
    seed: 'abort',
    thresholds: parseThresholds(thresholds),
    abortOnFail,
  });

describe('--abort-on-fail', () => {
  it('ends the run at the first failing upper bound, as failed, naming the threshold', async () => {
    const { status, summary, abortedBy } = await probeRun(['count(sessions) < 5', 'count(sessions) >= 1000'], true);
    expect(status).toBe('failed');
    expect(abortedBy).toBe('count(sessions) < 5');
    expect(summary.failure).toMatch(
      /^threshold count\(sessions\) < 5 failed at [\d.]+ s \(\d+ fails < 5\); run aborted$/,
    );
    // Long before the 20 s; the lower bound was not what stopped it (it is judged at the end only).
    expect(summary.elapsedSeconds).toBeLessThan(10);
    expect(summary.thresholds.map((t) => t.ok)).toEqual([false, false]);
  }, 30_000);

  it('leaves a run alone whose upper bounds hold', async () => {
    const { status, summary, abortedBy } = await runLoadTest({
      scenario: probeScenario as never,
      host: '127.0.0.1',
      port: 1,
      preflight: false,
      workload: { kind: 'closed', start: 2, stages: [{ durationMs: 1500, target: 2 }] },
      thinkTimeMs: 0,
      requestTimeoutMs: 1000,
      stopGraceMs: 2000,
      params: { ...probeScenario.params, holdMs: 100 },
      seed: 'abort',
      thresholds: parseThresholds(['count(sessions) < 100000', 'count(sessions) >= 1000000']),
      abortOnFail: true,
    });
    expect(status).toBe('completed');
    expect(abortedBy).toBeUndefined();
    expect(summary.thresholdsOk).toBe(false);
  }, 30_000);
});
