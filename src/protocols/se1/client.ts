/**
 * SE1 clients: `Se1Client` speaks the plain-text lobby (request, reply block) and, after JOIN GAME, hands JSON
 * events to a handler; `Se1Model` rebuilds the object model from the event stream.
 */
import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import { connectFramed } from '../../net/client.ts';
import type { Connection } from '../../net/connection.ts';
import { lineFramer } from '../../net/framing.ts';
import { decodeEvent, encodeCommand, type Se1Event } from './json.ts';
import { MAX_LINE } from './server.ts';

export class Se1Error extends Error {
  override name = 'Se1Error';
}

export interface LobbyReply {
  /** The lines before `OK`. */
  readonly lines: readonly string[];
}

export interface Se1ClientOptions {
  host: string;
  port: number;
  log?: Logger;
  /** Reply timeout of one lobby request. */
  requestTimeoutMs?: number;
  /** Incoming `MSG FROM <sender> TO <ALL|TEAM|YOU>: "<text>"` lines in the lobby. */
  onMessage?(message: { from: string; to: string; text: string }): void;
  /** JSON events after JOIN GAME (replayed history first). */
  onEvent?(event: Se1Event): void;
  onClose?(): void;
}

interface Pending {
  readonly lines: string[];
  resolve(reply: LobbyReply): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
  /**
   * Its caller was already told `no reply within ...`. It stays in the queue: the server answers in order, so
   * its late reply block must be read (and dropped) here instead of being taken as the next request's.
   */
  timedOut?: boolean;
}

/** One connection to an SE1 server. Lobby requests are answered in order; events arrive through `onEvent`. */
export class Se1Client {
  readonly greeting: string;
  /** The idle timeout the server announced, in ms. */
  readonly serverTimeoutMs: number;
  #connection: Connection;
  #options: Se1ClientOptions;
  #queue: Pending[] = [];
  #mode: 'lobby' | 'sending' | 'json' = 'lobby';
  /** After `SENDING <n> BYTES`: the next line is the map itself, whatever it looks like. */
  #rawNext = false;
  #keepalive: NodeJS.Timeout | undefined;

