/**
 * Load-test coordinator cost: CPU-ms of the coordinator (`loadtest --agents`, this process) per agent-second, with
 * AGENTS agents (child processes, one thread each) running chat-converse against a chat server in a child process,
 * measured between its second and its last per-second tick.
 *
 * Tournament games/s through the Redis queue (BullMQ) against the local thread pool, in the same run: the same
 * GAMES Galax games (random vs heuristic) by the runner with 1 and 2 local worker threads, and through a queue to
 * 1 and 2 `botswarm worker` processes of one thread each (separate processes, as on separate hosts; the compiled
 * build when it is fresh, as the game threads of both then run). Rates are steady state (from a quarter of the
 * results to the last, so thread start-up counts for neither); each pair runs back to back, local first in
 * even rounds and queue first in odd ones, ROUNDS times, and the overhead is the median of each round's
 * ratio. CPU per game counts every process involved (this one, the workers, redis-server), and the workers
 * report how long their threads waited for a batch. Needs redis-server (apt-get install -y redis-server).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/core/log.ts';
import { agentPool, openRedis, parseQueueUrl, QueueCoordinator } from '../src/distributed/index.ts';
import { loadScenario, runLoadTest } from '../src/load/index.ts';
import { loadTournament, type RunOptions, runTournament } from '../src/tournament/index.ts';
import { workerEntry } from '../src/tournament/worker-file.ts';
import { startCli, stopCli } from '../test/distributed/processes.ts';
import { type RedisFixture, startRedis } from '../test/distributed/redis-server.ts';
import type { Bench, BenchResult } from './harness.ts';

const GAMES = 4000;
const AGENTS = 3;
const AGENT_BOTS = 30;
const AGENT_HOLD_MS = 8000;
/** `DISTRIBUTED_PARTS=queue` or `=agents`: only that part (default both). */
const PARTS = new Set((process.env.DISTRIBUTED_PARTS ?? 'queue,agents').split(','));
const WARM = 0.25;
const ROUNDS = 3;

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

