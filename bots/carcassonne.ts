import type { BotDefinition } from '../src/core/strategy.ts';
import { Setting, settingsSchema } from '../src/game/settings.ts';
import type { CarcassonneAction, CarcassonneObservation } from '../src/games/carcassonne/index.ts';
import { createGreedyStrategy, createRandomStrategy } from '../strategies/carcassonne/index.ts';
import { carcassonneMctsBot } from '../strategies/carcassonne/mcts.ts';

export const carcassonneBots: BotDefinition<CarcassonneObservation, CarcassonneAction>[] = [
  {
    name: 'carcassonne-random',
    game: 'carcassonne',
    description: 'a random legal placement, then a follower on a random free segment or none (baseline)',
    create: createRandomStrategy,
  },
  {
    name: 'carcassonne-greedy',
    game: 'carcassonne',
    description: 'best value after one move: score + pending end score + a bonus for followers kept in hand',
    params: settingsSchema({
      reserve: Setting.number({ min: 0, max: 100, default: 1.5, help: 'points a follower still in hand is worth' }),
      reserveCap: Setting.integer({
        min: 0,
        max: 50,
        default: 3,
        help: 'followers in hand that count for the reserve at most',
      }),
    }),
    create: createGreedyStrategy,
  },
  carcassonneMctsBot,
];
