/**
 * The Ore Rush reference server: the engine plus the packet protocol, many games at once. Each connection is
 * a session; a session joins one game at a time. Rounds close when every connected player has moved or the
 * round deadline passes (missing players' robots wait). docs/protocols/orerush.md is the contract.
 */
import { ConfigError, type GameResult } from '../../core/engine.ts';
import { hashState } from '../../core/hash.ts';
import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import { createRng } from '../../core/rng.ts';
import { type Match, MatchHost, type MatchObserver } from '../../game/host.ts';
import {
  type OreRushAction,
  type OreRushConfig,
  type OreRushEvent,
  type OreRushState,
  orerushEngine,
} from '../../games/orerush/index.ts';
import type { Connection } from '../../net/connection.ts';
import { delimitedFramer, type FrameError } from '../../net/framing.ts';
import { TcpServer } from '../../net/server.ts';
import type { RunningServer } from '../registry.ts';
import {
  decodePacket,
  ErrorCode,
  ETX,
  encodePacket,
  errorPacket,
  MAX_NICK,
  MAX_PACKET,
  MAX_TEXT,
  type Packet,
  PacketError,
  STX,
  succs,
  timeo,
} from './packets.ts';
import { DEFAULT_SERVER_SETTINGS, type OreRushServerSettings } from './settings.ts';
import { encodeUpdateBody } from './update-codec.ts';
import { decodeMoves, decodeSettingsRequest } from './wire.ts';

/**
 * What a game's creator may set in `settn` rules, on top of the engine's own ranges: without these a client
 * could ask for a 200 x 200 board, 10 000 veins or 100 000 rounds and block the event loop every other game
 * shares. A server whose own default rule (`--set`) lies beyond a limit allows its clients up to that default.
 */
export const CLIENT_RULE_LIMITS: Readonly<Record<string, { readonly min?: number; readonly max?: number }>> = {
  width: { max: 60 },
  height: { max: 30 },
  robots: { max: 10 },
  rounds: { max: 1000 },
  veins: { max: 200 },
  veinSizeMin: { max: 50 },
  veinSizeMax: { max: 50 },
  moveRange: { max: 90 },
  digRange: { max: 10 },
  radarRange: { max: 15 },
  radarCooldown: { min: 1 },
  trapCooldown: { min: 2 },
  trapTrigger: { max: 5 },
  trapBlast: { max: 5 },
  trapChain: { max: 5 },
};

interface Session {
  readonly id: number;
  readonly conn: Connection;
  game: Game | null;
  name: string;
}

interface Game {
  readonly id: number;
  /** Open for `reqst -1` (quick match); games made with `reqst 0` are joined by id only. */
  readonly quick: boolean;
  /** Join order = seat. Before the start a leaver's seat is removed; after it, it stays (null). */
  seats: (Session | null)[];
  players: number;
  seed: string;
  rules: Record<string, unknown>;
  config: OreRushConfig;
  roundTimeoutMs: number;
  /** The running game on the match host (rounds, deadline, guarded steps); null until all seats are taken. */
  match: Match<OreRushState, OreRushAction, OreRushConfig, never, OreRushEvent> | null;
}

export interface FinishedGame {
  readonly id: number;
  readonly seed: string;
  readonly players: number;
  readonly finalState: OreRushState;
  readonly stateHash: string;
  readonly result: GameResult;
}

export interface OreRushRunningServer extends RunningServer {
  /** Games finished since the start, oldest first (the last 100): for tests and checks. */
  finished(): readonly FinishedGame[];
}

export interface StartOptions {
  host?: string;
  port: number;
  log?: Logger;
  settings?: Partial<OreRushServerSettings>;
  /** Follows every game as it is played (the live spectator page of `serve --web`). */
  observer?: MatchObserver;
  /** The rules; always `orerushEngine` except in tests that inject a failing engine. */
  engine?: typeof orerushEngine;
}

