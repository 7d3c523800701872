/**
 * MCTS cost: search iterations per second on one core for each game, and the time of one decision at the
 * default budget. Iterations differ in cost between games (an iteration is one determinisation, one walk
 * down the tree and one rollout to the depth limit), so the figures compare budgets, not games.
 */

import { createMctsStrategy, type MctsGame, type MctsOptions, mctsOptionsFromParams } from '../src/ai/index.ts';
import type { GameEngine } from '../src/core/engine.ts';
import { silentLogger } from '../src/core/log.ts';
import { runMatch } from '../src/core/match.ts';
import { createRng } from '../src/core/rng.ts';
import type { DecisionContext, Strategy } from '../src/core/strategy.ts';
import { carcassonneEngine } from '../src/games/carcassonne/index.ts';
import { galaxEngine } from '../src/games/galax/index.ts';
import { orerushEngine } from '../src/games/orerush/index.ts';
import { createGreedyStrategy } from '../strategies/carcassonne/index.ts';
import { carcassonneMctsDefaults, carcassonneMctsGame } from '../strategies/carcassonne/mcts.ts';
import { createHeuristicStrategy } from '../strategies/galax/index.ts';
import { galaxMctsDefaults, galaxMctsGame } from '../strategies/galax/mcts.ts';
import { createHeuristicStrategy as createMinerStrategy } from '../strategies/orerush/index.ts';
import { orerushMctsDefaults, orerushMctsGame } from '../strategies/orerush/mcts.ts';
import { goofGame, tttGame } from '../test/ai/fixtures/games.ts';
import { position } from '../test/ai/fixtures/tictactoe.ts';
import type { Bench, BenchResult } from './harness.ts';

const GROUP = 'MCTS';

// biome-ignore lint/suspicious/noExplicitAny: a bench runs games of every type.
type AnyGame = MctsGame<any, any, any, any, any, any>;

function context(
  engine: GameEngine<unknown, unknown, unknown, unknown, unknown, unknown>,
  config: unknown,
  seat: number,
  seed: string,
): DecisionContext {
  return {
    seat,
    rng: createRng(seed),
    budget: { iterations: 1_000_000 },
    model: { engine, config },
    log: silentLogger,
  };
}

/** Iterations per second over a fixed set of positions, each searched afresh, for at least `ms`. */
function iterationsPerSecond(
  game: AnyGame,
  options: MctsOptions,
  positions: readonly { obs: unknown; seat: number }[],
  config: unknown,
  ms: number,
) {
  let iterations = 0;
  let decisions = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    const { obs, seat } = positions[decisions % positions.length]!;
    const bot = createMctsStrategy(game, options);
    bot.decide(obs, context(game.engine, config, seat, `bench/${decisions}`));
    iterations += bot.lastReport!.iterations;
    decisions++;
    elapsed = performance.now() - started;
  }
  return { rate: (iterations * 1000) / elapsed, decisions };
}

/**
 * Positions from one seeded game between two copies of a heuristic: the observations at the moments `at` picks
 * (a year, a round, a turn), with the seat that saw them.
 */
async function positionsFrom(
  // biome-ignore lint/suspicious/noExplicitAny: a bench runs games of every type.
  engine: GameEngine<any, any, any, any, any, any>,
  // biome-ignore lint/suspicious/noExplicitAny: likewise its heuristics.
  createStrategy: (options: { params: Record<string, number> }) => Strategy<any, any>,
  at: (obs: unknown) => boolean,
) {
  const config = engine.defaultConfig();
  const positions: { obs: unknown; seat: number }[] = [];
  const recorder = (seat: number): Strategy => {
    const inner = createStrategy({ params: {} });
    return {
      name: 'recorder',
      decide(obs, ctx) {
        if (at(obs)) positions.push({ obs, seat });
        return inner.decide(obs as never, ctx);
      },
    };
  };
  await runMatch({ engine, config, players: [recorder(0), recorder(1)], seed: 77 });
  return { config, positions };
}

/** Galax: years 2, 10, 20, 35 (opening to middle game). */
const galaxPositions = () =>
  positionsFrom(galaxEngine, createHeuristicStrategy, (o) =>
    [2, 10, 20, 35].includes((o as { year: number }).year / 10),
  );
