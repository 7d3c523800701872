import type { StrategyFactory } from '../../src/core/strategy.ts';
import type { GalaxAction, GalaxObservation, Move } from '../../src/games/galax/index.ts';

/**
 * A baseline that plays legal but aimless games: each year, with probability `activity`, it picks each of its
 * planets with probability one half and sends a random fraction (10% to 100%) of its ships to a random other
 * planet. Every planet sends at most once per year, so the moves are always valid.
 */
export const createRandomStrategy: StrategyFactory<GalaxObservation, GalaxAction> = (options) => {
  const activity = Number(options.params.activity ?? 0.5);
  return {
    name: 'galax-random',
    decide(obs, ctx) {
      const rng = ctx.rng;
      if (rng.next() >= activity) return [];
      const planets = obs.planets;
      const moves: Move[] = [];
      for (const p of planets) {
        if (p.owner !== obs.player || p.ships < 1 || rng.next() < 0.5) continue;
        // Any planet but the source: draw from n - 1 and skip over the source's index.
        let to = rng.int(0, planets.length - 2);
        if (to >= p.id) to++;
        const ships = Math.max(1, Math.floor(p.ships * (0.1 + 0.9 * rng.next())));
        moves.push({ from: p.id, to, ships });
      }
      return moves;
    },
  };
};
