import type { GameEngine, GameResult, Seat, StepActions, ToAct } from '../../core/engine.ts';
import type { Rng } from '../../core/rng.ts';
import { defaultConfig, parseConfig } from './config.ts';
import { generateOre, startRow } from './map.ts';
import {
  type Command,
  type EnemyView,
  type Equipment,
  type Item,
  ORE_KINDS,
  type OreKind,
  type OreRushAction,
  type OreRushConfig,
  type OreRushEvent,
  type OreRushObservation,
  type OreRushState,
  type Placed,
  type Robot,
} from './types.ts';

export const ENGINE_VERSION = '1';

export const distance = (ax: number, ay: number, bx: number, by: number): number =>
  Math.abs(ax - bx) + Math.abs(ay - by);

const WAIT: Command = Object.freeze({ type: 'WAIT' });

function isOre(item: Item): item is OreKind {
  return item !== null && item !== 'radar' && item !== 'trap';
}

export function setup(config: OreRushConfig, players: number, rng: Rng): OreRushState {
  const { ore, kinds } = generateOre(config, rng);
  const robots: Robot[] = [];
  for (let owner = 0; owner < players; owner++) {
    for (let id = 0; id < config.robots; id++) {
      robots.push({ owner, id, x: 0, y: startRow(id, config.robots, config.height), item: null, alive: true });
    }
  }
  return {
    config,
    players,
    round: 0,
    ore,
    kinds,
    dug: new Array<number>(config.width * config.height).fill(0),
    robots,
    radars: [],
    traps: [],
    cooldowns: Array.from({ length: players }, () => ({ radar: 0, trap: 0 })),
    scores: new Array<number>(players).fill(0),
    events: [],
  };
}

export function isOver(state: OreRushState): boolean {
  if (state.round >= state.config.rounds) return true;
  for (const r of state.robots) if (r.alive) return false;
  return true;
}

const allSeats: ToAct[] = [];

export function toAct(state: OreRushState): ToAct {
  if (isOver(state)) return { kind: 'terminal' };
  let turn = allSeats[state.players];
  if (!turn) {
    turn = Object.freeze({ kind: 'players', seats: Object.freeze(Array.from({ length: state.players }, (_, i) => i)) });
    allSeats[state.players] = turn;
  }
  return turn;
}

/** Structural check of one command (also used on commands decoded from the wire); null when well-formed. */
export function commandShapeError(cmd: unknown, width: number, height: number): string | null {
  if (!cmd || typeof cmd !== 'object' || Array.isArray(cmd)) return 'a command must be an object';
  const c = cmd as Record<string, unknown>;
  switch (c.type) {
    case 'WAIT':
      return null;
    case 'MOVE':
    case 'DIG': {
      const { x, y } = c;
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x >= width)
        return `${c.type} x must be an integer from 0 to ${width - 1}, got ${JSON.stringify(x)}`;
      if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= height)
        return `${c.type} y must be an integer from 0 to ${height - 1}, got ${JSON.stringify(y)}`;
      return null;
    }
    case 'REQUEST':
      if (c.item !== 'radar' && c.item !== 'trap')
        return `REQUEST item must be "radar" or "trap", got ${JSON.stringify(c.item)}`;
      return null;
    default:
      return `unknown command type ${JSON.stringify(c.type)} (WAIT, MOVE, DIG, REQUEST)`;
  }
}

export function validate(state: OreRushState, seat: Seat, action: OreRushAction): string | null {
  const { config } = state;
  if (!Array.isArray(action)) return 'an action must be an array of commands, one per robot';
  if (action.length !== config.robots)
    return `expected ${config.robots} commands (one per robot), got ${action.length}`;
  const requested = { radar: false, trap: false };
  for (let id = 0; id < action.length; id++) {
    const cmd = action[id] as Command;
    const shape = commandShapeError(cmd, config.width, config.height);
    if (shape) return `robot ${id}: ${shape}`;
    const robot = state.robots[seat * config.robots + id]!;
    // A destroyed robot's command is ignored: a bot may not have noticed the explosion yet.
    if (!robot.alive || cmd.type !== 'REQUEST') continue;
    if (robot.x !== 0) return `robot ${id}: REQUEST only at the headquarters (x = 0), robot is at x = ${robot.x}`;
    if (robot.item !== null) return `robot ${id}: REQUEST needs empty hands, robot carries ${robot.item}`;
    const cooldown = state.cooldowns[seat]![cmd.item];
    if (cooldown > 0) return `robot ${id}: ${cmd.item} is cooling down (${cooldown} more rounds)`;
    if (requested[cmd.item]) return `robot ${id}: only one ${cmd.item} can be requested per round`;
    requested[cmd.item] = true;
  }
  return null;
}