/** Ore Rush: rounds 3, 20, 60, 120. */
const orerushPositions = () =>
  positionsFrom(orerushEngine, createMinerStrategy, (o) => [3, 20, 60, 120].includes((o as { round: number }).round));
/** Carcassonne (tile drawn, seat to move): turns 4, 20, 40, 60. */
const carcassonnePositions = () =>
  positionsFrom(carcassonneEngine, createGreedyStrategy, (o) => [4, 20, 40, 60].includes((o as { turn: number }).turn));

/**
 * Every decision time (ms, sorted) of the MCTS bot at `options` in `games` seeded games against `opponent`,
 * the bot taking seat 0 in even games and seat 1 in odd ones.
 */
async function decisionTimes(
  game: AnyGame,
  config: unknown,
  options: MctsOptions,
  // biome-ignore lint/suspicious/noExplicitAny: likewise its opponents.
  opponent: () => Strategy<any, any>,
  games: number,
): Promise<{ times: number[]; mean: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < games; i++) {
    const mcts = createMctsStrategy(game, options);
    const timed: Strategy = {
      name: 'mcts',
      decide(obs, ctx) {
        const action = mcts.decide(obs as never, ctx);
        times.push(mcts.lastReport!.elapsedMs);
        return action;
      },
    };
    const other = opponent() as Strategy;
    await runMatch({
      engine: game.engine,
      config,
      players: i % 2 === 0 ? [timed, other] : [other, timed],
      seed: 300 + i,
    });
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
  const p95 = times[Math.min(times.length - 1, Math.floor(times.length * 0.95))]!;
  return { times, mean, p95 };
}

