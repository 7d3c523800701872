import type { StrategyFactory } from '../../src/core/strategy.ts';
import {
  type Command,
  defaultConfig,
  distance,
  type OreRushAction,
  type OreRushConfig,
  type OreRushObservation,
} from '../../src/games/orerush/index.ts';

/** Radar sites: a staggered lattice one radar range apart, nearest the headquarters first. */
export function radarSites(config: OreRushConfig): { x: number; y: number }[] {
  const r = Math.max(1, config.radarRange);
  const sites: { x: number; y: number }[] = [];
  for (let x = Math.min(config.width - 1, Math.max(1, r - 1)), col = 0; x < config.width; x += r, col++) {
    for (let y = col % 2 === 0 ? Math.floor(r / 2) : r; y < config.height; y += r) sites.push({ x, y });
  }
  return sites;
}

/**
 * A miner: robots with ore walk straight to the headquarters; one robot fetches a radar whenever the known,
 * safe ore runs short and buries it at the next free radar site; the others dig known ore, best value per
 * round of travel first, never sending more robots to a cell than it has units. A cell within trap-trigger
 * range of a hole this player did not dig (an enemy may have buried a trap there) or of its own trap is never
 * dug. With no ore in sight, robots dig unexplored cells near them.
 */
export const createHeuristicStrategy: StrategyFactory<OreRushObservation, OreRushAction> = (options) => {
  const radarReserve = Number(options.params.radarReserve ?? 2);
  return {
    name: 'orerush-heuristic',
    decide(obs, ctx) {
      const config = (ctx.model?.config as OreRushConfig | undefined) ?? defaultConfig();
      const { width, height } = obs;
      const n = width * height;
      const danger = new Uint8Array(n);
      const markDanger = (cx: number, cy: number) => {
        const t = config.trapTrigger;
        for (let y = Math.max(0, cy - t); y <= Math.min(height - 1, cy + t); y++) {
          for (let x = Math.max(0, cx - t); x <= Math.min(width - 1, cx + t); x++) {
            if (distance(x, y, cx, cy) <= t) danger[y * width + x] = 1;
          }
        }
      };
      for (let i = 0; i < n; i++) if (obs.holes[i] === 1) markDanger(i % width, Math.floor(i / width));
      for (const t of obs.traps) markDanger(t.x, t.y);

      const reserved = new Map<number, number>();
      const free = (i: number) => (obs.ore[i] ?? 0) - (reserved.get(i) ?? 0);
      let knownSafe = 0;
      for (let i = 0; i < n; i++) if (obs.ore[i]! > 0 && !danger[i]) knownSafe += obs.ore[i]!;
      const aliveRobots = obs.robots.filter((r) => r.alive).length;
      const usedSites = new Set<number>();
      const sites = radarSites(config).filter(
        (s) => !danger[s.y * width + s.x] && !obs.radars.some((d) => distance(d.x, d.y, s.x, s.y) < config.radarRange),
      );
      const carryingRadar = obs.robots.some((r) => r.alive && r.item === 'radar');
      let wantRadar = !carryingRadar && sites.length > 0 && knownSafe < radarReserve * aliveRobots;

      const turns = (fromX: number, fromY: number, x: number, y: number) =>
        Math.ceil(Math.max(0, distance(fromX, fromY, x, y) - config.digRange) / config.moveRange) +
        1 +
        Math.ceil(x / config.moveRange);

      const commands: Command[] = [];
      for (const robot of obs.robots) {
        if (!robot.alive) {
          commands.push({ type: 'WAIT' });
          continue;
        }
        if (robot.item !== null && robot.item !== 'radar' && robot.item !== 'trap') {
          commands.push({ type: 'MOVE', x: 0, y: robot.y });
          continue;
        }
        if (robot.item === 'radar') {
          let best = -1;
          for (let s = 0; s < sites.length; s++) {
            if (usedSites.has(s)) continue;
            const site = sites[s]!;
            if (
              best === -1 ||
              distance(robot.x, robot.y, site.x, site.y) < distance(robot.x, robot.y, sites[best]!.x, sites[best]!.y)
            )
              best = s;
          }
          if (best >= 0) {
            usedSites.add(best);
            commands.push({ type: 'DIG', x: sites[best]!.x, y: sites[best]!.y });
            continue;
          }
        }
        if (robot.item === null && robot.x === 0 && wantRadar && obs.cooldowns.radar === 0) {
          wantRadar = false;
          commands.push({ type: 'REQUEST', item: 'radar' });
          continue;
        }
        // Best known ore: points per round of the whole trip (there, dig, back).
        let target = -1;
        let bestValue = 0;
        for (let i = 0; i < n; i++) {
          if (danger[i] || free(i) <= 0) continue;
          const x = i % width;
          const y = Math.floor(i / width);
          const value = (config.oreValues[obs.kinds[i]!] ?? 1) / turns(robot.x, robot.y, x, y);
          if (value > bestValue) {
            bestValue = value;
            target = i;
          }
        }
        if (target < 0) {
          // Nothing known: dig the nearest unexplored cell, away from the headquarters.
          let bestScore = Number.POSITIVE_INFINITY;
          for (let i = 0; i < n; i++) {
            const x = i % width;
            if (x < 2 || obs.holes[i] !== 0 || danger[i] || obs.ore[i] === 0 || reserved.has(i)) continue;
            const y = Math.floor(i / width);
            const score = distance(robot.x, robot.y, x, y) + (x < 4 ? 4 : 0);
            if (score < bestScore) {
              bestScore = score;
              target = i;
            }
          }
        }
        if (target < 0) {
          commands.push({ type: 'WAIT' });
          continue;
        }
        reserved.set(target, (reserved.get(target) ?? 0) + 1);
        commands.push({ type: 'DIG', x: target % width, y: Math.floor(target / width) });
      }
      return commands;
    },
  };
};
