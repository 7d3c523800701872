import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import type { Connection } from '../../net/connection.ts';
import type { FrameError } from '../../net/framing.ts';
import { lineFramer } from '../../net/framing.ts';
import { TcpServer } from '../../net/server.ts';
import type { RunningServer } from '../registry.ts';
import {
  type ClientMessage,
  decodeLine,
  encodeServer,
  GENDER_PATTERN,
  MAX_EMAIL_BYTES,
  MAX_LINE_BYTES,
  MAX_MEDIA_BYTES,
  MAX_MESSAGE_BYTES,
  PASSWORD_PATTERN,
  parseClient,
  type ServerMessage,
  Status,
  USERNAME_PATTERN,
} from './codec.ts';
import { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword } from './password.ts';
import { ChatStore } from './store.ts';

export interface ChatServerOptions {
  host?: string;
  /** 0 = any free port. */
  port: number;
  /** SQLite file; `:memory:` keeps everything in memory (tests). Default `chat.db` in the working directory. */
  db?: string;
  log?: Logger;
  /** scrypt cost N for new password hashes (a power of two); lower it only for tests and load tests. */
  scryptCost?: number;
  /** Close a connection that sent nothing for this long; 0 disables. Default 15 minutes. */
  idleTimeoutMs?: number;
  /** Refuse connections past this many (default 10,000); 0 = unlimited. */
  maxConnections?: number;
  /** How many of a chat's last messages RequestChatHistory returns. */
  historyLimit?: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000;
export const DEFAULT_HISTORY_LIMIT = 500;
/**
 * Each open connection holds a socket, a session and up to QUEUE_PAUSE_BYTES of queued requests; a bound keeps a
 * connection flood from exhausting file descriptors and memory before anything else notices.
 */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/**
 * Requests a client pipelines while one of its requests awaits a password hash wait in its queue. Above either
 * bound the connection stops reading (TCP backpressure reaches the client), and it reads again once the queue is
 * below both resume marks. Bytes matter as much as lines: 256 lines of 256 KB would be 64 MB per connection.
 */
export const QUEUE_LIMITS = {
  pauseBytes: 1024 * 1024,
  resumeBytes: 256 * 1024,
  pauseLines: 256,
  resumeLines: 64,
} as const;

type Work = { kind: 'line'; bytes: Buffer } | { kind: 'oversized' };

/** One connection's state. Requests are handled strictly one after another, so replies keep request order. */
class Session {
  userId: number | null = null;
  username: string | null = null;
  readonly queue: Work[] = [];
  /** Bytes of the lines in `queue`. */
  queuedBytes = 0;
  busy = false;
  constructor(readonly conn: Connection) {}
}

export class ChatServer implements RunningServer {
  readonly store: ChatStore;
  readonly #tcp: TcpServer;
  readonly #log: Logger;
  readonly #online = new Map<number, Session>();
  readonly #scryptCost: number;
  readonly #historyLimit: number;
  #dummyHash: Promise<string> | undefined;
  #closed = false;
  host = '127.0.0.1';
  port = 0;
  readonly #counters = {
    connections: 0,
    requests: 0,
    registrations: 0,
    logins: 0,
    messagesSent: 0,
    messagesDelivered: 0,
    unknown: 0,
    invalid: 0,
    statusErrors: 0,
    /** Times a connection stopped reading because its request queue was full. */
    readPauses: 0,
    /** The most bytes any one connection has had queued (a check that the bound holds). */
    queuedBytesPeak: 0,
  };

