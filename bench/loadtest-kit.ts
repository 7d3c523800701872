/**
 * Helpers of the load-test bench (bench/loadtest.bench.ts), shared by its Galax and Ore Rush parts: child
 * processes with a raised fd limit, closed-model capacity steps judged on a stable round-trip p99 with the memory
 * per connected bot, and interleaved side-by-side client throughput runs.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { silentLogger } from '../src/core/log.ts';
import type { LoadScenario, LoadTestOptions, Workload } from '../src/load/index.ts';
import { type RawHistogram, windowPercentile } from '../src/load/metrics.ts';
import type { BenchResult } from './harness.ts';
import { loadBuild, loadScenario, runLoadTest } from './load-build.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

setFlagsFromString('--expose-gc');
export const gc = runInNewContext('gc') as () => void;

export function softFdLimit(): number {
  try {
    return Number(execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
}

/**
 * Starts a child through a shell that first raises its soft fd limit to the hard one (10,000 bots are 10,000
 * sockets on the server side too); resolves with the JSON line it prints.
 */
export function startChild(args: string[]): Promise<{ child: ChildProcess; info: { port: number } }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'ulimit -n $(ulimit -Hn) 2>/dev/null; exec "$@"', 'sh', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`child did not start: ${args.join(' ')}`)), 60_000);
    child.stdout!.on('data', (d) => {
      buffer += d;
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, info: JSON.parse(line) });
      }
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}): ${args.join(' ')}`)));
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Runs `body` against a child started with `args`, and stops the child whatever happens. */
export async function withChild<T>(
  args: string[],
  body: (port: number, pid: number | undefined) => Promise<T>,
): Promise<T> {
  const { child, info } = await startChild(args);
  try {
    // The shell execs the command: its pid is the child's own.
    return await body(info.port, child.pid);
  } finally {
    await stopChild(child);
  }
}

/**
 * The node args of `botswarm serve <protocol>` on a free port with these `--set` settings. Node flags for the
 * server only come from `LOADTEST_SERVER_NODE_ARGS` (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, which
 * NODE_OPTIONS refuses).
 */
export function serveArgs(protocol: string, settings: Record<string, string | number>): string[] {
  const sets = Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const nodeArgs = process.env.LOADTEST_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  return [
    process.execPath,
    ...nodeArgs,
    'bin/botswarm.js',
    'serve',
    protocol,
    '--port',
    '0',
    '--json',
    '--log-level',
    'warn',
    ...sets,
  ];
}

/**
 * The Galax reference server every load bench runs against: no cap on games or connections, no move or idle
 * timeout and no year limit, so that only the generator's and the server's speed end a step.
 */
export function galaxLoadServerArgs(): string[] {
  return serveArgs('galax', {
    maxGames: 100_000,
    maxConnections: 0,
    moveTimeoutMs: 60_000,
    maxYear: 100_000,
    idleTimeoutMs: 0,
  });
}

export interface CapacityOptions {
  /** Shown in the figures, e.g. `Galax`. */
  readonly label: string;
  readonly scenario: string;
  readonly params: Record<string, string | number | boolean>;
  readonly port: number;
  readonly steps: readonly number[];
  /** Steps above this are skipped (each bot is one socket). */
  readonly maxBots: number;
  readonly fdLimit: number;
  /** The round-trip metric judged, e.g. `move_rtt`. */
  readonly metric: string;
  /** What that round trip is, for the figure's name (e.g. `MOVE→MVOK`). */
  readonly exchange: string;
  readonly thinkMs: number;
  readonly rampMs: number;
  readonly holdMs: number;
  /** A step is stable when the p99 over its whole hold stays within this (see `judgeStep`). */
  readonly p99LimitMs: number;
  /** Worker threads of the generator (default 1: every session on the main thread). */
  readonly threads?: number;
  /** The peer's process, whose CPU over each hold is reported (the server side of the figure). */
  readonly serverPid?: number;
  /** What the bots play against, for the figure's name (e.g. `the reference server`). */
  readonly against?: string;
  /** The target of the bots figure (e.g. `>= 10000`); none when this figure has none. */
  readonly target?: string;
}

export interface StepResult {
  bots: number;
  /** The p99 over the whole hold: of every sample from the ramp's end to the hold's (`holdWindowP99`). */
  p99Ms: number;
  /** The highest of the hold's per-second p99s (where the worst of it sits; not the judged figure). */
  worstSecondP99Ms: number;
  errors: number;
  /** Error kinds and counts, e.g. `timeout: 3`. */
  errorKinds: string;
  /** Connects the machine's kernel turned away over the step (`listenOverflows`), where it can tell. */
  listenOverflows?: number;
  playing: number;
  /**
   * What the session metrics say of bots that never played (when some did not): the slowest TCP connect (a connect
   * retried by the kernel after a dropped SYN takes 1 s, 3 s, 7 s) and the bots that left an unfilled lobby.
   */
  notPlaying?: string;
  maxLagMs: number;
  /** Each second's p99 over the hold, ms (where a high p99 sits: the ramp's tail or throughout). */
  holdP99sMs?: number[];
  /** The generator's CPU over the hold, percent of one core: the mean of its seconds, and the busiest second. */
  cpu: number;
  cpuMaxSecond: number;
  /** The peer's CPU over the hold, percent of one core (when its process is known). */
  serverCpu?: number;
  heapPerBotKB: number;
  rssPerBotKB: number;
  stable: boolean;
  /** Why the step is not stable (null when it is). */
  reason: string | null;
}

/**
 * A window of a run judged on every sample in it (not on its per-second percentiles): the run total of `metric` as
 * the first tick at or after `from` seconds and as the last tick up to `to` (+0.5 s) were taken, told apart at the
 * end. `tick` goes in the run's `onTick`.
 */
export function holdWindow(metric: string, from: number, to: number) {
  let atStart: RawHistogram | undefined;
  let atEnd: RawHistogram | undefined;
  let started = false;
  return {
    tick(point: { t: number }, recorder: { latencyTotalRaw(name: string): RawHistogram | undefined }): void {
      if (point.t >= from && !started) {
        started = true;
        atStart = recorder.latencyTotalRaw(metric);
      }
      if (point.t <= to + 0.5) atEnd = recorder.latencyTotalRaw(metric);
    },
    samples: (): number => (atEnd?.total ?? 0) - (atStart?.total ?? 0),
    /** The window's p99, ms; 0 without a sample in it. */
    p99Ms: (): number =>
      atEnd && atEnd.total > (atStart?.total ?? 0) ? windowPercentile(atEnd, atStart, 99) / 1000 : 0,
  };
}

/**
 * The one stability rule of every capacity step (Galax and Ore Rush, one thread or several): a step is stable when
 * the p99 over its WHOLE hold is within the bound, every bot of the step is playing, and there are no errors. No
 * "settled" window, no second left out for a GC. Returns the reason it is not, or null.
 */
export function judgeStep(
  step: {
    readonly bots: number;
    readonly p99Ms: number;
    readonly playing: number;
    readonly errors: number;
    readonly errorKinds?: string;
    readonly notPlaying?: string;
  },
  p99LimitMs: number,
): string | null {
  const reasons: string[] = [];
  if (step.p99Ms <= 0) reasons.push('no round trip measured in the hold');
  else if (step.p99Ms > p99LimitMs) reasons.push(`p99 ${step.p99Ms.toFixed(1)} ms over the hold > ${p99LimitMs} ms`);
  if (step.playing < step.bots)
    reasons.push(`${step.playing} of ${step.bots} bots playing${step.notPlaying ? ` (${step.notPlaying})` : ''}`);
  if (step.errors > 0) reasons.push(`${step.errors} errors${step.errorKinds ? ` (${step.errorKinds})` : ''}`);
  return reasons.length > 0 ? reasons.join('; ') : null;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Connections the kernel turned away because a listening socket's accept queue was full (`ListenOverflows`, all
 * sockets of the machine), from /proc (Linux); undefined elsewhere. A full queue drops the SYN (the client retries
 * 1 s, 3 s, 7 s later) or the handshake's last ACK (the client believes it is connected and waits for the greeting).
 */
export function listenOverflows(netstat: string | undefined): number | undefined {
  if (netstat === undefined) return undefined;
  const lines = netstat.split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0]?.split(' ') ?? [];
  const values = lines[1]?.split(' ') ?? [];
  const i = names.indexOf('ListenOverflows');
  const n = i > 0 ? Number(values[i]) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** /proc/net/netstat's text (Linux); undefined elsewhere. */
export function readNetstat(): string | undefined {
  try {
    return readFileSync('/proc/net/netstat', 'utf8');
  } catch {
    return undefined;
  }
}

/** What every stepped bench run shares; each run adds its workload and seed. */
export type BenchRun = Omit<LoadTestOptions, 'workload' | 'seed'>;

/** A bench run on loopback: 10 s request timeout and stop grace, silent, no thresholds, no preflight. */
export function benchRun(o: {
  readonly scenario: LoadScenario;
  readonly port: number;
  readonly thinkMs: number;
  readonly params: LoadTestOptions['params'];
  readonly threads?: number | undefined;
}): BenchRun {
  return {
    scenario: o.scenario,
    host: '127.0.0.1',
    port: o.port,
    thinkTimeMs: o.thinkMs,
    requestTimeoutMs: 10_000,
    stopGraceMs: 10_000,
    params: o.params,
    thresholds: [],
    log: silentLogger,
    preflight: false,
    ...(o.threads && o.threads > 1 ? { threads: o.threads } : {}),
  };
}

/**
 * A few bots for 2 s, not judged: the scenario's modules (its bot, the codec) load and compile here, not inside
 * the measured run; with worker threads too, whose first start compiles every module once.
 */
export async function warmUp(run: BenchRun, seed: string): Promise<void> {
  await runLoadTest({
    ...run,
    seed,
    workload: { kind: 'closed', start: 0, stages: [{ durationMs: 2000, target: 4 }] },
  });
}

/** Ramp to `bots`, hold, then (with `afterMs`) that much more at the same count (closed model). */
export function rampHold(bots: number, rampMs: number, holdMs: number, afterMs?: number): Workload {
  const stages = [
    { durationMs: rampMs, target: bots },
    { durationMs: holdMs, target: bots },
  ];
  if (afterMs !== undefined) stages.push({ durationMs: afterMs, target: bots });
  return { kind: 'closed', start: 0, stages };
}

/**
 * Closed-model steps of more and more bots, until one is not stable. Each step: ramp, the judged hold, then 2 s
 * more at the same count in which the memory is sampled (its forced GC pauses the generator: after the hold, so
 * it is not in the judged figures).
 */
export async function capacitySteps(o: CapacityOptions): Promise<StepResult[]> {
  const scenario = await loadScenario(o.scenario);
  const results: StepResult[] = [];
  const rampEnd = o.rampMs / 1000;
  const holdEnd = (o.rampMs + o.holdMs) / 1000;
  const run = benchRun({ scenario, port: o.port, thinkMs: o.thinkMs, params: o.params, threads: o.threads });
  // Worker threads start anew with every step (inside its ramp).
  await warmUp(run, `bench-${o.scenario}-warm-up`);
  await new Promise((r) => setTimeout(r, 1000));
  for (const bots of o.steps) {
    if (bots > o.maxBots) break;
    gc();
    const base = process.memoryUsage();
    const overflowsBefore = listenOverflows(readNetstat());
    let holdMemory: NodeJS.MemoryUsage | undefined;
    let serverCpuAt: { t: number; cpu: number } | undefined;
    let serverCpu: number | undefined;
    const window = holdWindow(o.metric, rampEnd, holdEnd);
    const { summary, recorder } = await runLoadTest({
      ...run,
      workload: rampHold(bots, o.rampMs, o.holdMs, 2000),
      seed: `bench-${o.scenario}-${bots}`,
      onTick: (point, recorder) => {
        window.tick(point, recorder);
        const cpu = processCpuSeconds(o.serverPid);
        if (cpu !== undefined && !serverCpuAt && point.t >= rampEnd) serverCpuAt = { t: point.t, cpu };
        if (cpu !== undefined && serverCpuAt && serverCpu === undefined && point.t >= holdEnd)
          serverCpu = Math.round(((cpu - serverCpuAt.cpu) / (point.t - serverCpuAt.t)) * 100);
        // Memory once the hold is over (still connected and playing), after a collection.
        if (!holdMemory && point.t > holdEnd + 0.5) {
          gc();
          holdMemory = process.memoryUsage();
        }
      },
    });
    // The whole hold: every second after the ramp up to its end.
    const hold = recorder.points.filter((p) => p.t > rampEnd && p.t <= holdEnd + 0.5);
    const p99Ms = window.p99Ms();
    const worstSecondP99Ms = Math.max(0, ...hold.map((p) => (p.latency[o.metric]?.p99 ?? 0) / 1000));
    const holdP99sMs = hold.map((p) => Math.round((p.latency[o.metric]?.p99 ?? 0) / 100) / 10);
    const playing = summary.latency.first_event?.corrected.count ?? 0;
    const m = holdMemory ?? process.memoryUsage();
    const errorKinds = Object.entries(summary.errors.byKind ?? {})
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ');
    const overflowsAfter = listenOverflows(readNetstat());
    const overflows =
      overflowsBefore !== undefined && overflowsAfter !== undefined ? overflowsAfter - overflowsBefore : undefined;
    const lobbyTimeouts = summary.counters.lobby_timeouts ?? 0;
    const slowestConnectMs = Math.round((summary.latency.connect?.corrected.max ?? 0) / 1000);
    const measured = {
      bots,
      p99Ms,
      worstSecondP99Ms,
      errors: summary.errors.total,
      errorKinds,
      ...(overflows !== undefined ? { listenOverflows: overflows } : {}),
      playing,
      ...(playing < bots
        ? { notPlaying: `slowest connect ${slowestConnectMs} ms, ${lobbyTimeouts} left an unfilled lobby` }
        : {}),
      maxLagMs: Math.max(0, ...hold.map((p) => p.eventLoopLagMaxMs)),
      holdP99sMs,
      cpu: hold.length > 0 ? Math.round((hold.reduce((t, p) => t + p.cpuPercent, 0) / hold.length) * 10) / 10 : 0,
      cpuMaxSecond: Math.max(0, ...hold.map((p) => p.cpuPercent)),
      ...(serverCpu !== undefined ? { serverCpu } : {}),
      heapPerBotKB: Math.round(((m.heapUsed - base.heapUsed) / bots / 1024) * 10) / 10,
      rssPerBotKB: Math.round(((m.rss - base.rss) / bots / 1024) * 10) / 10,
    };
    const reason = judgeStep(measured, o.p99LimitMs);
    const step: StepResult = { ...measured, stable: reason === null, reason };
    results.push(step);
    process.stderr.write(`   ${o.label} ${bots} bots, ${o.threads ?? 1} thread(s): ${JSON.stringify(step)}\n`);
    // Let the server drop the last step's games before the next one.
    await new Promise((r) => setTimeout(r, 2000));
    if (!step.stable) break;
  }
  return results;
}

/** The bench figures of a capacity run: the most bots with a stable p99, and memory per bot at that step. */
export function capacityFigures(group: string, o: CapacityOptions, steps: readonly StepResult[]): BenchResult[] {
  const best = steps.filter((s) => s.stable).at(-1);
  const firstUnstable = steps.find((s) => !s.stable);
  const stepText = steps
    .map(
      (s) =>
        `${s.bots}: p99 ${s.p99Ms.toFixed(1)} ms (worst second ${s.worstSecondP99Ms.toFixed(1)}), errors ${s.errors}, playing ${s.playing}, lag max ${s.maxLagMs} ms, cpu ${s.cpu}% (busiest second ${s.cpuMaxSecond}%)` +
        (s.serverCpu !== undefined ? `, server cpu ${s.serverCpu}%` : '') +
        (s.listenOverflows ? `, ${s.listenOverflows} connects turned away by a full accept queue` : '') +
        (s.stable ? '' : ' (unstable)'),
    )
    .join('; ');
  const threads = o.threads ?? 1;
  const onThreads = threads > 1 ? ` on ${threads} worker threads` : '';
  const against = o.against ? ` against ${o.against}` : '';
  const out: BenchResult[] = [
    {
      group,
      name: `concurrent ${o.label} bots one generator${onThreads} keeps playing${against} with a stable ${o.exchange} p99 (<= ${o.p99LimitMs} ms over the whole hold, think ${o.thinkMs} ms)`,
      value: best?.bots ?? 0,
      unit: 'bots',
      ...(o.target ? { target: o.target } : {}),
      note:
        `stable = p99 of every sample of the whole hold within the bound, every bot playing, 0 errors (no window or second left out); ` +
        `largest stable step ${best?.bots ?? 'none'}` +
        (firstUnstable ? `, first unstable ${firstUnstable.bots}: ${firstUnstable.reason}` : ', no unstable step') +
        `; steps ${o.steps.filter((b) => b <= o.maxBots).join('/')} ramped over ${o.rampMs / 1000}s, held ${o.holdMs / 1000}s; ${stepText}` +
        (o.maxBots < o.steps.at(-1)! ? `; fd soft limit ${o.fdLimit} caps the steps` : `; fd soft limit ${o.fdLimit}`) +
        `; generator: ${loadBuild === 'compiled' ? 'the compiled build (dist/, as the CLI runs it)' : 'the TypeScript sources through tsx (no fresh build)'}`,
    },
  ];
  // With worker threads the sessions' heaps are the workers' isolates, which process.memoryUsage() does not count.
  if (best && threads > 1) {
    out.push({
      group,
      name: `${o.label} generator RSS per connected bot${onThreads}${against} (${best.bots} bots playing)`,
      value: best.rssPerBotKB,
      unit: 'KiB',
      note: 'RSS growth over the idle generator (every thread: heaps, socket buffers, histograms), divided by the bots',
    });
  } else if (best) {
    out.push(
      {
        group,
        name: `${o.label} generator heap per connected bot${against} (${best.bots} bots playing)`,
        value: best.heapPerBotKB,
        unit: 'KiB',
        target: '<= 50',
        note: 'heapUsed growth over the idle generator, after a forced GC, divided by the bots',
      },
      {
        group,
        name: `${o.label} generator RSS per connected bot${against} (${best.bots} bots playing)`,
        value: best.rssPerBotKB,
        unit: 'KiB',
        note: 'RSS growth over the idle generator (includes socket buffers and histograms), divided by the bots',
      },
    );
  }
  return out;
}

export const SIDE_BY_SIDE_RUNS = 6;
const SIDE_BY_SIDE_MS = 1000;

/** Round trips per CPU-second of each client in each round, by name (`sideBySide`'s `rounds`). */
export type SideBySideRounds = Record<string, number[]>;

/** Each client's best rate and, as `<name>Cpu`, its best per CPU-second (`best`); every round's (`rounds`). */
export interface SideBySide {
  readonly best: Readonly<Record<string, number>>;
  readonly rounds: SideBySideRounds;
}

/**
 * Runs each client for 0.5 s (warm-up, not counted), then `SIDE_BY_SIDE_RUNS` rounds of 1 s each, the clients in
 * turn and in reverse order every other round (A B C D, D C B A, ...), so that a drift of the shared machine hits
 * them alike. Returns each client's best wall-clock rate, as `<name>Cpu` its best rate per CPU-second of this
 * process (the server is a child process, so this process's CPU time is the client's), and in `rounds` every
 * round's rate per CPU-second: a ratio is taken per round (two clients measured seconds apart) and the median of
 * the rounds reported, so that one round disturbed by other work decides nothing.
 */
export async function sideBySide(clients: Record<string, (ms: number) => Promise<number>>): Promise<SideBySide> {
  const names = Object.keys(clients);
  for (const name of names) await clients[name]!(500);
  const best: Record<string, number> = {};
  const rounds: SideBySideRounds = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < SIDE_BY_SIDE_RUNS; i++) {
    for (const name of i % 2 === 0 ? names : [...names].reverse()) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const rate = await clients[name]!(SIDE_BY_SIDE_MS);
      const trips = (rate * (performance.now() - t0)) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const perCpu = trips / ((cpu.user + cpu.system) / 1e6);
      best[name] = Math.max(best[name] ?? 0, rate);
      best[`${name}Cpu`] = Math.max(best[`${name}Cpu`] ?? 0, perCpu);
      rounds[name]!.push(perCpu);
    }
  }
  return { best, rounds };
}

/** Requests kept in flight on the one connection of a side-by-side run. */
export const WINDOW = 64;

/**
 * Round trips/s of `request` kept WINDOW-deep in flight through botswarm's promise API for `ms`; `check` looks at
 * each answer (throws on a wrong one) without another promise per request.
 */
export async function pipelinedRate<T>(
  ms: number,
  request: () => Promise<T>,
  check: (answer: T) => void = () => {},
): Promise<number> {
  let done = 0;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() - started < ms) {
      check(await request());
      done++;
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  return (done / (performance.now() - started)) * 1000;
}

/**
 * Round trips/s of a client driven through its callback API, WINDOW requests in flight for `ms`: each answer sends
 * the next request, as the raw clients do (a promise-driven loop adds one promise and its microtasks per request,
 * which `pipelinedRate` measures).
 */
export function pipelinedRateCallback(
  ms: number,
  send: (done: (error: Error | null, answer: unknown) => void) => void,
  check: (answer: unknown) => void = () => {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = 0;
    let open = WINDOW;
    let failed = false;
    const started = performance.now();
    const onAnswer = (error: Error | null, answer: unknown) => {
      if (failed) return;
      if (error) {
        failed = true;
        reject(error);
        return;
      }
      check(answer);
      done++;
      if (performance.now() - started < ms) send(onAnswer);
      else if (--open === 0) resolve((done / (performance.now() - started)) * 1000);
    };
    for (let i = 0; i < WINDOW; i++) send(onAnswer);
  });
}

/**
 * The bookkeeping of a raw client: `answered()` for each answer read returns true while the client should send
 * another; once `ms` are over it calls `finish` once with the rate.
 */
export function rawCounter(ms: number, finish: (rate: number) => void) {
  let done = 0;
  let started = 0;
  let stopping = false;
  return {
    start: () => {
      started = performance.now();
    },
    get stopping() {
      return stopping;
    },
    answered(): boolean {
      done++;
      if (stopping) return false;
      const elapsed = performance.now() - started;
      if (elapsed < ms) return true;
      stopping = true;
      finish((done / elapsed) * 1000);
      return false;
    },
  };
}

/**
 * The figures of a side-by-side run: each client's rate, and ours relative to the raw client that coalesces its
 * writes as botswarm does (the fair baseline, the target). The raw client writing once per request is reported
 * too, as a note only: against it botswarm's coalescing would win on syscalls alone.
 */
export function sideBySideFigures(
  group: string,
  label: { exchange: string; client: string },
  measured: SideBySide,
): BenchResult[] {
  const { best, rounds } = measured;
  const { raw, rawCoalescing, ours } = best as { raw: number; rawCoalescing: number; ours: number };
  const pct = (a: number | undefined, b: number | undefined) =>
    a && b ? `${Math.round((a / b) * 1000) / 10}%` : 'not measured';
  /** Per round, `a`'s round trips per CPU-second over `b`'s, in %. */
  const perRound = (a: string, b: string) =>
    (rounds[a] ?? []).map((x, i) => (x / (rounds[b]?.[i] ?? Number.NaN)) * 100);
  const mid = (xs: readonly number[]) => {
    const sorted = [...xs].sort((p, q) => p - q);
    const m = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
  };
  const cpuRatios = perRound('ours', 'rawCoalescing');
  const promiseRatios = perRound('oursPromises', 'rawCoalescing');
  const list = (xs: readonly number[]) => xs.map((x) => x.toFixed(1)).join(', ');
  const runs = `${SIDE_BY_SIDE_RUNS} rounds of ${SIDE_BY_SIDE_MS / 1000} s, the clients in turn, reversed every other round (after 0.5 s each not counted)`;
  return [
    {
      group,
      name: `${label.exchange} round trips/s, raw net client coalescing writes (${WINDOW} in flight, 1 connection)`,
      value: Math.round(rawCoalescing),
      unit: 'round trips/s',
      note: `the requests answering one read leave in one write, as botswarm does; best of ${runs}; answering server in a child process; per CPU-second of the client's process at best ${Math.round(best.rawCoalescingCpu ?? 0)}`,
    },
    {
      group,
      name: `${label.exchange} round trips/s, botswarm ${label.client} (${WINDOW} in flight, 1 connection)`,
      value: Math.round(ours),
      unit: 'round trips/s',
      note: `best of ${runs}; driven through the callback completion (GalaxClient.sendMove, OreRushClient.send) as the raw clients are driven by their reads (the promise API, move() and request(), adds one promise per request); per CPU-second of the client's process at best ${Math.round(best.oursCpu ?? 0)}`,
    },
    {
      group,
      name: `botswarm ${label.client} throughput relative to the raw net client coalescing writes`,
      value: Math.round(mid(cpuRatios) * 10) / 10,
      unit: '%',
      target: '>= 80',
      note:
        'same write pattern on both sides: what remains is framing, parsing and request matching. ' +
        "Round trips per CPU-second of the client's process (the answering server is a child process), botswarm over " +
        `the raw coalescing client, median of ${cpuRatios.length} rounds (${list(cpuRatios)}); ${runs}. ` +
        `Through the promise API ${mid(promiseRatios).toFixed(1)}% (rounds ${list(promiseRatios)}). ` +
        `Wall clock, best rate of each: ${Math.round(ours)} against ${Math.round(rawCoalescing)} round trips/s (${pct(ours, rawCoalescing)}). ` +
        `Not a headline: a raw client writing once per request made ${Math.round(raw)} round trips/s, ` +
        `${Math.round((ours / raw) * 1000) / 10}% of it for botswarm (an unfair baseline: it pays one syscall per request)`,
    },
  ];
}

