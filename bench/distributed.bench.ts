/**
 * Load-test coordinator cost: CPU-ms of the coordinator (`loadtest --agents`, this process) per agent-second, with
 * AGENTS agents (child processes, one thread each) running chat-converse against a chat server in a child process,
 * measured between its second and its last per-second tick.
 *
 * Tournament games through the Redis queue (BullMQ) against the local thread pool, in the same run: the same
 * GAMES Galax games (random vs heuristic) by the runner with 1 and 2 local worker threads, and through a queue to
 * 1 and 2 `botswarm worker` processes of one thread each (separate processes, as on separate hosts; the compiled
 * build when it is fresh, as the game threads of both then run). The pools and the worker processes are started
 * once and kept (each set of workers on a Redis database of its own, so that an idle set takes no job), and each
 * plays WARM_RUNS uncounted runs first: every counted run then starts warm on both sides, and counts whole,
 * from the runner's start to its last result. (A window from a quarter of the results, as before, began and ended
 * at the arrival of a queued batch of ~500 ms of play with others half played: it held two or three of them, and
 * a pair's ratio moved by ±15 % from round to round.) The overhead is the CPU per game of every process involved
 * (this one, the workers with their game threads, redis-server) through the queue over the local pool's; each
 * pair runs back to back, local first in even rounds and queue first in odd ones, ROUNDS times, and the figure is
 * the median over blocks of two rounds (one of each order) of the block's queued CPU over its local CPU, with
 * the median's distribution-free confidence interval. CPU is read per thread (/proc/<pid>/task/<tid>/schedstat,
 * in ns), so that the note can split it: the game threads play the same games on both sides, and a round's swing
 * is mostly theirs (the machine's speed on the same work moved by up to 30 % between two runs seconds apart);
 * what the queue adds outside them is given per block as well. Games/s over the same runs are reported next to
 * it, and how long the worker threads waited for a batch (from the workers' log). Needs redis-server (apt-get
 * install -y redis-server).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/core/log.ts';
import { agentPool, openRedis, parseQueueUrl, QueueCoordinator } from '../src/distributed/index.ts';
import { loadScenario, runLoadTest } from '../src/load/index.ts';
import { type BatchExecutor, runTournament } from '../src/tournament/index.ts';
import { gameThreads, workerEntry } from '../src/tournament/worker-file.ts';
import { type CliProcess, startCli, stopCli } from '../test/distributed/processes.ts';
import { type RedisFixture, startRedis } from '../test/distributed/redis-server.ts';
import { benchTournament } from './bench-tournament.ts';
import type { Bench, BenchResult } from './harness.ts';

const GAMES = 4000;
const AGENTS = 3;
const AGENT_BOTS = 30;
const AGENT_HOLD_MS = 8000;
/** `DISTRIBUTED_PARTS=queue` or `=agents`: only that part (default both). */
const PARTS = new Set((process.env.DISTRIBUTED_PARTS ?? 'queue,agents').split(','));
/**
 * Uncounted runs of GAMES games that warm each pool and each set of workers first. After one run of 1,000 games
 * the first counted queued run still cost the coordinator's helper threads (V8's compiler and collector) 51–80
 * CPU-µs a game and the worker's 26–28, against 10–17 and 7–25 from its third run on (a scratch driver on the
 * bench's measure, 14:45, load 5): the first block leaned to the queue.
 */
const WARM_RUNS = 2;
/**
 * Rounds (`DISTRIBUTED_ROUNDS`, rounded up to an even number): the figure is taken two rounds at a time, one of
 * each order; with 8 blocks the median's interval leaves out the highest and the lowest (93 % confidence), with 5
 * it spans them all. A run that follows a 2-thread run (local or 2 workers) costs more: at load 10–18, over 17 rounds,
 * 2 workers read 20.7 % on average in the rounds where that falls on the queued run (local-first) and 4.3 % in the
 * others, 1 worker 9.3 % and 22.5 % the other way round; the median of 7 single rounds, four of one order and
 * three of the other, leaned to the order it had more of (docs/performance.md).
 */
