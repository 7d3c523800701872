/**
 * Carcassonne engine throughput: whole two-player games played in-process by `runMatch` (draw, observe, decide,
 * validate, apply every turn) on one core, base game (72 tiles), a new seed per game.
 */

import { carcassonneEngine } from '../src/games/carcassonne/index.ts';
import { createGreedyStrategy, createRandomStrategy } from '../strategies/carcassonne/index.ts';
import { type Bench, type BenchResult, fullGamesPerSecond } from './harness.ts';

const GROUP = 'Carcassonne';

export const run: Bench = async () => {
  const results: BenchResult[] = [];
  await fullGamesPerSecond(carcassonneEngine, createRandomStrategy, 2, 700);
  const random = await fullGamesPerSecond(carcassonneEngine, createRandomStrategy, 2, 3000);
  results.push({
    group: GROUP,
    name: '2 players, random bots: full games/s (1 core)',
    value: Math.round(random.rate),
    unit: 'games/s',
    target: '>= 500',
    note: `${random.games} games of 71 draws and ~71 placements; the cost is the copy of the board arrays per placement`,
  });
  const greedy = await fullGamesPerSecond(carcassonneEngine, createGreedyStrategy, 2, 3000);
  results.push({
    group: GROUP,
    name: '2 players, greedy bots: full games/s (1 core)',
    value: Math.round(greedy.rate * 10) / 10,
    unit: 'games/s',
    note: `${greedy.games} games; greedy applies and scores every (placement, follower) action each turn`,
  });
  return results;
};
