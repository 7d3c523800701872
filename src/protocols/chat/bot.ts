import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import { DEFAULT_BUDGET } from '../../core/match.ts';
import { createRng } from '../../core/rng.ts';
import type { BotContext, Strategy } from '../../core/strategy.ts';
import { ChatClient, type ChatClientOptions, ChatRequestError, expectOk } from './client.ts';
import { Status, statusName } from './codec.ts';

/** What a chat bot is told, one event at a time. `from` is resolved from the chat id by the adapter. */
export type ChatObservation =
  | { readonly kind: 'start'; readonly self: string }
  | {
      readonly kind: 'message';
      readonly chatId: number;
      readonly from: string;
      readonly text: string;
      readonly timestamp: number;
      readonly mediaId?: number;
    }
  | { readonly kind: 'contact-request'; readonly from: string }
  | { readonly kind: 'contact-confirmed'; readonly contact: string };

/** What a chat bot does in answer; every field is optional, an empty object does nothing. */
export interface ChatAction {
  /** Messages to send, by recipient (the adapter finds or opens the chat; the contact must be confirmed). */
  readonly send?: readonly { readonly to: string; readonly text: string }[];
  /** Contact requests to accept (or users to ask): both are a 121 RequestConfirmContact. */
  readonly contacts?: readonly string[];
  /** Log out and stop after this action. */
  readonly leave?: boolean;
}

/** Chat has no rules to simulate: a chat bot's context carries no forward model. */
export type ChatStrategy = Strategy<ChatObservation, ChatAction, BotContext>;

export function chatContext(seed: string | number, log: Logger = silentLogger): BotContext {
  return { seat: 0, rng: createRng(seed).fork('bot/0'), budget: DEFAULT_BUDGET, log };
}

const chatIds = new WeakMap<ChatClient, Map<string, number>>();
const chatPeers = new WeakMap<ChatClient, Map<number, string>>();

function caches(client: ChatClient) {
  let ids = chatIds.get(client);
  let peers = chatPeers.get(client);
  if (!ids || !peers) {
    ids = new Map();
    peers = new Map();
    chatIds.set(client, ids);
    chatPeers.set(client, peers);
  }
  return { ids, peers };
}

/** The other member of `chatId`, looked up in the chat list the first time. */
export async function chatPeer(client: ChatClient, chatId: number): Promise<string | undefined> {
  const { ids, peers } = caches(client);
  if (!peers.has(chatId)) {
    for (const chat of await client.chatList()) {
      const other = chat.users[0] === client.username ? chat.users[1] : chat.users[0];
      peers.set(chat.chatId, other);
      ids.set(other.toLowerCase(), chat.chatId);
    }
  }
  return peers.get(chatId);
}

/**
 * Sends `text` to `to` over a logged-in client: opens (or finds) their chat first. This is the helper any
 * strategy, a game bot included, uses to talk; the contact must be confirmed (see `befriend`).
 */
export async function sayTo(client: ChatClient, to: string, text: string): Promise<number> {
  const { ids, peers } = caches(client);
  let chatId = ids.get(to.toLowerCase());
  if (chatId === undefined) {
    const created = await client.createChat(to);
    if (created.status !== Status.OK || created.chatId === undefined) return created.status;
    chatId = created.chatId;
    ids.set(to.toLowerCase(), chatId);
    peers.set(chatId, to);
  }
  const { status } = await client.send(chatId, text);
  // A deleted chat: forget it and open a new one once.
  if (status === Status.CHAT_NOT_FOUND) {
    ids.delete(to.toLowerCase());
    peers.delete(chatId);
    const created = await client.createChat(to);
    if (created.status !== Status.OK || created.chatId === undefined) return created.status;
    ids.set(to.toLowerCase(), created.chatId);
    peers.set(created.chatId, to);
    return (await client.send(created.chatId, text)).status;
  }
  return status;
}

/** Asks `username` to be a contact and waits until the contact is confirmed (they must ask back or accept). */
export async function befriend(client: ChatClient, username: string, timeoutMs = 30_000): Promise<void> {
  const confirmed = client.next('contactConfirmed', (u) => u.toLowerCase() === username.toLowerCase(), timeoutMs);
  const status = await client.requestContact(username);
  expectOk(status, `contact request to ${username}`);
  const { contacts } = await client.ownContacts();
  if (contacts.some((c) => c.name.toLowerCase() === username.toLowerCase())) {
    confirmed.catch(() => {});
    return;
  }
  await confirmed;
}

