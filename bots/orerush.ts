import type { BotDefinition } from '../src/core/strategy.ts';
import { Setting, settingsSchema } from '../src/game/settings.ts';
import type { OreRushAction, OreRushObservation } from '../src/games/orerush/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../strategies/orerush/index.ts';
import { orerushMctsBot } from '../strategies/orerush/mcts.ts';

export const orerushBots: BotDefinition<OreRushObservation, OreRushAction>[] = [
  {
    name: 'orerush-random',
    game: 'orerush',
    description: 'random legal commands for every robot (baseline)',
    create: createRandomStrategy,
  },
  {
    name: 'orerush-heuristic',
    game: 'orerush',
    description: 'miner: radars on a lattice, digs the best known ore, avoids holes an enemy may have trapped',
    params: settingsSchema({
      radarReserve: Setting.integer({
        min: 0,
        max: 1000,
        default: 2,
        help: 'known safe ore units per robot below which a radar is fetched',
      }),
    }),
    create: createHeuristicStrategy,
  },
  orerushMctsBot,
];