export function defaultAction(state: OreRushState): OreRushAction {
  return new Array<Command>(state.config.robots).fill(WAIT);
}

/** Where a robot ends a MOVE (or a DIG out of reach): up to moveRange steps, columns first, then rows. */
export function stepToward(
  x: number,
  y: number,
  tx: number,
  ty: number,
  range: number,
  stopWithin: number,
): { x: number; y: number; steps: number } {
  let steps = 0;
  while (steps < range && distance(x, y, tx, ty) > stopWithin) {
    if (x !== tx) x += tx > x ? 1 : -1;
    else y += ty > y ? 1 : -1;
    steps++;
  }
  return { x, y, steps };
}

const orders = new Map<number, readonly number[]>();

/** Robot indices (owner * robots + id) in this round's priority order: rotated seats, then robot ids. */
export function robotOrder(round: number, players: number, robots: number): readonly number[] {
  // A number, not a template string: this runs on every apply. Unique while players <= 1024 (the engine allows
  // 4; the function is exported, so a larger count is still answered, just not cached).
  const key = players <= 1024 ? (robots * 1025 + players) * 1024 + (round % players) : -1;
  let order = key >= 0 ? orders.get(key) : undefined;
  if (!order) {
    const list: number[] = [];
    for (const seat of seatOrder(round, players)) for (let id = 0; id < robots; id++) list.push(seat * robots + id);
    order = Object.freeze(list);
    if (key >= 0) orders.set(key, order);
  }
  return order;
}

/** Seats in this round's priority order: the first seat rotates every round so no seat always wins ties. */
export function seatOrder(round: number, players: number): number[] {
  return Array.from({ length: players }, (_, k) => (round + k) % players);
}

interface Mutable {
  x: number;
  y: number;
  item: Item;
  alive: boolean;
  readonly owner: number;
  readonly id: number;
}

