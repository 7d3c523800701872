/**
 * `galax-play`: one bot session against a Galax 0.22 server: connect, handshake, create or join a game, play it
 * to WINN with a real strategy (galax-random, galax-heuristic... via resolveBot), and leave.
 *
 * Matching: the generator forms games as players would on a real server. Sessions claim seats in arrival order;
 * the first of every `players` sessions creates a game (JOIN 0), the next `players - 1` join that game id. Whoever
 * the server lists as player 1 (GPLR) starts it (PLAY) once `players` have joined. After `lobbyTimeoutMs` the
 * game takes no new claims and starts as soon as every seat already claimed has joined (at least two players;
 * after a further request timeout, with whoever is there); a player alone at that point leaves (counted in
 * `lobby_timeouts`). If a creator fails before it has a game id, its claimed joiners claim again. The game loop
 * is the online seat of `botswarm play --connect` (src/game/seat.ts); every wait for the server goes to
 * `metrics.gap` (`start`: JOIN to the first YEAR, then `year`: DONE to the next YEAR). A game the server aborts
 * (`ERRJ game <id> aborted`) ends the session at once (`game_aborted`).
 */
import type { Socket } from 'node:net';
import { type ResolvedBot, resolveBot } from '../../bots/resolve.ts';
import type { DecisionContext, Strategy } from '../../core/strategy.ts';
import { OnlineSeat, type SeatHooks, type SeatOptions } from '../../game/seat.ts';
import { type GalaxAction, type GalaxObservation, galaxEngine } from '../../games/galax/index.ts';
// The client side's modules, not the protocol's index: that one also loads the reference server and
// `play --connect`, which a generator never runs (start-up CPU, docs/performance.md).
import {
  GalaxClient,
  type GalaxClientOptions,
  GalaxReplyError,
  GalaxSessionError,
  type GalaxTurn,
  type RequestKind,
} from '../../protocols/galax/client.ts';
import type { ErrorCode, ServerMessage } from '../../protocols/galax/codec.ts';
import { GalaxAbortedError, GalaxOnlineGame, onGalaxTurns } from '../../protocols/galax/seat-adapter.ts';
import { captureSocket } from '../capture.ts';
import { intParam, stackless } from '../scenario-kit.ts';
import type { LoadScenario, SessionContext } from '../types.ts';

interface Group {
  readonly id: Promise<number | null>;
  resolve(id: number | null): void;
  claimed: number;
  /** No new claims (lobby wait over). */
  closed: boolean;
  /** Set when the first member sees WINN, so a game is counted once. */
  counted: boolean;
}

/** Seats sessions in arrival order: the first of every `size` creates, the others join its game. */
export class Matchmaker {
  #open: Group | null = null;
  constructor(readonly size: number) {}

  claim(): { role: 'create' | 'join'; group: Group } {
    const g = this.#open;
    if (g && !g.closed && g.claimed < this.size) {
      g.claimed++;
      if (g.claimed >= this.size) this.#open = null;
      return { role: 'join', group: g };
    }
    let resolve!: (id: number | null) => void;
    const id = new Promise<number | null>((r) => {
      resolve = r;
    });
    const group: Group = { id, resolve, claimed: 1, closed: false, counted: false };
    this.#open = this.size > 1 ? group : null;
    return { role: 'create', group };
  }

  /** The creator could not create the game: its joiners claim again elsewhere. */
  abandon(group: Group): void {
    this.close(group);
    group.resolve(null);
  }

