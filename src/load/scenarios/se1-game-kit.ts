/**
 * The one session of every SE1 game scenario (`se1-carcassonne`, `se1-catan`, `se1-creepsmash`): connect, create a
 * test player, log in, gather with other sessions into a game as players would on a real server (the first of a
 * group creates a test game `CREATE GAME <name> -maxPlayers <n> -testgame`, the others join it by name, the
 * creator starts it once all are in), play it to the end on the one online seat (src/game/seat.ts), leave, and
 * log out. A game scenario supplies only its online adapter and what it counts; pairing, the lobby, the seat's
 * hooks and the error kinds are here once.
 *
 * Timed here: `connect`, `testplayer_rtt`, `login_rtt`, `create_rtt`, `join_rtt` (lobby replies), `first_event`
 * (JOIN GAME to the game's first event), `decide` (the strategy's thinking), every wait for the server
 * (`metrics.gap`). Counted: `games_created`, `games_started`, `games` (finished; by the creator), `sessions`,
 * `lobby_timeouts`.
 */
import type { ResolvedBot } from '../../bots/resolve.ts';
import type { AnyEngine } from '../../core/engine.ts';
import type { Strategy } from '../../core/strategy.ts';
import { OnlineSeat, SeatStopped, SeatTimeout } from '../../game/seat.ts';
import { Se1Client, Se1Error, type Se1Event } from '../../protocols/se1/index.ts';
import type { Se1OnlineGame } from '../../protocols/se1/online-play.ts';
import { intParam, SessionFailure } from '../scenario-kit.ts';
import type { LoadMetrics, SessionContext } from '../types.ts';

/** One game's sessions: the first creates it, the next `size - 1` join by name. */
interface Group {
  readonly name: Promise<string | null>;
  resolve(name: string | null): void;
  claimed: number;
}

/** Gathers sessions into games of `size` players, in arrival order, under unique names `<prefix>-<n>`. */
export class GroupMaker {
  #open: Group | null = null;
  #count = 0;
  constructor(
    readonly prefix: string,
    readonly size: number,
  ) {}

  claim(): { role: 'create' | 'join'; group: Group; name: string } {
    const open = this.#open;
    if (open) {
      if (++open.claimed >= this.size) this.#open = null;
      return { role: 'join', group: open, name: '' };
    }
    let resolve!: (name: string | null) => void;
    const name = new Promise<string | null>((r) => {
      resolve = r;
    });
    const group: Group = { name, resolve, claimed: 1 };
    this.#open = group;
    return { role: 'create', group, name: `${this.prefix}-${this.#count++}` };
  }

