/** `botswarm play carcassonne --connect`: every bot takes one seat (src/game/seat.ts) in one SE1 test game. */
import { matchStreams } from '../../core/match.ts';
import type { Strategy } from '../../core/strategy.ts';
import { OnlineSeat } from '../../game/seat.ts';
import { type CarcassonneAction, type CarcassonneState, carcassonneEngine } from '../../games/carcassonne/index.ts';
import type { OnlineOutcome, OnlinePlayOptions } from '../registry.ts';
import { ensureMap } from './carcassonne-client.ts';
import { Se1Client } from './client.ts';
import { CarcassonneOnlineGame } from './seat-adapter.ts';

export interface CarcassonneOnlineOptions extends OnlinePlayOptions {
  /** Every decision of every seat (the seat's `decision` hook): per-decision equivalence tests. */
  onDecision?: (seat: number, observation: CarcassonneState, action: CarcassonneAction) => void;
}

/** Every bot logs in as a test player; bot 0 creates the game and starts it once every seat is taken. */
export async function playOnline(options: CarcassonneOnlineOptions): Promise<OnlineOutcome> {
  const { bots, seed, budget, log } = options;
  const config = carcassonneEngine.parseConfig(options.settings ?? {});
  const players = bots.length;
  const streams = matchStreams(seed);
  const gameName = `botswarm-${seed}-${Date.now().toString(36)}`;
  const clients: Se1Client[] = [];
  const seats: { game: CarcassonneOnlineGame; seat: OnlineSeat<CarcassonneState, CarcassonneAction> }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result after ${options.timeoutMs} ms`)), options.timeoutMs);
  });
  timeout.catch(() => {});
  try {
    const seated = (async () => {
      for (let i = 0; i < players; i++) {
        const strategy = bots[i]!.create() as Strategy<CarcassonneState, CarcassonneAction>;
        let game: CarcassonneOnlineGame | undefined;
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
        game = new CarcassonneOnlineGame(client, { nick: account.nick, config, creator: i === 0, players });
        const seat = new OnlineSeat<CarcassonneState, CarcassonneAction>({
          game,
          strategy,
          context: (s, cfg) => ({
            seat: s,
            rng: streams.bot(s),
            budget,
            model: { engine: carcassonneEngine, config: cfg },
            log: log.child({ bot: strategy.name, seat: s }),
          }),
          ...(options.onDecision ? { hooks: { decision: options.onDecision } } : {}),
        });
        seats.push({ game, seat });
        if (i === 0) {
          const map = config.deck ? ` -map ${await ensureMap(client, config.deck)}` : '';
          await client.request(`CREATE GAME ${gameName} -maxPlayers ${players} -testgame -seed ${seed}${map}`);
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
      errors: seats.flatMap(({ game, seat }) => [...seat.errors, ...game.session.errors]),
      events: seats[0]!.game.session.events,
    };
  } catch (error) {
    for (const { seat } of seats) seat.fail(error as Error);
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
    for (const c of clients) c.close();
  }
}
