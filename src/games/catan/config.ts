import { ConfigError, checkKnownFields, intField } from '../../core/engine.ts';
import type { CatanConfig, CatanMap } from './types.ts';

/**
 * Defaults: the base rules, a seeded random layout (as Catanatron plays, so game lengths compare), 10 points,
 * and a turn limit of 1000 player turns (Catanatron's TURNS_LIMIT) that only bots that never build reach.
 */
export function defaultConfig(): CatanConfig {
  return { rules: 'base', map: 'random', vpToWin: 10, maxTurns: 1000, maxOffersPerTurn: 2 };
}

const FIELDS = Object.keys(defaultConfig());
const MAPS: readonly CatanMap[] = ['beginner', 'random'];
/** Rule sets that are planned but not built yet get their own message rather than "unknown". */
const PLANNED_RULES: readonly string[] = ['cities-and-knights'];

export function parseConfig(raw: unknown): CatanConfig {
  const r = checkKnownFields(raw, FIELDS);
  const d = defaultConfig();
  const rules = r.rules ?? d.rules;
  if (rules !== 'base') {
    if (PLANNED_RULES.includes(rules as string)) {
      throw new ConfigError('rules', `"${rules}" is not implemented yet (only "base" is)`);
    }
    throw new ConfigError('rules', `must be "base", got ${JSON.stringify(rules)}`);
  }
  const map = r.map ?? d.map;
  if (!MAPS.includes(map as CatanMap)) {
    throw new ConfigError('map', `must be "beginner" or "random", got ${JSON.stringify(map)}`);
  }
  return {
    rules,
    map: map as CatanMap,
    vpToWin: intField(r, 'vpToWin', d.vpToWin, 3, 30),
    maxTurns: intField(r, 'maxTurns', d.maxTurns, 1, 100_000),
    maxOffersPerTurn: intField(r, 'maxOffersPerTurn', d.maxOffersPerTurn, 0, 20),
  };
}
