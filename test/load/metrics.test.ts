import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.ts';
import {
  addRaw,
  compareNames,
  LoadRecorder,
  scanHistogram,
  takeRaw,
  windowPercentile,
} from '../../src/load/metrics.ts';
import { formatTimeseriesCsv, saturationReasons, TimeseriesFile } from '../../src/load/summary.ts';
import { connectFramed } from '../../src/net/client.ts';
import { lineFramer } from '../../src/net/framing.ts';

describe('LoadRecorder', () => {
  it('closes one-second intervals and folds them into the run totals', () => {
    const r = new LoadRecorder();
    const t0 = r.startedAt;
    for (let i = 0; i < 10; i++) r.latency('move_rtt', 1000);
    r.count('moves', 10);
    const first = r.tick(t0 + 1000);
    expect(first.latency.move_rtt).toMatchObject({ count: 10, p50: 1000 });
    expect(first.counters.moves).toBe(10);
    for (let i = 0; i < 10; i++) r.latency('move_rtt', 3000, 2000);
    r.error('timeout');
    const second = r.tick(t0 + 2000);
    expect(second.latency.move_rtt!.count).toBe(10);
    expect(second.latency.move_rtt!.p50).toBeGreaterThanOrEqual(2999);
    expect(second.latency.move_rtt!.p99Uncorrected).toBeLessThanOrEqual(2002);
    expect(second.counters.moves).toBeUndefined();
    expect(second.errors).toBe(1);
    const total = r.latencySummary('move_rtt')!;
    expect(total.corrected.count).toBe(20);
    expect(total.scheduled).toBe(true);
    expect(total.corrected.max).toBeGreaterThanOrEqual(2999);
    expect(total.uncorrected.max).toBeLessThanOrEqual(2002);
    expect(r.errors()).toEqual({ timeout: 1 });
    const csv = formatTimeseriesCsv(r.points).trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[0]).toContain('move_rtt_p99_ms');
    r.end();
  });

  it('marks a session errored only through its own view', () => {
    const r = new LoadRecorder();
    const a = r.session();
    const b = r.session();
    a.error('disconnect');
    expect(a.errored).toBe(true);
    expect(b.errored).toBe(false);
    expect(r.errorTotal).toBe(1);
    r.end();
  });

  it('counts the bytes and frames of tracked connections both ways', async () => {
    const server = createServer((socket) => socket.on('data', (d) => socket.write(d)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const r = new LoadRecorder();
    let frames = 0;
    const conn = await connectFramed(
      { host: '127.0.0.1', port, framer: lineFramer({ maxLine: 100, eol: '\n' }) },
      { onFrame: () => frames++ },
    );
    r.track(conn);
    for (let i = 0; i < 5; i++) conn.send('hello');
    const deadline = Date.now() + 5000;
    while (frames < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const point = r.tick(r.startedAt + 1000);
    expect(r.messagesOut).toBe(5);
    expect(r.messagesIn).toBe(5);
    expect(r.bytesOut).toBe(30);
    expect(r.bytesIn).toBe(30);
    expect(point.messagesOutPerSec).toBe(5);
    conn.destroy();
    await new Promise((resolve) => server.close(resolve));
    r.tick();
    r.end();
  });
});

describe('LoadRecorder figures (issue 22)', () => {
  it('reads percentiles and the mean in one pass exactly as the histogram library does', () => {
    const h = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 3_600_000_000,
      numberOfSignificantValueDigits: 3,
    });
    const rng = createRng('scan');
    // Values over many bucket runs (1 µs to 10 s), so every width of the layout is walked.
    for (let i = 0; i < 20_000; i++) h.recordValue(rng.int(0, 3) === 0 ? rng.int(0, 3000) : rng.int(1, 10_000_000));
    const ps = [0.1, 1, 10, 50, 90, 99, 99.9, 99.99, 100];
    const { values, sum } = scanHistogram(h, ps);
    expect(values).toEqual(ps.map((p) => Math.min(h.maxValue, h.getValueAtPercentile(p))));
    expect(sum / h.totalCount).toBeCloseTo(h.mean, 6);
  });

  it('hands an interval over as its used buckets: folded back in, it is the same histogram', () => {
    const build = () =>
      hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
    const source = build();
    const reference = build();
    const into = build();
    into.recordValue(7);
    reference.recordValue(7);
    const rng = createRng('raw');
    for (let i = 0; i < 5000; i++) {
      const v = rng.int(1, 50_000_000);
      source.recordValue(v);
      reference.recordValue(v);
    }
    const max = source.maxValue;
    const raw = takeRaw(source)!;
    // Only the buckets up to the largest value travel, and the source is empty (and reusable) afterwards.
    expect(raw.counts.length).toBeLessThan(23_552);
    expect(raw.max).toBe(max);
    expect(source.totalCount).toBe(0);
    expect(source.getValueAtPercentile(100)).toBe(0);
    expect(takeRaw(source)).toBeUndefined();
    addRaw(into, raw);
    expect(into.totalCount).toBe(reference.totalCount);
    expect(into.minNonZeroValue).toBe(reference.minNonZeroValue);
    expect(into.maxValue).toBe(reference.maxValue);
    for (const p of [0, 1, 50, 90, 99, 99.9, 100])
      expect(into.getValueAtPercentile(p)).toBe(reference.getValueAtPercentile(p));
    // Recording again after the hand-over starts from nothing.
    source.recordValue(42);
    expect(takeRaw(source)).toMatchObject({ total: 1, min: 42, max: 42 });
  });

  it('judges a window of a run on its own samples: the later total less the earlier one', () => {
    const r = new LoadRecorder();
    const t0 = r.startedAt;
    // A slow first second (a ramp) then a fast window: the window's p99 knows nothing of the ramp.
    for (let i = 0; i < 100; i++) r.latency('move_rtt', 50_000);
    r.tick(t0 + 1000);
    const before = r.latencyTotalRaw('move_rtt');
    for (let i = 0; i < 1000; i++) r.latency('move_rtt', 1000 + i);
    r.tick(t0 + 2000);
    const after = r.latencyTotalRaw('move_rtt')!;
    expect(before?.total).toBe(100);
    expect(after.total).toBe(1100);
    const p99 = windowPercentile(after, before, 99);
    expect(p99).toBeGreaterThanOrEqual(1985);
    expect(p99).toBeLessThanOrEqual(1992);
    // From the run's start the ramp is in it, and without a later sample there is nothing to judge.
    expect(windowPercentile(after, undefined, 99)).toBeGreaterThan(40_000);
    expect(windowPercentile(after, after, 99)).toBe(0);
    expect(r.latencyTotalRaw('none')).toBeUndefined();
  });

  it('never prints a percentile above the maximum, and computes the mean in the same pass', () => {
    const r = new LoadRecorder();
    // 1027 µs lands in a bucket whose upper edge is 1027 + its width - 1: the library reports that edge.
    for (let i = 0; i < 1000; i++) r.latency('move_rtt', 1000 + (i % 28));
    r.tick(r.startedAt + 1000);
    const s = r.latencySummary('move_rtt')!.corrected;
    expect(s.max).toBe(1027);
    expect(s.p999).toBeLessThanOrEqual(s.max);
    expect(s.p99).toBeLessThanOrEqual(s.max);
    expect(s.mean).toBeGreaterThan(1010);
    expect(s.mean).toBeLessThan(1016);
    expect(s.min).toBe(1000);
    r.end();
  });

  it('labels metrics by how their send times were chosen', () => {
    const closed = new LoadRecorder({ reactive: ['move_rtt'] });
    const open = new LoadRecorder({ open: true, reactive: ['move_rtt'] });
    for (const r of [closed, open]) {
      // Two views given: a reactive metric keeps only the actual send; an arrival metric only in the open model.
      r.latency('move_rtt', 9000, 2000);
      r.latency('connect', 5000, 1000);
      r.latency('send_rtt', 7000, 3000);
      r.latency('join_rtt', 4000);
      // Measured from the join, not the arrival (one view): no correction to claim, even in the open model.
      r.latency('first_event', 6000);
      r.tick(r.startedAt + 1000);
    }
    const timing = (r: LoadRecorder, m: string) => r.latencySummary(m)!.timing;
    expect(timing(closed, 'move_rtt')).toBe('reactive');
    expect(closed.latencySummary('move_rtt')!.corrected.max).toBe(2000);
    expect(timing(closed, 'connect')).toBe('unscheduled');
    expect(closed.latencySummary('connect')!.corrected.max).toBe(1000);
    expect(timing(open, 'connect')).toBe('scheduled');
    expect(open.latencySummary('connect')!.corrected.max).toBe(5000);
    expect(open.latencySummary('connect')!.uncorrected.max).toBe(1000);
    expect(timing(open, 'first_event')).toBe('unscheduled');
    // A scenario's own schedule (chat's send rate): scheduled in either model.
    expect(timing(closed, 'send_rtt')).toBe('scheduled');
    expect(timing(closed, 'join_rtt')).toBe('unscheduled');
    closed.end();
    open.end();
  });

  it('reports event-loop lag net of its 10 ms sampling interval: an idle loop reads about 0', async () => {
    const r = new LoadRecorder();
    await new Promise((resolve) => setTimeout(resolve, 300));
    r.tick();
    r.end();
    // Gross, the idle loop reads 10 ms and more; net, a loaded machine may still add a little.
    expect(r.eventLoopLag().p50Ms).toBeLessThan(5);
  });

  it('records server gaps by kind, each session longest, the stalls and the time-weighted share', () => {
    const r = new LoadRecorder({ gapThresholdMs: 500 });
    const a = r.session();
    const b = r.session();
    // Two bots that have run for 10 s each: 20 bot-seconds.
    for (const s of [a, b]) (s as { startedAt: number }).startedAt = performance.now() - 10_000;
    r.sessionStarted(a);
    r.sessionStarted(b);
    for (let i = 0; i < 10; i++) a.gap('year', 20_000);
    a.gap('year', 1_500_000);
    b.gap('start', 300_000);
    r.sessionEnded(a);
    r.sessionEnded(b);
    const point = r.tick(r.startedAt + 1000);
    expect(point.gaps).toEqual({ count: 12, maxMs: 1500, over: 1 });
    const g = r.gapSummary()!;
    expect(g.all.count).toBe(12);
    expect(g.byKind.year!.count).toBe(11);
    expect(g.byKind.start!.max).toBe(300_000);
    expect(g.longestPerBot.count).toBe(2);
    expect(g.longestPerBot.max).toBe(1_500_000);
    expect(g.overThreshold).toBe(1);
    // 1 s past the threshold over 20 bot-seconds.
    expect(g.botSeconds).toBeGreaterThanOrEqual(20);
    expect(g.botSeconds).toBeLessThan(25);
    expect(g.shareOverThreshold).toBeCloseTo(1 / g.botSeconds, 3);
    const lookup = r.lookup();
    expect(lookup.trend('server_gap')!.max).toBe(1_500_000);
    expect(lookup.trend('server_gap.start')!.count).toBe(1);
    expect(lookup.counter('server_gaps_over')).toBe(1);
    r.end();
  });

  it('merges worker threads gaps, bot-time and sessions cut off into the main recorder', () => {
    const main = new LoadRecorder();
    for (const thread of [0, 1]) {
      const worker = new LoadRecorder();
      const s = worker.session();
      worker.sessionStarted(s);
      s.gap('round', 800_000);
      s.gap('round', 10_000);
      worker.sessionEnded(s);
      const t = worker.session();
      worker.sessionStarted(t);
      worker.markCutOff();
      main.absorb(thread, worker.takeInterval());
      worker.end();
    }
    main.tick(main.startedAt + 1000);
    const g = main.gapSummary()!;
    expect(g.byKind.round!.count).toBe(4);
    expect(g.all.count).toBe(4);
    expect(g.overThreshold).toBe(2);
    expect(g.longestPerBot.count).toBe(2);
    expect(main.sessionsCutOff).toBe(2);
    expect(main.botMicros()).toBeGreaterThan(0);
    main.end();
  });
});

