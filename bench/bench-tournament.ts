import { join } from 'node:path';
import { loadTournament } from '../src/tournament/index.ts';

/** The tournament the tournament and distributed benches play: Galax, random against heuristic, `games` games. */
export function benchTournament(games: number) {
  return loadTournament({
    source: 'bench',
    baseDir: join(import.meta.dirname, '..'),
    raw: { name: 'bench', game: 'galax', bots: ['random', 'heuristic'], games, seed: 'bench' },
  });
}
