/**
 * The SE1 reference server: the plain-text lobby (accounts, games, chat) and, after JOIN GAME, the JSON event
 * protocol, for any game that implements `Se1Game`. Byte-level description: docs/protocols/se1.md.
 */
import { isUtf8 } from 'node:buffer';
import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import { createRng, deriveSeed, type Rng } from '../../core/rng.ts';
import { MatchHost, type MatchObserver } from '../../game/host.ts';
import type { Connection } from '../../net/connection.ts';
import { lineFramer } from '../../net/framing.ts';
import { TcpServer } from '../../net/server.ts';
import { CommandError, decodeCommand, encodeEvent, prop } from './json.ts';
import type { GameRoom, MapInfo, RoomContext, RoomMember, Se1Game, Se1User } from './room.ts';
import { checkSe1Numbers, DEFAULT_SETTINGS, type Se1ServerSettings } from './settings.ts';
import { samePassword, UserStore } from './store.ts';

export const DEFAULT_PORT = 5000;
export const MAX_LINE = 8192;

export const HELP_LINES = [
  'Available commands after greeting: LOGIN, LOGOUT',
  'User commands: ID, LIST USERS',
  'Game management: LIST MAPS, CREATE GAME, LIST GAMES, JOIN GAME, UPLOAD MAP, DOWNLOAD MAP',
  'Team management: LIST TEAMS',
  'Other commands: CREATE TESTPLAYER, MSG, CHANGELOG, UPLOAD MAP, NOOP, HELP',
  "send 'HELP <command>' for details",
  "a successfull command will be acknowledged with an 'OK' line",
  "an unsuccessfull command will be acknowledged with an 'ERROR' line",
];

/** `HELP <command>`: description and usage, one entry per command. */
export const COMMAND_HELP: Record<string, readonly [string, string]> = {
  LOGIN: ['Logs in with a nick or e-mail address and a password', 'LOGIN (<login>|<email>) <password>'],
  LOGOUT: ['Logs out and closes the connection', 'LOGOUT'],
  ID: ['Shows who you are logged in as', 'ID'],
  'LIST USERS': ['Lists the users online', 'LIST USERS'],
  'LIST GAMES': ['Lists the games on this server', 'LIST GAMES'],
  'LIST MAPS': ['Lists the maps games can be created with', 'LIST MAPS'],
  'LIST TEAMS': ['Lists the teams of the users online', 'LIST TEAMS'],
  'CREATE GAME': [
    'Creates a game; test games take temporary users, -seed fixes the draws of a test game',
    'CREATE GAME <gamename> -maxPlayers <count> (-map <mapname>)? (-testgame)? (-seed <seed>)?',
  ],
  'JOIN GAME': [
    'Joins a game as a player, or as a visitor who watches; the connection then speaks JSON',
    'JOIN GAME <gamename> (-visitor [true|false])?',
  ],
  'UPLOAD MAP': [
    'Uploads a map: send the map as one line of exactly <bytes> bytes right after this one; uploading your own map again replaces it with the next version',
    'UPLOAD MAP <mapname> <bytes>',
  ],
  'DOWNLOAD MAP': ['Sends a map as one line of <bytes> bytes after SENDING <bytes> BYTES', 'DOWNLOAD MAP <mapname>'],
  'CREATE TESTPLAYER': [
    'Creates a temporary user e.g. for testing purposes. This user exists at least for 24h hours or until the next server restart',
    'CREATE TESTPLAYER',
  ],
  MSG: [
    'Sends a message to everyone in the lobby, a user or a team',
    'MSG (ALL | ( ( USER | TEAM ) <recipient> ) )? <message>',
  ],
  CHANGELOG: ['Shows the changes of this server', 'CHANGELOG'],
  NOOP: ['Does nothing; keeps the connection from timing out', 'NOOP'],
  HELP: ['Lists the commands, or explains one', 'HELP (<command>)?'],
};

const CHANGELOG = [
  'VERSION 1.0: botswarm reference server: lobby, JSON event protocol, Carcassonne, maps (UPLOAD MAP, DOWNLOAD MAP)',
];

