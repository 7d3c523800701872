import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { computeStandings, type Standings } from './ratings.ts';
import { loadResults, writeFileAtomic } from './results.ts';
import type { GameRecord } from './types.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const fixed = (x: number, d = 2) => x.toFixed(d);

function heading(s: Standings): string {
  const t = s.tournament;
  const status = s.complete ? `${s.gamesPlayed} games` : `${s.gamesPlayed} of ${s.gamesTotal} games (incomplete)`;
  const extra = s.deterministic ? '' : ', wall-clock limit: not deterministic';
  return `${t.name}: ${t.game} ${t.format}, ${t.players} players, seed ${t.seed}, ${status}${extra}`;
}

function standingsRows(s: Standings): string[][] {
  return s.bots.map((b) => [
    String(b.rank),
    b.bot,
    fixed(b.ordinal),
    fixed(b.mu),
    fixed(b.sigma),
    String(b.games),
    String(b.wins),
    String(b.draws),
    String(b.losses),
    pct(b.scoreRate),
    fixed(b.avgScore),
    fixed(b.avgRank),
    String(b.invalidActions),
    String(b.forfeits),
  ]);
}

const STANDINGS_HEAD = [
  '#',
  'bot',
  'ordinal',
  'mu',
  'sigma',
  'games',
  'W',
  'D',
  'L',
  'score',
  'avg score',
  'avg rank',
  'invalid',
  'forfeits',
];
const PAIRS_HEAD = ['bot A', 'bot B', 'games', 'A wins', 'draws', 'B wins', 'A score [95% CI]', 'avg A', 'avg B'];

function pairRows(s: Standings): string[][] {
  return s.pairs.map((p) => [
    p.a,
    p.b,
    String(p.games),
    String(p.aWins),
    String(p.draws),
    String(p.bWins),
    `${pct(p.aScoreRate)} [${pct(p.aScoreRateLow)}, ${pct(p.aScoreRateHigh)}]`,
    fixed(p.aAvgScore),
    fixed(p.bAvgScore),
  ]);
}

function textTable(head: string[], rows: string[][], rightFrom = 2): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c >= rightFrom ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/**
 * How many games were forfeited and why: a line per kind, then its most frequent reasons. Empty when none
 * was.
 */
export function formatForfeits(s: Standings): string[] {
  if (s.forfeitedGames === 0) return [];
  const lines = [`${s.forfeitedGames} of ${s.gamesPlayed} games forfeited:`];
  for (const kind of s.forfeits) {
    lines.push(`  ${kind.kind}: ${kind.games} game${kind.games === 1 ? '' : 's'}`);
    for (const r of kind.reasons) lines.push(`    ${r.count}× ${r.bot}: ${r.reason}`);
  }
  return lines;
}

/** The table printed on stdout. */
export function formatStandingsText(s: Standings): string {
  const parts = [heading(s), '', textTable(STANDINGS_HEAD, standingsRows(s))];
  if (s.pairs.length) {
    parts.push('', 'Head to head (score = wins + ½ draws, Wilson 95% interval):', textTable(PAIRS_HEAD, pairRows(s)));
  }
  const forfeits = formatForfeits(s);
  if (forfeits.length) parts.push('', ...forfeits);
  parts.push('', 'ordinal = mu - 3*sigma (openskill), rated in game-index order');
  return `${parts.join('\n')}\n`;
}

