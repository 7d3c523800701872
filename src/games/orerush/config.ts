import { ConfigError, checkKnownFields, intField } from '../../core/engine.ts';
import { ORE_KINDS, type OreRushConfig } from './types.ts';

/**
 * Defaults from the Ore Rush rule document and the CodinGame game it follows (Unleash the Geek): a 15 x 30
 * grid, 5 robots, 200 rounds, ore worth 1/2/4/6/9, moves of 4, digs at distance 1, radar vision 5, trap
 * trigger 1 / blast 1 / chain 2. Vein figures and cooldowns are botswarm's (docs/protocols/orerush.md).
 */
export function defaultConfig(): OreRushConfig {
  return {
    width: 30,
    height: 15,
    robots: 5,
    rounds: 200,
    oreValues: [1, 2, 4, 6, 9],
    veins: 14,
    veinSizeMin: 3,
    veinSizeMax: 8,
    oreMin: 1,
    oreMax: 3,
    moveRange: 4,
    digRange: 1,
    radarRange: 5,
    radarCooldown: 5,
    trapCooldown: 5,
    trapTrigger: 1,
    trapBlast: 1,
    trapChain: 2,
  };
}

export const CONFIG_FIELDS: readonly string[] = Object.keys(defaultConfig());

function orderedPair(min: number, max: number, maxField: string, minField: string) {
  if (max < min) throw new ConfigError(maxField, `must be at least ${minField} (${min}), got ${max}`);
}

/** A partial config over the defaults; throws `ConfigError` naming the first bad field. */
export function parseConfig(raw: unknown): OreRushConfig {
  const r = checkKnownFields(raw, CONFIG_FIELDS);
  const d = defaultConfig();
  let oreValues = d.oreValues;
  if (r.oreValues !== undefined) {
    const v = r.oreValues;
    if (
      !Array.isArray(v) ||
      v.length !== ORE_KINDS.length ||
      !v.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1_000_000)
    ) {
      throw new ConfigError(
        'oreValues',
        `must be ${ORE_KINDS.length} integers from 0 to 1000000 (${ORE_KINDS.join(', ')}), got ${JSON.stringify(v)}`,
      );
    }
    oreValues = [...(v as number[])];
  }
  const config: OreRushConfig = {
    // Two columns at least: the headquarters column holds no ore.
    width: intField(r, 'width', d.width, 2, 200),
    height: intField(r, 'height', d.height, 1, 200),
    robots: intField(r, 'robots', d.robots, 1, 50),
    rounds: intField(r, 'rounds', d.rounds, 1, 100_000),
    oreValues,
    veins: intField(r, 'veins', d.veins, 0, 10_000),
    veinSizeMin: intField(r, 'veinSizeMin', d.veinSizeMin, 1, 1000),
    veinSizeMax: intField(r, 'veinSizeMax', d.veinSizeMax, 1, 1000),
    oreMin: intField(r, 'oreMin', d.oreMin, 1, 1000),
    oreMax: intField(r, 'oreMax', d.oreMax, 1, 1000),
    moveRange: intField(r, 'moveRange', d.moveRange, 1, 1000),
    digRange: intField(r, 'digRange', d.digRange, 0, 1000),
    radarRange: intField(r, 'radarRange', d.radarRange, 0, 1000),
    radarCooldown: intField(r, 'radarCooldown', d.radarCooldown, 0, 100_000),
    trapCooldown: intField(r, 'trapCooldown', d.trapCooldown, 0, 100_000),
    trapTrigger: intField(r, 'trapTrigger', d.trapTrigger, 0, 1000),
    trapBlast: intField(r, 'trapBlast', d.trapBlast, 0, 1000),
    trapChain: intField(r, 'trapChain', d.trapChain, 0, 1000),
  };
  orderedPair(config.veinSizeMin, config.veinSizeMax, 'veinSizeMax', 'veinSizeMin');
  orderedPair(config.oreMin, config.oreMax, 'oreMax', 'oreMin');
  return config;
}
