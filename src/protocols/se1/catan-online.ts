/** `botswarm play catan --connect`: every bot takes one seat (src/game/seat.ts) in one SE1 test game. */
import { createHash } from 'node:crypto';
import {
  type CatanAction,
  type CatanBoard,
  type CatanObservation,
  catanEngine,
  formatMapFile,
} from '../../games/catan/index.ts';
import type { ClientProtocol, OnlineOutcome } from '../registry.ts';
import { CatanOnlineGame } from './catan-seat-adapter.ts';
import type { Se1Client } from './client.ts';
import { playSe1Online, type Se1OnlineOptions } from './online-play.ts';
import { DEFAULT_PORT } from './server.ts';

export type CatanOnlineOptions = Se1OnlineOptions<CatanObservation, CatanAction>;

/**
 * What `--set` asks of an SE1 Catan game: the map travels (`-map random|beginner`, or `board=` uploaded as a map);
 * the other settings (`rules=cities-and-knights`, `vpToWin`...) are the server's (`serve se1 --game catan --set
 * rules="rules=cities-and-knights"`), so they are checked against the config the game announces, and a game
 * that plays otherwise fails with a clear message rather than being played silently by other rules.
 */
export function catanOnlineSettings(settings: Record<string, unknown> = {}): {
  map: string;
  expect: Partial<Record<'rules' | 'vpToWin' | 'maxTurns' | 'maxOffersPerTurn', unknown>>;
  /** `board=`: uploaded (UPLOAD MAP) and played with CREATE GAME -map. */
  board?: CatanBoard;
} {
  const config = catanEngine.parseConfig(settings);
  const expect: Record<string, unknown> = {};
  for (const key of ['rules', 'vpToWin', 'maxTurns', 'maxOffersPerTurn'] as const)
    if (settings[key] !== undefined) expect[key] = config[key];
  return { map: config.map, expect, ...(config.board ? { board: config.board } : {}) };
}

/**
 * Puts a board on the server as a map named after its content (`catan-<12 hex of the SHA-256 of the line>`),
 * unless it is there already; returns the name for CREATE GAME -map.
 */
export async function ensureCatanMap(client: Se1Client, board: CatanBoard): Promise<string> {
  const content = formatMapFile(board, 'botswarm', '1', '|');
  const name = `catan-${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
  const there = await client.downloadMap(name).catch(() => undefined);
  if (there === undefined) await client.uploadMap(name, content);
  else if (there !== content) throw new Error(`the server's map ${name} is not this board`);
  return name;
}

/** Every bot logs in as a test player; bot 0 creates the game and starts it once every seat is taken. */
export function playOnline(options: CatanOnlineOptions): Promise<OnlineOutcome> {
  const { map, expect, board } = catanOnlineSettings(options.settings);
  return playSe1Online<CatanObservation, CatanAction, CatanOnlineGame>(options, {
    engine: catanEngine,
    game: (client, seat) => new CatanOnlineGame(client, { ...seat, expect }),
    createOptions: async (client) => ` -map ${board ? await ensureCatanMap(client, board) : map}`,
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
