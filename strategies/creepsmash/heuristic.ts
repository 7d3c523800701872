import type { StrategyFactory } from '../../src/core/strategy.ts';
import {
  type Command,
  CREEP_KINDS,
  CREEPS,
  type CreepSmashAction,
  type CreepSmashObservation,
  type CreepSmashState,
  DEFAULT_MAP,
  TOWERS,
  type TowerKind,
} from '../../src/games/creepsmash/index.ts';
import { coverage, decisionTick, dps, freeCells, spendable } from './common.ts';

/** Tower kinds the heuristic builds new, cheapest first: the rest are reached by upgrading. */
const BUILD: readonly TowerKind[] = ['BASIC', 'SPLASH', 'SPEED'];

/**
 * Defence where the path passes most often, income from creeps when the defence holds:
 * - every `every` ticks it compares the threat on its board (creep health, weighted up when it lost lives lately)
 *   with its defence (damage per second of its towers, times how much of the path each sees);
 * - short of defence, it buys the option with the most added damage × coverage per credit: a new tower on the free
 *   cell that sees the most path, or the next level of an existing one;
 * - otherwise it sends the dearest creep it can afford out of `attack` × its surplus: creeps raise its income for
 *   good and press the opponent.
 * It keeps `reserve` × its income unspent for emergencies.
 */
export const createHeuristicStrategy: StrategyFactory<CreepSmashObservation, CreepSmashAction> = (options) => {
  const every = Math.max(1, Number(options.params.every ?? 10));
  const reserve = Number(options.params.reserve ?? 0.1);
  const attack = Number(options.params.attack ?? 0.6);
  let offset = -1;
  let livesSeen = -1;
  let pressure = 0;
  return {
    name: 'creepsmash-heuristic',
    decide({ seat, state }, ctx) {
      if (state.phase === 'choose') return [{ kind: 'tile', tile: seat }];
      if (offset < 0) offset = ctx.rng.int(0, every - 1);
      if (!decisionTick(state, every, offset)) return [];
      const me = state.seats[seat]!;
      if (livesSeen >= 0 && me.lives < livesSeen) pressure += livesSeen - me.lives;
      pressure *= 0.9;
      livesSeen = me.lives;
      const money = spendable(state, seat) - reserve * me.income;
      if (money <= 0) return [];
      const threat = threatOn(state, seat) * (1 + pressure);
      const defence = defenceOf(state, seat);
      if (defence < threat || defence === 0) {
        const buy = bestDefence(state, seat, money);
        return buy ? [buy] : [];
      }
      const budget = money * attack;
      let best: Command | null = null;
      for (const k of CREEP_KINDS) if (CREEPS[k].price <= budget) best = { kind: 'send', creep: k };
      if (best) return [best];
      // Nothing to send yet: strengthen the defence with what is left.
      const buy = bestDefence(state, seat, money);
      return buy ? [buy] : [];
    },
  };
};

/** Health on (or bound for) this board, as damage the defence must deal while a creep crosses it. */
function threatOn(state: CreepSmashState, seat: number): number {
  let hp = 0;
  for (const c of state.creeps) if (c.board === seat) hp += c.hp;
  // A base expectation, so the first towers go up before the first creep arrives.
  return hp + 300 * (1 + state.tick / 3000);
}

const mapWidth = (state: CreepSmashState) => state.config.map?.width ?? DEFAULT_MAP.width;

function defenceOf(state: CreepSmashState, seat: number): number {
  let sum = 0;
  for (const t of state.towers) {
    if (t.board !== seat) continue;
    const cells = coverage(state, TOWERS[t.kind][t.level - 1]!.range)[t.y * mapWidth(state) + t.x] ?? 0;
    // Damage per second times the seconds a creep (about 0.75 s a cell) spends in range.
    sum += dps(t.kind, t.level) * cells * 0.75;
  }
  return sum;
}

/** The purchase (new tower or upgrade) with the most added damage × path coverage per credit, within `money`. */
export function bestDefence(state: CreepSmashState, seat: number, money: number): Command | null {
  let best: Command | null = null;
  let bestValue = 0;
  const width = mapWidth(state);
  const cells = freeCells(state, seat);
  for (const kind of BUILD) {
    const l = TOWERS[kind][0]!;
    if (l.price > money) continue;
    const cov = coverage(state, l.range);
    let cell: [number, number] | null = null;
    let seen = 0;
    for (const c of cells) {
      const v = cov[c[1] * width + c[0]]!;
      if (v > seen) {
        seen = v;
        cell = c;
      }
    }
    if (!cell) continue;
    const value = (dps(kind, 1) * seen) / l.price;
    if (value > bestValue) {
      bestValue = value;
      best = { kind: 'build', tower: kind, x: cell[0], y: cell[1] };
    }
  }
  for (const t of state.towers) {
    if (t.board !== seat) continue;
    const next = TOWERS[t.kind][t.level];
    if (!next || next.price > money) continue;
    if (
      state.pending.some(
        (p) => p.seat === seat && p.command.kind === 'upgrade' && p.command.x === t.x && p.command.y === t.y,
      )
    )
      continue;
    const seen = coverage(state, next.range)[t.y * width + t.x]!;
    const value = ((dps(t.kind, t.level + 1) - dps(t.kind, t.level)) * seen) / next.price;
    if (value > bestValue) {
      bestValue = value;
      best = { kind: 'upgrade', x: t.x, y: t.y };
    }
  }
  return best;
}
