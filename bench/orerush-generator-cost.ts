/**
 * What one Ore Rush bot costs the load generator, in CPU time (what a shared machine cannot inflate the way it
 * inflates the wall clock): `bots` orerush-play sessions (random bot, think time 1 s) against the cheap answering
 * peer (bench/orerush-answering-server.ts), ramped over 4 s; once `skip` seconds of play have passed after the
 * ramp, the generator process's CPU (every thread) over the rest of the hold, divided by the rounds played in it
 * and by the bot-seconds. With one thread it also counts socket writes and reads per round (the sessions run on
 * this thread). `PROF=file.cpuprofile` writes a CPU profile of that window (one thread only); `HEAP=file.heapprofile`
 * an allocation sampling profile of it: what was allocated in the window and is still alive at its end (with
 * `HEAP_ALL=1`: everything allocated). With one thread it also gives the collector's pauses over the window. `PARAMS=k=v,k=v` adds
 * orerush-play params (e.g. `PARAMS=holdAnswersMs=4000`: answers held for the next pmove, one write a round; the default 0 answers at once).
 *
 * Run: node --import tsx bench/orerush-generator-cost.ts [bots=1000] [threads=1] [holdMs=10000] [skipS=4]
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { Socket } from 'node:net';
import os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { loadScenario, runLoadTest } from '../src/load/index.ts';
import { benchRun, rampHold, startChild, stopChild, warmUp } from './loadtest-kit.ts';

const [bots = 1000, threads = 1, holdMs = 10_000, skip = 4] = process.argv.slice(2).map(Number);
const rampMs = 4000;
const profile = process.env.PROF;
const heapProfile = process.env.HEAP;
const extra = Object.fromEntries(
  (process.env.PARAMS ?? '')
    .split(',')
    .filter((kv) => kv.includes('='))
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

let writes = 0;
let reads = 0;
if (threads === 1) {
  const write = Socket.prototype.write;
  Socket.prototype.write = function (this: Socket, ...args: unknown[]) {
    writes++;
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof write;
  const emit = Socket.prototype.emit;
  Socket.prototype.emit = function (this: Socket, event: string | symbol, ...args: unknown[]) {
    if (event === 'data') reads++;
    return (emit as (...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof emit;
}
const session = new Session();
if (profile || heapProfile) session.connect();
if (profile) {
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
}
if (heapProfile) session.post('HeapProfiler.enable');

// This thread's garbage collections (with one thread: the sessions' own), pause time by kind.
const gc = { minorMs: 0, minor: 0, majorMs: 0, major: 0, otherMs: 0 };
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === 1) {
      gc.minor++;
      gc.minorMs += e.duration;
    } else if (kind === 2 || kind === 4) {
      gc.major++;
      gc.majorMs += e.duration;
    } else gc.otherMs += e.duration;
  }
});

const { child, info } = await startChild([process.execPath, '--import', 'tsx', 'bench/orerush-answering-server.ts']);
const scenario = await loadScenario('orerush-play');
const run = benchRun({
  scenario,
  port: info.port,
  thinkMs: 1000,
  params: { bot: 'random', lobbyTimeoutMs: 10_000, ...extra },
  threads,
});
await warmUp(run, 'warm-up');

const from = rampMs / 1000 + skip;
const to = (rampMs + holdMs) / 1000;
let start: { t: number; cpu: NodeJS.CpuUsage; writes: number; reads: number } | undefined;
let window: { seconds: number; cpu: number; user: number; writes: number; reads: number; gc: typeof gc } | undefined;
let rounds = 0;
const { summary } = await runLoadTest({
  ...run,
  seed: 'generator-cost',
  workload: rampHold(bots, rampMs, holdMs, 1000),
  onTick: (p) => {
    if (process.env.DEBUG) process.stderr.write(`t=${p.t} moves=${p.latency.move_rtt?.count ?? 0}\n`);
    if (!start && p.t >= from) {
      start = { t: p.t, cpu: process.cpuUsage(), writes, reads };
      gcObserver.observe({ entryTypes: ['gc'] });
      if (profile) session.post('Profiler.start');
      // Sampled allocations of the window still alive when it ends (what survives a think time), every 4 KiB.
      if (heapProfile)
        session.post('HeapProfiler.startSampling', {
          samplingInterval: 4096,
          ...(process.env.HEAP_ALL
            ? { includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }
            : {}),
        });
      return;
    }
    if (!start || window) return;
    rounds += p.latency.move_rtt?.count ?? 0;
    if (p.t >= to) {
      const c = process.cpuUsage(start.cpu);
      window = {
        seconds: p.t - start.t,
        cpu: (c.user + c.system) / 1e6,
        user: c.user / 1e6,
        writes: writes - start.writes,
        reads: reads - start.reads,
        gc: { ...gc },
      };
      gcObserver.disconnect();
      if (profile)
        session.post('Profiler.stop', (error, r) => {
          if (!error) writeFileSync(profile, JSON.stringify(r.profile));
        });
      if (heapProfile)
        session.post('HeapProfiler.stopSampling', (error, r) => {
          if (!error) writeFileSync(heapProfile, JSON.stringify(r.profile));
        });
    }
  },
});
await stopChild(child);
if (!window || rounds === 0) {
  process.stderr.write(
    `no measured window (hold too short for the skip, or no round played): ${JSON.stringify({ errors: summary.errors, counters: summary.counters })}\n`,
  );
  process.exit(1);
}
console.log(
  JSON.stringify({
    bots,
    threads,
    ...(Object.keys(extra).length > 0 ? { params: extra } : {}),
    loadAverage: +os.loadavg()[0]!.toFixed(2),
    seconds: Math.round(window.seconds * 10) / 10,
    roundsPerSecond: Math.round(rounds / window.seconds),
    cpuUsPerRound: Math.round((window.cpu / rounds) * 1e6),
    userUsPerRound: Math.round((window.user / rounds) * 1e6),
    cpuUsPerBotSecond: Math.round((window.cpu / window.seconds / bots) * 1e6),
    // Pauses of this thread's collector over the window (the sessions' own with one thread), ms per second.
    ...(threads === 1
      ? {
          gcMsPerSecond: Math.round((window.gc.minorMs + window.gc.majorMs + window.gc.otherMs) / window.seconds),
          scavengesPerSecond: +(window.gc.minor / window.seconds).toFixed(2),
          scavengeMsEach: window.gc.minor > 0 ? +(window.gc.minorMs / window.gc.minor).toFixed(1) : 0,
          majorGcs: window.gc.major,
          gcUsPerRound: Math.round(((window.gc.minorMs + window.gc.majorMs + window.gc.otherMs) / rounds) * 1000),
        }
      : {}),
    ...(threads === 1
      ? { writesPerRound: +(window.writes / rounds).toFixed(2), readsPerRound: +(window.reads / rounds).toFixed(2) }
      : {}),
    errors: summary.errors.total,
    ...(summary.errors.total > 0 ? { errorKinds: summary.errors.byKind } : {}),
  }),
);
process.exit(0);
