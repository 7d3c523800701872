import { describe, expect, it } from 'vitest';
import { LoadTestError, loadScenario, runLoadTest, type Workload } from '../../src/load/index.ts';
import { shareOf, threadData } from '../../src/load/threads.ts';
import { probeScenario, unthreadedProbe } from './fixtures/probe-scenario.ts';
import { galaxHarness } from './galax-harness.ts';

const PROBE_MODULE = new URL('./fixtures/probe-scenario.ts', import.meta.url).href;

const galax = galaxHarness(2);

function probeRun(threads: number, workload: Workload, params: Record<string, string | number | boolean> = {}) {
  return runLoadTest({
    scenario: probeScenario as never,
    scenarioModule: PROBE_MODULE,
    host: '127.0.0.1',
    port: 1,
    preflight: false,
    workload,
    thinkTimeMs: 0,
    requestTimeoutMs: 1000,
    stopGraceMs: 2000,
    params: { ...probeScenario.params, ...params },
    seed: 'same-seed',
    thresholds: [],
    threads,
  });
}

/** The probe's `<tag>_<index>` counters: which session indexes ran, and each one's first seeded draw. */
const probes = (counters: Record<string, number>) =>
  Object.fromEntries(Object.entries(counters).filter(([k]) => k.startsWith('probe-')));