const ROUNDS = 2 * Math.ceil(Number(process.env.DISTRIBUTED_ROUNDS ?? 16) / 2);

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** CPU-ms of this process (the coordinator) per agent per second of a load test over AGENTS agents. */
async function coordinatorCost(redis: RedisFixture): Promise<{ value: number; note: string }> {
  const port = await freePort();
  const server = startCli(['serve', 'chat', '--port', String(port), '--log-level', 'info']);
  const agents = Array.from({ length: AGENTS }, (_, i) =>
    startCli(['agent', '--queue', redis.url, '--name', `bench-${i}`, '--threads', '1', '--log-level', 'info']),
  );
  try {
    const deadline = Date.now() + 120_000;
    while (!server.stdout.includes('listening') && Date.now() < deadline && server.child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!server.stdout.includes('listening')) throw new Error(`the chat server did not start: ${server.stderr}`);
    await Promise.all(agents.map((a) => a.waitFor(/agent waiting for load tests/)));
    process.stderr.write('  server and agents up\n');
    const log = createLogger({ level: 'silent', name: 'bench' });
    let first: { t: number; cpu: NodeJS.CpuUsage } | undefined;
    let last: { t: number; cpu: NodeJS.CpuUsage } | undefined;
    let ticks = 0;
    const scenario = await loadScenario('chat-converse');
    const bots = AGENTS * AGENT_BOTS;
    const result = await runLoadTest({
      scenario,
      host: '127.0.0.1',
      port,
      workload: {
        kind: 'closed',
        start: 0,
        stages: [
          { durationMs: 2000, target: bots },
          { durationMs: AGENT_HOLD_MS, target: bots },
        ],
      },
      thinkTimeMs: 100,
      requestTimeoutMs: 10_000,
      params: { ...scenario.params, messages: 20, rate: 5 },
      seed: 'bench',
      thresholds: [],
      log,
      onTick: () => {
        const mark = { t: performance.now(), cpu: process.cpuUsage() };
        if (++ticks === 2) first = mark;
        last = mark;
      },
      pool: agentPool({ address: parseQueueUrl(redis.url), count: AGENTS, log }),
    });
    if (!first || !last || last.t === first.t) throw new Error('the load test ended too soon to time');
    const used = (last.cpu.user - first.cpu.user + last.cpu.system - first.cpu.system) / 1000;
    const agentSeconds = (AGENTS * (last.t - first.t)) / 1000;
    const s = result.summary;
    return {
      value: used / agentSeconds,
      note:
        `${AGENTS} agents (child processes, 1 thread each), ${bots} chat-converse bots, hold ${AGENT_HOLD_MS / 1000} s, ` +
        `no --out; ${s.sessions.started} sessions, ${Object.keys(s.latency).length} latency metrics, status ${s.status}; ` +
        'coordinator CPU between its 2nd and last tick; agents, server and Redis on the same cores; load average ' +
        os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' '),
    };
  } finally {
    await Promise.all(agents.map((a) => stopCli(a, 'SIGTERM')));
    await stopCli(server, 'SIGTERM');
  }
}

/**
 * CPU-ms so far of each live thread of a process, by thread id, from /proc/<pid>/task/<tid>/schedstat (Linux): in
 * ns, where /proc/<pid>/stat counts in clock ticks of 10 ms, up to 2.5 CPU-µs a game of a 4,000-game run per
 * process and reading. The processes measured keep their threads for the whole bench.
 */
function threadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(tid, Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}
/** A process's CPU-ms between two readings: in all, on its main thread, and on its `busiest` busiest other threads. */
function cpuBetween(pid: number, a: Map<string, number>, b: Map<string, number>, busiest = 0) {
  let all = 0;
  let main = 0;
  const others: number[] = [];
  for (const [tid, ms] of b) {
    const used = ms - (a.get(tid) ?? 0);
    all += used;
    if (tid === String(pid)) main = used;
    else others.push(used);
  }
  others.sort((x, y) => y - x);
  return { all, main, busiest: others.slice(0, busiest).reduce((x, y) => x + y, 0) };
}

