import type { BotDefinition } from '../src/core/strategy.ts';
import { Setting, settingsSchema } from '../src/game/settings.ts';
import type { CatanAction, CatanObservation } from '../src/games/catan/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../strategies/catan/index.ts';
import { catanMctsBot } from '../strategies/catan/mcts.ts';

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
    params: settingsSchema({
      points: Setting.number({ min: 0, max: 10_000, default: 100, help: 'weight of a victory point' }),
      production: Setting.number({ min: 0, max: 1000, default: 3, help: 'weight of expected production per roll' }),
      variety: Setting.number({ min: 0, max: 1000, default: 6, help: 'weight of producing many resource kinds' }),
      expansion: Setting.number({ min: 0, max: 1000, default: 8, help: 'weight of places left to build on' }),
      development: Setting.number({ min: 0, max: 1000, default: 9, help: 'weight of development cards and army' }),
    }),
    create: createHeuristicStrategy,
  },
  catanMctsBot,
];