/** Capacity steps: `LOADTEST_STEPS=1000,5000` overrides the default ones (for a quick look at one step). */
export function wantedSteps(defaults: readonly number[]): number[] {
  const env = process.env.LOADTEST_STEPS;
  if (!env) return [...defaults];
  const steps = env.split(',').map(Number);
  if (steps.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`LOADTEST_STEPS: not a list of bot counts: ${env}`);
  return steps;
}

/** Which parts of the bench to run: `LOADTEST_PARTS=galax-rtt,orerush-capacity` (all when unset). */
export function wantedParts<T extends string>(all: readonly T[]): Set<T> {
  const env = process.env.LOADTEST_PARTS;
  if (!env) return new Set(all);
  const asked = env.split(',').map((s) => s.trim());
  const unknown = asked.filter((p) => !all.includes(p as T));
  if (unknown.length > 0) throw new Error(`LOADTEST_PARTS: unknown part(s) ${unknown.join(', ')}; known: ${all}`);
  return new Set(asked as T[]);
}

/** One run of `outInflation`. */
export interface OutRun {
  readonly out: boolean;
  /** move_rtt p99 over every sample of the hold, ms (0: no sample). */
  readonly p99Ms: number;
  /** The measuring thread's own work at each tick but the first (the tick's wall time), ms. */
  readonly ticksMs: readonly number[];
  /** CPU of the measuring (main) thread over the hold, ms per second. */
  readonly mainCpuMsPerS: number;
  /** CPU of the process's other threads over the hold (V8's helpers, libuv's pool, the progress writer), ms/s. */
  readonly otherCpuMsPerS: number;
  readonly lagP99Ms: number;
}