export async function startOreRushServer(options: StartOptions): Promise<OreRushRunningServer> {
  const settings: OreRushServerSettings = { ...DEFAULT_SERVER_SETTINGS, ...options.settings };
  const log = options.log ?? silentLogger;
  const engine = options.engine ?? orerushEngine;
  const counters: Record<string, number> = {
    sessions: 0,
    games_created: 0,
    games_finished: 0,
    games_abandoned: 0,
    games_aborted: 0,
    moves: 0,
    moves_late: 0,
    pings: 0,
    drops_silent: 0,
    chats: 0,
    packets_in: 0,
    packets_out: 0,
    answers_in: 0,
    errors_sent: 0,
  };
  const bump = (key: string, n = 1) => {
    counters[key] = (counters[key] ?? 0) + n;
  };
  const games = new Map<number, Game>();
  const host = new MatchHost({ log, observer: options.observer });
  const sessions = new Set<Session>();
  const finished: FinishedGame[] = [];
  const seedRng = createRng(`orerush-server/${Date.now()}/${process.pid}`);
  let nextGameId = 1;
  let nextSessionId = 1;

  const send = (session: Session, packet: Packet) => {
    if (session.conn.closed) return;
    bump('packets_out');
    if (packet.type === 'error') {
      bump('errors_sent');
      bump(`errors_sent_${packet.code}`);
    }
    session.conn.send(encodePacket(packet));
  };
  const fail = (session: Session, code: number, message: string) => send(session, errorPacket(code, message));

  const seatOf = (session: Session) => session.game?.seats.indexOf(session) ?? -1;
  const members = (game: Game) => game.seats.filter((s): s is Session => s !== null && !s.conn.closed);

  const gameInfo = (game: Game, seat: number): Packet => ({
    type: 'settn',
    settings: {
      game: game.id,
      player: seat,
      players: game.players,
      joined: game.seats.length,
      roundTimeoutMs: game.roundTimeoutMs,
      rules: game.config as unknown as Record<string, unknown>,
    },
  });

  const makeConfig = (rules: Record<string, unknown>) => engine.parseConfig({ ...settings.rules, ...rules });
  const serverRules = makeConfig({}) as unknown as Record<string, number>;
  /** Client limits, widened to the server's own defaults where those go further. */
  const limits = Object.entries(CLIENT_RULE_LIMITS).map(([field, { min, max }]) => ({
    field,
    min: min === undefined ? undefined : Math.min(min, serverRules[field]!),
    max: max === undefined ? undefined : Math.max(max, serverRules[field]!),
  }));
  const checkClientLimits = (config: OreRushConfig) => {
    const values = config as unknown as Record<string, number>;
    for (const { field, min, max } of limits) {
      const v = values[field]!;
      if (max !== undefined && v > max)
        throw new ConfigError(field, `a client may set at most ${max} on this server, got ${v}`);
      if (min !== undefined && v < min)
        throw new ConfigError(field, `a client may set no less than ${min} on this server, got ${v}`);
    }
  };

  const createGame = (quick: boolean): Game => {
    const game: Game = {
      id: nextGameId++,
      quick,
      seats: [],
      players: quick ? settings.quickPlayers : 2,
      seed: String(Math.floor(seedRng.next() * 0x1_0000_0000)),
      rules: {},
      config: makeConfig({}),
      roundTimeoutMs: settings.roundTimeoutMs,
      match: null,
    };
    games.set(game.id, game);
    bump('games_created');
    return game;
  };

  const removeGame = (game: Game) => {
    game.match?.discard();
    games.delete(game.id);
    for (const s of game.seats) if (s && s.game === game) s.game = null;
  };

  const sendUpdates = (game: Game) => {
    const state = game.match!.state!;
    const result = engine.result(state);
    game.seats.forEach((s, seat) => {
      if (!s || s.conn.closed || s.game !== game) return;
      // The hot packet: written straight to bytes (update-codec.ts), the same bytes as encodeUpdate would give.
      bump('packets_out');
      s.conn.send(encodeUpdateBody(engine.observe(state, seat), result));
    });
  };

  /**
   * A failure while starting a game, closing a round or checking a move (an engine bug, a configuration nobody
   * tried) ends that game only (the match host guards every path and logs it): its players get `close -1`
   * without a final update and are back in the lobby, their connections open.
   */
  const abortGame = (game: Game) => {
    bump('games_aborted');
    const now = Date.now();
    const players = members(game).filter((s) => s.game === game);
    removeGame(game);
    for (const s of players) send(s, { type: 'close', timestamp: now, player: -1 });
  };

  const finishGame = (game: Game, result: GameResult) => {
    const state = game.match!.state!;
    sendUpdates(game);
    const now = Date.now();
    for (const s of members(game)) if (s.game === game) send(s, { type: 'close', timestamp: now, player: -1 });
    finished.push({
      id: game.id,
      seed: game.seed,
      players: game.players,
      finalState: state,
      stateHash: hashState(state),
      result,
    });
    if (finished.length > 100) finished.shift();
    bump('games_finished');
    log.info({ game: game.id, scores: result.scores }, 'game finished');
    removeGame(game);
  };

  /** All seats are taken: the match host runs the rounds (updte, the deadline, the moves' step) from here. */
  const startGame = (game: Game) => {
    const match = host.open({
      id: game.id,
      seed: game.seed,
      engine,
      config: game.config,
      mode: 'rounds',
      roundTimeoutMs: game.roundTimeoutMs,
      wire: {
        roundOpened: () => sendUpdates(game),
        finished: (_m, result) => finishGame(game, result),
        aborted: () => abortGame(game),
      },
    });
    game.match = match;
    if (match.start(game.players)) log.info({ game: game.id, players: game.players }, 'game started');
  };

  const leave = (session: Session, announce: boolean) => {
    const game = session.game;
    if (!game) return;
    const seat = seatOf(session);
    session.game = null;
    const now = Date.now();
    if (!game.match) {
      // Before the start the seat is given up and later players move up one seat.
      game.seats.splice(seat, 1);
      if (seat === 0 || game.seats.length === 0) {
        for (const s of members(game)) send(s, { type: 'close', timestamp: now, player: -1 });
        bump('games_abandoned');
        removeGame(game);
        return;
      }
      game.seats.forEach((s, i) => {
        if (s && !s.conn.closed) send(s, gameInfo(game, i));
      });
      return;
    }
    game.seats[seat] = null;
    if (announce) for (const s of members(game)) send(s, { type: 'close', timestamp: now, player: seat });
    if (members(game).length === 0) {
      bump('games_abandoned');
      removeGame(game);
      return;
    }
    game.match.leave(seat);
  };

  const join = (session: Session, gameId: number) => {
    if (session.game) return fail(session, ErrorCode.state, `already in game ${session.game.id}; send close first`);
    let game: Game | undefined;
    if (gameId === 0 || gameId === -1) {
      if (gameId === -1) {
        for (const g of games.values()) {
          if (g.quick && !g.match && g.seats.length < g.players) {
            game = g;
            break;
          }
        }
      }
      if (!game) {
        if (games.size >= settings.maxGames) return fail(session, ErrorCode.join, 'server busy: too many games');
        game = createGame(gameId === -1);
      }
    } else {
      game = games.get(gameId);
      if (!game) return fail(session, ErrorCode.join, `no game ${gameId}`);
      if (game.match) return fail(session, ErrorCode.join, `game ${gameId} has already started`);
      if (game.seats.length >= game.players) return fail(session, ErrorCode.join, `game ${gameId} is full`);
    }
    game.seats.push(session);
    session.game = game;
    const seat = game.seats.length - 1;
    send(session, succs());
    send(session, gameInfo(game, seat));
    for (const [i, s] of game.seats.entries()) {
      if (!s || s === session) continue;
      // The seats changed: every member already there gets a fresh settn (§6.1), then the newcomer's name.
      if (!s.conn.closed) {
        send(s, gameInfo(game, i));
        send(s, { type: 'nickn', player: seat, name: session.name });
      }
      send(session, { type: 'nickn', player: i, name: s.name });
    }
    if (game.seats.length === game.players) startGame(game);
  };

  const configure = (session: Session, raw: Record<string, unknown>) => {
    const game = session.game;
    if (!game) return fail(session, ErrorCode.state, 'not in a game: send reqst first');
    if (game.seats[0] !== session)
      return fail(session, ErrorCode.denied, 'only the player who created the game sets it');
    if (game.match) return fail(session, ErrorCode.state, 'the game has already started');
    const request = decodeSettingsRequest(raw, engine.maxPlayers);
    if (request.players !== undefined && request.players < game.seats.length)
      return fail(session, ErrorCode.settings, `players: ${game.seats.length} players have already joined`);
    let config = game.config;
    if (request.rules) {
      try {
        config = makeConfig(request.rules);
        checkClientLimits(config);
      } catch (error) {
        if (error instanceof ConfigError) return fail(session, ErrorCode.settings, `rules.${error.message}`);
        throw error;
      }
      game.rules = request.rules;
    }
    game.config = config;
    if (request.players !== undefined) game.players = request.players;
    if (request.seed !== undefined) game.seed = request.seed;
    if (request.roundTimeoutMs !== undefined) game.roundTimeoutMs = request.roundTimeoutMs;
    send(session, succs());
    game.seats.forEach((s, i) => {
      if (s && !s.conn.closed) send(s, gameInfo(game, i));
    });
    if (game.seats.length === game.players) startGame(game);
  };

  const move = (session: Session, player: number, raw: Record<string, unknown>) => {
    const game = session.game;
    if (!game) return fail(session, ErrorCode.state, 'not in a game');
    const seat = seatOf(session);
    if (player !== seat) return fail(session, ErrorCode.denied, `you are player ${seat}, not ${player}`);
    const { round, action } = decodeMoves(raw);
    const match = game.match;
    const state = match?.state;
    if (!match || !state) return fail(session, ErrorCode.state, 'the game has not started');
    if (round < state.round) {
      bump('moves_late');
      return send(session, timeo());
    }
    if (round > state.round)
      return fail(session, ErrorCode.state, `round ${round} is not open (current: ${state.round})`);
    if (!match.isWaiting(seat)) return fail(session, ErrorCode.state, `already moved in round ${round}`);
    // The engine's check runs guarded like the round's step (a plain try: no closure per move on the hot path).
    // A throw there aborts this game, not the connection, and the move is still answered (§2): error 5, after
    // the `close -1` of the abort (§6.6).
    let reason: string | null;
    try {
      reason = engine.validate(state, seat, action);
    } catch (error) {
      match.abort(error);
      return fail(session, ErrorCode.state, 'the game was aborted by a server fault');
    }
    if (reason) return fail(session, ErrorCode.move, reason);
    bump('moves');
    send(session, succs());
    // The last move of a round closes it here, inside this request (guarded by the host).
    match.ready(seat, action);
  };

  const chat = (session: Session, to: number, message: string) => {
    const game = session.game;
    if (!game) return fail(session, ErrorCode.state, 'not in a game');
    if (message.length > MAX_TEXT) return fail(session, ErrorCode.fields, `message longer than ${MAX_TEXT} characters`);
    if (to !== -1 && (to < 0 || to >= game.seats.length || !game.seats[to]))
      return fail(session, ErrorCode.state, `no player ${to} in this game`);
    send(session, succs());
    bump('chats');
    const from = seatOf(session);
    game.seats.forEach((s, i) => {
      if (s && s !== session && (to === -1 || to === i)) send(s, { type: 'pchat', player: from, message });
    });
  };

  const rename = (session: Session, player: number, name: string) => {
    const game = session.game;
    const seat = seatOf(session);
    if (game && player !== seat) return fail(session, ErrorCode.denied, `you are player ${seat}, not ${player}`);
    if (!game && player !== -1) return fail(session, ErrorCode.denied, 'not in a game: use player -1');
    if (name.length === 0 || name.length > MAX_NICK)
      return fail(session, ErrorCode.fields, `a nickname has 1 to ${MAX_NICK} characters`);
    session.name = name;
    send(session, succs());
    if (game) for (const s of members(game)) if (s !== session) send(s, { type: 'nickn', player: seat, name });
  };

  const handle = (session: Session, packet: Packet) => {
    switch (packet.type) {
      case 'succs':
      case 'timeo':
      case 'error':
        // Answers to the server's own packets (awake, updte...): counted, never answered.
        bump('answers_in');
        return;
      case 'awake':
        return send(session, succs());
      case 'reqst':
        return join(session, packet.game);
      case 'settn':
        return configure(session, packet.settings);
      case 'pmove':
        return move(session, packet.player, packet.moves);
      case 'pchat':
        return chat(session, packet.player, packet.message);
      case 'nickn':
        return rename(session, packet.player, packet.name);
      case 'close': {
        const seat = seatOf(session);
        if (packet.player !== seat)
          return fail(session, ErrorCode.denied, `you are player ${seat}, not ${packet.player}`);
        send(session, succs());
        return leave(session, true);
      }
      case 'updte':
        return fail(session, ErrorCode.denied, 'only the server sends updte');
    }
  };

  const server = new TcpServer({
    host: options.host ?? '127.0.0.1',
    port: options.port,
    log,
    maxConnections: settings.maxConnections,
    connection: {
      framer: () => delimitedFramer({ start: STX, end: ETX, maxFrame: MAX_PACKET }),
      // Idle = nothing received (our own pings do not count), so this is the documented silent-client drop.
      idleTimeoutMs: settings.silentTimeoutMs,
    },
    accept(conn) {
      const session: Session = { id: nextSessionId++, conn, game: null, name: '' };
      session.name = `player${session.id}`;
      sessions.add(session);
      bump('sessions');
      return {
        onFrame(frame) {
          bump('packets_in');
          let packet: Packet;
          try {
            packet = decodePacket(frame);
          } catch (error) {
            if (error instanceof PacketError) return fail(session, error.code, error.message);
            throw error;
          }
          try {
            handle(session, packet);
          } catch (error) {
            if (error instanceof PacketError) return fail(session, error.code, error.message);
            throw error;
          }
        },
        onFrameError(error: FrameError) {
          bump('frame_errors');
          fail(session, ErrorCode.frame, `${error.kind}: ${error.message}`);
        },
        onClose(reason) {
          sessions.delete(session);
          if (reason === 'idle') {
            bump('drops_silent');
            log.info({ session: session.id }, `dropped a client silent for ${settings.silentTimeoutMs} ms`);
          }
          leave(session, true);
        },
      };
    },
  });

  const pinger = setInterval(() => {
    for (const s of sessions) {
      bump('pings');
      send(s, { type: 'awake' });
    }
  }, settings.pingIntervalMs);
  pinger.unref();

  const address = await server.listen();
  log.info({ ...address }, 'orerush server listening');
  return {
    host: address.host,
    port: address.port,
    stats: () => ({
      ...counters,
      connections: server.connections.size,
      games_started: host.stats.started,
      rounds: host.stats.steps,
      round_deadlines: host.stats.deadlinesMissed,
      games_running: [...games.values()].filter((g) => g.match).length,
      games_waiting: [...games.values()].filter((g) => !g.match).length,
    }),
    finished: () => finished.slice(),
    async close() {
      clearInterval(pinger);
      for (const g of [...games.values()]) removeGame(g);
      host.close();
      await server.close();
    },
  };
}
