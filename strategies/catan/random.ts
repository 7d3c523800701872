import type { StrategyFactory } from '../../src/core/strategy.ts';
import { type CatanAction, type CatanObservation, legalActions, rulesView } from '../../src/games/catan/index.ts';

/** A baseline, as Catanatron's RandomPlayer: a uniformly random action among the legal ones. */
export const createRandomStrategy: StrategyFactory<CatanObservation, CatanAction> = () => ({
  name: 'catan-random',
  decide(obs, ctx) {
    const actions = legalActions(rulesView(obs), ctx.seat);
    return actions[Math.floor(ctx.rng.next() * actions.length)]!;
  },
});
