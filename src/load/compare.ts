/**
 * `botswarm loadtest compare <run-a> <run-b>`: two runs' summaries side by side (percentiles, throughput, errors,
 * server gaps, generator health) with the differences, as a table and a self-contained HTML page, and a verdict:
 * run B is worse than run A when a judged figure moved the wrong way by more than the tolerance. A regression gate
 * for CI: exit 99, as a failed threshold.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { escapeHtml } from './report.ts';
import { type LoadSummary, SUMMARY_FORMAT } from './summary.ts';

export class CompareError extends Error {
  override name = 'CompareError';
}

export interface CompareOptions {
  /** Relative: a latency may grow, a throughput shrink, by this fraction of run A's figure (default 0.1). */
  readonly tolerance: number;
  /** Absolute floor for latencies, microseconds: smaller differences are noise (default 1000 = 1 ms). */
  readonly minDiffMicros: number;
  /** Absolute: the error rate may grow by this much (default 0.001). */
  readonly errorTolerance: number;
}

export const DEFAULT_COMPARE: CompareOptions = { tolerance: 0.1, minDiffMicros: 1000, errorTolerance: 0.001 };

/** Which way is worse for a figure; `shown` figures are not judged (too noisy, or not the server's). */
type Direction = 'higher-worse' | 'lower-worse' | 'shown';

export interface CompareRow {
  readonly section: 'latency' | 'gaps' | 'throughput' | 'errors' | 'sessions' | 'generator';
  readonly name: string;
  readonly unit: 'ms' | '/s' | '' | '%';
  /** In the unit (ms for latencies); undefined when that run does not have the figure. */
  readonly a: number | undefined;
  readonly b: number | undefined;
  readonly direction: Direction;
  /** B is worse than A beyond the tolerance. */
  readonly worse: boolean;
  /** B is better than A beyond the tolerance. */
  readonly better: boolean;
}

export interface RunRef {
  readonly path: string;
  readonly scenario: string;
  readonly target: string;
  readonly workload: string;
  readonly status: string;
  readonly startedAt: string;
  readonly saturated: boolean;
}

export interface Comparison {
  readonly a: RunRef;
  readonly b: RunRef;
  readonly options: CompareOptions;
  readonly rows: readonly CompareRow[];
  readonly regressions: readonly CompareRow[];
  /** Why the comparison may not mean what it seems (different workloads, a saturated generator...). */
  readonly warnings: readonly string[];
}

/** A run: its `summary.json`, or a directory holding one (`--out`). */
export function readRun(path: string): LoadSummary {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'summary.json');
  } catch {
    throw new CompareError(`${path}: no such file or directory`);
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CompareError(`${file}: not a readable JSON file (${(error as Error).message})`);
  }
  const s = data as Partial<LoadSummary>;
  if (!s || typeof s !== 'object' || s.format !== SUMMARY_FORMAT || !s.latency || !s.throughput || !s.errors) {
    throw new CompareError(`${file}: not a botswarm load-test summary (format ${SUMMARY_FORMAT})`);
  }
  return s as LoadSummary;
}

/** `10%` or `0.1`. */
export function parseTolerance(text: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)(%)?$/.exec(text.trim());
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!Number.isFinite(v) || v < 0 || v > 10) {
    throw new CompareError(
      `${name} must be a fraction or a percentage from 0 to 1000%, e.g. 10% or 0.1, got "${text}"`,
    );
  }
  return v;
}

/** `1ms`, `500us`, `0.5ms`, `1s`; a bare number is milliseconds. Microseconds. */
export function parseMicros(text: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|µs|ms|s)?$/.exec(text.trim());
  if (!m) throw new CompareError(`${name} must be a duration such as 1ms, 500us or 0.5s, got "${text}"`);
  return Math.round(Number(m[1]) * { us: 1, µs: 1, ms: 1000, s: 1e6 }[m[2] ?? 'ms']!);
}

