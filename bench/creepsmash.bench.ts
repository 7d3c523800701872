/**
 * CreepSmash engine throughput: whole games of heuristic bots played in-process by `runMatch` on one core, one step
 * per tick. The speed-up over real time is game ticks × the tick length (50 ms) over the time the game took, by the
 * wall clock and by this process's CPU time (the CPU figure is what a loaded, shared machine cannot inflate).
 */
import { runMatch } from '../src/core/match.ts';
import { creepsmashEngine } from '../src/games/creepsmash/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../strategies/creepsmash/index.ts';
import type { Bench, BenchResult } from './harness.ts';

const GROUP = 'CreepSmash engine';

async function games(players: number, factory: typeof createHeuristicStrategy, count: number) {
  const config = creepsmashEngine.defaultConfig();
  let ticks = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (let seed = 0; seed < count; seed++) {
    const bots = Array.from({ length: players }, () => factory({ params: {} }));
    const out = await runMatch({ engine: creepsmashEngine, config, players: bots, seed });
    ticks += out.steps - 1; // the first step is the tile choice
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { ticks, wallMs, cpuMs, perGame: ticks / count, realMs: ticks * config.tickMs };
}

export const run: Bench = async () => {
  const results: BenchResult[] = [];
  await games(2, createRandomStrategy, 2); // warm-up
  for (const players of [2, 4]) {
    const g = await games(players, createHeuristicStrategy, players === 2 ? 3 : 2);
    const note = `${g.ticks} ticks over ${players === 2 ? 3 : 2} games (${Math.round(g.perGame)} ticks a game); ${Math.round(g.cpuMs)} ms CPU, ${Math.round(g.wallMs)} ms wall`;
    results.push({
      group: GROUP,
      name: `${players} players, heuristic bots: ticks/s (1 core)`,
      value: Math.round((g.ticks * 1000) / g.wallMs),
      unit: 'ticks/s',
      note,
    });
    results.push({
      group: GROUP,
      name: `${players} players, heuristic bots: speed-up over real time (CPU time)`,
      value: Math.round(g.realMs / g.cpuMs),
      unit: '×',
      ...(players === 2 ? { target: '>= 500' } : {}),
      note: `wall-clock speed-up ${Math.round(g.realMs / g.wallMs)}× on this shared machine; 20 ticks a second in real time`,
    });
  }
  return results;
};