describe('saturation', () => {
  it('names each generator delay large enough to move a figure', () => {
    expect(saturationReasons(0.2, 0.3, 40)).toEqual([]);
    const reasons = saturationReasons(20, 25, 95);
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/lag p99 20 ms/);
    expect(reasons[1]).toMatch(/blocked it for 25 ms/);
    expect(reasons[2]).toMatch(/CPU 95%/);
  });
});

describe('timeseries.csv', () => {
  /** A recorder with one second of move_rtt, written to a fresh file; the folder removed afterwards. */
  async function withCsv(body: (r: LoadRecorder, file: TimeseriesFile, path: string) => Promise<void>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'botswarm-csv-'));
    try {
      const r = new LoadRecorder();
      const path = join(dir, 'timeseries.csv');
      const file = new TimeseriesFile(path);
      r.latency('move_rtt', 1000);
      r.tick(r.startedAt + 1000);
      await file.update(r.points);
      await body(r, file, path);
      r.end();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('appends each second and rewrites only when a column appears', () =>
    withCsv(async (r, file, path) => {
      r.latency('move_rtt', 2000);
      r.tick(r.startedAt + 2000);
      await file.update(r.points);
      expect(readFileSync(path, 'utf8')).toBe(formatTimeseriesCsv(r.points));
      // A new metric: a new column, the file rewritten whole.
      r.latency('join_rtt', 500);
      r.gap('year', 700_000);
      r.tick(r.startedAt + 3000);
      await file.update(r.points, true);
      const text = readFileSync(path, 'utf8');
      expect(text).toBe(formatTimeseriesCsv(r.points));
      expect(text.split('\n')[0]).toContain('join_rtt_p99_ms');
      expect(text.split('\n')[0]).toContain('server_gaps_over_threshold');
    }));

  it('a second closed while a whole-file rewrite is awaited is written by the next update, not skipped', () =>
    // The progress writer passes its recorder's live points; the recorder ticks again while the rewrite's
    // rename is in flight. The row of that tick used to be counted as written and never reached the file.
    withCsv(async (r, file, path) => {
      r.count('games', 1); // a new column: the next update rewrites the file whole
      r.tick(r.startedAt + 2000);
      const rewriting = file.update(r.points);
      r.latency('move_rtt', 3000);
      r.tick(r.startedAt + 3000); // lands during the rewrite's await
      await rewriting;
      await file.update(r.points);
      expect(readFileSync(path, 'utf8')).toBe(formatTimeseriesCsv(r.points));
      expect(r.points).toHaveLength(3);
    }));
});

