import type { ServerProtocol } from '../registry.ts';
import { DEFAULT_CHAT_PORT } from './codec.ts';
import { startChatServer } from './server.ts';
import { chatServerOptions, chatServerSettings } from './settings.ts';

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
export { chatServerOptions, chatServerSettings } from './settings.ts';
export { ChatStore, SCHEMA_VERSION } from './store.ts';

export const chatServerProtocol: ServerProtocol = {
  id: 'chat',
  description: 'chat service (seed 002): accounts, contacts, chats, messages and media, persisted in SQLite',
  defaultPort: DEFAULT_CHAT_PORT,
  settingsHelp:
    '--db <file> (or --set db=<file>; default chat.db, :memory: for none), --set scryptCost=16384, ' +
    '--set idleTimeoutMs=900000 (0 = never), --set maxConnections=10000 (0 = unlimited), --set historyLimit=500',
  settings: chatServerSettings,
  async start({ host, port, log, settings }) {
    const options = chatServerOptions(settings);
    return startChatServer({ host, port, log, ...options });
  },
};
