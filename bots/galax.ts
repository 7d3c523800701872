import type { BotDefinition } from '../src/core/strategy.ts';
import { Setting, settingsSchema } from '../src/game/settings.ts';
import type { GalaxAction, GalaxObservation } from '../src/games/galax/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../strategies/galax/index.ts';
import { galaxMctsBot } from '../strategies/galax/mcts.ts';

export const galaxBots: BotDefinition<GalaxObservation, GalaxAction>[] = [
  {
    name: 'galax-random',
    game: 'galax',
    description: 'sends random shares of its ships from random planets to random planets (always legal)',
    params: settingsSchema({
      activity: Setting.number({
        min: 0,
        max: 1,
        default: 0.5,
        help: 'chance of sending any fleet in a year',
      }),
    }),
    create: createRandomStrategy,
  },
  {
    name: 'galax-heuristic',
    game: 'galax',
    description: 'greedy: keeps a reserve, takes the cheapest productive planets it can surely win, feeds the front',
    params: settingsSchema({
      margin: Setting.number({
        min: 0,
        max: 10,
        default: 0.15,
        help: 'extra share of ships over what a conquest of an enemy planet needs',
      }),
      reserve: Setting.number({
        min: 0,
        max: 100,
        default: 1,
        help: 'factor on the enemy ships within reach kept home as a reserve',
      }),
      horizon: Setting.number({
        min: 0,
        max: 1000,
        default: 6,
        help: 'years of travel within which an enemy garrison is a threat',
      }),
      minReserve: Setting.number({
        min: 0,
        max: 1_000_000,
        default: 1,
        help: 'years of its own production a planet keeps at least',
      }),
    }),
    create: createHeuristicStrategy,
  },
  galaxMctsBot,
];
