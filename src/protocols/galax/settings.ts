/**
 * The Galax reference server's settings (`botswarm serve galax --set key=value`), declared once as a settings
 * schema: the server's own keys, and every game setting of the engine (checked by its schema, as `play` checks
 * them). docs/protocols/galax.md §10.7 is checked against both by a test.
 */

import {
  checkKnownKeys,
  readSettings,
  Setting,
  type SettingInput,
  settingNames,
  settingsSchema,
} from '../../game/settings.ts';
import { galaxSettings } from '../../games/galax/config.ts';
import { type GalaxConfig, galaxEngine } from '../../games/galax/index.ts';

/**
 * The server's integer limits. Every millisecond setting has a maximum: Node fires a timer of 2^31 ms or more
 * after 1 ms.
 */
export const galaxServerLimits = settingsSchema({
  maxPlayers: Setting.integer({
    min: 2,
    max: galaxEngine.maxPlayers,
    default: galaxEngine.maxPlayers,
    help: 'players per game',
  }),
  maxGames: Setting.integer({ min: 1, max: 1_000_000, default: 1000, help: 'games open or running at once' }),
  maxConnections: Setting.integer({ min: 0, max: 10_000_000, default: 10_000, help: '0 = unlimited' }),
  idleTimeoutMs: Setting.integer({
    min: 0,
    max: 86_400_000,
    default: 600_000,
    help: 'nothing received for this long closes the connection; 0 = never',
  }),
});

export const galaxServerSettings = settingsSchema(
  {
    seed: Setting.optional(
      Setting.seed({
        default: 1,
        help: 'game k uses seed deriveSeed(seed, k); a decimal integer is taken as a number',
      }),
    ),
    gameSeed: Setting.optional(Setting.seed({ help: 'if set, every game uses exactly this seed' })),
    ...galaxServerLimits.properties,
    // The name goes out in GSRV, the rest of a line: printable ASCII, at most 64 characters.
    name: Setting.optional(
      Setting.text({
        maxLength: 64,
        pattern: '^[\\x20-\\x7e]+$',
        patternHint: 'printable ASCII',
        default: 'botswarm',
        help: 'server name in GSRV',
      }),
    ),
  },
  { title: 'Galax server settings' },
);

/** The server's own `--set` keys; every engine config field is a setting too. */
export const SERVER_SETTINGS: readonly string[] = settingNames(galaxServerSettings);

type Limits = { maxPlayers: number; maxGames: number; maxConnections: number; idleTimeoutMs: number };

/** The server's limits, defaults filled in, each checked against its range (options from code, or text). */
export function serverLimits(options: Readonly<Partial<Record<keyof Limits, SettingInput>>>): Limits {
  const given: Record<string, SettingInput> = {};
  for (const key of settingNames(galaxServerLimits)) given[key] = options[key as keyof Limits];
  return readSettings(galaxServerLimits, given);
}

export interface ParsedGalaxServerSettings extends Partial<Limits> {
  seed?: string | number;
  gameSeed?: string | number;
  name?: string;
  config: GalaxConfig;
}

/**
 * Server options from `--set key=value` pairs (text from the command line, or typed values from code): the
 * server's own keys and every game setting. Throws ConfigError naming an unknown key, or a bad value's key and
 * the range it must be in.
 */
export function parseServerSettings(raw: Readonly<Record<string, SettingInput>>): ParsedGalaxServerSettings {
  const serverKeys = settingNames(galaxServerSettings);
  const engineKeys = settingNames(galaxSettings);
  checkKnownKeys(raw, [...serverKeys, ...engineKeys]);
  const own: Record<string, SettingInput> = {};
  const game: Record<string, SettingInput> = {};
  for (const [key, value] of Object.entries(raw)) (serverKeys.includes(key) ? own : game)[key] = value;
  const server = readSettings(galaxServerSettings, own);
  return { ...server, config: galaxEngine.parseConfig(game) };
}
