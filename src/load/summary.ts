import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { appendFile, rename, writeFile } from 'node:fs/promises';
import type { GapSummary, LatencyStats, LoadRecorder, MetricTiming, TimePoint } from './metrics.ts';
import type { ThresholdResult } from './thresholds.ts';

export const SUMMARY_FORMAT = 'botswarm-loadtest/1';

export type RunStatus = 'running' | 'completed' | 'interrupted' | 'failed';

export interface RunDescription {
  readonly scenario: string;
  readonly protocol: string;
  readonly target: string;
  readonly embedded: boolean;
  /** e.g. `closed: 0 → 10 bots over 5s, 10 bots for 20s` */
  readonly workload: string;
  readonly durationSeconds: number;
  readonly thinkTimeMs: number;
  readonly requestTimeoutMs: number;
  readonly seed: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** Worker threads that ran the sessions; absent for one (every session on the main thread). */
  readonly threads?: number;
}

export interface LatencySummary {
  /** All values in microseconds. */
  readonly corrected: LatencyStats;
  readonly uncorrected: LatencyStats;
  /**
   * `scheduled`: sent on a schedule the server cannot move, corrected from the intended send time (wrk2-style);
   * `reactive`: sent in answer to the server, so a stall moves the send too (see `gaps`); `unscheduled`: no
   * schedule. Docs: docs/loadtest.md, "Coordinated omission".
   */
  readonly timing: MetricTiming;
  /** True only for `scheduled` metrics: then the two views may differ. */
  readonly coordinatedOmissionCorrected: boolean;
}

export interface LoadSummary {
  readonly format: typeof SUMMARY_FORMAT;
  readonly status: RunStatus;
  readonly failure?: string;
  readonly run: RunDescription;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly elapsedSeconds: number;
  readonly sessions: {
    readonly started: number;
    readonly completed: number;
    readonly errored: number;
    readonly active: number;
    readonly maxActive: number;
    readonly dropped: number;
  };
  /**
   * What was still in flight when the run told its sessions to stop (after any `--graceful-stop`): sessions cut
   * off, and requests sent without their reply counted, where the scenario can tell (`in_flight_at_end` counter).
   * With a long enough graceful stop both are 0 and every counter can match the server's.
   */
  readonly inFlightAtEnd: { readonly sessions: number; readonly requests: number };
  /** Server response gaps (reactive protocols): absent when the scenario reported none. */
  readonly gaps?: GapSummary;
  readonly latency: Readonly<Record<string, LatencySummary>>;
  readonly counters: Readonly<Record<string, number>>;
  /** Counters per second of run time. */
  readonly rates: Readonly<Record<string, number>>;
  readonly errors: { readonly total: number; readonly rate: number; readonly byKind: Readonly<Record<string, number>> };
  readonly throughput: {
    readonly connections: number;
    readonly messagesIn: number;
    readonly messagesOut: number;
    readonly bytesIn: number;
    readonly bytesOut: number;
    readonly messagesInPerSec: number;
    readonly messagesOutPerSec: number;
    readonly bytesInPerSec: number;
    readonly bytesOutPerSec: number;
  };
  /** The load generator's own health: a saturated generator measures itself, not the server. */
  readonly generator: {
    readonly cpuPercent: number;
    readonly eventLoopLag: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
    readonly maxRssMB: number;
    readonly maxHeapUsedMB: number;
    /** The longest the measuring thread spent at once on its per-second work (interval, summary, files), ms. */
    readonly selfMaxMs: number;
    readonly saturated: boolean;
    /** Why it is saturated: each reason is a delay of the generator's own large enough to move a figure. */
    readonly saturation: readonly string[];
  };
  /** The embedded server's own counters, when the run started one. */
  readonly server?: Readonly<Record<string, number>>;
  /** Load agents on other hosts (`--agents`): each one's clock, health and end. */
  readonly agents?: readonly AgentReport[];
  readonly thresholds: readonly ThresholdResult[];
  readonly thresholdsOk: boolean;
}

