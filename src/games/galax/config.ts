import { ConfigError, readSettings, Setting, settingsSchema } from '../../game/settings.ts';
import type { GalaxConfig } from './types.ts';

const COUNT = 1_000_000;

/**
 * The game's settings. Defaults: a 16 x 16 field with 12 planets gives 2 to 8 players room to expand before
 * they meet (trips of 1 to 11 years at speed 2); 200 years and the home / independent figures are those of the
 * rules decision (docs/protocols/galax.md, after KDE Konquest and Planet Wars).
 */
export const galaxSettings = settingsSchema(
  {
    width: Setting.integer({ min: 1, max: 1000, default: 16, help: 'field width in cells' }),
    height: Setting.integer({ min: 1, max: 1000, default: 16, help: 'field height in cells' }),
    planets: Setting.integer({ min: 2, max: 1000, default: 12, help: 'planets, home planets included' }),
    // Years; the game ends when the year reaches it (200 -> move phases 0.0 .. 199.0).
    maxYear: Setting.integer({ min: 1, max: 100_000, default: 200, help: 'the game ends when this year begins' }),
    moveTimeoutMs: Setting.integer({
      min: 1,
      max: 86_400_000,
      default: 10_000,
      help: 'a move phase ends this long after it began',
    }),
    surprise: Setting.boolean({ default: true, help: 'a fleet whose trip took under one year fires first' }),
    visibility: Setting.oneOf(['full', 'fog'], {
      default: 'full',
      help: 'fog: ships and production only of your own planets are shown',
    }),
    homeShips: Setting.integer({ min: 0, max: COUNT, default: 10, help: 'ships on a home planet at the start' }),
    homeProduction: Setting.integer({ min: 0, max: COUNT, default: 10, help: 'ships a home planet builds a year' }),
    neutralShipsMin: Setting.integer({ min: 0, max: COUNT, default: 5, help: 'least ships on an independent planet' }),
    neutralShipsMax: Setting.integer({ min: 0, max: COUNT, default: 20, help: 'most ships on an independent planet' }),
    neutralProductionMin: Setting.integer({
      min: 0,
      max: COUNT,
      default: 1,
      help: 'least production of an independent planet',
    }),
    neutralProductionMax: Setting.integer({
      min: 0,
      max: COUNT,
      default: 5,
      help: 'most production of an independent planet',
    }),
  },
  { title: 'Galax settings' },
);

export function defaultConfig(): GalaxConfig {
  return parseConfig({});
}

/** A partial config over the defaults (text or typed values); throws `ConfigError` naming the first bad field. */
export function parseConfig(raw: unknown): GalaxConfig {
  const config: GalaxConfig = readSettings(galaxSettings, raw);
  const { width, height, planets } = config;
  if (planets > width * height) {
    throw new ConfigError('planets', `${planets} planets do not fit on a ${width} x ${height} field (one per cell)`);
  }
  if (config.neutralShipsMax < config.neutralShipsMin) {
    throw new ConfigError(
      'neutralShipsMax',
      `must be at least neutralShipsMin (${config.neutralShipsMin}), got ${config.neutralShipsMax}`,
    );
  }
  if (config.neutralProductionMax < config.neutralProductionMin) {
    throw new ConfigError(
      'neutralProductionMax',
      `must be at least neutralProductionMin (${config.neutralProductionMin}), got ${config.neutralProductionMax}`,
    );
  }
  return config;
}
