/**
 * `orerush-play`: one bot session against an Ore Rush server: connect, quick-match (`reqst -1`: the server
 * seats sessions into open games of its `quickPlayers` size in arrival order), play every round with a real
 * strategy (orerush-random, orerush-heuristic... via resolveBot) until the final update, `games` times, leave.
 * A session still alone after `lobbyTimeoutMs` leaves its game (`close`) and counts `lobby_timeouts`.
 */
import { type ResolvedBot, resolveBot } from '../../bots/resolve.ts';
import type { DecisionContext, Strategy } from '../../core/strategy.ts';
import {
  type OreRushAction,
  type OreRushConfig,
  type OreRushObservation,
  orerushEngine,
} from '../../games/orerush/index.ts';
import { type Answer, ErrorCode, encodeMoves, type GameInfo, OreRushClient } from '../../protocols/orerush/index.ts';
import { intParam, SessionFailure } from '../scenario-kit.ts';
import type { LoadScenario, SessionContext } from '../types.ts';

export interface OreRushShared {
  readonly bot: ResolvedBot;
  readonly games: number;
  readonly lobbyTimeoutMs: number;
  readonly iterations: number;
}

const DEFAULTS = { bot: 'random', games: 1, lobbyTimeoutMs: 10_000, iterations: 100 } as const;

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
      log: ctx.log,
    });
  } catch (error) {
    if (!signal.aborted) metrics.error(/timed out/.test((error as Error).message) ? 'timeout' : 'connect_failed');
    return;
  }
  const connected = performance.now();
  metrics.latency('connect', (connected - due) * 1000, (connected - started) * 1000);
  metrics.track(client.connection);
  const onAbort = () => client.close();
  signal.addEventListener('abort', onAbort, { once: true });

  // One queue of what the server pushes; the game loop below takes from it.
  type Pushed =
    | { kind: 'settn'; info: GameInfo }
    | { kind: 'updte'; obs: OreRushObservation }
    | { kind: 'close'; player: number }
    | { kind: 'gone'; reason: string };
  const inbox: Pushed[] = [];
  // One lazy timer per session for every wait (a round's update, the lobby, the close): a wait only notes its
  // deadline, and the timer re-arms itself when it fires early, instead of a setTimeout and clearTimeout per round.
  let waiter: { deadline: number; wake: () => void } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Number.POSITIVE_INFINITY;
  const onTimer = () => {
    timer = null;
    timerAt = Number.POSITIVE_INFINITY;
    if (!waiter) return;
    if (performance.now() >= waiter.deadline) waiter.wake();
    else armTimer(waiter.deadline);
  };
  const armTimer = (deadline: number) => {
    if (timer && timerAt <= deadline) return;
    if (timer) clearTimeout(timer);
    timerAt = deadline;
    timer = setTimeout(onTimer, Math.max(0, deadline - performance.now()));
  };
  const push = (p: Pushed) => {
    inbox.push(p);
    waiter?.wake();
  };
  client.setHandlers({
    onSettings: (info) => push({ kind: 'settn', info }),
    onUpdate: (obs) => push({ kind: 'updte', obs }),
    onClose: (player) => push({ kind: 'close', player }),
    onDisconnect: (reason) => push({ kind: 'gone', reason }),
  });
  const take = async (ms: number, what: string): Promise<Pushed> => {
    const deadline = performance.now() + ms;
    while (inbox.length === 0) {
      if (performance.now() >= deadline) throw new SessionFailure('timeout', `no ${what} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        waiter = { deadline, wake: resolve };
        armTimer(deadline);
      });
      waiter = null;
    }
    const p = inbox.shift()!;
    if (p.kind === 'gone') throw new SessionFailure(signal.aborted ? 'aborted' : 'disconnect', p.reason);
    return p;
  };
  const answerOk = (answer: Answer, what: string) => {
    if (answer.kind === 'success') return true;
    if (answer.kind === 'timeout') metrics.error('timeout_answer');
    else metrics.error(errorKindOf(answer.code));
    ctx.log.debug({ answer, what }, 'orerush request refused');
    return false;
  };

  try {
    for (let game = 0; game < shared.games && !signal.aborted; game++) {
      const t0 = performance.now();
      const joined = await client.request({ type: 'reqst', timestamp: Date.now(), game: -1 });
      metrics.latency('join_rtt', (performance.now() - t0) * 1000);
      if (!answerOk(joined, 'reqst')) return;
      let info: GameInfo | undefined;
      let config: OreRushConfig | undefined;
      let decisionContext: DecisionContext | undefined;
      const strategy = shared.bot.create() as Strategy<OreRushObservation, OreRushAction>;
      let firstEvent = true;
      /** Since when this bot has waited for the server: join → first update, move answered → next update. */
      let waitingSince: number | undefined = performance.now();
      for (;;) {
        // Waiting for partners is bounded by the lobby timeout; a running game by its round deadline.
        const waitMs = firstEvent ? shared.lobbyTimeoutMs : (info?.roundTimeoutMs ?? 60_000) + ctx.requestTimeoutMs;
        let pushed: Pushed;
        try {
          pushed = await take(waitMs, firstEvent ? 'game start' : 'update');
        } catch (error) {
          if (firstEvent && error instanceof SessionFailure && error.kind === 'timeout') {
            metrics.count('lobby_timeouts');
            if (info) await client.request({ type: 'close', timestamp: Date.now(), player: info.player });
            return;
          }
          throw error;
        }
        if (pushed.kind === 'settn') {
          info = pushed.info;
          continue;
        }
        if (pushed.kind === 'close') {
          if (pushed.player === -1) break;
          continue;
        }
        if (pushed.kind !== 'updte' || !info) continue;
        const obs = pushed.obs;
        if (waitingSince !== undefined)
          metrics.gap(firstEvent ? 'start' : 'round', (performance.now() - waitingSince) * 1000);
        waitingSince = undefined;
        if (firstEvent) {
          metrics.latency('first_event', (performance.now() - t0) * 1000);
          firstEvent = false;
        }
        if (obs.over) {
          // Once per game, not once per player.
          if (info.player === 0) metrics.count('games');
          // The server closes the game right after its final update; take that before the next reqst.
          for (;;) {
            const next = await take(ctx.requestTimeoutMs, 'close of the finished game');
            if (next.kind === 'close' && next.player === -1) break;
          }
          break;
        }
        config ??= orerushEngine.parseConfig(info.rules);
        decisionContext ??= {
          seat: info.player,
          rng: rng.fork(`game/${game}`),
          budget: { iterations: shared.iterations },
          model: { engine: orerushEngine, config },
          log: ctx.log,
        };
        if (ctx.thinkTimeMs > 0) {
          await new Promise((resolve) => setTimeout(resolve, ctx.thinkTimeMs * (0.5 + rng.next())));
        }
        const action = await strategy.decide(obs, decisionContext);
        const sent = performance.now();
        const answer = await client.request(encodeMoves(info.player, obs.round, action));
        metrics.latency('move_rtt', (performance.now() - sent) * 1000);
        metrics.count('moves');
        waitingSince = performance.now();
        answerOk(answer, 'pmove');
      }
    }
  } catch (error) {
    if (signal.aborted) return;
    const kind =
      error instanceof SessionFailure
        ? error.kind
        : /closed/.test((error as Error).message)
          ? 'disconnect'
          : /no answer/.test((error as Error).message)
            ? 'timeout'
            : 'exception';
    metrics.error(kind);
    ctx.log.debug({ err: error }, 'orerush session failed');
  } finally {
    if (timer) clearTimeout(timer);
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
    };
  },
  // Sessions are matched by the server (quick-match): a worker thread only needs the bot, resolved again there.
  threads: {
    toWorker: (s) => ({ bot: s.bot.label, games: s.games, lobbyTimeoutMs: s.lobbyTimeoutMs, iterations: s.iterations }),
    async inWorker(data) {
      const d = data as { bot: string; games: number; lobbyTimeoutMs: number; iterations: number };
      return { ...d, bot: await resolveBot(d.bot, 'orerush') };
    },
  },
  runSession,
};
