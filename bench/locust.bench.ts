/**
 * botswarm against Locust (group 'Against Locust'): the same Galax work — 2-player games, 1 s think time, the
 * random strategy's moves (bench/locust/galax_locustfile.py is Locust's side) — through both load generators, one
 * after the other, against one reference Galax server started once in its own process (its CPU counts for
 * neither). For each tool and bot count: MOVE→MVOK round trips per CPU-second of the generator process (user+sys
 * from /proc over the same window for every tool: from its start to the end of its stages, that is its first
 * connection plus the ramp and the hold, less its start-up CPU), RSS growth per bot (the most RSS during the run
 * over the RSS at the first connect), latency percentiles, and the start-up CPU (CPU seconds before the first bot
 * connects, measured on a probe listener). botswarm runs from the compiled build (`bin/botswarm.js`, dist/).
 *
 * Locust is Debian's `python3-locust` (`/usr/bin/python3 -m locust`); where it is missing this bench says so and
 * skips. `LOCUST_BOTS=200,1000,5000` sets the counts, `LOCUST_HOLD_S=25` the hold after a 5 s ramp.
 * It also runs bench/locust/galax_bare.cjs, the same work in plain Node with no framework, measured the same way, and
 * reports its round trips per CPU-second relative to Locust's: the floor under a Node generator, so that a reader of
 * the botswarm ratio sees what the runtime alone makes of this work (`LOCUST_BARE=0` leaves it out).
 *
 * Why the window ends with the stages: what each tool does after them differs and is not the work compared. The
 * floor ends with `process.exit`, its sockets closed by the kernel after the last /proc sample; Locust stops its
 * greenlets; botswarm ends every session in order and writes its summary (0.8–1.2 CPU-s at 5,000 bots;
 * docs/performance.md, "Against Locust at 5,000 bots: where the CPU went"). Measured to the process's exit, as
 * before, botswarm alone paid for its end of run. Each tool's CPU after its stages is printed in the notes.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench, BenchResult } from './harness.ts';
import { galaxLoadServerArgs, withChild } from './loadtest-kit.ts';

const GROUP = 'Against Locust';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';
const LOCUSTFILE = join(root, 'bench/locust/galax_locustfile.py');
const RAMP_S = 5;
const HOLD_S = Number(process.env.LOCUST_HOLD_S ?? 25);
const BOTS = (process.env.LOCUST_BOTS ?? '200,1000,5000').split(',').map(Number);
const BARE = process.env.LOCUST_BARE !== '0';
const TICKS = 100; // clock ticks per second of /proc/<pid>/stat (getconf CLK_TCK on Linux)

/** Whether Debian's Locust can run here; the one install command otherwise. */
export function locustMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import locust, gevent'], { stdio: 'ignore' });
  return r.status === 0 ? null : 'Locust is not installed: apt-get install -y python3-locust';
}

/** CPU seconds (user+sys, and the kernel's part alone) and RSS bytes of a process, from /proc. */
function sample(pid: number): { cpu: number; sys: number; rss: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command: state is [0], utime [11], stime [12], rss pages [21].
    return { cpu: (Number(f[11]) + Number(f[12])) / TICKS, sys: Number(f[12]) / TICKS, rss: Number(f[21]) * 4096 };
  } catch {
    return undefined;
  }
}

interface Tool {
  name: 'botswarm' | 'Locust' | 'bare Node';
  /** The generator's command line against `port` with `bots` for `seconds` (ramp included). */
  args(
    port: number,
    bots: number,
    seconds: number,
    out: string,
  ): { cmd: string; args: string[]; env?: NodeJS.ProcessEnv };
  /** MOVE round trips and latency percentiles (ms) from what the run printed or wrote. */
  result(stdout: string, out: string): { moves: number; errors: number; p50: number; p90: number; p99: number };
}

const botswarm: Tool = {
  name: 'botswarm',
  args: (port, bots, seconds) => ({
    cmd: process.execPath,
    args: [
      join(root, 'bin/botswarm.js'),
      'loadtest',
      '--scenario',
      'galax-play',
      '--target',
      `127.0.0.1:${port}`,
      '--stages',
      `${RAMP_S}s:${bots},${seconds - RAMP_S}s:${bots}`,
      '--think',
      '1s',
      '--param',
      'players=2',
      '--param',
      'lobbyTimeoutMs=5000',
      '--json',
      '--quiet',
    ],
  }),
  result(stdout) {
    const s = JSON.parse(stdout) as {
      latency: Record<string, { uncorrected: { count: number; p50: number; p90: number; p99: number } }>;
      errors: { total: number };
    };
    const m = s.latency.move_rtt?.uncorrected ?? { count: 0, p50: 0, p90: 0, p99: 0 };
    return { moves: m.count, errors: s.errors.total, p50: m.p50 / 1000, p90: m.p90 / 1000, p99: m.p99 / 1000 };
  },
};