  private constructor(connection: Connection, greeting: string, options: Se1ClientOptions) {
    this.#connection = connection;
    this.greeting = greeting;
    this.#options = options;
    const m = /Timeout set to (\d+)ms/.exec(greeting);
    this.serverTimeoutMs = m ? Number(m[1]) : 3_600_000;
    // A NOOP well before the server's timeout, in whichever protocol the connection speaks. In the lobby it is
    // a request like any other (its OK must not end someone else's reply block), and only sent when none is
    // waiting: a pending request was sent less than a request timeout ago anyway.
    this.#keepalive = setInterval(
      () => {
        if (this.#mode === 'json') this.#connection.send(encodeCommand('NOOP'));
        else if (this.#mode === 'lobby' && this.#queue.length === 0) this.request('NOOP').catch(() => undefined);
      },
      Math.max(50, Math.floor(this.serverTimeoutMs / 3)),
    );
    this.#keepalive.unref();
  }

  static connect(options: Se1ClientOptions): Promise<Se1Client> {
    return new Promise((resolve, reject) => {
      let client: Se1Client | undefined;
      const timer = setTimeout(() => reject(new Se1Error('no greeting from the server')), 10_000);
      connectFramed(
        { host: options.host, port: options.port, framer: lineFramer({ maxLine: MAX_LINE * 4, eol: '\r\n' }) },
        {
          onFrame: (frame) => {
            const line = frame.toString('utf8');
            if (!client) {
              clearTimeout(timer);
              if (!line.startsWith('SE1 ')) {
                reject(new Se1Error(`not an SE1 greeting: ${JSON.stringify(line)}`));
                return;
              }
              client = new Se1Client(connection!, line, options);
              resolve(client);
              return;
            }
            client.#onLine(line);
          },
          onClose: () => {
            clearTimeout(timer);
            if (!client) reject(new Se1Error('connection closed before the greeting'));
            else client.#closed();
          },
        },
      )
        .then((c) => {
          connection = c;
        })
        .catch((e) => {
          clearTimeout(timer);
          reject(e);
        });
      let connection: Connection | undefined;
    });
  }

  /** The framed connection (load tests count its bytes). */
  get connection(): Connection {
    return this.#connection;
  }

  get mode() {
    return this.#mode;
  }

  /** Requests sent and not yet answered (a load test counts them in flight when its run cuts the session off). */
  get requestsInFlight(): number {
    let n = 0;
    for (const p of this.#queue) if (!p.timedOut) n++;
    return n;
  }

  get closed() {
    return this.#connection.closed;
  }

  #onLine(line: string): void {
    if (this.#mode === 'json') {
      // A LEAVE_GAME is confirmed with an OK line: back to the lobby.
      if (line === 'OK' && this.#queue.length > 0) {
        this.#mode = 'lobby';
        this.#finish(undefined);
        return;
      }
      let event: Se1Event;
      try {
        event = decodeEvent(line);
      } catch (error) {
        this.#options.log?.warn({ line, err: error }, 'se1: undecodable event');
        return;
      }
      this.#options.onEvent?.(event);
      return;
    }
    if (this.#rawNext && this.#queue[0]) {
      this.#rawNext = false;
      this.#queue[0].lines.push(line);
      return;
    }
    const msg = /^MSG FROM (\S+) TO (ALL|TEAM|YOU): (".*")$/.exec(line);
    if (msg) {
      let text = msg[3]!;
      try {
        text = JSON.parse(text);
      } catch {
        // Keep the quoted text.
      }
      this.#options.onMessage?.({ from: msg[1]!, to: msg[2]!, text });
      return;
    }
    const head = this.#queue[0];
    if (!head) {
      this.#options.log?.warn({ line }, 'se1: line without a request');
      return;
    }
    if (line === 'OK') {
      if (this.#mode === 'sending') this.#mode = 'json';
      this.#finish(undefined);
    } else if (line.startsWith('ERROR')) {
      this.#finish(new Se1Error(line.replace(/^ERROR:?\s*/, '')));
    } else {
      if (/^SENDING \d+ EVENTS$/.test(line)) this.#mode = 'sending';
      else if (/^SENDING \d+ BYTES$/.test(line)) this.#rawNext = true;
      head.lines.push(line);
    }
  }

  #finish(error: Error | undefined): void {
    const head = this.#queue.shift();
    if (!head || head.timedOut) return;
    clearTimeout(head.timer);
    if (error) head.reject(error);
    else head.resolve({ lines: head.lines });
  }

  #closed(): void {
    if (this.#keepalive) clearInterval(this.#keepalive);
    for (const p of this.#queue.splice(0)) {
      clearTimeout(p.timer);
      if (!p.timedOut) p.reject(new Se1Error('connection closed'));
    }
    this.#options.onClose?.();
  }

  /** Sends one lobby command; resolves with its reply block, rejects with the server's ERROR line. */
  request(line: string): Promise<LobbyReply> {
    return new Promise((resolve, reject) => {
      if (this.#connection.closed) return reject(new Se1Error('connection closed'));
      const ms = this.#options.requestTimeoutMs ?? 30_000;
      const timer = setTimeout(() => {
        pending.timedOut = true;
        reject(new Se1Error(`no reply to "${line.split(' ')[0]}" within ${ms} ms`));
      }, ms);
      const pending: Pending = { lines: [], resolve, reject, timer };
      this.#queue.push(pending);
      this.#connection.send(line);
    });
  }

  /** Parses `KEY=VALUE` pairs of a reply line (`USER NICK=a EMAIL=b` -> {NICK: a, EMAIL: b}). */
  static fields(line: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of line.matchAll(/(\w+)=(\S*)/g)) out[m[1]!] = m[2]!;
    return out;
  }

  async createTestPlayer(): Promise<{ nick: string; password: string }> {
    const reply = await this.request('CREATE TESTPLAYER');
    const f = Se1Client.fields(reply.lines[0] ?? '');
    if (!f.NICK || !f.PASSWORD) throw new Se1Error(`unexpected reply: ${reply.lines.join(' | ')}`);
    return { nick: f.NICK, password: f.PASSWORD };
  }

  async login(login: string, password: string): Promise<Record<string, string>> {
    const reply = await this.request(`LOGIN ${login} ${password}`);
    return Se1Client.fields(reply.lines[0] ?? '');
  }

  /** LIST MAPS: name, version and creator of every map. */
  async listMaps(): Promise<{ name: string; version: string; creator: string }[]> {
    const reply = await this.request('LIST MAPS');
    return reply.lines.map((l) => {
      const f = Se1Client.fields(l);
      return { name: f.NAME ?? '', version: f.VERSION ?? '', creator: f.CREATOR ?? '' };
    });
  }

  /** DOWNLOAD MAP: the map's content (one line). */
  async downloadMap(name: string): Promise<string> {
    const reply = await this.request(`DOWNLOAD MAP ${name}`);
    const m = /^SENDING (\d+) BYTES$/.exec(reply.lines[0] ?? '');
    const content = reply.lines[1] ?? '';
    if (!m || Buffer.byteLength(content) !== Number(m[1]))
      throw new Se1Error(`unexpected DOWNLOAD MAP reply: ${reply.lines.join(' | ')}`);
    return content;
  }

  /** UPLOAD MAP <name> <bytes> and the map line; resolves with the stored map's VERSION. */
  async uploadMap(name: string, content: string): Promise<string> {
    if (/[\r\n]/.test(content)) throw new Se1Error('a map is uploaded as one line: no CR or LF in it');
    // The server refuses these at the header and would then read the map line as a command.
    const bytes = Buffer.byteLength(content);
    if (bytes < 1 || bytes > MAX_LINE) throw new Se1Error(`a map is 1 to ${MAX_LINE} bytes, this one is ${bytes}`);
    if (!/^\S+$/.test(name)) throw new Se1Error(`a map name is one word, got "${name}"`);
    this.#connection.send(`UPLOAD MAP ${name} ${bytes}`);
    // One reply block for the two lines: the request sends the second.
    const reply = await this.request(content);
    return Se1Client.fields(reply.lines[0] ?? '').VERSION ?? '';
  }

  /** JOIN GAME; the replayed events arrive through `onEvent` right after this resolves. */
  async joinGame(name: string, visitor = false): Promise<number> {
    const reply = await this.request(`JOIN GAME ${name}${visitor ? ' -visitor true' : ''}`);
    const m = /^SENDING (\d+) EVENTS$/.exec(reply.lines[0] ?? '');
    if (!m) throw new Se1Error(`unexpected JOIN GAME reply: ${reply.lines.join(' | ')}`);
    return Number(m[1]);
  }

  /** A JSON command (after JOIN GAME). */
  command(action: string, properties: readonly (readonly [string, string])[] = []): void {
    this.#connection.send(encodeCommand(action, properties));
  }

  /** LEAVE_GAME; resolves once the connection is back in the lobby. */
  leaveGame(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.timedOut = true;
        reject(new Se1Error('no reply to LEAVE_GAME'));
      }, 30_000);
      const pending: Pending = { lines: [], resolve: () => resolve(), reject, timer };
      this.#queue.push(pending);
      this.command('LEAVE_GAME');
    });
  }

  /** Sends a raw line (tests, hand-made commands). */
  sendRaw(line: string): void {
    this.#connection.send(line);
  }

  close(): void {
    if (this.#keepalive) clearInterval(this.#keepalive);
    this.#connection.close('local');
  }
}