  /** The lobby wait is over: later sessions go to a new game. */
  close(group: Group): void {
    group.closed = true;
    if (this.#open === group) this.#open = null;
  }
}

export interface GalaxShared {
  readonly bot: ResolvedBot;
  readonly matchmaker: Matchmaker;
  readonly games: number;
  readonly lobbyTimeoutMs: number;
  readonly iterations: number;
}

const DEFAULTS = { bot: 'random', players: 4, games: 1, lobbyTimeoutMs: 10_000, iterations: 100 } as const;

/** The error kind of a failed session step, in the conventions of src/load/types.ts. */
export function errorKind(error: unknown): string {
  if (error instanceof GalaxReplyError) return error.code;
  if (error instanceof GalaxAbortedError) return 'game_aborted';
  const message = (error as Error)?.message ?? String(error);
  if (/within \d+ ms|timed out/.test(message)) return 'timeout';
  if (/cannot connect/.test(message)) return 'connect_failed';
  if (error instanceof GalaxSessionError || /closed/.test(message)) return 'disconnect';
  return 'exception';
}

class Stop extends Error {}

/**
 * The end of the run, as every session's rejection reason: one instance without a stack. At the end of a run
 * every session is closed at once, and errors with their stack traces (four per session: the connection's, the
 * client's, the seat adapter's and this one) grew the heap by about 6 MiB while 1,000 sessions were torn down
 * (docs/performance.md, "RSS per bot, fourth pass"). Nothing reads it but `instanceof Stop`.
 */
const RUN_ENDED: Stop = stackless(() => new Stop('the run ended'));

/** The game settings a load bot gives its games (none: the wire's), one object for every game. */
const NO_SETTINGS = {};

/**
 * What a session waits for between its requests (what the end of its connection interrupts): `other` (connecting,
 * or a request: a closed connection shows in its reply), `group` (a joiner waits for its group's creator to have a
 * game id), `game` (a seat plays or waits in the lobby: the seat is told of the end).
 */
type Phase = 'other' | 'group' | 'game';

/**
 * One bot session: connect, then `games` times claim a seat, join, play the game on the one seat, and close. One
 * object with methods, no async function: it is the client's options (its callbacks are methods here), the seat's
 * options and hooks, the listener of the run's abort signal and what its timers are called with. The same session
 * written as two nested async functions with closures (kept for the whole session: their frames, a promise race per
 * wait and a closure per callback) held about 4.7 KB more heap per bot (docs/performance.md, "Against Locust at 5,000
 * bots: one object per session").
 */
class GalaxPlaySession implements GalaxClientOptions, SeatOptions<GalaxTurn, GalaxAction>, SeatHooks<GalaxTurn> {
  readonly host: string;
  readonly port: number;
  readonly name: string;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  // The generator seats its bots itself (Matchmaker): the server's lobby list is never read.
  readonly keepLobby = false;
  readonly log: SessionContext['log'];
  /** The seat's options, for the game being played. */
  game!: GalaxOnlineGame<GalaxTurn>;
  strategy!: Strategy<GalaxTurn, GalaxAction>;
  get hooks(): SeatHooks<GalaxTurn, GalaxAction> {
    return this;
  }

  protected readonly ctx: SessionContext<GalaxShared>;
  readonly #resolve: () => void;
  readonly #due: number;
  readonly #started: number;
  #connectedAt: number | undefined;
  #client: GalaxClient | null = null;
  /** What the connection's end was (once it ended), for a wait that begins after it. */
  #closedError: Error | null = null;
  #phase: Phase = 'other';
  #ended = false;
  #firstEvent = false;
  #gameNo = 0;
  #attempt = 0;
  /**
   * Where server messages go: null, dropped (the lobby list); an array while joining (the GPLR list comes in the
   * same read as JNOK, before the JOIN's continuation runs: kept for the game); the game once seated.
   */
  #early: ServerMessage[] | null = null;
  /** The game being played: unsolicited errors go to its seat (an abort ends it at once). */
  #current: GalaxOnlineGame<GalaxTurn> | null = null;
  /** Its seat: told of the run's end directly (the game's `onClosed` would wrap the reason in an error of its own). */
  #seat: OnlineSeat<GalaxTurn, GalaxAction> | null = null;
  #group: Group | null = null;
  // The lobby of the game being played.
  #me = 0;
  #listed = 0;
  #starting = false;
  #deadline: NodeJS.Timeout | undefined;
  #joinedAt = 0;
  #silence: NodeJS.Timeout | undefined;
  #silenceSince = 0;

  constructor(ctx: SessionContext<GalaxShared>, resolve: () => void) {
    this.ctx = ctx;
    this.#resolve = resolve;
    this.host = ctx.host;
    this.port = ctx.port;
    this.name = `bot-${ctx.index}`;
    this.connectTimeoutMs = ctx.requestTimeoutMs;
    this.requestTimeoutMs = ctx.requestTimeoutMs;
    this.log = ctx.log;
    this.#due = ctx.scheduledAt ?? performance.now();
    this.#started = performance.now();
  }

