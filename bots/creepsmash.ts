import type { BotDefinition } from '../src/core/strategy.ts';
import { Setting, settingsSchema } from '../src/game/settings.ts';
import type { CreepSmashAction, CreepSmashObservation } from '../src/games/creepsmash/index.ts';
import { createHeuristicStrategy, createRandomStrategy, createSearchStrategy } from '../strategies/creepsmash/index.ts';

export const creepsmashBots: BotDefinition<CreepSmashObservation, CreepSmashAction>[] = [
  {
    name: 'creepsmash-random',
    game: 'creepsmash',
    description: 'every `every` ticks one random affordable command: a tower, an upgrade, a creep or a strategy',
    params: settingsSchema({
      every: Setting.integer({ min: 1, max: 100_000, default: 20, help: 'ticks between decisions' }),
      activity: Setting.number({ min: 0, max: 1, default: 0.7, help: 'chance of a command at a decision' }),
    }),
    create: createRandomStrategy,
  },
  {
    name: 'creepsmash-heuristic',
    game: 'creepsmash',
    description: 'towers where the path passes most, upgrades by damage per credit, creeps when the defence holds',
    params: settingsSchema({
      every: Setting.integer({ min: 1, max: 100_000, default: 10, help: 'ticks between decisions' }),
      reserve: Setting.number({ min: 0, max: 100, default: 0.1, help: 'share of its income kept unspent' }),
      attack: Setting.number({ min: 0, max: 1, default: 0.6, help: 'share of the surplus spent on creeps' }),
    }),
    create: createHeuristicStrategy,
  },
  {
    name: 'creepsmash-search',
    game: 'creepsmash',
    description: 'every `every` ticks plays each macro action (wait, defend, send a creep) `horizon` ticks ahead',
    params: settingsSchema({
      every: Setting.integer({ min: 1, max: 100_000, default: 200, help: 'ticks between searches' }),
      horizon: Setting.integer({ min: 1, max: 100_000, default: 1200, help: 'ticks each candidate is played ahead' }),
      creeps: Setting.integer({ min: 0, max: 16, default: 3, help: 'dearest affordable creeps tried as candidates' }),
    }),
    create: createSearchStrategy,
  },
];
