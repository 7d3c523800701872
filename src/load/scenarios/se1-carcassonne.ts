/**
 * `se1-carcassonne`: Carcassonne games on an SE1 server. Each bot session connects, creates a test player,
 * logs in, and pairs up with another session as players would on a real server: the first of every two
 * sessions creates a test game (`CREATE GAME <name> -maxPlayers 2 -testgame`), the next one joins it, and
 * the creator starts it once both are in. Both play to the end with a strategy of strategies/carcassonne
 * (`strategy` parameter: random, greedy, mcts, with bot parameters as in `mcts:iterations=50`), on the same
 * online seat as `botswarm play --connect` (src/game/seat.ts), then leave and log out.
 *
 * Timed: `connect`, `testplayer_rtt`, `login_rtt`, `create_rtt`, `join_rtt` (lobby replies); the JSON layer's
 * round trips from a command to the server's `OK - <ACTION>` (`start_game_rtt`, `draw_card_rtt`,
 * `place_card_rtt`, `place_meeple_rtt`, `end_turn_rtt`); `first_event` (JOIN GAME sent to the game's first
 * turn); `decide` (the strategy's thinking time); every wait for the server (`metrics.gap`: `start`, `prompt`).
 * Counted: `games_created`, `games` (finished, counted by the
 * creator), `games_started`, `moves` (turns ended), `meeples`, `tiles_discarded` (by the creator), `sessions`,
 * `lobby_timeouts`.
 */
import { type ResolvedBot, resolveBot } from '../../bots/resolve.ts';
import type { Strategy } from '../../core/strategy.ts';
import { OnlineSeat, SeatStopped, SeatTimeout } from '../../game/seat.ts';
import {
  type CarcassonneAction,
  type CarcassonneConfig,
  type CarcassonneState,
  carcassonneEngine,
} from '../../games/carcassonne/index.ts';
import { CarcassonneOnlineGame, Se1Client, Se1Error, type Se1Event } from '../../protocols/se1/index.ts';
import { intParam, SessionFailure } from '../scenario-kit.ts';
import type { LoadScenario, SessionContext } from '../types.ts';

/** Two sessions per game: the first creates it, the second joins by name. */
interface Pair {
  readonly name: Promise<string | null>;
  resolve(name: string | null): void;
  claimed: number;
}

export class PairMaker {
  #open: Pair | null = null;
  #count = 0;
  constructor(readonly prefix: string) {}

  claim(): { role: 'create' | 'join'; pair: Pair; name: string } {
    const open = this.#open;
    if (open) {
      this.#open = null;
      open.claimed++;
      return { role: 'join', pair: open, name: '' };
    }
    let resolve!: (name: string | null) => void;
    const name = new Promise<string | null>((r) => {
      resolve = r;
    });
    const pair: Pair = { name, resolve, claimed: 1 };
    this.#open = pair;
    return { role: 'create', pair, name: `${this.prefix}-${this.#count++}` };
  }

