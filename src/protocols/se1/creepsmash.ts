/**
 * CreepSmash on the SE1 server: a real-time room on the match host. No rule is written here: the engine
 * (src/games/creepsmash) decides everything; this file runs its clock (tick k at start + k·tickMs, an absolute
 * schedule, so lateness never adds up), stamps each command with the tick it arrives in, and streams every tick's
 * commands and summaries so that a client running the same engine mirrors the game exactly.
 * Byte-level description: docs/protocols/se1.md, "CreepSmash".
 */
import type { Seat } from '../../core/engine.ts';
import type { Match } from '../../game/host.ts';
import { parsePairs } from '../../game/settings.ts';
import {
  type Command,
  CREEP_KINDS,
  type CreepKind,
  type CreepSmashAction,
  type CreepSmashConfig,
  type CreepSmashEvent,
  type CreepSmashState,
  commandError,
  creepsmashEngine,
  DEFAULT_MAP,
  DEFAULT_MAP_TEXT,
  geometryOf,
  MapError,
  parseMap,
  STRATEGIES,
  type TargetStrategy,
  TILES,
  TOWER_KINDS,
  type TowerKind,
} from '../../games/creepsmash/index.ts';
import { prop, type Se1Command } from './json.ts';
import {
  announceAbort,
  announceGame,
  type GameRoom,
  joinRefusal,
  joinVisitor,
  type MapInfo,
  playerColor,
  type RoomContext,
  type RoomMember,
  type RoomOptions,
  type RoomStatus,
  type Se1Game,
} from './room.ts';

/** The rules a room plays by: always `creepsmashEngine` except in tests that inject a failing engine. */
export type CreepSmashRules = typeof creepsmashEngine;

export const CREEPSMASH_ACTIONS = [
  'CHOOSE_TILE',
  'START_GAME',
  'CREATE_TOWER',
  'UPGRADE_TOWER',
  'SELL_TOWER',
  'CHANGE_TOWER_STRATEGY',
  'CREATE_CREEP',
  'TICK',
] as const;

/** An SE1 map is one line: the map file (docs/rules/creepsmash.md, "Maps") with every line end written as `;`. */
export const toMapLine = (text: string): string =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .join(';');
export const fromMapLine = (line: string): string => line.split(';').join('\n');

const DEFAULT_SE1_MAP: MapInfo = {
  name: 'default',
  version: '1',
  creator: 'botswarm',
  content: toMapLine(DEFAULT_MAP_TEXT),
};

export function checkCreepSmashMap(content: string): string | null {
  try {
    parseMap(fromMapLine(content));
    return null;
  } catch (e) {
    if (e instanceof MapError) return e.message;
    throw e;
  }
}

/**
 * The config of a room: the engine's settings from the server's `rules` (`key=value` separated by spaces, read by
 * the one settings reader), its `tickMs`, and the map (absent for `default`, as offline).
 */
export function roomConfig(map: string, mapContent: string, tickMs: number, rules: string): CreepSmashConfig {
  const pairs = parsePairs(rules.split(/\s+/).filter(Boolean), 'rules');
  if ('map' in pairs) throw new Error('rules: the map comes from CREATE GAME -map, not from rules');
  return creepsmashEngine.parseConfig({
    ...pairs,
    tickMs,
    ...(map === DEFAULT_SE1_MAP.name ? {} : { map: fromMapLine(mapContent) }),
  });
}

// ---- commands on the wire: `Player command` events and what a client sends --------------------------------

/** The text of a stamped command in a `Player@.. command` event (docs/protocols/se1.md, "Tick stream"). */
export function formatWireCommand(c: Command): string {
  switch (c.kind) {
    case 'tile':
      return `CHOOSE_TILE ${TILES[c.tile]}`;
    case 'build':
      return `CREATE_TOWER ${c.tower} ${c.x} ${c.y}`;
    case 'upgrade':
      return `UPGRADE_TOWER ${c.x} ${c.y}${c.level !== undefined ? ` ${c.level}` : ''}`;
    case 'sell':
      return `SELL_TOWER ${c.x} ${c.y}`;
    case 'strategy':
      return `CHANGE_TOWER_STRATEGY ${c.x} ${c.y} ${c.strategy}`;
    case 'send':
      return `CREATE_CREEP ${c.creep}`;
  }
}