/**
 * Lines received but not yet handled (a lobby command may wait for a password check): above either bound the
 * socket is paused, so a client that pipelines without reading meets TCP backpressure instead of growing the
 * queue; it resumes below a quarter of both.
 */
const MAX_QUEUED_LINES = 256;
const MAX_QUEUED_BYTES = 1024 * 1024;
/**
 * A game's history (events replayed on JOIN GAME) grows with play, which the deck bounds, and with joins and
 * leaves, which nothing bounds: past this many events no one more may join (players or visitors).
 */
export const MAX_GAME_EVENTS = 50_000;

/** Names of uploaded maps: one word that LIST MAPS and CREATE GAME -map can carry. */
const MAP_NAME = /^[A-Za-z0-9_.-]{1,40}$/;

interface Session {
  readonly connection: Connection;
  user: Se1User | undefined;
  room: GameRoomEntry | undefined;
  member: RoomMember | undefined;
  /** Lines (and their bytes) received and not handled yet. */
  queuedLines: number;
  queuedBytes: number;
  /** After an `UPLOAD MAP <name> <bytes>` line: the next line is the map. */
  upload: { readonly name: string; readonly bytes: number } | undefined;
}

interface GameRoomEntry {
  readonly name: string;
  /** Nick of the user who created it (an empty JOINING game goes when they disconnect). */
  readonly creator: string;
  readonly map: string;
  readonly maxPlayers: number;
  readonly testgame: boolean;
  readonly room: GameRoom;
  readonly history: string[];
  readonly members: Set<Session>;
  /** Index in `history` of each user's latest `color` event: a new color replaces it (spam cannot grow history). */
  readonly colorAt: Map<string, number>;
  /** Each user's latest `User color` sent in this game: the `@ov` of their next change. */
  readonly colorSent: Map<string, string>;
}

export interface Se1RunningServer {
  readonly host: string;
  readonly port: number;
  readonly store: UserStore;
  stats(): Record<string, number>;
  close(): Promise<void>;
}

export interface StartSe1Options {
  host?: string;
  port: number;
  game: Se1Game;
  settings?: Partial<Se1ServerSettings>;
  log?: Logger;
  /** Follows every game as it is played (the live spectator page of `serve --web`). */
  observer?: MatchObserver;
}

