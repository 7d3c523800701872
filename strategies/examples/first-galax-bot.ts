/**
 * A first Galax bot, as the README walks through it. Run it with
 *   botswarm play galax --bots strategies/examples/first-galax-bot.ts,random --seed 1
 * It needs no registration: any path to a module like this one works wherever a bot name does.
 */
import type { StrategyFactory } from 'botswarm';
import type { GalaxAction, GalaxObservation, Move } from 'botswarm/galax';

const firstBot: StrategyFactory<GalaxObservation, GalaxAction> = () => ({
  name: 'first-galax-bot',
  decide(observation) {
    const mine = observation.planets.filter((p) => p.owner === observation.player);
    const targets = observation.planets.filter((p) => p.owner !== observation.player && p.ships >= 0);
    const moves: Move[] = [];
    for (const home of mine) {
      // Attack the nearest planet we outnumber two to one, keeping half our ships at home.
      const spare = Math.floor(home.ships / 2);
      const nearest = targets
        .filter((t) => t.ships * 2 < spare)
        .sort((a, b) => (a.x - home.x) ** 2 + (a.y - home.y) ** 2 - ((b.x - home.x) ** 2 + (b.y - home.y) ** 2))[0];
      if (nearest) moves.push({ from: home.id, to: nearest.id, ships: spare });
    }
    return moves;
  },
});

export default firstBot;
