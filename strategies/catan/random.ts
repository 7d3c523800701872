import type { StrategyFactory } from '../../src/core/strategy.ts';
import { type CatanAction, type CatanObservation, pickLegalAction, rulesView } from '../../src/games/catan/index.ts';

/**
 * A baseline, as Catanatron's RandomPlayer: a uniformly random action among the legal ones. It picks by index
 * (`pickLegalAction`) instead of listing them: the same action `legalActions(...)[index]` would give, one random
 * draw per decision as before.
 */
export const createRandomStrategy: StrategyFactory<CatanObservation, CatanAction> = () => ({
  name: 'catan-random',
  decide(obs, ctx) {
    const action = pickLegalAction(rulesView(obs), ctx.seat, (n) => Math.floor(ctx.rng.next() * n));
    if (action === undefined) throw new Error(`catan-random: seat ${ctx.seat} has no legal action`);
    return action;
  },
});
