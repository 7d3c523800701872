/**
 * creepsmash-search at its default budget: the time of one search (a decision at which it plays its candidates
 * ahead), over every search of one seeded 2-player game against creepsmash-heuristic, from the first tick to the
 * end, where boards are full of towers and creeps and a future costs most. Decisions between searches (the
 * heuristic's own, microseconds) are not counted. Its own module rather than a row of bench/creepsmash.bench.ts,
 * which the engine work changes at the same time. CPU time is reported beside the wall clock: on a shared machine
 * the wall clock of one decision is mostly waiting for a core.
 */
import { runMatch } from '../src/core/match.ts';
import type { Strategy } from '../src/core/strategy.ts';
import { type CreepSmashAction, type CreepSmashObservation, creepsmashEngine } from '../src/games/creepsmash/index.ts';
import { createHeuristicStrategy, createSearchStrategy } from '../strategies/creepsmash/index.ts';
import type { Bench } from './harness.ts';

export const run: Bench = async () => {
  const wall: number[] = [];
  const cpu: number[] = [];
  const search = createSearchStrategy({ params: {} });
  let ticks = 0;
  const timed: Strategy<CreepSmashObservation, CreepSmashAction> = {
    name: search.name,
    decide(obs, ctx) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const action = search.decide(obs, ctx) as CreepSmashAction;
      const c = process.cpuUsage(c0);
      const ms = performance.now() - t0;
      // A search plays thousands of ticks (tens of CPU-milliseconds); the heuristic's answers between searches take
      // microseconds of CPU. CPU time, not the wall clock, tells them apart on a loaded machine.
      if ((c.user + c.system) / 1000 >= 2) {
        wall.push(ms);
        cpu.push((c.user + c.system) / 1000);
      }
      return action;
    },
  };
  const started = performance.now();
  const out = await runMatch({
    engine: creepsmashEngine,
    config: creepsmashEngine.defaultConfig(),
    players: [timed, createHeuristicStrategy({ params: {} })],
    seed: 'creepsmash-search-bench',
  });
  ticks = out.steps - 1;
  const gameMs = performance.now() - started;
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return {
      mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length),
      p95: s[Math.min(s.length - 1, Math.floor(0.95 * s.length))] ?? 0,
      max: s.at(-1) ?? 0,
    };
  };
  const w = stats(wall);
  const c = stats(cpu);
  const note = `${wall.length} searches in one ${ticks}-tick game against creepsmash-heuristic (${Math.round(gameMs / 1000)} s wall for the game)`;
  const row = (name: string, value: number) => ({
    group: 'MCTS',
    name: `CreepSmash: search decision time at the default budget (every 200 ticks, 5 × 1200 ticks), ${name}`,
    value: Math.round(value * 10) / 10,
    unit: 'ms',
    target: '< 1000',
    note,
  });
  return [
    row('mean (wall)', w.mean),
    row('p95 (wall)', w.p95),
    row('max (wall)', w.max),
    row('mean (CPU)', c.mean),
    row('max (CPU)', c.max),
  ];
};