const locust: Tool = {
  name: 'Locust',
  args: (port, bots, seconds, out) => ({
    cmd: PYTHON,
    args: [
      '-m',
      'locust',
      '-f',
      LOCUSTFILE,
      '--headless',
      '--only-summary',
      '--loglevel',
      'ERROR',
      '-u',
      String(bots),
      '-r',
      String(Math.ceil(bots / RAMP_S)),
      '-t',
      `${seconds}s`,
      '--stop-timeout',
      '0',
    ],
    env: {
      ...process.env,
      PYTHONDONTWRITEBYTECODE: '1',
      GALAX_HOST: '127.0.0.1',
      GALAX_PORT: String(port),
      GALAX_LOCUST_OUT: out,
    },
  }),
  result(_stdout, out) {
    const r = JSON.parse(readFileSync(out, 'utf8')) as {
      moves: number;
      failures: number;
      percentilesMs: Record<string, number>;
    };
    return {
      moves: r.moves,
      errors: r.failures,
      p50: r.percentilesMs['0.5'] ?? 0,
      p90: r.percentilesMs['0.9'] ?? 0,
      p99: r.percentilesMs['0.99'] ?? 0,
    };
  },
};

/** The locustfile's work in plain Node (left out with LOCUST_BARE=0): the floor under a Node generator. */
const bare: Tool = {
  name: 'bare Node',
  args: (port, bots, seconds) => ({
    cmd: process.execPath,
    args: [join(root, 'bench/locust/galax_bare.cjs'), String(port), String(bots), String(seconds)],
  }),
  result: botswarm.result,
};

/** Resolves when the child exits, with its stdout. */
function finished(child: ChildProcess): Promise<string> {
  let stdout = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  return new Promise((resolve) => child.on('exit', () => resolve(stdout)));
}

/**
 * Start-up CPU: the tool with one bot against a listener here; the child's CPU seconds are read when its first
 * connection is accepted, then it is stopped. Also its RSS at that moment (the baseline of RSS per bot).
 */
type Sample = NonNullable<ReturnType<typeof sample>>;

