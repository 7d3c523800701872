import type { ServerProtocol } from '../registry.ts';
import { DEFAULT_CHAT_PORT } from './codec.ts';
import { type ChatServerOptions, startChatServer } from './server.ts';

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
export { ChatServer, type ChatServerOptions, startChatServer } from './server.ts';
export { ChatStore, SCHEMA_VERSION } from './store.ts';

const SETTINGS = ['db', 'scryptCost', 'idleTimeoutMs', 'maxConnections', 'historyLimit'] as const;

function intSetting(settings: Record<string, string>, key: string, min: number): number | undefined {
  const raw = settings[key];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) {
    throw new Error(`setting ${key} must be an integer of at least ${min}, got "${raw}"`);
  }
  return n;
}

/** `botswarm serve` settings (all strings) into server options; unknown keys are refused so typos show. */
export function chatServerOptions(settings: Record<string, string>): Omit<ChatServerOptions, 'host' | 'port' | 'log'> {
  for (const key of Object.keys(settings)) {
    if (!(SETTINGS as readonly string[]).includes(key)) {
      throw new Error(`unknown chat setting "${key}" (known: ${SETTINGS.join(', ')})`);
    }
  }
  const options: Omit<ChatServerOptions, 'host' | 'port' | 'log'> = {};
  if (settings.db !== undefined) {
    if (settings.db === '') throw new Error('setting db must be a file path or :memory:');
    options.db = settings.db;
  }
  const scryptCost = intSetting(settings, 'scryptCost', 2);
  const idleTimeoutMs = intSetting(settings, 'idleTimeoutMs', 0);
  const maxConnections = intSetting(settings, 'maxConnections', 0);
  const historyLimit = intSetting(settings, 'historyLimit', 1);
  if (scryptCost !== undefined) options.scryptCost = scryptCost;
  if (idleTimeoutMs !== undefined) options.idleTimeoutMs = idleTimeoutMs;
  if (maxConnections !== undefined) options.maxConnections = maxConnections;
  if (historyLimit !== undefined) options.historyLimit = historyLimit;
  return options;
}

export const chatServerProtocol: ServerProtocol = {
  id: 'chat',
  description: 'chat service (seed 002): accounts, contacts, chats, messages and media, persisted in SQLite',
  defaultPort: DEFAULT_CHAT_PORT,
  settingsHelp:
    '--db <file> (or --set db=<file>; default chat.db, :memory: for none), --set scryptCost=16384, ' +
    '--set idleTimeoutMs=900000 (0 = never), --set maxConnections=0, --set historyLimit=500',
  async start({ host, port, log, settings }) {
    return startChatServer({ host, port, log, ...chatServerOptions(settings) });
  },
};
