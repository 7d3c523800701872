/**
 * Galax 0.22 client: `GalaxClient` is one session (one Connection, requests matched to replies in order, a timing
 * hook per request); `GalaxAdapter` rebuilds the engine's `GalaxObservation` from the lines a player receives.
 * The game loop on top of them is the one seat (src/game/seat.ts, with ./seat-adapter.ts).
 */
import type { Logger } from '../../core/log.ts';
import {
  type GalaxAction,
  type GalaxEvent,
  type GalaxObservation,
  type OwnFleet,
  type PlanetView,
  TENTHS,
  type Volley,
} from '../../games/galax/index.ts';
import { connectFramed } from '../../net/client.ts';
import type { CloseReason, Connection, ConnectionHandlers } from '../../net/connection.ts';
import { Fifo } from '../../net/fifo.ts';
import { textLineFramer } from '../../net/framing.ts';
import {
  type ErrorCode,
  GALAX_MAX_LINE,
  GALAX_VERSION,
  isParseError,
  parseServerLine,
  type ServerMessage,
} from './codec.ts';

type Msg<C extends ServerMessage['cmd']> = Extract<ServerMessage, { cmd: C }>;
export type GfldMessage = Msg<'GFLD'>;
export type MvokMessage = Msg<'MVOK'>;

/** The server refused a request (ERRP/ERRC/ERRM/ERRJ) or sent something the client cannot read. */
export class GalaxReplyError extends Error {
  override name = 'GalaxReplyError';
  constructor(
    readonly code: ErrorCode,
    readonly serverMessage: string,
    readonly request: string,
  ) {
    super(`${request} refused: ${code} ${serverMessage}`);
  }
}

/** The session is over: the connection closed, a reply did not come in time, or the game was abandoned. */
export class GalaxSessionError extends Error {
  override name = 'GalaxSessionError';
}

export type RequestKind = 'join' | 'play' | 'move';

export interface GalaxClientOptions {
  host: string;
  port: number;
  /** Name sent in GCLT (may contain spaces). */
  name?: string;
  /** Version sent in GCLT; any string without spaces. */
  version?: string;
  connectTimeoutMs?: number;
  /** Each request (handshake, JOIN, PLAY, MOVE) fails with GalaxSessionError past this. */
  requestTimeoutMs?: number;
  /** Called once per answered request with its round trip in microseconds; `ok` false for an ERR* reply. */
  onTiming?: (kind: RequestKind, micros: number, ok: boolean) => void;
  /** Every server message but ERR* replies, in arrival order (successful replies too: JNOK, GFLD, MVOK). */
  onMessage?: (message: ServerMessage) => void;
  /** An ERR* line that answers no pending request (e.g. a refused DONE), or an unreadable server line. */
  onUnsolicitedError?: (code: ErrorCode, message: string) => void;
  /**
   * The session is over (once, with what `whenClosed` resolves with; after its waiters), for a caller that would
   * otherwise hold a promise and its reaction for the whole session. Not called when `connect` itself fails.
   */
  onClose?: (error: Error) => void;
  /**
   * Whether to keep the lobby list (`games`, and what `nextLobby` resolves with). Default true. A load bot that
   * is seated by its generator never reads it: each one kept its own copy of every open game on the server (at
   * 1,000 bots a tenth of the generator's live heap, docs/performance.md). False: GAME lines are read and dropped.
   */
  keepLobby?: boolean;
  log?: Logger;
}

type Resolve = (message: ServerMessage) => void;
type Reject = (error: Error) => void;

/**
 * How a MOVE sent with `sendMove` completes: its MVOK, or the error (GalaxReplyError for an ERRM/ERRP reply,
 * GalaxSessionError when the session ended first). Called once, never synchronously from `sendMove`.
 */
export type MoveCallback = (error: Error | null, reply: MvokMessage | null) => void;

/**
 * One `moves()` call: its results in move order and the one promise that settles when the last reply is in. Each
 * MOVE of it points here with its index: no promise, closure or `catch` per move.
 */
class MoveBatch {
  readonly results: (MvokMessage | GalaxReplyError)[];
  left: number;
  constructor(
    size: number,
    readonly resolve: (results: (MvokMessage | GalaxReplyError)[]) => void,
    readonly reject: Reject,
  ) {
    this.results = new Array(size);
    this.left = size;
  }

