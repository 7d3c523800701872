/**
 * The Ore Rush reference server's settings (`botswarm serve orerush --set key=value`), declared once as a
 * settings schema: the server's own keys, and any game rule as the default of new games (read by the game's
 * schema, as `play` reads it). docs/protocols/orerush.md §9 is checked against it by a test.
 */

import {
  checkKnownKeys,
  readSettings,
  Setting,
  type SettingInput,
  settingNames,
  settingsSchema,
} from '../../game/settings.ts';
import { CONFIG_FIELDS, orerushSettings } from '../../games/orerush/config.ts';
import { orerushEngine } from '../../games/orerush/engine.ts';

const ms = (value: number, help: string) => Setting.integer({ min: 10, max: 86_400_000, default: value, help });

export const orerushServerSettings = settingsSchema(
  {
    pingIntervalMs: ms(1000, '`awake` to every connection this often'),
    silentTimeoutMs: ms(10_000, 'drop a client that has sent nothing for this long'),
    roundTimeoutMs: ms(60_000, 'default round deadline of new games'),
    maxGames: Setting.integer({ min: 1, max: 1_000_000, default: 1000, help: 'games open at once' }),
    maxConnections: Setting.integer({
      min: 1,
      max: 1_000_000,
      default: 5000,
      help: 'connections past this are closed at once',
    }),
    quickPlayers: Setting.integer({
      min: 1,
      max: orerushEngine.maxPlayers,
      default: 2,
      help: 'seats of a quick-match game (`reqst -1`)',
    }),
  },
  { title: 'Ore Rush server settings' },
);

export interface OreRushServerSettings {
  readonly pingIntervalMs: number;
  /** A client that sends nothing for this long is dropped. */
  readonly silentTimeoutMs: number;
  /** Default per-round move deadline of a new game. */
  readonly roundTimeoutMs: number;
  readonly maxGames: number;
  readonly maxConnections: number;
  /** Seats of a quick-match game (`reqst -1`); it starts when they are all taken. */
  readonly quickPlayers: number;
  /** Default rules of new games (any engine setting, e.g. `rounds`), typed. */
  readonly rules: Readonly<Record<string, unknown>>;
}

export const DEFAULT_SERVER_SETTINGS: OreRushServerSettings = { ...readSettings(orerushServerSettings, {}), rules: {} };

/** `--set key=value` pairs: the server's own keys, or a rule for new games (read by the game's schema). */
export function parseServerSettings(raw: Readonly<Record<string, SettingInput>>): OreRushServerSettings {
  const serverKeys = settingNames(orerushServerSettings);
  checkKnownKeys(raw, [...serverKeys, ...CONFIG_FIELDS]);
  const own: Record<string, SettingInput> = {};
  const given: Record<string, SettingInput> = {};
  for (const [key, value] of Object.entries(raw)) (serverKeys.includes(key) ? own : given)[key] = value;
  const config: Record<string, unknown> = { ...orerushEngine.parseConfig(given) };
  const rules: Record<string, unknown> = {};
  for (const key of Object.keys(given)) if (given[key] !== undefined) rules[key] = config[key];
  return { ...readSettings(orerushServerSettings, own), rules };
}

export { orerushSettings };
