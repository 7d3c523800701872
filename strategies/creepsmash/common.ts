import {
  type Command,
  CREEPS,
  type CreepSmashState,
  DEFAULT_MAP,
  geometryOf,
  TOWERS,
  type TowerKind,
} from '../../src/games/creepsmash/index.ts';
import type { Geometry } from '../../src/games/creepsmash/map.ts';

/** Helpers every CreepSmash bot needs: what its queued commands will cost, where it may build, what a cell sees. */

/** Credits left once this seat's queued commands (taking effect later, lockstep) have been paid. */
export function spendable(state: CreepSmashState, seat: number): number {
  let credits = state.seats[seat]!.credits;
  for (const p of state.pending) {
    if (p.seat !== seat) continue;
    credits -= costOf(state, seat, p.command);
  }
  return credits;
}

export function costOf(state: CreepSmashState, seat: number, c: Command): number {
  switch (c.kind) {
    case 'build':
      return TOWERS[c.tower][0]!.price;
    case 'send':
      return CREEPS[c.creep].price;
    case 'upgrade': {
      const t = state.towers.find((o) => o.board === seat && o.x === c.x && o.y === c.y);
      return t ? (TOWERS[t.kind][t.level]?.price ?? 0) : 0;
    }
    default:
      return 0;
  }
}

/** Buildable cells of `seat`'s board with no tower and no queued build. */
export function freeCells(state: CreepSmashState, seat: number): [number, number][] {
  const g = geometryOf(state.config.map ?? DEFAULT_MAP);
  const used = new Set<number>();
  for (const t of state.towers) if (t.board === seat) used.add(t.y * g.map.width + t.x);
  for (const p of state.pending)
    if (p.seat === seat && p.command.kind === 'build') used.add(p.command.y * g.map.width + p.command.x);
  const out: [number, number][] = [];
  for (let y = 0; y < g.map.height; y++)
    for (let x = 0; x < g.map.width; x++) {
      const k = y * g.map.width + x;
      if (g.cells[k] === 0 && !used.has(k)) out.push([x, y]);
    }
  return out;
}

/** Per geometry (shared by every state on a map), per range: asked for per tower on every bot decision. */
const coverageCache = new WeakMap<Geometry, Map<number, Float64Array>>();

/** Per cell: how many path cells lie within `range` pixels of it (how long a tower there keeps a creep in sight). */
export function coverage(state: CreepSmashState, range: number): Float64Array {
  const g = geometryOf(state.config.map ?? DEFAULT_MAP);
  let byRange = coverageCache.get(g);
  if (!byRange) {
    byRange = new Map();
    coverageCache.set(g, byRange);
  }
  const hit = byRange.get(range);
  if (hit) return hit;
  const out = new Float64Array(g.map.width * g.map.height);
  for (let y = 0; y < g.map.height; y++)
    for (let x = 0; x < g.map.width; x++) {
      const cx = x * 20 + 10;
      const cy = y * 20 + 10;
      let n = 0;
      for (let i = 0; i < g.pathX.length; i++) if (Math.hypot(g.pathX[i]! - cx, g.pathY[i]! - cy) <= range) n++;
      out[y * g.map.width + x] = n;
    }
  byRange.set(range, out);
  return out;
}

/** Damage a second of a tower level, for comparing options. */
export function dps(kind: TowerKind, level: number): number {
  const l = TOWERS[kind][level - 1]!;
  return (l.damage * 20) / l.cooldown;
}

/**
 * Whether this tick is one the bot acts on: every `every` ticks, from the first tick whose commands can count,
 * shifted by `offset` (bots draw it from their own stream, so two copies of one bot do not act in lockstep).
 */
export function decisionTick(state: CreepSmashState, every: number, offset = 0): boolean {
  const first = Math.max(0, state.config.incomeTicks - state.config.delayTicks);
  return state.phase === 'play' && state.tick >= first && (state.tick - first) % every === offset % every;
}
