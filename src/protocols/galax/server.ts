/**
 * The Galax 0.22 reference server: the Galax engine plus the wire protocol (docs/protocols/galax.md). Every rule
 * (set-up, move validation, travel time, battles, eliminations, the end of the game, fog) is the engine's; this
 * file only keeps sessions, the lobby and the move-phase clock, and turns engine events into lines.
 */
import { ConfigError, type GameResult } from '../../core/engine.ts';
import { type Logger, silentLogger } from '../../core/log.ts';
import { deriveSeed } from '../../core/rng.ts';
import { type HostedMatch, type Match, MatchHost, type MatchObserver } from '../../game/host.ts';
import {
  type GalaxAction,
  type GalaxConfig,
  type GalaxEvent,
  type GalaxState,
  galaxEngine,
  type Move,
  travelTime,
  validateMove,
  visibleEvents,
} from '../../games/galax/index.ts';
import type { Connection } from '../../net/connection.ts';
import { lineFramer } from '../../net/framing.ts';
import { TcpServer } from '../../net/server.ts';
import {
  cleanText,
  type ErrorCode,
  formatYear,
  GALAX_MAX_LINE,
  GALAX_VERSION,
  isParseError,
  parseClientLine,
} from './codec.ts';
import { serverLimits } from './settings.ts';

export interface GalaxServerOptions {
  host?: string;
  /** 0 = an ephemeral port. */
  port: number;
  log?: Logger;
  /** Engine config of every game (map, maxYear, moveTimeoutMs, visibility...). */
  config?: GalaxConfig;
  /** Game k (ids from 1) is set up with seed `deriveSeed(seed, k)` unless `gameSeed` is given. */
  seed?: string | number;
  /** When set, every game uses exactly this seed (reproduce one game with `botswarm play --seed`). */
  gameSeed?: string | number;
  /** Games open or running at once; a JOIN 0 beyond it gets ERRJ. */
  maxGames?: number;
  /** Players per game, 2..8 (a JOIN to a game that has this many gets ERRJ). */
  maxPlayers?: number;
  /** Connections at once; further ones are closed on accept. 0 = unlimited. */
  maxConnections?: number;
  /**
   * A connection from which nothing has been received for this long is closed (what the server sends does not
   * count: a player that never answers is dropped even in a running game). 0 = never.
   */
  idleTimeoutMs?: number;
  /** Server name in GSRV. */
  name?: string;
  /** Follows every game as it is played (the live spectator page of `serve --web`). */
  observer?: MatchObserver;
  /** The rules; always `galaxEngine` except in tests that inject a failing engine. */
  engine?: typeof galaxEngine;
}

export interface GalaxServerStats {
  connections: number;
  connectionsTotal: number;
  connectionsRefused: number;
  gamesCreated: number;
  gamesStarted: number;
  gamesFinished: number;
  gamesAborted: number;
  gamesOpen: number;
  gamesRunning: number;
  years: number;
  movesAccepted: number;
  linesIn: number;
  errorsERRP: number;
  errorsERRC: number;
  errorsERRM: number;
  errorsERRJ: number;
}

/** What the players of a game the server had to abort are told (then the lobby follows), see the protocol doc. */
export const ABORT_CODE: ErrorCode = 'ERRJ';

type SessionState = 'greeting' | 'lobby' | 'joined' | 'playing';

class Session {
  state: SessionState = 'greeting';
  name = '';
  game: Game | null = null;
  /** Seat in `game` (player id - 1). */
  seat = -1;
  constructor(readonly conn: Connection) {}
}

type GalaxMatch = Match<GalaxState, GalaxAction, GalaxConfig, never, GalaxEvent>;

class Game {
  readonly members: Session[] = [];
  /** The running game on the match host; null in the lobby phase (before PLAY). */
  match: GalaxMatch | null = null;
  /** Per seat, null once that player has disconnected (its phases are implied DONE). */
  sessions: (Session | null)[] = [];
  /** Whether the first move phase (after GFLD) has been sent. */
  opened = false;
  constructor(
    readonly id: number,
    readonly seed: string | number,
  ) {}

  get running(): boolean {
    return this.match?.running === true;
  }

  get state(): GalaxState | null {
    return this.match?.state ?? null;
  }
}

const CRLF = '\r\n';

