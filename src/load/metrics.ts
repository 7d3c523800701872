import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import type { Connection } from '../net/connection.ts';
import type { MetricLookup, TrendStats } from './thresholds.ts';
import type { LoadMetrics } from './types.ts';

type Histogram = hdr.Histogram;

/** Microseconds from 1 µs to one hour at 3 significant digits; larger values grow the histogram. */
function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/** One latency metric's interval as it crosses threads: HDR histograms, compressed and base64-encoded. */
export interface EncodedTrend {
  readonly corrected: string;
  /** Absent when it equals the corrected view (an unscheduled metric). */
  readonly uncorrected?: string;
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
  readonly latency: Readonly<Record<string, EncodedTrend>>;
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
}

const LAG_PERCENTILES = [1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100] as const;

function lagOf(h: IntervalHistogram): ThreadLag {
  if (!h.count) return { count: 0, min: 0, max: 0, mean: 0, percentiles: [] };
  return {
    count: h.count,
    min: h.min,
    max: h.max,
    mean: h.mean,
    percentiles: LAG_PERCENTILES.map((p) => [p, h.percentile(p)] as const),
  };
}

/** The lag at `p`: the first kept percentile at or above it (never under-reports). */
function percentileOf(l: ThreadLag, p: number): number {
  for (const [q, ns] of l.percentiles) if (q >= p) return ns;
  return l.max;
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
  readonly eventLoopLagP99Ms: number;
  readonly eventLoopLagMaxMs: number;
  /** Generator CPU, percent of one core. */
  readonly cpuPercent: number;
  readonly rssMB: number;
  readonly heapUsedMB: number;
}

class Trend {
  readonly total = newHistogram();
  readonly totalUncorrected = newHistogram();
  readonly interval = newHistogram();
  readonly intervalUncorrected = newHistogram();
  /** True once a sample differed between the views, i.e. the scenario sends on a schedule. */
  scheduled = false;

  record(micros: number, uncorrected: number) {
    this.interval.recordValue(Math.max(0, Math.round(micros)));
    this.intervalUncorrected.recordValue(Math.max(0, Math.round(uncorrected)));
    if (uncorrected !== micros) this.scheduled = true;
  }

  flush(): IntervalLatency {
    const point = {
      count: this.interval.totalCount,
      p50: this.interval.getValueAtPercentile(50),
      p99: this.interval.getValueAtPercentile(99),
      max: this.interval.maxValue,
      p99Uncorrected: this.intervalUncorrected.getValueAtPercentile(99),
    };
    this.total.add(this.interval);
    this.totalUncorrected.add(this.intervalUncorrected);
    this.interval.reset();
    this.intervalUncorrected.reset();
    return point;
  }
}

export function latencyStats(h: Histogram): LatencyStats {
  const count = h.totalCount;
  return {
    count,
    min: count ? h.minNonZeroValue : 0,
    mean: count ? Math.round(h.mean * 10) / 10 : 0,
    max: count ? h.maxValue : 0,
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p95: h.getValueAtPercentile(95),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
  };
}

function trendView(h: Histogram): TrendStats {
  return {
    count: h.totalCount,
    min: h.totalCount ? h.minNonZeroValue : 0,
    max: h.maxValue,
    mean: h.mean,
    percentile: (p) => h.getValueAtPercentile(p),
  };
}

interface Tracked {
  readonly connection: Connection;
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
}

/** A session's view of the recorder: the same metrics, and a flag set by its first error. */
export interface SessionMetrics extends LoadMetrics {
  readonly errored: boolean;
}

/**
 * Everything a run measures. Samples go into per-second interval histograms; `tick()` closes an interval,
 * folds it into the run totals and returns the point for the time series. One recorder per thread: with worker
 * threads each worker records its own sessions and the main thread's recorder `absorb`s their intervals.
 */
export class LoadRecorder implements LoadMetrics {
  readonly startedAt = performance.now();
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

  #lastTick = this.startedAt;
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

  constructor() {
    this.#lagInterval = monitorEventLoopDelay({ resolution: 10 });
    this.#lagTotal = monitorEventLoopDelay({ resolution: 10 });
    this.#lagInterval.enable();
    this.#lagTotal.enable();
  }

  latency(metric: string, micros: number, uncorrectedMicros?: number): void {
    let trend = this.#trends.get(metric);
    if (!trend) {
      trend = new Trend();
      this.#trends.set(metric, trend);
    }
    trend.record(micros, uncorrectedMicros ?? micros);
  }

  count(counter: string, n = 1): void {
    this.#counters.set(counter, (this.#counters.get(counter) ?? 0) + n);
    this.#intervalCounters.set(counter, (this.#intervalCounters.get(counter) ?? 0) + n);
  }

  error(kind: string): void {
    this.#errors.set(kind, (this.#errors.get(kind) ?? 0) + 1);
    this.#intervalErrors++;
  }

  /** Minimal until the metrics branch lands its own: every wait for the server goes to one histogram. */
  gap(_kind: string, micros: number): void {
    this.latency('server_gap', micros);
  }

  track(connection: Connection): void {
    this.connectionsTracked++;
    this.#tracked.add({ connection, bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0 });
  }