const INT = /^(0|[1-9]\d{0,8})$/;

/** The command of a `Player@.. command` event; throws on anything else. */
export function parseWireCommand(text: string): Command {
  const w = text.split(' ');
  const n = (i: number) => {
    const v = w[i];
    if (v === undefined || !INT.test(v)) throw new Error(`bad command "${text}"`);
    return Number(v);
  };
  switch (w[0]) {
    case 'CREATE_TOWER':
      if (w.length === 4 && (TOWER_KINDS as readonly string[]).includes(w[1]!))
        return { kind: 'build', tower: w[1] as TowerKind, x: n(2), y: n(3) };
      break;
    case 'UPGRADE_TOWER':
      if (w.length === 3) return { kind: 'upgrade', x: n(1), y: n(2) };
      if (w.length === 4) return { kind: 'upgrade', x: n(1), y: n(2), level: n(3) };
      break;
    case 'SELL_TOWER':
      if (w.length === 3) return { kind: 'sell', x: n(1), y: n(2) };
      break;
    case 'CHANGE_TOWER_STRATEGY':
      if (w.length === 4 && (STRATEGIES as readonly string[]).includes(w[3]!))
        return { kind: 'strategy', x: n(1), y: n(2), strategy: w[3] as TargetStrategy };
      break;
    case 'CREATE_CREEP':
      if (w.length === 2 && (CREEP_KINDS as readonly string[]).includes(w[1]!))
        return { kind: 'send', creep: w[1] as CreepKind };
      break;
  }
  throw new Error(`bad command "${text}"`);
}

interface SeatInfo {
  readonly member: RoomMember;
  readonly id: string;
  readonly color: string;
  present: boolean;
  /** The tile asked for with CHOOSE_TILE (0..3), or -1. */
  wish: number;
  /** Lockstep: the highest tick this player acknowledged with TICK. */
  acked: number;
}

/** A tower as the wire knows it: its owner and cell (kept after a sale, so a late command still names a cell). */
interface TowerRef {
  readonly seat: number;
  readonly x: number;
  readonly y: number;
}

class CreepSmashRoom implements GameRoom {
  readonly id: string;
  #status: 'JOINING' | 'RUNNING' | 'FINISHED' = 'JOINING';
  readonly #ctx: RoomContext;
  readonly #options: RoomOptions;
  readonly #config: CreepSmashConfig;
  readonly #lockstep: boolean;
  readonly #seats: SeatInfo[] = [];
  readonly #visitors = new Set<RoomMember>();
  readonly match: Match<CreepSmashState, CreepSmashAction, CreepSmashConfig, never, CreepSmashEvent>;
  readonly #tileIds: string[] = [];
  readonly #cells = new Map<string, readonly [number, number]>();
  readonly #cellIds: string[] = [];
  readonly #towers = new Map<string, TowerRef>();
  readonly #towerIds = new Map<number, string>();
  /** Commands received for the next tick, per seat, in arrival order. */
  #inbox: Command[][] = [];
  /** Tick 0's scheduled time: `performance.now()` scale (the clock) and epoch ms (announced as `startTime`). */
  #startPerf = 0;
  #startEpoch = 0;
  /** Lockstep: tick `state.tick` is due but waits for acknowledgements. */
  #waiting = false;