function mdTable(head: string[], rows: string[][]): string {
  const esc = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${head.map(esc).join(' | ')} |`,
    `|${head.map((_, c) => (c >= 2 ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function formatStandingsMarkdown(s: Standings): string {
  const parts = [`# ${heading(s)}`, '', '## Standings', '', mdTable(STANDINGS_HEAD, standingsRows(s))];
  if (s.pairs.length) {
    parts.push(
      '',
      '## Head to head',
      '',
      'Score = wins + ½ draws over games, with its Wilson 95% interval.',
      '',
      mdTable(PAIRS_HEAD, pairRows(s)),
    );
  }
  const forfeits = formatForfeits(s);
  if (forfeits.length) parts.push('', '## Forfeits', '', '```', ...forfeits, '```');
  parts.push('', 'Ordinal = μ − 3σ (openskill), rated in game-index order.');
  return `${parts.join('\n')}\n`;
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatStandingsCsv(s: Standings): string {
  const head = [
    'rank',
    'bot',
    'ordinal',
    'mu',
    'sigma',
    'games',
    'wins',
    'draws',
    'losses',
    'score_rate',
    'avg_score',
    'avg_rank',
    'invalid_actions',
    'forfeits',
  ];
  const rows = s.bots.map((b) => [
    b.rank,
    b.bot,
    b.ordinal,
    b.mu,
    b.sigma,
    b.games,
    b.wins,
    b.draws,
    b.losses,
    b.scoreRate,
    b.avgScore,
    b.avgRank,
    b.invalidActions,
    b.forfeits,
  ]);
  return `${[head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

/** standings.json, standings.csv, standings.md and standings.html (with the games of results.jsonl) in `dir`. */
export function writeStandings(dir: string, s: Standings): void {
  writeFileAtomic(join(dir, 'standings.json'), `${JSON.stringify(s, null, 2)}\n`);
  writeFileAtomic(join(dir, 'standings.csv'), formatStandingsCsv(s));
  writeFileAtomic(join(dir, 'standings.md'), formatStandingsMarkdown(s));
  const records = [...loadResults(dir, s.gamesTotal).records.values()];
  writeFileAtomic(
    join(dir, 'standings.html'),
    formatStandingsHtml(s, records, (view) => existsSync(join(dir, view))),
  );
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Distinct colours for the bots' lines, in standings order of the definition. */
const BOT_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#e377c2', '#8c564b', '#bcbd22'];

/** At most this many points of rating history (each is one pass over the games so far). */
const HISTORY_POINTS = 40;
/** At most this many games listed (with their replay links) in standings.html. */
const LISTED_GAMES = 2000;

/** Forfeits per seat of a record, when the runner records them (`forfeit: { seat }` or `forfeits: [seat...]`). */
function forfeitSeats(g: GameRecord): number[] {
  return (g.forfeits ?? []).map((f) => f.seat);
}

function ratingHistorySvg(s: Standings, games: readonly GameRecord[]): string {
  const bots = s.tournament.bots;
  // One more rating pass, sampling HISTORY_POINTS points of it (a pass per point would cost that many passes).
  const every = Math.max(1, Math.ceil(games.length / HISTORY_POINTS));
  const series = bots.map(() => [{ n: 0, mu: 0, sigma: 0 }]);
  computeStandings(s.tournament, games, s.gamesTotal, s.deterministic, (n, ratings) => {
    if (n % every !== 0 && n !== games.length) return;
    for (const [i, r] of ratings.entries()) series[i]!.push({ n, mu: r.mu, sigma: r.sigma });
  });
  const initial = computeStandings(s.tournament, [], s.gamesTotal, s.deterministic);
  series.forEach((pts, i) => {
    const b = initial.bots.find((x) => x.bot === bots[i])!;
    pts[0] = { n: 0, mu: b.mu, sigma: b.sigma };
  });
  const all = series.flat();
  const lo = Math.min(...all.map((p) => p.mu - p.sigma));
  const hi = Math.max(...all.map((p) => p.mu + p.sigma));
  const W = 760;
  const H = 300;
  const L = 48;
  const x = (n: number) => L + ((W - L - 10) * n) / Math.max(1, games.length);
  const y = (v: number) => 10 + (H - 40) * (1 - (v - lo) / Math.max(1e-9, hi - lo));
  let svg = `<svg class="chart" id="rating-history" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">`;
  svg += `<line x1="${L}" y1="${H - 30}" x2="${W - 10}" y2="${H - 30}" stroke="#999"/>`;
  svg += `<text x="${L}" y="${H - 12}" font-size="11">0</text><text x="${W - 10}" y="${H - 12}" font-size="11" text-anchor="end">${games.length} games</text>`;
  svg += `<text x="4" y="${y(hi) + 4}" font-size="11">${hi.toFixed(1)}</text><text x="4" y="${y(lo)}" font-size="11">${lo.toFixed(1)}</text>`;
  series.forEach((pts, i) => {
    const c = BOT_COLORS[i % BOT_COLORS.length]!;
    const band = [
      ...pts.map((p) => `${x(p.n).toFixed(1)},${y(p.mu + p.sigma).toFixed(1)}`),
      ...pts.reverse().map((p) => `${x(p.n).toFixed(1)},${y(p.mu - p.sigma).toFixed(1)}`),
    ];
    pts.reverse();
    svg += `<polygon points="${band.join(' ')}" fill="${c}" fill-opacity="0.12" stroke="none"/>`;
    svg += `<polyline class="series" data-bot="${esc(bots[i]!)}" points="${pts.map((p) => `${x(p.n).toFixed(1)},${y(p.mu).toFixed(1)}`).join(' ')}" fill="none" stroke="${c}" stroke-width="2"/>`;
  });
  return `${svg}</svg>`;
}

function winRateMatrix(s: Standings): string {
  const bots = s.tournament.bots;
  const cell = (a: string, b: string): string => {
    if (a === b) return '<td class="self">—</td>';
    const p = s.pairs.find((q) => (q.a === a && q.b === b) || (q.a === b && q.b === a));
    if (!p) return '<td>no games</td>';
    const flip = p.a !== a;
    const rate = flip ? 1 - p.aScoreRate : p.aScoreRate;
    const low = flip ? 1 - p.aScoreRateHigh : p.aScoreRateLow;
    const high = flip ? 1 - p.aScoreRateLow : p.aScoreRateHigh;
    const hue = Math.round(rate * 120);
    return `<td style="background:hsl(${hue},70%,85%)" title="${p.games} games">${pct(rate)}<br><small>[${pct(low)}, ${pct(high)}]</small></td>`;
  };
  const head = bots.map((b) => `<th>${esc(b)}</th>`).join('');
  const rows = bots.map((a) => `<tr><th>${esc(a)}</th>${bots.map((b) => cell(a, b)).join('')}</tr>`).join('\n');
  return `<table id="win-rates" class="matrix"><tr><th>row vs column</th>${head}</tr>\n${rows}</table>`;
}

/**
 * standings.html: ratings with their uncertainty, the rating history over the games, the pairwise score-rate
 * matrix with Wilson 95% intervals, invalid actions and forfeits per bot, and every game with a link that opens
 * its replay in the viewer (`replays/game-<i>.html`, written by `botswarm view` beside the replay) when it exists.
 * One file, no script, no external asset.
 */
export function formatStandingsHtml(
  s: Standings,
  records: readonly GameRecord[],
  viewExists: (replay: string) => boolean,
): string {
  const games = [...records].sort((a, b) => a.index - b.index);
  const botIndex = new Map(s.tournament.bots.map((b, i) => [b, i]));
  const forfeits = s.tournament.bots.map(() => 0);
  for (const g of games)
    for (const seat of forfeitSeats(g)) if (g.seats[seat] !== undefined) forfeits[g.seats[seat]!]!++;
  const swatch = (bot: string) =>
    `<i class="swatch" style="background:${BOT_COLORS[(botIndex.get(bot) ?? 0) % BOT_COLORS.length]}"></i>`;
  const standings = s.bots
    .map(
      (b) =>
        `<tr><td>${b.rank}</td><td>${swatch(b.bot)}${esc(b.bot)}</td><td>${fixed(b.ordinal)}</td><td>${fixed(b.mu)} ± ${fixed(2 * b.sigma)}</td><td>${b.games}</td><td>${b.wins} / ${b.draws} / ${b.losses}</td><td>${pct(b.scoreRate)}</td><td>${fixed(b.avgScore)}</td><td>${fixed(b.avgRank)}</td><td>${b.invalidActions}</td><td>${forfeits[botIndex.get(b.bot) ?? 0]}</td></tr>`,
    )
    .join('\n');
  const listed = games.slice(0, LISTED_GAMES);
  const gameRows = listed
    .map((g) => {
      const view = g.replay?.replace(/\.json$/, '.html');
      const link = g.replay
        ? view && viewExists(view)
          ? `<a class="replay" href="${esc(view)}">watch</a>`
          : `<code>botswarm view ${esc(g.replay)}</code>`
        : '';
      const winner = g.winner === null ? 'draw' : esc(g.bots[g.winner] ?? String(g.winner));
      return `<tr><td>${g.index}</td><td>${g.bots.map(esc).join(' vs ')}</td><td>${g.scores.join(' : ')}</td><td>${winner}</td><td>${link}</td></tr>`;
    })
    .join('\n');
  const more =
    games.length > listed.length ? `<p>… and ${games.length - listed.length} more games in results.jsonl.</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(s.tournament.name)} standings</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}
td,th{border:1px solid #cfd8dc;padding:3px 8px;text-align:right}
th{background:#eceff1}
td:nth-child(2){text-align:left}
.matrix td{text-align:center;min-width:90px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}
</style></head><body>
<h1>${esc(heading(s))}</h1>
<h2>Standings</h2>
<p>Rating: openskill μ ± 2σ (about 95%); the ordinal μ − 3σ orders the table.</p>
<table id="standings"><tr><th>#</th><th>bot</th><th>ordinal</th><th>rating μ ± 2σ</th><th>games</th><th>W / D / L</th><th>score</th><th>avg score</th><th>avg rank</th><th>invalid actions</th><th>forfeits</th></tr>
${standings}</table>
<h2>Rating history</h2>
<p>μ of each bot after each share of the games (bands: ± σ).</p>
${ratingHistorySvg(s, games)}
<h2>Score rate, row against column</h2>
<p>Wins plus half the draws over the games the two met in, with the Wilson 95% interval.</p>
${winRateMatrix(s)}
<h2>Games</h2>
<table id="games"><tr><th>game</th><th>seats</th><th>scores</th><th>winner</th><th>replay</th></tr>
${gameRows}</table>${more}
</body></html>
`;
}
