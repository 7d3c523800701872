/**
 * `--out` hands each second of the run to the progress writer from the run's own recorder
 * (`LoadRecorder.tickHandingOver`, folded there by `absorb` and `tickAs`): every sample reaches the writer exactly
 * once, its per-second rows are the run's own, and its totals are the run's.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { createRng } from '../../src/core/rng.ts';
import { LoadRecorder, type LoadRecorder as Recorder, type TimePoint } from '../../src/load/metrics.ts';
import { ProgressWriter } from '../../src/load/progress.ts';
import { runLoadTest } from '../../src/load/runner.ts';
import { sleep } from '../../src/load/scenario-kit.ts';
import { buildSummary, formatTimeseriesCsv, type LoadSummary } from '../../src/load/summary.ts';
import type { LoadScenario } from '../../src/load/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'botswarm-out-handover-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTIONS = { reactive: ['year_rtt'], gapThresholdMs: 400 } as const;
const run = {
  scenario: 'test',
  protocol: 'none',
  target: '127.0.0.1:1',
  embedded: false,
  workload: 'closed: 3 bots for 6s',
  durationSeconds: 6,
  thinkTimeMs: 0,
  requestTimeoutMs: 1000,
  seed: 'handover',
  params: {},
};

/** What one second of a run records, drawn from a seeded stream: every kind of figure the recorder keeps. */
function recordSecond(r: Recorder, rng: ReturnType<typeof createRng>, second: number): number {
  const samples = 50 + rng.int(0, 400);
  for (let i = 0; i < samples; i++) {
    const actual = 200 + rng.int(0, 50_000);
    // Scheduled: the corrected view counts from the intended send, later than the actual one.
    r.latency('move_rtt', actual + rng.int(0, 3000) * (i % 3), actual);
    r.latency('year_rtt', 100 + rng.int(0, 2_000_000));
    r.count('moves');
  }
  if (second % 2 === 0) r.latency('connect', 300 + second);
  for (let i = 0; i < 5; i++) r.gap(i % 2 ? 'year' : 'turn', 1000 + rng.int(0, 900_000));
  const s = r.session();
  r.sessionStarted(s);
  s.gap('year', 10_000 * second);
  if (second % 3 === 0) s.error('timeout');
  r.sessionEnded(s);
  if (second === 4) r.count('games', 3);
  return samples;
}

/** The figures both recorders must agree on (bot-time is a live gauge on the measuring side: left out). */
function figures(r: Recorder) {
  const gaps = r.gapSummary();
  return {
    latency: Object.fromEntries(r.latencyNames().map((n) => [n, r.latencySummary(n)])),
    counters: r.counters(),
    errors: r.errors(),
    sessions: [r.sessionsStarted, r.sessionsCompleted, r.sessionsErrored, r.droppedSessions, r.maxActiveSessions],
    gaps: gaps && { all: gaps.all, byKind: gaps.byKind, longestPerBot: gaps.longestPerBot, over: gaps.overThreshold },
  };
}

