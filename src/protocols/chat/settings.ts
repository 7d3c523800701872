/**
 * The chat server's settings (`botswarm serve chat --set key=value`), declared once as a settings schema.
 * docs/protocols/chat.md §6 is checked against it by a test.
 */
import { ConfigError, readSettings, Setting, type SettingInput, settingsSchema } from '../../game/settings.ts';
import { DEFAULT_SCRYPT_COST } from './password.ts';
import {
  type ChatServerOptions,
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
} from './server.ts';

export const chatServerSettings = settingsSchema(
  {
    db: Setting.text({
      maxLength: 4096,
      default: 'chat.db',
      help: 'SQLite file (`:memory:` keeps nothing)',
    }),
    scryptCost: Setting.integer({
      min: 2,
      max: 1 << 20,
      default: DEFAULT_SCRYPT_COST,
      help: 'a power of two (scrypt N for new password hashes)',
    }),
    idleTimeoutMs: Setting.integer({ min: 0, max: 86_400_000, default: DEFAULT_IDLE_TIMEOUT_MS, help: '0 = never' }),
    maxConnections: Setting.integer({
      min: 0,
      max: 1_000_000,
      default: DEFAULT_MAX_CONNECTIONS,
      help: 'connections past it are closed at once; 0 = unlimited',
    }),
    historyLimit: Setting.integer({
      min: 1,
      max: 100_000,
      default: DEFAULT_HISTORY_LIMIT,
      help: 'messages a `116` returns',
    }),
  },
  { title: 'chat server settings' },
);

/**
 * `botswarm serve` settings into server options (`1e3`, ` 12` and `0x10` are refused, as is any unknown key so
 * that typos show). Absent keys keep the server's defaults; `db` is set only when given.
 */
export function chatServerOptions(
  settings: Readonly<Record<string, SettingInput>>,
): Omit<ChatServerOptions, 'host' | 'port' | 'log'> {
  const { db, ...options } = readSettings(chatServerSettings, settings);
  if ((options.scryptCost & (options.scryptCost - 1)) !== 0)
    throw new ConfigError('scryptCost', `must be a power of two, got ${options.scryptCost}`);
  return settings.db !== undefined ? { ...options, db } : options;
}