export function apply(state: OreRushState, step: StepActions<OreRushAction>, events?: OreRushEvent[]): OreRushState {
  if (step.kind !== 'players') throw new Error('orerush has no chance steps');
  const { config, players } = state;
  const { width, robots: R } = config;
  const evs: OreRushEvent[] = [];
  const robots: Mutable[] = [];
  for (const r of state.robots) robots.push({ owner: r.owner, id: r.id, x: r.x, y: r.y, item: r.item, alive: r.alive });
  const commands: Command[] = new Array(robots.length);
  for (let seat = 0; seat < players; seat++) {
    const action = step.actions.get(seat);
    for (let id = 0; id < R; id++) commands[seat * R + id] = action?.[id] ?? WAIT;
  }
  // Robot indices in priority order: seats rotated by round, robots by id within a seat.
  const order = robotOrder(state.round, players, R);

  let ore = state.ore;
  let dug = state.dug;
  let dugCells: number[] | undefined;
  let radars: readonly Placed[] = state.radars;
  let traps: readonly Placed[] = state.traps;

  // 1. Digs: the traps they set off explode first (with chain reactions), then surviving diggers dig.
  const diggers: number[] = [];
  for (const r of order) {
    const robot = robots[r]!;
    const cmd = commands[r]!;
    if (robot.alive && cmd.type === 'DIG' && distance(robot.x, robot.y, cmd.x, cmd.y) <= config.digRange)
      diggers.push(r);
  }
  if (diggers.length > 0) {
    const exploding: number[] = [];
    const hit = new Array<boolean>(traps.length).fill(false);
    for (let t = 0; t < traps.length; t++) {
      const trap = traps[t]!;
      for (const r of diggers) {
        const cmd = commands[r] as { x: number; y: number };
        if (distance(trap.x, trap.y, cmd.x, cmd.y) <= config.trapTrigger) {
          hit[t] = true;
          exploding.push(t);
          break;
        }
      }
    }
    // Breadth-first chain: each exploding trap sets off every trap within trapChain, in list order.
    for (let k = 0; k < exploding.length; k++) {
      const a = traps[exploding[k]!]!;
      for (let t = 0; t < traps.length; t++) {
        if (hit[t]) continue;
        const b = traps[t]!;
        if (distance(a.x, a.y, b.x, b.y) <= config.trapChain) {
          hit[t] = true;
          exploding.push(t);
        }
      }
    }
    if (exploding.length > 0) {
      const blasts = exploding.map((t) => traps[t]!);
      for (const b of blasts) evs.push({ kind: 'explosion', x: b.x, y: b.y, owner: b.owner });
      const inBlast = (x: number, y: number) => blasts.some((b) => distance(b.x, b.y, x, y) <= config.trapBlast);
      for (const r of order) {
        const robot = robots[r]!;
        if (robot.alive && inBlast(robot.x, robot.y)) {
          robot.alive = false;
          robot.item = null;
          evs.push({ kind: 'destroyed', seat: robot.owner, robot: robot.id, x: robot.x, y: robot.y });
        }
      }
      traps = traps.filter((t, i) => !hit[i] && !inBlast(t.x, t.y));
      radars = radars.filter((d) => {
        if (!inBlast(d.x, d.y)) return true;
        evs.push({ kind: 'radarLost', seat: d.owner, x: d.x, y: d.y });
        return false;
      });
    }
    for (const r of diggers) {
      const robot = robots[r]!;
      if (!robot.alive) continue;
      const { x, y } = commands[r] as { x: number; y: number };
      const cell = y * width + x;
      if ((dug[cell]! & (1 << robot.owner)) === 0) {
        if (dug === state.dug) {
          dug = dug.slice();
          dugCells = deriveDug(state.dug, dug);
        }
        (dug as number[])[cell] = dug[cell]! | (1 << robot.owner);
        dugCells!.push(cell);
      }
      if (radars.some((d) => d.x === x && d.y === y && d.owner !== robot.owner)) {
        radars = radars.filter((d) => {
          if (d.x !== x || d.y !== y || d.owner === robot.owner) return true;
          evs.push({ kind: 'radarLost', seat: d.owner, x, y });
          return false;
        });
      }
      let buried: Equipment | null = null;
      if (robot.item === 'radar' || robot.item === 'trap') {
        buried = robot.item;
        const placed = { x, y, owner: robot.owner };
        if (buried === 'radar') radars = [...radars, placed];
        else traps = [...traps, placed];
        robot.item = null;
      }
      let picked: OreKind | null = null;
      if (robot.item === null && ore[cell]! > 0) {
        if (ore === state.ore) ore = ore.slice();
        (ore as number[])[cell] = ore[cell]! - 1;
        picked = ORE_KINDS[state.kinds[cell]!]!;
        robot.item = picked;
      }
      evs.push({ kind: 'dig', seat: robot.owner, robot: robot.id, x, y, buried, ore: picked });
    }
  }

  // 2. Requests (validated: at the headquarters, empty hands, no cooldown, one per item and player).
  const cooldowns: { radar: number; trap: number }[] = [];
  for (const c of state.cooldowns) cooldowns.push({ radar: c.radar, trap: c.trap });
  for (const r of order) {
    const robot = robots[r]!;
    const cmd = commands[r]!;
    if (!robot.alive || cmd.type !== 'REQUEST') continue;
    robot.item = cmd.item;
    cooldowns[robot.owner]![cmd.item] = cmd.item === 'radar' ? config.radarCooldown : config.trapCooldown;
    evs.push({ kind: 'request', seat: robot.owner, robot: robot.id, item: cmd.item });
  }

  // 3. Moves, simultaneous. Outside the headquarters column a cell holds one robot (see resolveMoves).
  const dest = new Array<{ x: number; y: number; steps: number } | null>(robots.length).fill(null);
  let moving = false;
  for (const r of order) {
    const robot = robots[r]!;
    const cmd = commands[r]!;
    if (!robot.alive) continue;
    if (cmd.type === 'MOVE') dest[r] = stepToward(robot.x, robot.y, cmd.x, cmd.y, config.moveRange, 0);
    else if (cmd.type === 'DIG' && distance(robot.x, robot.y, cmd.x, cmd.y) > config.digRange)
      dest[r] = stepToward(robot.x, robot.y, cmd.x, cmd.y, config.moveRange, config.digRange);
    else continue;
    if (dest[r]!.steps > 0) moving = true;
    else dest[r] = null;
  }
  if (moving) {
    const blocked = resolveMoves(robots, dest, order, width, width * config.height);
    for (const r of order) {
      const d = dest[r];
      if (!d) continue;
      const robot = robots[r]!;
      if (blocked[r]) {
        evs.push({ kind: 'blocked', seat: robot.owner, robot: robot.id, x: robot.x, y: robot.y });
      } else {
        robot.x = d.x;
        robot.y = d.y;
      }
    }
  }

  // 4. Ore carried into the headquarters column scores.
  const scores = state.scores.slice();
  for (const r of order) {
    const robot = robots[r]!;
    if (robot.alive && robot.x === 0 && isOre(robot.item)) {
      const points = config.oreValues[ORE_KINDS.indexOf(robot.item)]!;
      scores[robot.owner] = scores[robot.owner]! + points;
      evs.push({ kind: 'score', seat: robot.owner, robot: robot.id, ore: robot.item, points });
      robot.item = null;
    }
  }

  // 5. Cooldowns tick at the end of every round, so an item requested in round r is available again in r + N.
  for (const c of cooldowns) {
    if (c.radar > 0) c.radar--;
    if (c.trap > 0) c.trap--;
  }
  if (events) for (const e of evs) events.push(e);
  return {
    config,
    players,
    round: state.round + 1,
    ore,
    kinds: state.kinds,
    dug,
    robots,
    radars,
    traps,
    cooldowns,
    scores,
    events: evs,
  };
}

