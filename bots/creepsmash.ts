import type { BotDefinition } from '../src/core/strategy.ts';
import type { CreepSmashAction, CreepSmashObservation } from '../src/games/creepsmash/index.ts';
import { createHeuristicStrategy, createRandomStrategy, createSearchStrategy } from '../strategies/creepsmash/index.ts';

export const creepsmashBots: BotDefinition[] = [
  {
    name: 'creepsmash-random',
    game: 'creepsmash',
    description: 'every `every` ticks one random affordable command: a tower, an upgrade, a creep or a strategy',
    params: { every: 20, activity: 0.7 },
    create: createRandomStrategy,
  } satisfies BotDefinition<CreepSmashObservation, CreepSmashAction> as BotDefinition,
  {
    name: 'creepsmash-heuristic',
    game: 'creepsmash',
    description: 'towers where the path passes most, upgrades by damage per credit, creeps when the defence holds',
    params: { every: 10, reserve: 0.1, attack: 0.6 },
    create: createHeuristicStrategy,
  } satisfies BotDefinition<CreepSmashObservation, CreepSmashAction> as BotDefinition,
  {
    name: 'creepsmash-search',
    game: 'creepsmash',
    description: 'every `every` ticks plays each macro action (wait, defend, send a creep) `horizon` ticks ahead',
    params: { every: 100, horizon: 1200, creeps: 3 },
    create: createSearchStrategy,
  } satisfies BotDefinition<CreepSmashObservation, CreepSmashAction> as BotDefinition,
];
