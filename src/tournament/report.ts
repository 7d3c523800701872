import { join } from 'node:path';
import type { Standings } from './ratings.ts';
import { writeFileAtomic } from './results.ts';

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

/** standings.json, standings.csv and standings.md in `dir`. */
export function writeStandings(dir: string, s: Standings): void {
  writeFileAtomic(join(dir, 'standings.json'), `${JSON.stringify(s, null, 2)}\n`);
  writeFileAtomic(join(dir, 'standings.csv'), formatStandingsCsv(s));
  writeFileAtomic(join(dir, 'standings.md'), formatStandingsMarkdown(s));
}