  start(): void {
    captureSocket(
      (socket: Socket) => socket.once('connect', () => (this.#connectedAt = performance.now())),
      () => GalaxClient.connect(this),
    ).then(
      (client) => this.#connected(client),
      (error: unknown) => this.#connectFailed(error),
    );
  }

  #connectFailed(error: unknown): void {
    const { metrics, signal } = this.ctx;
    const connectedAt = this.#connectedAt;
    // A TCP connect that worked counts as one even when the handshake then failed.
    if (connectedAt !== undefined)
      metrics.latency('connect', (connectedAt - this.#due) * 1000, (connectedAt - this.#started) * 1000);
    if (!signal.aborted) metrics.error(connectedAt === undefined ? 'connect_failed' : errorKind(error));
    this.#ended = true;
    this.#resolve();
  }

  #connected(client: GalaxClient): void {
    const { metrics, signal } = this.ctx;
    this.#client = client;
    const ready = performance.now();
    // Only MOVEs count in flight: a MOVE cut off is one the server may have counted in its moves.
    metrics.track(client.conn, this);
    const at = this.#connectedAt ?? ready;
    metrics.latency('connect', (at - this.#due) * 1000, (at - this.#started) * 1000);
    metrics.latency('handshake', (ready - at) * 1000);
    // Cut off by the end of the run (its MOVEs in flight were counted through `track`): `handleEvent`.
    signal.addEventListener('abort', this, { once: true });
    this.#nextGame();
  }

  get requestsInFlight(): number {
    return this.#client?.movesInFlight ?? 0;
  }

  /** The run's abort signal. */
  handleEvent(): void {
    this.#client?.close(RUN_ENDED);
  }

  #nextGame(): void {
    if (this.#gameNo >= this.ctx.shared.games || this.ctx.signal.aborted) {
      this.#finish(null);
      return;
    }
    this.#early = [];
    this.#attempt = 0;
    this.#claim();
  }

  /** Claims a seat and joins its game (up to 3 attempts). */
  #claim(): void {
    if (this.#attempt >= 3) {
      this.#finish(new GalaxSessionError('could not join a game after 3 attempts'));
      return;
    }
    this.#attempt++;
    const { matchmaker } = this.ctx.shared;
    const client = this.#client!;
    const seat = matchmaker.claim();
    const group = seat.group;
    if (seat.role === 'create') {
      client.join(0).then(
        (gameId) => {
          group.resolve(gameId);
          this.ctx.metrics.count('games_created');
          this.#play(group);
        },
        (error: unknown) => {
          matchmaker.abandon(group);
          this.#finish(error);
        },
      );
      return;
    }
    if (this.#closedError) {
      this.#finish(this.#closedReason());
      return;
    }
    this.#phase = 'group';
    group.id.then((id) => {
      if (this.#ended) return;
      this.#phase = 'other';
      if (id === null) {
        this.#claim();
        return;
      }
      client.join(id).then(
        () => this.#play(group),
        (error: unknown) => {
          group.claimed--;
          if (!(error instanceof GalaxReplyError)) {
            this.#finish(error);
            return;
          }
          // The game started or filled before this JOIN arrived: a real refusal, counted; claim again.
          this.ctx.metrics.error(error.code);
          this.#claim();
        },
      );
    });
  }

  /** The connection's end as the reason of a wait it interrupted. */
  #closedReason(): Error {
    return this.ctx.signal.aborted ? RUN_ENDED : this.#closedError!;
  }

  /** Lobby, then play: the game loop is the one seat's (src/game/seat.ts); the lobby stays here. */
  #play(group: Group): void {
    if (this.#ended) return;
    try {
      // Turns, not observations: a bot holds one small object through its think time, and its observation is built
      // when it decides (docs/performance.md, "Fifth pass"); the game's event history is never read here.
      const game = new GalaxOnlineGame<GalaxTurn>(this.#client!, NO_SETTINGS, '', {
        turns: 'lazy',
        keepHistory: false,
      });
      this.#current = game;
      this.#group = group;
      this.game = game;
      this.strategy = onGalaxTurns(this.ctx.shared.bot.create() as Strategy<GalaxObservation, GalaxAction>);
      const seat = new OnlineSeat<GalaxTurn, GalaxAction>(this);
      this.#seat = seat;
      this.#phase = 'game';
      this.#me = 0;
      this.#listed = 0;
      this.#starting = false;
      this.#deadline = undefined;
      this.#joinedAt = performance.now();
      this.#silenceSince = this.#joinedAt;
      this.#silence = setTimeout(GalaxPlaySession.#checkSilence, this.#silenceMs(), this);
      const early = this.#early!;
      this.#early = null;
      for (const m of early) this.#route(m);
    } catch (error) {
      this.#finish(error);
    }
  }

  #silenceMs(): number {
    return this.ctx.shared.lobbyTimeoutMs + 2 * this.ctx.requestTimeoutMs;
  }

