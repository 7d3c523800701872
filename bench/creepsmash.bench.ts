/**
 * Two parts. CreepSmash engine throughput: whole games of heuristic bots played in-process by `runMatch` on one core, one step
 * per tick. The speed-up over real time is game ticks × the tick length (50 ms) over the time the game took, by the
 * wall clock and by this process's CPU time (the CPU figure is what a loaded, shared machine cannot inflate).
 *
 * Then the reference server in real time: `botswarm serve se1 --game creepsmash` in a child process (20 ticks a
 * second), this process the load generator (`se1-creepsmash`, heuristic bots, 2-player games), closed-model steps
 * of more and more bots until the server's own tick lateness (each tick event's `@ts` − startTime − k·tickMs) has a
 * per-second p99 over one tick (50 ms) in the second half of a step's hold. The figure is the most players at which
 * it still kept time.
 */
import { runMatch } from '../src/core/match.ts';
import { creepsmashEngine } from '../src/games/creepsmash/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../strategies/creepsmash/index.ts';
import type { Bench, BenchResult } from './harness.ts';
import { capacitySteps, serveArgs, softFdLimit, wantedSteps, withChild } from './loadtest-kit.ts';

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
  results.push(...(await serverKeepsTime()));
  return results;
};

const TICK_MS = 50;

export async function serverKeepsTime(): Promise<BenchResult[]> {
  const steps = wantedSteps([10, 50, 150]);
  const server = serveArgs('se1', {
    game: 'creepsmash',
    seed: 'bench',
    timeoutMs: 60_000,
    tickMs: TICK_MS,
    // Games outlast a step: the bots are in a game for the whole hold.
    rules: 'maxTicks=600',
    maxTestPlayers: 1_000_000,
  });
  const label = 'CreepSmash real-time';
  const run = await withChild(server, (port) =>
    capacitySteps({
      label,
      scenario: 'se1-creepsmash',
      params: { strategy: 'heuristic' },
      port,
      steps,
      maxBots: softFdLimit() - 100,
      fdLimit: softFdLimit(),
      metric: 'server_tick_late',
      exchange: 'tick lateness',
      thinkMs: 0,
      rampMs: 1000,
      holdMs: 7000,
      p99LimitMs: TICK_MS,
    }),
  );
  const best = run.filter((s) => s.stable).at(-1);
  const text = run
    .map(
      (s) =>
        `${s.bots}: server tick lateness p99 ${s.p99Ms.toFixed(1)} ms over the whole hold, errors ${s.errors}, playing ${s.playing}, generator cpu ${s.cpu}%${s.stable ? '' : ` (${s.reason})`}`,
    )
    .join('; ');
  return [
    {
      group: 'CreepSmash server',
      name: `players the reference server keeps ticking on time (p99 tick lateness < ${TICK_MS} ms, 20 ticks/s)`,
      value: best?.bots ?? 0,
      unit: 'players',
      note: `2-player games of heuristic bots, generator in this process, server in a child process, same 2 cores; steps ${steps.join('/')}, ramp 1 s, hold 7 s; ${text}${best === run.at(-1) ? '; every step kept time (the generator, not the server, bounds the steps)' : ''}`,
    },
  ];
}
