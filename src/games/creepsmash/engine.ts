import {
  ConfigError,
  type GameEngine,
  type GameResult,
  type Seat,
  type StepActions,
  type ToAct,
} from '../../core/engine.ts';
import type { Rng } from '../../core/rng.ts';
import { readSettings, Setting, settingsSchema } from '../../game/settings.ts';
import {
  CELL_PX,
  CREEP_KINDS,
  CREEPS,
  ROCKET_PX_PER_TICK,
  SELL_SHARE,
  STRATEGIES,
  TOWER_KINDS,
  TOWERS,
} from './data.ts';
import { DEFAULT_MAP, type Geometry, geometryOf, MapError, parseMap, positionAt } from './map.ts';
import {
  type Command,
  type Creep,
  type CreepSmashAction,
  type CreepSmashConfig,
  type CreepSmashEvent,
  type CreepSmashObservation,
  type CreepSmashState,
  type PendingCommand,
  type PlayerState,
  type Rocket,
  TILES,
  type Tower,
} from './types.ts';

/**
 * CreepSmash as a pure engine (rules: docs/rules/creepsmash.md). A game is a tile choice, then one step per tick in
 * which every living player submits a (usually empty) list of commands; a command takes effect `delayTicks` later
 * (lockstep), so a game is a seed plus a list of (tick, seat, command) and replays exactly. No step draws a random
 * number: the seed matters only to the bots.
 */

export const ENGINE_VERSION = '1';

/** Not a rule of the original: a bound on `maxCommands`, so a hostile command list stays small. */
const MAX_COMMANDS_LIMIT = 64;

/** The game's settings (docs/rules/creepsmash.md, "Settings"); the original game's numbers are the defaults. */
export const creepsmashSettings = settingsSchema(
  {
    startCredits: Setting.integer({ min: 0, max: 1_000_000_000, default: 200, help: 'credits at the start' }),
    startIncome: Setting.integer({ min: 0, max: 1_000_000_000, default: 200, help: 'income at the start' }),
    lives: Setting.integer({ min: 1, max: 1000, default: 20, help: 'lives of every player' }),
    incomeTicks: Setting.integer({
      min: 1,
      max: 100_000,
      default: 300,
      help: 'income is paid every this many ticks, first at this tick; nothing takes effect before it',
    }),
    delayTicks: Setting.integer({
      min: 0,
      max: 1000,
      default: 50,
      help: 'lockstep delay: a command submitted at tick t takes effect at t + delayTicks',
    }),
    maxTicks: Setting.integer({ min: 1, max: 10_000_000, default: 36_000, help: 'the game ends here at the latest' }),
    maxCommands: Setting.integer({
      min: 1,
      max: MAX_COMMANDS_LIMIT,
      default: 8,
      help: 'commands one player may submit in one tick',
    }),
    tickMs: Setting.integer({ min: 1, max: 60_000, default: 50, help: "a tick's length on a server, ms" }),
    map: Setting.optional(
      Setting.custom({
        help: 'the board: "default", a map file text (docs/rules/creepsmash.md, "Maps") or a map object',
      }),
    ),
  },
  { title: 'CreepSmash settings' },
);

export function defaultConfig(): CreepSmashConfig {
  return parseConfig({});
}

export function parseConfig(raw: unknown): CreepSmashConfig {
  const { map: rawMap, ...rest } = readSettings(creepsmashSettings, raw) as Omit<CreepSmashConfig, 'map'> & {
    map?: unknown;
  };
  if (rawMap === undefined || rawMap === 'default') return rest;
  try {
    if (typeof rawMap === 'string') return { ...rest, map: parseMap(rawMap) };
    if (rawMap && typeof rawMap === 'object') return { ...rest, map: parseMap(formatMapLike(rawMap)) };
    throw new MapError('must be "default", a map file text, or a map object');
  } catch (error) {
    throw new ConfigError('map', (error as Error).message);
  }
}

/** A map object (from a replay or a tournament file) is checked by the same parser as map text. */
function formatMapLike(value: object): string {
  const m = value as { name?: unknown; width?: unknown; height?: unknown; path?: unknown; blocked?: unknown };
  const pairs = (v: unknown) =>
    Array.isArray(v) ? v.map((p) => (Array.isArray(p) ? `${p[0]},${p[1]}` : String(p))).join(' ') : '';
  // Every path cell is a waypoint: consecutive cells share a row or column, so the parser expands nothing.
  return [
    'creepsmash-map 1',
    `name ${typeof m.name === 'string' ? m.name : 'unnamed'}`,
    `size ${m.width} ${m.height}`,
    `path ${pairs(m.path)}`,
    ...(Array.isArray(m.blocked) && m.blocked.length ? [`blocked ${pairs(m.blocked)}`] : []),
  ].join('\n');
}

