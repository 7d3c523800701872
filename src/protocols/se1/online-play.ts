/**
 * `botswarm play <game> --connect` for every game the SE1 server hosts: every bot logs in as a test player and
 * takes one seat (src/game/seat.ts); bot 0 creates a test game with `-seed <seed>`, all join in seat order, and
 * the game's adapter starts it once every seat is taken. A game supplies its adapter, what bot 0 adds to
 * `CREATE GAME` (a map), and how its errors and events are read; the rest is here once.
 */
import type { AnyEngine } from '../../core/engine.ts';
import { matchStreams } from '../../core/match.ts';
import type { Strategy } from '../../core/strategy.ts';
import { matchContext, type OnlineGame, OnlineSeat } from '../../game/seat.ts';
import type { OnlineOutcome, OnlinePlayOptions } from '../registry.ts';
import { Se1Client } from './client.ts';
import type { Se1Event } from './json.ts';

/** An online adapter the SE1 client feeds: the game's events, and the connection's end. */
export type Se1OnlineGame<O, A> = OnlineGame<O, A> & { onEvent(e: Se1Event): void; onClose(): void };

export interface Se1OnlineOptions<O, A> extends OnlinePlayOptions {
  /** Every decision of every seat (the seat's `decision` hook): per-decision equivalence tests. */
  onDecision?: (seat: number, observation: O, action: A) => void;
}

export interface Se1PlaySpec<O, A, G extends Se1OnlineGame<O, A>> {
  /** The rules the bots' forward model runs. */
  readonly engine: AnyEngine;
  /** Seat `seat.index`'s adapter on its own client. */
  game(client: Se1Client, seat: { readonly nick: string; readonly creator: boolean; readonly players: number }): G;
  /** What bot 0 appends to `CREATE GAME` (e.g. ` -map <name>` after uploading it); default nothing. */
  createOptions?(client: Se1Client): Promise<string>;
  /** The errors of the game, from every seat and its adapter. */
  errors(seats: readonly { readonly game: G; readonly seat: OnlineSeat<O, A> }[]): string[];
  /** The events the outcome reports (seat 0's). */
  events(first: G): readonly unknown[];
}

export async function playSe1Online<O, A, G extends Se1OnlineGame<O, A>>(
  options: Se1OnlineOptions<O, A>,
  spec: Se1PlaySpec<O, A, G>,
): Promise<OnlineOutcome> {
  const { bots, seed, budget, log } = options;
  const players = bots.length;
  const streams = matchStreams(seed);
  const gameName = `botswarm-${seed}-${Date.now().toString(36)}`;
  const clients: Se1Client[] = [];
  const seats: { game: G; seat: OnlineSeat<O, A> }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result after ${options.timeoutMs} ms`)), options.timeoutMs);
  });
  timeout.catch(() => {});
  try {
    const seated = (async () => {
      for (let i = 0; i < players; i++) {
        const strategy = bots[i]!.create() as Strategy<O, A>;
        let game: G | undefined;
        const client = await Se1Client.connect({
          host: options.host,
          port: options.port,
          log,
          onEvent: (e) => game?.onEvent(e),
          onClose: () => game?.onClose(),
        });
        clients.push(client);
        const account = await client.createTestPlayer();
        await client.login(account.nick, account.password);
        game = spec.game(client, { nick: account.nick, creator: i === 0, players });
        const seat = new OnlineSeat<O, A>({
          game,
          strategy,
          context: matchContext(spec.engine, streams, budget, log, strategy.name),
          ...(options.onDecision ? { hooks: { decision: options.onDecision } } : {}),
        });
        seats.push({ game, seat });
        if (i === 0) {
          const extra = spec.createOptions ? await spec.createOptions(client) : '';
          await client.request(`CREATE GAME ${gameName} -maxPlayers ${players} -testgame -seed ${seed}${extra}`);
        }
        await client.joinGame(gameName);
      }
      return Promise.all(seats.map((s) => s.seat.done));
    })();
    seated.catch(() => {});
    const outcomes = await Promise.race([seated, timeout]);
    return {
      result: outcomes[0]!.result!,
      decisions: outcomes.map((o) => o.decisions),
      errors: spec.errors(seats),
      events: [...spec.events(seats[0]!.game)],
    };
  } catch (error) {
    for (const { seat } of seats) seat.fail(error as Error);
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
    for (const c of clients) c.close();
  }
}