const LATENCY_FIGURES = [
  ['p50', 'higher-worse'],
  ['p90', 'shown'],
  ['p95', 'higher-worse'],
  ['p99', 'higher-worse'],
  ['p999', 'shown'],
  ['max', 'shown'],
] as const;

function ref(path: string, s: LoadSummary): RunRef {
  return {
    path,
    scenario: s.run.scenario,
    target: s.run.target,
    workload: s.run.workload,
    status: s.status,
    startedAt: s.startedAt,
    saturated: s.generator.saturated,
  };
}

export function compareRuns(
  a: LoadSummary,
  b: LoadSummary,
  options: CompareOptions = DEFAULT_COMPARE,
  paths: readonly [string, string] = ['A', 'B'],
): Comparison {
  const rows: CompareRow[] = [];
  const tol = options.tolerance;
  const sameWorkload = a.run.workload === b.run.workload && a.run.thinkTimeMs === b.run.thinkTimeMs;
  const add = (
    section: CompareRow['section'],
    name: string,
    unit: CompareRow['unit'],
    va: number | undefined,
    vb: number | undefined,
    direction: Direction,
    /** Smallest difference that counts, in the unit. */
    floor = 0,
    relative = tol,
  ) => {
    let worse = false;
    let better = false;
    if (va !== undefined && vb !== undefined && direction !== 'shown') {
      const allowed = Math.max(floor, relative * Math.abs(va));
      const d = direction === 'higher-worse' ? vb - va : va - vb;
      worse = d > allowed;
      better = -d > allowed;
    }
    rows.push({ section, name, unit, a: va, b: vb, direction, worse, better });
  };
  const msOf = (us: number | undefined) => (us === undefined ? undefined : us / 1000);
  const floorMs = options.minDiffMicros / 1000;

  const names = [...new Set([...Object.keys(a.latency), ...Object.keys(b.latency)])].sort();
  for (const name of names) {
    const la = a.latency[name];
    const lb = b.latency[name];
    // A metric with no samples on one side is shown, not judged.
    const both = (la?.corrected.count ?? 0) > 0 && (lb?.corrected.count ?? 0) > 0;
    for (const [figure, direction] of LATENCY_FIGURES) {
      add(
        'latency',
        `${name} ${figure === 'p999' ? 'p99.9' : figure}`,
        'ms',
        msOf(la?.corrected[figure]),
        msOf(lb?.corrected[figure]),
        both ? direction : 'shown',
        floorMs,
      );
    }
  }
  if (a.gaps || b.gaps) {
    const judged = a.gaps && b.gaps ? 'higher-worse' : 'shown';
    add('gaps', 'server_gap p99', 'ms', msOf(a.gaps?.all.p99), msOf(b.gaps?.all.p99), judged, floorMs);
    add('gaps', 'server_gap max', 'ms', msOf(a.gaps?.all.max), msOf(b.gaps?.all.max), 'shown');
    add(
      'gaps',
      'longest gap per bot p50',
      'ms',
      msOf(a.gaps?.longestPerBot.p50),
      msOf(b.gaps?.longestPerBot.p50),
      'shown',
    );
    add('gaps', 'gaps over threshold', '', a.gaps?.overThreshold, b.gaps?.overThreshold, 'shown');
    const share = (s: LoadSummary) => (s.gaps ? s.gaps.shareOverThreshold * 100 : undefined);
    // Time-weighted stall share: judged in absolute percentage points, like the error rate.
    add('gaps', 'bot-time waiting past threshold', '%', share(a), share(b), judged, options.errorTolerance * 100, 0);
  }
  // Throughput and rates depend on the workload: judged only when both runs had the same one.
  const tp = sameWorkload ? 'lower-worse' : 'shown';
  add('throughput', 'messages in', '/s', a.throughput.messagesInPerSec, b.throughput.messagesInPerSec, tp);
  add('throughput', 'messages out', '/s', a.throughput.messagesOutPerSec, b.throughput.messagesOutPerSec, tp);
  for (const k of [...new Set([...Object.keys(a.rates), ...Object.keys(b.rates)])].sort()) {
    add('throughput', k, '/s', a.rates[k], b.rates[k], 'shown');
  }
  add('errors', 'error rate', '', a.errors.rate, b.errors.rate, 'higher-worse', options.errorTolerance, 0);
  add('errors', 'errors', '', a.errors.total, b.errors.total, 'shown');
  for (const k of [...new Set([...Object.keys(a.errors.byKind), ...Object.keys(b.errors.byKind)])].sort()) {
    add('errors', `errors.${k}`, '', a.errors.byKind[k] ?? 0, b.errors.byKind[k] ?? 0, 'shown');
  }
  add('sessions', 'started', '', a.sessions.started, b.sessions.started, 'shown');
  add('sessions', 'dropped', '', a.sessions.dropped, b.sessions.dropped, sameWorkload ? 'higher-worse' : 'shown');
  const inFlight = (s: LoadSummary) => s.inFlightAtEnd?.sessions;
  add('sessions', 'cut off at the end', '', inFlight(a), inFlight(b), 'shown');
  add('generator', 'cpu % of a core', '%', a.generator.cpuPercent, b.generator.cpuPercent, 'shown');
  add('generator', 'event-loop lag p99', 'ms', a.generator.eventLoopLag.p99Ms, b.generator.eventLoopLag.p99Ms, 'shown');
  add('generator', 'max RSS MB', '', a.generator.maxRssMB, b.generator.maxRssMB, 'shown');

  const warnings: string[] = [];
  if (a.run.scenario !== b.run.scenario) warnings.push(`different scenarios: ${a.run.scenario} and ${b.run.scenario}`);
  if (!sameWorkload) {
    warnings.push(
      `different workloads (A: ${a.run.workload}, think ${a.run.thinkTimeMs} ms; B: ${b.run.workload}, think ${b.run.thinkTimeMs} ms): throughput and drops are shown, not judged`,
    );
  }
  for (const [label, s] of [
    ['A', a],
    ['B', b],
  ] as const) {
    if (s.status !== 'completed') warnings.push(`run ${label} did not complete (status ${s.status})`);
    if (s.generator.saturated) {
      const why = s.generator.saturation?.join('; ') ?? 'its own delays were large';
      warnings.push(`run ${label}'s generator was saturated (${why}): its figures include the generator's delays`);
    }
  }
  return {
    a: ref(paths[0], a),
    b: ref(paths[1], b),
    options,
    rows,
    regressions: rows.filter((r) => r.worse),
    warnings,
  };
}

