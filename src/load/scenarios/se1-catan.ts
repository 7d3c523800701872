/**
 * `se1-catan`: Settlers of Catan games on an SE1 server (`serve se1 --game catan`). Each bot session connects,
 * creates a test player and logs in; sessions gather in groups of `players` (3 or 4): the first of a group
 * creates a test game (`CREATE GAME <name> -maxPlayers <players> -testgame`), the others join it by name, and
 * the creator starts it once all are in. Every seat plays to the end with a catan bot (`strategy`: catan-random,
 * catan-heuristic, catan-mcts, with parameters as in `catan-mcts:iterations=20`) on the same online seat as
 * `botswarm play catan --connect` (src/game/seat.ts), then leaves and logs out.
 *
 * Timed: `connect`, `testplayer_rtt`, `login_rtt`, `create_rtt`, `join_rtt`; every game command's round trip to
 * the server's `OK - <ACTION>` (`start_game_rtt`, `roll_dies_rtt`, `build_rtt`, `trade_rtt`, `play_rtt`,
 * `choose_rtt`, `end_turn_rtt`); `first_event`, `decide`, and every wait for the server (`metrics.gap`).
 * Counted: `games_created`, `games_started`, `games` (finished, by the creator), `turns` (END_TURN confirmed),
 * `builds`, `sessions`, `lobby_timeouts`.
 */
import { type ResolvedBot, resolveBot } from '../../bots/resolve.ts';
import type { Strategy } from '../../core/strategy.ts';
import { OnlineSeat, SeatStopped, SeatTimeout } from '../../game/seat.ts';
import { type CatanAction, type CatanObservation, catanEngine } from '../../games/catan/index.ts';
import { CatanOnlineGame } from '../../protocols/se1/catan-seat-adapter.ts';
import { Se1Client, Se1Error, type Se1Event } from '../../protocols/se1/index.ts';
import { intParam, SessionFailure } from '../scenario-kit.ts';
import type { LoadScenario, SessionContext } from '../types.ts';

/** One game's sessions: the first creates it, the next `size - 1` join by name. */
interface Group {
  readonly name: Promise<string | null>;
  resolve(name: string | null): void;
  claimed: number;
}

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

  /** The creator gave up (or could not create): later sessions group elsewhere. */
  abandon(group: Group): void {
    if (this.#open === group) this.#open = null;
    group.resolve(null);
  }
}

export interface CatanShared {
  readonly bot: ResolvedBot;
  readonly groups: GroupMaker;
  readonly games: number;
  readonly lobbyTimeoutMs: number;
  readonly iterations: number;
}

const DEFAULTS = { strategy: 'catan-random', players: 3, games: 1, lobbyTimeoutMs: 10_000, iterations: 100 } as const;

function errorKind(error: unknown): string {
  if (error instanceof SessionFailure) return error.kind;
  const message = (error as Error)?.message ?? String(error);
  if (/within \d+ ms|no reply|no greeting/.test(message)) return 'timeout';
  if (/closed/.test(message)) return 'disconnect';
  if (/ECONNREFUSED|connect/.test(message)) return 'connect_failed';
  if (error instanceof Se1Error) return 'ERROR';
  return 'exception';
}

async function runSession(ctx: SessionContext<CatanShared>): Promise<void> {
  const { metrics, signal, shared, rng } = ctx;
  if (signal.aborted) return;
  const due = ctx.scheduledAt ?? performance.now();
  const started = performance.now();
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
    metrics.track(client.connection);
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

  async function playGame(name: string, creator: boolean, abandon: () => void): Promise<boolean> {
    const c = client!;
    const game = new CatanOnlineGame(c, {
      nick,
      creator,
      players: shared.groups.size,
      onAnswer: (kind, micros, ok) => {
        metrics.latency(`${kind}_rtt`, micros);
        if (!ok) return;
        if (kind === 'end_turn') metrics.count('turns');
        else if (kind === 'build') metrics.count('builds');
      },
    });
    onEvent = (e) => game.onEvent(e);
    onClose = () => game.onClose();
    const strategy = shared.bot.create() as Strategy<CatanObservation, CatanAction>;
    let joinedAt = performance.now();
    const seat = new OnlineSeat<CatanObservation, CatanAction>({
      game,
      strategy,
      context: (s, config) => ({
        seat: s,
        rng,
        budget: { iterations: shared.iterations },
        model: { engine: catanEngine, config },
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
      ...(ctx.thinkTimeMs > 0 ? { think: () => rng.int(0, 2 * ctx.thinkTimeMs) } : {}),
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

function shared(
  bot: ResolvedBot,
  prefix: string,
  params: Readonly<Record<string, string | number | boolean>>,
): CatanShared {
  const id = 'se1-catan';
  return {
    bot,
    groups: new GroupMaker(prefix, intParam(id, params, 'players', DEFAULTS.players, 3, 4)),
    games: intParam(id, params, 'games', DEFAULTS.games, 1, 1000),
    lobbyTimeoutMs: intParam(id, params, 'lobbyTimeoutMs', DEFAULTS.lobbyTimeoutMs, 1, 600_000),
    iterations: intParam(id, params, 'iterations', DEFAULTS.iterations, 1, 1_000_000),
  };
}

export const se1CatanScenario: LoadScenario<CatanShared> = {
  id: 'se1-catan',
  protocol: 'se1',
  description:
    'SE1 Catan games: test players gather in groups of 3 or 4 (CREATE GAME -testgame / JOIN GAME), play to the end with a catan bot, leave',
  params: { ...DEFAULTS },
  // Every command answers a prompt.
  reactive: ['start_game_rtt', 'roll_dies_rtt', 'build_rtt', 'trade_rtt', 'play_rtt', 'choose_rtt', 'end_turn_rtt'],
  async prepare({ params }) {
    const bot = await resolveBot(String(params.strategy ?? DEFAULTS.strategy), 'catan');
    return shared(bot, `lc-${Date.now().toString(36)}`, params);
  },
  // Each worker thread groups its own sessions, under its own game-name prefix so that names never collide.
  threads: {
    toWorker: (s) => ({
      strategy: s.bot.label,
      prefix: s.groups.prefix,
      players: s.groups.size,
      games: s.games,
      lobbyTimeoutMs: s.lobbyTimeoutMs,
      iterations: s.iterations,
    }),
    async inWorker(data, { thread }) {
      const d = data as { strategy: string; prefix: string; players: number } & Record<string, number>;
      return shared(await resolveBot(d.strategy, 'catan'), `${d.prefix}t${thread}`, d);
    },
  },
  runSession,
};