/**
 * Simultaneous moves. A cell outside the headquarters column ends the round with at most one robot: a robot
 * that stays (no move, or a blocked one) keeps its cell; among robots moving onto one free cell the one that
 * travelled fewest steps wins, ties go to the seat first in this round's rotation, then the lower robot id.
 * Losers stay where they were, which may block others in turn: repeated until nothing changes (each pass
 * blocks at least one more robot, so at most one pass per robot). Returns blocked[r].
 */
function resolveMoves(
  robots: readonly Mutable[],
  dest: readonly ({ x: number; y: number; steps: number } | null)[],
  order: readonly number[],
  width: number,
  cells: number,
): boolean[] {
  const blocked = new Array<boolean>(robots.length).fill(false);
  if (claimScratch.length < cells) claimScratch = new Int32Array(cells).fill(-1);
  const claim = claimScratch;
  const touched: number[] = [];
  const stays = (r: number) => !dest[r] || blocked[r];
  for (let pass = 0; pass <= robots.length; pass++) {
    let changed = false;
    // `order` is the priority order, so a later claimant never wins a tie against an earlier one.
    for (const r of order) {
      const robot = robots[r]!;
      if (!robot.alive) continue;
      const d = dest[r];
      const moving = d !== null && !blocked[r];
      const x = moving ? d!.x : robot.x;
      if (x === 0) continue;
      const cell = (moving ? d!.y : robot.y) * width + x;
      const holder = claim[cell]!;
      if (holder === -1) {
        claim[cell] = r;
        touched.push(cell);
        continue;
      }
      let loser: number;
      if (stays(holder)) loser = r;
      else if (!moving) loser = holder;
      else loser = dest[r]!.steps < dest[holder]!.steps ? holder : r;
      if (loser === holder) claim[cell] = r;
      if (!stays(loser)) {
        blocked[loser] = true;
        changed = true;
      }
    }
    for (const cell of touched) claim[cell] = -1;
    touched.length = 0;
    if (!changed) break;
  }
  return blocked;
}

let claimScratch = new Int32Array(0);

let scratch = new Uint8Array(0);

/**
 * Cells within radarRange of any of `seat`'s radars. Returns a shared scratch buffer (observe is synchronous
 * and hot: a fresh typed array per call cost more than the rest of an observation); copy it to keep it.
 */
