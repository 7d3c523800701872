import type { Rng } from '../../src/core/rng.ts';
import type { StrategyFactory } from '../../src/core/strategy.ts';
import { type CatanAction, type CatanObservation, pickObservedAction } from '../../src/games/catan/index.ts';

/**
 * A baseline, as Catanatron's RandomPlayer: a uniformly random action among the legal ones. It picks by index
 * (`pickObservedAction`: `pickLegalAction` on the observation's rules view) instead of listing them: the same
 * action `legalActions(rulesView(obs), seat)[index]` would give, one random draw per decision as before.
 */
export const createRandomStrategy: StrategyFactory<CatanObservation, CatanAction> = () => {
  // The index picker is made once per game, not once per decision, and as a member rather than a named closure
  // (the TypeScript loader, tsx, names every closure bound to a variable, at about 1 µs each).
  const drawn: { rng: Rng | null; pick: (count: number) => number } = { rng: null, pick: Math.floor };
  drawn.pick = (count) => Math.floor(drawn.rng!.next() * count);
  return {
    name: 'catan-random',
    decide(obs, ctx) {
      drawn.rng = ctx.rng;
      const action = pickObservedAction(obs, drawn.pick);
      if (action === undefined) throw new Error(`catan-random: seat ${ctx.seat} has no legal action`);
      return action;
    },
  };
};