export const run: Bench = async () => {
  const results: BenchResult[] = [];
  const galax = await galaxPositions();
  const galaxOptions = mctsOptionsFromParams({}, galaxMctsDefaults);
  iterationsPerSecond(galaxMctsGame as AnyGame, galaxOptions, galax.positions, galax.config, 700);
  const g = iterationsPerSecond(galaxMctsGame as AnyGame, galaxOptions, galax.positions, galax.config, 4000);
  results.push({
    group: GROUP,
    name: `Galax (2 players), default settings (depth ${galaxOptions.depth}, ${galaxOptions.rollout} rollout): iterations/s (1 core)`,
    value: Math.round(g.rate),
    unit: 'iter/s',
    note: `${g.decisions} searches over ${galax.positions.length} positions of a seeded game; a rollout step runs the heuristic for both seats and one engine year`,
  });

  // Decision time at the default budget, in real play against the heuristic (both seats).
  const { times, mean, p95 } = await decisionTimes(
    galaxMctsGame as AnyGame,
    galax.config,
    galaxOptions,
    () => createHeuristicStrategy({ params: {} }),
    2,
  );
  results.push({
    group: GROUP,
    name: `Galax: decision time at the default budget (${galaxOptions.iterations} iterations), mean`,
    value: Math.round(mean * 10) / 10,
    unit: 'ms',
    target: '< 1000',
    note: `${times.length} decisions in 2 games against galax-heuristic`,
  });
  results.push({
    group: GROUP,
    name: `Galax: decision time at the default budget (${galaxOptions.iterations} iterations), p95`,
    value: Math.round(p95 * 10) / 10,
    unit: 'ms',
    target: '< 1000',
  });

  // Ore Rush: positions of a seeded miner-vs-miner game; a full game at the default budget takes minutes,
  // so decision time is measured on these positions rather than in play.
  const ore = await orerushPositions();
  const oreOptions = mctsOptionsFromParams({}, orerushMctsDefaults);
  iterationsPerSecond(orerushMctsGame as AnyGame, oreOptions, ore.positions.slice(0, 1), ore.config, 500);
  const o = iterationsPerSecond(orerushMctsGame as AnyGame, oreOptions, ore.positions, ore.config, 4000);
  results.push({
    group: GROUP,
    name: `Ore Rush (2 players), default settings (depth ${oreOptions.depth}, ${oreOptions.rollout} rollout): iterations/s (1 core)`,
    value: Math.round(o.rate),
    unit: 'iter/s',
    note: `${o.decisions} searches over ${ore.positions.length} positions; the miner heuristic (every robot scans the grid) runs for both seats at every rollout step`,
  });
  results.push({
    group: GROUP,
    name: `Ore Rush: decision time at the default budget (${oreOptions.iterations} iterations), mean`,
    value: Math.round((oreOptions.iterations / o.rate) * 10_000) / 10,
    unit: 'ms',
    target: '< 1000',
    note: 'iterations / (iterations per second) over the same positions',
  });

  // Carcassonne: turn-based with chance (tile draws sampled from the public counts at every chance node).
  const carc = await carcassonnePositions();
  const carcOptions = mctsOptionsFromParams({}, carcassonneMctsDefaults);
  iterationsPerSecond(carcassonneMctsGame as AnyGame, carcOptions, carc.positions.slice(0, 1), carc.config, 700);
  const cr = iterationsPerSecond(carcassonneMctsGame as AnyGame, carcOptions, carc.positions, carc.config, 4000);
  results.push({
    group: GROUP,
    name: `Carcassonne (2 players), default settings (depth ${carcOptions.depth}, ${carcOptions.rollout} rollout): iterations/s (1 core)`,
    value: Math.round(cr.rate),
    unit: 'iter/s',
    note: `${cr.decisions} searches over ${carc.positions.length} positions of a seeded greedy game; candidates and the opponent's modelled reply rank every legal action one ply ahead, cached per position`,
  });
  const {
    times: carcTimes,
    mean: carcMean,
    p95: carcP95,
  } = await decisionTimes(
    carcassonneMctsGame as AnyGame,
    carc.config,
    carcOptions,
    () => createGreedyStrategy({ params: {} }),
    1,
  );
  results.push({
    group: GROUP,
    name: `Carcassonne: decision time at the default budget (${carcOptions.iterations} iterations), mean`,
    value: Math.round(carcMean * 10) / 10,
    unit: 'ms',
    target: '< 1000',
    note: `${carcTimes.length} decisions in a game against carcassonne-greedy`,
  });
  results.push({
    group: GROUP,
    name: `Carcassonne: decision time at the default budget (${carcOptions.iterations} iterations), p95`,
    value: Math.round(carcP95 * 10) / 10,
    unit: 'ms',
    target: '< 1000',
  });

  // The generic search on the small fixture games: what the tree itself costs when the game is cheap.
  const ttt = [
    { obs: position('X.O/O../X..'), seat: 0 },
    { obs: position('.../.X./...'), seat: 1 },
  ];
  const tttOptions: MctsOptions = { iterations: 2000, depth: 0, exploration: 1.4, rollout: 'random', reuseTree: false };
  iterationsPerSecond(tttGame as AnyGame, tttOptions, ttt, {}, 500);
  const t = iterationsPerSecond(tttGame as AnyGame, tttOptions, ttt, {}, 2000);
  results.push({
    group: GROUP,
    name: 'tic-tac-toe (test fixture, turn-based, random rollouts to the end): iterations/s (1 core)',
    value: Math.round(t.rate),
    unit: 'iter/s',
    note: 'generic tree cost: UCB selection, one node per iteration, a rollout of a few plies',
  });
  const goofConfig = { cards: 5 };
  const goofEngine = goofGame.engine;
  const goofStart = goofEngine.apply(goofEngine.setup(goofConfig, 2, createRng(1)), { kind: 'chance', outcome: 3 });
  const goof = [{ obs: goofEngine.observe(goofStart, 0), seat: 0 }];
  const goofOptions: MctsOptions = {
    iterations: 2000,
    depth: 0,
    exploration: 0.7,
    rollout: 'random',
    reuseTree: false,
  };
  iterationsPerSecond(goofGame as AnyGame, goofOptions, goof, goofConfig, 500);
  const gs = iterationsPerSecond(goofGame as AnyGame, goofOptions, goof, goofConfig, 2000);
  results.push({
    group: GROUP,
    name: 'hidden-bid Goofspiel, 5 cards (test fixture, simultaneous, chance, determinised): iterations/s (1 core)',
    value: Math.round(gs.rate),
    unit: 'iter/s',
    note: 'a determinisation per iteration, decoupled UCT at both seats, chance nodes sampled',
  });
  return results;
};
