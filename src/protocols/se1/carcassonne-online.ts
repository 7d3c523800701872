/** `botswarm play carcassonne --connect`: every bot takes one seat (src/game/seat.ts) in one SE1 test game. */
import { type CarcassonneAction, type CarcassonneState, carcassonneEngine } from '../../games/carcassonne/index.ts';
import type { OnlineOutcome } from '../registry.ts';
import { ensureMap } from './carcassonne-client.ts';
import { playSe1Online, type Se1OnlineOptions } from './online-play.ts';
import { CarcassonneOnlineGame } from './seat-adapter.ts';

export type CarcassonneOnlineOptions = Se1OnlineOptions<CarcassonneState, CarcassonneAction>;

/** Every bot logs in as a test player; bot 0 creates the game and starts it once every seat is taken. */
export function playOnline(options: CarcassonneOnlineOptions): Promise<OnlineOutcome> {
  const config = carcassonneEngine.parseConfig(options.settings ?? {});
  return playSe1Online<CarcassonneState, CarcassonneAction, CarcassonneOnlineGame>(options, {
    engine: carcassonneEngine,
    game: (client, seat) => new CarcassonneOnlineGame(client, { ...seat, config }),
    createOptions: async (client) => (config.deck ? ` -map ${await ensureMap(client, config.deck)}` : ''),
    errors: (seats) => seats.flatMap(({ game, seat }) => [...seat.errors, ...game.session.errors]),
    events: (first) => first.session.events,
  });
}
