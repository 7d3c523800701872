import { createRequire } from 'node:module';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type * as hdr from 'hdr-histogram-js';
import type { Connection } from '../net/connection.ts';
import type { MetricLookup, TrendStats } from './thresholds.ts';
import type { LoadMetrics, RequestsInFlight } from './types.ts';

type Histogram = hdr.Histogram;

/**
 * The typed-array histogram class alone (what `hdr.build` returns for its default 32-bit buckets): the package's
 * index also loads its WebAssembly build, log reader/writer and pako, 80–110 ms of CPU at every start of the
 * generator for classes it never uses. Required, not imported: a CommonJS default export reads the same in Node
 * and in the test runner's interop.
 */
const Int32Histogram: typeof import('hdr-histogram-js/dist/Int32Histogram.js').default = createRequire(import.meta.url)(
  'hdr-histogram-js/dist/Int32Histogram.js',
).default;

/**
 * Microseconds from 1 µs at 3 significant digits, the buckets growing with the largest value recorded: 2,048
 * buckets (8 KiB) cover up to 2 ms, each doubling of the range adds 1,024 (4 KiB), one hour takes 23,552 (92 KiB).
 * The layout (bucket index for a value) does not depend on the size, only how far it reaches: precision is the
 * same as a histogram built for one hour up front, which is what every histogram was, 92 KiB of RSS each from
 * the first sample (32 of them in galax-play: 3 MiB; docs/performance.md, "RSS per bot, fourth pass").
 */
function newHistogram(): Histogram {
  const h = new Int32Histogram(1, 2, 3);
  h.autoResize = true;
  return h;
}

/**
 * The bucket layout of the library's typed-array histograms (the default `hdr.build`): public on its JsHistogram
 * class, not on the `Histogram` interface. Read directly, a pass over the buckets costs microseconds; through
 * its per-value methods (log2 and pow for every bucket) it cost milliseconds a second on the measuring thread.
 */
interface Buckets {
  readonly _counts: ArrayLike<number>;
  readonly subBucketHalfCount: number;
  readonly unitMagnitude: number;
}

/**
 * Calls `visit(lowest, width, count)` for every non-empty bucket in ascending order, up to the largest value
 * (every value v in a bucket has lowest <= v < lowest + width); stops early when `visit` returns true.
 */
function forEachBucket(h: Histogram, visit: (lowest: number, width: number, count: number) => boolean | undefined) {
  const total = h.totalCount;
  if (total === 0) return;
  const { _counts: counts, subBucketHalfCount: half, unitMagnitude: unit } = h as unknown as Buckets;
  // The layout of `valueFromIndex`, walked incrementally: indexes below 2·half have width 2^unit and the value
  // index·width; each further run of `half` indexes doubles the width and starts at half·width.
  let width = 2 ** unit;
  let base = 0;
  let end = 2 * half;
  let seen = 0;
  const n = counts.length;
  for (let i = 0; i < n && seen < total; i++) {
    if (i === end) {
      width *= 2;
      base += half;
      end += half;
    }
    const c = counts[i]!;
    if (c === 0) continue;
    seen += c;
    if (visit((i - base) * width, width, c)) return;
  }
}

/** The layout's fields this module writes (the bucket counts, and the summary fields `add` would update). */
interface Writable {
  _counts: Int32Array;
  _totalCount: number;
  maxValue: number;
  minNonZeroValue: number;
  countsArrayIndex(value: number): number;
  valueFromIndex(index: number): number;
  /** Grows the bucket array to cover `value` (the library's, as `autoResize` does on a record). */
  resize(value: number): void;
}

/** Grows `h`'s buckets to at least `n` (a histogram holds only the buckets up to its largest value so far). */
function ensureBuckets(w: Writable, n: number): void {
  if (w._counts.length < n) w.resize(w.valueFromIndex(n - 1));
}

/**
 * One histogram's interval as it leaves the thread that recorded it: the bucket counts up to its largest value
 * (the layout of `newHistogram`, index for index), with its count and extremes. Taking one is a copy of the used
 * range, and folding one in a loop over it: both microseconds, where the library's `add` walks all 23,552
 * buckets through a method call each, and its compressed encoding deflates them. Plain data: it crosses threads
 * by structured clone (and may be serialised as is for another process: `counts` is all there is to it).
 */
export interface RawHistogram {
  readonly counts: Int32Array;
  readonly total: number;
  /** Microseconds (the smallest non-zero value recorded, and the largest). */
  readonly min: number;
  readonly max: number;
}

/** How many leading buckets hold `h`'s values (0 when empty). */
function usedBuckets(h: Histogram): number {
  if (h.totalCount === 0) return 0;
  const w = h as unknown as Writable;
  return Math.min(w._counts.length, w.countsArrayIndex(h.maxValue) + 1);
}

/** Empties `h`, clearing only the buckets in use (the whole array is 92 KB). */
export function clearHistogram(h: Histogram): void {
  const w = h as unknown as Writable;
  w._counts.fill(0, 0, usedBuckets(h));
  w._totalCount = 0;
  w.maxValue = 0;
  w.minNonZeroValue = Number.MAX_SAFE_INTEGER;
}

/** A copy of `h`'s values as a RawHistogram (undefined when empty): one copy of the used buckets. */
export function copyRaw(h: Histogram): RawHistogram | undefined {
  if (h.totalCount === 0) return undefined;
  const w = h as unknown as Writable;
  return { counts: w._counts.slice(0, usedBuckets(h)), total: h.totalCount, min: h.minNonZeroValue, max: h.maxValue };
}

/** `h`'s values as a RawHistogram (undefined when empty), and `h` emptied. */
export function takeRaw(h: Histogram): RawHistogram | undefined {
  const raw = copyRaw(h);
  if (raw) clearHistogram(h);
  return raw;
}

/** Folds `raw` into `h` (same layout). */
export function addRaw(h: Histogram, raw: RawHistogram | undefined): void {
  if (!raw || raw.total === 0) return;
  const w = h as unknown as Writable;
  const from = raw.counts;
  ensureBuckets(w, from.length);
  const into = w._counts;
  const n = from.length;
  for (let i = 0; i < n; i++) {
    const c = from[i]!;
    if (c !== 0) into[i] = into[i]! + c;
  }
  w._totalCount += raw.total;
  if (raw.max > w.maxValue) w.maxValue = raw.max;
  if (raw.min < w.minNonZeroValue) w.minNonZeroValue = raw.min;
}

/**
 * The value at percentile `p` of the samples recorded between two copies of one run total (`earlier` may be
 * absent: the window then starts at the run's start). Lets a caller judge a window of a run, such as a hold
 * after its ramp, on every sample in it rather than on an average of per-second percentiles.
 */
