/**
 * What building `BOTS` sessions costs the generator, in figures a shared machine does not move much: the sessions
 * run on this thread (one generator thread, as each worker thread of a threaded run; no young-generation cap),
 * ramped over `RAMP_MS` with a long think time (`THINK_MS`, default 30 s: a bot decides its first turn and then
 * waits, so the ramp holds the session starts and little play). Prints one JSON line:
 *
 * - `cpuUsPerSession`: this process's CPU (every thread: the collector's helpers too) from the first session to the
 *   point where every session has had its first turn (`built`; at least `SETTLE_MS` after the ramp, at most
 *   `MAX_WAIT_MS`), over the sessions running then;
 * - `retainedBytesPerSession`: the heap in use after a full collection with every session built and waiting,
 *   less the heap in use before the run, over the sessions;
 * - `scavenges`, `scavengePauseMs`, `scavengeMaxMs`: the young-generation collections from the run's start to the
 *   same point (their pauses in wall time).
 *
 *   GAME=galax BOTS=2000 node --import tsx bench/loadtest-build-up.ts
 *   GAME=orerush BOTS=2000 node --import tsx bench/loadtest-build-up.ts
 *
 * The generator is the compiled build when fresh, as in the stepped benches (bench/load-build.ts;
 * BOTSWARM_FROM_SOURCE=1: the sources through tsx). `HEAP_SNAPSHOT=path` also writes a heap snapshot at that point. Against a fresh reference Galax server (its
 * load-bench settings) or the answering Ore Rush peer (bench/orerush-answering-server.ts).
 */
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { loadBuild as build, loadScenario, runLoadTest } from './load-build.ts';
import { benchRun, galaxLoadServerArgs, gc, warmUp, withChild } from './loadtest-kit.ts';

const game = process.env.GAME ?? 'galax';
if (game !== 'galax' && game !== 'orerush') {
  process.stderr.write(`GAME: galax or orerush, not ${game}\n`);
  process.exit(2);
}
const bots = Number(process.env.BOTS ?? 2000);
const rampMs = Number(process.env.RAMP_MS ?? 4000);
const thinkMs = Number(process.env.THINK_MS ?? 30_000);
const settleMs = Number(process.env.SETTLE_MS ?? 2000);

/** Scavenges while `measuring` (their pauses). */
const scavenges: { pauseMs: number }[] = [];
let measuring = false;
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    // perf_hooks.constants.NODE_PERFORMANCE_GC_MINOR = 1
    if (measuring && kind === 1) scavenges.push({ pauseMs: e.duration });
  }
});
observer.observe({ entryTypes: ['gc'] });

const server =
  game === 'galax' ? galaxLoadServerArgs() : [process.execPath, '--import', 'tsx', 'bench/orerush-answering-server.ts'];
await withChild(server, async (port) => {
  const scenario = await loadScenario(game === 'galax' ? 'galax-play' : 'orerush-play');
  const run = benchRun({
    scenario,
    port,
    thinkMs,
    params:
      game === 'galax'
        ? { players: 4, bot: 'random', lobbyTimeoutMs: 5000 }
        : { bot: 'random', lobbyTimeoutMs: 10_000 },
  });
  // The warm-up with the bench's think time: its few sessions end within the warm-up's stop grace.
  await warmUp({ ...run, thinkTimeMs: 1000 }, 'build-up-warm-up');
  gc();
  gc();
  const heap0 = getHeapStatistics().used_heap_size;
  let result: Record<string, number> | undefined;
  let cpu0: NodeJS.CpuUsage | undefined;
  measuring = true;
  cpu0 = process.cpuUsage();
  const due = rampMs + settleMs;
  // Measured once every session has had its first turn (first_event), at the latest `MAX_WAIT_MS` after the ramp
  // (then `built` says how many had); the run stops there.
  const maxWaitMs = Number(process.env.MAX_WAIT_MS ?? 20_000);
  const done = new AbortController();
  await runLoadTest({
    ...run,
    workload: {
      kind: 'closed',
      start: 0,
      stages: [
        { durationMs: rampMs, target: bots },
        { durationMs: Math.max(settleMs, maxWaitMs) + 1500, target: bots },
      ],
    },
    seed: `build-up-${game}-${bots}`,
    signal: done.signal,
    onTick: (point, recorder) => {
      if (result || point.t * 1000 < due) return;
      const built = recorder.lookup().trend('first_event')?.count ?? 0;
      if (built < bots && point.t * 1000 < rampMs + maxWaitMs) return;
      const cpu = process.cpuUsage(cpu0);
      measuring = false;
      const sessions = recorder.activeSessions;
      gc();
      gc();
      const retained = getHeapStatistics().used_heap_size - heap0;
      if (process.env.HEAP_SNAPSHOT) writeHeapSnapshot(process.env.HEAP_SNAPSHOT);
      result = {
        sessions,
        built,
        measuredAtS: point.t,
        cpuUsPerSession: Math.round((cpu.user + cpu.system) / sessions),
        retainedBytesPerSession: Math.round(retained / sessions),
        scavenges: scavenges.length,
        scavengePauseMs: Math.round(scavenges.reduce((s, x) => s + x.pauseMs, 0)),
        scavengeMaxMs: Math.round(Math.max(0, ...scavenges.map((x) => x.pauseMs)) * 10) / 10,
      };
      done.abort();
    },
  });
  observer.disconnect();
  console.log(
    JSON.stringify({
      label: process.env.LABEL ?? '',
      build,
      game,
      bots,
      rampMs,
      thinkMs,
      ...result,
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    }),
  );
});