  constructor(options: ChatServerOptions) {
    this.#log = options.log ?? silentLogger;
    this.#scryptCost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
    this.#historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    const cost = this.#scryptCost;
    if (!Number.isInteger(cost) || cost < 2 || cost > 1 << 20 || (cost & (cost - 1)) !== 0) {
      throw new RangeError(`scryptCost must be a power of two from 2 to 1048576, got ${cost}`);
    }
    this.store = new ChatStore(options.db ?? 'chat.db');
    this.#tcp = new TcpServer({
      host: options.host ?? '127.0.0.1',
      port: options.port,
      log: this.#log,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      connection: {
        framer: () => lineFramer({ maxLine: MAX_LINE_BYTES, eol: '\n' }),
        idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      },
      accept: (conn) => this.#accept(conn),
    });
  }

  async listen(): Promise<this> {
    const { host, port } = await this.#tcp.listen();
    this.host = host;
    this.port = port;
    this.#log.info({ host, port }, 'chat server listening');
    return this;
  }

  stats(): Record<string, number> {
    return {
      ...this.#counters,
      ...(this.#closed ? {} : this.store.counts()),
      online: this.#online.size,
      open: this.#tcp.connections.size,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tcp.close();
    this.#online.clear();
    this.store.close();
  }

  #accept(conn: Connection) {
    this.#counters.connections++;
    const session = new Session(conn);
    return {
      onFrame: (frame: Buffer) => this.#enqueue(session, { kind: 'line', bytes: frame }),
      onFrameError: (error: FrameError) => {
        if (error.kind === 'oversized') this.#enqueue(session, { kind: 'oversized' });
      },
      onClose: () => this.#logout(session),
    };
  }

  #enqueue(session: Session, work: Work): void {
    if (work.kind === 'line') {
      // A frame is a view into the socket's read chunk: while it waits, a short line would keep the whole chunk
      // (up to 64 KB) alive, so a waiting line gets its own copy and the byte count is what is really held.
      if (session.busy && work.bytes.length * 2 < work.bytes.buffer.byteLength) work.bytes = Buffer.from(work.bytes);
      session.queuedBytes += work.bytes.length;
      if (session.queuedBytes > this.#counters.queuedBytesPeak) this.#counters.queuedBytesPeak = session.queuedBytes;
    }
    session.queue.push(work);
    const socket = session.conn.socket;
    if (
      (session.queuedBytes > QUEUE_LIMITS.pauseBytes || session.queue.length > QUEUE_LIMITS.pauseLines) &&
      !socket.isPaused()
    ) {
      socket.pause();
      this.#counters.readPauses++;
    }
    if (!session.busy) void this.#drain(session);
  }

  async #drain(session: Session): Promise<void> {
    session.busy = true;
    try {
      while (session.queue.length > 0 && !session.conn.closed && !this.#closed) {
        const work = session.queue.shift()!;
        if (work.kind === 'line') session.queuedBytes -= work.bytes.length;
        const socket = session.conn.socket;
        if (
          socket.isPaused() &&
          session.queuedBytes < QUEUE_LIMITS.resumeBytes &&
          session.queue.length < QUEUE_LIMITS.resumeLines
        )
          socket.resume();
        this.#counters.requests++;
        const pending = this.#handle(session, work);
        if (pending) await pending;
      }
    } catch (error) {
      this.#log.error({ err: error, peer: session.conn.remote }, 'chat session failed; closing its connection');
      session.conn.destroy('error', error as Error);
    } finally {
      session.busy = false;
    }
  }

  /**
   * Every line waits for the commit of the writes made before it (store `afterCommit`): an acknowledgement or a
   * push never tells a client about something a crash could still undo, and lines keep their order because all
   * of them wait while a batch is open. A failed commit closes the connection instead of answering.
   */
  #send(session: Session, message: ServerMessage): void {
    const line = encodeServer(message);
    this.store.afterCommit((error) => {
      if (error) {
        this.#log.error({ err: error, peer: session.conn.remote }, 'chat database commit failed; closing');
        session.conn.destroy('error', error);
      } else if (!session.conn.closed) session.conn.send(line);
    });
  }

  #status(session: Session, message: ServerMessage & { status: number }): void {
    if (message.status !== Status.OK) this.#counters.statusErrors++;
    this.#send(session, message);
  }

  /** Synchronous except for the two requests that hash a password. */
  #handle(session: Session, work: Work): Promise<void> | void {
    if (work.kind === 'oversized') {
      this.#counters.invalid++;
      this.#send(session, { op: 211, reason: `line longer than ${MAX_LINE_BYTES} bytes` });
      return;
    }
    const text = decodeLine(work.bytes);
    if (text === null) {
      this.#counters.invalid++;
      this.#send(session, { op: 211, reason: 'line is not UTF-8' });
      return;
    }
    const parsed = parseClient(text);
    if (!parsed.ok) {
      if (parsed.error === 'unknown') this.#counters.unknown++;
      else this.#counters.invalid++;
      this.#send(session, { op: parsed.error === 'unknown' ? 210 : 211, reason: parsed.reason });
      return;
    }
    return this.#request(session, parsed.message);
  }

  #request(s: Session, m: ClientMessage): Promise<void> | void {
    const me = s.userId;
    switch (m.op) {
      case 117:
        return this.#register(s, m);
      case 110:
        return this.#login(s, m);
      case 111:
        if (me === null) return this.#status(s, { op: 213, status: Status.CLIENT_NOT_LOGGED_IN });
        this.#logout(s);
        return this.#status(s, { op: 213, status: Status.OK });
      case 112: {
        if (me === null) return this.#notLoggedIn(s);
        const chats = this.store.chatsOf(me);
        this.#send(s, { op: 214, count: chats.length });
        for (const c of chats) this.#send(s, { op: 215, chatId: c.id, user1: c.creator, user2: c.other });
        return this.#send(s, { op: 216 });
      }
      case 113: {
        if (me === null) return this.#status(s, { op: 217, status: Status.CLIENT_NOT_LOGGED_IN });
        const other = this.store.userByName(m.contact);
        if (!other || other.id === me) return this.#status(s, { op: 217, status: Status.CONTACT_NOT_FOUND });
        if (this.store.contactSince(me, other.id) === undefined)
          return this.#status(s, { op: 217, status: Status.CONTACT_NOT_CONFIRMED });
        const { chatId } = this.store.openChat(me, other.id);
        return this.#status(s, { op: 217, status: Status.OK, chatId });
      }
      case 114: {
        if (me === null) return this.#status(s, { op: 218, status: Status.CLIENT_NOT_LOGGED_IN });
        const denied = this.#chatAccess(m.chatId, me);
        if (denied) return this.#status(s, { op: 218, status: denied });
        this.store.deleteChat(m.chatId);
        return this.#status(s, { op: 218, status: Status.OK });
      }
      case 115:
        return this.#sendMessage(s, m);
      case 116: {
        if (me === null) return this.#status(s, { op: 221, status: Status.CLIENT_NOT_LOGGED_IN });
        const denied = this.#chatAccess(m.chatId, me);
        if (denied) return this.#status(s, { op: 221, status: denied });
        const messages = this.store.history(m.chatId, this.#historyLimit);
        this.#status(s, { op: 221, status: Status.OK, count: messages.length });
        for (const x of messages) {
          this.#send(s, {
            op: 235,
            chatId: x.chatId,
            timestamp: x.ts,
            sender: x.sender,
            text: x.text,
            ...(x.mediaId === null ? {} : { mediaId: x.mediaId }),
          });
        }
        return;
      }
      case 118: {
        if (me === null) return this.#status(s, { op: 223, status: Status.CLIENT_NOT_LOGGED_IN });
        const contacts = this.store.contactsOf(me);
        this.#status(s, { op: 223, status: Status.OK });
        this.#send(s, { op: 224, count: contacts.length });
        for (const c of contacts) this.#send(s, { op: 225, contact: c.name, since: c.since });
        return this.#send(s, { op: 226 });
      }
      case 119: {
        if (me === null) return this.#status(s, { op: 227, status: Status.CLIENT_NOT_LOGGED_IN });
        const media = this.store.mediaById(m.mediaId);
        if (!media) return this.#status(s, { op: 227, status: Status.MEDIA_NOT_FOUND });
        const denied = this.#chatAccess(media.chatId, me);
        if (denied) return this.#status(s, { op: 227, status: Status.CHAT_PERMISSION_DENIED });
        return this.#status(s, { op: 227, status: Status.OK, media: media.data });
      }
      case 120: {
        if (me === null) return this.#status(s, { op: 228, status: Status.CLIENT_NOT_LOGGED_IN });
        const users = this.store.usersExcept(me);
        this.#status(s, { op: 228, status: Status.OK });
        this.#send(s, { op: 229, count: users.length });
        for (const name of users) this.#send(s, { op: 230, contact: name });
        return this.#send(s, { op: 231 });
      }
      case 121:
        return this.#confirmContact(s, m.username);
    }
  }

  /** 112 has no status field: not being logged in is reported as 211 with the status in its reason. */
  #notLoggedIn(s: Session): void {
    this.#counters.statusErrors++;
    this.#send(s, { op: 211, reason: `${Status.CLIENT_NOT_LOGGED_IN} CLIENT_NOT_LOGGED_IN` });
  }

  /** null when `userId` is a member of the chat; else the status to answer. */
  #chatAccess(chatId: number, userId: number): number | null {
    const chat = this.store.chatById(chatId);
    if (!chat) return Status.CHAT_NOT_FOUND;
    if (chat.creatorId !== userId && chat.otherId !== userId) return Status.CHAT_PERMISSION_DENIED;
    return null;
  }

  async #register(s: Session, m: Extract<ClientMessage, { op: 117 }>): Promise<void> {
    const reply = (status: number) => this.#status(s, { op: 222, status });
    if (s.userId !== null) return reply(Status.CLIENT_ALREADY_LOGGED_IN);
    if (!USERNAME_PATTERN.test(m.username)) return reply(Status.USERNAME_INVALID);
    if (!PASSWORD_PATTERN.test(m.password)) return reply(Status.PASSWORD_INVALID);
    if (!isEmail(m.email) || !GENDER_PATTERN.test(m.gender)) {
      this.#counters.invalid++;
      this.#send(s, { op: 211, reason: !isEmail(m.email) ? 'Email is not an address' : 'Gender is too long' });
      return;
    }
    if (this.store.userByName(m.username)) return reply(Status.USERNAME_ALREADY_TAKEN);
    const hash = await hashPassword(m.password, this.#scryptCost);
    if (this.#closed) return;
    // Checked again: another connection may have taken the name while this one was hashing.
    if (!this.store.createUser(m.username, hash, m.email, m.gender)) return reply(Status.USERNAME_ALREADY_TAKEN);
    this.#counters.registrations++;
    this.#log.debug({ user: m.username }, 'account registered');
    return reply(Status.OK);
  }

  async #login(s: Session, m: Extract<ClientMessage, { op: 110 }>): Promise<void> {
    const reply = (status: number, username = m.username) => this.#status(s, { op: 212, status, username });
    if (s.userId !== null) return reply(Status.CLIENT_ALREADY_LOGGED_IN);
    if (!USERNAME_PATTERN.test(m.username)) return reply(Status.USERNAME_INVALID);
    const user = this.store.userByName(m.username);
    // An unknown user is checked against a throw-away hash, so it takes as long as a wrong password.
    this.#dummyHash ??= hashPassword('not-a-password', this.#scryptCost);
    const ok = await verifyPassword(m.password, user?.password ?? (await this.#dummyHash));
    if (this.#closed || s.conn.closed) return;
    if (!user || !ok) return reply(Status.PASSWORD_WRONG);
    if (this.#online.has(user.id)) return reply(Status.USERNAME_ALREADY_LOGGED_IN);
    s.userId = user.id;
    s.username = user.name;
    this.#online.set(user.id, s);
    this.#counters.logins++;
    reply(Status.OK, user.name);
    // What arrived while the user was away: open contact requests, then undelivered messages in order.
    for (const name of this.store.requestsTo(user.id)) this.#send(s, { op: 234, username: name });
    for (const x of this.store.undeliveredFor(user.id)) this.#deliver(s, x.id, x.chatId, x.ts, x.text, x.mediaId);
  }

  #logout(s: Session): void {
    if (s.userId !== null && this.#online.get(s.userId) === s) this.#online.delete(s.userId);
    s.userId = null;
    s.username = null;
  }

  #sendMessage(s: Session, m: Extract<ClientMessage, { op: 115 }>) {
    const reply = (status: number, messageId?: number) =>
      this.#status(s, { op: 219, status, ...(messageId === undefined ? {} : { messageId }) });
    const me = s.userId;
    if (me === null) return reply(Status.CLIENT_NOT_LOGGED_IN);
    if (Buffer.byteLength(m.text) > MAX_MESSAGE_BYTES || (m.media && m.media.length > MAX_MEDIA_BYTES))
      return reply(Status.VALUE_TOO_LARGE);
    const chat = this.store.chatById(m.chatId);
    if (!chat) return reply(Status.CHAT_NOT_FOUND);
    if (chat.creatorId !== me && chat.otherId !== me) return reply(Status.CHAT_PERMISSION_DENIED);
    const stored = this.store.addMessage(chat.id, me, m.text, m.media);
    this.#counters.messagesSent++;
    reply(Status.OK, stored.id);
    const recipient = this.#online.get(chat.creatorId === me ? chat.otherId : chat.creatorId);
    if (recipient) this.#deliver(recipient, stored.id, chat.id, stored.ts, m.text, stored.mediaId);
  }

  /** Pushes a 220 and marks the message delivered: each message reaches its recipient once. */
  #deliver(s: Session, id: number, chatId: number, ts: number, text: string, mediaId: number | null): void {
    if (s.conn.closed) return;
    // Marked first, so that the push waits for the mark's commit: a crash before it re-pushes, never loses.
    this.store.markDelivered(id);
    this.#send(s, { op: 220, chatId, timestamp: ts, text, ...(mediaId === null ? {} : { mediaId }) });
    this.#counters.messagesDelivered++;
  }

  #confirmContact(s: Session, name: string) {
    const reply = (status: number) => this.#status(s, { op: 232, status });
    const me = s.userId;
    if (me === null) return reply(Status.CLIENT_NOT_LOGGED_IN);
    const other = this.store.userByName(name);
    if (!other || other.id === me) return reply(Status.CONTACT_NOT_FOUND);
    if (this.store.contactSince(me, other.id) !== undefined) return reply(Status.OK);
    const peer = this.#online.get(other.id);
    if (this.store.hasRequest(other.id, me)) {
      // The other side asked first: this request answers it, and both learn the contact is confirmed.
      this.store.confirmContact(me, other.id);
      reply(Status.OK);
      this.#send(s, { op: 233, username: other.name });
      if (peer) this.#send(peer, { op: 233, username: s.username! });
      return;
    }
    const fresh = this.store.addRequest(me, other.id);
    reply(Status.OK);
    if (fresh && peer) this.#send(peer, { op: 234, username: s.username! });
  }
}

function isEmail(value: string): boolean {
  const at = value.indexOf('@');
  return at > 0 && at < value.length - 1 && Buffer.byteLength(value) <= MAX_EMAIL_BYTES;
}

export async function startChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const server = new ChatServer(options);
  try {
    return await server.listen();
  } catch (error) {
    await server.close();
    throw error;
  }
}