export function windowPercentile(later: RawHistogram, earlier: RawHistogram | undefined, p: number): number {
  const h = newHistogram();
  addRaw(h, later);
  if (earlier && earlier.total > 0) {
    const w = h as unknown as Writable;
    const n = Math.min(earlier.counts.length, w._counts.length);
    for (let i = 0; i < n; i++) w._counts[i] = w._counts[i]! - earlier.counts[i]!;
    w._totalCount -= earlier.total;
  }
  if (h.totalCount <= 0) return 0;
  return scanHistogram(h, [p]).values[0] ?? 0;
}

/** Folds histogram `from` into `h` (same layout), over `from`'s used buckets only. */
function addInto(h: Histogram, from: Histogram): void {
  if (from.totalCount === 0) return;
  const f = from as unknown as Writable;
  addRaw(h, {
    counts: f._counts.subarray(0, usedBuckets(from)),
    total: from.totalCount,
    min: from.minNonZeroValue,
    max: from.maxValue,
  });
}

/**
 * One pass over a histogram's buckets, up to its largest value: the values at `percentiles` (ascending) and the
 * sum (bucket midpoints, as the library's own `mean`, which walks an allocating iterator: with the percentiles,
 * 20 ms a second at 100 bots when summary.json was rebuilt every second). Percentiles are clamped to the recorded
 * [min, max]: a bucket's upper edge is above the largest value in it, which printed `p99.9 1028 max 1027`.
 */
export function scanHistogram(h: Histogram, percentiles: readonly number[]): { values: number[]; sum: number } {
  const total = h.totalCount;
  const values = percentiles.map(() => 0);
  if (total === 0) return { values, sum: 0 };
  const targets = percentiles.map((p) => {
    const fp = (Math.min(p, 100) / 100) * total;
    return Math.max(1, Math.ceil(fp - fp * Number.EPSILON * 4));
  });
  const lo = h.minNonZeroValue;
  const hi = h.maxValue;
  let k = 0;
  let seen = 0;
  let sum = 0;
  forEachBucket(h, (lowest, width, c) => {
    sum += (lowest + Math.floor(width / 2)) * c;
    seen += c;
    while (k < targets.length && seen >= targets[k]!) {
      values[k] = Math.min(hi, Math.max(lo, lowest + width - 1));
      k++;
    }
    return undefined;
  });
  return { values, sum };
}

/** The value at percentile `p`, clamped to the recorded [min, max] (see `scanHistogram`). */
export function valueAt(h: Histogram, p: number): number {
  if (h.totalCount === 0) return 0;
  return Math.min(h.maxValue, Math.max(h.minNonZeroValue, h.getValueAtPercentile(p)));
}

/** Samples above `x` and the time past `x` summed over them (bucket midpoints): one pass. */
export function excessOver(h: Histogram, x: number): { count: number; excess: number } {
  let count = 0;
  let excess = 0;
  const max = h.maxValue;
  forEachBucket(h, (lowest, width, c) => {
    const v = Math.min(max, lowest + Math.floor(width / 2));
    if (v > x) {
      count += c;
      excess += (v - x) * c;
    }
    return undefined;
  });
  return { count, excess };
}

/** One latency metric's interval as it crosses threads. */
export interface IntervalTrend {
  readonly corrected: RawHistogram;
  /** Absent when it equals the corrected view (a metric that is not scheduled). */
  readonly uncorrected?: RawHistogram;
  readonly scheduled: boolean;
}

/** A thread's event-loop lag over the run so far (nanoseconds) at fixed percentiles. */
export interface ThreadLag {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** [percentile, ns], ascending. */
  readonly percentiles: readonly (readonly [number, number])[];
}

/** What a worker thread measured since its previous report (see `LoadRecorder.takeInterval`). */
export interface ThreadInterval {
  readonly latency: Readonly<Record<string, IntervalTrend>>;
  readonly counters: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  readonly started: number;
  readonly completed: number;
  readonly errored: number;
  readonly dropped: number;
  /** Sessions in flight at the report. */
  readonly active: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly connections: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  readonly lag: ThreadLag;
  /** Server response gaps per kind, and each ended session's longest. */
  readonly gaps: Readonly<Record<string, RawHistogram>>;
  readonly gapLongest?: RawHistogram;
  readonly gapsOver: number;
  /** Bot-time so far (sessions' run time, those still running included), microseconds: a gauge. */
  readonly botMicros: number;
  /** Sessions still running when the run told them to stop (delta). */
  readonly cutOff: number;
  /** The longest this thread's per-second work took at once so far, ms. */
  readonly selfMaxMs: number;
  /**
   * The most sessions in flight at once so far, counted at every start: set only by a recorder that is the
   * receiver's one source (`tickHandingOver`). Worker threads' maxima are not summed: `active` is sampled instead.
   */
  readonly maxActive?: number;
}

/** Server response gaps over the run (see `LoadMetrics.gap`). Microseconds. */
export interface GapSummary {
  /** Gaps longer than this are stalls. */
  readonly thresholdMs: number;
  /** Every gap, whatever its kind. */
  readonly all: LatencyStats;
  readonly byKind: Readonly<Record<string, LatencyStats>>;
  /** Each ended session's longest gap: the longest silence each bot saw. */
  readonly longestPerBot: LatencyStats;
  /** Gaps longer than the threshold. */
  readonly overThreshold: number;
  /** Time-weighted: the share of bot-time spent waiting past the threshold (a gap of T adds T - threshold). */
  readonly shareOverThreshold: number;
  /** Sessions' run time summed, the share's denominator. */
  readonly botSeconds: number;
}

const LAG_PERCENTILES = [1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100] as const;

/**
 * `monitorEventLoopDelay` samples every LAG_RESOLUTION_MS and each sample includes that interval (an idle loop
 * reads p50 20.17 ms): every lag figure is reported net of it, so an idle loop reads about 0. Each sample is a
 * wake-up of the loop: at 10 ms the monitor alone cost an idle generator 8 ms of CPU a second on the shared
 * machine, at 20 ms 5 (docs/performance.md); a stall still shows whole in the sample that spans it.
 */
export const LAG_RESOLUTION_MS = 20;
const netLag = (ns: number) => Math.max(0, ns - LAG_RESOLUTION_MS * 1e6);
const lagMs = (ns: number) => Math.round(netLag(ns) / 1e4) / 100;

function lagOf(h: IntervalHistogram): ThreadLag {
  if (!h.count) return { count: 0, min: 0, max: 0, mean: 0, percentiles: [] };
  return {
    count: h.count,
    min: netLag(h.min),
    max: netLag(h.max),
    mean: netLag(h.mean),
    percentiles: LAG_PERCENTILES.map((p) => [p, netLag(h.percentile(p))] as const),
  };
}

/** The lag at `p`: the first kept percentile at or above it (never under-reports). */
function percentileOf(l: ThreadLag, p: number): number {
  for (const [q, ns] of l.percentiles) if (q >= p) return ns;
  return l.max;
}

/**
 * The printable ASCII characters in the order of `localeCompare` (ICU's root collation) with case folded:
 * punctuation and symbols, digits, then letters; between two names equal at that level, lower case first.
 */
