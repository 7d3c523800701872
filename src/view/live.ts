/**
 * The live spectator page of `botswarm serve <game> --web PORT`: an HTTP page that lists the server's running
 * games and draws any of them as it is played, with the same renderers as `botswarm view`.
 *
 * It follows the games as a `MatchObserver` of the server's match host, and is built so that watching costs the
 * game server next to nothing: for a game nobody watches it keeps only a reference to the newest state and a
 * step count (no drawing, no JSON); a watched game is drawn at most once per `frameIntervalMs` (the newest
 * state, with the lines of the steps in between), and a spectator whose socket is backed up is skipped rather
 * than queued. What goes out is encoded once, not once per spectator: the list (at most once a second) for every
 * page, a frame once per game and seat for everyone watching it so. The wire between page and server is documented in
 * docs/spectator.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { StepActions } from '../core/engine.ts';
import { type Logger, silentLogger } from '../core/log.ts';
import type { MatchObserver, ObservedMatch } from '../game/host.ts';
import type { GameViewer } from './frames.ts';
import { livePage } from './live-page.ts';

export interface LiveSpectatorOptions {
  /** The drawing of each game id the server may host; a game without one is listed but not drawn. */
  readonly viewers: Readonly<Record<string, GameViewer>>;
  readonly log?: Logger;
  /** A watched game is drawn at most this often (the newest state; steps in between add their lines). */
  readonly frameIntervalMs?: number;
  /**
   * The list goes to every page at most this often while it changes (default 1000 ms). On a busy server some game
   * starts or ends in nearly every frame interval, and the list (up to `maxListed` games, ~28 KB for 200) sent to
   * every page ten times a second was most of what spectators cost it.
   */
  readonly listIntervalMs?: number;
  /** Games listed at most (the newest); the list says how many more run. */
  readonly maxListed?: number;
  /** Ended games kept in the list (so that a page sees how its game ended). */
  readonly keepEnded?: number;
  /** Spectators connected at once; further ones are refused with close code 1013. */
  readonly maxSpectators?: number;
}

/** A spectator's socket with more than this many bytes unsent gets no frame until it drains. */
const BACKLOG_BYTES = 1 << 20;
/** Lines of not-yet-sent steps kept per watched game (the oldest are dropped, and the page is told how many). */
const MAX_PENDING_LINES = 400;

interface Tracked {
  readonly match: ObservedMatch;
  readonly key: string;
  readonly game: string;
  readonly startedAt: number;
  steps: number;
  ended: boolean;
  /** Steps whose lines were dropped since the last frame. */
  droppedLines: number;
  pendingLines: string[];
  /** Drawn and not yet sent: a step happened since the last frame. */
  dirty: boolean;
  readonly watchers: Set<Spectator>;
}

interface Spectator {
  readonly socket: WebSocket;
  watching: Tracked | undefined;
  /** -1: the full state; else that seat's observation. */
  seat: number;
}

/** Messages a page may send. */
type ClientMessage = { type: 'watch'; id: string; seat?: number } | { type: 'unwatch' };

export interface LiveSpectatorAddress {
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

export class LiveSpectator implements MatchObserver {
  readonly #viewers: Readonly<Record<string, GameViewer>>;
  readonly #log: Logger;
  readonly #frameIntervalMs: number;
  readonly #listIntervalMs: number;
  #listSentAt = Number.NEGATIVE_INFINITY;
  readonly #maxListed: number;
  readonly #keepEnded: number;
  readonly #maxSpectators: number;
  /** Running games and the last `keepEnded` ended ones, by key, in start order. */
  readonly #games = new Map<string, Tracked>();
  readonly #ended: string[] = [];
  /** What this page keeps of each match it follows (the match object is the host's): one lookup per step. */
  readonly #byMatch = new WeakMap<ObservedMatch, Tracked>();
  readonly #spectators = new Set<Spectator>();
  #listChanged = false;
  #ticker: NodeJS.Timeout | undefined;
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;
  #seq = 0;
  /** Frames sent and frames skipped for a backed-up socket, for the bench and the tests. */
  readonly stats = { framesSent: 0, framesSkipped: 0, spectatorsRefused: 0 };

  constructor(options: LiveSpectatorOptions) {
    this.#viewers = options.viewers;
    this.#log = options.log ?? silentLogger;
    this.#frameIntervalMs = options.frameIntervalMs ?? 100;
    this.#listIntervalMs = options.listIntervalMs ?? 1000;
    this.#maxListed = options.maxListed ?? 200;
    this.#keepEnded = options.keepEnded ?? 20;
    this.#maxSpectators = options.maxSpectators ?? 100;
  }

  // --- MatchObserver: the game server's side. Everything here is O(1) for a game nobody watches. --------------

