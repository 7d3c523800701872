import type { StrategyFactory } from '../../src/core/strategy.ts';
import {
  apply,
  type CarcassonneAction,
  type CarcassonneObservation,
  type CarcassonneState,
  legalActions,
  pendingScores,
} from '../../src/games/carcassonne/index.ts';

/**
 * One-ply greedy: plays the action with the best value after it, where a seat's value is its score, plus
 * what end scoring would give it now (so a follower on a growing city counts), plus a reserve bonus for
 * followers still in hand (a follower spent on a one-point road is a follower missing for the next city).
 * The value is relative: own value minus the best opponent's. Ties go to the first action listed, so the bot
 * is deterministic.
 */
export const createGreedyStrategy: StrategyFactory<CarcassonneObservation, CarcassonneAction> = (options) => {
  const reserve = Number(options.params.reserve ?? 1.5);
  const reserveCap = Number(options.params.reserveCap ?? 3);
  const value = (s: CarcassonneState, seat: number): number => {
    const pending = pendingScores(s);
    let mine = 0;
    let best = Number.NEGATIVE_INFINITY;
    for (let p = 0; p < s.players; p++) {
      const v = s.scores[p]! + pending[p]! + reserve * Math.min(s.followers[p]!, reserveCap);
      if (p === seat) mine = v;
      else if (v > best) best = v;
    }
    return mine - best;
  };
  return {
    name: 'carcassonne-greedy',
    decide(obs, ctx) {
      const seat = ctx.seat;
      const actions = legalActions(obs, seat);
      let chosen = actions[0]!;
      let bestValue = Number.NEGATIVE_INFINITY;
      for (const a of actions) {
        const v = value(apply(obs, { kind: 'players', actions: new Map([[seat, a]]) }), seat);
        if (v > bestValue) {
          bestValue = v;
          chosen = a;
        }
      }
      return chosen;
    },
  };
};
