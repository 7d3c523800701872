/**
 * The self-contained HTML report: every chart is inline SVG built here, with no script, stylesheet, font or
 * image from anywhere else, so the file opens offline and can be mailed or archived as it is.
 */
import { LAG_RESOLUTION_MS, type LatencyStats, type TimePoint } from './metrics.ts';
import { formatSummaryTable, type LoadSummary, ms } from './summary.ts';

interface Series {
  readonly name: string;
  /** null y values break the line (an interval without samples). */
  readonly points: readonly (readonly [number, number | null])[];
}

interface ChartOptions {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Fixed x tick positions with their labels (percentile charts); otherwise computed. */
  readonly xTicks?: readonly (readonly [number, string])[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const W = 640;
const H = 260;
const M = { left: 60, right: 16, top: 28, bottom: 40 };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return String(Math.round(v * 10) / 10);
  return String(Math.round(v * 1000) / 1000);
}

/** One line chart as an SVG element; each series is a `path.series` with its point count in `data-points`. */
export function lineChart(o: ChartOptions): string {
  const all = o.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).filter((y): y is number => y !== null && Number.isFinite(y));
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  const yMax = niceMax(ys.length ? Math.max(...ys) : 1);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + (xMax > xMin ? ((x - xMin) / (xMax - xMin)) * pw : pw / 2);
  const sy = (y: number) => M.top + ph - (y / yMax) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" id="${escapeHtml(o.id)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(o.title)}">`,
    `<text class="title" x="${M.left}" y="18">${escapeHtml(o.title)}</text>`,
  );
  // Grid and y ticks.
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    const py = sy(y).toFixed(1);
    parts.push(
      `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${py}" y2="${py}"/>`,
      `<text class="tick" x="${M.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${fmt(y)}</text>`,
    );
  }
  const xTicks: (readonly [number, string])[] = o.xTicks
    ? o.xTicks.filter(([x]) => x >= xMin && x <= xMax)
    : Array.from({ length: 6 }, (_, i) => {
        const x = xMin + ((xMax - xMin) * i) / 5;
        return [x, fmt(x)] as const;
      });
  for (const [x, label] of xTicks) {
    const px = sx(x).toFixed(1);
    parts.push(
      `<line class="axis" x1="${px}" x2="${px}" y1="${M.top + ph}" y2="${M.top + ph + 4}"/>`,
      `<text class="tick" x="${px}" y="${M.top + ph + 16}" text-anchor="middle">${escapeHtml(label)}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${M.top + ph}" y2="${M.top + ph}"/>`,
    `<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}"/>`,
    `<text class="label" x="${M.left + pw / 2}" y="${H - 4}" text-anchor="middle">${escapeHtml(o.xLabel)}</text>`,
    `<text class="label" transform="translate(12 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(o.yLabel)}</text>`,
  );
  o.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    let d = '';
    let pen = false;
    let n = 0;
    for (const [x, y] of s.points) {
      if (y === null || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
      pen = true;
      n++;
    }
    // A single point still shows: a zero-length segment with a round cap.
    if (n === 1) d += 'l0.01,0';
    parts.push(
      `<path class="series" data-series="${escapeHtml(s.name)}" data-points="${n}" d="${d}" fill="none" stroke="${color}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><title>${escapeHtml(s.name)}</title></path>`,
    );
    const lx = M.left + 8 + (i % 3) * 190;
    const ly = M.top + 10 + Math.floor(i / 3) * 14;
    parts.push(
      `<rect x="${lx}" y="${ly - 8}" width="10" height="10" fill="${color}"/>`,
      `<text class="legend" x="${lx + 14}" y="${ly + 1}">${escapeHtml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Position on a percentile axis where every "nine" gets the same width: 90 → 1, 99 → 2, 99.9 → 3. */
export function ninesScale(p: number): number {
  return p >= 100 ? 6 : Math.min(6, -Math.log10(1 - p / 100));
}

const PERCENTILE_TICKS: readonly (readonly [number, string])[] = [
  [0, '0'],
  [ninesScale(50), '50'],
  [1, '90'],
  [2, '99'],
  [3, '99.9'],
  [4, '99.99'],
  [5, '99.999'],
];

export interface ReportInput {
  readonly summary: LoadSummary;
  readonly points: readonly TimePoint[];
  /** Percentile curves per latency metric: [percentile, micros]. */
  readonly curves: Readonly<Record<string, { corrected: [number, number][]; uncorrected: [number, number][] }>>;
}

/** Load agents on other hosts (`--agents`): each one's clock offset and health. */
function agentSection(s: LoadSummary): string {
  if (!s.agents?.length) return '';
  const rows = s.agents
    .map(
      (a) =>
        `<tr class="${a.state === 'ok' ? 'pass' : 'fail'}"><td>${escapeHtml(a.name)}</td><td>${escapeHtml(a.host)}</td><td>${a.threads}</td><td>${a.clockOffsetMs}</td><td>${a.clockRttMs}</td><td>${a.cpuPercent}</td><td>${a.cpuMaxPercent}</td><td>${a.cores}</td><td>${a.maxRssMB}</td><td>${a.lagP99Ms}</td><td>${a.saturated ? `SATURATED: ${a.saturation.map(escapeHtml).join('; ')}` : 'no'}</td><td>${escapeHtml(a.state)}${a.problem ? `: ${escapeHtml(a.problem)}` : ''}</td></tr>`,
    )
    .join('\n');
  return `<h2>Load agents</h2>
<table id="agents"><tr><th>agent</th><th>host</th><th>threads</th><th>clock offset ms</th><th>ping rtt ms</th><th>cpu % of a core</th><th>cpu max %</th><th>cores</th><th>rss max MB</th><th>lag p99 ms</th><th>saturated</th><th>state</th></tr>
${rows}
</table>`;
}

export function renderReport({ summary, points, curves }: ReportInput): string {
  const s0 = summary;
  const charts: string[] = [];
  for (const [name, curve] of Object.entries(curves)) {
    if (!curve.corrected.length) continue;
    const toSeries = (label: string, c: [number, number][]): Series => ({
      name: label,
      points: c.filter(([p]) => p < 100).map(([p, v]) => [ninesScale(p), v / 1000] as const),
    });
    const latency = summary.latency[name];
    const series = [toSeries(latency?.coordinatedOmissionCorrected ? `${name} (corrected)` : name, curve.corrected)];
    if (latency?.coordinatedOmissionCorrected) series.push(toSeries(`${name} (uncorrected)`, curve.uncorrected));
    charts.push(
      lineChart({
        id: `percentiles-${name}`,
        title: `${name}: latency by percentile`,
        xLabel: 'percentile',
        yLabel: 'ms',
        series,
        xTicks: PERCENTILE_TICKS,
      }),
    );
  }
  const t = (p: TimePoint) => p.t;
  const timeCharts: string[] = [];
  timeCharts.push(
    lineChart({
      id: 'over-time-sessions',
      title: 'Active sessions',
      xLabel: 'seconds',
      yLabel: 'sessions',
      series: [{ name: 'active sessions', points: points.map((p) => [t(p), p.activeSessions] as const) }],
    }),
    lineChart({
      id: 'over-time-messages',
      title: 'Messages per second',
      xLabel: 'seconds',
      yLabel: 'msgs/s',
      series: [
        { name: 'sent', points: points.map((p) => [t(p), p.messagesOutPerSec] as const) },
        { name: 'received', points: points.map((p) => [t(p), p.messagesInPerSec] as const) },
      ],
    }),
  );
  for (const [name, l] of Object.entries(summary.latency)) {
    const at = (q: 'p50' | 'p99' | 'p99Uncorrected') =>
      points.map((p) => {
        const v = p.latency[name];
        return [t(p), v?.count ? v[q] / 1000 : null] as const;
      });
    const series: Series[] = [
      { name: 'p50', points: at('p50') },
      { name: 'p99', points: at('p99') },
    ];
    if (l.coordinatedOmissionCorrected) series.push({ name: 'p99 uncorrected', points: at('p99Uncorrected') });
    timeCharts.push(
      lineChart({
        id: `over-time-latency-${name}`,
        title: `${name} over time (p50 and p99 of each second)`,
        xLabel: 'seconds',
        yLabel: 'ms',
        series,
      }),
    );
  }
  timeCharts.push(
    lineChart({
      id: 'over-time-errors',
      title: 'Errors and dropped sessions per second',
      xLabel: 'seconds',
      yLabel: 'per s',
      series: [
        { name: 'errors', points: points.map((p) => [t(p), p.errors / p.seconds] as const) },
        { name: 'dropped sessions', points: points.map((p) => [t(p), p.droppedSessions / p.seconds] as const) },
      ],
    }),
    ...(s0.gaps
      ? [
          lineChart({
            id: 'over-time-gaps',
            title: `Server response gaps: longest of each second, and gaps over ${s0.gaps.thresholdMs} ms`,
            xLabel: 'seconds',
            yLabel: 'ms / count',
            series: [
              {
                name: 'longest gap (ms)',
                points: points.map((p) => [t(p), p.gaps.count ? p.gaps.maxMs : null] as const),
              },
              { name: `gaps over ${s0.gaps.thresholdMs} ms`, points: points.map((p) => [t(p), p.gaps.over] as const) },
            ],
          }),
        ]
      : []),
    lineChart({
      id: 'over-time-generator',
      title: 'Load generator health',
      xLabel: 'seconds',
      yLabel: '% cpu / ms lag',
      series: [
        { name: 'cpu % of a core', points: points.map((p) => [t(p), p.cpuPercent] as const) },
        { name: 'event-loop lag p99 (ms)', points: points.map((p) => [t(p), p.eventLoopLagP99Ms] as const) },
      ],
    }),
  );
  const s = summary;
  const latencyRows = Object.entries(s.latency)
    .flatMap(([name, l]) => {
      const row = (label: string, v: typeof l.corrected) =>
        `<tr><td>${escapeHtml(label)}</td><td>${v.count}</td>${[
          v.min,
          v.mean,
          v.p50,
          v.p90,
          v.p95,
          v.p99,
          v.p999,
          v.max,
        ]
          .map((x) => `<td>${ms(x)}</td>`)
          .join('')}</tr>`;
      return l.coordinatedOmissionCorrected
        ? [row(`${name} (corrected)`, l.corrected), row(`${name} (uncorrected)`, l.uncorrected)]
        : [row(`${name} (${l.timing})`, l.corrected)];
    })
    .join('\n');
  const statsRow = (label: string, v: LatencyStats) =>
    `<tr><td>${escapeHtml(label)}</td><td>${v.count}</td>${[v.min, v.mean, v.p50, v.p90, v.p95, v.p99, v.p999, v.max]
      .map((x) => `<td>${ms(x)}</td>`)
      .join('')}</tr>`;
  const g = s.gaps;
  const gapSection = g
    ? `<h2>Server response gaps (ms)</h2>
<p>Every interval in which a bot waited for the server (reactive protocols). A stall shows here even where the
round-trip figures cannot see it, because the bot's next request waits for the server's next message.</p>
<table id="gaps"><tr><th>gap</th><th>count</th><th>min</th><th>avg</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th></tr>
${[
  statsRow('server_gap (all kinds)', g.all),
  ...Object.entries(g.byKind).map(([k, v]) => statsRow(`server_gap.${k}`, v)),
  statsRow('longest per bot', g.longestPerBot),
].join('\n')}
</table>
<p id="gap-share"><b>${g.overThreshold}</b> gaps longer than ${g.thresholdMs} ms; bots spent
<b>${(g.shareOverThreshold * 100).toFixed(2)}%</b> of ${g.botSeconds} bot-seconds waiting past ${g.thresholdMs} ms.</p>`
    : '';
  const f = s.inFlightAtEnd;
  const gen = s.generator;
  const endSection = `<h2>End of run and generator</h2>
<p id="in-flight">In flight at the end (<code>in_flight_at_end</code>): <b>${f.sessions}</b> sessions cut off,
<b>${f.requests}</b> requests without their reply counted. ${
    f.sessions || f.requests
      ? 'The server may have counted what these sent; <code>--graceful-stop</code> lets running sessions finish so every counter can match it.'
      : 'Every session ended on its own.'
  }</p>
<p id="generator">Generator: CPU ${gen.cpuPercent}% of a core, event-loop lag (net of its ${LAG_RESOLUTION_MS} ms sampling) p99 ${gen.eventLoopLag.p99Ms} ms, max ${gen.eventLoopLag.maxMs} ms; own per-second work max ${gen.selfMaxMs} ms.
${gen.saturated ? `<b class="saturated">SATURATED</b>: ${gen.saturation.map(escapeHtml).join('; ')}.` : 'Not saturated: its own delays are too small to move a reported figure.'}</p>
${agentSection(s)}`;
  const thresholdRows = s.thresholds
    .map(
      (r) =>
        `<tr class="${r.ok ? 'pass' : 'fail'}"><td>${r.ok ? 'PASS' : 'FAIL'}</td><td><code>${escapeHtml(r.threshold)}</code></td><td>${escapeHtml(r.message)}</td></tr>`,
    )
    .join('\n');
  const title = `botswarm load test: ${s.run.scenario} → ${s.run.target}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .5em 0; } td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
tr.fail td { background: #fdd; } tr.pass td { background: #dfd; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg.chart { border: 1px solid #ddd; background: #fff; }
svg .grid { stroke: #eee; } svg .axis { stroke: #888; } svg .tick, svg .legend { font-size: 10px; fill: #444; }
svg .title { font-size: 12px; font-weight: 600; fill: #222; } svg .label { font-size: 11px; fill: #444; }
pre { background: #f6f6f6; padding: .8em; overflow-x: auto; }
.status-completed { color: #060; } .status-failed, .status-interrupted { color: #a00; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>Status: <b class="status-${s.status}">${s.status}</b>${s.failure ? ` (${escapeHtml(s.failure)})` : ''} after ${s.elapsedSeconds} s, started ${escapeHtml(s.startedAt)}.
Workload: ${escapeHtml(s.run.workload)}. Thresholds: <b>${s.thresholds.length === 0 ? 'none' : s.thresholdsOk ? 'all hold' : 'FAILED'}</b>.</p>
${s.thresholds.length ? `<h2>Thresholds</h2>\n<table><tr><th>result</th><th>expression</th><th>measured</th></tr>\n${thresholdRows}\n</table>` : ''}
<h2>Latency (ms)</h2>
<table><tr><th>metric</th><th>count</th><th>min</th><th>avg</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th></tr>
${latencyRows}
</table>
<p>Each metric says how its send times were chosen. <b>corrected</b>: sent on a schedule the server cannot move
(arrivals, a send rate, a think-time schedule), counted from when it was due as wrk2 does, with the
<b>uncorrected</b> view (from the actual send) beside it. <b>reactive</b>: sent in answer to the server, so a
stall moves the send time too and cannot be corrected: see the server response gaps. <b>unscheduled</b>: no
schedule, counted from the actual send.</p>
${gapSection}
${endSection}
<h2>Latency percentiles</h2>
<div class="charts" id="percentile-charts">
${charts.join('\n') || '<p>No latency samples.</p>'}
</div>
<h2>Over time</h2>
<div class="charts" id="time-charts">
${timeCharts.join('\n')}
</div>
<h2>Summary</h2>
<pre>${escapeHtml(formatSummaryTable(s))}</pre>
<script type="application/json" id="summary-json">${JSON.stringify(s).replace(/</g, '\\u003c')}</script>
</body>
</html>
`;
}
