import type { Rng } from '../../core/rng.ts';
import type { GalaxConfig, Planet } from './types.ts';

/** Random candidates per home planet; the one farthest from the homes placed so far wins. */
const HOME_CANDIDATES = 24;

/**
 * The planets of a new game, drawn from the `map` stream only. Integer coordinates in [0,width) x [0,height), one
 * planet per cell. Homes are planets 0..players-1 (home of player x = planet x-1, as the seed says), each the best of
 * HOME_CANDIDATES random free cells by squared distance to the nearest earlier home, so players start far apart;
 * then independents fill random free cells with ships and production drawn from the config ranges.
 */
export function generatePlanets(config: GalaxConfig, players: number, rng: Rng): Planet[] {
  const { width, height } = config;
  const cells = width * height;
  if (players > config.planets) throw new RangeError(`galax: ${players} players need at least ${players} planets`);
  if (config.planets > cells) throw new RangeError(`galax: ${config.planets} planets do not fit on ${cells} cells`);
  const used = new Uint8Array(cells);
  const freeCell = (): number => {
    // Rejection sampling is fast while the field is mostly empty; a dense field falls back to a scan.
    for (let tries = 0; tries < 64; tries++) {
      const c = rng.int(0, cells - 1);
      if (!used[c]) return c;
    }
    const free: number[] = [];
    for (let c = 0; c < cells; c++) if (!used[c]) free.push(c);
    return rng.pick(free);
  };
  const planets: Planet[] = [];
  const homes: number[] = [];
  for (let p = 1; p <= players; p++) {
    let best = freeCell();
    if (homes.length > 0) {
      let bestScore = nearestHome(best, homes, width);
      for (let k = 1; k < HOME_CANDIDATES; k++) {
        const c = freeCell();
        const score = nearestHome(c, homes, width);
        if (score > bestScore) {
          best = c;
          bestScore = score;
        }
      }
    }
    used[best] = 1;
    homes.push(best);
    planets.push({
      id: p - 1,
      x: best % width,
      y: Math.floor(best / width),
      owner: p,
      ships: config.homeShips,
      production: config.homeProduction,
    });
  }
  for (let id = players; id < config.planets; id++) {
    const c = freeCell();
    used[c] = 1;
    planets.push({
      id,
      x: c % width,
      y: Math.floor(c / width),
      owner: 0,
      ships: rng.int(config.neutralShipsMin, config.neutralShipsMax),
      production: rng.int(config.neutralProductionMin, config.neutralProductionMax),
    });
  }
  return planets;
}

function nearestHome(cell: number, homes: readonly number[], width: number): number {
  const x = cell % width;
  const y = Math.floor(cell / width);
  let best = Number.POSITIVE_INFINITY;
  for (const h of homes) {
    const dx = (h % width) - x;
    const dy = Math.floor(h / width) - y;
    const d = dx * dx + dy * dy;
    if (d < best) best = d;
  }
  return best;
}
