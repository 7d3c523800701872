import type { BotDefinition } from '../src/core/strategy.ts';
import type { GalaxAction, GalaxObservation } from '../src/games/galax/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../strategies/galax/index.ts';
import { galaxMctsBot } from '../strategies/galax/mcts.ts';

export const galaxBots: BotDefinition[] = [
  {
    name: 'galax-random',
    game: 'galax',
    description: 'sends random shares of its ships from random planets to random planets (always legal)',
    params: { activity: 0.5 },
    create: createRandomStrategy,
  } satisfies BotDefinition<GalaxObservation, GalaxAction> as BotDefinition,
  {
    name: 'galax-heuristic',
    game: 'galax',
    description: 'greedy: keeps a reserve, takes the cheapest productive planets it can surely win, feeds the front',
    params: { margin: 0.15, reserve: 1, horizon: 6, minReserve: 1 },
    create: createHeuristicStrategy,
  } satisfies BotDefinition<GalaxObservation, GalaxAction> as BotDefinition,
  galaxMctsBot as BotDefinition,
];
