/** `botswarm play orerush --connect`: every bot takes one seat (src/game/seat.ts) in one private game. */
import type { GameResult } from '../../core/engine.ts';
import { silentLogger } from '../../core/log.ts';
import { matchStreams } from '../../core/match.ts';
import type { Strategy } from '../../core/strategy.ts';
import { matchContext, OnlineSeat } from '../../game/seat.ts';
import { type OreRushAction, type OreRushObservation, orerushEngine } from '../../games/orerush/index.ts';
import type { OnlineOutcome, OnlinePlayOptions } from '../registry.ts';
import { type Answer, OreRushClient } from './client.ts';
import { OreRushOnlineGame } from './seat-adapter.ts';

export interface OnlineSeatResult {
  readonly result: GameResult;
  readonly finalObservation: OreRushObservation;
  readonly decisions: number;
  readonly errors: string[];
  readonly events: unknown[];
}

export interface PlayOreRushOptions extends OnlinePlayOptions {
  /** Rules sent by the game's creator (seat 0) before the others join. */
  rules?: Record<string, unknown>;
  roundTimeoutMs?: number;
  /** Every decision of every seat (the seat's `decision` hook): per-decision equivalence tests. */
  onDecision?: (seat: number, observation: OreRushObservation, action: OreRushAction) => void;
}

/**
 * Plays one game with one connection per bot: seat 0 creates a private game (`reqst 0`), sets the player
 * count, the seed and the rules (`settn`), and the others join it by id. Each bot draws from its own stream
 * `bot/<seat>` of the seed, exactly as in the local runner, so a seeded game ends as it does offline.
 */
export async function playOreRushOnline(options: PlayOreRushOptions): Promise<OnlineSeatResult[]> {
  const { bots, seed } = options;
  const log = options.log ?? silentLogger;
  const streams = matchStreams(seed);
  const clients: OreRushClient[] = [];
  const seats: { game: OreRushOnlineGame; seat: OnlineSeat<OreRushObservation, OreRushAction> }[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    let gameId = 0;
    for (let i = 0; i < bots.length; i++) {
      const client = await OreRushClient.connect({ host: options.host, port: options.port, log });
      clients.push(client);
      const game = new OreRushOnlineGame(client, { keepEvents: true });
      const strategy = bots[i]!.create() as Strategy<OreRushObservation, OreRushAction>;
      const seat = new OnlineSeat<OreRushObservation, OreRushAction>({
        game,
        strategy,
        context: matchContext(orerushEngine, streams, options.budget, log, strategy.name),
        ...(options.onDecision ? { hooks: { decision: options.onDecision } } : {}),
      });
      seats.push({ game, seat });
      const joined = await client.request({ type: 'reqst', timestamp: Date.now(), game: gameId });
      if (joined.kind !== 'success') throw new Error(`seat ${i} cannot join: ${describe(joined)}`);
      const info = await withTimeout(game.settings, 10_000, 'game settings');
      if (i === 0) {
        gameId = info.game;
        const set = await client.request({
          type: 'settn',
          settings: {
            players: bots.length,
            seed: String(seed),
            ...(options.roundTimeoutMs ? { roundTimeoutMs: options.roundTimeoutMs } : {}),
            ...(options.rules ? { rules: options.rules } : {}),
          },
        });
        if (set.kind !== 'success') throw new Error(`settings refused: ${describe(set)}`);
      }
    }
    const all = Promise.all(
      seats.map(async ({ game, seat }): Promise<OnlineSeatResult> => {
        const outcome = await seat.done;
        return {
          result: outcome.result!,
          finalObservation: game.final!.observation,
          decisions: outcome.decisions,
          errors: [...outcome.errors],
          events: game.events,
        };
      }),
    );
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result after ${options.timeoutMs} ms`)), options.timeoutMs);
    });
    return await Promise.race([all, timeout]);
  } catch (error) {
    for (const { seat } of seats) seat.fail(error as Error);
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
    for (const c of clients) c.close();
  }
}

export async function playOnline(options: OnlinePlayOptions): Promise<OnlineOutcome> {
  const seats = await playOreRushOnline(options);
  return {
    result: seats[0]!.result,
    decisions: seats.map((s) => s.decisions),
    errors: seats.flatMap((s, seat) => s.errors.map((e) => `seat ${seat}: ${e}`)),
    events: seats[0]!.events,
  };
}

function describe(answer: Answer): string {
  return answer.kind === 'error' ? `error ${answer.code}: ${answer.message}` : answer.kind;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
