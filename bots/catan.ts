import type { BotDefinition } from '../src/core/strategy.ts';
import type { CatanAction, CatanObservation } from '../src/games/catan/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../strategies/catan/index.ts';

export const catanBots: BotDefinition<CatanObservation, CatanAction>[] = [
  {
    name: 'catan-random',
    game: 'catan',
    description: "a uniformly random legal action, as Catanatron's RandomPlayer (baseline)",
    create: createRandomStrategy,
  },
  {
    name: 'catan-heuristic',
    game: 'catan',
    description: 'one-ply search with a value over points, production, expansion and development; robber on the leader',
    params: { points: 100, production: 3, variety: 6, expansion: 8, development: 9 },
    create: createHeuristicStrategy,
  },
];
