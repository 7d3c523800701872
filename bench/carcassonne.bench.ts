/**
 * Carcassonne engine throughput: whole two-player games played in-process by `runMatch` (draw, observe, decide,
 * validate, apply every turn) on one core, base game (72 tiles), a new seed per game.
 */

import { runMatch } from '../src/core/match.ts';
import type { StrategyFactory } from '../src/core/strategy.ts';
import {
  type CarcassonneAction,
  type CarcassonneObservation,
  carcassonneEngine,
} from '../src/games/carcassonne/index.ts';
import { createGreedyStrategy, createRandomStrategy } from '../strategies/carcassonne/index.ts';
import type { Bench, BenchResult } from './harness.ts';

const GROUP = 'Carcassonne';

async function gamesPerSecond(factory: StrategyFactory<CarcassonneObservation, CarcassonneAction>, ms: number) {
  const config = carcassonneEngine.defaultConfig();
  let games = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    const bots = [factory({ params: {} }), factory({ params: {} })];
    await runMatch({ engine: carcassonneEngine, config, players: bots, seed: games });
    games++;
    elapsed = performance.now() - started;
  }
  return { rate: (games * 1000) / elapsed, games };
}

export const run: Bench = async () => {
  const results: BenchResult[] = [];
  await gamesPerSecond(createRandomStrategy, 700);
  const random = await gamesPerSecond(createRandomStrategy, 3000);
  results.push({
    group: GROUP,
    name: '2 players, random bots: full games/s (1 core)',
    value: Math.round(random.rate),
    unit: 'games/s',
    target: '>= 500',
    note: `${random.games} games of 71 draws and ~71 placements; the cost is the copy of the board arrays per placement`,
  });
  const greedy = await gamesPerSecond(createGreedyStrategy, 3000);
  results.push({
    group: GROUP,
    name: '2 players, greedy bots: full games/s (1 core)',
    value: Math.round(greedy.rate * 10) / 10,
    unit: 'games/s',
    note: `${greedy.games} games; greedy applies and scores every (placement, follower) action each turn`,
  });
  return results;
};