describe('compareNames', () => {
  it("orders printable ASCII names as localeCompare does (the summary's key order is unchanged without ICU)", () => {
    const ascii = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 12,
    });
    // Names as the generator's metrics look (`move_rtt`, `errors.ERRJ`, `server_gap.start`) collide more often.
    const name = fc.string({ unit: fc.constantFrom('a', 'A', 'b', 'B', '_', '.', '-', '1', '2', ' '), maxLength: 6 });
    for (const arb of [ascii, name]) {
      fc.assert(
        fc.property(arb, arb, (a, b) => {
          expect(Math.sign(compareNames(a, b))).toBe(Math.sign(a.localeCompare(b)));
        }),
        { numRuns: 2000 },
      );
    }
  });

  it('sends names outside printable ASCII to localeCompare', () => {
    expect(Math.sign(compareNames('é', 'f'))).toBe(Math.sign('é'.localeCompare('f')));
    expect(Math.sign(compareNames('a\tb', 'ab'))).toBe(Math.sign('a\tb'.localeCompare('ab')));
  });

  it('never calls localeCompare for the summary of a run with ASCII names (ICU stays unloaded)', () => {
    const r = new LoadRecorder({ monitorLag: false });
    for (const k of ['moves', 'games_started', 'Games', 'decisions', 'lobby_timeouts']) r.count(k);
    for (const k of ['ERRJ', 'timeout', 'disconnect']) r.error(k);
    for (const k of ['year', 'start', 'Year']) r.gap(k, 1000);
    r.latency('move_rtt', 1000);
    r.tick();
    const original = String.prototype.localeCompare;
    String.prototype.localeCompare = () => {
      throw new Error('localeCompare called');
    };
    try {
      expect(Object.keys(r.counters())).toEqual(['decisions', 'Games', 'games_started', 'lobby_timeouts', 'moves']);
      expect(Object.keys(r.errors())).toEqual(['disconnect', 'ERRJ', 'timeout']);
      expect(Object.keys(r.gapSummary()!.byKind)).toEqual(['start', 'year', 'Year']);
    } finally {
      String.prototype.localeCompare = original;
    }
  });
});