/** CPU-ms (user + system, all threads) of another process so far, from /proc (Linux). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

export const run: Bench = async () => {
  const root = join(import.meta.dirname, '..');
  const loaded = await loadTournament({
    source: 'bench',
    baseDir: root,
    raw: { name: 'bench', game: 'galax', bots: ['random', 'heuristic'], games: GAMES, seed: 'bench' },
  });
  const scratch = mkdtempSync(join(os.tmpdir(), 'botswarm-bench-distributed-'));
  const redis = await startRedis();
  const address = parseQueueUrl(redis.url);
  const admin = await openRedis(address);
  const redisPid = Number(/process_id:(\d+)/.exec(await admin.info('server'))?.[1]);
  // The workers run the code the local pool runs: the compiled build when it is fresh (as the game threads of
  // both then are), the sources through tsx otherwise.
  const compiled = workerEntry().includes('/dist/');
  let dirs = 0;

  /** Process CPU-ms per game (this process, the worker processes and redis-server) of each timed run, in order. */
  const cpuPerGame: number[] = [];
  /** Steady-state games/s of one run of the runner with these options; `others` are the workers' pids. */
  const timed = async (options: Omit<RunOptions, 'outDir'>, others: readonly number[] = []): Promise<number> => {
    const total = GAMES;
    const cpuNow = () => {
      const own = process.cpuUsage();
      let ms = (own.user + own.system) / 1000 + processCpuMs(redisPid);
      for (const pid of others) ms += processCpuMs(pid);
      return ms;
    };
    let first: { t: number; done: number; cpu: number } | undefined;
    let last: { t: number; done: number; cpu: number } | undefined;
    const result = await runTournament(loaded, {
      ...options,
      outDir: join(scratch, `run-${dirs++}`),
      onProgress: (p) => {
        if (p.done < total * WARM) return;
        const mark = { t: performance.now(), done: p.done, cpu: cpuNow() };
        first ??= mark;
        last = mark;
      },
    });
    if (result.standings.gamesPlayed !== total)
      throw new Error(`${result.standings.gamesPlayed} of ${total} games played`);
    if (!first || !last || last.done === first.done) throw new Error('too few results to time');
    cpuPerGame.push((last.cpu - first.cpu) / (last.done - first.done));
    return ((last.done - first.done) * 1000) / (last.t - first.t);
  };

  const local = (threads: number) => timed({ workers: threads });
  /** Per queued run: thread-ms the workers' threads waited for a batch, over their span. */
  const idle: number[] = [];
  const queued = async (workers: number) => {
    const procs = Array.from({ length: workers }, (_, i) =>
      startCli(
        ['worker', '--queue', redis.url, '--threads', '1', '--name', `bench-${i}`, '--log-level', 'info'],
        undefined,
        !compiled,
      ),
    );
    try {
      await Promise.all(procs.map((p) => p.waitFor(/worker waiting for batches/)));
      const coordinator = await QueueCoordinator.open({ address, outDir: join(scratch, `run-${dirs}`), game: 'galax' });
      try {
        // Both pools start warm alike: the local one's threads start inside the run, before the timed window.
        while (coordinator.workers.length < workers) await new Promise((resolve) => setTimeout(resolve, 20));
        return await timed(
          { executor: coordinator },
          procs.map((p) => p.child.pid!),
        );
      } finally {
        await coordinator.close();
      }
    } finally {
      await Promise.all(procs.map((p) => stopCli(p, 'SIGTERM')));
      let idleMs = 0;
      let spanMs = 0;
      for (const p of procs) {
        const line = /"idleThreadMs":(\d+),"spanThreadMs":(\d+)/.exec(p.stderr);
        idleMs += Number(line?.[1] ?? Number.NaN);
        spanMs += Number(line?.[2] ?? Number.NaN);
      }
      idle.push((idleMs / spanMs) * 100);
    }
  };

  let cost: { value: number; note: string } | undefined;
  try {
    if (PARTS.has('agents')) {
      process.stderr.write('distributed bench: load-test coordinator cost\n');
      cost = await coordinatorCost(redis);
    }
  } catch (error) {
    await redis.stop();
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  const best = { l1: 0, l2: 0, q1: 0, q2: 0 };
  const overhead1: number[] = [];
  const overhead2: number[] = [];
  /** CPU per game through the queue over the local pool's (less sensitive to a loaded machine than games/s). */
  const cpu1: number[] = [];
  const cpu2: number[] = [];
  const idle1: number[] = [];
  const idle2: number[] = [];
  try {
    for (let i = 0; i < (PARTS.has('queue') ? ROUNDS : 0); i++) {
      process.stderr.write(`distributed bench: round ${i + 1} of ${ROUNDS}\n`);
      // Local first in even rounds, queue first in odd ones: neither always runs on the hotter machine.
      const pair = async (threads: number) => {
        if (i % 2 === 0) {
          const l = await local(threads);
          const q = await queued(threads);
          return { l, q, cl: cpuPerGame.shift()!, cq: cpuPerGame.shift()! };
        }
        const q = await queued(threads);
        const l = await local(threads);
        return { l, q, cq: cpuPerGame.shift()!, cl: cpuPerGame.shift()! };
      };
      const one = await pair(1);
      const two = await pair(2);
      const [i1, i2] = idle.splice(0);
      process.stderr.write(
        `  games/s: local 1 ${one.l.toFixed(0)}, queue 1 ${one.q.toFixed(0)}, local 2 ${two.l.toFixed(0)}, queue 2 ${two.q.toFixed(0)}; ` +
          `CPU-µs/game: ${[one.cl, one.cq, two.cl, two.cq].map((c) => (c * 1000).toFixed(0)).join(', ')}; ` +
          `worker threads idle ${i1!.toFixed(1)}%, ${i2!.toFixed(1)}%\n`,
      );
      best.l1 = Math.max(best.l1, one.l);
      best.q1 = Math.max(best.q1, one.q);
      best.l2 = Math.max(best.l2, two.l);
      best.q2 = Math.max(best.q2, two.q);
      overhead1.push((one.l / one.q - 1) * 100);
      overhead2.push((two.l / two.q - 1) * 100);
      cpu1.push((one.cq / one.cl - 1) * 100);
      cpu2.push((two.cq / two.cl - 1) * 100);
      idle1.push(i1!);
      idle2.push(i2!);
    }
  } finally {
    admin.disconnect();
    await redis.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const note =
    `${GAMES} Galax games random vs heuristic, steady state (from ${WARM * 100}% of the results), best of ${ROUNDS}; ` +
    `workers are \`botswarm worker\` processes (${compiled ? 'compiled build' : 'sources through tsx'}); load average ${load}`;
  const spread = (xs: readonly number[]) =>
    `median of ${ROUNDS} rounds (${xs.map((x) => x.toFixed(1)).join(', ')}); redis-server on 127.0.0.1`;
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
  const wall = 'local games/s over queued games/s, minus 1, each pair run back to back, alternating which goes first';
  const cpuNote =
    "CPU of coordinator, worker processes (game threads included) and redis-server per game, over the local pool's";
  const results: BenchResult[] = [
    ...agentRows,
    { group, name: 'local pool, 1 thread', value: best.l1, unit: 'games/s', note },
    { group, name: 'queue, 1 worker of 1 thread', value: best.q1, unit: 'games/s', note },
    { group, name: 'local pool, 2 threads', value: best.l2, unit: 'games/s', note },
    { group, name: 'queue, 2 workers of 1 thread', value: best.q2, unit: 'games/s', note },
    {
      group,
      name: 'queue overhead, 1 worker vs 1 local thread',
      value: median(overhead1),
      unit: '%',
      target: '< 10',
      note: `${wall}; ${spread(overhead1)}`,
    },
    {
      group,
      name: 'queue overhead, 2 workers vs 2 local threads',
      value: median(overhead2),
      unit: '%',
      target: '< 10',
      note: `${wall}; ${spread(overhead2)}`,
    },
    {
      group,
      name: 'queue CPU per game over the local pool, 1 worker',
      value: median(cpu1),
      unit: '%',
      note: `${cpuNote}; ${spread(cpu1)}`,
    },
    {
      group,
      name: 'queue CPU per game over the local pool, 2 workers',
      value: median(cpu2),
      unit: '%',
      note: `${cpuNote}; ${spread(cpu2)}`,
    },
    {
      group,
      name: 'worker threads waiting for a batch, 1 worker',
      value: median(idle1),
      unit: '%',
      note: `share of the worker threads' time from their first batch to their last; ${spread(idle1)}`,
    },
    {
      group,
      name: 'worker threads waiting for a batch, 2 workers',
      value: median(idle2),
      unit: '%',
      note: `share of the worker threads' time from their first batch to their last; ${spread(idle2)}`,
    },
  ];
  return results;
};
