/**
 * The LEKT reference server's settings (`botswarm serve lekt --set key=value`), declared once as a settings
 * schema. docs/protocols/lekt.md §7 is checked against it by a test. Every millisecond setting has a maximum:
 * Node fires a timer of 2^31 ms or more after 1 ms.
 */
import {
  ConfigError,
  numberBounds,
  readSettings,
  Setting,
  type SettingInput,
  settingsSchema,
} from '../../game/settings.ts';
import { LIMITS } from './codec.ts';

export const lektServerSettings = settingsSchema(
  {
    heartbeatIntervalMs: Setting.integer({
      min: 10,
      max: 3_600_000,
      default: 1000,
      help: 'how often clients should heartbeat; the server checks for silence this often',
    }),
    heartbeatTimeoutMs: Setting.integer({
      min: 20,
      max: 86_400_000,
      default: 5000,
      help: 'a live client silent this long is removed (must be longer than heartbeatIntervalMs)',
    }),
    setupTimeoutMs: Setting.integer({
      min: 10,
      max: 3_600_000,
      default: 10_000,
      help: 'handshake and setup must be done this long after connecting',
    }),
    maxClients: Setting.integer({ min: 1, max: 10_000_000, default: 100_000, help: 'further handshakes get `full`' }),
    maxPacketBytes: Setting.integer({
      min: 64,
      max: LIMITS.maxServerPacket,
      default: LIMITS.maxServerPacket,
      help: 'update packet size cap',
    }),
    maxClientsPerPacket: Setting.integer({
      min: 1,
      max: LIMITS.maxCount,
      default: LIMITS.maxCount,
      help: 'clients per update packet cap',
    }),
  },
  { title: 'LEKT server settings' },
);

export interface LektServerSettings {
  /** How often clients are expected to heartbeat (advisory) and how often the server checks for silence. */
  readonly heartbeatIntervalMs: number;
  /** A live client silent this long is removed, told `timeout`, and reported removed to the others. */
  readonly heartbeatTimeoutMs: number;
  /** Handshake plus setup must be over within this long of connecting. */
  readonly setupTimeoutMs: number;
  /** Live plus setting-up clients; further handshakes are rejected `full`. */
  readonly maxClients: number;
  /** Largest update packet the server builds (bytes); larger updates are split. */
  readonly maxPacketBytes: number;
  /** Most clients in one update packet; larger updates are split. */
  readonly maxClientsPerPacket: number;
}

export const DEFAULT_SETTINGS: LektServerSettings = readSettings(lektServerSettings, {});

/** The [min, max] of every setting, from the schema. */
export const SETTING_RANGES = Object.fromEntries(
  Object.entries(lektServerSettings.properties).map(([key, s]) => [key, numberBounds(s)]),
) as Readonly<Record<keyof LektServerSettings, readonly [number, number]>>;

/**
 * `--set key=value` text (or typed values from code) over the defaults. Unknown keys and bad values throw
 * `ConfigError` naming the key and what it accepts.
 */
export function parseLektSettings(raw: Readonly<Record<string, SettingInput>>): LektServerSettings {
  const out: LektServerSettings = readSettings(lektServerSettings, raw);
  if (out.heartbeatTimeoutMs <= out.heartbeatIntervalMs)
    throw new ConfigError(
      'heartbeatTimeoutMs',
      `must be longer than heartbeatIntervalMs (${out.heartbeatIntervalMs}), got ${out.heartbeatTimeoutMs}`,
    );
  return out;
}