const NAME_ORDER = ' _-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz';
const NAME_WEIGHT = (() => {
  const w = new Uint8Array(128);
  for (let i = 0; i < NAME_ORDER.length; i++) {
    const c = NAME_ORDER.charCodeAt(i);
    w[c] = i + 1;
    if (c >= 0x61 && c <= 0x7a) w[c - 0x20] = i + 1;
  }
  return w;
})();

/** Whether every character of `s` is printable ASCII (has a weight in NAME_WEIGHT). */
function plainName(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/**
 * `a.localeCompare(b)`'s order for the names of metrics, counters and error kinds, without ICU: the first
 * `localeCompare` of a process pages in ICU's collation data and code, 3 MiB of RSS (measured: the last
 * second of a load test, when the summary sorts its counters; docs/performance.md, "RSS per bot, fourth pass").
 * Printable ASCII names are compared here (test/load/metrics.test.ts holds the order to `localeCompare`'s);
 * any other name still goes to `localeCompare`.
 */
export function compareNames(a: string, b: string): number {
  if (!plainName(a) || !plainName(b)) return a.localeCompare(b);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = NAME_WEIGHT[a.charCodeAt(i)]! - NAME_WEIGHT[b.charCodeAt(i)]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  // Equal but for case: the first lower-case letter against an upper-case one goes first.
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return ca > cb ? -1 : 1;
  }
  return 0;
}

/** Percentiles shown in summaries, tables and the report. */
export const SUMMARY_PERCENTILES = [50, 90, 95, 99, 99.9] as const;

export interface LatencyStats {
  readonly count: number;
  /** Microseconds. */
  readonly min: number;
  readonly mean: number;
  readonly max: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
}

export interface IntervalLatency {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** p99 of the uncorrected view (send time as actually sent). */
  readonly p99Uncorrected: number;
}

/** One second of the run (the last point may be shorter). */
export interface TimePoint {
  /** Seconds since the start, at the end of this interval. */
  readonly t: number;
  readonly seconds: number;
  readonly activeSessions: number;
  readonly sessionsStarted: number;
  readonly sessionsCompleted: number;
  readonly droppedSessions: number;
  readonly messagesInPerSec: number;
  readonly messagesOutPerSec: number;
  readonly bytesInPerSec: number;
  readonly bytesOutPerSec: number;
  readonly errors: number;
  readonly latency: Readonly<Record<string, IntervalLatency>>;
  /** Counter increments during this interval. */
  readonly counters: Readonly<Record<string, number>>;
  /** Server response gaps ended in this interval (all kinds): how many, the longest, how many passed the threshold. */
  readonly gaps: { readonly count: number; readonly maxMs: number; readonly over: number };
  readonly eventLoopLagP99Ms: number;
  readonly eventLoopLagMaxMs: number;
  /** Generator CPU, percent of one core. */
  readonly cpuPercent: number;
  readonly rssMB: number;
  readonly heapUsedMB: number;
}

/**
 * How a metric's send times were chosen, which says whether coordinated omission could be corrected:
 * - `scheduled`: from a schedule the server cannot move (open-model arrivals, a send rate, a think-time
 *   schedule); the corrected view counts from the intended time, as wrk2 does;
 * - `reactive`: in answer to a server message (a YEAR, a prompt, a round): a stall moves the send with it, so
 *   nothing can be corrected; stalls show in the server response gaps instead;
 * - `unscheduled`: measured from the actual send, with no schedule to correct against (a closed-model connect).
 */
export type MetricTiming = 'scheduled' | 'reactive' | 'unscheduled';

/**
 * Metrics a scenario may measure from a session's arrival time (see src/load/types.ts): scheduled in the open
 * model when given with both views (arrivals follow a rate); in the closed model a bot's next session starts when
 * its previous one ended, so they are unscheduled there whatever the scenario passes.
 */
export const ARRIVAL_METRICS: ReadonlySet<string> = new Set(['connect', 'first_event']);

/** What a recorder needs to label its metrics (the same in the main thread and in every worker thread). */
export interface RecorderOptions {
  /** Open model: sessions arrive on a schedule. */
  readonly open?: boolean;
  /** Metrics the scenario sends in answer to the server (`LoadScenario.reactive`). */
  readonly reactive?: readonly string[];
  /** Server response gaps longer than this count as stalls (default 500 ms). */
  readonly gapThresholdMs?: number;
  /**
   * Whether this recorder measures its own thread's event-loop lag (default true). False for a recorder that
   * only merges other recorders' intervals on a thread whose lag is measured elsewhere (or does not matter).
   */
  readonly monitorLag?: boolean;
  /** When the run began (`performance.now()` of this thread; default: now). Rates and the time series count from it. */
  readonly startedAt?: number;
}

/** `scheduled` when correctable, fixed otherwise; `undefined`: decided by the samples (two different views). */
function fixedTiming(name: string, o: RecorderOptions): MetricTiming | undefined {
  if (o.reactive?.includes(name)) return 'reactive';
  if (ARRIVAL_METRICS.has(name) && !o.open) return 'unscheduled';
  return undefined;
}

/** A copy of `h` (its used buckets, count and extremes). */
function cloneHistogram(h: Histogram): Histogram {
  const c = newHistogram();
  addInto(c, h);
  return c;
}

class Trend {
  readonly total = newHistogram();
  readonly interval = newHistogram();
  /**
   * The uncorrected views, kept apart only once a sample differed (a scheduled metric): until then both views
   * hold the same samples, and these are the corrected histograms themselves (reactive and unscheduled metrics,
   * most of them, never pay for a second pair).
   */
  #totalUncorrected: Histogram | null = null;
  #intervalUncorrected: Histogram | null = null;
  /** True once a sample differed between the views, i.e. the scenario sends on a schedule. */
  scheduled = false;

  /** `fixed`: the metric's timing when the run decides it; a non-scheduled metric keeps only the actual send. */
  constructor(readonly fixed: MetricTiming | undefined) {}

  get timing(): MetricTiming {
    return this.fixed ?? (this.scheduled ? 'scheduled' : 'unscheduled');
  }

  get totalUncorrected(): Histogram {
    return this.#totalUncorrected ?? this.total;
  }

  get intervalUncorrected(): Histogram {
    return this.#intervalUncorrected ?? this.interval;
  }