  constructor(ctx: RoomContext, options: RoomOptions, engine: CreepSmashRules) {
    this.#ctx = ctx;
    this.#options = options;
    this.#config = roomConfig(options.map, options.mapContent, options.tickMs ?? 50, options.rules ?? '');
    this.#lockstep = options.lockstep ?? false;
    this.id = ctx.newId('Game');
    this.match = ctx.host.open({
      id: options.name,
      seed: options.seed,
      engine,
      config: this.#config,
      mode: 'turns',
      wire: { aborted: () => this.#aborted() },
    });
    const c = this.#config;
    announceGame(ctx, this.id, options);
    for (const key of [
      'tickMs',
      'delayTicks',
      'incomeTicks',
      'startCredits',
      'startIncome',
      'lives',
      'maxTicks',
      'maxCommands',
    ] as const)
      ctx.broadcast(this.id, key, String(c[key]));
    ctx.broadcast(this.id, 'lockstep', String(this.#lockstep));
    for (const name of TILES) {
      const tile = ctx.newId('Tile');
      this.#tileIds.push(tile);
      ctx.broadcast(tile, 'position', name);
      ctx.broadcast(this.id, 'tiles', tile);
    }
    const g = geometryOf(c.map ?? DEFAULT_MAP);
    for (let y = 0; y < g.map.height; y++)
      for (let x = 0; x < g.map.width; x++) {
        const cell = ctx.newId('Cell');
        this.#cellIds.push(cell);
        this.#cells.set(cell, [x, y]);
        ctx.broadcast(cell, 'x', String(x));
        ctx.broadcast(cell, 'y', String(y));
        const kind = g.cells[y * g.map.width + x];
        ctx.broadcast(cell, 'type', kind === 0 ? 'FREE' : kind === 1 ? 'PATH' : 'BLOCKED');
      }
    ctx.broadcast(this.id, 'status', 'JOINING');
  }

  get players() {
    return this.#seats.length;
  }

  get status(): RoomStatus {
    return this.match.status === 'aborted' ? 'ABORTED' : this.#status;
  }

  #aborted() {
    announceAbort(
      this.#ctx,
      { id: this.id, name: this.#options.name, status: this.#status },
      this.#seats,
      this.#visitors,
    );
  }

  canJoin(member: RoomMember): string | null {
    return joinRefusal(member, this.#options.name, this.status, this.#seats.length, this.#options.maxPlayers);
  }

  join(member: RoomMember) {
    const ctx = this.#ctx;
    if (member.visitor) {
      joinVisitor(ctx, this.id, this.#visitors, member);
      return;
    }
    const color = playerColor(
      member.user,
      this.#seats.map((s) => s.color),
    );
    const seat: SeatInfo = { member, id: ctx.newId('Player'), color, present: true, wish: -1, acked: -1 };
    this.#seats.push(seat);
    ctx.broadcast(seat.id, 'user', member.user.id);
    ctx.broadcast(seat.id, 'nickname', member.user.nick);
    ctx.broadcast(seat.id, 'color', color);
    ctx.broadcast(this.id, 'players', seat.id);
  }

  leave(member: RoomMember) {
    if (member.visitor) {
      if (this.#visitors.delete(member)) this.#ctx.broadcast(this.id, 'visitors', undefined, member.user.id);
      return;
    }
    const i = this.#seats.findIndex((s) => s.member === member);
    if (i < 0) return;
    const seat = this.#seats[i]!;
    if (this.status === 'JOINING') {
      this.#seats.splice(i, 1);
      this.#ctx.broadcast(this.id, 'players', undefined, seat.id);
      return;
    }
    seat.present = false;
    this.#ctx.broadcast(seat.id, 'left', 'true');
    if (this.status !== 'RUNNING') return;
    this.match.leave(i);
    // Nobody left to play for: the game stops ticking and goes (no result, nobody to tell).
    if (this.match.presentCount === 0) {
      this.match.discard();
      return;
    }
    // Lockstep: the leaver is no longer waited for.
    if (this.#waiting && this.#allAcked()) this.#tick();
  }

  command(member: RoomMember, command: Se1Command) {
    const action = command.action;
    const ctx = this.#ctx;
    const fail = (message: string) => ctx.error(member, action, message);
    if (!(CREEPSMASH_ACTIONS as readonly string[]).includes(action))
      return fail(
        `unknown action (known: ${[...CREEPSMASH_ACTIONS, 'CHANGE_USER_COLOR', 'MESSAGE', 'LEAVE_GAME', 'NOOP'].join(', ')})`,
      );
    if (this.status === 'ABORTED') return fail('the game is aborted');
    if (member.visitor) return fail('visitors cannot play');
    const seatIndex = this.#seats.findIndex((s) => s.member === member);
    if (seatIndex < 0) return fail('you are not a player of this game');
    const seat = this.#seats[seatIndex]!;
    if (action === 'CHOOSE_TILE') return this.#choose(seat, command);
    if (action === 'START_GAME') return this.#start(member);
    const state = this.match.state;
    if (this.status !== 'RUNNING' || !state) return fail(`the game is ${this.status.toLowerCase()}`);
    if (action === 'TICK') return this.#ack(seat, command);
    if (!state.seats[seatIndex]!.alive) return fail('you are out of the game');
    const now = state.tick;
    const tickText = prop(command, 'tick');
    if (tickText !== undefined) {
      if (!INT.test(tickText)) return fail(`tick must be a tick number, got ${tickText}`);
      const t = Number(tickText);
      if (t < now) return fail(`tick ${t} has passed (the next tick is ${now})`);
      if (t > now) return fail(`tick ${t} has not come yet (the next tick is ${now})`);
    }
    const parsed = this.#parse(seatIndex, command);
    if (typeof parsed === 'string') return fail(parsed);
    const reason = commandError(state, parsed);
    if (reason) return fail(reason);
    const inbox = this.#inbox[seatIndex]!;
    if (inbox.length >= this.#config.maxCommands)
      return fail(`at most ${this.#config.maxCommands} commands a tick (tick ${now} has them)`);
    inbox.push(parsed);
    ctx.ok(member, action, `tick ${now} effect ${now + this.#config.delayTicks}`);
  }

  /** The engine command of a wire command, or why there is none. */
  #parse(seat: number, command: Se1Command): Command | string {
    const cell = (): readonly [number, number] | string => {
      const id = prop(command, 'cell');
      if (id === undefined) return 'needs cell (Cell@..)';
      return this.#cells.get(id) ?? `${id} is not a cell of this game`;
    };
    /** A tower command names the tower, or (botswarm) its cell on the player's own board. */
    const place = (): readonly [number, number] | string => {
      const id = prop(command, 'tower');
      if (id === undefined)
        return prop(command, 'cell') === undefined ? 'needs tower (Tower@..) or cell (Cell@..)' : cell();
      const t = this.#towers.get(id);
      if (!t) return `${id} is not a tower of this game`;
      if (t.seat !== seat) return `${id} is not one of your towers`;
      return [t.x, t.y];
    };
    switch (command.action) {
      case 'CREATE_TOWER': {
        const kind = prop(command, 'towertype');
        if (!kind || !(TOWER_KINDS as readonly string[]).includes(kind))
          return `towertype must be one of ${TOWER_KINDS.join(', ')}`;
        const c = cell();
        if (typeof c === 'string') return c;
        return { kind: 'build', tower: kind as TowerKind, x: c[0], y: c[1] };
      }
      case 'UPGRADE_TOWER': {
        const p = place();
        if (typeof p === 'string') return p;
        const level = prop(command, 'level');
        if (level === undefined) return { kind: 'upgrade', x: p[0], y: p[1] };
        if (!INT.test(level)) return `level must be 2 to 4, got ${level}`;
        return { kind: 'upgrade', x: p[0], y: p[1], level: Number(level) };
      }
      case 'SELL_TOWER': {
        const p = place();
        return typeof p === 'string' ? p : { kind: 'sell', x: p[0], y: p[1] };
      }
      case 'CHANGE_TOWER_STRATEGY': {
        const p = place();
        if (typeof p === 'string') return p;
        const strategy = prop(command, 'strategy');
        if (!strategy || !(STRATEGIES as readonly string[]).includes(strategy))
          return `strategy must be one of ${STRATEGIES.join(', ')}`;
        return { kind: 'strategy', x: p[0], y: p[1], strategy: strategy as TargetStrategy };
      }
      default: {
        const creep = prop(command, 'creeptype');
        if (!creep || !(CREEP_KINDS as readonly string[]).includes(creep))
          return `creeptype must be one of ${CREEP_KINDS.join(', ')}`;
        return { kind: 'send', creep: creep as CreepKind };
      }
    }
  }

  #choose(seat: SeatInfo, command: Se1Command) {
    const fail = (m: string) => this.#ctx.error(seat.member, 'CHOOSE_TILE', m);
    if (this.status !== 'JOINING') return fail('the game has already started');
    const id = prop(command, 'tile');
    const tile = id === undefined ? -1 : this.#tileIds.indexOf(id);
    if (tile < 0) return fail(id === undefined ? 'needs tile (Tile@..)' : `${id} is not a tile of this game`);
    seat.wish = tile;
    this.#ctx.broadcast(seat.id, 'wish', id);
    this.#ctx.ok(seat.member, 'CHOOSE_TILE');
  }

  #start(member: RoomMember) {
    const ctx = this.#ctx;
    const fail = (m: string) => ctx.error(member, 'START_GAME', m);
    if (this.status !== 'JOINING') return fail('the game has already started');
    const min = this.match.engine.minPlayers;
    if (this.#seats.length < min) return fail(`at least ${min} players are needed`);
    const waiting = this.#seats.filter((s) => s.wish < 0).map((s) => s.member.user.nick);
    if (waiting.length > 0) return fail(`every player chooses a tile first (not yet: ${waiting.join(', ')})`);
    if (!this.match.start(this.#seats.length)) return;
    // The tile choice is the engine's first step: a tile two players asked for goes to the earlier seat.
    const events: CreepSmashEvent[] = [];
    this.match.step(
      { kind: 'players', actions: new Map(this.#seats.map((s, i) => [i, [{ kind: 'tile', tile: s.wish }]])) },
      events,
    );
    this.#status = 'RUNNING';
    for (const [i, seat] of this.#seats.entries()) {
      ctx.broadcast(seat.id, 'seat', String(i));
      ctx.broadcast(seat.id, 'credits', String(this.#config.startCredits));
      ctx.broadcast(seat.id, 'income', String(this.#config.startIncome));
      ctx.broadcast(seat.id, 'lives', String(this.#config.lives));
    }
    for (const e of events)
      if (e.type === 'tile') ctx.broadcast(this.#seats[e.seat]!.id, 'tile', this.#tileIds[e.tile]);
    this.#inbox = this.#seats.map(() => []);
    // Tick 0 is one tick from now: every player learns the schedule before it starts.
    const lead = this.#config.tickMs;
    this.#startPerf = performance.now() + lead;
    this.#startEpoch = Date.now() + lead;
    ctx.broadcast(this.id, 'startTime', String(this.#startEpoch));
    ctx.broadcast(this.id, 'status', 'RUNNING', 'JOINING');
    ctx.ok(member, 'START_GAME');
    this.#schedule();
  }

  /** Arms the clock for the next tick at its absolute time (at once when it is overdue). */
  #schedule() {
    const k = this.match.state!.tick;
    const due = this.#startPerf + k * this.#config.tickMs;
    this.match.arm(Math.max(0, due - performance.now()), () => this.#due());
  }

  /** The clock reached the next tick: run it, or in lockstep wait for the players' acknowledgements. */
  #due() {
    if (!this.#lockstep || this.#allAcked()) return this.#tick();
    this.#waiting = true;
    const limit = this.#options.turnTimeoutMs;
    // A player who never acknowledges holds the game only this long.
    if (limit > 0) this.match.arm(limit, () => this.#tick());
  }

  /** Lockstep: every present, living player has acknowledged the next tick. */
  #allAcked(): boolean {
    const state = this.match.state!;
    return this.#seats.every((s, i) => !s.present || !state.seats[i]!.alive || s.acked >= state.tick);
  }

  #ack(seat: SeatInfo, command: Se1Command) {
    const text = prop(command, 'tick');
    const now = this.match.state!.tick;
    if (text === undefined || !INT.test(text))
      return this.#ctx.error(seat.member, 'TICK', 'needs tick (a tick number)');
    const t = Number(text);
    if (t > now) return this.#ctx.error(seat.member, 'TICK', `tick ${t} has not come yet (the next tick is ${now})`);
    if (t > seat.acked) seat.acked = t;
    if (this.#waiting && this.#allAcked()) this.#tick();
  }

  /** Runs the next tick: the engine step with the commands stamped with it, then its stream. */
  #tick() {
    this.#waiting = false;
    this.match.disarm();
    const ctx = this.#ctx;
    const before = this.match.state!;
    const k = before.tick;
    const actions = new Map<Seat, CreepSmashAction>();
    const stamped: [number, Command][] = [];
    for (let s = 0; s < before.players; s++) {
      if (!before.seats[s]!.alive) continue;
      const list = this.#inbox[s] ?? [];
      actions.set(s, list);
      for (const c of list) stamped.push([s, c]);
    }
    this.#inbox = this.#seats.map(() => []);
    const events: CreepSmashEvent[] = [];
    const after = this.match.step({ kind: 'players', actions }, events);
    for (const [s, c] of stamped) ctx.stream(this.#seats[s]!.id, 'command', formatWireCommand(c));
    this.#summaries(before, after, events);
    ctx.stream(this.id, 'tick', String(k));
    if (after.phase === 'over') return this.#finish();
    this.#schedule();
  }

  /** What a client that does not mirror the engine needs: towers, money, lives, refusals (never creeps). */
  #summaries(before: CreepSmashState, after: CreepSmashState, events: readonly CreepSmashEvent[]) {
    const ctx = this.#ctx;
    for (const e of events) {
      switch (e.type) {
        case 'built': {
          const id = ctx.newId('Tower');
          this.#towerIds.set(e.tower, id);
          this.#towers.set(id, { seat: e.seat, x: e.x, y: e.y });
          ctx.stream(id, 'owner', this.#seats[e.seat]!.id);
          ctx.stream(id, 'towertype', e.kind);
          ctx.stream(id, 'cell', this.#cellIds[e.y * this.#width() + e.x]);
          ctx.stream(id, 'level', '1');
          ctx.stream(id, 'strategy', after.towers.find((t) => t.id === e.tower)?.strategy ?? 'CLOSEST');
          break;
        }
        case 'upgraded':
          ctx.stream(this.#towerIds.get(e.tower)!, 'level', String(e.level));
          break;
        case 'sold':
          ctx.stream(this.#towerIds.get(e.tower)!, 'sold', 'true');
          break;
        case 'strategy':
          ctx.stream(this.#towerIds.get(e.tower)!, 'strategy', e.strategy);
          break;
        case 'rejected': {
          const seat = this.#seats[e.seat]!;
          if (seat.present)
            ctx.error(seat.member, 'REJECTED', `tick ${before.tick}: ${formatWireCommand(e.command)}: ${e.reason}`);
          break;
        }
        case 'died':
          ctx.stream(this.#seats[e.seat]!.id, 'out', 'true');
          break;
      }
    }
    for (let s = 0; s < after.players; s++) {
      const a = before.seats[s]!;
      const b = after.seats[s]!;
      const id = this.#seats[s]!.id;
      if (a.credits !== b.credits) ctx.stream(id, 'credits', String(b.credits), String(a.credits));
      if (a.income !== b.income) ctx.stream(id, 'income', String(b.income), String(a.income));
      if (a.lives !== b.lives) ctx.stream(id, 'lives', String(b.lives), String(a.lives));
    }
  }

  #width(): number {
    return (this.#config.map ?? DEFAULT_MAP).width;
  }

  #finish() {
    const ctx = this.#ctx;
    const result = this.match.finish();
    for (const [i, seat] of this.#seats.entries()) {
      ctx.broadcast(seat.id, 'score', String(result.scores[i]));
      ctx.broadcast(seat.id, 'rank', String(result.ranks[i]));
    }
    if (result.winner !== null) ctx.broadcast(this.id, 'winner', this.#seats[result.winner]!.id);
    this.#status = 'FINISHED';
    ctx.broadcast(this.id, 'status', 'FINISHED', 'RUNNING');
    for (const seat of this.#seats)
      if (seat.present) ctx.ok(seat.member, 'gameOver', `scores ${result.scores.join(':')}`);
  }
}

/** CreepSmash for the SE1 server, with an injectable engine (tests of faults). */
export function creepsmashSe1Game(engine: CreepSmashRules = creepsmashEngine): Se1Game {
  return {
    id: 'creepsmash',
    title: 'CreepSmash',
    minPlayers: 2,
    maxPlayers: 4,
    maps: [DEFAULT_SE1_MAP],
    checkMap: checkCreepSmashMap,
    checkSettings: (s) => void roomConfig(DEFAULT_SE1_MAP.name, '', s.tickMs, s.rules),
    actions: CREEPSMASH_ACTIONS,
    createRoom: (ctx, options) => new CreepSmashRoom(ctx, options, engine),
  };
}

export const creepsmashSe1 = creepsmashSe1Game();
