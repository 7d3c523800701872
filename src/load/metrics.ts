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
 * folds it into the run totals and returns the point for the time series. Single-threaded: all sessions run on
 * this process's event loop.
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
      eventLoopLagP99Ms: lag.count ? Math.round(lag.percentile(99) / 1e4) / 100 : 0,
      eventLoopLagMaxMs: lag.count ? Math.round(lag.max / 1e4) / 100 : 0,
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 1000) / 10,
      rssMB: Math.round(memory.rss / 104857.6) / 10,
      heapUsedMB: Math.round(memory.heapUsed / 104857.6) / 10,
    };
    lag.reset();
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

  eventLoopLag(): { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number } {
    const h = this.#lagTotal;
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    return h.count
      ? { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), meanMs: ms(h.mean) }
      : { p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0 };
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
      const h = this.#lagTotal;
      const us = (ns: number) => ns / 1000;
      return {
        count: h.count,
        min: us(h.min),
        max: us(h.max),
        mean: us(h.mean),
        percentile: (p) => us(h.percentile(Math.max(p, 0.0001))),
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
