import type { StrategyFactory } from '../../src/core/strategy.ts';
import {
  attackSurvivors,
  defaultConfig,
  type GalaxAction,
  type GalaxConfig,
  type GalaxObservation,
  isSurprise,
  type Move,
  type PlanetView,
  shipsToConquer,
  TENTHS,
  travelTime,
} from '../../src/games/galax/index.ts';

/**
 * A sensible greedy player, meant as the baseline every search bot must beat. Each year:
 * 1. keep a reserve on each planet against the strongest enemy garrison that could reach it soon (`horizon` years;
 *    half weight up to twice that), times `reserve`, and at least `minReserve` years of its own production;
 * 2. estimate every other planet's garrison when a fleet from each of its planets would arrive (production times
 *    the years of the trip for owned planets; independents never grow) and size the attack with the battle rule
 *    itself (`shipsToConquer`), plus a margin against enemy planets;
 * 3. take the best attacks by (production gained until the end - ships lost) per ship and trip tenth, one fleet
 *    per target (each fleet fights alone, so two small fleets do not add up);
 * 4. move the surplus of rear planets to the planet nearest the enemy, so attacks start from the front.
 * Under fog, unknown garrisons are estimated from the last battle report about the planet (or the config's
 * upper bounds) plus production since.
 */
export const createHeuristicStrategy: StrategyFactory<GalaxObservation, GalaxAction> = (options) => {
  const margin = Number(options.params.margin ?? 0.15);
  const reserveShare = Number(options.params.reserve ?? 1);
  const horizon = Number(options.params.horizon ?? 6) * TENTHS;
  const minReserve = Number(options.params.minReserve ?? 1);
  /** Garrisons seen in battle reports (fog only): planet -> [ships, year in tenths]. */
  const seen = new Map<number, [number, number]>();

  return {
    name: 'galax-heuristic',
    decide(obs, ctx) {
      const config = (ctx.model?.config as GalaxConfig | undefined) ?? defaultConfig();
      const me = obs.player;
      const year = obs.year;
      const end = config.maxYear * TENTHS;
      const planets = obs.planets;
      for (const e of obs.events) if (e.kind === 'battle') seen.set(e.planet, [e.ships, e.time]);

      const garrison = (p: PlanetView, atTenths: number): number => {
        const production = p.production >= 0 ? p.production : guessProduction(p, obs.players, config);
        let ships = p.ships;
        let since = year;
        if (ships < 0) {
          const last = seen.get(p.id);
          if (last) [ships, since] = last;
          else ships = p.owner === 0 ? config.neutralShipsMax : config.homeShips + config.neutralShipsMax;
        }
        if (p.owner === 0) return ships;
        return ships + production * Math.ceil((atTenths - since) / TENTHS);
      };

      const mine: PlanetView[] = [];
      for (const p of planets) if (p.owner === me) mine.push(p);
      if (mine.length === 0) return [];
      const enemies = planets.filter((p) => p.owner !== 0 && p.owner !== me);

      // Targets my fleets already fly to: do not send a second fleet after the first.
      const targeted = new Uint8Array(planets.length);
      for (const f of obs.fleets) targeted[f.to] = 1;

      // 1. Reserves: a share of the strongest enemy garrison that could arrive soon (in full within `horizon`
      // years, half as much within twice that), and never less than a year of the planet's own production, so no
      // planet is left empty for a stray fleet.
      const available = new Map<number, number>();
      let front: PlanetView | null = null;
      let frontDistance = Number.POSITIVE_INFINITY;
      const nearestEnemy = new Map<number, number>();
      for (const p of mine) {
        let threat = 0;
        let nearest = Number.POSITIVE_INFINITY;
        for (const e of enemies) {
          const t = travelTime(e, p);
          if (t < nearest) nearest = t;
          const weight = t <= horizon ? 1 : t <= 2 * horizon ? 0.5 : 0;
          if (weight > 0) threat = Math.max(threat, weight * garrison(e, year));
        }
        nearestEnemy.set(p.id, nearest);
        if (nearest < frontDistance) {
          frontDistance = nearest;
          front = p;
        }
        const reserve = Math.max(minReserve * p.production, Math.ceil(threat * reserveShare));
        available.set(p.id, Math.max(0, p.ships - reserve));
      }

      // 2-3. Greedy attacks.
      const moves: Move[] = [];
      for (let round = 0; round < planets.length; round++) {
        let best: { from: PlanetView; to: PlanetView; ships: number; score: number } | null = null;
        for (const t of planets) {
          if (t.owner === me || targeted[t.id]) continue;
          for (const s of mine) {
            const free = available.get(s.id)!;
            if (free < 1) continue;
            const trip = travelTime(s, t);
            const arrival = year + trip;
            if (arrival >= end) continue;
            const defence = garrison(t, arrival);
            const first = isSurprise(config.surprise, trip);
            let need = shipsToConquer(defence, first);
            if (t.owner !== 0) need = Math.ceil(need * (1 + margin)) + 1;
            if (need > free) continue;
            const lost = need - attackSurvivors(need, defence, first);
            const production = t.production >= 0 ? t.production : guessProduction(t, obs.players, config);
            // An enemy planet also stops producing for the enemy: count its production twice.
            const gain = production * ((end - arrival) / TENTHS) * (t.owner === 0 ? 1 : 2);
            if (gain <= lost) continue;
            const score = (gain - lost) / (need + trip + 10);
            if (!best || score > best.score) best = { from: s, to: t, ships: need, score };
          }
        }
        if (!best) break;
        // Send a little more than the minimum when it is free to: the garrison estimate may be low.
        const free = available.get(best.from.id)!;
        const ships = Math.min(free, best.to.owner === 0 ? best.ships + 1 : Math.ceil(best.ships * 1.3));
        moves.push({ from: best.from.id, to: best.to.id, ships });
        available.set(best.from.id, free - ships);
        targeted[best.to.id] = 1;
      }

      // 4. Rear planets feed the front.
      if (front) {
        for (const s of mine) {
          if (s === front) continue;
          const free = available.get(s.id)!;
          if (free >= 5 && nearestEnemy.get(s.id)! > frontDistance) {
            moves.push({ from: s.id, to: front.id, ships: free });
            available.set(s.id, 0);
          }
        }
      }
      return moves;
    },
  };
};

function guessProduction(p: PlanetView, players: number, config: GalaxConfig): number {
  return p.owner !== 0 && p.id < players ? config.homeProduction : config.neutralProductionMax;
}