/** One load agent of a run over several hosts (`botswarm loadtest --agents`, src/distributed). */
export interface AgentReport {
  readonly name: string;
  readonly host: string;
  readonly botswarm: string;
  /** Its worker threads: the run's threads `firstThread`..`firstThread + threads - 1`. */
  readonly threads: number;
  readonly firstThread: number;
  /** Its clock minus the coordinator's, ms (NTP-style, from the ping with the shortest round trip). */
  readonly clockOffsetMs: number;
  /** That ping's round trip through Redis, ms: the offset is known to within half of it. */
  readonly clockRttMs: number;
  /** Process CPU over the run (all its threads), percent of one core; and the busiest second. */
  readonly cpuPercent: number;
  readonly cpuMaxPercent: number;
  readonly cores: number;
  readonly maxRssMB: number;
  /** Worst of its threads' event-loop lag p99 in any second, and their own per-second work. */
  readonly lagP99Ms: number;
  readonly selfMaxMs: number;
  readonly saturated: boolean;
  readonly saturation: readonly string[];
  /** `ok`; `lost` (no heartbeat for the bound: its last second's figures are missing); `failed` (a thread died). */
  readonly state: 'ok' | 'lost' | 'failed';
  readonly problem?: string;
}

const mb = (bytes: number) => Math.round(bytes / 104857.6) / 10;
const perSec = (n: number, s: number) => (s > 0 ? Math.round((n / s) * 10) / 10 : 0);

/**
 * Why the generator's own delays may have moved a reported figure (empty: they did not). A reply that arrives
 * while the event loop is busy is read late by that much: at a net lag p99 of 1 ms or more the busiest 1% of the
 * run adds a millisecond to the samples in it, which moves a p99; a per-second report that blocks the thread for
 * a millisecond does the same to the replies behind it; and a generator near a full core queues everything.
 */
export function saturationReasons(lagP99Ms: number, selfMaxMs: number, cpuPercentPerThread: number): string[] {
  const reasons: string[] = [];
  if (lagP99Ms >= 1) {
    reasons.push(`event-loop lag p99 ${lagP99Ms} ms: replies were read up to that late, enough to move a p99`);
  }
  if (selfMaxMs >= 1) reasons.push(`the generator's own per-second work blocked it for ${selfMaxMs} ms at once`);
  if (cpuPercentPerThread > 90) reasons.push(`CPU ${Math.round(cpuPercentPerThread)}% of a core per thread`);
  return reasons;
}

