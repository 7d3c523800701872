/**
 * Load-test coordinator cost: CPU-ms of the coordinator (`loadtest --agents`, this process) per agent-second, with
 * AGENTS agents (child processes, one thread each) running chat-converse against a chat server in a child process,
 * measured between its second and its last per-second tick.
 *
 * Tournament games/s through the Redis queue (BullMQ) against the local thread pool, in the same run: the same
 * Galax games (random vs heuristic) by the runner with 1 and 2 local worker threads, and through a queue to 1
 * and 2 workers of one thread each (in this process, so the machine's cores are shared alike). Rates are steady
 * state (from a quarter of the results to the last); each variant runs ROUNDS times, interleaved, and the
 * overhead is the median of each round's ratio. Needs redis-server (apt-get install -y redis-server).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/core/log.ts';
import {
  agentPool,
  parseQueueUrl,
  QueueCoordinator,
  runQueueWorker,
  type WorkerEnd,
} from '../src/distributed/index.ts';
import { loadScenario, runLoadTest } from '../src/load/index.ts';
import { loadTournament, type RunOptions, runTournament } from '../src/tournament/index.ts';
import { startCli, stopCli } from '../test/distributed/processes.ts';
import { type RedisFixture, startRedis } from '../test/distributed/redis-server.ts';
import type { Bench, BenchResult } from './harness.ts';

const GAMES = 2000;
const AGENTS = 3;
const AGENT_BOTS = 30;
const AGENT_HOLD_MS = 8000;
/** `DISTRIBUTED_PARTS=queue` or `=agents`: only that part (default both). */
const PARTS = new Set((process.env.DISTRIBUTED_PARTS ?? 'queue,agents').split(','));
const WARM = 0.25;
const ROUNDS = 2;

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

export const run: Bench = async () => {
  const root = join(import.meta.dirname, '..');
  const loaded = await loadTournament({
    source: 'bench',
    baseDir: root,
    raw: { name: 'bench', game: 'galax', bots: ['random', 'heuristic'], games: GAMES / 2, seed: 'bench' },
  });
  const total = GAMES;
  const scratch = mkdtempSync(join(os.tmpdir(), 'botswarm-bench-distributed-'));
  const redis = await startRedis();
  const address = parseQueueUrl(redis.url);
  let dirs = 0;

  /** Steady-state games/s of one run of the runner with these options. */
  /** Process CPU-ms per game (coordinator, workers and game threads alike) of each timed run, in order. */
  const cpuPerGame: number[] = [];
  const timed = async (options: Omit<RunOptions, 'outDir'>): Promise<number> => {
    let first: { t: number; done: number; cpu: NodeJS.CpuUsage } | undefined;
    let last: { t: number; done: number; cpu: NodeJS.CpuUsage } | undefined;
    await runTournament(loaded, {
      ...options,
      outDir: join(scratch, `run-${dirs++}`),
      onProgress: (p) => {
        const mark = { t: performance.now(), done: p.done, cpu: process.cpuUsage() };
        if (p.done >= total * WARM && !first) first = mark;
        last = mark;
      },
    });
    if (!first || !last || last.done === first.done) throw new Error('too few results to time');
    const cpuMs = (last.cpu.user - first.cpu.user + last.cpu.system - first.cpu.system) / 1000;
    cpuPerGame.push(cpuMs / (last.done - first.done));
    return ((last.done - first.done) * 1000) / (last.t - first.t);
  };

  const local = (threads: number) => timed({ workers: threads });
  const queued = async (workers: number) => {
    const stop = new AbortController();
    const ends: Promise<WorkerEnd>[] = [];
    for (let i = 0; i < workers; i++) ends.push(runQueueWorker({ address, threads: 1, signal: stop.signal }));
    const coordinator = await QueueCoordinator.open({ address, outDir: join(scratch, `run-${dirs}`), game: 'galax' });
    try {
      return await timed({ executor: coordinator });
    } finally {
      await coordinator.close();
      stop.abort();
      await Promise.all(ends);
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
  try {
    for (let i = 0; i < (PARTS.has('queue') ? ROUNDS : 0); i++) {
      process.stderr.write(`distributed bench: round ${i + 1} of ${ROUNDS}\n`);
      const l1 = await local(1);
      const q1 = await queued(1);
      const l2 = await local(2);
      const q2 = await queued(2);
      process.stderr.write(
        `  games/s: local 1 ${l1.toFixed(0)}, queue 1 ${q1.toFixed(0)}, local 2 ${l2.toFixed(0)}, queue 2 ${q2.toFixed(0)}\n`,
      );
      best.l1 = Math.max(best.l1, l1);
      best.q1 = Math.max(best.q1, q1);
      best.l2 = Math.max(best.l2, l2);
      best.q2 = Math.max(best.q2, q2);
      overhead1.push((l1 / q1 - 1) * 100);
      overhead2.push((l2 / q2 - 1) * 100);
      const [cl1, cq1, cl2, cq2] = cpuPerGame.splice(0);
      cpu1.push((cq1! / cl1! - 1) * 100);
      cpu2.push((cq2! / cl2! - 1) * 100);
    }
  } finally {
    await redis.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const note = `${GAMES} Galax games random vs heuristic, best of ${ROUNDS}; load average ${load}`;
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
  const results: BenchResult[] = [
    ...agentRows,
    { group: 'Distributed tournament', name: 'local pool, 1 thread', value: best.l1, unit: 'games/s', note },
    { group: 'Distributed tournament', name: 'queue, 1 worker of 1 thread', value: best.q1, unit: 'games/s', note },
    { group: 'Distributed tournament', name: 'local pool, 2 threads', value: best.l2, unit: 'games/s', note },
    { group: 'Distributed tournament', name: 'queue, 2 workers of 1 thread', value: best.q2, unit: 'games/s', note },
    {
      group: 'Distributed tournament',
      name: 'queue overhead, 1 worker vs 1 local thread',
      value: median(overhead1),
      unit: '%',
      target: '< 10',
      note: spread(overhead1),
    },
    {
      group: 'Distributed tournament',
      name: 'queue overhead, 2 workers vs 2 local threads',
      value: median(overhead2),
      unit: '%',
      target: '< 10',
      note: spread(overhead2),
    },
    {
      group: 'Distributed tournament',
      name: 'queue CPU per game over the local pool, 1 worker',
      value: median(cpu1),
      unit: '%',
      note: `${spread(cpu1)}; process CPU (coordinator, worker, game threads; not redis-server's) per game`,
    },
    {
      group: 'Distributed tournament',
      name: 'queue CPU per game over the local pool, 2 workers',
      value: median(cpu2),
      unit: '%',
      note: `${spread(cpu2)}; process CPU (coordinator, workers, game threads; not redis-server's) per game`,
    },
  ];
  return results;
};