  settle(index: number, result: MvokMessage | GalaxReplyError): void {
    this.results[index] = result;
    if (--this.left === 0) this.resolve(this.results);
  }
}

/**
 * One request waiting for its reply (a class: one hidden class, no closure per request). It completes in one of
 * three ways, chosen by the caller: a promise's resolvers (`join`, `start`, `move`), a callback (`sendMove`), or
 * a slot of a `moves()` batch.
 */
class Pending {
  constructor(
    readonly kind: RequestKind,
    /** The request as sent, for error messages. */
    readonly line: string,
    /** The success reply: MVOK, JNOK or GFLD. */
    readonly reply: 'MVOK' | 'JNOK' | 'GFLD',
    readonly sentAt: number,
    readonly resolve: Resolve | null,
    readonly reject: Reject | null,
    readonly callback: MoveCallback | null,
    readonly batch: MoveBatch | null,
    readonly index: number,
  ) {}

  succeed(m: ServerMessage): void {
    if (this.batch) this.batch.settle(this.index, m as MvokMessage);
    else if (this.callback) this.callback(null, m as MvokMessage);
    else this.resolve!(m);
  }

  /** A refusal (ERR* reply): a batch keeps it as that move's result; the others fail. */
  refuse(error: GalaxReplyError): void {
    if (this.batch) this.batch.settle(this.index, error);
    else if (this.callback) this.callback(error, null);
    else this.reject!(error);
  }

  /** The session ended before the reply. */
  abort(error: Error): void {
    if (this.batch) {
      // The batch fails once, whichever of its moves is told first.
      if (this.batch.left > 0) {
        this.batch.left = 0;
        this.batch.reject(error);
      }
    } else if (this.callback) this.callback(error, null);
    else this.reject!(error);
  }
}

/**
 * One Galax session over one Connection. Replies come back in request order (one TCP stream, a server answers
 * each line before reading the next), so pending requests are a FIFO and only its head can be overdue: one timer.
 */
export class GalaxClient {
  readonly conn: Connection<string>;
  serverVersion = '';
  serverName = '';
  /** The latest lobby list (GAME lines before SLCT). */
  games: { game: number; players: number }[] = [];
  #pending = new Fifo<Pending>();
  #timer: NodeJS.Timeout | null = null;
  #options: GalaxClientOptions;
  #requestTimeoutMs: number;
  #closedError: Error | null = null;
  /** The reason `close(reason)` was given, for the connection's close it causes (no error of its own then). */
  #closeReason: Error | undefined;
  #lobby: { game: number; players: number }[] = [];
  #lobbyWaiters: ((games: { game: number; players: number }[]) => void)[] = [];
  #closeWaiters: ((error: Error) => void)[] = [];