/**
 * Order statistics around the median of `n` values that hold it with at least 90 % confidence, whatever the
 * distribution (binomial): 1-based ranks [k, n + 1 - k], and the confidence they give.
 */
function medianInterval(n: number): { k: number; confidence: number } {
  const below = (k: number) => {
    // P(fewer than k of n values fall below the median) = P(Binomial(n, 1/2) < k).
    let p = 0;
    let c = 1;
    for (let i = 0; i < k; i++) {
      p += c;
      c = (c * (n - i)) / (i + 1);
    }
    return p / 2 ** n;
  };
  let k = 1;
  while (k + 1 <= n / 2 && 1 - 2 * below(k + 1) >= 0.9) k++;
  return { k, confidence: 1 - 2 * below(k) };
}

export const run: Bench = async () => {
  const _root = join(import.meta.dirname, '..');
  const loaded = await benchTournament(GAMES);
  const scratch = mkdtempSync(join(os.tmpdir(), 'botswarm-bench-distributed-'));
  const redis = await startRedis();
  const admin = await openRedis(parseQueueUrl(redis.url));
  const redisPid = Number(/process_id:(\d+)/.exec(await admin.info('server'))?.[1]);
  // The workers run the code the local pool runs: the compiled build when it is fresh (as the game threads of
  // both then are), the sources through tsx otherwise.
  const compiled = workerEntry().includes('/dist/');
  let dirs = 0;

  interface Measured {
    /** Games/s over the whole run. */
    rate: number;
    /** CPU-ms per game: this process, redis-server, the workers (queue only); and redis-server's and this process's alone. */
    cpu: number;
    redisCpu: number;
    ownCpu: number;
    /** CPU-ms per game of the main threads: this process's (runner, coordinator) and the workers' (BullMQ). */
    ownMainCpu: number;
    workersMainCpu: number;
    /** CPU-ms per game of the game threads (the local pool's, or the workers'); `cpu` less it is everything else. */
    gameCpu: number;
  }
  /**
   * One whole run of the runner through `executor`; `others` are the workers' pids, `localThreads` the game threads
   * of this process that play it (the local pool's; each worker has one). Every process keeps its threads through
   * the bench, so a game thread is its process's busiest thread but the main one over the run.
   */
  const timed = async (
    executor: BatchExecutor,
    others: readonly number[],
    localThreads: number,
    which = loaded,
  ): Promise<Measured> => {
    const sample = () => ({
      t: performance.now(),
      own: threadCpuMs(process.pid),
      redis: threadCpuMs(redisPid),
      workers: others.map(threadCpuMs),
    });
    const a = sample();
    const result = await runTournament(which, { executor, outDir: join(scratch, `run-${dirs++}`) });
    const b = sample();
    const games = result.standings.gamesPlayed;
    if (games !== which.definition.games) throw new Error(`${games} of ${which.definition.games} games played`);
    const own = cpuBetween(process.pid, a.own, b.own, localThreads);
    const redisCpu = cpuBetween(redisPid, a.redis, b.redis).all / games;
    let workers = 0;
    let workersMain = 0;
    let workersGame = 0;
    others.forEach((pid, i) => {
      const used = cpuBetween(pid, a.workers[i]!, b.workers[i]!, 1);
      workers += used.all;
      workersMain += used.main;
      workersGame += used.busiest;
    });
    return {
      rate: (games * 1000) / (b.t - a.t),
      cpu: own.all / games + redisCpu + workers / games,
      redisCpu,
      ownCpu: own.all / games,
      ownMainCpu: own.main / games,
      workersMainCpu: workersMain / games,
      gameCpu: (own.busiest + workersGame) / games,
    };
  };

  /** The local pool of `threads` game threads (the runner's own, as an executor so that it outlives a run). */
  const localPools = new Map<number, { executor: BatchExecutor; destroy: () => Promise<void> }>();
  const localPool = (threads: number) => {
    const pool = gameThreads(threads);
    localPools.set(threads, {
      executor: { slots: threads, run: (task) => pool.run(task) },
      destroy: () => pool.destroy(),
    });
  };
  /** A set of `count` worker processes on Redis database `count` (its own queue). */
  const workerSets = new Map<number, { url: string; procs: CliProcess[] }>();
  const startWorkers = async (count: number) => {
    const url = `${redis.url}/${count}`;
    const procs = Array.from({ length: count }, (_, i) =>
      startCli(
        ['worker', '--queue', url, '--threads', '1', '--name', `bench-${count}-${i}`, '--log-level', 'info'],
        undefined,
        !compiled,
      ),
    );
    workerSets.set(count, { url, procs });
    await Promise.all(procs.map((p) => p.waitFor(/worker waiting for batches/)));
  };
  /** Thread-ms the workers' threads had no batch, over their span, in this run's part of their logs (%). */
  const idleShare = (procs: readonly CliProcess[], from: readonly number[]): number => {
    let idle = 0;
    let span = 0;
    procs.forEach((p, i) => {
      // The worker's IdleClock, replayed from its log: a batch goes to its one thread at "batch started" and
      // comes back at "batch done".
      let inHand = 0;
      let first: number | undefined;
      let since: number | undefined;
      for (const line of p.stderr.slice(from[i]).split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; time?: number };
        const delta = entry.msg === 'batch started' ? 1 : entry.msg === 'batch done' ? -1 : 0;
        if (delta === 0 || entry.time === undefined) continue;
        first ??= entry.time;
        if (since !== undefined && inHand === 0) idle += entry.time - since;
        since = entry.time;
        inHand += delta;
      }
      if (first !== undefined && since !== undefined) span += since - first;
    });
    return span > 0 ? (idle / span) * 100 : Number.NaN;
  };
  const queued = async (count: number, which = loaded): Promise<Measured & { idle: number }> => {
    const set = workerSets.get(count)!;
    const coordinator = await QueueCoordinator.open({
      address: parseQueueUrl(set.url),
      outDir: join(scratch, `run-${dirs}`),
      game: 'galax',
    });
    try {
      while (coordinator.workers.length < count) await new Promise((resolve) => setTimeout(resolve, 20));
      const from = set.procs.map((p) => p.stderr.length);
      const m = await timed(
        coordinator,
        set.procs.map((p) => p.child.pid!),
        0,
        which,
      );
      // A worker logs "batch done" before it hands the result back; give the pipe a moment all the same.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { ...m, idle: idleShare(set.procs, from) };
    } finally {
      await coordinator.close();
    }
  };

  let cost: { value: number; note: string } | undefined;
  try {
    if (PARTS.has('agents')) {
      process.stderr.write('distributed bench: load-test coordinator cost\n');
      cost = await coordinatorCost(redis);
    }
  } catch (error) {
    admin.disconnect();
    await redis.stop();
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  const best = { l1: 0, l2: 0, q1: 0, q2: 0 };
  /** Per round, for 1 and 2 workers: CPU per game through the queue over the local pool's, minus 1 (%). */
  const cpuOver = { 1: [] as number[], 2: [] as number[] };
  /** Per round: local games/s over queued games/s, minus 1 (%). */
  const wallOver = { 1: [] as number[], 2: [] as number[] };
  /** Per round, CPU per game and time per game of each side: the figures are taken two rounds at a time. */
  const cpuOf = { 1: [] as { l: number; q: number }[], 2: [] as { l: number; q: number }[] };
  const timeOf = { 1: [] as { l: number; q: number }[], 2: [] as { l: number; q: number }[] };
  const idle = { 1: [] as number[], 2: [] as number[] };
  /** Per round: redis-server's and the coordinator's CPU-µs per game in the queued run. */
  const redisUs = { 1: [] as number[], 2: [] as number[] };
  const coordUs = { 1: [] as number[], 2: [] as number[] };
  const localUs = { 1: [] as number[], 2: [] as number[] };
  /** Per round, CPU-µs per game of the main threads: the local run's own; the queued run's coordinator and workers. */
  const localMainUs = { 1: [] as number[], 2: [] as number[] };
  const coordMainUs = { 1: [] as number[], 2: [] as number[] };
  const workersMainUs = { 1: [] as number[], 2: [] as number[] };
  /** Per round, CPU-µs per game of the game threads and of everything else, each side. */
  const gameUs = { 1: [] as { l: number; q: number }[], 2: [] as { l: number; q: number }[] };
  const restUs = { 1: [] as { l: number; q: number }[], 2: [] as { l: number; q: number }[] };
  try {
    if (PARTS.has('queue')) {
      process.stderr.write(`distributed bench: pools and workers up, ${WARM_RUNS} warm-up runs each\n`);
      for (const n of [1, 2] as const) {
        localPool(n);
        await startWorkers(n);
        for (let w = 0; w < WARM_RUNS; w++) {
          await timed(localPools.get(n)!.executor, [], n);
          await queued(n);
        }
      }
    }
    for (let i = 0; i < (PARTS.has('queue') ? ROUNDS : 0); i++) {
      // Local first in even rounds, queue first in odd ones: neither always runs on the hotter machine.
      const pair = async (n: 1 | 2) => {
        const l = () => timed(localPools.get(n)!.executor, [], n);
        if (i % 2 === 0) {
          const lm = await l();
          return { l: lm, q: await queued(n) };
        }
        const qm = await queued(n);
        return { l: await l(), q: qm };
      };
      const one = await pair(1);
      const two = await pair(2);
      for (const [n, m] of [
        [1, one],
        [2, two],
      ] as const) {
        best[n === 1 ? 'l1' : 'l2'] = Math.max(best[n === 1 ? 'l1' : 'l2'], m.l.rate);
        best[n === 1 ? 'q1' : 'q2'] = Math.max(best[n === 1 ? 'q1' : 'q2'], m.q.rate);
        cpuOver[n].push((m.q.cpu / m.l.cpu - 1) * 100);
        wallOver[n].push((m.l.rate / m.q.rate - 1) * 100);
        cpuOf[n].push({ l: m.l.cpu, q: m.q.cpu });
        timeOf[n].push({ l: 1 / m.l.rate, q: 1 / m.q.rate });
        idle[n].push(m.q.idle);
        redisUs[n].push(m.q.redisCpu * 1000);
        coordUs[n].push(m.q.ownCpu * 1000);
        localUs[n].push(m.l.cpu * 1000);
        localMainUs[n].push(m.l.ownMainCpu * 1000);
        coordMainUs[n].push(m.q.ownMainCpu * 1000);
        workersMainUs[n].push(m.q.workersMainCpu * 1000);
        gameUs[n].push({ l: m.l.gameCpu * 1000, q: m.q.gameCpu * 1000 });
        restUs[n].push({ l: (m.l.cpu - m.l.gameCpu) * 1000, q: (m.q.cpu - m.q.gameCpu) * 1000 });
      }
      process.stderr.write(
        `distributed bench: round ${i + 1} of ${ROUNDS}: games/s local 1 ${one.l.rate.toFixed(0)}, queue 1 ${one.q.rate.toFixed(0)}, ` +
          `local 2 ${two.l.rate.toFixed(0)}, queue 2 ${two.q.rate.toFixed(0)}; CPU-µs/game: ` +
          `${[one.l.cpu, one.q.cpu, two.l.cpu, two.q.cpu].map((c) => (c * 1000).toFixed(0)).join(', ')} ` +
          `(of the queued ones redis-server ${(one.q.redisCpu * 1000).toFixed(0)}, ${(two.q.redisCpu * 1000).toFixed(0)}; ` +
          `coordinator ${(one.q.ownCpu * 1000).toFixed(0)}, ${(two.q.ownCpu * 1000).toFixed(0)}); main threads: ` +
          `local ${(one.l.ownMainCpu * 1000).toFixed(0)}, ${(two.l.ownMainCpu * 1000).toFixed(0)}, ` +
          `coordinator ${(one.q.ownMainCpu * 1000).toFixed(0)}, ${(two.q.ownMainCpu * 1000).toFixed(0)}, ` +
          `workers ${(one.q.workersMainCpu * 1000).toFixed(0)}, ${(two.q.workersMainCpu * 1000).toFixed(0)}; ` +
          `game threads local ${(one.l.gameCpu * 1000).toFixed(0)}, ${(two.l.gameCpu * 1000).toFixed(0)}, ` +
          `queued ${(one.q.gameCpu * 1000).toFixed(0)}, ${(two.q.gameCpu * 1000).toFixed(0)}; ` +
          `worker threads idle ${one.q.idle.toFixed(1)}%, ${two.q.idle.toFixed(1)}%; load ${os.loadavg()[0]!.toFixed(1)}\n`,
      );
    }
  } finally {
    for (const set of workerSets.values()) await Promise.all(set.procs.map((p) => stopCli(p, 'SIGTERM')));
    for (const pool of localPools.values()) await pool.destroy();
    admin.disconnect();
    await redis.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const note =
    `${GAMES} Galax games random vs heuristic, whole runs on warm pools and workers, best of ${ROUNDS}; ` +
    `workers are \`botswarm worker\` processes (${compiled ? 'compiled build' : 'sources through tsx'}); load average ${load}`;
  /** Queued over local, minus 1 (%), per two rounds (one local-first, one queue-first): the order's cost cancels. */
  const blocks = (xs: readonly { l: number; q: number }[]): number[] => {
    const out: number[] = [];
    for (let i = 0; i + 1 < xs.length; i += 2)
      out.push(((xs[i]!.q + xs[i + 1]!.q) / (xs[i]!.l + xs[i + 1]!.l) - 1) * 100);
    return out;
  };
  const cpuBlocks = { 1: blocks(cpuOf[1]), 2: blocks(cpuOf[2]) };
  const wallBlocks = { 1: blocks(timeOf[1]), 2: blocks(timeOf[2]) };
  const fmt = (xs: readonly number[]) => xs.map((x) => x.toFixed(1)).join(', ');
  /** The median's distribution-free confidence interval: the blocks are few, and one round can be far out. */
  const interval = (xs: readonly number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const { k, confidence } = medianInterval(sorted.length);
    return `${(confidence * 100).toFixed(0)} % confidence interval of the median ${sorted[k - 1]!.toFixed(1)} to ${sorted[sorted.length - k]!.toFixed(1)}`;
  };
  const spread = (xs: readonly number[], rounds: readonly number[]) =>
    `median of ${xs.length} two-round blocks, one round local-first and one queue-first each (${fmt(xs)}; ` +
    `${interval(xs)}; the single rounds ${fmt(rounds)})`;
  /**
   * What the queue adds outside the game threads, per block, as a share of the local CPU per game: the game
   * threads play the same games on both sides, and most of a round's swing is theirs (the machine's speed).
   */
  const restBlocks = (n: 1 | 2): number[] => {
    const out: number[] = [];
    for (let i = 0; i + 1 < restUs[n].length; i += 2) {
      const rest = restUs[n][i]!.q + restUs[n][i + 1]!.q - restUs[n][i]!.l - restUs[n][i + 1]!.l;
      out.push((rest / (localUs[n][i]! + localUs[n][i + 1]!)) * 100);
    }
    return out;
  };
  const agentRows: BenchResult[] = cost
    ? [
        {
          group: 'Distributed load test',
          name: 'coordinator CPU per agent-second',
          value: cost.value,
          unit: 'CPU-ms',
          note: cost.note,
        },
      ]
    : [];
  if (!PARTS.has('queue')) return agentRows;
  const group = 'Distributed tournament';
  const cpuNote = (n: 1 | 2) =>
    `CPU per game (user+sys of this process as coordinator, the ${n === 1 ? 'worker process' : 'worker processes'} with ` +
    "their game threads, and redis-server) through the queue over the local pool's (this process with its threads, " +
    `redis-server), minus 1; each a whole run of ${GAMES} games on warm threads (${WARM_RUNS} uncounted runs ` +
    `first), each pair back to back, alternating which goes first; ${spread(cpuBlocks[n], cpuOver[n])}; local pool ` +
    `${median(localUs[n]).toFixed(0)} CPU-µs/game; of the queued runs redis-server ${median(redisUs[n]).toFixed(0)} and the coordinator ` +
    `${median(coordUs[n]).toFixed(0)} CPU-µs/game; main threads: the local run's ${median(localMainUs[n]).toFixed(0)}, ` +
    `the coordinator's ${median(coordMainUs[n]).toFixed(0)}, the workers' ${median(workersMainUs[n]).toFixed(0)} CPU-µs/game ` +
    `(medians; /proc/<pid>/task/<tid>/schedstat); the game threads ${median(gameUs[n].map((x) => x.l)).toFixed(0)} ` +
    `locally and ${median(gameUs[n].map((x) => x.q)).toFixed(0)} through the queue, everything else ` +
    `${median(restUs[n].map((x) => x.l)).toFixed(0)} and ${median(restUs[n].map((x) => x.q)).toFixed(0)} CPU-µs/game: outside ` +
    `the game threads the queue adds ${median(restBlocks(n)).toFixed(1)} % of the local CPU per game (blocks ` +
    `${fmt(restBlocks(n))}; ${interval(restBlocks(n))}); games/s ratio in the row below`;
  const wallNote =
    'local games/s over queued games/s, minus 1, the same runs (wall clock: on a shared 2-core machine other work moves it; the CPU row above carries the target)';
  const results: BenchResult[] = [
    ...agentRows,
    { group, name: 'local pool, 1 thread', value: best.l1, unit: 'games/s', note },
    { group, name: 'queue, 1 worker of 1 thread', value: best.q1, unit: 'games/s', note },
    { group, name: 'local pool, 2 threads', value: best.l2, unit: 'games/s', note },
    { group, name: 'queue, 2 workers of 1 thread', value: best.q2, unit: 'games/s', note },
    {
      group,
      name: 'queue overhead, 1 worker vs 1 local thread',
      value: median(cpuBlocks[1]),
      unit: '%',
      target: '< 10',
      note: cpuNote(1),
    },
    {
      group,
      name: 'queue games/s below the local pool, 1 worker',
      value: median(wallBlocks[1]),
      unit: '%',
      note: `${wallNote}; ${spread(wallBlocks[1], wallOver[1])}`,
    },
    {
      group,
      name: 'queue overhead, 2 workers vs 2 local threads',
      value: median(cpuBlocks[2]),
      unit: '%',
      target: '< 10',
      note: cpuNote(2),
    },
    {
      group,
      name: 'queue games/s below the local pool, 2 workers',
      value: median(wallBlocks[2]),
      unit: '%',
      note: `${wallNote}; ${spread(wallBlocks[2], wallOver[2])}`,
    },
    {
      group,
      name: 'worker threads waiting for a batch, 1 worker',
      value: median(idle[1]),
      unit: '%',
      note: `share of the worker threads' time from their first batch to their last in a run (from the workers' log); median of ${idle[1].length} rounds (${fmt(idle[1])})`,
    },
    {
      group,
      name: 'worker threads waiting for a batch, 2 workers',
      value: median(idle[2]),
      unit: '%',
      note: `share of the worker threads' time from their first batch to their last in a run (from the workers' log); median of ${idle[2].length} rounds (${fmt(idle[2])})`,
    },
  ];
  return results;
};