const geometry = (config: CreepSmashConfig): Geometry => geometryOf(config.map ?? DEFAULT_MAP);

export function setup(config: CreepSmashConfig, players: number, _rng?: Rng): CreepSmashState {
  if (players < 2 || players > 4) throw new RangeError(`creepsmash takes 2 to 4 players, got ${players}`);
  return {
    config,
    players,
    phase: 'choose',
    tick: 0,
    seats: Array.from({ length: players }, () => ({
      credits: config.startCredits,
      income: config.startIncome,
      lives: config.lives,
      alive: true,
      tile: -1,
      diedAt: -1,
    })),
    towers: [],
    creeps: [],
    rockets: [],
    pending: [],
    nextId: 1,
  };
}

export function toAct(state: CreepSmashState): ToAct {
  if (state.phase === 'over') return { kind: 'terminal' };
  const seats: Seat[] = [];
  for (let i = 0; i < state.players; i++) if (state.seats[i]!.alive) seats.push(i);
  return { kind: 'players', seats };
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** A command's shape and what can be known now; credits and occupied cells are checked when it takes effect. */
export function commandError(state: CreepSmashState, command: Command): string | null {
  if (!command || typeof command !== 'object') return 'a command must be an object';
  const g = geometry(state.config);
  const onBoard = (c: { x: unknown; y: unknown }) =>
    isInt(c.x) && isInt(c.y) && c.x >= 0 && c.y >= 0 && c.x < g.map.width && c.y < g.map.height;
  const c = command as Command;
  if (state.phase === 'choose') {
    if (c.kind !== 'tile') return 'before the game only tile commands are accepted';
  } else if (c.kind === 'tile') return 'the tiles were chosen before the game';
  switch (c.kind) {
    case 'tile':
      return isInt(c.tile) && c.tile >= 0 && c.tile < TILES.length ? null : 'tile must be 0 (TL) to 3 (BL)';
    case 'build':
      if (!TOWER_KINDS.includes(c.tower)) return `unknown tower kind (known: ${TOWER_KINDS.join(', ')})`;
      if (!onBoard(c)) return 'cell outside the board';
      return g.cells[c.y * g.map.width + c.x] === 0 ? null : 'cell is on the path or blocked';
    case 'upgrade':
      if (c.level !== undefined && !(isInt(c.level) && c.level >= 2 && c.level <= 4)) return 'level must be 2 to 4';
      return onBoard(c) ? null : 'cell outside the board';
    case 'sell':
      return onBoard(c) ? null : 'cell outside the board';
    case 'strategy':
      if (!STRATEGIES.includes(c.strategy)) return `unknown strategy (known: ${STRATEGIES.join(', ')})`;
      return onBoard(c) ? null : 'cell outside the board';
    case 'send':
      return CREEP_KINDS.includes(c.creep) ? null : `unknown creep kind (known: ${CREEP_KINDS.join(', ')})`;
    default:
      return `unknown command kind ${JSON.stringify((c as { kind?: unknown }).kind)}`;
  }
}

export function validate(state: CreepSmashState, seat: Seat, action: CreepSmashAction): string | null {
  if (!Array.isArray(action)) return 'an action must be an array of commands';
  if (state.phase === 'over') return 'the game is over';
  if (!state.seats[seat]?.alive) return action.length === 0 ? null : 'this player is out';
  if (action.length > state.config.maxCommands)
    return `at most ${state.config.maxCommands} commands a tick, got ${action.length}`;
  for (let i = 0; i < action.length; i++) {
    const reason = commandError(state, action[i]!);
    if (reason !== null) return action.length > 1 ? `${reason} (command ${i + 1} of ${action.length})` : reason;
  }
  return null;
}

export const defaultAction = (): CreepSmashAction => [];

/** Seats in the order creeps travel: by tile, TL → TR → BR → BL. */
function ring(seats: readonly PlayerState[]): number[] {
  return seats.map((_, i) => i).sort((a, b) => seats[a]!.tile - seats[b]!.tile || a - b);
}

/**
 * The board a creep goes to after `from`: the next living board in travel order that is not its sender's, `from`
 * itself last (two players: a creep loops on the opponent's board). -1 when there is none.
 */
export function nextBoard(seats: readonly PlayerState[], from: number, sender: number): number {
  const order = ring(seats);
  const at = order.indexOf(from);
  for (let k = 1; k <= order.length; k++) {
    const s = order[(at + k) % order.length]!;
    if (s !== sender && seats[s]!.alive) return s;
  }
  return -1;
}

export function effectiveSpeed(creep: Creep, tick: number): number {
  const speed = CREEPS[creep.kind].speed;
  return tick < creep.slowUntil ? Math.floor(speed * (1 - creep.slowRate)) : speed;
}

/** Mutable working copies of one tick; the state handed in is never changed. */
interface Work {
  readonly state: CreepSmashState;
  readonly g: Geometry;
  readonly tick: number;
  seats: PlayerState[];
  towers: Tower[];
  creeps: Creep[];
  rockets: Rocket[];
  nextId: number;
  events: CreepSmashEvent[] | undefined;
}

const towerAt = (w: Work, board: number, x: number, y: number) =>
  w.towers.findIndex((t) => t.board === board && t.x === x && t.y === y);

function reject(w: Work, seat: number, command: Command, reason: string) {
  w.events?.push({ type: 'rejected', seat, command, reason });
}

function setSeat(w: Work, seat: number, change: Partial<PlayerState>) {
  w.seats[seat] = { ...w.seats[seat]!, ...change };
}

/** Carries out one command at its tick; anything no longer possible is rejected with an event, never thrown. */
function execute(w: Work, { seat, command }: PendingCommand) {
  const p = w.seats[seat]!;
  if (!p.alive) return reject(w, seat, command, 'this player is out');
  if (w.tick < w.state.config.incomeTicks)
    return reject(w, seat, command, `nothing can be built or sent before tick ${w.state.config.incomeTicks}`);
  switch (command.kind) {
    case 'build': {
      const price = TOWERS[command.tower][0]!.price;
      if (towerAt(w, seat, command.x, command.y) >= 0) return reject(w, seat, command, 'a tower stands there');
      if (p.credits < price) return reject(w, seat, command, `needs ${price} credits, has ${p.credits}`);
      const id = w.nextId++;
      w.towers.push({
        id,
        board: seat,
        kind: command.tower,
        level: 1,
        x: command.x,
        y: command.y,
        strategy: 'CLOSEST',
        readyAt: w.tick,
        paid: price,
      });
      setSeat(w, seat, { credits: p.credits - price });
      w.events?.push({ type: 'built', seat, tower: id, kind: command.tower, x: command.x, y: command.y });
      return;
    }
    case 'upgrade': {
      const i = towerAt(w, seat, command.x, command.y);
      if (i < 0) return reject(w, seat, command, 'no tower of yours there');
      const t = w.towers[i]!;
      const levels = TOWERS[t.kind];
      if (t.level >= levels.length) return reject(w, seat, command, 'the tower is at its top level');
      if (command.level !== undefined && command.level !== t.level + 1)
        return reject(w, seat, command, `the next level is ${t.level + 1}`);
      const price = levels[t.level]!.price;
      if (p.credits < price) return reject(w, seat, command, `needs ${price} credits, has ${p.credits}`);
      w.towers[i] = { ...t, level: t.level + 1, paid: t.paid + price };
      setSeat(w, seat, { credits: p.credits - price });
      w.events?.push({ type: 'upgraded', seat, tower: t.id, level: t.level + 1 });
      return;
    }
    case 'sell': {
      const i = towerAt(w, seat, command.x, command.y);
      if (i < 0) return reject(w, seat, command, 'no tower of yours there');
      const t = w.towers[i]!;
      const refund = Math.floor(t.paid * SELL_SHARE);
      w.towers.splice(i, 1);
      setSeat(w, seat, { credits: p.credits + refund });
      w.events?.push({ type: 'sold', seat, tower: t.id, refund });
      return;
    }
    case 'strategy': {
      const i = towerAt(w, seat, command.x, command.y);
      if (i < 0) return reject(w, seat, command, 'no tower of yours there');
      w.towers[i] = { ...w.towers[i]!, strategy: command.strategy };
      w.events?.push({ type: 'strategy', seat, tower: w.towers[i]!.id, strategy: command.strategy });
      return;
    }
    case 'send': {
      const spec = CREEPS[command.creep];
      if (p.credits < spec.price) return reject(w, seat, command, `needs ${spec.price} credits, has ${p.credits}`);
      const board = nextBoard(w.seats, seat, seat);
      if (board < 0) return reject(w, seat, command, 'no opponent left');
      const id = w.nextId++;
      w.creeps.push({
        id,
        kind: command.creep,
        board,
        sender: seat,
        hp: spec.health,
        progress: 0,
        slowRate: 0,
        slowUntil: 0,
      });
      setSeat(w, seat, { credits: p.credits - spec.price, income: p.income + spec.income });
      w.events?.push({ type: 'sent', seat, creep: id, kind: command.creep, board });
      return;
    }
    case 'tile':
      return reject(w, seat, command, 'the tiles were chosen before the game');
  }
}

/**
 * A creep with some fields changed. Written out rather than `{ ...c, hp }`: creeps are copied every tick (and
 * hundreds of thousands of times a decision by a search bot), and an object literal of one fixed shape is several
 * times faster than a spread. Keys in the order a new creep has them, so states serialise as before.
 */
function creepWith(
  c: Creep,
  hp: number,
  progress = c.progress,
  board = c.board,
  slowRate = c.slowRate,
  slowUntil = c.slowUntil,
): Creep {
  return { id: c.id, kind: c.kind, board, sender: c.sender, hp, progress, slowRate, slowUntil };
}

/** Moves a creep to the start of the next board, or out of the game when there is none. */
function passOn(w: Work, creep: Creep): Creep | null {
  const board = nextBoard(w.seats, creep.board, creep.sender);
  if (board < 0) return null;
  w.events?.push({ type: 'passed', creep: creep.id, from: creep.board, board });
  return creepWith(creep, creep.hp, 0, board);
}

function slow(creep: Creep, rate: number, ticks: number, tick: number): Creep {
  if (rate <= 0 || CREEPS[creep.kind].slowImmune) return creep;
  const slowed = Math.floor(CREEPS[creep.kind].speed * (1 - rate));
  if (slowed >= effectiveSpeed(creep, tick)) return creep;
  return creepWith(creep, creep.hp, creep.progress, creep.board, rate, tick + ticks);
}

/** damage − floor(damage × (reduction / radius) × distance) to every creep of `board` within `radius` of (x, y). */
function splash(
  w: Work,
  board: number,
  x: number,
  y: number,
  damage: number,
  radius: number,
  reduction: number,
  slowRate: number,
  slowTicks: number,
) {
  for (let i = 0; i < w.creeps.length; i++) {
    const c = w.creeps[i]!;
    if (c.board !== board || c.hp <= 0) continue;
    const [cx, cy] = positionAt(w.g, c.progress);
    const d = Math.hypot(cx - x, cy - y);
    if (d > radius) continue;
    const dealt = damage - Math.floor(damage * (reduction / radius) * d);
    w.creeps[i] = slow(creepWith(c, c.hp - dealt), slowRate, slowTicks, w.tick);
  }
}

function pickTarget(w: Work, at: Positions, tower: Tower, tx: number, ty: number, range: number): number {
  let best = -1;
  let bestKey = 0;
  const r2 = range * range;
  for (const i of at.onBoard[tower.board] ?? []) {
    const c = w.creeps[i]!;
    if (c.hp <= 0) continue;
    const dx = at.x[i]! - tx;
    const dy = at.y[i]! - ty;
    const d2 = dx * dx + dy * dy;
    if (d2 > r2) continue;
    // Larger key wins; ties go to the lower id (creeps are kept in id order).
    let key: number;
    switch (tower.strategy) {
      case 'CLOSEST':
        key = -d2;
        break;
      case 'FARTHEST':
        key = c.progress;
        break;
      case 'FASTEST':
        key = effectiveSpeed(c, w.tick);
        break;
      case 'STRONGEST':
        key = c.hp;
        break;
      case 'WEAKEST':
        key = -c.hp;
        break;
    }
    if (best < 0 || key > bestKey) {
      best = i;
      bestKey = key;
    }
  }
  return best;
}

/** Creep positions of this tick by index into `w.creeps` (they move before towers fire, then stay put). */
interface Positions {
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Indices of the creeps on each board, ascending: a tower looks only at its own board's creeps. */
  readonly onBoard: readonly number[][];
}

function positionsOf(w: Work): Positions {
  const x = new Float64Array(w.creeps.length);
  const y = new Float64Array(w.creeps.length);
  const onBoard: number[][] = w.seats.map(() => []);
  for (let i = 0; i < w.creeps.length; i++) {
    const c = w.creeps[i]!;
    const [cx, cy] = positionAt(w.g, c.progress);
    x[i] = cx;
    y[i] = cy;
    onBoard[c.board]?.push(i);
  }
  return { x, y, onBoard };
}

function fire(w: Work) {
  if (w.creeps.length === 0) return;
  let at: Positions | null = null;
  for (let ti = 0; ti < w.towers.length; ti++) {
    const t = w.towers[ti]!;
    if (t.readyAt > w.tick || !w.seats[t.board]!.alive) continue;
    const spec = TOWERS[t.kind][t.level - 1]!;
    const tx = t.x * CELL_PX + CELL_PX / 2;
    const ty = t.y * CELL_PX + CELL_PX / 2;
    at ??= positionsOf(w);
    const target = pickTarget(w, at, t, tx, ty, spec.range);
    if (target < 0) continue;
    w.towers[ti] = {
      id: t.id,
      board: t.board,
      kind: t.kind,
      level: t.level,
      x: t.x,
      y: t.y,
      strategy: t.strategy,
      readyAt: w.tick + spec.cooldown,
      paid: t.paid,
    };
    const c = w.creeps[target]!;
    w.events?.push({ type: 'shot', tower: t.id, creep: c.id });
    const cx = at.x[target]!;
    const cy = at.y[target]!;
    switch (spec.weapon) {
      case 'laser':
        w.creeps[target] = creepWith(c, c.hp - spec.damage);
        break;
      case 'slower':
        w.creeps[target] = slow(creepWith(c, c.hp - spec.damage), spec.slowRate, spec.slowTicks, w.tick);
        break;
      case 'splashlaser':
      case 'slowersplash':
        splash(w, t.board, cx, cy, spec.damage, spec.splashRadius, spec.splashReduction, spec.slowRate, spec.slowTicks);
        break;
      case 'projectile': {
        const flight = Math.max(1, Math.ceil(Math.hypot(cx - tx, cy - ty) / ROCKET_PX_PER_TICK));
        w.rockets.push({
          id: w.nextId++,
          board: t.board,
          target: c.id,
          x: cx,
          y: cy,
          arrives: w.tick + flight,
          damage: spec.damage,
          radius: spec.splashRadius,
          reduction: spec.splashReduction,
        });
        break;
      }
    }
  }
}

function landRockets(w: Work) {
  if (w.rockets.length === 0) return;
  const flying: Rocket[] = [];
  for (const r of w.rockets) {
    if (r.arrives > w.tick) {
      flying.push(r);
      continue;
    }
    const target = w.creeps.find((c) => c.id === r.target && c.hp > 0 && c.board === r.board);
    const [x, y] = target ? positionAt(w.g, target.progress) : [r.x, r.y];
    splash(w, r.board, x, y, r.damage, r.radius, r.reduction, 0, 0);
  }
  w.rockets = flying;
}

function killOrKeep(w: Work) {
  const alive: Creep[] = [];
  for (const c of w.creeps) {
    if (c.hp > 0) {
      alive.push(c);
      continue;
    }
    const bounty = CREEPS[c.kind].bounty;
    const owner = w.seats[c.board]!;
    if (owner.alive) setSeat(w, c.board, { credits: owner.credits + bounty });
    w.events?.push({ type: 'killed', creep: c.id, board: c.board, bounty: owner.alive ? bounty : 0 });
  }
  w.creeps = alive;
}

function moveCreeps(w: Work) {
  const moved: Creep[] = [];
  for (const c0 of w.creeps) {
    const spec = CREEPS[c0.kind];
    let c = c0;
    const hp = spec.regen > 0 ? Math.min(spec.health, c.hp + spec.regen) : c.hp;
    const progress = c.progress + effectiveSpeed(c, w.tick);
    c = creepWith(c, hp, progress);
    if (progress >= w.g.endSteps) {
      const owner = w.seats[c.board]!;
      if (owner.alive) {
        setSeat(w, c.board, { lives: owner.lives - 1 });
        w.events?.push({ type: 'leaked', creep: c.id, board: c.board, lives: owner.lives - 1 });
      }
      const next = passOn(w, c);
      if (next) moved.push(next);
      continue;
    }
    moved.push(c);
  }
  w.creeps = moved;
}

function deaths(w: Work) {
  let died = false;
  for (let s = 0; s < w.seats.length; s++) {
    const p = w.seats[s]!;
    if (p.alive && p.lives <= 0) {
      setSeat(w, s, { alive: false, lives: 0, diedAt: w.tick });
      w.events?.push({ type: 'died', seat: s });
      died = true;
    }
  }
  if (!died) return;
  // Creeps on a fallen board move on; the fallen player's rockets fall harmlessly.
  const kept: Creep[] = [];
  for (const c of w.creeps) {
    if (w.seats[c.board]!.alive) kept.push(c);
    else {
      const next = passOn(w, c);
      if (next) kept.push(next);
    }
  }
  w.creeps = kept;
  w.rockets = w.rockets.filter((r) => w.seats[r.board]!.alive);
}

function chooseTiles(state: CreepSmashState, actions: ReadonlyMap<Seat, CreepSmashAction>, events?: CreepSmashEvent[]) {
  const seats = state.seats.map((p) => ({ ...p }));
  const taken = new Set<number>();
  // Seat order decides a contested tile; a seat without a (free) choice gets the lowest free tile.
  for (let s = 0; s < seats.length; s++) {
    const wish = actions.get(s)?.find((c) => c.kind === 'tile');
    let tile = wish && wish.kind === 'tile' && !taken.has(wish.tile) ? wish.tile : -1;
    if (tile < 0) tile = [0, 1, 2, 3].find((t) => !taken.has(t))!;
    taken.add(tile);
    seats[s]!.tile = tile;
    events?.push({ type: 'tile', seat: s, tile });
  }
  return { ...state, phase: 'play' as const, seats };
}

/**
 * One tick (docs/rules/creepsmash.md, "A tick"): commands submitted now are queued for tick + delay; income; the
 * commands due now, in submission order; creeps regenerate and move (leaks cost lives, creeps pass on); players at
 * 0 lives fall; towers fire; rockets land; dead creeps pay their bounty; the game ends with one player left or at
 * maxTicks.
 */
export function apply(
  state: CreepSmashState,
  step: StepActions<CreepSmashAction, never>,
  events?: CreepSmashEvent[],
): CreepSmashState {
  if (state.phase === 'over') throw new Error('creepsmash: the game is over');
  if (step.kind !== 'players') throw new Error('creepsmash has no chance steps');
  if (state.phase === 'choose') return chooseTiles(state, step.actions, events);
  const { config } = state;
  const tick = state.tick;
  let pending = state.pending;
  const seatsActing = [...step.actions.keys()].sort((a, b) => a - b);
  if (seatsActing.some((s) => (step.actions.get(s)?.length ?? 0) > 0)) {
    const added: PendingCommand[] = [];
    for (const seat of seatsActing)
      for (const command of step.actions.get(seat)!) added.push({ at: tick + config.delayTicks, seat, command });
    pending = pending.concat(added);
  }
  const w: Work = {
    state,
    g: geometry(config),
    tick,
    seats: state.seats.slice(),
    towers: state.towers.slice(),
    creeps: state.creeps.slice(),
    rockets: state.rockets.slice(),
    nextId: state.nextId,
    events,
  };
  if (tick > 0 && tick % config.incomeTicks === 0) {
    for (let s = 0; s < w.seats.length; s++) {
      const p = w.seats[s]!;
      if (!p.alive) continue;
      setSeat(w, s, { credits: p.credits + p.income });
      events?.push({ type: 'income', seat: s, amount: p.income });
    }
  }
  let due = 0;
  while (due < pending.length && pending[due]!.at <= tick) execute(w, pending[due++]!);
  if (due > 0) pending = pending.slice(due);
  moveCreeps(w);
  deaths(w);
  fire(w);
  landRockets(w);
  killOrKeep(w);
  const living = w.seats.filter((p) => p.alive).length;
  const over = living <= 1 || tick + 1 >= config.maxTicks;
  if (over) events?.push({ type: 'over', tick });
  return {
    config,
    players: state.players,
    phase: over ? 'over' : 'play',
    tick: tick + 1,
    seats: w.seats,
    towers: w.towers,
    creeps: w.creeps,
    rockets: w.rockets,
    pending,
    nextId: w.nextId,
  };
}

export function observe(state: CreepSmashState, seat: Seat): CreepSmashObservation {
  return { seat, state };
}

/**
 * Ranks: living players by lives (more is better), then fallen players by how long they lasted. Scores are the lives
 * left, so that the score table reads like the game.
 */
export function result(state: CreepSmashState): GameResult | null {
  if (state.phase !== 'over') return null;
  const key = (p: PlayerState) => (p.alive ? 1e12 + p.lives : p.diedAt);
  const keys = state.seats.map(key);
  const ranks = keys.map((k) => 1 + keys.filter((o) => o > k).length);
  const firsts = ranks.flatMap((r, s) => (r === 1 ? [s] : []));
  return { scores: state.seats.map((p) => p.lives), ranks, winner: firsts.length === 1 ? firsts[0]! : null };
}

export function determinize(observation: CreepSmashObservation): CreepSmashState {
  return observation.state;
}

const cellOf = (c: { x: number; y: number }) => `${c.x},${c.y}`;

export function formatCommand(c: Command): string {
  switch (c.kind) {
    case 'tile':
      return `tile ${TILES[c.tile] ?? c.tile}`;
    case 'build':
      return `build ${c.tower} at ${cellOf(c)}`;
    case 'upgrade':
      return `upgrade ${cellOf(c)}`;
    case 'sell':
      return `sell ${cellOf(c)}`;
    case 'strategy':
      return `strategy ${cellOf(c)} ${c.strategy}`;
    case 'send':
      return `send ${c.creep}`;
  }
}

export function describeStep(
  before: CreepSmashState,
  step: StepActions<CreepSmashAction, never>,
  events: readonly CreepSmashEvent[],
): string[] {
  const lines: string[] = [];
  const t = `tick ${before.tick}`;
  if (step.kind === 'players') {
    for (const [seat, action] of step.actions) {
      if (action.length === 0) continue;
      const when =
        before.phase === 'choose' ? 'before the game' : `${t}, effective ${before.tick + before.config.delayTicks}`;
      lines.push(`${when}: seat ${seat} ${action.map(formatCommand).join('; ')}`);
    }
  }
  for (const e of events) {
    switch (e.type) {
      case 'shot':
      case 'income':
        break;
      case 'tile':
        lines.push(`seat ${e.seat} plays on ${TILES[e.tile]}`);
        break;
      case 'built':
        lines.push(`${t}: seat ${e.seat} built ${e.kind} #${e.tower} at ${e.x},${e.y}`);
        break;
      case 'upgraded':
        lines.push(`${t}: seat ${e.seat} upgraded #${e.tower} to level ${e.level}`);
        break;
      case 'sold':
        lines.push(`${t}: seat ${e.seat} sold #${e.tower} for ${e.refund}`);
        break;
      case 'strategy':
        lines.push(`${t}: seat ${e.seat} set #${e.tower} to ${e.strategy}`);
        break;
      case 'sent':
        lines.push(`${t}: seat ${e.seat} sent ${e.kind} #${e.creep} to seat ${e.board}`);
        break;
      case 'rejected':
        lines.push(`${t}: seat ${e.seat} ${formatCommand(e.command)} rejected: ${e.reason}`);
        break;
      case 'leaked':
        lines.push(`${t}: creep #${e.creep} got through seat ${e.board} (${e.lives} lives left)`);
        break;
      case 'passed':
        break;
      case 'killed':
        lines.push(`${t}: creep #${e.creep} killed on seat ${e.board}'s board (bounty ${e.bounty})`);
        break;
      case 'died':
        lines.push(`${t}: seat ${e.seat} is out`);
        break;
      case 'over':
        lines.push(`${t}: game over`);
        break;
    }
  }
  return lines;
}

export const creepsmashEngine: GameEngine<
  CreepSmashState,
  CreepSmashAction,
  CreepSmashObservation,
  CreepSmashConfig,
  never,
  CreepSmashEvent
> = {
  id: 'creepsmash',
  version: ENGINE_VERSION,
  minPlayers: 2,
  maxPlayers: 4,
  defaultConfig,
  parseConfig,
  setup,
  toAct,
  validate,
  defaultAction,
  apply,
  observe,
  result,
  determinize,
  describeStep,
};