/** A paired comparison: with minus without for each pair of runs, their median and its interval. */
export interface Paired {
  readonly diffs: readonly number[];
  readonly median: number;
  /** The lowest and highest difference: an interval for the median with `confidence` (the sign test's). */
  readonly low: number;
  readonly high: number;
  readonly confidence: number;
  /** Median absolute difference between consecutive runs of the same kind (A/A): what a repeat moves anyway. */
  readonly aa: number;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length / 2;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[Math.floor(half)]! : (sorted[half - 1]! + sorted[half]!) / 2;
};

/**
 * Pairs runs 0-1, 2-3, ... (each one with and one without, as the balanced order gives them) and compares
 * `figure` within each pair. The median of n pair differences lies between their lowest and highest with
 * probability 1 - 2 / 2^n whatever their distribution (the sign test), so a burst of the shared machine in one
 * run moves one difference and neither the median nor more than one end of the interval.
 */
export function paired(runs: readonly OutRun[], figure: (r: OutRun) => number): Paired {
  const diffs: number[] = [];
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const [a, b] = [runs[i]!, runs[i + 1]!];
    if (a.out === b.out) continue;
    const [withOut, without] = a.out ? [a, b] : [b, a];
    diffs.push(figure(withOut) - figure(without));
  }
  const aa: number[] = [];
  for (let i = 0; i + 1 < runs.length; i++)
    if (runs[i]!.out === runs[i + 1]!.out) aa.push(Math.abs(figure(runs[i]!) - figure(runs[i + 1]!)));
  return {
    diffs,
    median: median(diffs),
    low: Math.min(...diffs),
    high: Math.max(...diffs),
    confidence: 1 - 2 / 2 ** diffs.length,
    aa: aa.length > 0 ? median(aa) : Number.NaN,
  };
}

