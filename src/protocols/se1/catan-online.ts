/** `botswarm play catan --connect`: every bot takes one seat (src/game/seat.ts) in one SE1 test game. */
import { matchStreams } from '../../core/match.ts';
import type { Strategy } from '../../core/strategy.ts';
import { matchContext, OnlineSeat } from '../../game/seat.ts';
import { type CatanAction, type CatanObservation, catanEngine, defaultConfig } from '../../games/catan/index.ts';
import type { ClientProtocol, OnlineOutcome, OnlinePlayOptions } from '../registry.ts';
import { CatanOnlineGame } from './catan-seat-adapter.ts';
import { Se1Client } from './client.ts';
import { DEFAULT_PORT } from './server.ts';

export interface CatanOnlineOptions extends OnlinePlayOptions {
  /** Every decision of every seat (the seat's `decision` hook): per-decision equivalence tests. */
  onDecision?: (seat: number, observation: CatanObservation, action: CatanAction) => void;
}

/**
 * The SE1 map that plays `settings`: only the layout travels (`map=random|beginner`, the built-in maps of the
 * same names); the other rules are the server's defaults, so a setting that differs from them is refused here
 * rather than silently played otherwise.
 */
export function catanMapFor(settings: Record<string, unknown> = {}): string {
  const config = catanEngine.parseConfig(settings);
  const defaults = defaultConfig();
  for (const key of ['rules', 'vpToWin', 'maxTurns', 'maxOffersPerTurn'] as const) {
    if (config[key] !== defaults[key])
      throw new Error(`catan over SE1 plays ${key}=${defaults[key]}; only map= can be set (random or beginner)`);
  }
  return config.map;
}

/** Every bot logs in as a test player; bot 0 creates the game and starts it once every seat is taken. */
export async function playOnline(options: CatanOnlineOptions): Promise<OnlineOutcome> {
  const { bots, seed, budget, log } = options;
  const map = catanMapFor(options.settings);
  const players = bots.length;
  const streams = matchStreams(seed);
  const gameName = `botswarm-${seed}-${Date.now().toString(36)}`;
  const clients: Se1Client[] = [];
  const seats: { game: CatanOnlineGame; seat: OnlineSeat<CatanObservation, CatanAction> }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result after ${options.timeoutMs} ms`)), options.timeoutMs);
  });
  timeout.catch(() => {});
  try {
    const seated = (async () => {
      for (let i = 0; i < players; i++) {
        const strategy = bots[i]!.create() as Strategy<CatanObservation, CatanAction>;
        let game: CatanOnlineGame | undefined;
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
        game = new CatanOnlineGame(client, { nick: account.nick, creator: i === 0, players });
        const seat = new OnlineSeat<CatanObservation, CatanAction>({
          game,
          strategy,
          context: matchContext(catanEngine, streams, budget, log, strategy.name),
          ...(options.onDecision ? { hooks: { decision: options.onDecision } } : {}),
        });
        seats.push({ game, seat });
        if (i === 0)
          await client.request(`CREATE GAME ${gameName} -maxPlayers ${players} -testgame -seed ${seed} -map ${map}`);
        await client.joinGame(gameName);
      }
      return Promise.all(seats.map((s) => s.seat.done));
    })();
    seated.catch(() => {});
    const outcomes = await Promise.race([seated, timeout]);
    return {
      result: outcomes[0]!.result!,
      decisions: outcomes.map((o) => o.decisions),
      errors: seats.flatMap(({ game, seat }) => [...seat.errors, ...game.errors]),
      events: seats[0]!.game.events,
    };
  } catch (error) {
    for (const { seat } of seats) seat.fail(error as Error);
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
    for (const c of clients) c.close();
  }
}

export const catanClientProtocol: ClientProtocol = {
  id: 'se1',
  game: 'catan',
  defaultPort: DEFAULT_PORT,
  playOnline,
};
