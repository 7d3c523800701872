/** `botswarm play catan --connect`: every bot takes one seat (src/game/seat.ts) in one SE1 test game. */
import { type CatanAction, type CatanObservation, catanEngine, defaultConfig } from '../../games/catan/index.ts';
import type { ClientProtocol, OnlineOutcome } from '../registry.ts';
import { CatanOnlineGame } from './catan-seat-adapter.ts';
import { playSe1Online, type Se1OnlineOptions } from './online-play.ts';
import { DEFAULT_PORT } from './server.ts';

export type CatanOnlineOptions = Se1OnlineOptions<CatanObservation, CatanAction>;

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
export function playOnline(options: CatanOnlineOptions): Promise<OnlineOutcome> {
  const map = catanMapFor(options.settings);
  return playSe1Online<CatanObservation, CatanAction, CatanOnlineGame>(options, {
    engine: catanEngine,
    game: (client, seat) => new CatanOnlineGame(client, seat),
    createOptions: async () => ` -map ${map}`,
    errors: (seats) => seats.flatMap(({ game, seat }) => [...seat.errors, ...game.errors]),
    events: (first) => first.events,
  });
}

export const catanClientProtocol: ClientProtocol = {
  id: 'se1',
  game: 'catan',
  defaultPort: DEFAULT_PORT,
  playOnline,
};
