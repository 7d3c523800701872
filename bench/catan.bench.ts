/**
 * Catan engine throughput: whole four-player base games played in-process by `runMatch` (roll, observe, decide,
 * validate, apply every step) on one core, random layout, a new seed per game, four `catan-random` bots, as
 * Catanatron's "4 random players" figure. Turns per game come from a separate pass that records the events.
 */

import { runMatch } from '../src/core/match.ts';
import { type CatanConfig, type CatanEvent, catanEngine } from '../src/games/catan/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../strategies/catan/index.ts';
import { type Bench, type BenchResult, fullGamesPerSecond } from './harness.ts';

const GROUP = 'Catan';

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

export const run: Bench = async () => {
  const results: BenchResult[] = [];
  await fullGamesPerSecond(catanEngine, createRandomStrategy, 4, 1000);
  const random = await fullGamesPerSecond(catanEngine, createRandomStrategy, 4, 5000);
  const turns = await turnsPerGame(200);
  const noOffers = await turnsPerGame(200, catanEngine.parseConfig({ maxOffersPerTurn: 0 }));
  results.push({
    group: GROUP,
    name: '4 players, random bots: full base games/s (1 core)',
    value: Math.round(random.rate),
    unit: 'games/s',
    target: '>= 1000 (20x Catanatron)',
    note: `${random.games} games, ${Math.round(random.steps)} engine steps per game (CPU-time rate ${Math.round(random.cpuRate)}/s)`,
  });
  results.push({
    group: GROUP,
    name: '4 players, random bots: player turns per game',
    value: Math.round(turns * 10) / 10,
    unit: 'turns',
    target: '300-345 (Catanatron)',
    note: `200 games; ${Math.round(noOffers * 10) / 10} turns with player-to-player offers off (maxOffersPerTurn=0), as Catanatron's random games have no player-to-player trades`,
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
