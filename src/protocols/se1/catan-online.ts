/** `botswarm play catan --connect`: every bot takes one seat (src/game/seat.ts) in one SE1 test game. */
import { type CatanAction, type CatanObservation, catanEngine } from '../../games/catan/index.ts';
import type { ClientProtocol, OnlineOutcome } from '../registry.ts';
import { CatanOnlineGame } from './catan-seat-adapter.ts';
import { playSe1Online, type Se1OnlineOptions } from './online-play.ts';
import { DEFAULT_PORT } from './server.ts';

export type CatanOnlineOptions = Se1OnlineOptions<CatanObservation, CatanAction>;

/**
 * What `--set` asks of an SE1 Catan game: the map travels (`-map random|beginner` or an uploaded map's name);
 * the other settings (`rules=cities-and-knights`, `vpToWin`...) are the server's (`serve se1 --game catan --set
 * rules="rules=cities-and-knights"`), so they are checked against the config the game announces, and a game
 * that plays otherwise fails with a clear message rather than being played silently by other rules.
 */
export function catanOnlineSettings(settings: Record<string, unknown> = {}): {
  map: string;
  expect: Partial<Record<'rules' | 'vpToWin' | 'maxTurns' | 'maxOffersPerTurn', unknown>>;
} {
  const config = catanEngine.parseConfig(settings);
  const expect: Record<string, unknown> = {};
  for (const key of ['rules', 'vpToWin', 'maxTurns', 'maxOffersPerTurn'] as const)
    if (settings[key] !== undefined) expect[key] = config[key];
  if (config.board !== undefined)
    throw new Error('catan over SE1: a custom board travels as an uploaded map (UPLOAD MAP, then CREATE GAME -map)');
  return { map: config.map, expect };
}

/** The SE1 map that plays `settings` (see `catanOnlineSettings`). */
export const catanMapFor = (settings: Record<string, unknown> = {}): string => catanOnlineSettings(settings).map;

/** Every bot logs in as a test player; bot 0 creates the game and starts it once every seat is taken. */
export function playOnline(options: CatanOnlineOptions): Promise<OnlineOutcome> {
  const { map, expect } = catanOnlineSettings(options.settings);
  return playSe1Online<CatanObservation, CatanAction, CatanOnlineGame>(options, {
    engine: catanEngine,
    game: (client, seat) => new CatanOnlineGame(client, { ...seat, expect }),
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