export async function startSe1Server(options: StartSe1Options): Promise<Se1RunningServer> {
  const merged: Se1ServerSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  // Settings from code get the bounds `--set` gets: a timeout past 2^31 ms would fire at once.
  const settings: Se1ServerSettings = { ...merged, ...checkSe1Numbers(merged) };
  const log = options.log ?? silentLogger;
  const game = options.game;
  game.checkSettings?.(settings);
  const store = new UserStore(settings.users);
  for (const spec of settings.addUsers) {
    const [nick, password, email, team] = spec.split(':');
    if (!nick || !password) throw new Error(`addUsers: "${spec}" is not nick:password[:email[:team]]`);
    await store.add(nick, password, email || undefined, team || undefined);
  }
  const root = createRng(settings.seed);
  const passwords: Rng = root.fork('passwords');
  const sessions = new Set<Session>();
  const games = new Map<string, GameRoomEntry>();
  /** Every room's game runs on this host: guarded steps, turn deadlines; a fault aborts that game only. */
  const host = new MatchHost({ log, observer: options.observer });
  /** Test players by nick, oldest first (creation order). */
  const temporary = new Map<string, { user: Se1User; password: string; expires: number }>();
  /** Drops test players past their time that are not logged in; they are in creation order, so this stops early. */
  const expireTestPlayers = () => {
    const now = Date.now();
    for (const [nick, t] of temporary) {
      if (t.expires > now) break;
      if (findOnline(nick)) continue;
      temporary.delete(nick);
      counters.testPlayersExpired++;
    }
  };
  const teams = new Map<string, string>();
  let nextId = 0x3a4d93e;
  let tempCount = 0;
  const counters = {
    logins: 0,
    commands: 0,
    errors: 0,
    gamesCreated: 0,
    gamesFinished: 0,
    messages: 0,
    mapsUploaded: 0,
    /** Times a session's socket was paused for too many unhandled lines. */
    pauses: 0,
    testPlayersExpired: 0,
  };
  const newId = (cls: string) => `${cls}@${(nextId++).toString(16)}`;
  const teamId = (name: string) => {
    let id = teams.get(name);
    if (!id) {
      id = (0x3fb6101e + teams.size * 0x1111).toString(16);
      teams.set(name, id);
    }
    return id;
  };

  const send = (s: Session, line: string) => s.connection.send(line);
  const ok = (s: Session, lines: readonly string[] = []) => {
    for (const l of lines) send(s, l);
    send(s, 'OK');
  };
  const error = (s: Session, message: string) => {
    counters.errors++;
    send(s, `ERROR: ${message}`);
  };
  const event = (s: Session, src: string, p: string, nv?: string, ov?: string) =>
    send(
      s,
      encodeEvent({
        ts: String(Date.now()),
        src,
        prop: p,
        ...(nv !== undefined ? { nv } : {}),
        ...(ov !== undefined ? { ov } : {}),
      }),
    );
  const notice = (s: Session, text: string) => event(s, 'SERVER', 'USER_MESSAGE', text);

  const online = () => [...sessions].filter((s) => s.user);
  /** A built-in map, or an uploaded one. */
  const findMap = (name: string): MapInfo | undefined => {
    const builtIn = game.maps.find((m) => m.name === name);
    if (builtIn) return builtIn;
    const stored = store.map(name);
    return stored && { ...stored, version: String(stored.version) };
  };
  const allMaps = (): MapInfo[] => [...game.maps, ...store.maps().map((m) => ({ ...m, version: String(m.version) }))];
  const mapLine = (m: MapInfo) => `MAP NAME=${m.name} VERSION=${m.version} CREATOR=${m.creator}`;

  /** The line after `UPLOAD MAP <name> <bytes>`: always taken as the map, answered by one OK or ERROR. */
  const receiveMap = (s: Session, content: string, length: number, utf8: boolean) => {
    const { name, bytes } = s.upload!;
    s.upload = undefined;
    if (needsLogin(s)) return;
    if (length !== bytes) return error(s, `the map is ${length} bytes, UPLOAD MAP announced ${bytes}`);
    if (!MAP_NAME.test(name)) return error(s, `a map name is 1 to 40 letters, digits, '-', '_' or '.', got "${name}"`);
    if (game.maps.some((m) => m.name === name)) return error(s, `map ${name} is built in and cannot be replaced`);
    if (!utf8) return error(s, 'bad map: not UTF-8');
    const old = store.map(name);
    if (old && old.creator !== s.user!.nick) return error(s, `map ${name} belongs to ${old.creator}`);
    if (!old && store.mapCount() >= settings.maxMaps) return error(s, `too many maps (${settings.maxMaps})`);
    const problem = game.checkMap(content);
    if (problem) return error(s, `bad map: ${problem}`);
    const saved = store.putMap(name, s.user!.nick, content);
    counters.mapsUploaded++;
    return ok(s, [mapLine({ ...saved, version: String(saved.version) })]);
  };
  const needsLogin = (s: Session) => {
    if (!s.user) {
      error(s, 'please login first');
      return true;
    }
    return false;
  };
  const findOnline = (nick: string) => online().find((s) => s.user!.nick === nick);
  const userLines = (u: Se1User) => [
    `USER NICK=${u.nick} EMAIL=${u.email} ROLE=${u.role}`,
    `TEAM NAME=${u.team.name} ID=${u.team.id}`,
  ];

  /** Delivers a chat message to a session, as a lobby line or as a JSON event in a game. */
  const deliver = (to: Session, from: Se1User, kind: 'ALL' | 'TEAM' | 'YOU', text: string) => {
    counters.messages++;
    if (to.room) {
      const p = kind === 'ALL' ? 'PUBLIC_MESSAGE' : kind === 'TEAM' ? 'TEAM_MESSAGE' : 'USER_MESSAGE';
      event(to, from.id, p, text);
    } else {
      send(to, `MSG FROM ${from.nick} TO ${kind}: ${JSON.stringify(text)}`);
    }
  };

  /**
   * Idle is `Connection`'s notion, nothing received (`lastReceivedAt`); one timer per session, re-armed only when
   * it fires early, instead of one per line. It tells the client why before closing, which `idleTimeoutMs`
   * (a silent destroy) would not.
   */
  const armIdle = (s: Session, ms: number) => {
    const timer = setTimeout(() => {
      if (s.connection.closed) return;
      const silentFor = performance.now() - s.connection.lastReceivedAt;
      if (silentFor < settings.timeoutMs) return armIdle(s, settings.timeoutMs - silentFor);
      const text = `timeout after ${settings.timeoutMs}ms without a command`;
      if (s.room) notice(s, `ERROR: TIMEOUT - ${text}`);
      else send(s, `ERROR: ${text}`);
      s.connection.close('idle');
    }, ms);
    timer.unref();
  };

  const leaveRoom = (s: Session) => {
    const entry = s.room;
    if (!entry || !s.member) return;
    entry.members.delete(s);
    s.room = undefined;
    const member = s.member;
    s.member = undefined;
    // A leaver's turns are played by the server: engine steps, guarded like any other.
    entry.room.match.guard(() => entry.room.leave(member));
    const status = entry.room.status;
    if ((status === 'FINISHED' || status === 'ABORTED') && entry.members.size === 0) {
      // A finished (or aborted) game stays listed while anyone watches; once empty it goes.
      games.delete(entry.name);
      if (status === 'FINISHED') counters.gamesFinished++;
    } else if (entry.room.status === 'JOINING' && entry.room.players === 0 && entry.members.size === 0) {
      games.delete(entry.name);
      entry.room.match.discard();
    }
  };

  /** The games `nick` created that nobody has joined yet and that have not started. */
  const openGamesOf = (nick: string) =>
    [...games.values()].filter((g) => g.creator === nick && g.room.status === 'JOINING' && g.members.size === 0);

  const roomContext = (entry: () => Pick<GameRoomEntry, 'history' | 'members'>): RoomContext => ({
    log,
    host,
    newId,
    broadcast(src, p, nv, ov) {
      const line = encodeEvent({
        ts: String(Date.now()),
        src,
        prop: p,
        ...(nv !== undefined ? { nv } : {}),
        ...(ov !== undefined ? { ov } : {}),
      });
      const e = entry();
      e.history.push(line);
      for (const m of e.members) send(m, line);
    },
    tell(member, src, p, nv, ov) {
      const s = [...entry().members].find((m) => m.member === member);
      if (s) event(s, src, p, nv, ov);
    },
    stream(src, p, nv, ov) {
      const line = encodeEvent({
        ts: String(Date.now()),
        src,
        prop: p,
        ...(nv !== undefined ? { nv } : {}),
        ...(ov !== undefined ? { ov } : {}),
      });
      for (const m of entry().members) send(m, line);
    },
    ok(member, type, message) {
      const s = [...entry().members].find((m) => m.member === member);
      if (s) notice(s, `OK - ${type}${message ? ` - ${message}` : ''}`);
    },
    error(member, type, message) {
      counters.errors++;
      const s = [...entry().members].find((m) => m.member === member);
      if (s) notice(s, `ERROR: ${type} - ${message}`);
    },
  });

  const lobby = async (s: Session, line: string) => {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return error(s, 'empty command');
    const w0 = words[0]!.toUpperCase();
    const w1 = (words[1] ?? '').toUpperCase();
    const two = `${w0} ${w1}`;
    const needLogin = () => needsLogin(s);
    switch (w0) {
      case 'NOOP':
        return ok(s);
      case 'HELP': {
        if (words.length === 1) return ok(s, HELP_LINES);
        const topic = words.slice(1).join(' ').toUpperCase();
        const h = COMMAND_HELP[topic];
        if (!h) return error(s, `no help for "${words.slice(1).join(' ')}"`);
        return ok(s, [h[0], `Usage: "${h[1]}"`]);
      }
      case 'LOGIN': {
        if (s.user) return error(s, `already logged in as ${s.user.nick}`);
        if (words.length !== 3) return error(s, `usage: ${COMMAND_HELP.LOGIN![1]}`);
        const [login, password] = [words[1]!, words[2]!];
        let user: Se1User | undefined;
        let temp = temporary.get(login);
        if (temp && temp.expires <= Date.now() && !findOnline(login)) {
          temporary.delete(login);
          temp = undefined;
        }
        if (temp && samePassword(temp.password, password)) user = temp.user;
        else if (!temp) {
          const stored = await store.check(login, password);
          if (stored) {
            user = {
              id: newId('User'),
              nick: stored.nick,
              email: stored.email,
              role: stored.role,
              team: { name: stored.team, id: teamId(stored.team) },
              temporary: false,
              color: undefined,
            };
          }
        }
        if (s.connection.closed) return;
        if (!user) return error(s, 'wrong login or password');
        if (findOnline(user.nick)) return error(s, `user ${user.nick} is already logged in`);
        s.user = user;
        counters.logins++;
        return ok(s, userLines(user));
      }
      case 'LOGOUT':
        if (needLogin()) return;
        ok(s);
        return s.connection.close('local');
      case 'ID':
        if (needLogin()) return;
        return ok(s, userLines(s.user!));
      case 'CHANGELOG':
        return ok(s, CHANGELOG);
    }
    switch (two) {
      case 'CREATE TESTPLAYER': {
        if (words.length !== 2) return error(s, `usage: ${COMMAND_HELP['CREATE TESTPLAYER']![1]}`);
        expireTestPlayers();
        if (temporary.size >= settings.maxTestPlayers)
          return error(s, `too many test players (${settings.maxTestPlayers}); try again later`);
        const nick = `tempUser${tempCount++}`;
        let password = '';
        const alphabet = 'abcdefghijkmnopqrstuvwxyz23456789';
        for (let i = 0; i < 6; i++) password += alphabet[passwords.int(0, alphabet.length - 1)];
        const user: Se1User = {
          id: newId('User'),
          nick,
          email: `${nick}@localhost`,
          role: 'TEST',
          team: { name: 'TEST', id: teamId('TEST') },
          temporary: true,
          color: undefined,
        };
        temporary.set(nick, { user, password, expires: Date.now() + settings.testPlayerTtlMs });
        return ok(s, [`TEMPORARY USER NICK=${nick} PASSWORD=${password}`]);
      }
      case 'LIST USERS':
        if (needLogin()) return;
        return ok(
          s,
          online().map(
            (o) => `USER NICK=${o.user!.nick} TEAM=${o.user!.team.name} STATE=${o.room ? 'INGAME' : 'LOBBY'}`,
          ),
        );
      case 'LIST TEAMS': {
        if (needLogin()) return;
        const byTeam = new Map<string, number>();
        for (const o of online()) byTeam.set(o.user!.team.name, (byTeam.get(o.user!.team.name) ?? 0) + 1);
        return ok(
          s,
          [...byTeam].map(([name, n]) => `TEAM NAME=${name} ID=${teamId(name)} MEMBERS=${n}`),
        );
      }
      case 'LIST GAMES':
        if (needLogin()) return;
        if (games.size === 0) return ok(s, ['NO GAMES IN PROGRESS']);
        return ok(
          s,
          [...games.values()].map(
            (g) =>
              `GAME NAME=${g.name} EVENTS=${g.history.length} MAPNAME=${g.map} PLAYERS=${g.room.players}/${g.maxPlayers} STATUS=${g.room.status} TESTGAME=${g.testgame}`,
          ),
        );
      case 'LIST MAPS':
        if (needLogin()) return;
        return ok(s, allMaps().map(mapLine));
      case 'DOWNLOAD MAP': {
        if (needLogin()) return;
        if (words.length !== 3) return error(s, `usage: ${COMMAND_HELP['DOWNLOAD MAP']![1]}`);
        const map = findMap(words[2]!);
        if (!map) return error(s, `no map named ${words[2]}`);
        send(s, `SENDING ${Buffer.byteLength(map.content)} BYTES`);
        send(s, map.content);
        return ok(s);
      }
      case 'UPLOAD MAP': {
        // Only a well-formed header announces a map line; anything else is refused at once and reads none.
        const bytes = words.length === 4 && /^\d+$/.test(words[3]!) ? Number(words[3]) : Number.NaN;
        if (!(bytes >= 1)) return error(s, `usage: ${COMMAND_HELP['UPLOAD MAP']![1]}, then the map as one line`);
        if (bytes > MAX_LINE) return error(s, `a map is at most ${MAX_LINE} bytes`);
        s.upload = { name: words[2]!, bytes };
        return;
      }
      case 'CREATE GAME': {
        if (needLogin()) return;
        const usage = `usage: ${COMMAND_HELP['CREATE GAME']![1]}`;
        const name = words[2];
        if (!name || name.startsWith('-')) return error(s, usage);
        let maxPlayers: number | undefined;
        let testgame = false;
        let map = game.maps[0]!.name;
        let seed: string | undefined;
        for (let i = 3; i < words.length; i++) {
          const flag = words[i]!.toLowerCase();
          if (flag === '-maxplayers') maxPlayers = Number(words[++i]);
          else if (flag === '-testgame') testgame = true;
          else if (flag === '-map') map = words[++i] ?? '';
          else if (flag === '-seed') seed = words[++i];
          else return error(s, `unknown option ${words[i]}; ${usage}`);
        }
        if (maxPlayers === undefined) return error(s, usage);
        if (!Number.isInteger(maxPlayers) || maxPlayers < game.minPlayers || maxPlayers > game.maxPlayers)
          return error(s, `-maxPlayers must be ${game.minPlayers} to ${game.maxPlayers}`);
        const mapInfo = findMap(map);
        if (!mapInfo) return error(s, `no map named ${map}`);
        if (seed !== undefined && !testgame) return error(s, '-seed is for test games only');
        if (seed === '') return error(s, usage);
        if (games.has(name)) return error(s, `game ${name} already exists`);
        if (games.size >= settings.maxGames) return error(s, `too many games (${settings.maxGames})`);
        if (openGamesOf(s.user!.nick).length >= settings.maxOpenGamesPerUser)
          return error(
            s,
            `you have ${settings.maxOpenGamesPerUser} games nobody has joined yet; join or wait for one of them first`,
          );
        const history: string[] = [];
        const members = new Set<Session>();
        const room = game.createRoom(
          roomContext(() => ({ history, members })),
          {
            name,
            maxPlayers,
            testgame,
            map,
            mapContent: mapInfo.content,
            seed: seed ?? deriveSeed(settings.seed, 'game', counters.gamesCreated),
            turnTimeoutMs: settings.turnTimeoutMs,
            tickMs: settings.tickMs,
            lockstep: settings.lockstep,
            rules: settings.rules,
          },
        );
        games.set(name, {
          name,
          creator: s.user!.nick,
          map,
          maxPlayers,
          testgame,
          room,
          history,
          members,
          colorAt: new Map(),
          colorSent: new Map(),
        });
        counters.gamesCreated++;
        return ok(s);
      }
      case 'JOIN GAME': {
        if (needLogin()) return;
        const usage = `usage: ${COMMAND_HELP['JOIN GAME']![1]}`;
        const name = words[2];
        if (!name) return error(s, usage);
        let visitor = false;
        if (words.length > 3) {
          if (words[3]!.toLowerCase() !== '-visitor' || words.length > 5) return error(s, usage);
          const v = (words[4] ?? 'true').toLowerCase();
          if (v !== 'true' && v !== 'false') return error(s, usage);
          visitor = v === 'true';
        }
        const entry = games.get(name);
        if (!entry) return error(s, `no game named ${name}`);
        if (!visitor && !entry.testgame && s.user!.temporary)
          return error(s, 'temporary users may only join test games');
        if (entry.history.length >= MAX_GAME_EVENTS)
          return error(s, `game ${name} has too many events (${MAX_GAME_EVENTS}) to be joined`);
        const member: RoomMember = { user: s.user!, visitor };
        const refusal = entry.room.canJoin(member);
        if (refusal) return error(s, refusal);
        send(s, `SENDING ${entry.history.length} EVENTS`);
        send(s, 'OK');
        for (const l of entry.history) send(s, l);
        s.room = entry;
        s.member = member;
        entry.members.add(s);
        entry.room.match.guard(() => entry.room.join(member));
        return;
      }
    }
    if (w0 === 'MSG') {
      if (needLogin()) return;
      let kind: 'ALL' | 'USER' | 'TEAM' = 'ALL';
      let rest = line.trim().slice(3).trimStart();
      let recipient: string | undefined;
      const m = /^(ALL|USER|TEAM)\s+(.*)$/is.exec(rest);
      if (m) {
        kind = m[1]!.toUpperCase() as typeof kind;
        rest = m[2]!;
        if (kind !== 'ALL') {
          const r = /^(\S+)\s+(.*)$/s.exec(rest);
          if (!r) return error(s, `usage: ${COMMAND_HELP.MSG![1]}`);
          recipient = r[1];
          rest = r[2]!;
        }
      }
      if (!rest) return error(s, `usage: ${COMMAND_HELP.MSG![1]}`);
      const from = s.user!;
      if (kind === 'ALL') {
        for (const o of online()) if (o !== s && !o.room) deliver(o, from, 'ALL', rest);
      } else if (kind === 'USER') {
        const to = findOnline(recipient!);
        if (!to) return error(s, `no user named ${recipient} online`);
        deliver(to, from, 'YOU', rest);
      } else {
        const members = online().filter((o) => o.user!.team.name === recipient && o !== s);
        if (!teams.has(recipient!)) return error(s, `no team named ${recipient}`);
        for (const o of members) deliver(o, from, 'TEAM', rest);
      }
      return ok(s);
    }
    return error(s, `unknown command "${words.slice(0, 2).join(' ')}", send HELP for a list`);
  };

  const inGame = (s: Session, line: string) => {
    const entry = s.room!;
    const member = s.member!;
    let command;
    try {
      command = decodeCommand(line);
    } catch (e) {
      counters.errors++;
      return notice(s, `ERROR: ${e instanceof CommandError ? 'PARSE' : 'INTERNAL'} - ${(e as Error).message}`);
    }
    switch (command.action) {
      case 'NOOP':
        return;
      case 'LEAVE_GAME':
        notice(s, 'OK - LEAVE_GAME');
        leaveRoom(s);
        // Back in the lobby: the connection speaks the plain-text protocol again.
        return send(s, 'OK');
      case 'CHANGE_USER_COLOR': {
        const color = prop(command, 'color');
        if (!color || !/^[0-9A-Fa-f]{6}$/.test(color))
          return notice(s, 'ERROR: CHANGE_USER_COLOR - color must be six hex digits, e.g. FFFF00');
        const user = member.user;
        const nv = color.toUpperCase();
        user.color = nv;
        // `@ov` is the last `User color` this game was sent for the user (none before their first change here):
        // never a value its members did not see.
        const ov = entry.colorSent.get(user.id);
        entry.colorSent.set(user.id, nv);
        const ts = String(Date.now());
        const live = encodeEvent({ ts, src: user.id, prop: 'color', nv, ...(ov !== undefined ? { ov } : {}) });
        for (const m of entry.members) send(m, live);
        // Only the latest color of a user stays in the history, without `@ov` (a late joiner saw no earlier one):
        // a late joiner needs no more, and a client repeating the command cannot grow the history.
        const previous = entry.colorAt.get(user.id);
        if (previous !== undefined) entry.history.splice(previous, 1);
        for (const [id, i] of entry.colorAt) if (previous !== undefined && i > previous) entry.colorAt.set(id, i - 1);
        entry.colorAt.set(user.id, entry.history.length);
        entry.history.push(encodeEvent({ ts, src: user.id, prop: 'color', nv }));
        return notice(s, 'OK - CHANGE_USER_COLOR');
      }
      case 'MESSAGE': {
        const text = prop(command, 'message');
        const audience = (prop(command, 'audience') ?? '').toUpperCase();
        const recipient = prop(command, 'recipient') ?? '';
        const fail = (m: string) => notice(s, `ERROR: MESSAGE - ${m}`);
        if (!text) return fail('needs a message');
        if (audience === '' || audience === 'ALL') {
          if (recipient) return fail(`audience ${audience || '(none)'} takes no recipient`);
          for (const o of entry.members) deliver(o, member.user, 'ALL', text);
        } else if (audience === 'USER') {
          if (!recipient) return fail('audience USER needs a recipient');
          const to = findOnline(recipient);
          if (!to) return fail(`no user named ${recipient} online`);
          deliver(to, member.user, 'YOU', text);
        } else if (audience === 'TEAM') {
          const team = recipient || member.user.team.name;
          if (!teams.has(team)) return fail(`no team named ${team}`);
          for (const o of online()) if (o.user!.team.name === team) deliver(o, member.user, 'TEAM', text);
        } else {
          return fail(`audience must be ALL, USER or TEAM, got ${audience}`);
        }
        return notice(s, 'OK - MESSAGE');
      }
      default:
        // A game command runs guarded: an engine fault aborts this game (its members are told), nothing else.
        entry.room.match.guard(() => entry.room.command(member, command));
    }
  };

  const server = new TcpServer({
    host: options.host ?? '127.0.0.1',
    port: options.port,
    log,
    maxConnections: settings.maxConnections,
    connection: { framer: () => lineFramer({ maxLine: MAX_LINE, eol: '\r\n' }) },
    accept(connection) {
      const s: Session = {
        connection,
        user: undefined,
        room: undefined,
        member: undefined,
        queuedLines: 0,
        queuedBytes: 0,
        upload: undefined,
      };
      sessions.add(s);
      send(s, `SE1 ${game.title}-Server 1.0, Timeout set to ${settings.timeoutMs}ms`);
      armIdle(s, settings.timeoutMs);
      const socket = connection.socket;
      const handled = (bytes: number) => {
        s.queuedLines--;
        s.queuedBytes -= bytes;
        if (
          socket.isPaused() &&
          s.queuedLines <= MAX_QUEUED_LINES / 4 &&
          s.queuedBytes <= MAX_QUEUED_BYTES / 4 &&
          !connection.closed
        )
          socket.resume();
      };
      // Lobby commands may wait for a password check: lines are handled one after another, in order.
      let queue: Promise<void> = Promise.resolve();
      return {
        onFrame(frame) {
          counters.commands++;
          const line = frame.toString('utf8');
          // The frame's memory may be reused once this returns: keep what the queued handler needs.
          const length = frame.length;
          // Invalid UTF-8 decodes to U+FFFD; only then is the check worth its pass over the bytes.
          const utf8 = !line.includes('\uFFFD') || isUtf8(frame);
          s.queuedLines++;
          s.queuedBytes += length;
          if ((s.queuedLines > MAX_QUEUED_LINES || s.queuedBytes > MAX_QUEUED_BYTES) && !socket.isPaused()) {
            counters.pauses++;
            socket.pause();
          }
          queue = queue
            .then(async () => {
              if (s.upload) receiveMap(s, line, length, utf8);
              else if (s.room) inGame(s, line);
              else await lobby(s, line);
            })
            .catch((e: unknown) => {
              log.error({ err: e }, 'se1 command failed');
              if (!connection.closed) send(s, `ERROR: internal error: ${(e as Error).message}`);
            })
            .finally(() => handled(length));
        },
        onFrameError(e) {
          // In turn with the commands before it: an oversized map line must end its UPLOAD MAP, not a later one.
          queue = queue
            .then(() => {
              if (connection.closed) return;
              s.upload = undefined;
              counters.errors++;
              if (s.room) notice(s, `ERROR: PARSE - ${e.message}`);
              else send(s, `ERROR: ${e.message}`);
            })
            .catch((err: unknown) => log.error({ err }, 'se1 frame error reply failed'));
        },
        onClose() {
          leaveRoom(s);
          sessions.delete(s);
          // A game its creator left before anyone joined would stay listed for ever: it goes with them.
          if (s.user)
            for (const g of openGamesOf(s.user.nick)) {
              games.delete(g.name);
              g.room.match.discard();
            }
        },
      };
    },
  });
  const address = await server.listen();
  return {
    host: address.host,
    port: address.port,
    store,
    stats: () => ({
      ...counters,
      connections: server.connections.size,
      gamesAborted: host.stats.aborted,
      games: games.size,
      online: online().length,
    }),
    async close() {
      host.close();
      await server.close();
      store.close();
    },
  };
}