  /**
   * Fails the seat as a timeout after the lobby wait and two request timeouts without any bytes from the server.
   * Nothing runs per message: the one timer, when it fires, reads the connection's time of its last read (stamped
   * once per read anyway) and sleeps again for what is left. (Re-creating a timer per message was a large share of
   * the generator's time at 10,000 bots; a clock reading per message, a dozen a year per bot, was the next thing in
   * the profile.)
   */
  static #checkSilence(s: GalaxPlaySession): void {
    const seat = s.#seat;
    if (!seat || !s.#client) return;
    const ms = s.#silenceMs();
    const left = Math.max(s.#silenceSince, s.#client.conn.lastReceivedAt) + ms - performance.now();
    if (left > 0) s.#silence = setTimeout(GalaxPlaySession.#checkSilence, left, s);
    else {
      s.#silence = undefined;
      const error = new GalaxSessionError(`no message from the server within ${ms} ms`);
      // As a rejection handler would: after the current callback.
      queueMicrotask(() => seat.fail(error));
    }
  }

  #gameOver(error: Error | null): void {
    this.#early = null;
    this.#current = null;
    this.#seat = null;
    this.#phase = 'other';
    if (this.#silence) clearTimeout(this.#silence);
    this.#silence = undefined;
    this.#clearDeadline();
    const group = this.#group!;
    this.#group = null;
    if (error) {
      this.#finish(error);
      return;
    }
    if (!group.counted) {
      group.counted = true;
      this.ctx.metrics.count('games');
    }
    this.#gameNo++;
    this.#nextGame();
  }

  #finish(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const { signal } = this.ctx;
    if (error && !(error instanceof Stop) && !signal.aborted) {
      this.ctx.metrics.error(errorKind(error));
      this.ctx.log.debug({ err: error, session: this.ctx.index }, 'session failed');
    }
    signal.removeEventListener('abort', this);
    this.#client?.close();
    this.#resolve();
  }

  /** A lobby message, or one for the game. */
  #route(m: ServerMessage): void {
    if (m.cmd === 'GPLR') {
      if (m.player === 1) this.#listed = 0;
      this.#listed = Math.max(this.#listed, m.player);
      if (m.name === this.name) this.#me = m.player;
      if (this.#me === 1) {
        this.#armLobbyDeadline();
        this.#maybeStart('join');
      }
      return;
    }
    this.#current!.onMessage(m);
  }

  /** Not kept once cleared: a cleared timer (and its arguments) would stay for the whole game. */
  #clearDeadline(): void {
    if (this.#deadline) clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }

  #armLobbyDeadline(): void {
    if (this.#deadline || this.#starting) return;
    const left = Math.max(0, this.#joinedAt + this.ctx.shared.lobbyTimeoutMs - performance.now());
    this.#deadline = setTimeout(GalaxPlaySession.#lobbyOver, left, this, 'deadline');
  }

  static #lobbyOver(s: GalaxPlaySession, when: 'deadline' | 'final'): void {
    s.#maybeStart(when);
  }

  /** `when`: a GPLR arrived, the lobby wait is over, or the last wait for claimed joiners is over. */
  #maybeStart(when: 'join' | 'deadline' | 'final'): void {
    const seat = this.#seat;
    const group = this.#group;
    if (this.#starting || this.#me !== 1 || !seat || !group) return;
    const { matchmaker } = this.ctx.shared;
    const { metrics } = this.ctx;
    const size = matchmaker.size;
    if (when === 'deadline') {
      matchmaker.close(group);
      this.#deadline = setTimeout(GalaxPlaySession.#lobbyOver, this.ctx.requestTimeoutMs, this, 'final');
    }
    const waited = group.closed;
    const listed = this.#listed;
    if (listed >= size || (waited && listed >= 2 && listed >= group.claimed) || (when === 'final' && listed >= 2)) {
      this.#starting = true;
      this.#clearDeadline();
      this.#client!.start().then(
        () => metrics.count('games_started'),
        (error: unknown) => {
          if (error instanceof GalaxReplyError) metrics.error(error.code);
          seat.fail(error as Error);
        },
      );
    } else if (waited && listed < 2 && (group.claimed <= 1 || when === 'final')) {
      // Alone when the lobby wait is over: leave this game (closing is Galax's only way out of it).
      this.#clearDeadline();
      metrics.count('lobby_timeouts');
      seat.fail(new Stop('lobby timeout'));
    }
  }

  // The client's callbacks.