export function visionMask(state: OreRushState, seat: Seat): Uint8Array {
  const { width, height, radarRange } = state.config;
  if (scratch.length < width * height) scratch = new Uint8Array(width * height);
  const mask = scratch.length === width * height ? scratch : scratch.subarray(0, width * height);
  mask.fill(0);
  for (const d of state.radars) {
    if (d.owner !== seat) continue;
    const y0 = Math.max(0, d.y - radarRange);
    const y1 = Math.min(height - 1, d.y + radarRange);
    for (let y = y0; y <= y1; y++) {
      const span = radarRange - Math.abs(y - d.y);
      const x0 = Math.max(0, d.x - span);
      const x1 = Math.min(width - 1, d.x + span);
      mask.fill(1, y * width + x0, y * width + x1 + 1);
    }
  }
  return mask;
}

export function visibleEvents(events: readonly OreRushEvent[], seat: Seat): OreRushEvent[] {
  const out: OreRushEvent[] = [];
  for (const e of events) {
    if (e.kind === 'explosion' || e.kind === 'destroyed' || e.kind === 'score' || e.seat === seat) out.push(e);
  }
  return out;
}

function hasRadar(state: OreRushState, seat: Seat): boolean {
  for (const d of state.radars) if (d.owner === seat) return true;
  return false;
}

function ownCells(list: readonly Placed[], seat: Seat): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (const p of list) if (p.owner === seat) out.push({ x: p.x, y: p.y });
  return out;
}

/*
 * Observation arrays are shared between observations while what they show is unchanged: apply() keeps the
 * ore and dug arrays (and the radar list) of the previous state when a round did not change them, so a cache
 * hung on those arrays turns most rounds' 450-cell copies into a lookup. The cache is a non-enumerable symbol
 * property: invisible to JSON (hashes, replays) and structuredClone, so states stay plain data. It holds no
 * reference to older states (a WeakMap chain from each array to its predecessor kept whole games alive and
 * made garbage collection the largest cost). Observations are read-only.
 */
const VIEWS = Symbol('orerush.views');

interface DugCache {
  /** holes[seat]: the holes view of this dug array. */
  readonly holes: (number[] | undefined)[];
  /** The previous dug array's views and the cells dug since, until this array's views are built. */
  base?: (number[] | undefined)[];
  cells?: number[];
}

interface OreCache {
  readonly views: ({ radars: readonly Placed[]; ore: number[]; kinds: number[] } | undefined)[];
}

function cacheOf<T extends object>(array: readonly number[], make: () => T): T {
  const holder = array as unknown as { [VIEWS]?: T };
  let cache = holder[VIEWS];
  if (!cache) {
    cache = make();
    Object.defineProperty(array, VIEWS, { value: cache, enumerable: false });
  }
  return cache;
}

/** Called by apply() when it copies `from` into `to` to dig `cells` (pushed to the returned list). */
function deriveDug(from: readonly number[], to: readonly number[]): number[] {
  const previous = (from as unknown as { [VIEWS]?: DugCache })[VIEWS];
  const cells: number[] = [];
  cacheOf<DugCache>(to, () => ({ holes: [], ...(previous ? { base: previous.holes.slice(), cells } : {}) }));
  return cells;
}

const blankViews = new Map<number, number[]>();

function oreView(state: OreRushState, seat: Seat): { ore: readonly number[]; kinds: readonly number[] } {
  const n = state.config.width * state.config.height;
  if (!hasRadar(state, seat)) {
    let blank = blankViews.get(n);
    if (!blank) {
      blank = new Array<number>(n).fill(-1);
      blankViews.set(n, blank);
    }
    return { ore: blank, kinds: blank };
  }
  const cache = cacheOf<OreCache>(state.ore, () => ({ views: [] }));
  const cached = cache.views[seat];
  if (cached && cached.radars === state.radars) return cached;
  const mask = visionMask(state, seat);
  const ore = new Array<number>(n);
  const kinds = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (mask[i] === 1) {
      const amount = state.ore[i]!;
      ore[i] = amount;
      kinds[i] = amount > 0 ? state.kinds[i]! : -1;
    } else {
      ore[i] = -1;
      kinds[i] = -1;
    }
  }
  const view = { radars: state.radars, ore, kinds };
  cache.views[seat] = view;
  return view;
}