export function buildSummary(
  recorder: LoadRecorder,
  run: RunDescription,
  startedAt: Date,
  status: RunStatus,
  thresholds: readonly ThresholdResult[],
  extra: { failure?: string; server?: Record<string, number>; agents?: readonly AgentReport[] } = {},
): LoadSummary {
  const seconds = recorder.elapsedSeconds;
  const latency: Record<string, LatencySummary> = {};
  for (const name of recorder.latencyNames()) {
    const s = recorder.latencySummary(name)!;
    latency[name] = {
      corrected: s.corrected,
      uncorrected: s.uncorrected,
      timing: s.timing,
      coordinatedOmissionCorrected: s.scheduled,
    };
  }
  const counters = recorder.counters();
  const rates: Record<string, number> = {};
  for (const [k, v] of Object.entries(counters)) rates[k] = perSec(v, seconds);
  const lag = recorder.eventLoopLag();
  const cpu = recorder.cpuPercent();
  // CPU is process-wide: with worker threads the budget is a core per thread.
  const cpuPerThread = cpu / (run.threads ?? 1);
  const selfMaxMs = Math.round(recorder.selfMaxMs * 100) / 100;
  const saturation = saturationReasons(lag.p99Ms, selfMaxMs, cpuPerThread);
  const gaps = recorder.gapSummary();
  return {
    format: SUMMARY_FORMAT,
    status,
    ...(extra.failure ? { failure: extra.failure } : {}),
    run,
    startedAt: startedAt.toISOString(),
    updatedAt: new Date().toISOString(),
    elapsedSeconds: Math.round(seconds * 100) / 100,
    sessions: {
      started: recorder.sessionsStarted,
      completed: recorder.sessionsCompleted,
      errored: recorder.sessionsErrored,
      active: recorder.activeSessions,
      maxActive: recorder.maxActiveSessions,
      dropped: recorder.droppedSessions,
    },
    inFlightAtEnd: { sessions: recorder.sessionsCutOff, requests: counters.in_flight_at_end ?? 0 },
    ...(gaps ? { gaps } : {}),
    latency,
    counters,
    rates,
    errors: {
      total: recorder.errorTotal,
      rate: Math.round(recorder.errorRate * 1e6) / 1e6,
      byKind: recorder.errors(),
    },
    throughput: {
      connections: recorder.connectionsTracked,
      messagesIn: recorder.messagesIn,
      messagesOut: recorder.messagesOut,
      bytesIn: recorder.bytesIn,
      bytesOut: recorder.bytesOut,
      messagesInPerSec: perSec(recorder.messagesIn, seconds),
      messagesOutPerSec: perSec(recorder.messagesOut, seconds),
      bytesInPerSec: perSec(recorder.bytesIn, seconds),
      bytesOutPerSec: perSec(recorder.bytesOut, seconds),
    },
    generator: {
      cpuPercent: cpu,
      eventLoopLag: { p50Ms: lag.p50Ms, p99Ms: lag.p99Ms, maxMs: lag.maxMs },
      maxRssMB: mb(recorder.maxRss),
      maxHeapUsedMB: mb(recorder.maxHeapUsed),
      selfMaxMs,
      saturated: saturation.length > 0,
      saturation,
    },
    ...(extra.server ? { server: extra.server } : {}),
    ...(extra.agents ? { agents: extra.agents } : {}),
    thresholds,
    thresholdsOk: thresholds.every((t) => t.ok),
  };
}

