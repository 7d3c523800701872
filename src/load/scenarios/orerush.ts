/**
 * `orerush-play`: one bot session against an Ore Rush server: connect, quick-match (`reqst -1`: the server
 * seats sessions into open games of its `quickPlayers` size in arrival order), play every round with a real
 * strategy (orerush-random, orerush-heuristic... via resolveBot) until the final update, `games` times, leave.
 * A session still alone after `lobbyTimeoutMs` leaves its game (`close`) and counts `lobby_timeouts`. The game
 * loop is the online seat of `botswarm play --connect` (src/game/seat.ts); every wait for the server goes to
 * `metrics.gap` (`start`, then `round`: from a `pmove` to the next `updte`).
 */
import { type ResolvedBot, resolveBot } from '../../bots/resolve.ts';
import type { Strategy } from '../../core/strategy.ts';
import { OnlineSeat, SeatTimeout } from '../../game/seat.ts';
import { type OreRushAction, type OreRushObservation, orerushEngine } from '../../games/orerush/index.ts';
import {
  type Answer,
  ErrorCode,
  OreRushClient,
  OreRushGameClosed,
  OreRushOnlineGame,
  type OreRushUpdate,
  onUpdates,
} from '../../protocols/orerush/index.ts';
import { intParam } from '../scenario-kit.ts';
import type { LoadScenario, SessionContext } from '../types.ts';

export interface OreRushShared {
  readonly bot: ResolvedBot;
  readonly games: number;
  readonly lobbyTimeoutMs: number;
  readonly iterations: number;
  /** The client's `holdAnswersMs`: answers to `updte`/`awake` leave with the next `pmove` (0: at once). */
  readonly holdAnswersMs: number;
}

const DEFAULTS = { bot: 'random', games: 1, lobbyTimeoutMs: 10_000, iterations: 100, holdAnswersMs: 0 } as const;

const CODE_NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/** Error kind of a protocol error answer, e.g. `error_move` for code 7. */
export const errorKindOf = (code: number) => `error_${CODE_NAMES.get(code) ?? code}`;

