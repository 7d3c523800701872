import { ConfigError, readSettings, Setting, settingsSchema } from '../../game/settings.ts';
import { ORE_KINDS, type OreRushConfig } from './types.ts';

const int = (min: number, max: number, value: number, help: string) =>
  Setting.integer({ min, max, default: value, help });

/**
 * The game's settings. Defaults from the Ore Rush rule document and the CodinGame game it follows (Unleash the
 * Geek): a 15 x 30 grid, 5 robots, 200 rounds, ore worth 1/2/4/6/9, moves of 4, digs at distance 1, radar vision
 * 5, trap trigger 1 / blast 1 / chain 2. Vein figures and cooldowns are botswarm's (docs/protocols/orerush.md).
 */
export const orerushSettings = settingsSchema(
  {
    // Two columns at least: the headquarters column holds no ore.
    width: int(2, 200, 30, 'grid width (column 0 is the headquarters)'),
    height: int(1, 200, 15, 'grid height'),
    robots: int(1, 50, 5, 'robots per player'),
    rounds: int(1, 100_000, 200, 'rounds in a game'),
    oreValues: Setting.integers({
      count: ORE_KINDS.length,
      min: 0,
      max: 1_000_000,
      default: [1, 2, 4, 6, 9],
      help: `points per unit of ${ORE_KINDS.join(', ')}`,
    }),
    veins: int(0, 10_000, 14, 'ore veins on the grid'),
    veinSizeMin: int(1, 1000, 3, 'least cells in a vein'),
    veinSizeMax: int(1, 1000, 8, 'most cells in a vein'),
    oreMin: int(1, 1000, 1, 'least ore in a vein cell'),
    oreMax: int(1, 1000, 3, 'most ore in a vein cell'),
    moveRange: int(1, 1000, 4, 'cells a robot moves in a round'),
    digRange: int(0, 1000, 1, 'distance at which a robot digs'),
    radarRange: int(0, 1000, 5, 'distance a radar sees'),
    radarCooldown: int(0, 100_000, 5, 'rounds before a player may request another radar'),
    trapCooldown: int(0, 100_000, 5, 'rounds before a player may request another trap'),
    trapTrigger: int(0, 1000, 1, 'distance at which a trap goes off'),
    trapBlast: int(0, 1000, 1, 'distance a trap destroys robots at'),
    trapChain: int(0, 1000, 2, 'distance at which a trap sets off another'),
  },
  { title: 'Ore Rush settings' },
);

export const CONFIG_FIELDS: readonly string[] = Object.keys(orerushSettings.properties);

export function defaultConfig(): OreRushConfig {
  return parseConfig({});
}

function orderedPair(min: number, max: number, maxField: string, minField: string) {
  if (max < min) throw new ConfigError(maxField, `must be at least ${minField} (${min}), got ${max}`);
}

/** A partial config over the defaults (text or typed values); throws `ConfigError` naming the first bad field. */
export function parseConfig(raw: unknown): OreRushConfig {
  const config: OreRushConfig = readSettings(orerushSettings, raw);
  orderedPair(config.veinSizeMin, config.veinSizeMax, 'veinSizeMax', 'veinSizeMin');
  orderedPair(config.oreMin, config.oreMax, 'oreMax', 'oreMin');
  return config;
}