const fmt = (v: number | undefined, unit: CompareRow['unit']) => {
  if (v === undefined) return '-';
  if (unit === 'ms') return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
};

function diffText(r: CompareRow): { abs: string; pct: string } {
  if (r.a === undefined || r.b === undefined) return { abs: '', pct: '' };
  const d = r.b - r.a;
  const abs = `${d > 0 ? '+' : ''}${fmt(d, r.unit)}`;
  const pct = r.a !== 0 ? `${d > 0 ? '+' : ''}${((d / Math.abs(r.a)) * 100).toFixed(1)}%` : d === 0 ? '0%' : '';
  return { abs, pct };
}

const verdictOf = (r: CompareRow) => (r.worse ? 'WORSE' : r.better ? 'better' : r.direction === 'shown' ? '' : 'ok');

function describeOptions(o: CompareOptions): string {
  return (
    `tolerance ${Math.round(o.tolerance * 1000) / 10}% (latencies at least ${o.minDiffMicros / 1000} ms), ` +
    `error rate +${o.errorTolerance}`
  );
}

/** The side-by-side table on stdout. */
export function formatComparisonTable(c: Comparison): string {
  const lines = [
    `A: ${c.a.path} (${c.a.scenario} → ${c.a.target}, ${c.a.status}, ${c.a.startedAt})`,
    `B: ${c.b.path} (${c.b.scenario} → ${c.b.target}, ${c.b.status}, ${c.b.startedAt})`,
    '',
  ];
  const cells = [['figure', 'unit', 'A', 'B', 'B - A', '%', 'verdict']];
  let section = '';
  for (const r of c.rows) {
    if (r.section !== section) {
      section = r.section;
      cells.push([`[${section}]`, '', '', '', '', '', '']);
    }
    const d = diffText(r);
    cells.push([r.name, r.unit, fmt(r.a, r.unit), fmt(r.b, r.unit), d.abs, d.pct, verdictOf(r)]);
  }
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  for (const row of cells) {
    lines.push(
      row
        .map((cell, i) => (i === 0 || i === 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
    );
  }
  lines.push('');
  for (const w of c.warnings) lines.push(`warning: ${w}`);
  lines.push(
    c.regressions.length
      ? `B is WORSE than A beyond the tolerance (${describeOptions(c.options)}) in ${c.regressions.length} figure(s): ${c.regressions.map((r) => r.name).join(', ')}`
      : `B is not worse than A beyond the tolerance (${describeOptions(c.options)})`,
  );
  return `${lines.join('\n')}\n`;
}

/** One self-contained HTML page: no script, font or stylesheet from anywhere. */
export function renderComparisonReport(c: Comparison): string {
  let section = '';
  const body: string[] = [];
  for (const r of c.rows) {
    if (r.section !== section) {
      section = r.section;
      body.push(`<tr class="section"><th colspan="7">${escapeHtml(section)}</th></tr>`);
    }
    const d = diffText(r);
    const cls = r.worse ? 'worse' : r.better ? 'better' : '';
    body.push(
      `<tr class="${cls}"><td>${escapeHtml(r.name)}</td><td>${r.unit}</td><td>${fmt(r.a, r.unit)}</td><td>${fmt(r.b, r.unit)}</td><td>${d.abs}</td><td>${d.pct}</td><td>${verdictOf(r)}</td></tr>`,
    );
  }
  const run = (label: string, r: RunRef) =>
    `<li><b>${label}</b>: <code>${escapeHtml(r.path)}</code> — ${escapeHtml(r.scenario)} → ${escapeHtml(r.target)}, ${escapeHtml(r.workload)}, ${escapeHtml(r.status)}, started ${escapeHtml(r.startedAt)}${r.saturated ? ', <b>generator saturated</b>' : ''}</li>`;
  const verdict = c.regressions.length
    ? `<p class="verdict worse" id="verdict">B is <b>worse</b> than A beyond the tolerance in ${c.regressions.length} figure(s): ${c.regressions.map((r) => escapeHtml(r.name)).join(', ')}.</p>`
    : `<p class="verdict ok" id="verdict">B is not worse than A beyond the tolerance.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>botswarm load-test comparison</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; }
table { border-collapse: collapse; margin: .5em 0; } td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
tr.section th { background: #eee; text-align: left; }
tr.worse td { background: #fdd; } tr.better td { background: #dfd; }
.verdict.worse { color: #a00; } .verdict.ok { color: #060; }
</style>
</head>
<body>
<h1>botswarm load-test comparison: B against A</h1>
<ul>${run('A', c.a)}${run('B', c.b)}</ul>
${verdict}
<p>Judged: latency p50, p95 and p99 of every metric both runs have, the server gaps' p99 and stall share, the error
rate, and (same workload only) throughput and dropped sessions. Other rows are shown, not judged. ${escapeHtml(describeOptions(c.options))}.</p>
${c.warnings.length ? `<ul class="warnings">${c.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>` : ''}
<table id="comparison"><tr><th>figure</th><th>unit</th><th>A</th><th>B</th><th>B − A</th><th>%</th><th>verdict</th></tr>
${body.join('\n')}
</table>
<script type="application/json" id="comparison-json">${JSON.stringify(c).replace(/</g, '\\u003c')}</script>
</body>
</html>
`;
}