/** Properties that are lists: `@nv` adds an element, `@ov` without `@nv` removes one. */
export const TO_MANY = new Set(['players', 'board', 'visitors', 'meeples', 'users']);

/**
 * The object model, rebuilt from events as the SE1 tip suggests: objects by id, each a map of properties.
 * Scalar properties hold the latest value (an `@ov`-only event clears them), to-many ones a list.
 */
export class Se1Model {
  readonly objects = new Map<string, Map<string, string | string[]>>();

  apply(e: Se1Event): void {
    if (e.src === 'SERVER') return;
    let o = this.objects.get(e.src);
    if (!o) {
      o = new Map();
      this.objects.set(e.src, o);
    }
    if (TO_MANY.has(e.prop)) {
      const list = (o.get(e.prop) as string[] | undefined) ?? [];
      if (e.nv !== undefined) list.push(e.nv);
      else if (e.ov !== undefined) {
        const i = list.indexOf(e.ov);
        if (i >= 0) list.splice(i, 1);
      }
      o.set(e.prop, list);
    } else if (e.nv !== undefined) o.set(e.prop, e.nv);
    else o.delete(e.prop);
  }

  get(id: string, p: string): string | undefined {
    const v = this.objects.get(id)?.get(p);
    return typeof v === 'string' ? v : undefined;
  }

  list(id: string, p: string): readonly string[] {
    const v = this.objects.get(id)?.get(p);
    return Array.isArray(v) ? v : [];
  }

  /** Ids of a class (`Game`, `Player`...), in order of first appearance. */
  ofClass(cls: string): string[] {
    return [...this.objects.keys()].filter((id) => id.startsWith(`${cls}@`));
  }
}

export { silentLogger };