describe('load generator on worker threads', () => {
  it('deals bot slots and arrivals so that every thread count sees the same shares', () => {
    expect([0, 1, 2].map((i) => shareOf(8, i, 3))).toEqual([3, 3, 2]);
    expect([0, 1].map((i) => shareOf(1, i, 2))).toEqual([1, 0]);
    expect(shareOf(0, 0, 4)).toBe(0);
  });

  it('a closed Galax run on 2 threads: bots, games and moves match the server counters', async () => {
    await galax.start({ maxYear: '12', moveTimeoutMs: '5000', seed: '7' });
    const { status, summary, recorder } = await galax.run(
      { kind: 'closed', start: 8, stages: [{ durationMs: 2500, target: 8 }] },
      { players: 4, lobbyTimeoutMs: 1000, bot: 'random' },
      5,
    );
    const stats = galax.server().stats();
    expect(summary.run.threads).toBe(2);
    expect(status).toBe('completed');
    expect(summary.errors.total).toBe(0);
    // Concurrency is sampled once a second per thread when threaded.
    expect(summary.sessions.maxActive).toBeLessThanOrEqual(8);
    expect(summary.sessions.started).toBeGreaterThanOrEqual(8);
    expect(summary.sessions.completed).toBe(summary.sessions.started);
    expect(stats.connectionsTotal).toBe(summary.sessions.started + 1);
    expect(summary.throughput.connections).toBe(summary.sessions.started);
    const c = summary.counters;
    expect(c.games_created).toBe(stats.gamesCreated);
    expect(c.games_started).toBe(stats.gamesStarted);
    expect(c.games).toBe(stats.gamesFinished);
    expect(c.games).toBeGreaterThanOrEqual(2);
    expect(c.moves).toBe(stats.movesAccepted);
    expect(summary.throughput.messagesOut).toBe(stats.linesIn);
    for (const metric of ['connect', 'handshake', 'join_rtt', 'play_rtt', 'move_rtt', 'first_event']) {
      expect(summary.latency[metric]?.corrected.count, metric).toBeGreaterThan(0);
    }
    expect(summary.latency.move_rtt).toMatchObject({ timing: 'reactive', coordinatedOmissionCorrected: false });
    // Gaps cross threads too: every year gap of both workers is in the run's total.
    expect(summary.gaps?.byKind.year?.count).toBeGreaterThan(0);
    expect(summary.gaps?.all.count).toBe(
      (summary.gaps?.byKind.year?.count ?? 0) + (summary.gaps?.byKind.start?.count ?? 0),
    );
    // The per-second series holds the merged samples: its counts add up to the run's.
    const perSecond = recorder.points.reduce((n, p) => n + (p.latency.move_rtt?.count ?? 0), 0);
    expect(perSecond).toBe(summary.latency.move_rtt!.corrected.count);
    expect(summary.generator.eventLoopLag.maxMs).toBeGreaterThan(0);
  }, 40_000);

  it('an open Galax run on 2 threads: arrivals, games and moves match the server counters', async () => {
    await galax.start({ maxYear: '8', moveTimeoutMs: '5000', seed: '8' });
    const { status, summary } = await galax.run(
      { kind: 'open', start: 6, stages: [{ durationMs: 2000, rate: 6 }], maxSessions: 100 },
      { players: 2, lobbyTimeoutMs: 800, bot: 'heuristic' },
    );
    const stats = galax.server().stats();
    expect(status).toBe('completed');
    expect(summary.sessions.started).toBe(12);
    expect(summary.sessions.dropped).toBe(0);
    expect(summary.errors.total).toBe(0);
    expect(stats.connectionsTotal).toBe(13);
    const c = summary.counters;
    expect(c.games_created).toBe(stats.gamesCreated);
    expect(c.games ?? 0).toBe(stats.gamesFinished);
    expect(c.games).toBeGreaterThanOrEqual(5);
    expect(c.moves ?? 0).toBe(stats.movesAccepted);
    expect(summary.latency.session_start_lag?.corrected.count).toBe(12);
  }, 40_000);

  it('the same seed gives the same session indexes and seeded streams on 1, 2 and 3 threads', async () => {
    const closed: Workload = { kind: 'closed', start: 5, stages: [{ durationMs: 800, target: 5 }] };
    const open: Workload = { kind: 'open', start: 8, stages: [{ durationMs: 1000, rate: 8 }], maxSessions: 100 };
    const runs = await Promise.all([1, 2, 3].map((n) => probeRun(n, closed)));
    const expected = probes(runs[0]!.summary.counters);
    expect(Object.keys(expected).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `probe-x_${i}`).sort());
    for (const r of runs) {
      expect(r.status).toBe('completed');
      expect(probes(r.summary.counters)).toEqual(expected);
    }
    const openRuns = await Promise.all([1, 2].map((n) => probeRun(n, open, { holdMs: 100 })));
    expect(Object.keys(probes(openRuns[0]!.summary.counters))).toHaveLength(8);
    expect(probes(openRuns[1]!.summary.counters)).toEqual(probes(openRuns[0]!.summary.counters));
    expect(openRuns[1]!.summary.latency.connect?.corrected.count).toBe(8);
  }, 30_000);

  it('open model on 2 threads: the concurrency cap is shared out, arrivals past it are dropped', async () => {
    const { summary } = await probeRun(2, {
      kind: 'open',
      start: 20,
      stages: [{ durationMs: 1000, rate: 20 }],
      maxSessions: 4,
    });
    expect(summary.sessions.started).toBe(4);
    expect(summary.sessions.dropped).toBe(16);
    // Arrivals 0..3 are dealt first (0 and 2 to one thread, 1 and 3 to the other): they are the ones that ran.
    expect(Object.keys(probes(summary.counters)).sort()).toEqual(['probe-x_0', 'probe-x_1', 'probe-x_2', 'probe-x_3']);
  }, 20_000);

  it('a dead worker thread is counted and the summary still written, status failed', async () => {
    const { status, summary } = await probeRun(
      2,
      { kind: 'closed', start: 4, stages: [{ durationMs: 1500, target: 4 }] },
      { crash: true },
    );
    expect(status).toBe('failed');
    expect(summary.failure).toMatch(/worker thread 1/);
    expect(summary.errors.byKind.generator_thread_failed).toBe(1);
    // The other thread's sessions (indexes 0 and 2) were measured.
    expect(summary.counters['probe-x_0']).toBeGreaterThan(0);
    expect(summary.counters['probe-x_2']).toBeGreaterThan(0);
  }, 20_000);

  it('refuses a scenario that cannot run threaded, with the reason', async () => {
    const lekt = await loadScenario('lekt-churn');
    const base = {
      host: '127.0.0.1',
      port: 1,
      preflight: false,
      workload: { kind: 'closed', start: 1, stages: [{ durationMs: 100, target: 1 }] } as Workload,
      thinkTimeMs: 0,
      requestTimeoutMs: 100,
      params: {},
      seed: '1',
      thresholds: [],
      threads: 2,
    };
    await expect(runLoadTest({ ...base, scenario: lekt })).rejects.toThrow(/lekt-churn cannot run threaded: .*tracker/);
    await expect(runLoadTest({ ...base, scenario: unthreadedProbe })).rejects.toThrow(LoadTestError);
    await expect(runLoadTest({ ...base, scenario: unthreadedProbe })).rejects.toThrow(/does not declare/);
    // Shared state that is not plain data cannot cross to a worker.
    expect(threadData({ ...probeScenario, threads: {} } as never, { tracker: new Map() })).toEqual({
      refused: expect.stringMatching(/an instance of Map/),
    });
    // Every registered scenario says whether it runs threaded.
    const verdicts: Record<string, boolean> = {};
    for (const id of ['galax-play', 'chat-converse', 'lekt-churn', 'se1-lobby', 'se1-carcassonne', 'orerush-play']) {
      const s = await loadScenario(id);
      verdicts[id] = !!s.threads && !('refused' in s.threads);
    }
    expect(verdicts).toEqual({
      'galax-play': true,
      'chat-converse': true,
      'lekt-churn': false,
      'se1-lobby': true,
      'se1-carcassonne': true,
      'orerush-play': true,
    });
  });
});