  /** A per-session view that remembers whether this session hit an error. */
  session(): SessionMetrics {
    let errored = false;
    return {
      latency: (m, micros, u) => this.latency(m, micros, u),
      count: (c, n) => this.count(c, n),
      error: (kind) => {
        errored = true;
        this.error(kind);
      },
      track: (c) => this.track(c),
      gap: (k, micros) => this.gap(k, micros),
      get errored() {
        return errored;
      },
    };
  }

  sessionStarted(): void {
    this.sessionsStarted++;
    this.activeSessions++;
    if (this.activeSessions > this.maxActiveSessions) this.maxActiveSessions = this.activeSessions;
  }

  sessionEnded(errored: boolean): void {
    this.activeSessions--;
    this.sessionsCompleted++;
    if (errored) this.sessionsErrored++;
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
    this.#sampleConnections();
    const seconds = Math.max(0.001, (now - this.#lastTick) / 1000);
    const latency: Record<string, IntervalLatency> = {};
    for (const [name, trend] of this.#trends) latency[name] = trend.flush();
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
      // Threaded runs: the worst thread's lag (the main thread's included).
      eventLoopLagP99Ms: Math.max(
        lag.count ? Math.round(lag.percentile(99) / 1e4) / 100 : 0,
        this.#threadIntervalLagP99Ms,
      ),
      eventLoopLagMaxMs: Math.max(lag.count ? Math.round(lag.max / 1e4) / 100 : 0, this.#threadIntervalLagMaxMs),
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 1000) / 10,
      rssMB: Math.round(memory.rss / 104857.6) / 10,
      heapUsedMB: Math.round(memory.heapUsed / 104857.6) / 10,
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
    return point;
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

  latencyNames(): string[] {
    return [...this.#trends.keys()].sort();
  }

  /** Run totals so far (up to the last tick), corrected and uncorrected. */
  latencySummary(name: string): { corrected: LatencyStats; uncorrected: LatencyStats; scheduled: boolean } | undefined {
    const trend = this.#trends.get(name);
    if (!trend) return undefined;
    return {
      corrected: latencyStats(trend.total),
      uncorrected: latencyStats(trend.totalUncorrected),
      scheduled: trend.scheduled,
    };
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
      out.push([Math.round(p * 10000) / 10000, h.getValueAtPercentile(p)]);
    }
    out.push([100, h.maxValue]);
    return out;
  }

  counters(): Record<string, number> {
    return Object.fromEntries([...this.#counters].sort(([a], [b]) => a.localeCompare(b)));
  }

  errors(): Record<string, number> {
    return Object.fromEntries([...this.#errors].sort(([a], [b]) => a.localeCompare(b)));
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
   * thread (structured clone) and merged there with `absorb`. Histograms travel HDR-encoded; an unscheduled
   * metric's uncorrected view is its corrected one, so it is not sent twice.
   */
  takeInterval(): ThreadInterval {
    this.#sampleConnections();
    const latency: Record<string, EncodedTrend> = {};
    for (const [name, trend] of this.#trends) {
      if (trend.interval.totalCount === 0) continue;
      const same = !trend.scheduled;
      latency[name] = {
        corrected: hdr.encodeIntoCompressedBase64(trend.interval),
        ...(same ? {} : { uncorrected: hdr.encodeIntoCompressedBase64(trend.intervalUncorrected) }),
        scheduled: trend.scheduled,
      };
      trend.interval.reset();
      trend.intervalUncorrected.reset();
    }
    const counters = Object.fromEntries(this.#intervalCounters);
    this.#intervalCounters.clear();
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
      lagP99Ms: lag.count ? Math.round(lag.percentile(99) / 1e4) / 100 : 0,
      lagMaxMs: lag.count ? Math.round(lag.max / 1e4) / 100 : 0,
      lag: lagOf(this.#lagTotal),
    };
    lag.reset();
    this.#intervalErrors = 0;
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
    for (const [name, t] of Object.entries(i.latency)) {
      let trend = this.#trends.get(name);
      if (!trend) {
        trend = new Trend();
        this.#trends.set(name, trend);
      }
      const corrected = hdr.decodeFromCompressedBase64(t.corrected);
      trend.interval.add(corrected);
      trend.intervalUncorrected.add(t.uncorrected ? hdr.decodeFromCompressedBase64(t.uncorrected) : corrected);
      if (t.scheduled) trend.scheduled = true;
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
      messages_in: () => this.messagesIn,
      messages_out: () => this.messagesOut,
      messages: () => this.messagesIn + this.messagesOut,
      bytes_in: () => this.bytesIn,
      bytes_out: () => this.bytesOut,
    };
    const ratios: Record<string, () => number> = {
      error_rate: () => this.errorRate,
      session_error_rate: () => (this.sessionsCompleted ? this.sessionsErrored / this.sessionsCompleted : 0),
    };
    const lagView = (): TrendStats => {
      const us = (ns: number) => ns / 1000;
      if (this.#threadLag.size === 0) {
        const h = this.#lagTotal;
        return {
          count: h.count,
          min: us(h.min),
          max: us(h.max),
          mean: us(h.mean),
          percentile: (p) => us(h.percentile(Math.max(p, 0.0001))),
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
        ...this.#counters.keys(),
        ...Object.keys(builtinCounters),
        ...[...this.#errors.keys()].map((k) => `errors.${k}`),
        ...Object.keys(ratios),
      ],
    };
  }
}
