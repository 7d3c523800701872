/**
 * Catan engine throughput: whole four-player base games played in-process by `runMatch` (roll, observe, decide,
 * validate, apply every step) on one core, random layout, a new seed per game, four `catan-random` bots. The
 * headline is Catanatron's "4 random players" figure and does the same work: player-to-player offers off
 * (`maxOffersPerTurn=0`), as its random players never trade with each other; a second line plays the default
 * rules (offers on). Turns per game come from a separate pass that records the events.
 */

import { runMatch } from '../src/core/match.ts';
import { type CatanConfig, type CatanEvent, catanEngine } from '../src/games/catan/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../strategies/catan/index.ts';
import { type Bench, type BenchResult, fullGamesPerSecond } from './harness.ts';

const GROUP = 'Catan';
/** The random-bot lines' windows: 5 s of play each, in windows short enough that a load burst spoils few of them. */
const WINDOWS = 20;
const WINDOW_MS = 250;

/** Mean player turns per game (after the opening) over `games` seeded random games. */
async function turnsPerGame(games: number, config = catanEngine.defaultConfig()): Promise<number> {
  return (await gameLengths(games, config)).turns;
}

/** Mean player turns and engine steps per game over `games` seeded random games. */
async function gameLengths(games: number, config: CatanConfig): Promise<{ turns: number; steps: number }> {
  let steps = 0;
  let turns = 0;
  for (let g = 0; g < games; g++) {
    const players = [0, 1, 2, 3].map(() => createRandomStrategy({ params: {} }));
    const out = await runMatch({ engine: catanEngine, config, players, seed: 1_000_000 + g, record: { events: true } });
    turns += (out.events as CatanEvent[]).filter((e) => e.type === 'turn').length;
    steps += out.steps;
  }
  return { turns: turns / games, steps: steps / games };
}

/**
 * fullGamesPerSecond in `windows` windows of `ms` each (every window plays seeds 0, 1, ...: the same games): the
 * games and wall-clock rate of them all, and the median window's CPU-time rate (games per CPU-second of the whole
 * process: engine, bots, match loop and the collector's helper threads). On a shared machine a load burst or a
 * stalled garbage collection skews one window, not the median; and time the process spends waiting for a core
 * is not CPU time, so the CPU-time rate is the figure that compares between runs (docs/performance.md, Catan).
 */
async function windowedRate(
  engine: typeof catanEngine,
  windows: number,
  ms: number,
): Promise<{ rate: number; games: number; steps: number; cpuRate: number }> {
  const runs: Awaited<ReturnType<typeof fullGamesPerSecond>>[] = [];
  for (let i = 0; i < windows; i++) runs.push(await fullGamesPerSecond(engine, createRandomStrategy, 4, ms));
  const games = runs.reduce((n, r) => n + r.games, 0);
  const elapsed = runs.reduce((t, r) => t + (r.games * 1000) / r.rate, 0);
  const steps = runs.reduce((n, r) => n + r.steps * r.games, 0) / games;
  const cpuRates = runs.map((r) => r.cpuRate).sort((a, b) => a - b);
  return { rate: (games * 1000) / elapsed, games, steps, cpuRate: cpuRates[Math.floor(windows / 2)]! };
}

export const run: Bench = async () => {
  const results: BenchResult[] = [];
  // The headline does Catanatron's work: its random players never offer player-to-player trades.
  const noOffersConfig = catanEngine.parseConfig({ maxOffersPerTurn: 0 });
  const noOffersEngine = { ...catanEngine, defaultConfig: () => noOffersConfig };
  await fullGamesPerSecond(noOffersEngine, createRandomStrategy, 4, 1000);
  const random = await windowedRate(noOffersEngine, WINDOWS, WINDOW_MS);
  const noOffers = await turnsPerGame(200, noOffersConfig);
  const offers = await windowedRate(catanEngine, WINDOWS, WINDOW_MS);
  const turns = await turnsPerGame(200);
  results.push({
    group: GROUP,
    name: '4 players, random bots, no player-to-player offers (as Catanatron): full base games/s (1 core)',
    value: Math.round(random.cpuRate),
    unit: 'games/s',
    target: '>= 1000 (20x Catanatron)',
    note: `median of ${WINDOWS} windows of ${WINDOW_MS / 1000} s, CPU time of the whole process; ${random.games} games, wall-clock rate ${Math.round(random.rate)}/s; ${Math.round(random.steps)} engine steps per game; maxOffersPerTurn=0`,
  });
  results.push({
    group: GROUP,
    name: '4 players, random bots, no player-to-player offers: player turns per game',
    value: Math.round(noOffers * 10) / 10,
    unit: 'turns',
    target: '300-345 (Catanatron)',
    note: '200 games, the work of the games/s line above',
  });
  results.push({
    group: GROUP,
    name: '4 players, random bots, default rules (offers on): full base games/s (1 core)',
    value: Math.round(offers.cpuRate),
    unit: 'games/s',
    note: `median of ${WINDOWS} windows, as above; ${offers.games} games, wall-clock rate ${Math.round(offers.rate)}/s; ${Math.round(offers.steps)} engine steps per game; up to 2 one-for-one offers per turn, each answered by the three other seats`,
  });
  results.push({
    group: GROUP,
    name: '4 players, random bots, default rules (offers on): player turns per game',
    value: Math.round(turns * 10) / 10,
    unit: 'turns',
    note: `200 games; shorter than the ${Math.round(noOffers * 10) / 10} turns without offers: random offers accepted at random move cards to where they complete builds (docs/rules/catan.md, Catanatron comparison)`,
  });
  // Cities & Knights: the same loop with rules=cities-and-knights as the default configuration.
  const ckConfig = catanEngine.parseConfig({ rules: 'cities-and-knights' });
  const ckEngine = { ...catanEngine, defaultConfig: () => ckConfig };
  const ck = await fullGamesPerSecond(ckEngine, createRandomStrategy, 4, 4000);
  const ckLength = await gameLengths(100, ckConfig);
  results.push({
    group: GROUP,
    name: '4 players, random bots: full Cities & Knights games/s (1 core)',
    value: Math.round(ck.rate),
    unit: 'games/s',
    note: `${ck.games} games, ${Math.round(ck.steps)} engine steps per game (CPU-time rate ${Math.round(ck.cpuRate)}/s); ${Math.round(ckLength.turns * 10) / 10} player turns per game (100 games)`,
  });
  const heuristic = await fullGamesPerSecond(catanEngine, createHeuristicStrategy, 4, 3000);
  results.push({
    group: GROUP,
    name: '4 players, heuristic bots: full base games/s (1 core)',
    value: Math.round(heuristic.rate * 10) / 10,
    unit: 'games/s',
    note: `${heuristic.games} games; the heuristic applies every legal action to a determinised state each decision`,
  });
  return results;
};
