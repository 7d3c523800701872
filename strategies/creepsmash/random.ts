import type { StrategyFactory } from '../../src/core/strategy.ts';
import {
  type Command,
  CREEP_KINDS,
  CREEPS,
  type CreepSmashAction,
  type CreepSmashObservation,
  STRATEGIES,
  TOWER_KINDS,
  TOWERS,
} from '../../src/games/creepsmash/index.ts';
import { decisionTick, freeCells, spendable } from './common.ts';

/**
 * A baseline: every `every` ticks, with probability `activity`, one random affordable command — a tower of a random
 * kind on a random free cell, an upgrade, a creep, or a new targeting strategy. Before the game it picks a random
 * tile. Its commands are always well-formed; it never spends credits it has already committed.
 */
export const createRandomStrategy: StrategyFactory<CreepSmashObservation, CreepSmashAction> = (options) => {
  const every = Math.max(1, Number(options.params.every ?? 20));
  const activity = Number(options.params.activity ?? 0.7);
  return {
    name: 'creepsmash-random',
    decide({ seat, state }, ctx) {
      const rng = ctx.rng;
      if (state.phase === 'choose') return [{ kind: 'tile', tile: rng.int(0, 3) }];
      if (!decisionTick(state, every) || rng.next() >= activity) return [];
      const money = spendable(state, seat);
      const options: Command[] = [];
      const cells = freeCells(state, seat);
      if (cells.length > 0) {
        const kind = rng.pick(TOWER_KINDS);
        if (TOWERS[kind][0]!.price <= money) {
          const [x, y] = rng.pick(cells);
          options.push({ kind: 'build', tower: kind, x, y });
        }
      }
      const mine = state.towers.filter((t) => t.board === seat);
      if (mine.length > 0) {
        const t = rng.pick(mine);
        const next = TOWERS[t.kind][t.level];
        if (next && next.price <= money) options.push({ kind: 'upgrade', x: t.x, y: t.y });
        options.push({ kind: 'strategy', x: t.x, y: t.y, strategy: rng.pick(STRATEGIES) });
      }
      const creeps = CREEP_KINDS.filter((k) => CREEPS[k].price <= money);
      if (creeps.length > 0) options.push({ kind: 'send', creep: rng.pick(creeps) });
      return options.length > 0 ? [rng.pick(options)] : [];
    },
  };
};
