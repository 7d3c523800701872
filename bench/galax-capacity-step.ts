/**
 * One step of the Galax capacity bench (bench/loadtest.bench.ts, `galax-capacity`) on its own, for A/B runs:
 * the same server settings, scenario, warm-up, ramp (4 s; RAMP_MS), hold and judge, against a fresh reference
 * server, with what a step of the bench does not report: the server's CPU over the whole run, both processes' CPU
 * per message, and the server's accept queue at its longest (`ss` every 20 ms, Linux with iproute2).
 *
 *   BOTS=10000 THREADS=2 HOLD_MS=10000 LABEL=a nice -n 10 node --import tsx bench/galax-capacity-step.ts
 *
 * Prints one JSON line. Run two builds alternately (A B B A ...): a shared machine moves every figure here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { capYoungGeneration, loadBuild, loadScenario, runLoadTest } from './load-build.ts';
import {
  benchRun,
  galaxLoadServerArgs,
  gc,
  holdWindow,
  judgeStep,
  listenOverflows,
  rampHold,
  readNetstat,
  warmUp,
  withChild,
} from './loadtest-kit.ts';

const bots = Number(process.env.BOTS ?? 10_000);
const threads = Number(process.env.THREADS ?? 2);
const holdMs = Number(process.env.HOLD_MS ?? 10_000);
const rampMs = Number(process.env.RAMP_MS ?? 4000);

/** CPU seconds of a process (user + system), from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Samples the listening socket's accept queue (ss's Recv-Q) every 20 ms; `stop()` returns the longest and the cap. */
function watchAcceptQueue(port: number): { stop(): { longest: number; backlog: number } } {
  let longest = 0;
  let backlog = 0;
  let rest = '';
  const child: ChildProcess = spawn('/bin/sh', ['-c', `while :; do ss -Hltn "sport = :${port}"; sleep 0.02; done`], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      const [, queue, cap] = line.trim().split(/\s+/);
      longest = Math.max(longest, Number(queue) || 0);
      backlog = Number(cap) || backlog;
    }
  });
  return {
    stop() {
      child.kill();
      return { longest, backlog };
    },
  };
}

capYoungGeneration();
const server = galaxLoadServerArgs();
await withChild(server, async (port, pid) => {
  const scenario = await loadScenario('galax-play');
  const run = benchRun({
    scenario,
    port,
    thinkMs: 1000,
    params: { players: 4, bot: 'random', lobbyTimeoutMs: 5000 },
    threads,
  });
  await warmUp(run, 'bench-galax-play-warm-up');
  await new Promise((r) => setTimeout(r, 1000));
  gc();
  const queue = watchAcceptQueue(port);
  const overflows0 = listenOverflows(readNetstat());
  const cpu0 = process.cpuUsage();
  const serverCpu0 = cpuSeconds(pid);
  const window = holdWindow('move_rtt', rampMs / 1000, (rampMs + holdMs) / 1000);
  const { summary, recorder } = await runLoadTest({
    ...run,
    workload: rampHold(bots, rampMs, holdMs, 2000),
    seed: `bench-galax-play-${bots}`,
    onTick: window.tick,
  });
  const cpu = process.cpuUsage(cpu0);
  const generatorCpuS = (cpu.user + cpu.system) / 1e6;
  const serverCpuS = cpuSeconds(pid) - serverCpu0;
  const overflows1 = listenOverflows(readNetstat());
  const { longest, backlog } = queue.stop();
  const hold = recorder.points.filter((p) => p.t > rampMs / 1000 && p.t <= (rampMs + holdMs) / 1000 + 0.5);
  const holdP99sMs = hold.map((p) => Math.round((p.latency.move_rtt?.p99 ?? 0) / 1000));
  const step = {
    bots,
    p99Ms: window.p99Ms(),
    worstSecondP99Ms: Math.max(0, ...hold.map((p) => (p.latency.move_rtt?.p99 ?? 0) / 1000)),
    playing: summary.latency.first_event?.corrected.count ?? 0,
    errors: summary.errors.total,
    errorKinds: Object.entries(summary.errors.byKind)
      .map(([k, n]) => `${k}: ${n}`)
      .join(', '),
  };
  const messages = summary.throughput.messagesIn + summary.throughput.messagesOut;
  console.log(
    JSON.stringify({
      label: process.env.LABEL ?? '',
      build: loadBuild,
      threads,
      ...step,
      reason: judgeStep(step, 200),
      holdP99sMs,
      lagMaxMs: Math.max(0, ...hold.map((p) => p.eventLoopLagMaxMs)),
      slowestConnectMs: Math.round((summary.latency.connect?.corrected.max ?? 0) / 1000),
      lastFirstEventMs: Math.round((summary.latency.first_event?.corrected.max ?? 0) / 1000),
      acceptQueueLongest: longest,
      backlog,
      listenOverflows: overflows0 !== undefined && overflows1 !== undefined ? overflows1 - overflows0 : null,
      generatorCpuS: Math.round(generatorCpuS * 10) / 10,
      serverCpuS: Math.round(serverCpuS * 10) / 10,
      generatorUsPerMessage: Math.round((generatorCpuS * 1e7) / messages) / 10,
      serverUsPerMessage: Math.round((serverCpuS * 1e7) / messages) / 10,
      counters: summary.counters,
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    }),
  );
});
