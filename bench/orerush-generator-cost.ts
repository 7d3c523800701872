/**
 * What one Ore Rush bot costs the load generator, in CPU time (what a shared machine cannot inflate the way it
 * inflates the wall clock): `bots` orerush-play sessions (random bot, think time 1 s) against the cheap answering
 * peer (bench/orerush-answering-server.ts), ramped over 4 s; once `skip` seconds of play have passed after the
 * ramp, the generator process's CPU (every thread) over the rest of the hold, divided by the rounds played in it
 * and by the bot-seconds. With one thread it also counts socket writes and reads per round (the sessions run on
 * this thread). `PROF=file.cpuprofile` writes a CPU profile of that window (one thread only). `PARAMS=k=v,k=v` adds
 * orerush-play params (e.g. `PARAMS=holdAnswersMs=4000`: answers held for the next pmove, one write a round; the default 0 answers at once).
 *
 * Run: node --import tsx bench/orerush-generator-cost.ts [bots=1000] [threads=1] [holdMs=10000] [skipS=4]
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { Socket } from 'node:net';
import os from 'node:os';
import { silentLogger } from '../src/core/log.ts';
import { loadScenario, runLoadTest } from '../src/load/index.ts';
import { startChild, stopChild } from './loadtest-kit.ts';

const [bots = 1000, threads = 1, holdMs = 10_000, skip = 4] = process.argv.slice(2).map(Number);
const rampMs = 4000;
const profile = process.env.PROF;
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
if (profile) {
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
}

const { child, info } = await startChild([process.execPath, '--import', 'tsx', 'bench/orerush-answering-server.ts']);
const scenario = await loadScenario('orerush-play');
const common = {
  scenario,
  host: '127.0.0.1',
  port: info.port,
  thinkTimeMs: 1000,
  requestTimeoutMs: 10_000,
  stopGraceMs: 10_000,
  params: { bot: 'random', lobbyTimeoutMs: 10_000, ...extra },
  thresholds: [],
  log: silentLogger,
  preflight: false,
  ...(threads > 1 ? { threads } : {}),
};
// A few bots first: modules load and compile here, not in the measured run.
await runLoadTest({
  ...common,
  seed: 'warm-up',
  workload: { kind: 'closed', start: 0, stages: [{ durationMs: 2000, target: 4 }] },
});

const from = rampMs / 1000 + skip;
const to = (rampMs + holdMs) / 1000;
let start: { t: number; cpu: NodeJS.CpuUsage; writes: number; reads: number } | undefined;
let window: { seconds: number; cpu: number; user: number; writes: number; reads: number } | undefined;
let rounds = 0;
const { summary } = await runLoadTest({
  ...common,
  seed: 'generator-cost',
  workload: {
    kind: 'closed',
    start: 0,
    stages: [
      { durationMs: rampMs, target: bots },
      { durationMs: holdMs, target: bots },
      { durationMs: 1000, target: bots },
    ],
  },
  onTick: (p) => {
    if (process.env.DEBUG) process.stderr.write(`t=${p.t} moves=${p.latency.move_rtt?.count ?? 0}\n`);
    if (!start && p.t >= from) {
      start = { t: p.t, cpu: process.cpuUsage(), writes, reads };
      if (profile) session.post('Profiler.start');
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
      };
      if (profile)
        session.post('Profiler.stop', (error, r) => {
          if (!error) writeFileSync(profile, JSON.stringify(r.profile));
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
    ...(threads === 1
      ? { writesPerRound: +(window.writes / rounds).toFixed(2), readsPerRound: +(window.reads / rounds).toFixed(2) }
      : {}),
    errors: summary.errors.total,
    ...(summary.errors.total > 0 ? { errorKinds: summary.errors.byKind } : {}),
  }),
);
process.exit(0);