function holesView(state: OreRushState, seat: Seat): readonly number[] {
  const cache = cacheOf<DugCache>(state.dug, () => ({ holes: [] }));
  const cached = cache.holes[seat];
  if (cached) return cached;
  const n = state.dug.length;
  const bit = 1 << seat;
  let holes: number[];
  const base = cache.base?.[seat];
  if (base && cache.cells) {
    // The previous round's view plus the cells dug since: a copy instead of a pass over every cell.
    holes = base.slice();
    for (const i of cache.cells) {
      const d = state.dug[i]!;
      holes[i] = d === 0 ? 0 : d & bit ? 2 : 1;
    }
  } else {
    holes = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const d = state.dug[i]!;
      holes[i] = d === 0 ? 0 : d & bit ? 2 : 1;
    }
  }
  cache.holes[seat] = holes;
  return holes;
}

export function observe(state: OreRushState, seat: Seat): OreRushObservation {
  const { config } = state;
  const { ore, kinds } = oreView(state, seat);
  const holes = holesView(state, seat);
  const mask = hasRadar(state, seat) ? visionMask(state, seat) : null;
  const enemies: EnemyView[] = [];
  const alive = new Array<number>(state.players).fill(0);
  for (const r of state.robots) {
    if (!r.alive) continue;
    alive[r.owner]!++;
    if (mask && r.owner !== seat && mask[r.y * config.width + r.x] === 1)
      enemies.push({ owner: r.owner, id: r.id, x: r.x, y: r.y });
  }
  return {
    seat,
    players: state.players,
    round: state.round,
    rounds: config.rounds,
    width: config.width,
    height: config.height,
    over: isOver(state),
    ore,
    kinds,
    holes,
    radars: ownCells(state.radars, seat),
    traps: ownCells(state.traps, seat),
    cooldowns: { ...state.cooldowns[seat]! },
    robots: state.robots.slice(seat * config.robots, (seat + 1) * config.robots),
    enemies,
    scores: state.scores.slice(),
    alive,
    events: visibleEvents(state.events, seat),
  };
}

export function result(state: OreRushState): GameResult | null {
  if (!isOver(state)) return null;
  const scores = state.scores.slice();
  const ranks = scores.map((s) => 1 + scores.filter((o) => o > s).length);
  const best = Math.max(...scores);
  const top = scores.filter((s) => s === best).length;
  return { scores, ranks, winner: top === 1 ? scores.indexOf(best) : null };
}

/**
 * A full state consistent with `obs`: ore where the player has vision as observed, elsewhere a fresh draw of
 * the vein generator; unseen enemy robots at random cells outside the player's vision; a hole the player did
 * not dig hides an enemy trap with probability `trapGuess`. Uses the observation only.
 */
export function determinize(
  obs: OreRushObservation,
  seat: Seat,
  config: OreRushConfig,
  rng: Rng,
  trapGuess = 0.25,
): OreRushState {
  const { width, height } = config;
  const sample = generateOre(config, rng);
  const ore = sample.ore;
  const kinds = sample.kinds;
  for (let i = 0; i < ore.length; i++) {
    if (obs.ore[i]! >= 0) {
      ore[i] = obs.ore[i]!;
      if (obs.kinds[i]! >= 0) kinds[i] = obs.kinds[i]!;
    }
  }
  const others = Array.from({ length: obs.players }, (_, p) => p).filter((p) => p !== seat);
  const dug = obs.holes.map((h) => (h === 0 ? 0 : h === 2 ? 1 << seat : others.length ? 1 << rng.pick(others) : 0));
  const occupied = new Set<number>();
  for (const r of obs.robots) if (r.alive && r.x > 0) occupied.add(r.y * width + r.x);
  for (const e of obs.enemies) if (e.x > 0) occupied.add(e.y * width + e.x);
  const visible = new Set<number>();
  for (const d of obs.radars) {
    for (let i = 0; i < ore.length; i++) {
      if (distance(d.x, d.y, i % width, Math.floor(i / width)) <= config.radarRange) visible.add(i);
    }
  }
  const robots: Robot[] = [];
  for (let p = 0; p < obs.players; p++) {
    if (p === seat) {
      robots.push(...obs.robots);
      continue;
    }
    const seen = new Map(obs.enemies.filter((e) => e.owner === p).map((e) => [e.id, e] as const));
    let unseenAlive = (obs.alive[p] ?? 0) - seen.size;
    for (let id = 0; id < config.robots; id++) {
      const e = seen.get(id);
      if (e) {
        robots.push({ owner: p, id, x: e.x, y: e.y, item: null, alive: true });
        continue;
      }
      if (unseenAlive <= 0) {
        robots.push({ owner: p, id, x: 0, y: startRow(id, config.robots, height), item: null, alive: false });
        continue;
      }
      unseenAlive--;
      let x = 0;
      let y = startRow(id, config.robots, height);
      for (let tries = 0; tries < 20; tries++) {
        const cx = rng.int(0, width - 1);
        const cy = rng.int(0, height - 1);
        const cell = cy * width + cx;
        if (cx === 0 || (!occupied.has(cell) && !visible.has(cell))) {
          x = cx;
          y = cy;
          if (cx > 0) occupied.add(cell);
          break;
        }
      }
      robots.push({ owner: p, id, x, y, item: null, alive: true });
    }
  }
  const radars: Placed[] = obs.radars.map((d) => ({ ...d, owner: seat }));
  const traps: Placed[] = obs.traps.map((t) => ({ ...t, owner: seat }));
  if (others.length) {
    obs.holes.forEach((h, i) => {
      if (h === 1 && rng.next() < trapGuess)
        traps.push({ x: i % width, y: Math.floor(i / width), owner: rng.pick(others) });
    });
  }
  const cooldowns = Array.from({ length: obs.players }, (_, p) =>
    p === seat ? { ...obs.cooldowns } : { radar: 0, trap: 0 },
  );
  return {
    config,
    players: obs.players,
    round: obs.round,
    ore,
    kinds,
    dug,
    robots,
    radars,
    traps,
    cooldowns,
    scores: obs.scores.slice(),
    events: [],
  };
}