async function startup(tool: Tool, dir: string): Promise<Sample> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const { cmd, args, env } = tool.args(port, 1, 30, join(dir, 'probe.json'));
  const child = spawn(cmd, args, { cwd: root, env: env ?? process.env, stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = new Promise((r) => child.on('exit', r));
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${tool.name}: no connection within 30 s`)), 30_000);
      server.once('connection', (socket) => {
        const s = sample(child.pid!);
        clearTimeout(timer);
        socket.destroy();
        if (s) resolve(s);
        else reject(new Error(`${tool.name}: could not read /proc/${child.pid}`));
      });
    });
  } finally {
    child.kill('SIGKILL');
    await exited;
    server.close();
  }
}

/** Probes a start-up is judged on: one probe read 0.34 CPU-s where seven in the same run read 0.20–0.21. */
const STARTUP_PROBES = 5;

/** The probe with the median start-up CPU of `STARTUP_PROBES` (its RSS the baseline of RSS per bot). */
async function medianStartup(tool: Tool, dir: string): Promise<Sample> {
  const probes: Sample[] = [];
  for (let i = 0; i < STARTUP_PROBES; i++) probes.push(await startup(tool, dir));
  probes.sort((a, b) => a.cpu - b.cpu);
  return probes[Math.floor(probes.length / 2)]!;
}

/** botswarm's start-up CPU seconds alone (the measure of this bench's start-up row), for bench/startup.bench.ts. */
export async function botswarmStartupCpu(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'botswarm-startup-'));
  try {
    return (await startup(botswarm, dir)).cpu;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Run {
  tool: string;
  bots: number;
  tripsPerCpuS: number;
  rssPerBotKiB: number;
  p50: number;
  p90: number;
  p99: number;
  moves: number;
  errors: number;
  cpuS: number;
  /** The kernel's part of `cpuS` (system time: the socket syscalls, which every tool makes alike). */
  sysS: number;
  /** CPU seconds from the end of the stages to the last sample before the process exited (not in `cpuS`). */
  afterStagesCpuS: number;
  /**
   * Where the CPU window ended: the end of the stages, or the tool's last sample when it exited first (on time:
   * the window's timer fires up to one poll after the real end of the stages, and the bare client and Locust exit
   * right at it), or early (`exitedEarlyS` seconds before its stages would have ended, or no connection seen).
   */
  windowEnd: 'stages' | 'exit' | 'early exit';
  exitedEarlyS?: number;
  startupCpuS: number;
}

/** Sockets among a process's open files (0 when /proc cannot be read). */
function sockets(pid: number): number {
  try {
    let n = 0;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
      } catch {
        // Closed between the listing and the read.
      }
    }
    return n;
  } catch {
    return 0;
  }
}

async function runOnce(tool: Tool, port: number, bots: number, dir: string, base: Sample) {
  const out = join(dir, `${tool.name}-${bots}.json`);
  const seconds = RAMP_S + HOLD_S;
  const { cmd, args, env } = tool.args(port, bots, seconds, out);
  const child = spawn('/bin/sh', ['-c', 'ulimit -n $(ulimit -Hn) 2>/dev/null; exec "$@"', 'sh', cmd, ...args], {
    cwd: root,
    env: env ?? process.env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const done = finished(child);
  let last: Sample = { cpu: 0, sys: 0, rss: 0 };
  let maxRss = 0;
  // The window every tool is measured over: from its start to the end of its stages (its first connection plus
  // the ramp and the hold). What a tool does after that — botswarm closes every session and writes its summary,
  // the bare client exits and leaves its sockets to the kernel, Locust stops its greenlets — is left out for all
  // three alike, as the start-up is (reported in the note, as "after the stages").
  // The sockets the process holds before any bot: read at once, while the shell that execs the tool has only
  // what it inherited (a first poll 100 ms later could already count the bare client's first bots).
  const socketsAtStart = sockets(child.pid!);
  let firstConnectS: number | undefined;
  const spawnedAt = performance.now();
  let stagesEnd: NodeJS.Timeout | undefined;
  let atStagesEnd: Sample | undefined;
  const poll = setInterval(() => {
    const s = sample(child.pid!);
    if (!s) return;
    last = s;
    maxRss = Math.max(maxRss, s.rss);
    if (stagesEnd) return;
    // The first connection: the process holds one socket more than when it was spawned.
    if (sockets(child.pid!) > socketsAtStart) {
      firstConnectS = (performance.now() - spawnedAt) / 1000;
      stagesEnd = setTimeout(() => {
        atStagesEnd = sample(child.pid!);
      }, seconds * 1000);
    }
  }, 100);
  const kill = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
  const stdout = await done;
  // How long before the end of its stages the tool exited (about 0, or less, when it stopped on time).
  const exitedEarlyS =
    firstConnectS === undefined ? undefined : firstConnectS + seconds - (performance.now() - spawnedAt) / 1000;
  clearInterval(poll);
  clearTimeout(kill);
  clearTimeout(stagesEnd);
  const r = tool.result(stdout, out);
  // A tool that stopped before its stages ended (a crash, an early exit) is measured to its last sample.
  const end = atStagesEnd ?? last;
  const cpuS = Math.max(0.001, end.cpu - base.cpu);
  const run: Run = {
    tool: tool.name,
    bots,
    tripsPerCpuS: Math.round(r.moves / cpuS),
    rssPerBotKiB: Math.round(((maxRss - base.rss) / bots / 1024) * 10) / 10,
    p50: r.p50,
    p90: r.p90,
    p99: r.p99,
    moves: r.moves,
    errors: r.errors,
    cpuS: Math.round(cpuS * 100) / 100,
    sysS: Math.round((end.sys - base.sys) * 100) / 100,
    afterStagesCpuS: Math.round(Math.max(0, last.cpu - end.cpu) * 100) / 100,
    windowEnd: atStagesEnd ? 'stages' : exitedEarlyS !== undefined && exitedEarlyS < 1 ? 'exit' : 'early exit',
    ...(exitedEarlyS !== undefined && exitedEarlyS >= 1 ? { exitedEarlyS: Math.round(exitedEarlyS * 10) / 10 } : {}),
    startupCpuS: base.cpu,
  };
  process.stderr.write(`   ${JSON.stringify({ ...run, firstConnectS, socketsAtStart })}\n`);
  // Let the server drop the games before the next run.
  await new Promise((res) => setTimeout(res, 2000));
  return run;
}

export const run: Bench = async () => {
  const missing = locustMissing();
  if (missing) {
    process.stderr.write(`   ${missing}; the Locust comparison is skipped\n`);
    return [];
  }
  if (!existsSync(join(root, 'dist/src/cli/main.js'))) {
    process.stderr.write('   no compiled build (dist/): run `npm run build` first; the Locust comparison is skipped\n');
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'botswarm-locust-'));
  const out: BenchResult[] = [];
  try {
    const base = {
      botswarm: await medianStartup(botswarm, dir),
      Locust: await medianStartup(locust, dir),
      'bare Node': BARE ? await medianStartup(bare, dir) : { cpu: 0, sys: 0, rss: 0 },
    };
    for (const tool of [botswarm, locust]) {
      out.push({
        group: GROUP,
        name: `${tool.name} start-up: CPU seconds before the first bot connects`,
        value: Math.round(base[tool.name].cpu * 100) / 100,
        unit: 's',
        ...(tool === botswarm ? { target: '< 0.3' } : {}),
        note: `user+sys of the generator process from /proc when a probe listener accepts its first connection, the median of ${STARTUP_PROBES} probes${tool === botswarm ? ' (compiled build, bin/botswarm.js)' : ''}`,
      });
    }
    const server = galaxLoadServerArgs();
    await withChild(server, async (port) => {
      for (const bots of BOTS) {
        const ours = await runOnce(botswarm, port, bots, dir, base.botswarm);
        const theirs = await runOnce(locust, port, bots, dir, base.Locust);
        const floor = BARE ? await runOnce(bare, port, bots, dir, base['bare Node']) : undefined;
        const ratio = Math.round((ours.tripsPerCpuS / Math.max(1, theirs.tripsPerCpuS)) * 100) / 100;
        const hold = `${RAMP_S}s ramp + ${HOLD_S}s hold, think 1 s, 2-player games`;
        const lat = (r: Run) =>
          `p50/p90/p99 ${r.p50.toFixed(1)}/${r.p90.toFixed(1)}/${r.p99.toFixed(1)} ms, ${r.moves} round trips, ${r.errors} errors, ${r.cpuS} CPU-s of which ${r.sysS} in the kernel${r.windowEnd === 'stages' ? `, ${r.afterStagesCpuS} more after the stages` : r.windowEnd === 'exit' ? ', to its exit at the end of its stages' : `, to an early exit${r.exitedEarlyS !== undefined ? ` ${r.exitedEarlyS} s before the end of its stages` : ' (no connection seen)'}`}`;
        out.push(
          {
            group: GROUP,
            name: `${bots} bots: botswarm round trips per CPU-second relative to Locust's`,
            value: ratio,
            unit: '×',
            target: '>= 2',
            note: `botswarm ${ours.tripsPerCpuS} MOVE→MVOK per CPU-s (${lat(ours)}); Locust ${theirs.tripsPerCpuS} (${lat(theirs)}); ${hold}${floor ? `; the floor, a bare Node client doing only this work, made ${Math.round((floor.tripsPerCpuS / Math.max(1, theirs.tripsPerCpuS)) * 100) / 100}× Locust's (row below)` : ''}`,
          },
          {
            group: GROUP,
            name: `${bots} bots: botswarm RSS growth per bot`,
            value: ours.rssPerBotKiB,
            unit: 'KiB',
            target: `<= ${theirs.rssPerBotKiB}`,
            note: `Locust ${theirs.rssPerBotKiB} KiB per bot${floor ? `; the bare Node client ${floor.rssPerBotKiB} KiB per bot (the floor: a Node process doing only this work)` : ''}; the most RSS during the run over the RSS at the first connect`,
          },
          {
            group: GROUP,
            name: `${bots} bots: MOVE→MVOK p99, botswarm`,
            value: Math.round(ours.p99 * 10) / 10,
            unit: 'ms',
            note: `Locust p99 ${theirs.p99.toFixed(1)} ms (p50 ${theirs.p50.toFixed(1)}); botswarm p50 ${ours.p50.toFixed(1)} ms`,
          },
        );
        if (floor) {
          out.push(
            {
              group: GROUP,
              name: `${bots} bots: a bare Node client's round trips per CPU-second relative to Locust's`,
              value: Math.round((floor.tripsPerCpuS / Math.max(1, theirs.tripsPerCpuS)) * 100) / 100,
              unit: '×',
              note: `the floor under any Node generator: bench/locust/galax_bare.cjs, the locustfile's work in plain Node with no framework (no metrics, seat, strategy or scheduler), ${floor.tripsPerCpuS} MOVE→MVOK per CPU-s (${lat(floor)}); botswarm relative to it ${Math.round((ours.tripsPerCpuS / Math.max(1, floor.tripsPerCpuS)) * 100) / 100}×; where this is under 2, botswarm's 2× target is out of reach of Node itself on this machine`,
            },
            {
              group: GROUP,
              name: `${bots} bots: a bare Node client's RSS growth per bot`,
              value: floor.rssPerBotKiB,
              unit: 'KiB',
              note: `the floor under a Node generator (bench/locust/galax_bare.cjs, V8's default heap sizing); botswarm ${ours.rssPerBotKiB} KiB, Locust ${theirs.rssPerBotKiB} KiB per bot`,
            },
          );
        }
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
};
