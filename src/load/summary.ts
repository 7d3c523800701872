import { renameSync, writeFileSync } from 'node:fs';
import type { LatencyStats, LoadRecorder, TimePoint } from './metrics.ts';
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
  /** True when samples were measured from an intended send time (the two views may differ). */
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
    readonly saturated: boolean;
  };
  /** The embedded server's own counters, when the run started one. */
  readonly server?: Readonly<Record<string, number>>;
  readonly thresholds: readonly ThresholdResult[];
  readonly thresholdsOk: boolean;
}

const mb = (bytes: number) => Math.round(bytes / 104857.6) / 10;
const perSec = (n: number, s: number) => (s > 0 ? Math.round((n / s) * 10) / 10 : 0);

/** The generator is called saturated when its event loop lagged badly or it used most of a core. */
export function isSaturated(lagP99Ms: number, cpuPercent: number): boolean {
  return lagP99Ms > 50 || cpuPercent > 90;
}

export function buildSummary(
  recorder: LoadRecorder,
  run: RunDescription,
  startedAt: Date,
  status: RunStatus,
  thresholds: readonly ThresholdResult[],
  extra: { failure?: string; server?: Record<string, number> } = {},
): LoadSummary {
  const seconds = recorder.elapsedSeconds;
  const latency: Record<string, LatencySummary> = {};
  for (const name of recorder.latencyNames()) {
    const s = recorder.latencySummary(name)!;
    latency[name] = {
      corrected: s.corrected,
      uncorrected: s.uncorrected,
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
      saturated: isSaturated(lag.p99Ms, cpuPerThread),
    },
    ...(extra.server ? { server: extra.server } : {}),
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
      add(name, entry.corrected);
      if (entry.coordinatedOmissionCorrected) add(`${name} (uncorrected)`, entry.uncorrected);
    }
    lines.push(pad(rows), '');
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
  const g = s.generator;
  lines.push(
    `generator: cpu ${g.cpuPercent}% of a core${s.run.threads ? ` (${s.run.threads} worker threads)` : ''}, event-loop lag${s.run.threads ? ' (worst thread)' : ''} p99 ${g.eventLoopLag.p99Ms} ms (max ${g.eventLoopLag.maxMs}),` +
      ` rss max ${g.maxRssMB} MB${g.saturated ? '  ** SATURATED: figures measure the generator, not the server **' : ''}`,
  );
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

/** Per-second time series, one row per interval; latency columns in milliseconds. */
export function formatTimeseriesCsv(points: readonly TimePoint[]): string {
  const latencyNames = [...new Set(points.flatMap((p) => Object.keys(p.latency)))].sort();
  const counterNames = [...new Set(points.flatMap((p) => Object.keys(p.counters)))].sort();
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
    'event_loop_lag_p99_ms',
    'event_loop_lag_max_ms',
    'cpu_percent',
    'rss_mb',
    'heap_used_mb',
  ];
  const rows = points.map((p) =>
    [
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
      ...latencyNames.flatMap((n) => {
        const l = p.latency[n];
        return l?.count
          ? [l.count, l.p50 / 1000, l.p99 / 1000, l.max / 1000, l.p99Uncorrected / 1000]
          : [0, '', '', '', ''];
      }),
      ...counterNames.map((n) => p.counters[n] ?? 0),
      p.eventLoopLagP99Ms,
      p.eventLoopLagMaxMs,
      p.cpuPercent,
      p.rssMB,
      p.heapUsedMB,
    ].join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