async function runSession(ctx: SessionContext<OreRushShared>): Promise<void> {
  const { metrics, signal, shared, rng } = ctx;
  if (signal.aborted) return;
  const due = ctx.scheduledAt ?? performance.now();
  const started = performance.now();
  let client: OreRushClient;
  try {
    client = await OreRushClient.connect({
      host: ctx.host,
      port: ctx.port,
      connectTimeoutMs: ctx.requestTimeoutMs,
      answerTimeoutMs: ctx.requestTimeoutMs,
      holdAnswersMs: shared.holdAnswersMs,
      log: ctx.log,
    });
  } catch (error) {
    if (!signal.aborted) metrics.error(/timed out/.test((error as Error).message) ? 'timeout' : 'connect_failed');
    return;
  }
  const connected = performance.now();
  metrics.latency('connect', (connected - due) * 1000, (connected - started) * 1000);
  metrics.track(client.connection, client);
  const onAbort = () => client.close();
  signal.addEventListener('abort', onAbort, { once: true });

  const answerOk = (answer: Answer, what: string) => {
    if (answer.kind === 'success') return true;
    if (answer.kind === 'timeout') metrics.error('timeout_answer');
    else metrics.error(errorKindOf(answer.code));
    ctx.log.debug({ answer, what }, 'orerush request refused');
    return false;
  };
  const think = ctx.thinkTimeMs;

  try {
    for (let gameNo = 0; gameNo < shared.games && !signal.aborted; gameNo++) {
      // The game loop is the one seat's (src/game/seat.ts); its handlers are in place before the reqst, whose
      // answer the server follows at once with the game's settings.
      // The seat gets each update as read and checked; its observation is built when the think time ends, so that
      // nothing a round allocates for the bot lives through the think time (docs/performance.md, "Third pass").
      const game = new OreRushOnlineGame<OreRushUpdate>(client, {
        turns: 'lazy',
        closeWaitMs: ctx.requestTimeoutMs,
        onMoveAnswer: (micros, answer) => {
          metrics.latency('move_rtt', micros);
          metrics.count('moves');
          answerOk(answer, 'pmove');
        },
      });
      const t0 = performance.now();
      const joined = await client.request({ type: 'reqst', timestamp: Date.now(), game: -1 });
      metrics.latency('join_rtt', (performance.now() - t0) * 1000);
      if (!answerOk(joined, 'reqst')) return;
      const strategy = shared.bot.create() as Strategy<OreRushObservation, OreRushAction>;
      const seat = new OnlineSeat<OreRushUpdate, OreRushAction>({
        game,
        strategy: onUpdates(strategy),
        context: (s, config) => ({
          seat: s,
          rng: rng.fork(`game/${gameNo}`),
          budget: { iterations: shared.iterations },
          model: { engine: orerushEngine, config },
          log: ctx.log,
        }),
        hooks: {
          firstEvent: (now) => metrics.latency('first_event', (now - t0) * 1000),
          gap: (kind, micros) => metrics.gap(kind, micros),
        },
        // Waiting for partners is bounded by the lobby timeout; a running game by its round deadline.
        patience: {
          startMs: shared.lobbyTimeoutMs,
          turnMs: () => (game.info?.roundTimeoutMs ?? 60_000) + ctx.requestTimeoutMs,
        },
        ...(think > 0 ? { think: () => think * (0.5 + rng.next()) } : {}),
        signal,
      });
      try {
        await seat.done;
      } catch (error) {
        if (error instanceof SeatTimeout && error.phase === 'start') {
          metrics.count('lobby_timeouts');
          if (game.info) await client.request({ type: 'close', timestamp: Date.now(), player: game.info.player });
          return;
        }
        throw error;
      }
      // Once per game, not once per player.
      if (game.info?.player === 0) metrics.count('games');
    }
  } catch (error) {
    if (signal.aborted) return;
    const message = (error as Error).message;
    const kind =
      error instanceof SeatTimeout
        ? 'timeout'
        : error instanceof OreRushGameClosed
          ? 'game_aborted'
          : /closed|disconnected/.test(message)
            ? 'disconnect'
            : /no answer/.test(message)
              ? 'timeout'
              : 'exception';
    metrics.error(kind);
    ctx.log.debug({ err: error }, 'orerush session failed');
  } finally {
    signal.removeEventListener('abort', onAbort);
    client.close();
  }
}

export const orerushPlayScenario: LoadScenario<OreRushShared> = {
  id: 'orerush-play',
  protocol: 'orerush',
  description:
    'bots quick-match (reqst -1) into Ore Rush games and play every round to the end (move_rtt, join_rtt, first_event)',
  params: { ...DEFAULTS },
  reactive: ['join_rtt', 'move_rtt'],
  async prepare({ params }) {
    const bot = await resolveBot(String(params.bot ?? DEFAULTS.bot), 'orerush');
    return {
      bot,
      games: intParam('orerush-play', params, 'games', DEFAULTS.games, 1, 1_000_000),
      lobbyTimeoutMs: intParam('orerush-play', params, 'lobbyTimeoutMs', DEFAULTS.lobbyTimeoutMs, 1, 3_600_000),
      iterations: intParam('orerush-play', params, 'iterations', DEFAULTS.iterations, 1, 10_000_000),
      // Below the protocol's 10 s answer wait and silence rule (§2, §3).
      holdAnswersMs: intParam('orerush-play', params, 'holdAnswersMs', DEFAULTS.holdAnswersMs, 0, 8000),
    };
  },
  // Sessions are matched by the server (quick-match): a worker thread only needs the bot, resolved again there.
  threads: {
    toWorker: (s) => ({
      bot: s.bot.label,
      games: s.games,
      lobbyTimeoutMs: s.lobbyTimeoutMs,
      iterations: s.iterations,
      holdAnswersMs: s.holdAnswersMs,
    }),
    async inWorker(data) {
      const d = data as Omit<OreRushShared, 'bot'> & { bot: string };
      return { ...d, bot: await resolveBot(d.bot, 'orerush') };
    },
  },
  runSession,
};