describe('histogram memory', () => {
  it('a histogram holds buckets only up to its largest value, at unchanged precision', () => {
    const r = new LoadRecorder({ monitorLag: false, reactive: ['move_rtt'] });
    const empty = r.histogramBytes();
    // 4 histograms for the gap series (all kinds and each session's longest), 8 KiB each before any sample.
    expect(empty).toBe(4 * 8192);
    const rng = createRng('buckets');
    const lib = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 3_600_000_000,
      numberOfSignificantValueDigits: 3,
    });
    for (let i = 0; i < 5000; i++) {
      const v = Math.round(200 + rng.next() * 1800);
      r.latency('move_rtt', v);
      lib.recordValue(v);
    }
    r.tick();
    // One pair (a reactive metric has no separate uncorrected view), first bucket only: 2 × 8 KiB.
    expect(r.histogramBytes() - empty).toBe(2 * 8192);
    const s = r.latencySummary('move_rtt')!;
    expect(s.uncorrected).toBe(s.corrected);
    for (const p of [50, 90, 99, 99.9]) {
      expect(r.lookup().trend('move_rtt')!.percentile(p)).toBe(lib.getValueAtPercentile(p));
    }
    // A value of an hour grows that metric's pair to the full range (23,552 buckets each).
    r.latency('move_rtt', 3_600_000_000);
    r.tick();
    expect(r.histogramBytes() - empty).toBe(2 * 23_552 * 4);
    expect(r.latencySummary('move_rtt')!.corrected.max).toBeGreaterThanOrEqual(3_600_000_000);
  });

  it('a metric gets its uncorrected pair at its first scheduled sample, holding what both views held', () => {
    const r = new LoadRecorder({ monitorLag: false });
    for (let i = 0; i < 100; i++) r.latency('handshake', 1000);
    r.tick();
    for (let i = 0; i < 10; i++) r.latency('handshake', 1500);
    const before = r.histogramBytes();
    expect(r.latencySummary('handshake')!.timing).toBe('unscheduled');
    r.latency('handshake', 1900, 1000);
    expect(r.histogramBytes() - before).toBe(2 * 8192);
    r.tick();
    const s = r.latencySummary('handshake')!;
    expect(s.timing).toBe('scheduled');
    expect(s.corrected.count).toBe(111);
    expect(s.uncorrected.count).toBe(111);
    expect(s.corrected.max).toBeGreaterThanOrEqual(1900);
    expect(s.uncorrected.max).toBeLessThan(1502);
    // The interval it split in: 10 samples of 1.5 ms plus one of 1.9 ms (corrected) or 1 ms (uncorrected).
    const point = r.points.at(-1)!.latency.handshake!;
    expect(point.count).toBe(11);
    expect(point.p99).toBeGreaterThanOrEqual(1899);
    expect(point.p99Uncorrected).toBeLessThan(1502);
  });
});
