import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import { connectFramed } from '../../net/client.ts';
import type { CloseReason, Connection } from '../../net/connection.ts';
import { lineFramer } from '../../net/framing.ts';
import {
  type ClientMessage,
  DEFAULT_CHAT_PORT,
  decodeLine,
  encodeClient,
  MAX_LINE_BYTES,
  parseServer,
  type ServerMessage,
  Status,
  statusName,
} from './codec.ts';

export interface ChatClientOptions {
  host?: string;
  port?: number;
  /** Reply timeout per request; past it the connection is closed (the reply stream can no longer be matched). */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  log?: Logger;
}

/** A 220 pushed by the server: a message from the other member of `chatId`. */
export interface IncomingMessage {
  readonly chatId: number;
  readonly timestamp: number;
  readonly text: string;
  readonly mediaId?: number;
}

export interface ChatClientEvents {
  /** 220 MessageSended. */
  message: (message: IncomingMessage) => void;
  /** 234: `username` asks to become a contact; answer with `requestContact(username)`. */
  contactRequest: (username: string) => void;
  /** 233: the contact with `username` is confirmed. */
  contactConfirmed: (username: string) => void;
  /** A server line this client cannot parse (a broken server); the connection is closed after it. */
  protocolError: (line: string, reason: string) => void;
  close: (reason: CloseReason, error?: Error) => void;
}