  /** The creator gave up before anyone joined (or could not create): later sessions pair elsewhere. */
  abandon(pair: Pair): void {
    if (this.#open === pair) this.#open = null;
    pair.resolve(null);
  }
}

export interface CarcassonneShared {
  readonly bot: ResolvedBot;
  readonly pairs: PairMaker;
  readonly games: number;
  readonly lobbyTimeoutMs: number;
  readonly iterations: number;
  readonly config: CarcassonneConfig;
}

const DEFAULTS = { strategy: 'random', games: 1, lobbyTimeoutMs: 10_000, iterations: 100 } as const;

export function errorKind(error: unknown): string {
  if (error instanceof SessionFailure) return error.kind;
  const message = (error as Error)?.message ?? String(error);
  if (/within \d+ ms|no reply|no greeting/.test(message)) return 'timeout';
  if (/closed/.test(message)) return 'disconnect';
  if (/ECONNREFUSED|connect/.test(message)) return 'connect_failed';
  if (error instanceof Se1Error) return 'ERROR';
  return 'exception';
}

async function runSession(ctx: SessionContext<CarcassonneShared>): Promise<void> {
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
      const claim = shared.pairs.claim();
      let name: string | null;
      if (claim.role === 'create') {
        try {
          await lobby('create_rtt', `CREATE GAME ${claim.name} -maxPlayers 2 -testgame`);
        } catch (error) {
          shared.pairs.abandon(claim.pair);
          throw error;
        }
        metrics.count('games_created');
        name = claim.name;
        claim.pair.resolve(name);
      } else {
        name = await claim.pair.name;
        // The creator failed: claim again.
        if (name === null) continue;
      }
      const finished = await playGame(name, claim.role === 'create', () => shared.pairs.abandon(claim.pair));
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

  /**
   * Joins `name` and plays it to the end. False when the session should stop (lobby wait over, run ending);
   * throws on a protocol failure.
   */
  async function playGame(name: string, creator: boolean, abandon: () => void): Promise<boolean> {
    const c = client!;
    // The game loop is the one seat's (src/game/seat.ts); pairing and the lobby stay here.
    const game = new CarcassonneOnlineGame(c, {
      nick,
      config: shared.config,
      creator,
      players: 2,
      onAnswer: (kind, micros, ok) => {
        metrics.latency(`${kind}_rtt`, micros);
        if (!ok) return;
        if (kind === 'end_turn') metrics.count('moves');
        else if (kind === 'place_meeple') metrics.count('meeples');
      },
      ...(creator
        ? {
            onEvent: (e: Se1Event) => {
              if (e.src.startsWith('Card@') && e.prop === 'discarded' && e.nv === 'true')
                metrics.count('tiles_discarded');
            },
          }
        : {}),
    });
    onEvent = (e) => game.onEvent(e);
    onClose = () => game.onClose();
    const strategy = shared.bot.create() as Strategy<CarcassonneState, CarcassonneAction>;
    let joinedAt = performance.now();
    const seat = new OnlineSeat<CarcassonneState, CarcassonneAction>({
      game,
      strategy,
      context: (s, config) => ({
        seat: s,
        rng,
        budget: { iterations: shared.iterations },
        model: { engine: carcassonneEngine, config },
        log: ctx.log,
      }),
      hooks: {
        firstEvent: (now) => {
          metrics.latency('first_event', Math.round((now - joinedAt) * 1000));
          if (creator) metrics.count('games_started');
        },
        gap: (kind, micros) => metrics.gap(kind, micros),
        decided: (micros) => metrics.latency('decide', micros),
        refused: (kind) => metrics.error(kind),
      },
      // Think time before a decision only: the other prompts are answered at once.
      ...(ctx.thinkTimeMs > 0 ? { think: () => rng.int(0, 2 * ctx.thinkTimeMs) } : {}),
      // Until the other player is in and the game starts: the lobby wait; then no progress for this long (own
      // requests, the other player's turn) ends the session.
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
  }
}

export const se1CarcassonneScenario: LoadScenario<CarcassonneShared> = {
  id: 'se1-carcassonne',
  protocol: 'se1',
  description:
    'SE1 Carcassonne games: test players pair up (CREATE GAME -maxPlayers 2 -testgame / JOIN GAME), play to the end with a strategies/carcassonne bot, leave',
  params: { ...DEFAULTS },
  // Every command answers a prompt.
  reactive: ['start_game_rtt', 'draw_card_rtt', 'place_card_rtt', 'place_meeple_rtt', 'end_turn_rtt'],
  async prepare({ params }) {
    const strategy = String(params.strategy ?? DEFAULTS.strategy);
    const bot = await resolveBot(strategy, 'carcassonne');
    return {
      bot,
      pairs: new PairMaker(`lt-${Date.now().toString(36)}`),
      games: intParam('se1-carcassonne', params, 'games', DEFAULTS.games, 1, 1000),
      lobbyTimeoutMs: intParam('se1-carcassonne', params, 'lobbyTimeoutMs', DEFAULTS.lobbyTimeoutMs, 1, 600_000),
      iterations: intParam('se1-carcassonne', params, 'iterations', DEFAULTS.iterations, 1, 1_000_000),
      config: carcassonneEngine.defaultConfig(),
    };
  },
  // Each worker thread pairs its own sessions, under its own game-name prefix so that names never collide.
  threads: {
    toWorker: (s) => ({
      strategy: s.bot.label,
      prefix: s.pairs.prefix,
      games: s.games,
      lobbyTimeoutMs: s.lobbyTimeoutMs,
      iterations: s.iterations,
      config: s.config,
    }),
    async inWorker(data, { thread }) {
      const d = data as {
        strategy: string;
        prefix: string;
        games: number;
        lobbyTimeoutMs: number;
        iterations: number;
        config: CarcassonneConfig;
      };
      return {
        bot: await resolveBot(d.strategy, 'carcassonne'),
        pairs: new PairMaker(`${d.prefix}t${thread}`),
        games: d.games,
        lobbyTimeoutMs: d.lobbyTimeoutMs,
        iterations: d.iterations,
        config: d.config,
      };
    },
  },
  runSession,
};
