/**
 * The SE1 reference server's settings (`botswarm serve se1 --set key=value`), declared once as a settings
 * schema. docs/protocols/se1.md is checked against it by a test. Every ms setting stays within a Node timer's
 * range (2^31 - 1 ms, about 24.8 days; above it Node fires after 1 ms).
 */
import { numberBounds, readSettings, Setting, type SettingInput, settingsSchema } from '../../game/settings.ts';

const MAX_TIMER_MS = 2_147_483_647;

const int = (min: number, max: number, value: number, help: string) =>
  Setting.integer({ min, max, default: value, help });

export const se1ServerSettings = settingsSchema(
  {
    game: Setting.text({ maxLength: 64, default: 'carcassonne', help: 'the game hosted' }),
    users: Setting.optional(Setting.text({ maxLength: 4096, help: 'SQLite file of accounts and uploaded maps' })),
    db: Setting.optional(Setting.text({ maxLength: 4096, help: 'the same as users' })),
    addUsers: Setting.text({
      minLength: 0,
      maxLength: 65_536,
      default: '',
      help: '`nick:password[:email[:team]],...` created or updated at start',
    }),
    seed: Setting.optional(Setting.text({ maxLength: 256, help: 'root of game seeds and test-player passwords' })),
    timeoutMs: int(100, MAX_TIMER_MS, 3_600_000, 'idle connection timeout (greeting)'),
    turnTimeoutMs: int(0, MAX_TIMER_MS, 120_000, 'turn deadline of a present player (0: none)'),
    maxTestPlayers: int(0, 10_000_000, 10_000, 'test players at a time'),
    testPlayerTtlMs: int(1000, MAX_TIMER_MS, 86_400_000, 'test player lifetime (once logged out)'),
    maxOpenGamesPerUser: int(1, 1_000_000, 10, 'games nobody joined yet, per creator'),
    maxGames: int(1, 10_000_000, 1000, 'games on the server'),
    maxConnections: int(1, 10_000_000, 2000, 'connections at a time'),
    maxMaps: int(0, 1_000_000, 1000, 'uploaded maps kept'),
    tickMs: int(1, 60_000, 50, "CreepSmash: a tick's length in ms (50: 20 ticks a second)"),
    lockstep: Setting.boolean({
      default: false,
      help: "CreepSmash: each tick also waits for every present player's TICK (equivalence tests)",
    }),
    rules: Setting.text({
      minLength: 0,
      maxLength: 4096,
      default: '',
      help: 'CreepSmash and Catan: engine settings of every game, `key=value` separated by spaces (e.g. `maxTicks=2000`, `rules=cities-and-knights`)',
    }),
  },
  { title: 'SE1 server settings' },
);

export interface Se1ServerSettings {
  /** Closes a connection after this long without receiving anything (the greeting announces it). */
  readonly timeoutMs: number;
  /** A player's turn is played by the server after this long (0: never); see `RoomOptions.turnTimeoutMs`. */
  readonly turnTimeoutMs: number;
  /** Test players (CREATE TESTPLAYER) at most at a time; expired ones do not count. */
  readonly maxTestPlayers: number;
  /** A test player expires this long after it was created, once it is not logged in. */
  readonly testPlayerTtlMs: number;
  /** Games in JOINING state one user may have created at a time. */
  readonly maxOpenGamesPerUser: number;
  /** SQLite file of registered users, or `:memory:`. */
  readonly users: string;
  /** `nick:password[:email[:team]]` accounts to create or update at start. */
  readonly addUsers: readonly string[];
  /** Root seed of game seeds and test-player passwords. */
  readonly seed: string;
  readonly maxGames: number;
  readonly maxConnections: number;
  /** Uploaded maps kept at most (built-in maps not counted). */
  readonly maxMaps: number;
  /** CreepSmash: a tick's length, whether a tick waits for every player's TICK, the engine's settings. */
  readonly tickMs: number;
  readonly lockstep: boolean;
  readonly rules: string;
}

const NUMBERS = [
  'timeoutMs',
  'turnTimeoutMs',
  'maxTestPlayers',
  'testPlayerTtlMs',
  'maxOpenGamesPerUser',
  'maxGames',
  'maxConnections',
  'maxMaps',
  'tickMs',
] as const;
type NumberKey = (typeof NUMBERS)[number];

/** Bounds of the integer settings: [min, max], from the schema. */
export const SETTING_BOUNDS = Object.fromEntries(
  NUMBERS.map((key) => [key, numberBounds(se1ServerSettings.properties[key])]),
) as Readonly<Record<NumberKey, readonly [number, number]>>;

const defaults = readSettings(se1ServerSettings, {});

export const DEFAULT_SETTINGS: Se1ServerSettings = {
  ...defaults,
  users: ':memory:',
  addUsers: [],
  seed: String(Date.now()),
};

/** The integer settings of `raw` (defaults for absent ones), each checked against the schema. */
export function checkSe1Numbers(raw: Readonly<Partial<Record<NumberKey, SettingInput>>>): Record<NumberKey, number> {
  const given: Record<string, SettingInput> = {};
  for (const key of NUMBERS) given[key] = raw[key];
  const read = readSettings(se1ServerSettings, given);
  return Object.fromEntries(NUMBERS.map((key) => [key, read[key]])) as Record<NumberKey, number>;
}

/** `--set` text (or typed values from code) to settings: strict integers within bounds, known keys only. */
export function parseSe1Settings(raw: Readonly<Record<string, SettingInput>>): Se1ServerSettings & { game: string } {
  const s = readSettings(se1ServerSettings, raw);
  return {
    ...checkSe1Numbers(s),
    game: s.game,
    lockstep: s.lockstep,
    rules: s.rules,
    users: s.users ?? s.db ?? DEFAULT_SETTINGS.users,
    addUsers: s.addUsers.split(',').filter(Boolean),
    seed: s.seed ?? String(Date.now()),
  };
}
