/**
 * `botswarm play galax --connect`: every bot takes one seat (src/game/seat.ts) in one new game on a live server.
 */
import type { GameResult } from '../../core/engine.ts';
import { silentLogger } from '../../core/log.ts';
import { matchStreams } from '../../core/match.ts';
import type { Strategy } from '../../core/strategy.ts';
import { matchContext, OnlineSeat } from '../../game/seat.ts';
import {
  type GalaxAction,
  type GalaxConfig,
  type GalaxEvent,
  type GalaxObservation,
  type GalaxState,
  galaxEngine,
  type PlanetView,
} from '../../games/galax/index.ts';
import type { OnlineOutcome, OnlinePlayOptions } from '../registry.ts';
import { GalaxClient, type GalaxClientOptions, GalaxSessionError } from './client.ts';
import { GalaxOnlineGame } from './seat-adapter.ts';

export interface GalaxOnlineOptions extends OnlinePlayOptions {
  /**
   * The game config the strategies see as `model.config` (maxYear, surprise, visibility...). The wire carries
   * only the field size and planet count (GFLD, which override these); give the server's settings here so that
   * bots that read the config decide as they would offline.
   */
  config?: Partial<GalaxConfig>;
  /** Per-request timeout of each session. */
  requestTimeoutMs?: number;
  /** Timing hook shared by every seat. */
  onTiming?: GalaxClientOptions['onTiming'];
  /** Every decision of every seat (the seat's `decision` hook): per-decision equivalence tests. */
  onDecision?: (seat: number, observation: GalaxObservation, action: GalaxAction) => void;
}

export interface GalaxOnlineOutcome extends OnlineOutcome {
  readonly gameId: number;
  /** The final planet list as seat 0 saw it. */
  readonly planets: readonly PlanetView[];
  readonly events: readonly GalaxEvent[];
}

interface Player {
  readonly index: number;
  readonly client: GalaxClient;
  readonly game: GalaxOnlineGame;
  readonly seat: OnlineSeat<GalaxObservation, GalaxAction>;
  readonly strategy: Strategy<GalaxObservation, GalaxAction>;
}

/**
 * Seats `options.bots` in one new game on a live server and plays it to the end: seat 0 creates the game, the
 * others join in seat order, seat 0 starts it. Each seat's rng is `matchStreams(seed).bot(seat)` and its model
 * `{ engine: galaxEngine, config }`, as in `runMatch`, so a seeded game is the same offline and online.
 */
export async function playGalaxOnline(options: GalaxOnlineOptions): Promise<GalaxOnlineOutcome> {
  const log = options.log ?? silentLogger;
  const n = options.bots.length;
  if (n < galaxEngine.minPlayers || n > galaxEngine.maxPlayers) {
    throw new RangeError(`galax takes ${galaxEngine.minPlayers} to ${galaxEngine.maxPlayers} players, got ${n}`);
  }
  const players: Player[] = [];
  const clients: GalaxClient[] = [];
  let abort: ((error: Error) => void) | null = null;
  const aborted = new Promise<never>((_, reject) => {
    abort = reject;
  });
  aborted.catch(() => {});
  const overall = setTimeout(
    () => abort?.(new GalaxSessionError(`the online game did not end within ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  const streams = matchStreams(options.seed);
  let gameId = 0;
  try {
    for (let i = 0; i < n; i++) {
      const bot = options.bots[i]!;
      let game: GalaxOnlineGame | undefined;
      const client = await Promise.race([
        GalaxClient.connect({
          host: options.host,
          port: options.port,
          name: `${bot.label} (seat ${i})`,
          requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
          onMessage: (m) => game?.onMessage(m),
          onUnsolicitedError: (code, message) => game?.onUnsolicitedError(code, message),
          ...(options.onTiming ? { onTiming: options.onTiming } : {}),
          log,
        }),
        aborted,
      ]);
      clients.push(client);
      const g = new GalaxOnlineGame(client, options.config, `seat ${i}: `);
      game = g;
      client.whenClosed().then((error) => g.onClosed(error));
      const strategy = bot.create() as Strategy<GalaxObservation, GalaxAction>;
      const seat = new OnlineSeat<GalaxObservation, GalaxAction>({
        game,
        strategy,
        context: matchContext(galaxEngine, streams, options.budget, log, strategy.name),
        ...(options.onDecision ? { hooks: { decision: options.onDecision } } : {}),
      });
      players.push({ index: i, client, game, seat, strategy });
      const joined = await Promise.race([client.join(gameId), aborted]);
      if (i === 0) gameId = joined;
    }
    const field = await Promise.race([players[0]!.client.start(), aborted]);
    if (field.players !== n) {
      throw new GalaxSessionError(
        `game ${gameId} started with ${field.players} players, not ${n}: someone else joined it`,
      );
    }
    await Promise.race([Promise.all(players.map((p) => p.seat.done)), aborted]);
  } catch (error) {
    for (const p of players) p.seat.fail(error as Error);
    throw error;
  } finally {
    clearTimeout(overall);
    for (const c of clients) c.close();
  }
  const result = combinedResult(players.map((p) => p.game));
  for (const p of players) {
    const ctx = p.seat.context;
    if (ctx) p.strategy.onGameEnd?.(result, ctx);
  }
  const first = players[0]!.game.adapter;
  return {
    gameId,
    result,
    decisions: players.map((p) => p.seat.decisions),
    errors: players.flatMap((p) => p.seat.errors.map((e) => `seat ${p.index}: ${e}`)),
    events: first.history,
    planets: first.planets,
  };
}

/**
 * The game result from every seat's final view: each planet's garrison as its owner saw it (known even under fog),
 * every seat's own fleets in flight, eliminations from KILL; then the engine's own `result`, so scores and ranks
 * follow the same rule as offline.
 */
function combinedResult(games: readonly GalaxOnlineGame[]): GameResult {
  const first = games[0]!.adapter;
  const players = first.players;
  const planets = first.planets.map((p) => {
    if (p.ships >= 0 || p.owner === 0) return p;
    const owner = games.find((g) => g.adapter.player === p.owner);
    return owner?.adapter.planets[p.id] ?? { ...p, ships: 0 };
  });
  let id = 0;
  const fleets = games.flatMap((g) => g.adapter.fleets.map((f) => ({ id: id++, owner: g.adapter.player, ...f })));
  const alive = Array.from({ length: players }, (_, i) => !first.killed.has(i + 1));
  const state: GalaxState = {
    config: galaxEngine.defaultConfig(),
    players,
    year: first.year,
    planets,
    fleets,
    alive,
    reports: [],
    winner: first.winner ?? 0,
  };
  return galaxEngine.result(state)!;
}