export interface ChatLogin extends ChatClientOptions {
  username: string;
  password: string;
  /** Register the account first when it does not exist (403 USERNAME_ALREADY_TAKEN is fine). */
  register?: boolean;
  email?: string;
}

/** Connects, registers if asked, logs in; throws with the status name when that fails. */
export async function loginChat(options: ChatLogin): Promise<ChatClient> {
  const client = await ChatClient.connect(options);
  try {
    if (options.register) {
      const status = await client.register(
        options.username,
        options.password,
        options.email ?? `${options.username}@botswarm.invalid`,
      );
      if (status !== Status.OK && status !== Status.USERNAME_ALREADY_TAKEN) expectOk(status, 'register');
    }
    expectOk(await client.login(options.username, options.password), 'login');
    return client;
  } catch (error) {
    client.close();
    throw error;
  }
}

export interface RunChatBotOptions {
  client: ChatClient;
  strategy: ChatStrategy;
  seed?: string | number;
  log?: Logger;
  /** Stop when aborted. */
  signal?: AbortSignal;
  /** Stop after this many decisions (a guard for bots that never leave). */
  maxDecisions?: number;
}

export interface ChatBotOutcome {
  readonly decisions: number;
  readonly sent: number;
  /** Statuses other than 400 the bot's actions received, by name. */
  readonly errors: readonly string[];
  readonly reason: 'left' | 'aborted' | 'closed' | 'limit';
}

/**
 * The bot adapter: turns the client's pushes into observations, feeds them to the strategy one at a time,
 * and carries out its actions. The strategy never sees the socket.
 */
export function runChatBot(options: RunChatBotOptions): Promise<ChatBotOutcome> {
  const { client, strategy } = options;
  const log = options.log ?? silentLogger;
  const ctx = chatContext(options.seed ?? client.username ?? 'chat', log);
  const maxDecisions = options.maxDecisions ?? Number.POSITIVE_INFINITY;
  const queue: ChatObservation[] = [{ kind: 'start', self: client.username ?? '' }];
  const errors: string[] = [];
  let decisions = 0;
  let sent = 0;
  let running = false;

  return new Promise((resolve) => {
    let finished = false;
    const offs: (() => void)[] = [];
    const finish = (reason: ChatBotOutcome['reason']) => {
      if (finished) return;
      finished = true;
      for (const off of offs) off();
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ decisions, sent, errors, reason });
    };
    const onAbort = () => finish('aborted');
    options.signal?.addEventListener('abort', onAbort);
    if (options.signal?.aborted) return finish('aborted');

    const act = async (action: ChatAction) => {
      for (const name of action.contacts ?? []) {
        const status = await client.requestContact(name);
        if (status !== Status.OK) errors.push(statusName(status));
      }
      for (const { to, text } of action.send ?? []) {
        const status = await sayTo(client, to, text);
        if (status === Status.OK) sent++;
        else errors.push(statusName(status));
      }
      if (action.leave) {
        await client.logout();
        finish('left');
      }
    };

    const pump = async () => {
      if (running) return;
      running = true;
      try {
        while (queue.length > 0 && !finished) {
          if (decisions >= maxDecisions) return finish('limit');
          const observation = queue.shift()!;
          decisions++;
          await act(await strategy.decide(observation, ctx));
        }
      } catch (error) {
        if (!(error instanceof ChatRequestError)) log.error({ err: error }, 'chat bot failed');
        finish(client.closed ? 'closed' : 'aborted');
      } finally {
        running = false;
      }
    };
    let lookups: Promise<void> = Promise.resolve();
    const push = (observation: ChatObservation) => {
      queue.push(observation);
      void pump();
    };

    offs.push(
      client.on('message', (m) => {
        // Chained, so that messages reach the strategy in arrival order even when a lookup is needed.
        lookups = lookups
          .then(() => chatPeer(client, m.chatId))
          .then(
            (from) => push({ kind: 'message', from: from ?? '', ...m }),
            () => {},
          );
      }),
      client.on('contactRequest', (from) => push({ kind: 'contact-request', from })),
      client.on('contactConfirmed', (contact) => push({ kind: 'contact-confirmed', contact })),
      client.on('close', () => finish('closed')),
    );
    void pump();
  });
}