  started(match: ObservedMatch): void {
    // Ids are per server and may repeat after a restart of a room; the key adds a sequence number.
    const key = `${match.id}#${++this.#seq}`;
    const t: Tracked = {
      match,
      key,
      game: match.engine.id,
      startedAt: Date.now(),
      steps: 0,
      ended: false,
      droppedLines: 0,
      pendingLines: [],
      dirty: true,
      watchers: new Set(),
    };
    this.#games.set(key, t);
    this.#byMatch.set(match, t);
    this.#listChanged = true;
  }

  stepped(
    match: ObservedMatch,
    before: unknown,
    step: StepActions<unknown, unknown>,
    events: readonly unknown[],
  ): void {
    const t = this.#tracked(match);
    if (!t) return;
    t.steps++;
    t.dirty = true;
    if (t.watchers.size === 0) return;
    const describe = match.engine.describeStep;
    if (!describe) return;
    const lines = describe.call(match.engine, before, step, events, match.state);
    for (const line of lines) t.pendingLines.push(line);
    if (t.pendingLines.length > MAX_PENDING_LINES) {
      const drop = t.pendingLines.length - MAX_PENDING_LINES;
      t.pendingLines.splice(0, drop);
      t.droppedLines += drop;
    }
  }

  ended(match: ObservedMatch): void {
    const t = this.#tracked(match);
    if (!t) return;
    t.ended = true;
    t.dirty = true;
    this.#listChanged = true;
    // The final frame and the result go out now, not on the next tick: the game's object may be reused.
    this.#sendFrames(t, t.watchers);
    t.dirty = false;
    this.#ended.push(t.key);
    while (this.#ended.length > this.#keepEnded) {
      const old = this.#games.get(this.#ended.shift()!);
      if (!old) continue;
      for (const s of old.watchers) s.watching = undefined;
      this.#games.delete(old.key);
      if (this.#byMatch.get(old.match) === old) this.#byMatch.delete(old.match);
    }
  }

  #tracked(match: ObservedMatch): Tracked | undefined {
    return this.#byMatch.get(match);
  }

  // --- the page's side ---------------------------------------------------------------------------------------------

  /** Serves the page and its WebSocket on `host:port` (0 = any free port). */
  async listen(host: string, port: number): Promise<LiveSpectatorAddress> {
    const { WebSocketServer } = await import('ws');
    const page = livePage(
      Object.fromEntries(
        Object.entries(this.#viewers).map(([id, v]) => [id, { renderer: v.renderer, scoreName: v.scoreName }]),
      ),
    );
    const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
    this.#wss = wss;
    const http = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end('only GET\n');
      } else if (path === '/' || path === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
      } else if (path === '/games.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.#list()));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    });
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if ((req.url ?? '').split('?')[0] !== '/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.#connected(ws));
    });
    this.#http = http;
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    this.#ticker = setInterval(() => this.#tick(), this.#frameIntervalMs);
    this.#ticker.unref();
    const address = http.address() as AddressInfo;
    const shown = address.address.includes(':') ? `[${address.address}]` : address.address;
    return { host: address.address, port: address.port, url: `http://${shown}:${address.port}/` };
  }