/** A running reference server. */
export class GalaxServer {
  readonly #tcp: TcpServer;
  readonly #log: Logger;
  readonly #engine: typeof galaxEngine;
  readonly #config: GalaxConfig;
  readonly #seed: string | number;
  readonly #gameSeed: string | number | undefined;
  readonly #maxGames: number;
  readonly #maxPlayers: number;
  readonly #name: string;
  readonly #games = new Map<number, Game>();
  readonly #host: MatchHost;
  #nextGameId = 1;
  readonly #stats: GalaxServerStats = {
    connections: 0,
    connectionsTotal: 0,
    connectionsRefused: 0,
    gamesCreated: 0,
    gamesStarted: 0,
    gamesFinished: 0,
    gamesAborted: 0,
    gamesOpen: 0,
    gamesRunning: 0,
    years: 0,
    movesAccepted: 0,
    linesIn: 0,
    errorsERRP: 0,
    errorsERRC: 0,
    errorsERRM: 0,
    errorsERRJ: 0,
  };

  constructor(options: GalaxServerOptions) {
    this.#log = options.log ?? silentLogger;
    this.#host = new MatchHost({ log: this.#log, observer: options.observer });
    this.#engine = options.engine ?? galaxEngine;
    this.#config = options.config ?? this.#engine.defaultConfig();
    this.#seed = options.seed ?? 1;
    this.#gameSeed = options.gameSeed;
    // Options from code pass the same range checks as `--set` text (an idle timeout of 2^31 ms would fire at once).
    const limits = serverLimits(options);
    this.#maxGames = limits.maxGames;
    this.#maxPlayers = limits.maxPlayers;
    this.#name = options.name ?? 'botswarm';
    if (this.#config.planets < this.#maxPlayers) {
      throw new ConfigError(
        'planets',
        `${this.#config.planets} planets cannot host ${this.#maxPlayers} players (raise planets or lower maxPlayers)`,
      );
    }
    this.#tcp = new TcpServer({
      host: options.host ?? '127.0.0.1',
      port: options.port,
      log: this.#log,
      maxConnections: limits.maxConnections,
      connection: {
        framer: () => lineFramer({ maxLine: GALAX_MAX_LINE, eol: '\r\n' }),
        idleTimeoutMs: limits.idleTimeoutMs,
      },
      accept: (conn) => this.#accept(conn),
    });
  }

  async listen(): Promise<{ host: string; port: number }> {
    return this.#tcp.listen();
  }

  get port(): number {
    return this.#tcp.port;
  }

  stats(): GalaxServerStats {
    this.#stats.connections = this.#tcp.connections.size;
    this.#stats.connectionsTotal = this.#tcp.accepted;
    this.#stats.connectionsRefused = this.#tcp.refused;
    let open = 0;
    let running = 0;
    for (const g of this.#games.values()) g.running ? running++ : open++;
    this.#stats.gamesOpen = open;
    this.#stats.gamesRunning = running;
    this.#stats.gamesStarted = this.#host.stats.started;
    this.#stats.gamesFinished = this.#host.stats.finished;
    this.#stats.years = this.#host.stats.steps;
    return { ...this.#stats };
  }

  async close(): Promise<void> {
    this.#host.close();
    this.#games.clear();
    await this.#tcp.close();
  }

  #accept(conn: Connection) {
    const session = new Session(conn);
    conn.send(`GSRV ${GALAX_VERSION} ${this.#name}`);
    return {
      onFrame: (frame: Buffer) => {
        this.#stats.linesIn++;
        this.#onLine(session, frame.toString('latin1'));
      },
      onFrameError: (error: Error) => this.#error(session, 'ERRC', `${error.message}; line ignored`),
      onClose: () => this.#leave(session),
    };
  }

  #error(session: Session, code: ErrorCode, message: string): void {
    this.#stats[`errors${code}`]++;
    session.conn.send(`${code} ${cleanText(message)}`);
  }

  #onLine(session: Session, line: string): void {
    const msg = parseClientLine(line);
    if (isParseError(msg)) {
      this.#error(session, 'ERRC', msg.message);
      return;
    }
    switch (msg.cmd) {
      case 'GCLT':
        if (session.state !== 'greeting') {
          this.#error(session, 'ERRC', 'GCLT is only valid once, right after GSRV');
          return;
        }
        // Any client version is accepted: the server speaks 0.22, and says so in GSRV.
        session.name = cleanText(msg.name, 64);
        session.state = 'lobby';
        session.conn.send(`CLOK${CRLF}${this.#lobbyLines()}`);
        return;
      case 'JOIN':
        this.#join(session, msg.game);
        return;
      case 'PLAY':
        this.#play(session);
        return;
      case 'MOVE':
      case 'DONE': {
        if (session.state !== 'playing') {
          this.#error(session, 'ERRC', `${msg.cmd} is only valid in a running game (state: ${this.#where(session)})`);
          return;
        }
        if (msg.cmd === 'MOVE') this.#move(session, msg);
        else this.#done(session);
        return;
      }
    }
  }

  #where(session: Session): string {
    switch (session.state) {
      case 'greeting':
        return 'waiting for GCLT';
      case 'lobby':
        return 'in the lobby, send JOIN';
      case 'joined':
        return `in game ${session.game?.id}, waiting for PLAY`;
      default:
        return `playing game ${session.game?.id}`;
    }
  }

  #lobbyLines(): string {
    let out = '';
    for (const g of this.#games.values()) {
      if (!g.running && g.members.length < this.#maxPlayers) out += `GAME ${g.id} ${g.members.length}${CRLF}`;
    }
    return `${out}SLCT`;
  }

  #join(session: Session, id: number): void {
    if (session.state === 'greeting') {
      this.#error(session, 'ERRC', 'send GCLT <version> <name> first');
      return;
    }
    if (session.state !== 'lobby') {
      this.#error(session, 'ERRJ', `already in game ${session.game?.id}`);
      return;
    }
    let game: Game | undefined;
    if (id === 0) {
      if (this.#games.size >= this.#maxGames) {
        this.#error(session, 'ERRJ', `server busy: ${this.#games.size} games open or running (maxGames)`);
        return;
      }
      const gameId = this.#nextGameId++;
      const seed = this.#gameSeed ?? deriveSeed(this.#seed, gameId);
      game = new Game(gameId, seed);
      this.#games.set(gameId, game);
      this.#stats.gamesCreated++;
      this.#log.debug({ game: gameId, seed }, 'game created');
    } else {
      game = this.#games.get(id);
      if (!game) {
        this.#error(session, 'ERRJ', `no game ${id}`);
        return;
      }
      if (game.running) {
        this.#error(session, 'ERRJ', `game ${id} has already started`);
        return;
      }
      if (game.members.length >= this.#maxPlayers) {
        this.#error(session, 'ERRJ', `game ${id} is full (${this.#maxPlayers} players)`);
        return;
      }
    }
    game.members.push(session);
    session.game = game;
    session.state = 'joined';
    session.conn.send(`JNOK ${game.id}`);
    this.#sendPlayerList(game);
  }

  #sendPlayerList(game: Game): void {
    let list = '';
    game.members.forEach((m, i) => {
      list += `${i === 0 ? '' : CRLF}GPLR ${i + 1} ${m.name || `player${i + 1}`}`;
    });
    for (const m of game.members) m.conn.send(list);
  }

  #play(session: Session): void {
    const game = session.game;
    if (session.state === 'greeting' || session.state === 'lobby' || !game) {
      this.#error(session, 'ERRC', `PLAY is only valid after joining a game (state: ${this.#where(session)})`);
      return;
    }
    if (game.running) {
      this.#error(session, 'ERRP', `game ${game.id} has already started`);
      return;
    }
    const index = game.members.indexOf(session);
    if (index !== 0) {
      this.#error(session, 'ERRP', `only player 1 may start the game; you are player ${index + 1}`);
      return;
    }
    if (game.members.length < this.#engine.minPlayers) {
      this.#error(session, 'ERRP', `a game needs at least ${this.#engine.minPlayers} players, game ${game.id} has 1`);
      return;
    }
    this.#start(game);
  }

  /**
   * Starts the game on the match host, which runs its move phases: their clock, the players who do not answer,
   * and every engine step, guarded. A throw there ends that game only (`#aborted`); the server goes on.
   */
  #start(game: Game): void {
    const players = game.members.length;
    game.sessions = game.members.slice();
    game.members.forEach((m, seat) => {
      m.state = 'playing';
      m.seat = seat;
    });
    game.match = this.#host.open({
      id: game.id,
      seed: game.seed,
      engine: this.#engine,
      config: this.#config,
      mode: 'rounds',
      roundTimeoutMs: this.#config.moveTimeoutMs,
      wire: {
        roundOpened: (_m, events) => this.#openPhase(game, events),
        finished: (_m, result, events) => this.#finished(game, result, events),
        aborted: (m) => this.#aborted(game, m),
      },
    });
    if (game.match.start(players)) this.#log.info({ game: game.id, seed: game.seed, players }, 'game started');
  }

  /**
   * Ends a game the server cannot go on with: its connected players get `ERRJ game <id> aborted: ...` (not a
   * reply to any request of theirs) and the lobby list, and are in the lobby again; their connections stay open.
   */
  #aborted(game: Game, match: HostedMatch<GalaxState>): void {
    this.#games.delete(game.id);
    this.#stats.gamesAborted++;
    // The host has logged the fault with the game's id and seed.
    const year = match.state ? formatYear(match.state.year) : null;
    const reason = `game ${game.id} aborted: internal server error${year === null ? ' at its start' : ` in year ${year}`}`;
    const lobby = this.#lobbyLines();
    for (const s of game.members) {
      if (s.game !== game) continue;
      s.game = null;
      s.seat = -1;
      s.state = 'lobby';
      this.#stats[`errors${ABORT_CODE}`]++;
      s.conn.send(`${ABORT_CODE} ${reason}${CRLF}${lobby}`);
    }
  }

  /**
   * Sends every connected player the lines of the phase that just ended (GFLD before the first one), then the
   * planet list and YEAR. The host keeps the move-phase clock.
   */
  #openPhase(game: Game, events: readonly GalaxEvent[]): void {
    const state = game.state!;
    const players = state.players;
    let prefix: (seat: number) => string;
    if (!game.opened) {
      game.opened = true;
      const { width, height } = this.#config;
      const planets = state.planets.length;
      prefix = (seat) => `GFLD ${width} ${height} ${planets} ${players} ${seat + 1}${CRLF}`;
    } else prefix = this.#battlePrefix(events);
    const shared = this.#config.visibility === 'full' ? this.#planetLines(state, 0) : null;
    const year = `YEAR ${formatYear(state.year)}`;
    for (let seat = 0; seat < players; seat++) {
      const s = game.sessions[seat];
      if (!s) continue;
      s.conn.send(`${prefix(seat)}${shared ?? this.#planetLines(state, seat)}${year}`);
    }
  }

  /** Each seat's battle lines of a phase's events (all of them with full visibility). */
  #battlePrefix(events: readonly GalaxEvent[]): (seat: number) => string {
    const visibility = this.#config.visibility;
    const shared = visibility === 'full' ? battleLines(events) : null;
    return (seat) => shared ?? battleLines(visibleEvents(events as GalaxEvent[], seat, visibility));
  }

  #planetLines(state: GalaxState, seat: number): string {
    let out = '';
    for (const p of this.#engine.observe(state, seat).planets) {
      out += `PLNT ${p.id} ${p.x} ${p.y} ${p.owner} ${p.ships} ${p.production}${CRLF}`;
    }
    return out;
  }

  #move(session: Session, m: { from: number; to: number; ships: number }): void {
    const match = session.game!.match!;
    // A request path calls the rules too: a throw here aborts the game like one at a phase end. A plain try (no
    // closure per MOVE) keeps the hot path as cheap as before.
    try {
      this.#checkMove(session, match, m);
    } catch (error) {
      match.abort(error);
    }
  }

  #checkMove(session: Session, match: GalaxMatch, m: { from: number; to: number; ships: number }): void {
    const seat = session.seat;
    const state = match.state!;
    if (!match.isWaiting(seat)) {
      const why = state.alive[seat] ? `already sent DONE for year ${formatYear(state.year)}` : 'you are eliminated';
      this.#error(session, 'ERRP', `MOVE refused: ${why}`);
      return;
    }
    let accepted = match.actionOf(seat) as Move[] | undefined;
    const move: Move = { from: m.from, to: m.to, ships: m.ships };
    const reason = validateMove(state, seat + 1, accepted ?? [], move);
    if (reason !== null) {
      const code = reason.startsWith('ERRP') ? 'ERRP' : reason.startsWith('ERRC') ? 'ERRC' : 'ERRM';
      this.#error(session, code, reason.replace(/^ERR[PCMJ]: ?/, ''));
      return;
    }
    const arrival = state.year + travelTime(state.planets[m.from]!, state.planets[m.to]!);
    if (!accepted) {
      accepted = [];
      match.hold(seat, accepted);
    }
    accepted.push(move);
    this.#stats.movesAccepted++;
    session.conn.send(`MVOK ${m.from} ${m.to} ${m.ships} ${formatYear(arrival)}`);
  }

  #done(session: Session): void {
    const match = session.game!.match!;
    const seat = session.seat;
    if (!match.isWaiting(seat)) {
      const state = match.state!;
      const why = state.alive[seat] ? `already sent DONE for year ${formatYear(state.year)}` : 'you are eliminated';
      this.#error(session, 'ERRP', `DONE refused: ${why}`);
      return;
    }
    // The last DONE of a phase ends it at once (the host runs the step, guarded).
    match.ready(seat);
  }

  /**
   * Game over: battle lines, the final planet list, WINN, then the lobby again. Every line that needs the engine
   * is built before the game is let go, so a failure there still aborts it instead of stranding it.
   */
  #finished(game: Game, _result: GameResult, events: readonly GalaxEvent[]): void {
    const state = game.state!;
    const prefix = this.#battlePrefix(events);
    const planets = this.#config.visibility === 'full' ? this.#planetLines(state, 0) : null;
    const final = game.sessions.map((s, seat) =>
      s ? `${prefix(seat)}${planets ?? this.#planetLines(state, seat)}WINN ${state.winner}${CRLF}` : '',
    );
    this.#games.delete(game.id);
    // Seats are 0-based in every botswarm log (Galax player id k on the wire is seat k - 1); a draw is null.
    const winnerSeat = state.winner ? state.winner - 1 : null;
    this.#log.info({ game: game.id, winnerSeat, year: state.year }, 'game finished');
    const lobby = this.#lobbyLines();
    game.sessions.forEach((s, seat) => {
      if (!s) return;
      s.game = null;
      s.seat = -1;
      s.state = 'lobby';
      s.conn.send(`${final[seat]}${lobby}`);
    });
  }

  #leave(session: Session): void {
    const game = session.game;
    if (!game) return;
    session.game = null;
    if (!game.running) {
      const i = game.members.indexOf(session);
      if (i >= 0) game.members.splice(i, 1);
      if (game.members.length === 0) {
        this.#games.delete(game.id);
        this.#stats.gamesAborted++;
      } else this.#sendPlayerList(game);
      return;
    }
    game.sessions[session.seat] = null;
    if (game.sessions.every((s) => s === null)) {
      game.match?.discard();
      this.#games.delete(game.id);
      this.#stats.gamesAborted++;
      this.#log.info({ game: game.id }, 'game aborted: every player left');
      return;
    }
    game.match?.leave(session.seat);
  }
}

/** The wire lines of a battle phase's events, without WINN (which follows the final planet list). */
function battleLines(events: readonly GalaxEvent[]): string {
  let out = '';
  for (const e of events) {
    switch (e.kind) {
      case 'battle':
        out += `BATT ${e.planet} ${formatYear(e.time)} ${e.attacker} ${e.attShips} ${e.defender} ${e.defShips}${CRLF}`;
        for (const v of e.volleys) {
          out += `ATTK ${v.who} ${v.surprise ? 1 : 0} ${v.killed} ${v.attShips} ${v.defShips}${CRLF}`;
        }
        out += `BWIN ${e.planet} ${e.winner} ${e.ships}${CRLF}`;
        break;
      case 'fort':
        out += `FORT ${e.planet} ${e.player} ${e.ships} ${formatYear(e.time)}${CRLF}`;
        break;
      case 'kill':
        out += `KILL ${e.player}${CRLF}`;
        break;
      case 'winner':
        break;
    }
  }
  return out;
}

/** Starts a server and waits until it listens. */
export async function startGalaxServer(options: GalaxServerOptions): Promise<GalaxServer> {
  const server = new GalaxServer(options);
  await server.listen();
  return server;
}