export function formatCommand(cmd: Command): string {
  switch (cmd.type) {
    case 'WAIT':
      return 'WAIT';
    case 'REQUEST':
      return `REQUEST ${cmd.item}`;
    default:
      return `${cmd.type} ${cmd.x} ${cmd.y}`;
  }
}

export function formatEvent(e: OreRushEvent): string {
  switch (e.kind) {
    case 'explosion':
      return `trap of seat ${e.owner} explodes at (${e.x},${e.y})`;
    case 'destroyed':
      return `seat ${e.seat} robot ${e.robot} destroyed at (${e.x},${e.y})`;
    case 'radarLost':
      return `seat ${e.seat} loses its radar at (${e.x},${e.y})`;
    case 'dig':
      return `seat ${e.seat} robot ${e.robot} digs (${e.x},${e.y})${e.buried ? `, buries a ${e.buried}` : ''}${e.ore ? `, finds ${e.ore}` : ''}`;
    case 'request':
      return `seat ${e.seat} robot ${e.robot} takes a ${e.item}`;
    case 'blocked':
      return `seat ${e.seat} robot ${e.robot} is blocked at (${e.x},${e.y})`;
    case 'score':
      return `seat ${e.seat} robot ${e.robot} delivers ${e.ore}: +${e.points}`;
  }
}

export function describeStep(
  before: OreRushState,
  step: StepActions<OreRushAction>,
  events: readonly OreRushEvent[],
  after: OreRushState,
): string[] {
  const lines = [`round ${before.round + 1}/${before.config.rounds}`];
  if (step.kind === 'players') {
    for (const [seat, action] of [...step.actions].sort((a, b) => a[0] - b[0])) {
      const moves = action
        .map((cmd, id) => (cmd.type === 'WAIT' ? null : `r${id} ${formatCommand(cmd)}`))
        .filter((s): s is string => s !== null);
      if (moves.length) lines.push(`  seat ${seat}: ${moves.join(', ')}`);
    }
  }
  for (const e of events) lines.push(`  ${formatEvent(e)}`);
  if (events.some((e) => e.kind === 'score')) lines.push(`  scores ${after.scores.join(' : ')}`);
  return lines;
}

export const orerushEngine: GameEngine<
  OreRushState,
  OreRushAction,
  OreRushObservation,
  OreRushConfig,
  never,
  OreRushEvent
> = {
  id: 'orerush',
  version: ENGINE_VERSION,
  minPlayers: 1,
  maxPlayers: 4,
  defaultConfig,
  parseConfig,
  setup,
  toAct,
  validate,
  defaultAction: (state) => defaultAction(state),
  apply,
  observe,
  visibleEvents,
  result,
  determinize: (obs, seat, config, rng) => determinize(obs, seat, config, rng),
  describeStep,
};
