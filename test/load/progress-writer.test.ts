/**
 * The progress writer (src/load/progress.ts): the thread that keeps summary.json and timeseries.csv current
 * during a run with `--out`, from the same per-second intervals the measuring thread hands to the run's recorder.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { LoadRecorder } from '../../src/load/metrics.ts';
import { ProgressWriter } from '../../src/load/progress.ts';
import type { LoadSummary } from '../../src/load/summary.ts';
import { parseThreshold } from '../../src/load/thresholds.ts';

const dir = mkdtempSync(join(tmpdir(), 'botswarm-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = {
  scenario: 'test',
  protocol: 'galax',
  target: '127.0.0.1:1',
  embedded: false,
  workload: 'closed: 2 bots for 3s',
  durationSeconds: 3,
  thinkTimeMs: 0,
  requestTimeoutMs: 1000,
  seed: '1',
  params: {},
};

/** Reads summary.json until `ok` holds (the writer is a thread of its own: it answers when it answers). */
async function summaryWhen(path: string, ok: (s: LoadSummary) => boolean): Promise<LoadSummary> {
  const until = Date.now() + 60_000;
  let last: LoadSummary | undefined;
  while (Date.now() < until) {
    if (existsSync(path)) {
      try {
        last = JSON.parse(readFileSync(path, 'utf8'));
        if (ok(last!)) return last!;
      } catch {
        // Replaced atomically: a read never sees half a file, but the file may not be there yet.
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`summary.json never matched; last: ${JSON.stringify(last)}`);
}

describe('progress writer', { timeout: 90_000 }, () => {
  it('rewrites summary.json and appends CSV rows from the intervals it is handed, on its own thread', async () => {
    const summaryPath = join(dir, 'summary.json');
    const timeseriesPath = join(dir, 'timeseries.csv');
    const writer = new ProgressWriter(silentLogger);
    // The run waits for this before it starts: loading the thread is not measured with the replies.
    await writer.ready();
    const sessions = new LoadRecorder({ reactive: ['move_rtt'], gapThresholdMs: 250 });
    writer.begin({
      run,
      startedAt: new Date().toISOString(),
      startedAtEpochMs: performance.timeOrigin + sessions.startedAt,
      recorder: { reactive: ['move_rtt'], gapThresholdMs: 250 },
      thresholds: [parseThreshold('p99(move_rtt) < 10ms'), parseThreshold('count(moves) >= 3')],
      summaryPath,
      timeseriesPath,
    });
    // Two seconds of samples, handed over as the measuring thread does each second.
    for (let second = 1; second <= 2; second++) {
      for (let i = 0; i < 100; i++) sessions.latency('move_rtt', 1000 + i * 10 * second);
      sessions.count('moves', 2);
      sessions.gap('year', 300_000);
      const { point, interval } = sessions.tickHandingOver();
      writer.tick(point, interval, { gamesStarted: second });
    }
    const s = await summaryWhen(summaryPath, (x) => x.latency.move_rtt?.corrected.count === 200);
    expect(s.status).toBe('running');
    expect(s.latency.move_rtt!.timing).toBe('reactive');
    expect(s.latency.move_rtt!.corrected.max).toBeGreaterThanOrEqual(2980);
    expect(s.counters.moves).toBe(4);
    expect(s.server).toEqual({ gamesStarted: 2 });
    // The recorder options crossed: the stall threshold is the one given (the measuring side counts the stalls).
    expect(s.gaps!.thresholdMs).toBe(250);
    expect(s.gaps!.overThreshold).toBe(2);
    expect(s.thresholds.map((t) => t.ok)).toEqual([true, true]);
    const rows = readFileSync(timeseriesPath, 'utf8').trim().split('\n');
    expect(rows[0]).toMatch(/^t_s,/);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    await writer.close();
    // Closed: nothing more is written, and closing again is harmless.
    writer.tick(sessions.tick());
    await writer.close();
  });

  it.runIf(existsSync('/proc/thread-self'))(
    'runs at the lowest CPU priority, so that its work never preempts the thread reading the replies',
    async () => {
      // Each thread's nice value (Linux: /proc/self/task/<tid>/stat, the 19th field; the name may hold spaces).
      const lowest = () =>
        readdirSync('/proc/self/task').filter((tid) => {
          try {
            const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
            return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) === 19;
          } catch {
            return false; // a thread that ended meanwhile
          }
        }).length;
      const before = lowest();
      const writer = new ProgressWriter(silentLogger);
      await writer.ready();
      try {
        // A process already at the lowest priority (`nice -n 19`) has nothing to lower.
        if (getPriority() < 19) expect(lowest()).toBe(before + 1);
      } finally {
        await writer.close();
      }
    },
  );

  it('a writer closed while still loading ends at once, writing nothing', async () => {
    const path = join(dir, 'never', 'summary.json');
    const writer = new ProgressWriter(silentLogger);
    const t = performance.now();
    await writer.close();
    expect(performance.now() - t).toBeLessThan(5000);
    expect(existsSync(path)).toBe(false);
  });
});
