import type { StrategyFactory } from '../../src/core/strategy.ts';
import {
  type CarcassonneAction,
  type CarcassonneObservation,
  meepleOptions,
  randomPlacement,
} from '../../src/games/carcassonne/index.ts';

/**
 * A baseline: a uniformly random legal placement, then a follower on a random free segment of it, or none
 * (each choice equally likely). Cheaper than drawing from the full action list and just as legal.
 */
export const createRandomStrategy: StrategyFactory<CarcassonneObservation, CarcassonneAction> = () => ({
  name: 'carcassonne-random',
  decide(obs, ctx) {
    const p = randomPlacement(obs, ctx.rng);
    const options = meepleOptions(obs, p.x, p.y, p.rot);
    const i = ctx.rng.int(0, options.length);
    return { x: p.x, y: p.y, rot: p.rot, meeple: i === options.length ? null : options[i]! };
  },
});
