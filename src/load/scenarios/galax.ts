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
import type { Strategy } from '../../core/strategy.ts';
import { OnlineSeat, type SeatHooks } from '../../game/seat.ts';
import { type GalaxAction, type GalaxObservation, galaxEngine } from '../../games/galax/index.ts';
// The client side's modules, not the protocol's index: that one also loads the reference server and
// `play --connect`, which a generator never runs (start-up CPU, docs/performance.md).
import { GalaxClient, GalaxReplyError, GalaxSessionError, type GalaxTurn } from '../../protocols/galax/client.ts';
import type { ServerMessage } from '../../protocols/galax/codec.ts';
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

async function runSession(ctx: SessionContext<GalaxShared>): Promise<void> {
  const { metrics, signal, shared } = ctx;
  if (signal.aborted) return;
  const due = ctx.scheduledAt ?? performance.now();
  const started = performance.now();
  const name = `bot-${ctx.index}`;
  const think = ctx.thinkTimeMs;
  let connectedAt: number | undefined;
  let route: ((m: ServerMessage) => void) | null = null;
  let moveLatenessUs = 0;
  let firstEvent = false;
  /** The game being played: unsolicited errors go to its seat (an abort ends it at once). */
  let current: GalaxOnlineGame<GalaxTurn> | null = null;
  /** Its seat: told of the run's end directly (the game's `onClosed` would wrap the reason in an error of its own). */
  let currentSeat: OnlineSeat<GalaxTurn, GalaxAction> | null = null;
  const hooks: SeatHooks<GalaxTurn, GalaxAction> = {
    firstEvent: (now) => {
      if (firstEvent) return;
      firstEvent = true;
      metrics.latency('first_event', (now - due) * 1000, (now - started) * 1000);
    },
    gap: (kind, micros) => metrics.gap(kind, micros),
    decision: () => metrics.count('decisions'),
    refused: (kind) => metrics.error(kind),
    // With a think time the bot sends on a schedule: a late send (a busy generator) counts in move_rtt.
    ...(think > 0 ? { decided: (_: number, late: number) => (moveLatenessUs = late) } : {}),
  };

  let client: GalaxClient;
  try {
    client = await captureSocket(
      (socket: Socket) => socket.once('connect', () => (connectedAt = performance.now())),
      () =>
        GalaxClient.connect({
          host: ctx.host,
          port: ctx.port,
          name,
          connectTimeoutMs: ctx.requestTimeoutMs,
          requestTimeoutMs: ctx.requestTimeoutMs,
          // The generator seats its bots itself (Matchmaker): the server's lobby list is never read.
          keepLobby: false,
          onMessage: (m) => route?.(m),
          onTiming: (kind, micros, ok) => {
            if (!ok) return;
            if (kind === 'move') {
              metrics.latency('move_rtt', micros + moveLatenessUs, micros);
              metrics.count('moves');
            } else metrics.latency(`${kind}_rtt`, micros);
          },
          onUnsolicitedError: (code, message) => {
            if (current) current.onUnsolicitedError(code, message);
            else metrics.error(code);
          },
          log: ctx.log,
        }),
    );
  } catch (error) {
    // A TCP connect that worked counts as one even when the handshake then failed.
    if (connectedAt !== undefined)
      metrics.latency('connect', (connectedAt - due) * 1000, (connectedAt - started) * 1000);
    if (!signal.aborted) metrics.error(connectedAt === undefined ? 'connect_failed' : errorKind(error));
    return;
  }
  const ready = performance.now();
  // Only MOVEs count in flight: a MOVE cut off is one the server may have counted in its moves.
  metrics.track(client.conn, {
    get requestsInFlight() {
      return client.movesInFlight;
    },
  });
  const at = connectedAt ?? ready;
  metrics.latency('connect', (at - due) * 1000, (at - started) * 1000);
  metrics.latency('handshake', (ready - at) * 1000);

  // Cut off by the end of the run (its MOVEs in flight were counted through `track`).
  const onAbort = () => client.close(RUN_ENDED);
  signal.addEventListener('abort', onAbort, { once: true });
  const closed = client.whenClosed();
  closed.then((error) => {
    if (error === RUN_ENDED) currentSeat?.fail(RUN_ENDED);
    else current?.onClosed(error);
  });

  const untilClosed = <T>(p: Promise<T>): Promise<T> =>
    Promise.race([p, closed.then((e) => Promise.reject(signal.aborted ? RUN_ENDED : e))]);

  /**
   * Fails as a timeout after `ms` without any bytes from the server. Nothing runs per message: the one timer, when
   * it fires, reads the connection's time of its last read (stamped once per read anyway) and sleeps again for
   * what is left. (Re-creating a timer per message was a large share of the generator's time at 10,000 bots; a
   * clock reading per message, a dozen a year per bot, was the next thing in the profile.)
   */
  const watch = (ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    const since = performance.now();
    let fail!: (e: Error) => void;
    const expired = new Promise<never>((_, reject) => {
      fail = reject;
    });
    expired.catch(() => {});
    const check = () => {
      const left = Math.max(since, client.conn.lastReceivedAt) + ms - performance.now();
      if (left > 0) timer = setTimeout(check, left);
      else {
        timer = undefined;
        fail(new GalaxSessionError(`no message from the server within ${ms} ms`));
      }
    };
    timer = setTimeout(check, ms);
    return {
      expired,
      stop: () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
      },
    };
  };

  const playOneGame = async (gameNo: number): Promise<void> => {
    // The GPLR list comes in the same read as JNOK, before the JOIN's continuation runs: keep it for the router.
    const early: ServerMessage[] = [];
    route = (m) => early.push(m);
    // Seat claim and JOIN.
    let joined: { gameId: number; group: ReturnType<Matchmaker['claim']>['group'] } | undefined;
    for (let attempt = 0; attempt < 3 && !joined; attempt++) {
      const seat = shared.matchmaker.claim();
      if (seat.role === 'create') {
        try {
          const gameId = await untilClosed(client.join(0));
          seat.group.resolve(gameId);
          metrics.count('games_created');
          joined = { gameId, group: seat.group };
        } catch (error) {
          shared.matchmaker.abandon(seat.group);
          throw error;
        }
      } else {
        const id = await untilClosed(seat.group.id);
        if (id === null) continue;
        try {
          await untilClosed(client.join(id));
          joined = { gameId: id, group: seat.group };
        } catch (error) {
          seat.group.claimed--;
          if (!(error instanceof GalaxReplyError)) throw error;
          // The game started or filled before this JOIN arrived: a real refusal, counted; claim again.
          metrics.error(error.code);
        }
      }
    }
    if (!joined) throw new GalaxSessionError('could not join a game after 3 attempts');
    const group = joined.group;

    // Lobby, then play: the game loop is the one seat's (src/game/seat.ts); the lobby stays here.
    // Turns, not observations: a bot holds one small object through its think time, and its observation is built
    // when it decides (docs/performance.md, "Fifth pass"); the game's event history is never read here.
    const game = new GalaxOnlineGame<GalaxTurn>(client, {}, '', { turns: 'lazy', keepHistory: false });
    current = game;
    const strategy = onGalaxTurns(shared.bot.create() as Strategy<GalaxObservation, GalaxAction>);
    const seat = new OnlineSeat<GalaxTurn, GalaxAction>({
      game,
      strategy,
      context: (s, config) => ({
        seat: s,
        rng: ctx.rng.fork(`game/${gameNo}`),
        budget: { iterations: shared.iterations },
        model: { engine: galaxEngine, config },
        log: ctx.log,
      }),
      hooks,
      ...(think > 0 ? { think: () => think * (0.5 + ctx.rng.next()) } : {}),
    });
    currentSeat = seat;
    let me = 0;
    let listed = 0;
    let starting = false;
    let deadline: NodeJS.Timeout | undefined;
    const joinedAt = performance.now();
    const silence = watch(shared.lobbyTimeoutMs + 2 * ctx.requestTimeoutMs);
    silence.expired.catch((e: Error) => seat.fail(e));

    /** `when`: a GPLR arrived, the lobby wait is over, or the last wait for claimed joiners is over. */
    const maybeStart = (when: 'join' | 'deadline' | 'final') => {
      if (starting || me !== 1) return;
      const size = shared.matchmaker.size;
      if (when === 'deadline') {
        shared.matchmaker.close(group);
        deadline = setTimeout(() => maybeStart('final'), ctx.requestTimeoutMs);
      }
      const waited = group.closed;
      if (listed >= size || (waited && listed >= 2 && listed >= group.claimed) || (when === 'final' && listed >= 2)) {
        starting = true;
        if (deadline) clearTimeout(deadline);
        client.start().then(
          () => metrics.count('games_started'),
          (error: unknown) => {
            if (error instanceof GalaxReplyError) metrics.error(error.code);
            seat.fail(error as Error);
          },
        );
      } else if (waited && listed < 2 && (group.claimed <= 1 || when === 'final')) {
        // Alone when the lobby wait is over: leave this game (closing is Galax's only way out of it).
        if (deadline) clearTimeout(deadline);
        metrics.count('lobby_timeouts');
        seat.fail(new Stop('lobby timeout'));
      }
    };
    const armLobbyDeadline = () => {
      if (deadline || starting) return;
      const left = Math.max(0, joinedAt + shared.lobbyTimeoutMs - performance.now());
      deadline = setTimeout(() => maybeStart('deadline'), left);
    };

    route = (m) => {
      if (m.cmd === 'GPLR') {
        if (m.player === 1) listed = 0;
        listed = Math.max(listed, m.player);
        if (m.name === name) me = m.player;
        if (me === 1) {
          armLobbyDeadline();
          maybeStart('join');
        }
        return;
      }
      game.onMessage(m);
    };
    for (const m of early.splice(0)) route(m);
    try {
      await untilClosed(seat.done);
      if (!group.counted) {
        group.counted = true;
        metrics.count('games');
      }
    } finally {
      route = null;
      current = null;
      currentSeat = null;
      silence.stop();
      if (deadline) clearTimeout(deadline);
    }
  };

  try {
    for (let g = 0; g < shared.games && !signal.aborted; g++) await playOneGame(g);
  } catch (error) {
    if (!(error instanceof Stop) && !signal.aborted) {
      metrics.error(errorKind(error));
      ctx.log.debug({ err: error, session: ctx.index }, 'session failed');
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    client.close();
  }
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
