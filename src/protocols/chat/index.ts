import { ConfigError } from '../../core/engine.ts';
import { intSetting, knownSettings, type RawSettings, stringSetting } from '../../net/settings.ts';
import type { ServerProtocol } from '../registry.ts';
import { DEFAULT_CHAT_PORT } from './codec.ts';
import { DEFAULT_SCRYPT_COST } from './password.ts';
import {
  type ChatServerOptions,
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  startChatServer,
} from './server.ts';

export {
  befriend,
  type ChatAction,
  type ChatBotOutcome,
  type ChatLogin,
  type ChatObservation,
  type ChatStrategy,
  chatContext,
  chatPeer,
  loginChat,
  type RunChatBotOptions,
  runChatBot,
  sayTo,
} from './bot.ts';
export {
  ChatClient,
  type ChatClientEvents,
  type ChatClientOptions,
  type ChatInfo,
  ChatRequestError,
  expectOk,
  type HistoryEntry,
  type IncomingMessage,
} from './client.ts';
export * from './codec.ts';
export { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword } from './password.ts';
export {
  ChatServer,
  type ChatServerOptions,
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  QUEUE_LIMITS,
  startChatServer,
} from './server.ts';
export { ChatStore, SCHEMA_VERSION } from './store.ts';

const SETTINGS = ['db', 'scryptCost', 'idleTimeoutMs', 'maxConnections', 'historyLimit'] as const;

/**
 * `botswarm serve` settings into server options, read with the shared strict readers (`1e3`, ` 12` and `0x10`
 * are refused, as is any unknown key so that typos show). Absent keys keep the server's defaults.
 */
export function chatServerOptions(settings: RawSettings): Omit<ChatServerOptions, 'host' | 'port' | 'log'> {
  knownSettings(settings, SETTINGS);
  const options: Omit<ChatServerOptions, 'host' | 'port' | 'log'> = {
    scryptCost: intSetting(settings, 'scryptCost', DEFAULT_SCRYPT_COST, 2, 1 << 20),
    idleTimeoutMs: intSetting(settings, 'idleTimeoutMs', DEFAULT_IDLE_TIMEOUT_MS, 0, 86_400_000),
    maxConnections: intSetting(settings, 'maxConnections', DEFAULT_MAX_CONNECTIONS, 0, 1_000_000),
    historyLimit: intSetting(settings, 'historyLimit', DEFAULT_HISTORY_LIMIT, 1, 100_000),
  };
  const cost = options.scryptCost!;
  if ((cost & (cost - 1)) !== 0) throw new ConfigError('scryptCost', `must be a power of two, got ${cost}`);
  if (settings.db !== undefined) options.db = stringSetting(settings, 'db', 'chat.db', { maxLength: 4096 });
  return options;
}

export const chatServerProtocol: ServerProtocol = {
  id: 'chat',
  description: 'chat service (seed 002): accounts, contacts, chats, messages and media, persisted in SQLite',
  defaultPort: DEFAULT_CHAT_PORT,
  settingsHelp:
    '--db <file> (or --set db=<file>; default chat.db, :memory: for none), --set scryptCost=16384, ' +
    '--set idleTimeoutMs=900000 (0 = never), --set maxConnections=10000 (0 = unlimited), --set historyLimit=500',
  async start({ host, port, log, settings }) {
    let options;
    try {
      options = chatServerOptions(settings);
    } catch (error) {
      if (error instanceof ConfigError) throw new Error(`--set ${error.message}`);
      throw error;
    }
    return startChatServer({ host, port, log, ...options });
  },
};
