import { describe, expect, it } from 'vitest';
import { computeStandings } from '../../src/tournament/ratings.ts';
import { formatStandingsHtml } from '../../src/tournament/report.ts';
import type { GameRecord, TournamentDefinition } from '../../src/tournament/types.ts';

const definition = {
  name: 'html',
  game: 'galax',
  format: 'round-robin',
  bots: ['alpha', 'beta', 'gamma'],
  players: 2,
  games: 2,
  seed: 1,
} as unknown as TournamentDefinition;

function record(index: number, seats: [number, number], winner: 0 | 1, extra: Partial<GameRecord> = {}): GameRecord {
  return {
    index,
    seed: index,
    round: 0,
    pairing: 0,
    seats,
    bots: seats.map((s) => definition.bots[s]!),
    winner,
    scores: winner === 0 ? [10, 2] : [2, 10],
    ranks: winner === 0 ? [1, 2] : [2, 1],
    steps: 5,
    invalidActions: [index === 1 ? 3 : 0, 0],
    durationMs: 1,
    engine: 'galax',
    engineVersion: '1',
    ...extra,
  };
}

describe('standings.html', () => {
  const records = [
    record(0, [0, 1], 0, { replay: 'replays/game-0.json' }),
    record(1, [1, 0], 1, { replay: 'replays/game-1.json' }),
    { ...record(2, [0, 2], 1), forfeits: [{ seat: 0, kind: 'error' as const, reason: 'error: threw' }] },
    record(3, [2, 1], 0),
  ];
  const standings = computeStandings(definition, records, 6);
  const html = formatStandingsHtml(standings, records, (view) => view === 'replays/game-0.html');

  it('links a game to its viewer page when that page exists, else shows the command', () => {
    expect(html).toContain('<a class="replay" href="replays/game-0.html">watch</a>');
    expect(html).toContain('<code>botswarm view replays/game-1.json</code>');
    expect(html.match(/class="replay"/g)).toHaveLength(1);
  });

  it('has the rating history of every bot from game 0 to the last, and the pairwise matrix with intervals', () => {
    const lines = [...html.matchAll(/<polyline class="series" data-bot="(\w+)" points="([^"]+)"/g)];
    expect(lines.map((m) => m[1])).toEqual(['alpha', 'beta', 'gamma']);
    for (const m of lines) expect(m[2]!.split(' ')).toHaveLength(records.length + 1);
    // alpha beat beta twice: 100% with a Wilson interval below 100% on its low side.
    expect(html).toMatch(/<td style="[^"]+" title="2 games">100\.0%<br><small>\[\d+\.\d%, 100\.0%\]<\/small><\/td>/);
    expect(html).toMatch(/<td style="[^"]+" title="2 games">0\.0%<br><small>\[0\.0%, \d+\.\d%\]<\/small><\/td>/);
  });

  it('counts illegal actions and forfeits per bot', () => {
    const row = (bot: string) =>
      new RegExp(
        `<tr><td>\\d</td><td><i[^>]*></i>${bot}</td>(?:<td>[^<]*</td>){7}<td>(\\d+)</td><td>(\\d+)</td></tr>`,
      ).exec(html)!;
    expect(row('beta').slice(1)).toEqual(['3', '0']);
    expect(row('alpha').slice(1)).toEqual(['0', '1']);
    expect(row('gamma').slice(1)).toEqual(['0', '0']);
  });
});