/** The server answered 210 Unknown or 211 Invalid (or a request failed for a reason outside the protocol). */
export class ChatRequestError extends Error {
  override name = 'ChatRequestError';
  constructor(
    message: string,
    /** 210 or 211 when the server answered so; undefined for a timeout or a closed connection. */
    readonly op?: number,
    /** The status carried in a 211 reason (`407 CLIENT_NOT_LOGGED_IN` for RequestChatList), if any. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ChatInfo {
  readonly chatId: number;
  readonly users: readonly [string, string];
}
export interface HistoryEntry {
  readonly chatId: number;
  readonly timestamp: number;
  readonly sender: string;
  readonly text: string;
  readonly mediaId?: number;
}

/**
 * The next line a reply still needs, or null when `lines` are a complete reply. One request gets exactly one
 * reply: a single line, or a list block whose length its first line announces.
 */
export function nextExpected(lines: readonly ServerMessage[]): number | null {
  const first = lines[0];
  const n = lines.length;
  if (!first) return -1;
  switch (first.op) {
    case 214:
      return n < first.count + 1 ? 215 : n === first.count + 1 ? 216 : null;
    case 223:
    case 228: {
      if (first.status !== Status.OK) return null;
      const [begin, elem, end] = first.op === 223 ? [224, 225, 226] : [229, 230, 231];
      if (n === 1) return begin;
      const count = (lines[1] as { count: number }).count;
      return n < count + 2 ? elem : n === count + 2 ? end : null;
    }
    case 221:
      if (first.status !== Status.OK || first.count === undefined) return null;
      return n < first.count + 1 ? 235 : null;
    default:
      return null;
  }
}

interface Pending {
  readonly lines: ServerMessage[];
  resolve(lines: ServerMessage[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

type Listeners = { [K in keyof ChatClientEvents]: Set<ChatClientEvents[K]> };

/**
 * A client of the chat protocol. Requests are matched to replies by order (the server answers every request,
 * in order, on one connection); 220/233/234 pushes arrive as events whenever they come.
 */
export class ChatClient {
  readonly #conn: Connection;
  readonly #pending: Pending[] = [];
  readonly #timeoutMs: number;
  readonly #log: Logger;
  readonly #listeners: Listeners = {
    message: new Set(),
    contactRequest: new Set(),
    contactConfirmed: new Set(),
    protocolError: new Set(),
    close: new Set(),
  };
  /** The name the server confirmed at login (its spelling), null when logged out. */
  username: string | null = null;

  private constructor(conn: Connection, timeoutMs: number, log: Logger) {
    this.#conn = conn;
    this.#timeoutMs = timeoutMs;
    this.#log = log;
  }

  static async connect(options: ChatClientOptions = {}): Promise<ChatClient> {
    let client: ChatClient | undefined;
    const early: ((c: ChatClient) => void)[] = [];
    const conn = await connectFramed(
      {
        host: options.host ?? '127.0.0.1',
        port: options.port ?? DEFAULT_CHAT_PORT,
        framer: lineFramer({ maxLine: MAX_LINE_BYTES + 1024, eol: '\n' }),
        ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      },
      {
        onFrame: (frame) => (client ? client.#onFrame(frame) : early.push((c) => c.#onFrame(frame))),
        onFrameError: (error) => {
          if (client) client.#fail(`server sent a bad frame: ${error.message}`);
        },
        onClose: (reason, error) =>
          client ? client.#onClose(reason, error) : early.push((c) => c.#onClose(reason, error)),
      },
    );
    client = new ChatClient(conn, options.requestTimeoutMs ?? 30_000, options.log ?? silentLogger);
    for (const f of early) f(client);
    return client;
  }

  get connection(): Connection {
    return this.#conn;
  }
  /** Requests sent and not yet answered (a load test counts them in flight when its run cuts the session off). */
  get requestsInFlight(): number {
    return this.#pending.length;
  }

  get closed(): boolean {
    return this.#conn.closed;
  }

  on<K extends keyof ChatClientEvents>(event: K, listener: ChatClientEvents[K]): () => void {
    this.#listeners[event].add(listener);
    return () => this.#listeners[event].delete(listener);
  }

  /** Resolves with the first `event` whose argument passes `match`; rejects after `timeoutMs` or on close. */
  next<K extends 'message' | 'contactRequest' | 'contactConfirmed'>(
    event: K,
    match: (value: Parameters<ChatClientEvents[K]>[0]) => boolean = () => true,
    timeoutMs = this.#timeoutMs,
  ): Promise<Parameters<ChatClientEvents[K]>[0]> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        off();
        offClose();
      };
      const timer = setTimeout(() => {
        done();
        reject(new ChatRequestError(`no ${event} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on(event, ((value: Parameters<ChatClientEvents[K]>[0]) => {
        if (!match(value)) return;
        done();
        resolve(value);
      }) as ChatClientEvents[K]);
      const offClose = this.on('close', () => {
        done();
        reject(new ChatRequestError(`connection closed while waiting for ${event}`));
      });
    });
  }

  #emit<K extends keyof ChatClientEvents>(event: K, ...args: Parameters<ChatClientEvents[K]>): void {
    for (const listener of [...this.#listeners[event]]) {
      try {
        (listener as (...a: Parameters<ChatClientEvents[K]>) => void)(...args);
      } catch (error) {
        this.#log.error({ err: error, event }, 'chat client listener failed');
      }
    }
  }

  #onFrame(frame: Buffer) {
    const text = decodeLine(frame);
    const parsed = text === null ? null : parseServer(text);
    if (!parsed?.ok) {
      const reason = parsed ? parsed.reason : 'not UTF-8';
      this.#emit('protocolError', text ?? frame.toString('latin1'), reason);
      return this.#fail(`server sent an unparseable line (${reason})`);
    }
    const m = parsed.message;
    if (m.op === 220) {
      const { op: _op, ...message } = m;
      return this.#emit('message', message);
    }
    if (m.op === 233) return this.#emit('contactConfirmed', m.username);
    if (m.op === 234) return this.#emit('contactRequest', m.username);
    const pending = this.#pending[0];
    if (!pending) return this.#fail(`unrequested reply ${m.op}`);
    const expected = nextExpected(pending.lines);
    if (expected !== -1 && expected !== m.op) return this.#fail(`expected ${expected} in a reply, got ${m.op}`);
    pending.lines.push(m);
    if (nextExpected(pending.lines) === null) {
      this.#pending.shift();
      clearTimeout(pending.timer);
      pending.resolve(pending.lines);
    }
  }

  #fail(message: string): void {
    this.#log.warn({ reason: message }, 'chat client closing');
    this.#rejectAll(new ChatRequestError(message));
    this.#conn.destroy('protocol', new Error(message));
  }

  #onClose(reason: CloseReason, error?: Error): void {
    this.username = null;
    this.#rejectAll(new ChatRequestError(`connection closed (${reason})${error ? `: ${error.message}` : ''}`));
    this.#emit('close', reason, error);
  }

  #rejectAll(error: Error): void {
    for (const p of this.#pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }

  /**
   * Sends one raw line and resolves with its whole reply (one line, or a list block). For tests and tools;
   * the typed methods below are built on it.
   */
  raw(line: string): Promise<ServerMessage[]> {
    if (this.#conn.closed) return Promise.reject(new ChatRequestError('connection is closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(`no reply within ${this.#timeoutMs} ms to ${line.slice(0, 40)}`);
      }, this.#timeoutMs);
      this.#pending.push({ lines: [], resolve, reject, timer });
      this.#conn.send(line);
    });
  }

  /** Sends a typed request; a 210/211 reply rejects with ChatRequestError. */
  async request(message: ClientMessage): Promise<ServerMessage[]> {
    const lines = await this.raw(encodeClient(message));
    const first = lines[0]!;
    if (first.op === 210 || first.op === 211) {
      const status = first.reason ? Number(/^(\d{3}) /.exec(first.reason)?.[1]) : Number.NaN;
      throw new ChatRequestError(
        `${first.op === 210 ? 'Unknown' : 'Invalid'}: ${first.reason ?? '(no reason)'}`,
        first.op,
        Number.isNaN(status) ? undefined : status,
      );
    }
    return lines;
  }

  async #status(message: ClientMessage): Promise<number> {
    const [first] = await this.request(message);
    return (first as { status: number }).status;
  }

  register(username: string, password: string, email: string, gender = 'x'): Promise<number> {
    return this.#status({ op: 117, username, password, email, gender });
  }

  async login(username: string, password: string): Promise<number> {
    const [reply] = await this.request({ op: 110, username, password });
    const r = reply as Extract<ServerMessage, { op: 212 }>;
    if (r.status === Status.OK) this.username = r.username;
    return r.status;
  }

  async logout(): Promise<number> {
    const status = await this.#status({ op: 111 });
    if (status === Status.OK) this.username = null;
    return status;
  }

  async chatList(): Promise<ChatInfo[]> {
    const lines = await this.request({ op: 112 });
    return lines
      .filter((l): l is Extract<ServerMessage, { op: 215 }> => l.op === 215)
      .map((l) => ({ chatId: l.chatId, users: [l.user1, l.user2] as const }));
  }

  async createChat(contact: string): Promise<{ status: number; chatId?: number }> {
    const [reply] = await this.request({ op: 113, contact });
    const r = reply as Extract<ServerMessage, { op: 217 }>;
    return r.chatId === undefined ? { status: r.status } : { status: r.status, chatId: r.chatId };
  }

  deleteChat(chatId: number): Promise<number> {
    return this.#status({ op: 114, chatId });
  }

  async send(chatId: number, text: string, media?: Buffer): Promise<{ status: number; messageId?: number }> {
    const [reply] = await this.request({ op: 115, chatId, text, ...(media ? { media } : {}) });
    const r = reply as Extract<ServerMessage, { op: 219 }>;
    return r.messageId === undefined ? { status: r.status } : { status: r.status, messageId: r.messageId };
  }

  async history(chatId: number): Promise<{ status: number; messages: HistoryEntry[] }> {
    const [first, ...rest] = await this.request({ op: 116, chatId });
    const messages = rest.map((l) => {
      const { op: _op, ...entry } = l as Extract<ServerMessage, { op: 235 }>;
      return entry;
    });
    return { status: (first as { status: number }).status, messages };
  }

  async ownContacts(): Promise<{ status: number; contacts: { name: string; since: number }[] }> {
    const [first, ...rest] = await this.request({ op: 118 });
    const contacts = rest
      .filter((l): l is Extract<ServerMessage, { op: 225 }> => l.op === 225)
      .map((l) => ({ name: l.contact, since: l.since }));
    return { status: (first as { status: number }).status, contacts };
  }

  async media(mediaId: number): Promise<{ status: number; media?: Buffer }> {
    const [reply] = await this.request({ op: 119, mediaId });
    const r = reply as Extract<ServerMessage, { op: 227 }>;
    return r.media ? { status: r.status, media: r.media } : { status: r.status };
  }

  async contacts(): Promise<{ status: number; users: string[] }> {
    const [first, ...rest] = await this.request({ op: 120 });
    const users = rest.filter((l): l is Extract<ServerMessage, { op: 230 }> => l.op === 230).map((l) => l.contact);
    return { status: (first as { status: number }).status, users };
  }

  /** 121: asks `username` to become a contact, or confirms their request. */
  requestContact(username: string): Promise<number> {
    return this.#status({ op: 121, username });
  }

  /** Closes the connection; pending requests reject. */
  close(): void {
    this.#conn.close('local');
  }
}

/** Throws unless `status` is 400 OK, naming the status (for scripts and bots that expect success). */
export function expectOk(status: number, what: string): void {
  if (status !== Status.OK) throw new ChatRequestError(`${what} failed: ${status} ${statusName(status)}`);
}
