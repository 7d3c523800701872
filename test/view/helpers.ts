import { resolveBots } from '../../src/bots/resolve.ts';
import { runMatch } from '../../src/core/match.ts';
import { makeReplay, type ReplayFile } from '../../src/core/replay.ts';
import { loadEngine } from '../../src/games/registry.ts';

/** A seeded game played in-process and recorded as `botswarm play --replay` would. */
export async function recordReplay(
  game: string,
  bots: readonly string[],
  seed: number,
  settings: Record<string, unknown> = {},
): Promise<ReplayFile> {
  const engine = await loadEngine(game);
  const config = engine.parseConfig(settings);
  const resolved = await resolveBots(bots, game);
  const outcome = await runMatch({
    engine,
    config,
    players: resolved.map((b) => b.create()),
    seed,
    budget: { iterations: 20 },
    record: { actions: true, hashes: true },
  });
  return makeReplay(engine, config, seed, bots, outcome);
}

/**
 * Short games of each viewed game with something hidden to show: fog in Galax, traps and radars in Ore Rush;
 * CreepSmash keeps a picture per game second (`frameEvery`).
 */
export const SAMPLE_GAMES = {
  galax: () => recordReplay('galax', ['galax-heuristic', 'galax-random'], 5, { visibility: 'fog', maxYear: 25 }),
  orerush: () => recordReplay('orerush', ['orerush-heuristic', 'orerush-random'], 3, { rounds: 80 }),
  carcassonne: () => recordReplay('carcassonne', ['carcassonne-greedy', 'carcassonne-random'], 4),
  catan: () => recordReplay('catan', ['catan-heuristic', 'catan-random', 'catan-heuristic'], 3),
  creepsmash: () => recordReplay('creepsmash', ['creepsmash-heuristic', 'creepsmash-random'], 2, { maxTicks: 1500 }),
} as const;

/** The steps a viewer keeps a picture of: every one, or every `frameEvery`-th and the last. */
export function pictureSteps(steps: number, frameEvery = 1): number[] {
  const kept = [0];
  for (let i = 1; i <= steps; i++) if (i % frameEvery === 0 || i === steps) kept.push(i);
  return kept;
}