  /** The views part: the uncorrected ones start as copies of what both held so far. */
  #split(): Histogram {
    if (!this.#intervalUncorrected) {
      this.#totalUncorrected = cloneHistogram(this.total);
      this.#intervalUncorrected = cloneHistogram(this.interval);
    }
    return this.#intervalUncorrected;
  }

  record(micros: number, uncorrected: number) {
    if (this.fixed !== undefined && this.fixed !== 'scheduled') micros = uncorrected;
    if (uncorrected !== micros) {
      this.scheduled = true;
      this.#split();
    }
    this.interval.recordValue(Math.max(0, Math.round(micros)));
    this.#intervalUncorrected?.recordValue(Math.max(0, Math.round(uncorrected)));
  }

  /** Another thread's interval of this metric (see `LoadRecorder.absorb`). */
  absorb(t: IntervalTrend): void {
    // Split first: the uncorrected views start as what both views held before this interval.
    if (t.uncorrected) addRaw(this.#split(), t.uncorrected);
    else if (this.#intervalUncorrected) addRaw(this.#intervalUncorrected, t.corrected);
    addRaw(this.interval, t.corrected);
    if (t.scheduled) this.scheduled = true;
  }

  /** Empties the interval (both views). */
  clearInterval(): void {
    clearHistogram(this.interval);
    if (this.#intervalUncorrected) clearHistogram(this.#intervalUncorrected);
  }

  /**
   * This interval's samples as they leave for another thread (copies of the used buckets; undefined when none).
   * A metric that is not scheduled holds the same samples in both views: its uncorrected view is not sent.
   */
  raw(): IntervalTrend | undefined {
    const corrected = copyRaw(this.interval);
    if (!corrected) return undefined;
    const uncorrected = this.timing === 'scheduled' ? copyRaw(this.intervalUncorrected) : undefined;
    return { corrected, ...(uncorrected ? { uncorrected } : {}), scheduled: this.scheduled };
  }

  flush(): IntervalLatency {
    const [p50 = 0, p99 = 0] = scanHistogram(this.interval, [50, 99]).values;
    const point = {
      count: this.interval.totalCount,
      p50,
      p99,
      max: this.interval.maxValue,
      // Both views hold the same samples unless the metric is scheduled: the second scan is only paid then.
      p99Uncorrected:
        this.timing === 'scheduled' ? (scanHistogram(this.intervalUncorrected, [99]).values[0] ?? 0) : p99,
    };
    this.fold();
    return point;
  }

  /** The interval into the run totals, and emptied. */
  fold(): void {
    addInto(this.total, this.interval);
    if (this.#totalUncorrected && this.#intervalUncorrected) addInto(this.#totalUncorrected, this.#intervalUncorrected);
    this.clearInterval();
  }
}

/** A histogram per interval folded into a run total: server response gaps (one kind, or all of them). */
class Series {
  readonly total = newHistogram();
  readonly interval = newHistogram();

  record(micros: number) {
    this.interval.recordValue(Math.max(0, Math.round(micros)));
  }

  flush(): void {
    addInto(this.total, this.interval);
    clearHistogram(this.interval);
  }

  take(): RawHistogram | undefined {
    return takeRaw(this.interval);
  }

  /** A copy of the interval, which stays (see `LoadRecorder.tickHandingOver`). */
  raw(): RawHistogram | undefined {
    return copyRaw(this.interval);
  }

  absorb(raw: RawHistogram | undefined): void {
    addRaw(this.interval, raw);
  }
}

/** Count, min, mean, max and the summary percentiles in one pass over the buckets. */
export function latencyStats(h: Histogram): LatencyStats {
  const count = h.totalCount;
  const { values, sum } = scanHistogram(h, SUMMARY_PERCENTILES);
  const [p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0] = values;
  return {
    count,
    min: count ? h.minNonZeroValue : 0,
    mean: count ? Math.round((sum / count) * 10) / 10 : 0,
    max: count ? h.maxValue : 0,
    p50,
    p90,
    p95,
    p99,
    p999,
  };
}

function trendView(h: Histogram): TrendStats {
  return {
    count: h.totalCount,
    min: h.totalCount ? h.minNonZeroValue : 0,
    max: h.maxValue,
    get mean() {
      return h.totalCount ? scanHistogram(h, []).sum / h.totalCount : 0;
    },
    percentile: (p) => valueAt(h, p),
  };
}

interface Tracked {
  readonly connection: Connection<unknown>;
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
}

/** A session's view of the recorder: the same metrics, and a flag set by its first error. */
export interface SessionMetrics extends LoadMetrics {
  readonly errored: boolean;
  /** `performance.now()` when the session began. */
  readonly startedAt: number;
  /** The longest gap this session has waited for the server so far, microseconds. */
  readonly longestGap: number;
  /** The run cut this session off: its tracked clients' requests still in flight count as `in_flight_at_end`. */
  cutOff(): void;
}

/**
 * One session's view of the recorder (one per bot, alive as long as the bot plays): an instance of one class with
 * three fields rather than an object of eight closures and their context.
 */
class SessionView implements SessionMetrics {
  readonly startedAt = performance.now();
  errored = false;
  longestGap = 0;
  #clients: RequestsInFlight[] | null = null;

  constructor(readonly recorder: LoadRecorder) {}

  latency(metric: string, micros: number, uncorrectedMicros?: number): void {
    this.recorder.latency(metric, micros, uncorrectedMicros);
  }

  count(counter: string, n?: number): void {
    this.recorder.count(counter, n);
  }

  error(kind: string): void {
    this.errored = true;
    this.recorder.error(kind);
  }

  track(connection: Connection<unknown>, requests?: RequestsInFlight): void {
    this.recorder.track(connection);
    if (!requests) return;
    if (this.#clients) this.#clients.push(requests);
    else this.#clients = [requests];
  }

  cutOff(): void {
    const clients = this.#clients;
    if (!clients) return;
    let n = 0;
    for (const c of clients) n += c.requestsInFlight;
    if (n > 0) this.recorder.count('in_flight_at_end', n);
    this.#clients = null;
  }

  gap(kind: string, micros: number): void {
    if (micros > this.longestGap) this.longestGap = micros;
    this.recorder.gap(kind, micros);
  }
}

/**
 * Everything a run measures. Samples go into per-second interval histograms; `tick()` closes an interval,
 * folds it into the run totals and returns the point for the time series. One recorder per thread: with worker
 * threads each worker records its own sessions and the main thread's recorder `absorb`s their intervals.
 */
export class LoadRecorder implements LoadMetrics {
  readonly startedAt: number;
  readonly #trends = new Map<string, Trend>();
  readonly #counters = new Map<string, number>();
  readonly #intervalCounters = new Map<string, number>();
  readonly #errors = new Map<string, number>();
  #intervalErrors = 0;
  readonly #tracked = new Set<Tracked>();
  readonly points: TimePoint[] = [];

  sessionsStarted = 0;
  sessionsCompleted = 0;
  sessionsErrored = 0;
  droppedSessions = 0;
  activeSessions = 0;
  maxActiveSessions = 0;
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  connectionsTracked = 0;

  #lastTick: number;
  #lastStarted = 0;
  #lastCompleted = 0;
  #lastDropped = 0;
  #lastBytesIn = 0;
  #lastBytesOut = 0;
  #lastMessagesIn = 0;
  #lastMessagesOut = 0;
  #lastCpu = process.cpuUsage();
  readonly #lagInterval: IntervalHistogram;
  readonly #lagTotal: IntervalHistogram;
  readonly cpuStart = process.cpuUsage();
  readonly memoryStart = process.memoryUsage();
  maxRss = 0;
  maxHeapUsed = 0;
  #endedAt: number | undefined;
  /** Worker threads' event-loop lag (threaded runs): the latest cumulative view and this interval's worst. */
  readonly #threadLag = new Map<number, ThreadLag>();
  #threadIntervalLagP99Ms = 0;
  #threadIntervalLagMaxMs = 0;
  /** Each worker thread's sessions in flight at its last report (threaded runs). */
  readonly #threadActive = new Map<number, number>();
  /** What the last `takeInterval` reported, for deltas. */
  #sent = { started: 0, completed: 0, errored: 0, dropped: 0, bytesIn: 0, bytesOut: 0, msgIn: 0, msgOut: 0, conns: 0 };
  readonly #errorsSent = new Map<string, number>();
  readonly #options: RecorderOptions;
  /** Server response gaps by kind, all of them together, and each ended session's longest. */
  readonly #gaps = new Map<string, Series>();
  readonly #gapAll = new Series();
  readonly #gapLongest = new Series();
  readonly gapThresholdMs: number;
  #intervalGapsOver = 0;
  #gapsOverSent = 0;
  gapsOver = 0;
  /** Bot-time: ended sessions' run time, and the start times of those running (so the sum is exact at any time). */
  #botMicrosEnded = 0;
  #activeStartSum = 0;
  readonly #threadBotMicros = new Map<number, number>();
  /** Sessions still running when the run told them to stop: their requests in flight are not in the counts. */
  sessionsCutOff = 0;
  #cutOffSent = 0;
  /** The longest the measuring thread spent at once on the run's per-second work (any thread), ms. */
  selfMaxMs = 0;

  constructor(options: RecorderOptions = {}) {
    this.#options = options;
    this.startedAt = options.startedAt ?? performance.now();
    this.#lastTick = this.startedAt;
    this.gapThresholdMs = options.gapThresholdMs ?? 500;
    this.#lagInterval = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    this.#lagTotal = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    if (options.monitorLag !== false) {
      this.#lagInterval.enable();
      this.#lagTotal.enable();
    }
  }

  #trend(metric: string): Trend {
    let trend = this.#trends.get(metric);
    if (!trend) {
      trend = new Trend(fixedTiming(metric, this.#options));
      this.#trends.set(metric, trend);
    }
    return trend;
  }

  latency(metric: string, micros: number, uncorrectedMicros?: number): void {
    this.#trend(metric).record(micros, uncorrectedMicros ?? micros);
  }

  gap(kind: string, micros: number): void {
    let series = this.#gaps.get(kind);
    if (!series) {
      series = new Series();
      this.#gaps.set(kind, series);
    }
    series.record(micros);
    this.#gapAll.record(micros);
    if (micros > this.gapThresholdMs * 1000) {
      this.#intervalGapsOver++;
      this.gapsOver++;
    }
  }

  count(counter: string, n = 1): void {
    this.#counters.set(counter, (this.#counters.get(counter) ?? 0) + n);
    this.#intervalCounters.set(counter, (this.#intervalCounters.get(counter) ?? 0) + n);
  }

  error(kind: string): void {
    this.#errors.set(kind, (this.#errors.get(kind) ?? 0) + 1);
    this.#intervalErrors++;
  }

  track(connection: Connection<unknown>, _requests?: RequestsInFlight): void {
    this.connectionsTracked++;
    this.#tracked.add({ connection, bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0 });
  }

  /** A per-session view that remembers whether this session hit an error and the longest gap it saw. */
  session(): SessionMetrics {
    return new SessionView(this);
  }

  sessionStarted(session: SessionMetrics): void {
    this.sessionsStarted++;
    this.activeSessions++;
    this.#activeStartSum += session.startedAt;
    if (this.activeSessions > this.maxActiveSessions) this.maxActiveSessions = this.activeSessions;
  }

  sessionEnded(session: SessionMetrics): void {
    this.activeSessions--;
    this.sessionsCompleted++;
    if (session.errored) this.sessionsErrored++;
    this.#activeStartSum -= session.startedAt;
    this.#botMicrosEnded += (performance.now() - session.startedAt) * 1000;
    if (session.longestGap > 0) this.#gapLongest.record(session.longestGap);
  }

  /** The measuring thread spent `ms` at once on per-second work (interval, summary, files). */
  noteSelfTime(ms: number): void {
    if (ms > this.selfMaxMs) this.selfMaxMs = ms;
  }

  /** The run tells its sessions to stop: those still running are cut off (their requests in flight uncounted). */
  markCutOff(): void {
    this.sessionsCutOff += this.activeSessions;
  }

  /** Bot-time so far in microseconds: every session's run time, those still running included. */
  botMicros(now = performance.now()): number {
    let micros = this.#botMicrosEnded;
    // Threaded runs track sessions in the workers; the main thread's own active count is theirs summed.
    if (this.#threadBotMicros.size === 0) micros += (this.activeSessions * now - this.#activeStartSum) * 1000;
    for (const m of this.#threadBotMicros.values()) micros += m;
    return micros;
  }

  /** Server response gaps over the run so far, or undefined when the scenario reported none. */
  gapSummary(): GapSummary | undefined {
    const all = this.#gapAll.total;
    if (all.totalCount === 0) return undefined;
    const threshold = this.gapThresholdMs * 1000;
    const bot = this.botMicros();
    const { excess } = excessOver(all, threshold);
    return {
      thresholdMs: this.gapThresholdMs,
      all: latencyStats(all),
      byKind: Object.fromEntries(
        [...this.#gaps].sort(([a], [b]) => compareNames(a, b)).map(([k, v]) => [k, latencyStats(v.total)]),
      ),
      longestPerBot: latencyStats(this.#gapLongest.total),
      overThreshold: this.gapsOver,
      shareOverThreshold: bot > 0 ? Math.min(1, excess / bot) : 0,
      botSeconds: Math.round(bot / 1e4) / 100,
    };
  }

  sessionDropped(): void {
    this.droppedSessions++;
  }

  #sampleConnections(): void {
    for (const t of this.#tracked) {
      const c = t.connection;
      this.bytesIn += c.bytesIn - t.bytesIn;
      this.bytesOut += c.bytesOut - t.bytesOut;
      this.messagesIn += c.framesIn - t.framesIn;
      this.messagesOut += c.framesOut - t.framesOut;
      t.bytesIn = c.bytesIn;
      t.bytesOut = c.bytesOut;
      t.framesIn = c.framesIn;
      t.framesOut = c.framesOut;
      // A closed connection's counters no longer move: this was its last sample.
      if (c.closed) this.#tracked.delete(t);
    }
  }

  /** Closes the current interval. */
  tick(now = performance.now()): TimePoint {
    return this.#close(now, false).point;
  }

  /**
   * `tick`, and what it closed as a ThreadInterval for a recorder on another thread that keeps the same run (the
   * progress writer, `--out`). The second's samples leave as copies of the used buckets taken just before they
   * are folded into the totals: the sessions record here, with no recorder of their own handing its interval
   * over every second (a copy out of it, a fold into this one, then a clone of the copy for the writer, all on
   * the thread reading the replies).
   */
  tickHandingOver(now = performance.now()): { point: TimePoint; interval: ThreadInterval } {
    const { point, interval } = this.#close(now, true);
    return { point, interval: interval! };
  }

  /**
   * Closes the current interval with the point the measuring thread computed for it (the progress writer, after
   * absorbing that second's intervals): its time series is then the run's own, row for row.
   */
  tickAs(point: TimePoint): void {
    for (const trend of this.#trends.values()) trend.fold();
    this.#gapAll.flush();
    for (const series of this.#gaps.values()) series.flush();
    this.#gapLongest.flush();
    this.#intervalCounters.clear();
    this.#intervalErrors = 0;
    this.#intervalGapsOver = 0;
    this.#threadIntervalLagP99Ms = 0;
    this.#threadIntervalLagMaxMs = 0;
    // The point's memory is the measuring process's (MB to 0.1, as the summary rounds it).
    this.maxRss = Math.max(this.maxRss, point.rssMB * 1048576);
    this.maxHeapUsed = Math.max(this.maxHeapUsed, point.heapUsedMB * 1048576);
    this.points.push(point);
  }

  #close(now: number, handOver: boolean): { point: TimePoint; interval?: ThreadInterval } {
    this.#sampleConnections();
    let handed: { latency: Record<string, IntervalTrend>; gaps: Record<string, RawHistogram> } | undefined;
    let handedLongest: RawHistogram | undefined;
    if (handOver) {
      handed = { latency: {}, gaps: {} };
      for (const [name, trend] of this.#trends) {
        const raw = trend.raw();
        if (raw) handed.latency[name] = raw;
      }
      for (const [kind, series] of this.#gaps) {
        const raw = series.raw();
        if (raw) handed.gaps[kind] = raw;
      }
      handedLongest = this.#gapLongest.raw();
    }
    const seconds = Math.max(0.001, (now - this.#lastTick) / 1000);
    const latency: Record<string, IntervalLatency> = {};
    for (const [name, trend] of this.#trends) latency[name] = trend.flush();
    const gapInterval = this.#gapAll.interval;
    const gaps = {
      count: gapInterval.totalCount,
      maxMs: Math.round(gapInterval.maxValue / 10) / 100,
      over: this.#intervalGapsOver,
    };
    this.#intervalGapsOver = 0;
    this.#gapAll.flush();
    for (const series of this.#gaps.values()) series.flush();
    this.#gapLongest.flush();
    const counters: Record<string, number> = {};
    for (const [name, n] of this.#intervalCounters) counters[name] = n;
    this.#intervalCounters.clear();
    const cpu = process.cpuUsage(this.#lastCpu);
    this.#lastCpu = process.cpuUsage();
    const memory = process.memoryUsage();
    this.maxRss = Math.max(this.maxRss, memory.rss);
    this.maxHeapUsed = Math.max(this.maxHeapUsed, memory.heapUsed);
    const lag = this.#lagInterval;
    const point: TimePoint = {
      t: Math.round((now - this.startedAt) / 10) / 100,
      seconds: Math.round(seconds * 1000) / 1000,
      activeSessions: this.activeSessions,
      sessionsStarted: this.sessionsStarted - this.#lastStarted,
      sessionsCompleted: this.sessionsCompleted - this.#lastCompleted,
      droppedSessions: this.droppedSessions - this.#lastDropped,
      messagesInPerSec: Math.round((this.messagesIn - this.#lastMessagesIn) / seconds),
      messagesOutPerSec: Math.round((this.messagesOut - this.#lastMessagesOut) / seconds),
      bytesInPerSec: Math.round((this.bytesIn - this.#lastBytesIn) / seconds),
      bytesOutPerSec: Math.round((this.bytesOut - this.#lastBytesOut) / seconds),
      errors: this.#intervalErrors,
      latency,
      counters,
      gaps,
      // Threaded runs: the worst thread's lag (the main thread's included).
      eventLoopLagP99Ms: Math.max(lag.count ? lagMs(lag.percentile(99)) : 0, this.#threadIntervalLagP99Ms),
      eventLoopLagMaxMs: Math.max(lag.count ? lagMs(lag.max) : 0, this.#threadIntervalLagMaxMs),
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 1000) / 10,
      rssMB: Math.round(memory.rss / 104857.6) / 10,
      heapUsedMB: Math.round(memory.heapUsed / 104857.6) / 10,
    };
    const interval = handed && {
      ...this.#handOver(handed.latency, counters, handed.gaps, handedLongest),
      maxActive: this.maxActiveSessions,
    };
    lag.reset();
    this.#threadIntervalLagP99Ms = 0;
    this.#threadIntervalLagMaxMs = 0;
    this.#intervalErrors = 0;
    this.#lastTick = now;
    this.#lastStarted = this.sessionsStarted;
    this.#lastCompleted = this.sessionsCompleted;
    this.#lastDropped = this.droppedSessions;
    this.#lastBytesIn = this.bytesIn;
    this.#lastBytesOut = this.bytesOut;
    this.#lastMessagesIn = this.messagesIn;
    this.#lastMessagesOut = this.messagesOut;
    this.points.push(point);
    return interval ? { point, interval } : { point };
  }

  /** Freezes the run's duration (rates divide by it) and stops the event-loop monitors. */
  end(now = performance.now()): void {
    if (this.#endedAt !== undefined) return;
    this.#endedAt = now;
    this.#lagInterval.disable();
    this.#lagTotal.disable();
  }

  get elapsedSeconds(): number {
    return ((this.#endedAt ?? performance.now()) - this.startedAt) / 1000;
  }

  /** Bytes of histogram buckets this recorder holds (latency metrics and gap series; a diagnostic for tests). */
  histogramBytes(): number {
    const histograms: Histogram[] = [this.#gapAll.total, this.#gapAll.interval];
    histograms.push(this.#gapLongest.total, this.#gapLongest.interval);
    for (const g of this.#gaps.values()) histograms.push(g.total, g.interval);
    for (const t of this.#trends.values()) {
      histograms.push(t.total, t.interval);
      if (t.totalUncorrected !== t.total) histograms.push(t.totalUncorrected, t.intervalUncorrected);
    }
    let bytes = 0;
    for (const h of histograms) bytes += (h as unknown as Writable)._counts.byteLength;
    return bytes;
  }

  latencyNames(): string[] {
    return [...this.#trends.keys()].sort();
  }

  /** Run totals so far (up to the last tick), corrected and uncorrected. */
  latencySummary(
    name: string,
  ): { corrected: LatencyStats; uncorrected: LatencyStats; scheduled: boolean; timing: MetricTiming } | undefined {
    const trend = this.#trends.get(name);
    if (!trend) return undefined;
    const timing = trend.timing;
    const corrected = latencyStats(trend.total);
    return {
      corrected,
      // Only a scheduled metric has two different views: the other one is not scanned twice.
      uncorrected: timing === 'scheduled' ? latencyStats(trend.totalUncorrected) : corrected,
      scheduled: timing === 'scheduled',
      timing,
    };
  }

  /** A copy of a metric's run total so far (up to the last tick), as plain data; see `windowPercentile`. */
  latencyTotalRaw(name: string): RawHistogram | undefined {
    const h = this.#trends.get(name)?.total;
    if (!h || h.totalCount === 0) return undefined;
    const w = h as unknown as Writable;
    return { counts: w._counts.slice(0, usedBuckets(h)), total: h.totalCount, min: h.minNonZeroValue, max: h.maxValue };
  }

  /** The percentile curve of a metric, for the report: [percentile, micros] pairs. */
  percentileCurve(name: string, uncorrected = false): [number, number][] {
    const trend = this.#trends.get(name);
    if (!trend) return [];
    const h = uncorrected ? trend.totalUncorrected : trend.total;
    if (h.totalCount === 0) return [];
    const out: [number, number][] = [];
    // Evenly spaced on a log scale of 1/(1-p): 0, 90, 99, 99.9... each decade gets the same width.
    for (let i = 0; i <= 50; i++) {
      const p = 100 * (1 - 10 ** (-i / 10));
      out.push([Math.round(p * 10000) / 10000, valueAt(h, p)]);
    }
    out.push([100, h.maxValue]);
    return out;
  }

  counters(): Record<string, number> {
    return Object.fromEntries([...this.#counters].sort(([a], [b]) => compareNames(a, b)));
  }

  errors(): Record<string, number> {
    return Object.fromEntries([...this.#errors].sort(([a], [b]) => compareNames(a, b)));
  }

  get errorTotal(): number {
    let n = 0;
    for (const v of this.#errors.values()) n += v;
    return n;
  }

  /** Completed operations (`connect`, `handshake` and every `*_rtt` round trip): the denominator of error_rate. */
  get operations(): number {
    let n = 0;
    for (const [name, t] of this.#trends) {
      if (name === 'connect' || name === 'handshake' || name.endsWith('_rtt')) n += t.total.totalCount;
    }
    return n;
  }

  /** Errors per attempted operation: errors / (round trips measured + errors). */
  get errorRate(): number {
    const errors = this.errorTotal;
    return errors === 0 ? 0 : errors / (this.operations + errors);
  }

  /** The run's event-loop lag; in a threaded run each figure is the worst thread's. */
  eventLoopLag(): { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number } {
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const lags = this.#lagViews();
    if (lags.length === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0 };
    const worst = (f: (l: ThreadLag) => number) => ms(Math.max(...lags.map(f)));
    return {
      p50Ms: worst((l) => percentileOf(l, 50)),
      p99Ms: worst((l) => percentileOf(l, 99)),
      maxMs: worst((l) => l.max),
      meanMs: worst((l) => l.mean),
    };
  }

  /** The main thread's lag and every worker thread's, each with samples. */
  #lagViews(): ThreadLag[] {
    const views = [...this.#threadLag.values()].filter((l) => l.count > 0);
    if (this.#lagTotal.count) views.push(lagOf(this.#lagTotal));
    return views;
  }

  /**
   * A worker thread's side of the recorder: everything measured since the last call, to be sent to the main
   * thread (structured clone) and merged there with `absorb`. Histograms travel as copies of their used buckets;
   * an unscheduled metric's uncorrected view is its corrected one, so it is not sent twice.
   */
  takeInterval(): ThreadInterval {
    this.#sampleConnections();
    const latency: Record<string, IntervalTrend> = {};
    for (const [name, trend] of this.#trends) {
      const raw = trend.raw();
      if (!raw) continue;
      latency[name] = raw;
      trend.clearInterval();
    }
    const counters = Object.fromEntries(this.#intervalCounters);
    this.#intervalCounters.clear();
    const gaps = Object.fromEntries(
      [...this.#gaps].flatMap(([kind, series]) => {
        const raw = series.take();
        return raw ? [[kind, raw]] : [];
      }),
    );
    const out = this.#handOver(latency, counters, gaps, this.#gapLongest.take());
    // The per-kind series went out whole: the all-kinds series is rebuilt from them in the main thread.
    clearHistogram(this.#gapAll.interval);
    this.#lagInterval.reset();
    this.#intervalErrors = 0;
    return out;
  }

  /**
   * The interval's figures besides its histograms and counters (taken by the caller): deltas since the last
   * hand-over, this interval's lag, and the run's lag so far. Marks them sent.
   */
  #handOver(
    latency: Record<string, IntervalTrend>,
    counters: Record<string, number>,
    gaps: Record<string, RawHistogram>,
    gapLongest: RawHistogram | undefined,
  ): ThreadInterval {
    const errors: Record<string, number> = {};
    for (const [kind, n] of this.#errors) {
      const d = n - (this.#errorsSent.get(kind) ?? 0);
      if (d > 0) errors[kind] = d;
      this.#errorsSent.set(kind, n);
    }
    const lag = this.#lagInterval;
    const sent = this.#sent;
    const out: ThreadInterval = {
      latency,
      counters,
      errors,
      started: this.sessionsStarted - sent.started,
      completed: this.sessionsCompleted - sent.completed,
      errored: this.sessionsErrored - sent.errored,
      dropped: this.droppedSessions - sent.dropped,
      active: this.activeSessions,
      bytesIn: this.bytesIn - sent.bytesIn,
      bytesOut: this.bytesOut - sent.bytesOut,
      messagesIn: this.messagesIn - sent.msgIn,
      messagesOut: this.messagesOut - sent.msgOut,
      connections: this.connectionsTracked - sent.conns,
      lagP99Ms: lag.count ? lagMs(lag.percentile(99)) : 0,
      lagMaxMs: lag.count ? lagMs(lag.max) : 0,
      lag: lagOf(this.#lagTotal),
      gaps,
      ...(gapLongest ? { gapLongest } : {}),
      gapsOver: this.gapsOver - this.#gapsOverSent,
      botMicros: this.botMicros(),
      cutOff: this.sessionsCutOff - this.#cutOffSent,
      selfMaxMs: this.selfMaxMs,
    };
    this.#gapsOverSent = this.gapsOver;
    this.#cutOffSent = this.sessionsCutOff;
    this.#sent = {
      started: this.sessionsStarted,
      completed: this.sessionsCompleted,
      errored: this.sessionsErrored,
      dropped: this.droppedSessions,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      msgIn: this.messagesIn,
      msgOut: this.messagesOut,
      conns: this.connectionsTracked,
    };
    return out;
  }

  /**
   * Merges a worker thread's interval into this (the main thread's) recorder: samples go into the current
   * interval histograms, so `tick()`, the totals, thresholds and reports see one run whatever the thread count.
   */
  absorb(thread: number, i: ThreadInterval): void {
    for (const [kind, raw] of Object.entries(i.gaps)) {
      let series = this.#gaps.get(kind);
      if (!series) {
        series = new Series();
        this.#gaps.set(kind, series);
      }
      series.absorb(raw);
      this.#gapAll.absorb(raw);
    }
    this.#gapLongest.absorb(i.gapLongest);
    this.gapsOver += i.gapsOver;
    this.#intervalGapsOver += i.gapsOver;
    this.#threadBotMicros.set(thread, i.botMicros);
    this.sessionsCutOff += i.cutOff;
    this.noteSelfTime(i.selfMaxMs);
    for (const [name, t] of Object.entries(i.latency)) {
      this.#trend(name).absorb(t);
    }
    for (const [name, n] of Object.entries(i.counters)) this.count(name, n);
    for (const [kind, n] of Object.entries(i.errors)) {
      this.#errors.set(kind, (this.#errors.get(kind) ?? 0) + n);
      this.#intervalErrors += n;
    }
    this.sessionsStarted += i.started;
    this.sessionsCompleted += i.completed;
    this.sessionsErrored += i.errored;
    this.droppedSessions += i.dropped;
    this.bytesIn += i.bytesIn;
    this.bytesOut += i.bytesOut;
    this.messagesIn += i.messagesIn;
    this.messagesOut += i.messagesOut;
    this.connectionsTracked += i.connections;
    this.#threadActive.set(thread, i.active);
    this.#recountActive();
    if (i.maxActive !== undefined && i.maxActive > this.maxActiveSessions) this.maxActiveSessions = i.maxActive;
    this.#threadIntervalLagP99Ms = Math.max(this.#threadIntervalLagP99Ms, i.lagP99Ms);
    this.#threadIntervalLagMaxMs = Math.max(this.#threadIntervalLagMaxMs, i.lagMaxMs);
    this.#threadLag.set(thread, i.lag);
  }

  /** A worker thread is gone: its sessions no longer run (they are counted ended, with an error). */
  threadLost(thread: number): void {
    const lost = this.#threadActive.get(thread) ?? 0;
    this.sessionsCompleted += lost;
    this.sessionsErrored += lost;
    this.#threadActive.set(thread, 0);
    this.#recountActive();
  }

  /** A worker thread's sessions in flight at its last report. */
  activeIn(thread: number): number {
    return this.#threadActive.get(thread) ?? 0;
  }

  /** Threaded: sessions in flight are the sum of every thread's last report (sampled, so maxActive is too). */
  #recountActive(): void {
    let n = 0;
    for (const a of this.#threadActive.values()) n += a;
    this.activeSessions = n;
    if (n > this.maxActiveSessions) this.maxActiveSessions = n;
  }

  /** Average generator CPU over the run, percent of one core. */
  cpuPercent(): number {
    const cpu = process.cpuUsage(this.cpuStart);
    const ms = this.elapsedSeconds * 1000;
    return ms > 0 ? Math.round(((cpu.user + cpu.system) / 1000 / ms) * 1000) / 10 : 0;
  }

  /** The view thresholds are evaluated against. */
  lookup(): MetricLookup {
    const builtinCounters: Record<string, () => number> = {
      errors: () => this.errorTotal,
      sessions: () => this.sessionsStarted,
      sessions_completed: () => this.sessionsCompleted,
      sessions_errored: () => this.sessionsErrored,
      dropped_sessions: () => this.droppedSessions,
      sessions_cut_off: () => this.sessionsCutOff,
      server_gaps_over: () => this.gapsOver,
      messages_in: () => this.messagesIn,
      messages_out: () => this.messagesOut,
      messages: () => this.messagesIn + this.messagesOut,
      bytes_in: () => this.bytesIn,
      bytes_out: () => this.bytesOut,
    };
    const ratios: Record<string, () => number> = {
      error_rate: () => this.errorRate,
      session_error_rate: () => (this.sessionsCompleted ? this.sessionsErrored / this.sessionsCompleted : 0),
      server_gap_share: () => this.gapSummary()?.shareOverThreshold ?? 0,
    };
    const gapTrend = (name: string): Histogram | undefined => {
      if (name === 'server_gap') return this.#gapAll.total;
      if (name === 'server_gap_longest') return this.#gapLongest.total;
      if (name.startsWith('server_gap.')) return this.#gaps.get(name.slice('server_gap.'.length))?.total;
      return undefined;
    };
    const lagView = (): TrendStats => {
      const us = (ns: number) => ns / 1000;
      if (this.#threadLag.size === 0) {
        const h = this.#lagTotal;
        return {
          count: h.count,
          min: us(netLag(h.min)),
          max: us(netLag(h.max)),
          mean: us(netLag(h.mean)),
          percentile: (p) => us(netLag(h.percentile(Math.max(p, 0.0001)))),
        };
      }
      // Threaded: the worst thread at every figure.
      const views = this.#lagViews();
      const worst = (f: (l: ThreadLag) => number) => (views.length ? us(Math.max(...views.map(f))) : 0);
      return {
        count: views.reduce((n, l) => n + l.count, 0),
        min: worst((l) => l.min),
        max: worst((l) => l.max),
        mean: worst((l) => l.mean),
        percentile: (p) => worst((l) => percentileOf(l, p)),
      };
    };
    return {
      durationSeconds: this.elapsedSeconds,
      trend: (name) => {
        if (name === 'event_loop_lag') return lagView();
        const gaps = gapTrend(name);
        if (gaps) return gaps.totalCount ? trendView(gaps) : undefined;
        if (name.endsWith('_uncorrected')) {
          const trend = this.#trends.get(name.slice(0, -'_uncorrected'.length));
          return trend ? trendView(trend.totalUncorrected) : undefined;
        }
        const trend = this.#trends.get(name);
        return trend ? trendView(trend.total) : undefined;
      },
      counter: (name) => {
        const builtin = builtinCounters[name];
        if (builtin) return builtin();
        if (name.startsWith('errors.')) return this.#errors.get(name.slice('errors.'.length)) ?? 0;
        return this.#counters.get(name);
      },
      ratio: (name) => ratios[name]?.(),
      names: () => [
        ...this.latencyNames(),
        'event_loop_lag',
        ...(this.#gapAll.total.totalCount
          ? ['server_gap', 'server_gap_longest', ...[...this.#gaps.keys()].map((k) => `server_gap.${k}`)]
          : []),
        ...this.#counters.keys(),
        ...Object.keys(builtinCounters),
        ...[...this.#errors.keys()].map((k) => `errors.${k}`),
        ...Object.keys(ratios),
      ],
    };
  }
}
