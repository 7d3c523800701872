/**
 * `se1-creepsmash`: real-time CreepSmash games on an SE1 server. Sessions pair up as in `se1-carcassonne` (the first
 * of every two creates a 2-player test game, the next joins it), choose their tiles, and play to the end with a
 * strategies/creepsmash bot on the one online seat (src/game/seat.ts) that mirrors the engine tick by tick.
 *
 * What it measures, besides the lobby round trips:
 * - `<action>_rtt`: a command to its `OK - <ACTION>` (or refusal): `create_tower_rtt`, `create_creep_rtt`, ...;
 * - `tick_late`: how late each tick's stream reaches each bot, arrival − (startTime + k·tickMs), where startTime
 *   is the one the server announced; client and server read the same clock on one machine (loopback), elsewhere
 *   the difference of their clocks is in it;
 * - `server_tick_late`: how late the server sent the tick, from the tick event's `@ts` (ms resolution): whether the
 *   server's clock keeps real time;
 * - counts: `ticks` (ticks seen by all bots), `ticks_late` (reached a bot more than one tick late), `games`,
 *   `games_started`, `commands`.
 */
import { type ResolvedBot, resolveBot } from '../../bots/resolve.ts';
import type { Strategy } from '../../core/strategy.ts';
import { OnlineSeat, SeatStopped, SeatTimeout } from '../../game/seat.ts';
import { type CreepSmashAction, type CreepSmashObservation, creepsmashEngine } from '../../games/creepsmash/index.ts';
import { CreepSmashOnlineGame, Se1Client, type Se1Event } from '../../protocols/se1/index.ts';
import { intParam, SessionFailure } from '../scenario-kit.ts';
import type { LoadScenario, SessionContext } from '../types.ts';
import { errorKind, PairMaker } from './se1-carcassonne.ts';

export interface CreepSmashShared {
  readonly bot: ResolvedBot;
  readonly pairs: PairMaker;
  readonly games: number;
  readonly lobbyTimeoutMs: number;
}

const DEFAULTS = { strategy: 'heuristic', games: 1, lobbyTimeoutMs: 10_000 } as const;

const clampMicros = (ms: number) => Math.max(0, Math.round(ms * 1000));

async function runSession(ctx: SessionContext<CreepSmashShared>): Promise<void> {
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

  async function playGame(name: string, creator: boolean, abandon: () => void): Promise<boolean> {
    const c = client!;
    let tickMs = 50;
    const game = new CreepSmashOnlineGame(c, {
      nick,
      creator,
      players: 2,
      onAnswer: (kind, micros) => {
        metrics.latency(`${kind}_rtt`, micros);
        if (kind !== 'start_game' && kind !== 'choose_tile') metrics.count('commands');
      },
      onTick: (_k, arrivedMs, sentMs, dueMs) => {
        tickMs = game.state?.config.tickMs ?? tickMs;
        const late = arrivedMs - dueMs;
        metrics.latency('tick_late', clampMicros(late));
        metrics.latency('server_tick_late', clampMicros(sentMs - dueMs));
        metrics.count('ticks');
        if (late > tickMs) metrics.count('ticks_late');
      },
    });
    onEvent = (e) => game.onEvent(e);
    onClose = () => game.onClose();
    const strategy = shared.bot.create() as Strategy<CreepSmashObservation, CreepSmashAction>;
    let joinedAt = performance.now();
    const seat = new OnlineSeat<CreepSmashObservation, CreepSmashAction>({
      game,
      strategy,
      context: (s, config) => ({
        seat: s,
        rng,
        budget: { iterations: 100 },
        model: { engine: creepsmashEngine, config },
        log: ctx.log,
      }),
      hooks: {
        firstEvent: (t) => {
          metrics.latency('first_event', Math.round((t - joinedAt) * 1000));
          if (creator) metrics.count('games_started');
        },
        gap: (kind, micros) => metrics.gap(kind, micros),
        decided: (micros) => metrics.latency('decide', micros),
        refused: (kind) => {
          // A command the engine refused when it took effect is play, not an error of the server.
          if (kind !== 'ERROR_REJECTED') metrics.error(kind);
        },
      },
      // The lobby wait until the other player is in; then a tick stream that stops for this long ends the session.
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

export const se1CreepSmashScenario: LoadScenario<CreepSmashShared> = {
  id: 'se1-creepsmash',
  protocol: 'se1',
  description:
    'SE1 CreepSmash games in real time: test players pair up, choose tiles, play to the end with a strategies/creepsmash bot mirroring the engine; tick lateness per bot and per server tick',
  params: { ...DEFAULTS },
  // Every command answers a tick the bot observed.
  reactive: [
    'choose_tile_rtt',
    'start_game_rtt',
    'create_tower_rtt',
    'upgrade_tower_rtt',
    'sell_tower_rtt',
    'change_tower_strategy_rtt',
    'create_creep_rtt',
  ],
  // One minute games at 20 ticks a second unless `--server-set rules=...` says otherwise.
  serverSettings: { game: 'creepsmash', rules: 'maxTicks=1200' },
  async prepare({ params }) {
    return {
      bot: await resolveBot(String(params.strategy ?? DEFAULTS.strategy), 'creepsmash'),
      pairs: new PairMaker(`cs-${Date.now().toString(36)}`),
      games: intParam('se1-creepsmash', params, 'games', DEFAULTS.games, 1, 1000),
      lobbyTimeoutMs: intParam('se1-creepsmash', params, 'lobbyTimeoutMs', DEFAULTS.lobbyTimeoutMs, 1, 600_000),
    };
  },
  threads: {
    toWorker: (s) => ({
      strategy: s.bot.label,
      prefix: s.pairs.prefix,
      games: s.games,
      lobbyTimeoutMs: s.lobbyTimeoutMs,
    }),
    async inWorker(data, { thread }) {
      const d = data as { strategy: string; prefix: string; games: number; lobbyTimeoutMs: number };
      return {
        bot: await resolveBot(d.strategy, 'creepsmash'),
        pairs: new PairMaker(`${d.prefix}t${thread}`),
        games: d.games,
        lobbyTimeoutMs: d.lobbyTimeoutMs,
      };
    },
  },
  runSession,
};
