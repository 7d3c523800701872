/**
 * Galax engine throughput: whole games played in-process by `runMatch` (observe, decide, validate, apply for every
 * seat every year) on one core, default config (16 x 16, 12 planets, maxYear 200), a new seed per game.
 */

import { galaxEngine } from '../src/games/galax/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../strategies/galax/index.ts';
import { type Bench, type BenchResult, fullGamesPerSecond } from './harness.ts';

const GROUP = 'Galax engine';

export const run: Bench = async () => {
  const results: BenchResult[] = [];
  const cases = [
    { label: 'random', factory: createRandomStrategy, players: 2, target: '>= 2000' },
    { label: 'heuristic', factory: createHeuristicStrategy, players: 2 },
    { label: 'random', factory: createRandomStrategy, players: 4 },
    { label: 'heuristic', factory: createHeuristicStrategy, players: 4 },
  ] as const;
  for (const c of cases) {
    // Warm-up so that the figure is the optimised code's, not the interpreter's.
    await fullGamesPerSecond(galaxEngine, c.factory, c.players, 700);
    const { rate, steps: years, games } = await fullGamesPerSecond(galaxEngine, c.factory, c.players, 3000);
    results.push({
      group: GROUP,
      name: `${c.players} players, ${c.label} bots: full games/s (1 core)`,
      value: Math.round(rate),
      unit: 'games/s',
      ...('target' in c ? { target: c.target } : {}),
      note:
        c.label === 'random'
          ? `${games} games; the cost is per year: observe + validate + apply, the runner's Map per step, and battle reports (one object per volley)`
          : `${games} games; the heuristic's decision (all source x target pairs, battle simulation per pair) dominates`,
    });
    results.push({
      group: GROUP,
      name: `${c.players} players, ${c.label} bots: average years per game`,
      value: Math.round(years * 10) / 10,
      unit: 'years',
      note: 'maxYear 200; games end earlier when one player is left',
    });
  }
  return results;
};