  async close(): Promise<void> {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = undefined;
    for (const s of this.#spectators) s.socket.terminate();
    this.#spectators.clear();
    this.#wss?.close();
    const http = this.#http;
    this.#http = undefined;
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }

  /** How many spectators are connected. */
  get spectators(): number {
    return this.#spectators.size;
  }

  #connected(socket: WebSocket): void {
    if (this.#spectators.size >= this.#maxSpectators) {
      this.stats.spectatorsRefused++;
      socket.close(1013, `at most ${this.#maxSpectators} spectators`);
      return;
    }
    const spectator: Spectator = { socket, watching: undefined, seat: -1 };
    this.#spectators.add(spectator);
    socket.on('message', (data, isBinary) => this.#message(spectator, isBinary ? null : data.toString()));
    socket.on('close', () => this.#gone(spectator));
    socket.on('error', () => this.#gone(spectator));
    this.#send(spectator, { type: 'games', ...this.#list() });
  }

  #gone(spectator: Spectator): void {
    this.#spectators.delete(spectator);
    spectator.watching?.watchers.delete(spectator);
    spectator.watching = undefined;
  }

  #message(spectator: Spectator, text: string | null): void {
    const message = parseClientMessage(text);
    if (typeof message === 'string') {
      this.#send(spectator, { type: 'error', message });
      return;
    }
    spectator.watching?.watchers.delete(spectator);
    spectator.watching = undefined;
    if (message.type === 'unwatch') return;
    const t = this.#games.get(message.id);
    if (!t) {
      this.#send(spectator, { type: 'error', message: `no game ${message.id} (it may have ended long ago)` });
      return;
    }
    const players = t.match.players;
    const seat = message.seat ?? -1;
    if (seat !== -1 && (seat < 0 || seat >= players)) {
      this.#send(spectator, { type: 'error', message: `seat ${seat} is not in 0..${players - 1}` });
      return;
    }
    spectator.seat = seat;
    spectator.watching = t;
    t.watchers.add(spectator);
    this.#sendFrames(t, [spectator]);
  }

  /**
   * Once per frame interval: the newest frame of every watched game that moved, and the list when it changed and
   * the list interval has passed since it was last sent.
   */
  #tick(): void {
    const now = performance.now();
    if (this.#listChanged && now - this.#listSentAt >= this.#listIntervalMs - this.#frameIntervalMs / 2) {
      if (this.#spectators.size > 0) {
        const list = encode({ type: 'games', ...this.#list() });
        for (const s of this.#spectators) this.#sendEncoded(s, list);
        this.#listSentAt = now;
      }
      this.#listChanged = false;
    }
    for (const t of this.#games.values()) {
      if (!t.dirty || t.watchers.size === 0) continue;
      this.#sendFrames(t, t.watchers);
      t.pendingLines = [];
      t.droppedLines = 0;
      t.dirty = false;
    }
  }

  #list() {
    const all = [...this.#games.values()];
    const shown = all.slice(-this.#maxListed);
    return {
      running: all.filter((t) => !t.ended).length,
      more: all.length - shown.length,
      games: shown.map((t) => ({
        id: t.key,
        game: t.game,
        drawn: this.#viewers[t.game] !== undefined,
        players: t.match.players,
        seed: t.match.seed,
        status: t.match.status,
        steps: t.steps,
        startedAt: t.startedAt,
      })),
    };
  }

  /**
   * The newest frame of `t` to each of `spectators` that can take it: drawn and encoded once per seat watched,
   * the same bytes to every socket (a game followed by many pages costs one drawing, not one each).
   */
  #sendFrames(t: Tracked, spectators: Iterable<Spectator>): void {
    let bySeat: Map<number, Buffer> | undefined;
    for (const s of spectators) {
      if (s.socket.readyState !== 1) continue;
      if (s.socket.bufferedAmount > BACKLOG_BYTES) {
        this.stats.framesSkipped++;
        continue;
      }
      bySeat ??= new Map();
      let frame = bySeat.get(s.seat);
      if (!frame) {
        frame = this.#encodeFrame(t, s.seat);
        bySeat.set(s.seat, frame);
      }
      s.socket.send(frame, { binary: false });
      this.stats.framesSent++;
    }
  }

  #encodeFrame(t: Tracked, seat: number): Buffer {
    const state = t.match.state;
    const viewer = this.#viewers[t.game];
    const result = t.ended && state !== undefined ? t.match.engine.result(state) : null;
    let picture: unknown = null;
    let label = `step ${t.steps}`;
    let scores: number[] = [];
    if (viewer && state !== undefined) {
      try {
        picture =
          seat >= 0 && viewer.seat ? viewer.seat(t.match.engine.observe(state, seat), seat, state) : viewer.full(state);
        label = viewer.label(state);
        scores = viewer.scores(state);
      } catch (err) {
        // A drawing fault shows as a missing picture; the game is not the spectator's to break.
        this.#log.warn({ err, game: t.key }, 'spectator: drawing failed');
      }
    }
    return encode({
      type: 'frame',
      id: t.key,
      game: t.game,
      status: t.match.status,
      steps: t.steps,
      label,
      scores,
      seat,
      seatHidden: seat >= 0 && !viewer?.seat,
      lines: t.pendingLines,
      droppedLines: t.droppedLines,
      view: picture,
      result,
    });
  }

  #send(spectator: Spectator, message: unknown): void {
    this.#sendEncoded(spectator, encode(message));
  }

  #sendEncoded(spectator: Spectator, message: Buffer): void {
    if (spectator.socket.readyState !== 1) return;
    // A text frame of bytes already UTF-8: ws sends the buffer as it is (a server does not mask), so one buffer
    // serves every socket, where a string would be encoded again for each.
    spectator.socket.send(message, { binary: false });
  }
}

/** A message as the UTF-8 bytes of its JSON, ready for any number of sockets. */
const encode = (message: unknown): Buffer => Buffer.from(JSON.stringify(message), 'utf8');

/** A page's message, or the reason it is refused (answered with `{type:"error"}`; the socket stays open). */
export function parseClientMessage(text: string | null): ClientMessage | string {
  if (text === null) return 'binary messages are not understood; send JSON text';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'expected an object with a "type"';
  const m = value as Record<string, unknown>;
  if (m.type === 'unwatch') return { type: 'unwatch' };
  if (m.type !== 'watch') return `unknown type ${JSON.stringify(m.type)} (watch, unwatch)`;
  if (typeof m.id !== 'string' || m.id.length === 0 || m.id.length > 200)
    return 'watch: "id" must be a game id from the list';
  if (m.seat !== undefined && (!Number.isInteger(m.seat) || (m.seat as number) < -1))
    return 'watch: "seat" must be -1 or a seat number';
  return { type: 'watch', id: m.id, seat: m.seat as number | undefined };
}
