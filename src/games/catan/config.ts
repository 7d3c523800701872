import { ConfigError, readSettings, Setting, settingsSchema } from '../../game/settings.ts';
import type { CatanConfig } from './types.ts';

/** Rule sets that are planned but not built yet get their own message rather than "unknown". */
const PLANNED_RULES: readonly string[] = ['cities-and-knights'];

/**
 * The game's settings. Defaults: the base rules, a seeded random layout (as Catanatron plays, so game lengths
 * compare), 10 points, and a turn limit of 1000 player turns (Catanatron's TURNS_LIMIT) that only bots that never
 * build reach.
 */
export const catanSettings = settingsSchema(
  {
    rules: Setting.text({ default: 'base', maxLength: 64, help: 'rule set: base (cities-and-knights is planned)' }),
    map: Setting.oneOf(['beginner', 'random'], {
      default: 'random',
      help: 'beginner: the rulebook layout; random: a seeded layout (no 6 or 8 next to a 6 or 8)',
    }),
    vpToWin: Setting.integer({ min: 3, max: 30, default: 10, help: 'victory points that win on your own turn' }),
    maxTurns: Setting.integer({
      min: 1,
      max: 100_000,
      default: 1000,
      help: 'the game ends after this many player turns, ranked by points',
    }),
    maxOffersPerTurn: Setting.integer({
      min: 0,
      max: 20,
      default: 2,
      help: 'player-to-player trade offers one player may make in a turn',
    }),
  },
  { title: 'Catan settings' },
);

export function defaultConfig(): CatanConfig {
  return parseConfig({});
}

export function parseConfig(raw: unknown): CatanConfig {
  const config = readSettings(catanSettings, raw);
  if (config.rules !== 'base') {
    if (PLANNED_RULES.includes(config.rules)) {
      throw new ConfigError('rules', `"${config.rules}" is not implemented yet (only "base" is)`);
    }
    throw new ConfigError('rules', `must be "base", got ${JSON.stringify(config.rules)}`);
  }
  return config as CatanConfig;
}