  /** The creator gave up before everyone joined (or could not create): later sessions group elsewhere. */
  abandon(group: Group): void {
    if (this.#open === group) this.#open = null;
    group.resolve(null);
  }
}

/** What every SE1 game scenario shares between its sessions. */
export interface Se1GameShared {
  readonly bot: ResolvedBot;
  readonly groups: GroupMaker;
  readonly games: number;
  readonly lobbyTimeoutMs: number;
  /** The bots' search budget (MCTS iterations). */
  readonly iterations: number;
}

export const SE1_GAME_DEFAULTS = { games: 1, lobbyTimeoutMs: 10_000, iterations: 100 } as const;

/** The parameters every SE1 game scenario reads (`games`, `lobbyTimeoutMs`, `iterations`). */
export function se1GameParams(
  id: string,
  params: Readonly<Record<string, string | number | boolean>>,
): Pick<Se1GameShared, 'games' | 'lobbyTimeoutMs' | 'iterations'> {
  return {
    games: intParam(id, params, 'games', SE1_GAME_DEFAULTS.games, 1, 1000),
    lobbyTimeoutMs: intParam(id, params, 'lobbyTimeoutMs', SE1_GAME_DEFAULTS.lobbyTimeoutMs, 1, 600_000),
    iterations: intParam(id, params, 'iterations', SE1_GAME_DEFAULTS.iterations, 1, 1_000_000),
  };
}

export function errorKind(error: unknown): string {
  if (error instanceof SessionFailure) return error.kind;
  const message = (error as Error)?.message ?? String(error);
  if (/within \d+ ms|no reply|no greeting/.test(message)) return 'timeout';
  if (/closed/.test(message)) return 'disconnect';
  if (/ECONNREFUSED|connect/.test(message)) return 'connect_failed';
  if (error instanceof Se1Error) return 'ERROR';
  return 'exception';
}

/** What a game scenario adds to the one session. */
export interface Se1GameSpec<O, A, S extends Se1GameShared> {
  /** The rules the bots' forward model runs. */
  readonly engine: AnyEngine;
  /** This session's adapter for one game (its own counters go through `metrics`). */
  game(
    client: Se1Client,
    seat: { readonly nick: string; readonly creator: boolean; readonly players: number },
    metrics: LoadMetrics,
    shared: S,
  ): Se1OnlineGame<O, A>;
  /** Whether a refusal of this kind is a server error (default: every one is). */
  countsAsError?(kind: string): boolean;
}

/** The session function of an SE1 game scenario. */
export function se1GameSession<O, A, S extends Se1GameShared>(
  spec: Se1GameSpec<O, A, S>,
): (ctx: SessionContext<S>) => Promise<void> {
  return async function runSession(ctx) {
    const { metrics, signal, shared, rng } = ctx;
    if (signal.aborted) return;
    const due = ctx.scheduledAt ?? performance.now();
    const started = performance.now();
    /** The game in progress: events go to its handler. */
    let onEvent: ((e: Se1Event) => void) | null = null;
    let onClose: (() => void) | null = null;
    let client: Se1Client | undefined;
    let nick = '';
    const lobby = async (metric: string, line: string) => {
      const t0 = performance.now();
      const reply = await client!.request(line);
      metrics.latency(metric, Math.round((performance.now() - t0) * 1000));
      return reply;
    };

    /**
     * Joins `name` and plays it to the end. False when the session should stop (lobby wait over, run ending);
     * throws on a protocol failure.
     */
    const playGame = async (name: string, creator: boolean, abandon: () => void): Promise<boolean> => {
      const c = client!;
      // The game loop is the one seat's (src/game/seat.ts); grouping and the lobby stay here.
      const game = spec.game(c, { nick, creator, players: shared.groups.size }, metrics, shared);
      onEvent = (e) => game.onEvent(e);
      onClose = () => game.onClose();
      const strategy = shared.bot.create() as Strategy<O, A>;
      let joinedAt = performance.now();
      const seat = new OnlineSeat<O, A>({
        game,
        strategy,
        context: (s, config) => ({
          seat: s,
          rng,
          budget: { iterations: shared.iterations },
          model: { engine: spec.engine, config },
          log: ctx.log,
        }),
        hooks: {
          firstEvent: (now) => {
            metrics.latency('first_event', Math.round((now - joinedAt) * 1000));
            if (creator) metrics.count('games_started');
          },
          gap: (kind, micros) => metrics.gap(kind, micros),
          decided: (micros) => metrics.latency('decide', micros),
          refused: (kind) => {
            if (spec.countsAsError?.(kind) ?? true) metrics.error(kind);
          },
        },
        // Think time before a decision only: the other prompts are answered at once.
        ...(ctx.thinkTimeMs > 0 ? { think: () => rng.int(0, 2 * ctx.thinkTimeMs) } : {}),
        // Until the others are in and the game starts: the lobby wait; then no progress for this long (own
        // requests, the other players' turns, a tick stream) ends the session.
        patience: { startMs: shared.lobbyTimeoutMs, turnMs: () => ctx.requestTimeoutMs * 4 },
        signal,
      });
      try {
        joinedAt = performance.now();
        await lobby('join_rtt', `JOIN GAME ${name}`);
        const finished = await seat.done.then(
          () => {
            if (creator) metrics.count('games');
            return true;
          },
          (error: unknown) => {
            if (error instanceof SeatStopped) return false;
            if (error instanceof SeatTimeout && error.phase === 'start') {
              if (creator) abandon();
              metrics.count('lobby_timeouts');
              return false;
            }
            throw error instanceof SeatTimeout ? new SessionFailure('timeout', error.message) : error;
          },
        );
        onEvent = null;
        onClose = null;
        if (!c.closed) await c.leaveGame().catch(() => undefined);
        return finished && !signal.aborted;
      } finally {
        seat.fail(new SeatStopped('session over'));
        onEvent = null;
        onClose = null;
      }
    };

    try {
      try {
        client = await Se1Client.connect({
          host: ctx.host,
          port: ctx.port,
          requestTimeoutMs: ctx.requestTimeoutMs,
          log: ctx.log,
          onEvent: (e) => onEvent?.(e),
          onClose: () => onClose?.(),
        });
      } catch (error) {
        throw new SessionFailure(errorKind(error) === 'timeout' ? 'timeout' : 'connect_failed', String(error));
      }
      const now = performance.now();
      metrics.latency('connect', Math.round((now - due) * 1000), Math.round((now - started) * 1000));
      metrics.track(client.connection, client);
      const created = await lobby('testplayer_rtt', 'CREATE TESTPLAYER');
      const account = Se1Client.fields(created.lines[0] ?? '');
      if (!account.NICK || !account.PASSWORD) throw new SessionFailure('ERROR', 'CREATE TESTPLAYER: no account');
      nick = account.NICK;
      await lobby('login_rtt', `LOGIN ${account.NICK} ${account.PASSWORD}`);

      for (let played = 0; played < shared.games && !signal.aborted; ) {
        const claim = shared.groups.claim();
        let name: string | null;
        if (claim.role === 'create') {
          try {
            await lobby('create_rtt', `CREATE GAME ${claim.name} -maxPlayers ${shared.groups.size} -testgame`);
          } catch (error) {
            shared.groups.abandon(claim.group);
            throw error;
          }
          metrics.count('games_created');
          name = claim.name;
          claim.group.resolve(name);
        } else {
          name = await claim.group.name;
          // The creator failed: claim again.
          if (name === null) continue;
        }
        const finished = await playGame(name, claim.role === 'create', () => shared.groups.abandon(claim.group));
        if (!finished) break;
        played++;
      }
      await client.request('LOGOUT').catch(() => undefined);
      metrics.count('sessions');
    } catch (error) {
      if (!signal.aborted) metrics.error(errorKind(error));
    } finally {
      client?.close();
    }
  };
}