/** Writes a file so that a reader (or a crash) only ever sees the old or the new content, never half of it. */
export function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** `writeAtomic` with the file system work off the event loop (libuv's pool), for the per-second files. */
export async function writeAtomicAsync(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}

/**
 * timeseries.csv kept up incrementally: each second appends the new rows; only when the columns change (a metric
 * or counter appears) is the file rewritten whole. Rewriting it every second cost O(run length) per second.
 */
export class TimeseriesFile {
  #columns = '';
  #written = 0;

  constructor(readonly path: string) {}

  /** Brings the file up to `points`; async unless `sync` (the final write). */
  async update(points: readonly TimePoint[], sync = false): Promise<void> {
    try {
      await this.#update(points, sync);
    } catch (error) {
      // Whatever reached the file, the next update rewrites it whole.
      this.#columns = '';
      throw error;
    }
  }

  async #update(live: readonly TimePoint[], sync: boolean): Promise<void> {
    // The caller's array may be a recorder's live points, which grow while a write is awaited: everything below
    // is about this snapshot, so a row added meanwhile is the next update's and never counted as written.
    const points = live.slice();
    const columns = timeseriesColumns(points);
    const key = `${columns.latency.join(',')}|${columns.counters.join(',')}|${columns.gaps}`;
    if (key !== this.#columns || this.#written > points.length) {
      const all = formatTimeseriesCsv(points);
      if (sync) writeAtomic(this.path, all);
      else await writeAtomicAsync(this.path, all);
      this.#columns = key;
      this.#written = points.length;
      return;
    }
    if (this.#written === points.length) return;
    const rows = points.slice(this.#written).map((p) => timeseriesRow(p, columns));
    const text = `${rows.join('\n')}\n`;
    this.#written = points.length;
    if (sync) appendFileSync(this.path, text);
    else await appendFile(this.path, text);
  }
}

export const ms = (micros: number) => {
  const v = micros / 1000;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
};

function pad(cells: readonly string[][]): string {
  const widths: number[] = [];
  for (const row of cells) {
    for (const [i, c] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  }
  return cells
    .map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    .join('\n');
}

function humanBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}

/** The end-of-test table on stdout. */
export function formatSummaryTable(s: LoadSummary): string {
  const lines: string[] = [];
  lines.push(
    `loadtest ${s.run.scenario} → ${s.run.target}${s.run.embedded ? ' (embedded server)' : ''}: ${s.status}` +
      ` after ${s.elapsedSeconds}s`,
  );
  if (s.failure) lines.push(`failure: ${s.failure}`);
  lines.push(`workload: ${s.run.workload}`);
  lines.push(
    `sessions: ${s.sessions.started} started, ${s.sessions.completed} completed, ${s.sessions.errored} with errors,` +
      ` max ${s.sessions.maxActive} concurrent, ${s.sessions.dropped} dropped`,
  );
  lines.push('');
  const names = Object.keys(s.latency);
  if (names.length) {
    const rows = [['latency (ms)', 'count', 'min', 'avg', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max']];
    for (const name of names) {
      const add = (label: string, l: LatencyStats) =>
        rows.push([
          label,
          String(l.count),
          ms(l.min),
          ms(l.mean),
          ms(l.p50),
          ms(l.p90),
          ms(l.p95),
          ms(l.p99),
          ms(l.p999),
          ms(l.max),
        ]);
      const entry = s.latency[name]!;
      add(entry.coordinatedOmissionCorrected ? `${name} (corrected)` : `${name} (${entry.timing})`, entry.corrected);
      if (entry.coordinatedOmissionCorrected) add(`${name} (uncorrected)`, entry.uncorrected);
    }
    lines.push(pad(rows), '');
  }
  if (s.gaps) {
    const g = s.gaps;
    const rows = [['server gaps (ms)', 'count', 'min', 'avg', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max']];
    const add = (label: string, l: LatencyStats) =>
      rows.push([label, String(l.count), ...[l.min, l.mean, l.p50, l.p90, l.p95, l.p99, l.p999, l.max].map(ms)]);
    add('server_gap (all)', g.all);
    for (const [kind, l] of Object.entries(g.byKind)) add(`server_gap.${kind}`, l);
    add('longest per bot', g.longestPerBot);
    lines.push(
      pad(rows),
      `stalls: ${g.overThreshold} gaps over ${g.thresholdMs} ms; bots spent ${(g.shareOverThreshold * 100).toFixed(2)}%` +
        ` of ${g.botSeconds} bot-seconds waiting past ${g.thresholdMs} ms`,
      '',
    );
  }
  const counters = Object.entries(s.counters);
  if (counters.length) {
    const rows = [['counter', 'total', 'per s']];
    for (const [k, v] of counters) rows.push([k, String(v), String(s.rates[k] ?? 0)]);
    lines.push(pad(rows), '');
  }
  const t = s.throughput;
  lines.push(
    `messages: ${t.messagesOut} sent (${t.messagesOutPerSec}/s), ${t.messagesIn} received (${t.messagesInPerSec}/s)` +
      ` on ${t.connections} connections`,
    `bytes: ${humanBytes(t.bytesOut)} sent (${humanBytes(t.bytesOutPerSec)}/s), ${humanBytes(t.bytesIn)} received` +
      ` (${humanBytes(t.bytesInPerSec)}/s)`,
  );
  const kinds = Object.entries(s.errors.byKind);
  lines.push(
    `errors: ${s.errors.total} (rate ${s.errors.rate})${kinds.length ? `: ${kinds.map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`,
  );
  const f = s.inFlightAtEnd;
  lines.push(
    f.sessions || f.requests
      ? `in_flight_at_end: ${f.sessions} sessions cut off, ${f.requests} requests without their reply counted` +
          ' (the server may have counted them; --graceful-stop lets them finish)'
      : 'in_flight_at_end: 0 (every session ended on its own)',
  );
  const g = s.generator;
  lines.push(
    `generator: cpu ${g.cpuPercent}% of a core${s.run.threads ? ` (${s.run.threads} worker threads)` : ''}, event-loop lag${s.run.threads ? ' (worst thread)' : ''} p99 ${g.eventLoopLag.p99Ms} ms (max ${g.eventLoopLag.maxMs}),` +
      ` rss max ${g.maxRssMB} MB, own per-second work max ${g.selfMaxMs} ms`,
  );
  if (g.saturated) {
    lines.push(`** SATURATED: figures include the generator's own delays: ${g.saturation.join('; ')} **`);
  }
  for (const a of s.agents ?? []) {
    lines.push(
      `agent ${a.name} (${a.host}, ${a.threads} threads): ${a.state}${a.problem ? ` (${a.problem})` : ''}, clock offset ` +
        `${a.clockOffsetMs} ms (±${Math.round(a.clockRttMs * 50) / 100}), cpu ${a.cpuPercent}% of a core (max ${a.cpuMaxPercent}%, ` +
        `${a.cores} cores), rss max ${a.maxRssMB} MB, lag p99 ${a.lagP99Ms} ms${a.saturated ? ` ** SATURATED: ${a.saturation.join('; ')} **` : ''}`,
    );
  }
  if (s.server) {
    lines.push(
      `server: ${Object.entries(s.server)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
  if (s.thresholds.length) {
    lines.push('', 'thresholds:');
    for (const r of s.thresholds) lines.push(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.threshold}   (${r.message})`);
  }
  return `${lines.join('\n')}\n`;
}

interface TimeseriesColumns {
  readonly latency: readonly string[];
  readonly counters: readonly string[];
  /** Server gap columns, once any interval had a gap. */
  readonly gaps: boolean;
}

function timeseriesColumns(points: readonly TimePoint[]): TimeseriesColumns {
  const latency = new Set<string>();
  const counters = new Set<string>();
  let gaps = false;
  for (const p of points) {
    for (const k in p.latency) latency.add(k);
    for (const k in p.counters) counters.add(k);
    if (p.gaps.count > 0) gaps = true;
  }
  return { latency: [...latency].sort(), counters: [...counters].sort(), gaps };
}

function timeseriesRow(p: TimePoint, c: TimeseriesColumns): string {
  return [
    p.t,
    p.seconds,
    p.activeSessions,
    p.sessionsStarted,
    p.sessionsCompleted,
    p.droppedSessions,
    p.messagesInPerSec,
    p.messagesOutPerSec,
    p.bytesInPerSec,
    p.bytesOutPerSec,
    p.errors,
    ...c.latency.flatMap((n) => {
      const l = p.latency[n];
      return l?.count
        ? [l.count, l.p50 / 1000, l.p99 / 1000, l.max / 1000, l.p99Uncorrected / 1000]
        : [0, '', '', '', ''];
    }),
    ...c.counters.map((n) => p.counters[n] ?? 0),
    ...(c.gaps ? [p.gaps.count, p.gaps.count ? p.gaps.maxMs : '', p.gaps.over] : []),
    p.eventLoopLagP99Ms,
    p.eventLoopLagMaxMs,
    p.cpuPercent,
    p.rssMB,
    p.heapUsedMB,
  ].join(',');
}

/** Per-second time series, one row per interval; latency columns in milliseconds. */
export function formatTimeseriesCsv(points: readonly TimePoint[]): string {
  const columns = timeseriesColumns(points);
  const { latency: latencyNames, counters: counterNames } = columns;
  const header = [
    't_s',
    'interval_s',
    'active_sessions',
    'sessions_started',
    'sessions_completed',
    'dropped_sessions',
    'msgs_in_per_s',
    'msgs_out_per_s',
    'bytes_in_per_s',
    'bytes_out_per_s',
    'errors',
    ...latencyNames.flatMap((n) => [
      `${n}_count`,
      `${n}_p50_ms`,
      `${n}_p99_ms`,
      `${n}_max_ms`,
      `${n}_p99_uncorrected_ms`,
    ]),
    ...counterNames.map((n) => `${n}_delta`),
    ...(columns.gaps ? ['server_gaps', 'server_gap_max_ms', 'server_gaps_over_threshold'] : []),
    'event_loop_lag_p99_ms',
    'event_loop_lag_max_ms',
    'cpu_percent',
    'rss_mb',
    'heap_used_mb',
  ];
  const rows = points.map((p) => timeseriesRow(p, columns));
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