/** CPU time of one thread of this process (Linux: /proc/self/task/<tid>/stat, in clock ticks), ms. */
const CLOCK_TICKS_PER_S = (() => {
  try {
    return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
function threadCpuMs(tid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15 of stat(5); fields[0] is field 3.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}
const processCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * What writing summary.json, timeseries.csv and report.html (`--out`) costs: the same closed-model run with and
 * without `--out` against the same server, in a balanced order (without, with, with, without, ...: a drift of the
 * shared machine or of the server's state cancels out), each pair of runs compared (`paired`):
 * - the move round trip's p99 over every sample of the hold (ramp and first second left out): the figure a user
 *   reads, but on the shared machine a run's p99 moves by milliseconds between identical runs (the A/A spread);
 * - the measuring thread's own work at each tick after the first (its wall time: the second's interval folded and,
 *   with `--out`, copied and posted to the writer), a run's quickest tick: the only work `--out` puts on the
 *   thread that reads the replies each second, so the most it can hold a reply back by. The shared machine only
 *   ever adds to a tick (a preempted one takes tens of ms), so the quickest of a run's ticks is its work;
 * - that thread's CPU per second over the hold (anything else `--out` might cost it), and the other threads'
 *   (the writer's work, which competes for the cores).
 * Each tick's own time is read from the recorder's running maximum (`selfMaxMs`), set back to 0 after each read:
 * bench-only, the summary's `selfMaxMs` is then no longer the run's.
 */
export async function outInflation(o: {
  port: number;
  scenario: string;
  params: Record<string, string | number | boolean>;
  bots: number;
  thinkMs: number;
  rampMs: number;
  holdMs: number;
  metric: string;
  order: readonly boolean[];
}): Promise<{ runs: OutRun[]; p99: Paired; tick: Paired; mainCpu: Paired; otherCpu: Paired } | undefined> {
  const scenario = await loadScenario(o.scenario);
  const dir = mkdtempSync(join(tmpdir(), 'botswarm-out-bench-'));
  const runs: OutRun[] = [];
  const from = (o.rampMs + 1000) / 1000;
  const to = (o.rampMs + o.holdMs) / 1000;
  try {
    for (const [i, out] of o.order.entries()) {
      gc();
      const window = holdWindow(o.metric, from, to);
      let cpuStart: { at: number; main: number; all: number } | undefined;
      let cpuEnd: typeof cpuStart;
      const ticksMs: number[] = [];
      const { summary } = await runLoadTest({
        scenario,
        host: '127.0.0.1',
        port: o.port,
        workload: {
          kind: 'closed',
          start: 0,
          stages: [
            { durationMs: o.rampMs, target: o.bots },
            { durationMs: o.holdMs, target: o.bots },
          ],
        },
        thinkTimeMs: o.thinkMs,
        requestTimeoutMs: 10_000,
        stopGraceMs: 10_000,
        params: o.params,
        seed: `bench-out-${o.bots}`,
        thresholds: [],
        log: silentLogger,
        preflight: false,
        onTick: (point, recorder) => {
          window.tick(point, recorder);
          const own = recorder.selfMaxMs;
          recorder.selfMaxMs = 0;
          const cpu = () => ({ at: performance.now(), main: threadCpuMs(process.pid) ?? 0, all: processCpuMs() });
          if (point.t >= from && !cpuStart) cpuStart = cpu();
          // Every tick but the first (which compiles the code) and the last (as the run ends): the ramp's too, for
          // more of them; a tick's work is the histograms' used buckets, there as in the hold.
          if (point.t >= 2 && point.t <= to + 0.5) ticksMs.push(own);
          if (point.t <= to + 0.5) cpuEnd = cpu();
        },
        ...(out ? { outDir: join(dir, String(i)) } : {}),
      });
      const p99Ms = window.p99Ms();
      const seconds = cpuStart && cpuEnd ? (cpuEnd.at - cpuStart.at) / 1000 : 0;
      const main = seconds > 0 ? (cpuEnd!.main - cpuStart!.main) / seconds : 0;
      const all = seconds > 0 ? (cpuEnd!.all - cpuStart!.all) / seconds : 0;
      const run: OutRun = {
        out,
        p99Ms,
        ticksMs,
        mainCpuMsPerS: main,
        otherCpuMsPerS: all - main,
        lagP99Ms: summary.generator.eventLoopLag.p99Ms,
      };
      // A hold without a sample (a generator too overloaded to play) has no p99 to compare: its pair is dropped.
      runs.push(run);
      process.stderr.write(
        `   --out ${out ? 'on ' : 'off'} ${o.bots} bots: ${o.metric} hold p99 ${p99Ms.toFixed(2)} ms (${window.samples()} samples), own work per tick ${ticksMs.map((t) => t.toFixed(2)).join(' ')} ms, main thread ${main.toFixed(0)} ms/s CPU, other threads ${(all - main).toFixed(0)}, lag p99 ${run.lagP99Ms} ms\n`,
      );
      await new Promise((r) => setTimeout(r, 1500));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Pairs with a run without a sample would compare with 0: both runs of such a pair leave.
  const usable: OutRun[] = [];
  for (let i = 0; i + 1 < runs.length; i += 2)
    if (runs[i]!.p99Ms > 0 && runs[i + 1]!.p99Ms > 0) usable.push(runs[i]!, runs[i + 1]!);
  if (usable.length === 0) return undefined;
  return {
    runs: usable,
    p99: paired(usable, (r) => r.p99Ms),
    tick: paired(usable, (r) => Math.min(...r.ticksMs)),
    mainCpu: paired(usable, (r) => r.mainCpuMsPerS),
    otherCpu: paired(usable, (r) => r.otherCpuMsPerS),
  };
}