  private constructor(conn: Connection<string>, options: GalaxClientOptions) {
    this.conn = conn;
    this.#options = options;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /** Connects, waits for GSRV, sends GCLT, waits for CLOK and the game list. */
  static async connect(options: GalaxClientOptions): Promise<GalaxClient> {
    const handlers = new GalaxClient.#Handlers(options);
    const conn = await connectFramed<string>(
      {
        host: options.host,
        port: options.port,
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
        framer: textLineFramer({ maxLine: 64 * GALAX_MAX_LINE, eol: '\r\n' }),
      },
      handlers,
    );
    const c = new GalaxClient(conn, options);
    const early = handlers.early;
    handlers.early = null;
    handlers.client = c;
    // Registered now: the list arrives in the same read as CLOK.
    const lobby = c.nextLobby();
    lobby.catch(() => {});
    const handshake = new Promise<void>((resolve, reject) => {
      let step: 'GSRV' | 'CLOK' = 'GSRV';
      c.#handshake = (m) => {
        if (m.cmd === 'GSRV' && step === 'GSRV') {
          c.serverVersion = m.version;
          c.serverName = m.name;
          step = 'CLOK';
          c.conn.send(`GCLT ${options.version ?? GALAX_VERSION} ${options.name ?? 'botswarm'}`);
        } else if (m.cmd === 'CLOK' && step === 'CLOK') {
          c.#handshake = null;
          resolve();
        } else reject(new GalaxSessionError(`handshake: expected ${step}, got ${m.cmd}`));
      };
      c.#closeWaiters.push(reject);
    });
    if (early) for (const line of early) c.#onLine(line);
    const timer = setTimeout(
      () => c.#fail(new GalaxSessionError(`handshake: no CLOK within ${c.#requestTimeoutMs} ms`)),
      c.#requestTimeoutMs,
    );
    try {
      await handshake;
      await lobby;
      c.#connected = true;
      // Only the handshake's and the lobby's rejections wait here now, both settled: not kept for the session.
      c.#closeWaiters = [];
    } catch (error) {
      c.conn.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return c;
  }

  #handshake: ((m: ServerMessage) => void) | null = null;

  /**
   * The connection's handlers: one object with methods (its client is set once connected; lines before that are
   * kept), where three closures and the context of `connect` were kept for the whole session.
   */
  static readonly #Handlers = class implements ConnectionHandlers<string> {
    client: GalaxClient | null = null;
    early: string[] | null = [];
    constructor(readonly options: GalaxClientOptions) {}

    onFrame(line: string): void {
      if (this.client) this.client.#onLine(line);
      else this.early?.push(line);
    }

    onFrameError(error: Error): void {
      this.options.onUnsolicitedError?.('ERRC', error.message);
    }

    onClose(reason: CloseReason, error?: Error): void {
      const client = this.client;
      if (!client) return;
      const { host, port } = this.options;
      client.#fail(
        client.#closeReason ??
          new GalaxSessionError(`connection to ${host}:${port} closed (${reason}${error ? `: ${error.message}` : ''})`),
      );
    }
  };
  /** `connect` resolved: from then on the end of the session goes to `onClose`. */
  #connected = false;

  /** Resolves with the next complete lobby list (the one after CLOK, or after a game's WINN). */
  nextLobby(): Promise<{ game: number; players: number }[]> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    return new Promise((resolve, reject) => {
      this.#lobbyWaiters.push(resolve);
      this.#closeWaiters.push(reject);
    });
  }

  /** MOVE requests sent and not yet answered (a load test counts them as in flight when its run ends). */
  get movesInFlight(): number {
    let n = 0;
    for (const p of this.#pending) if (p.kind === 'move') n++;
    return n;
  }

  get closed(): boolean {
    return this.#closedError !== null;
  }

  /** JOIN `game` (0 creates one); resolves with the game id from JNOK. */
  async join(game: number): Promise<number> {
    const m = await this.#request('join', `JOIN ${game}`, 'JNOK');
    return (m as Msg<'JNOK'>).game;
  }

  /** PLAY; resolves with this player's GFLD. */
  async start(): Promise<GfldMessage> {
    return (await this.#request('play', 'PLAY', 'GFLD')) as GfldMessage;
  }

  /**
   * One MOVE; resolves with its MVOK, rejects with GalaxReplyError on ERRM/ERRP. Not `async`: the request's own
   * promise is returned, without a second promise and microtask per move around it.
   */
  move(from: number, to: number, ships: number): Promise<MvokMessage> {
    return this.#request('move', `MOVE ${from} ${to} ${ships}`, 'MVOK') as Promise<MvokMessage>;
  }

  /**
   * One MOVE completed through `done` instead of a promise (see `MoveCallback`): the same request, matching and
   * timing as `move`, without a promise and its microtask per request, for callers that send many (load tests).
   */
  sendMove(from: number, to: number, ships: number, done: MoveCallback): void {
    const line = `MOVE ${from} ${to} ${ships}`;
    if (this.#closedError) {
      const error = this.#closedError;
      queueMicrotask(() => done(error, null));
      return;
    }
    this.#send(new Pending('move', line, 'MVOK', performance.now(), null, null, done, null, 0));
  }

  /**
   * Sends the moves and DONE at once (pipelined) and resolves with one result per move: its MVOK or the error
   * reply. Rejects only when the session ends. One promise for the whole batch, none per move.
   */
  moves(moves: GalaxAction): Promise<(MvokMessage | GalaxReplyError)[]> {
    const n = moves.length;
    if (n === 0) {
      this.done();
      return Promise.resolve([]);
    }
    if (this.#closedError) return Promise.reject(this.#closedError);
    let batch!: MoveBatch;
    const promise = new Promise<(MvokMessage | GalaxReplyError)[]>((resolve, reject) => {
      batch = new MoveBatch(n, resolve, reject);
    });
    const now = performance.now();
    for (let i = 0; i < n; i++) {
      const m = moves[i]!;
      this.#send(new Pending('move', `MOVE ${m.from} ${m.to} ${m.ships}`, 'MVOK', now, null, null, null, batch, i));
    }
    this.done();
    return promise;
  }

  /** DONE: no reply on success (a refusal arrives as an unsolicited ERRP). */
  done(): void {
    this.conn.send('DONE');
  }

  /** `reason`: what pending requests and `whenClosed` get (default: the connection's GalaxSessionError). */
  close(reason?: Error): void {
    // Closed already (a load session closes its client again when it ends): no error built for nothing.
    if (this.#closedError) return;
    this.#closeReason = reason;
    this.conn.close('local');
    this.#fail(reason ?? new GalaxSessionError('session closed by the client'));
  }

  /** Resolves when the connection is gone (immediately if it already is). */
  whenClosed(): Promise<Error> {
    if (this.#closedError) return Promise.resolve(this.#closedError);
    return new Promise((resolve) => this.#closeWaiters.push(resolve));
  }

  #request(kind: RequestKind, line: string, reply: Pending['reply']): Promise<ServerMessage> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    const promise = new Promise<ServerMessage>(GalaxClient.#capture);
    const resolve = GalaxClient.#resolve!;
    const reject = GalaxClient.#reject!;
    // Not kept past this call: they would hold the last request's promise for the rest of the session.
    GalaxClient.#resolve = null;
    GalaxClient.#reject = null;
    this.#send(new Pending(kind, line, reply, performance.now(), resolve, reject, null, null, 0));
    return promise;
  }

  #send(pending: Pending): void {
    this.#pending.push(pending);
    if (!this.#timer) this.#arm(this.#requestTimeoutMs);
    this.conn.send(pending.line);
  }

  /** The executor of every request's promise: one function for every client, not a closure per request. */
  static #resolve: Resolve | null = null;
  static #reject: Reject | null = null;
  static #capture(resolve: Resolve, reject: Reject): void {
    GalaxClient.#resolve = resolve;
    GalaxClient.#reject = reject;
  }

  /**
   * The timer is lazy: a reply does not touch it (clearing and setting a timer per reply was a tenth of the
   * client's time). When it fires it looks at the head of the queue then, and fails the session if that one is
   * overdue, or sleeps until it would be.
   */
  #arm(wait: number): void {
    // The client as the timer's argument: no closure per client.
    this.#timer = setTimeout(GalaxClient.#onTimer, wait, this);
  }

  static #onTimer(c: GalaxClient): void {
    c.#timer = null;
    const head = c.#pending.peek();
    if (!head || c.#closedError) return;
    const left = head.sentAt + c.#requestTimeoutMs - performance.now();
    if (left > 0) {
      c.#arm(left);
      return;
    }
    c.#fail(new GalaxSessionError(`no reply to "${head.line}" within ${c.#requestTimeoutMs} ms`));
    c.conn.destroy('local');
  }

  #onLine(line: string): void {
    const m = parseServerLine(line);
    if (isParseError(m)) {
      this.#options.log?.warn({ line: line.slice(0, 200), error: m.message }, 'unreadable server line ignored');
      this.#options.onUnsolicitedError?.('ERRC', `unreadable server line: ${m.message}`);
      return;
    }
    if (this.#handshake) {
      this.#handshake(m);
      return;
    }
    const head = this.#pending.peek();
    if (head) {
      const isError = m.cmd === 'ERRP' || m.cmd === 'ERRC' || m.cmd === 'ERRM' || m.cmd === 'ERRJ';
      if (m.cmd === head.reply || isError) {
        this.#pending.shift();
        // The round trip ends when the reply's bytes were read (one clock reading per read, not per reply).
        this.#options.onTiming?.(head.kind, Math.round((this.conn.lastReceivedAt - head.sentAt) * 1000), !isError);
        if (isError) {
          head.refuse(new GalaxReplyError(m.cmd, (m as Msg<ErrorCode>).message, head.line));
          return;
        }
        head.succeed(m);
        // Falls through: MVOK and GFLD are game data too (the adapter keeps fleets and the field from them).
      }
    } else if (m.cmd === 'ERRP' || m.cmd === 'ERRC' || m.cmd === 'ERRM' || m.cmd === 'ERRJ') {
      this.#options.onUnsolicitedError?.(m.cmd, m.message);
      return;
    }
    if (m.cmd === 'GAME') {
      if (this.#options.keepLobby !== false) this.#lobby.push({ game: m.game, players: m.players });
    } else if (m.cmd === 'SLCT') {
      this.games = this.#lobby;
      this.#lobby = [];
      const waiters = this.#lobbyWaiters;
      this.#lobbyWaiters = [];
      for (const w of waiters) w(this.games);
    }
    this.#options.onMessage?.(m);
  }

  #fail(error: Error): void {
    if (this.#closedError) return;
    this.#closedError = error;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const p of this.#pending.drain()) p.abort(error);
    const waiters = this.#closeWaiters;
    this.#closeWaiters = [];
    for (const w of waiters) w(error);
    this.#lobbyWaiters = [];
    if (!this.conn.closed) this.conn.destroy('local');
    if (this.#connected) this.#options.onClose?.(error);
  }
}

/**
 * Rebuilds, from the lines one player receives, exactly what `galaxEngine.observe` gives that player: the planet
 * list of the last PLNT block, the year of YEAR, its own fleets from MVOK (dropped once arrived), and the events of
 * the last battle phase (BATT+ATTK*+BWIN, FORT, KILL, WINN).
 */
export interface GalaxAdapterOptions {
  /** Keep every event of the game in `history` (default true; `play --connect` reports them, a load bot never reads them). */
  readonly keepHistory?: boolean;
}

/** The `killed` of a game without a KILL yet. */
const NO_ONE: ReadonlySet<number> = new Set();

/** Numbers per planet in a packed planet list: id, x, y, owner, ships, production. */
const PLANET_FIELDS = 6;

/** The planet views of a packed planet list (what `PLNT` lines carried, in their order). */
function unpackPlanets(packed: readonly number[]): PlanetView[] {
  const planets: PlanetView[] = new Array(packed.length / PLANET_FIELDS);
  for (let i = 0, j = 0; j < packed.length; i++, j += PLANET_FIELDS) {
    planets[i] = {
      id: packed[j]!,
      x: packed[j + 1]!,
      y: packed[j + 2]!,
      owner: packed[j + 3]!,
      ships: packed[j + 4]!,
      production: packed[j + 5]!,
    };
  }
  return planets;
}

/**
 * One move phase as the adapter saw it open, with its observation still to be built (`observation()`): what a
 * load bot holds through its think time is this object, one array of numbers for the planets and the phase's
 * fleets and events, not a dozen planet objects (which then live past the nursery's scavenges and are promoted;
 * docs/performance.md, "Fifth pass").
 */
export class GalaxTurn {
  constructor(
    readonly player: number,
    readonly players: number,
    readonly width: number,
    readonly height: number,
    readonly year: number,
    readonly packedPlanets: readonly number[],
    readonly fleets: readonly OwnFleet[],
    readonly events: readonly GalaxEvent[],
  ) {}

  /** The engine's observation of this phase, as `GalaxAdapter.observation()` gives it when the phase opens. */
  observation(): GalaxObservation {
    return {
      player: this.player,
      players: this.players,
      width: this.width,
      height: this.height,
      year: this.year,
      planets: unpackPlanets(this.packedPlanets),
      fleets: this.fleets,
      events: this.events,
    };
  }
}

export class GalaxAdapter {
  player = 0;
  players = 0;
  width = 0;
  height = 0;
  planetCount = 0;
  year = 0;
  fleets: OwnFleet[] = [];
  /** Events since the last YEAR (the next observation's). */
  events: GalaxEvent[] = [];
  /** Every event received in the game, in order (empty with `keepHistory: false`). */
  readonly history: GalaxEvent[] = [];
  /** Players eliminated so far (KILL); the set is made at the first (most games of a load test have none kept). */
  #killed: Set<number> | null = null;
  /** The WINN id once the game is over (0 = draw). */
  winner: number | null = null;
  /** The planet list of the last PLNT block, packed (`PLANET_FIELDS` numbers a planet), and its views once built. */
  #packed: number[] = [];
  #planets: PlanetView[] | null = [];
  /** The PLNT block being read: sized for the field's planets at its first line (one allocation), `#filled` used. */
  #incoming: number[] = [];
  #filled = 0;
  #battle: { head: Msg<'BATT'>; volleys: Volley[] } | null = null;
  readonly #keepHistory: boolean;

  constructor(options: GalaxAdapterOptions = {}) {
    this.#keepHistory = options.keepHistory !== false;
  }

  /** The planet list of the last PLNT block (built from the packed list when first asked for). */
  get planets(): PlanetView[] {
    this.#planets ??= unpackPlanets(this.#packed);
    return this.#planets;
  }

  /** Feeds one server message; returns 'year' when a move phase opens, 'over' on WINN, else null. */
  onMessage(m: ServerMessage): 'year' | 'over' | null {
    switch (m.cmd) {
      case 'GFLD':
        this.player = m.you;
        this.players = m.players;
        this.width = m.width;
        this.height = m.height;
        this.planetCount = m.planets;
        this.year = 0;
        this.#packed = [];
        this.#planets = [];
        this.fleets = [];
        this.events = [];
        this.#killed = null;
        this.winner = null;
        this.#incoming = [];
        this.#filled = 0;
        return null;
      case 'PLNT':
        if (this.#filled === 0) this.#incoming = new Array(this.planetCount * PLANET_FIELDS).fill(0);
        this.#put(m.planet, m.x, m.y, m.owner, m.ships, m.production);
        return null;
      case 'YEAR':
        this.#closePlanets(m.time);
        return 'year';
      case 'MVOK':
        this.fleets.push({ from: m.from, to: m.to, ships: m.ships, arrival: m.arrival });
        return null;
      case 'BATT':
        this.#battle = { head: m, volleys: [] };
        return null;
      case 'ATTK':
        this.#battle?.volleys.push({
          who: m.who,
          surprise: m.surprise,
          killed: m.killed,
          attShips: m.attShips,
          defShips: m.defShips,
        });
        return null;
      case 'BWIN': {
        const b = this.#battle;
        this.#battle = null;
        if (!b) return null;
        this.#event({
          kind: 'battle',
          planet: b.head.planet,
          time: b.head.time,
          attacker: b.head.attacker,
          attShips: b.head.attShips,
          defender: b.head.defender,
          defShips: b.head.defShips,
          volleys: b.volleys,
          winner: m.winner,
          ships: m.ships,
        });
        return null;
      }
      case 'FORT':
        this.#event({ kind: 'fort', planet: m.planet, player: m.player, ships: m.ships, time: m.time });
        return null;
      case 'KILL':
        this.#killed ??= new Set();
        this.#killed.add(m.player);
        this.#event({ kind: 'kill', player: m.player });
        return null;
      case 'WINN':
        this.winner = m.player;
        this.#event({ kind: 'winner', player: m.player });
        // The final planet list came right before WINN; the game ended one year after the last YEAR.
        this.#closePlanets(this.year + TENTHS);
        return 'over';
      default:
        return null;
    }
  }

  #put(id: number, x: number, y: number, owner: number, ships: number, production: number): void {
    const list = this.#incoming;
    const i = this.#filled;
    // In order: past the announced size the array still grows without holes.
    list[i] = id;
    list[i + 1] = x;
    list[i + 2] = y;
    list[i + 3] = owner;
    list[i + 4] = ships;
    list[i + 5] = production;
    this.#filled = i + PLANET_FIELDS;
  }

  #event(e: GalaxEvent): void {
    this.events.push(e);
    if (this.#keepHistory) this.history.push(e);
  }

  #closePlanets(year: number): void {
    if (this.#filled > 0) {
      // More or fewer PLNT lines than GFLD announced (a server's business): the list is what came.
      if (this.#filled !== this.#incoming.length) this.#incoming.length = this.#filled;
      this.#packed = this.#incoming;
      this.#filled = 0;
      this.#planets = null;
      // `#incoming` is left as it is: the next PLNT block starts a new array (the turns hold this one).
    }
    this.year = year;
    // A fleet is in flight while its arrival is after the current year (the engine resolves (Y, Y+1]).
    if (this.fleets.some((f) => f.arrival <= year)) this.fleets = this.fleets.filter((f) => f.arrival > year);
  }

  /** The move phase just opened, its observation built when asked (`GalaxTurn`); clears the events it carries. */
  turn(): GalaxTurn {
    const turn = new GalaxTurn(
      this.player,
      this.players,
      this.width,
      this.height,
      this.year,
      this.#packed,
      this.fleets.slice(),
      this.events,
    );
    this.events = [];
    return turn;
  }

  /** The observation of the move phase just opened; clears the events it carries. */
  observation(): GalaxObservation {
    // One way to build an observation: the turn's, built at once.
    return this.turn().observation();
  }

  /** Players eliminated so far (KILL). */
  get killed(): ReadonlySet<number> {
    return this.#killed ?? NO_ONE;
  }

  get alive(): boolean {
    return this.player > 0 && !this.#killed?.has(this.player) && this.winner === null;
  }
}
