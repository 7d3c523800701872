import type { BotDefinition } from '../src/core/strategy.ts';
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
    params: { radarReserve: 2 },
    create: createHeuristicStrategy,
  },
  orerushMctsBot,
];