describe('--out: the progress writer gets every second of the run', { timeout: 90_000 }, () => {
  it('hands each sample over exactly once: the writer recorder ends with the measuring recorder figures', () => {
    const rng = createRng('handover');
    const main = new LoadRecorder(OPTIONS);
    const writer = new LoadRecorder({ ...OPTIONS, monitorLag: false, startedAt: main.startedAt });
    let recorded = 0;
    for (let second = 1; second <= 6; second++) {
      recorded += recordSecond(main, rng, second);
      const { point, interval } = main.tickHandingOver(main.startedAt + second * 1000);
      // As it crosses to the writer thread.
      const crossed = structuredClone({ point, interval });
      writer.absorb(0, crossed.interval);
      writer.tickAs(crossed.point);
    }
    main.end();
    writer.end();
    expect(main.latencySummary('move_rtt')!.corrected.count).toBe(recorded);
    expect(figures(writer)).toEqual(figures(main));
    // Scheduled in both (the corrected view differs from the actual send), reactive kept reactive.
    expect(writer.latencySummary('move_rtt')!.timing).toBe('scheduled');
    expect(writer.latencySummary('year_rtt')!.timing).toBe('reactive');
    // The writer's rows are the run's, and they add up to its totals.
    expect(writer.points).toEqual(main.points);
    const sum = (f: (p: TimePoint) => number) => writer.points.reduce((n, p) => n + f(p), 0);
    expect(sum((p) => p.latency.move_rtt?.count ?? 0)).toBe(recorded);
    expect(sum((p) => p.latency.year_rtt?.count ?? 0)).toBe(recorded);
    expect(sum((p) => p.counters.moves ?? 0)).toBe(recorded);
    expect(sum((p) => p.sessionsStarted)).toBe(6);
    // Five gaps a second, and the session's own.
    expect(sum((p) => p.gaps.count)).toBe(6 * 6);
  });

  it('the writer thread writes the run figures: summary.json totals and the CSV rows of the measuring thread', async () => {
    const summaryPath = join(dir, 'writer', 'summary.json');
    const timeseriesPath = join(dir, 'writer', 'timeseries.csv');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'writer'), { recursive: true });
    const progress = new ProgressWriter(silentLogger);
    await progress.ready();
    const rng = createRng('writer');
    const main = new LoadRecorder(OPTIONS);
    progress.begin({
      run,
      startedAt: new Date().toISOString(),
      startedAtEpochMs: performance.timeOrigin + main.startedAt,
      recorder: OPTIONS,
      thresholds: [],
      summaryPath,
      timeseriesPath,
    });
    let recorded = 0;
    for (let second = 1; second <= 6; second++) {
      recorded += recordSecond(main, rng, second);
      const { point, interval } = main.tickHandingOver(main.startedAt + second * 1000);
      progress.tick(point, interval);
    }
    // What the writer must end with: the measuring recorder's own summary (read before `end`, as the writer's).
    const expected = buildSummary(main, run, new Date(), 'running', []);
    const csv = formatTimeseriesCsv(main.points);
    const until = Date.now() + 60_000;
    let last: LoadSummary | undefined;
    while (Date.now() < until) {
      try {
        last = JSON.parse(readFileSync(summaryPath, 'utf8')) as LoadSummary;
        if (last.counters.moves === recorded && readFileSync(timeseriesPath, 'utf8') === csv) break;
      } catch {
        // Not written yet (replaced atomically: never half a file).
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await progress.close();
    main.end();
    expect(last?.latency).toEqual(expected.latency);
    expect(last?.counters).toEqual(expected.counters);
    expect(last?.errors).toEqual(expected.errors);
    expect(last?.sessions).toEqual(expected.sessions);
    expect(last?.gaps?.byKind).toEqual(expected.gaps?.byKind);
    expect(last?.gaps?.longestPerBot).toEqual(expected.gaps?.longestPerBot);
    expect(last?.latency.move_rtt?.corrected.count).toBe(recorded);
    // Row for row the measuring thread's points (appended a second at a time, rewritten when a column appeared).
    expect(readFileSync(timeseriesPath, 'utf8')).toBe(csv);
  });

  it('a run with --out: the CSV rows add up to summary.json, which holds every sample the sessions recorded', async () => {
    let recorded = 0;
    const scenario: LoadScenario = {
      id: 'test-steady',
      protocol: 'none',
      description: 'records a sample every few milliseconds',
      async runSession(ctx) {
        ctx.metrics.latency('connect', 100);
        recorded++;
        while (!ctx.signal.aborted) {
          ctx.metrics.latency('connect', 100 + (recorded % 5000));
          ctx.metrics.count('ticks');
          recorded++;
          await sleep(3, ctx.signal);
        }
      },
    };
    const out = join(dir, 'run');
    const result = await runLoadTest({
      scenario,
      host: '127.0.0.1',
      port: 1,
      preflight: false,
      workload: { kind: 'closed', start: 3, stages: [{ durationMs: 3500, target: 3 }] },
      thinkTimeMs: 0,
      requestTimeoutMs: 1000,
      params: {},
      seed: 'steady',
      thresholds: [],
      outDir: out,
      log: silentLogger,
    });
    expect(result.status).toBe('completed');
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as LoadSummary;
    const [header, ...rows] = readFileSync(join(out, 'timeseries.csv'), 'utf8').trim().split('\n');
    const columns = header!.split(',');
    const column = (name: string) => {
      const i = columns.indexOf(name);
      expect(i, name).toBeGreaterThanOrEqual(0);
      return rows.reduce((n, row) => n + Number(row.split(',')[i]), 0);
    };
    expect(recorded).toBeGreaterThan(100);
    expect(summary.latency.connect!.corrected.count).toBe(recorded);
    expect(column('connect_count')).toBe(recorded);
    expect(column('ticks_delta')).toBe(summary.counters.ticks);
    expect(summary.counters.ticks).toBe(recorded - 3);
    expect(column('sessions_started')).toBe(summary.sessions.started);
    expect(summary.sessions.started).toBe(3);
    expect(rows.length).toBe(result.recorder.points.length);
  });
});
