/**
 * catan-mcts at its default budget: the time of one decision, over every decision catan-mcts makes in seeded
 * 3-player games against two catan-heuristic bots (openings, robber moves, main turns alike). Its own module
 * rather than a row of bench/mcts.bench.ts or bench/catan.bench.ts, which other work changes at the same time.
 */
import { runMatch } from '../src/core/match.ts';
import type { Strategy } from '../src/core/strategy.ts';
import { type CatanAction, type CatanObservation, catanEngine } from '../src/games/catan/index.ts';
import { createHeuristicStrategy } from '../strategies/catan/index.ts';
import { catanMctsBot, catanMctsDefaults } from '../strategies/catan/mcts.ts';
import type { Bench } from './harness.ts';

const GAMES = 2;

export const run: Bench = async () => {
  const times: number[] = [];
  // CPU time beside the wall clock: on a shared, loaded machine one decision's wall time is mostly waiting for a core.
  const cpu: number[] = [];
  for (let g = 0; g < GAMES; g++) {
    const mcts = catanMctsBot.create({ params: {} });
    const timed: Strategy<CatanObservation, CatanAction> = {
      name: mcts.name,
      decide(obs, ctx) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const action = mcts.decide(obs, ctx) as CatanAction;
        times.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        return action;
      },
    };
    await runMatch({
      engine: catanEngine,
      config: catanEngine.defaultConfig(),
      players: [timed, createHeuristicStrategy({ params: {} }), createHeuristicStrategy({ params: {} })],
      seed: `catan-mcts-bench/${g}`,
    });
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const note = `${times.length} decisions of catan-mcts in ${GAMES} games against two catan-heuristic bots`;
  const row = (name: string, value: number) => ({
    group: 'MCTS',
    name: `Catan: decision time at the default budget (${catanMctsDefaults.iterations} iterations), ${name}`,
    value: Math.round(value * 10) / 10,
    unit: 'ms',
    target: '< 1000',
    note,
  });
  cpu.sort((a, b) => a - b);
  const cpuMean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
  return [
    row('mean', mean),
    row('p95', at(0.95)),
    row('max', times.at(-1)!),
    row('mean (CPU)', cpuMean),
    row('p95 (CPU)', cpu[Math.min(cpu.length - 1, Math.floor(0.95 * cpu.length))]!),
    row('max (CPU)', cpu.at(-1)!),
  ];
};
