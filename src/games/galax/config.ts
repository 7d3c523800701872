import { boolField, ConfigError, checkKnownFields, intField } from '../../core/engine.ts';
import type { GalaxConfig, Visibility } from './types.ts';

/**
 * Defaults: a 16 x 16 field with 12 planets gives 2 to 8 players room to expand before they meet (trips of 1 to
 * 11 years at speed 2); 200 years and the home / independent figures are those of the rules decision
 * (docs/protocols/galax.md, after KDE Konquest and Planet Wars).
 */
export function defaultConfig(): GalaxConfig {
  return {
    width: 16,
    height: 16,
    planets: 12,
    maxYear: 200,
    moveTimeoutMs: 10_000,
    surprise: true,
    visibility: 'full',
    homeShips: 10,
    homeProduction: 10,
    neutralShipsMin: 5,
    neutralShipsMax: 20,
    neutralProductionMin: 1,
    neutralProductionMax: 5,
  };
}

const FIELDS = Object.keys(defaultConfig());
const VISIBILITIES: readonly Visibility[] = ['full', 'fog'];

/** A partial config over the defaults; throws `ConfigError` naming the first bad field. */
export function parseConfig(raw: unknown): GalaxConfig {
  const r = checkKnownFields(raw, FIELDS);
  const d = defaultConfig();
  const width = intField(r, 'width', d.width, 1, 1000);
  const height = intField(r, 'height', d.height, 1, 1000);
  const planets = intField(r, 'planets', d.planets, 2, 1000);
  if (planets > width * height) {
    throw new ConfigError('planets', `${planets} planets do not fit on a ${width} x ${height} field (one per cell)`);
  }
  const visibility = r.visibility === undefined ? d.visibility : r.visibility;
  if (!VISIBILITIES.includes(visibility as Visibility)) {
    throw new ConfigError('visibility', `must be "full" or "fog", got ${JSON.stringify(visibility)}`);
  }
  const config: GalaxConfig = {
    width,
    height,
    planets,
    // Years; the game ends when the year reaches it (200 -> move phases 0.0 .. 199.0).
    maxYear: intField(r, 'maxYear', d.maxYear, 1, 100_000),
    moveTimeoutMs: intField(r, 'moveTimeoutMs', d.moveTimeoutMs, 1, 86_400_000),
    surprise: boolField(r, 'surprise', d.surprise),
    visibility: visibility as Visibility,
    homeShips: intField(r, 'homeShips', d.homeShips, 0, 1_000_000),
    homeProduction: intField(r, 'homeProduction', d.homeProduction, 0, 1_000_000),
    neutralShipsMin: intField(r, 'neutralShipsMin', d.neutralShipsMin, 0, 1_000_000),
    neutralShipsMax: intField(r, 'neutralShipsMax', d.neutralShipsMax, 0, 1_000_000),
    neutralProductionMin: intField(r, 'neutralProductionMin', d.neutralProductionMin, 0, 1_000_000),
    neutralProductionMax: intField(r, 'neutralProductionMax', d.neutralProductionMax, 0, 1_000_000),
  };
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