  onMessage(m: ServerMessage): void {
    if (this.#current) this.#route(m);
    else if (this.#early) this.#early.push(m);
  }

  onTiming(kind: RequestKind, micros: number, ok: boolean): void {
    if (!ok) return;
    const { metrics } = this.ctx;
    if (kind === 'move') {
      metrics.latency('move_rtt', micros + this.lateness(), micros);
      metrics.count('moves');
    } else metrics.latency(`${kind}_rtt`, micros);
  }

  onUnsolicitedError(code: ErrorCode, message: string): void {
    if (this.#current) this.#current.onUnsolicitedError(code, message);
    else this.ctx.metrics.error(code);
  }

  onClose(error: Error): void {
    this.#closedError = error;
    if (this.#phase === 'game') {
      if (error === RUN_ENDED) this.#seat?.fail(RUN_ENDED);
      else this.#current?.onClosed(error);
    } else if (this.#phase === 'group') this.#finish(this.#closedReason());
  }

  /** How late the last MOVEs were sent against the think-time schedule, in µs (0 without think time). */
  protected lateness(): number {
    return 0;
  }

  // The seat's options and hooks.

  context(seat: number, config: unknown): DecisionContext {
    const { ctx } = this;
    return {
      seat,
      rng: ctx.rng.fork(`game/${this.#gameNo}`),
      budget: { iterations: ctx.shared.iterations },
      model: { engine: galaxEngine, config },
      log: ctx.log,
    };
  }

  ended(error: Error | null): void {
    this.#gameOver(error);
  }

  firstEvent(now: number): void {
    if (this.#firstEvent) return;
    this.#firstEvent = true;
    this.ctx.metrics.latency('first_event', (now - this.#due) * 1000, (now - this.#started) * 1000);
  }

  gap(kind: string, micros: number): void {
    this.ctx.metrics.gap(kind, micros);
  }

  decision(): void {
    this.ctx.metrics.count('decisions');
  }

  refused(kind: string): void {
    this.ctx.metrics.error(kind);
  }
}

/** With a think time the bot sends on a schedule: a late send (a busy generator) counts in move_rtt. */
class ThinkingGalaxPlaySession extends GalaxPlaySession {
  #latenessUs = 0;

  think(): number {
    return this.ctx.thinkTimeMs * (0.5 + this.ctx.rng.next());
  }

  decided(_decideMicros: number, lateMicros: number): void {
    this.#latenessUs = lateMicros;
  }

  protected override lateness(): number {
    return this.#latenessUs;
  }
}

function runSession(ctx: SessionContext<GalaxShared>): Promise<void> {
  if (ctx.signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const session =
      ctx.thinkTimeMs > 0 ? new ThinkingGalaxPlaySession(ctx, resolve) : new GalaxPlaySession(ctx, resolve);
    session.start();
  });
}

export const galaxPlayScenario: LoadScenario<GalaxShared> = {
  id: 'galax-play',
  protocol: 'galax',
  description: 'bots create/join games in groups of `players`, play them to the end with a strategy, and leave',
  params: { ...DEFAULTS },
  // Every request answers the server: JOIN and PLAY follow the previous reply, MOVEs follow a YEAR.
  reactive: ['join_rtt', 'play_rtt', 'move_rtt'],
  async prepare({ params }) {
    const players = intParam('galax-play', params, 'players', DEFAULTS.players, 2, galaxEngine.maxPlayers);
    return {
      bot: await resolveBot(String(params.bot ?? DEFAULTS.bot), 'galax'),
      matchmaker: new Matchmaker(players),
      games: intParam('galax-play', params, 'games', DEFAULTS.games, 1, 1_000_000),
      lobbyTimeoutMs: intParam('galax-play', params, 'lobbyTimeoutMs', DEFAULTS.lobbyTimeoutMs, 1, 3_600_000),
      iterations: intParam('galax-play', params, 'iterations', DEFAULTS.iterations, 1, 10_000_000),
    };
  },
  // Each worker thread seats its own sessions: a game's players are all in one thread (they meet only through
  // the server, so that changes nothing the server sees). The bot is resolved again from its spec there.
  threads: {
    toWorker: (s) => ({
      bot: s.bot.label,
      players: s.matchmaker.size,
      games: s.games,
      lobbyTimeoutMs: s.lobbyTimeoutMs,
      iterations: s.iterations,
    }),
    async inWorker(data) {
      const d = data as { bot: string; players: number; games: number; lobbyTimeoutMs: number; iterations: number };
      return {
        bot: await resolveBot(d.bot, 'galax'),
        matchmaker: new Matchmaker(d.players),
        games: d.games,
        lobbyTimeoutMs: d.lobbyTimeoutMs,
        iterations: d.iterations,
      };
    },
  },
  runSession,
};
