/**
 * Tournament games/s through the Redis queue (BullMQ) against the local thread pool, in the same run: the same
 * Galax games (random vs heuristic) by the runner with 1 and 2 local worker threads, and through a queue to 1
 * and 2 workers of one thread each (in this process, so the machine's cores are shared alike). Rates are steady
 * state (from a quarter of the results to the last); each variant runs ROUNDS times, interleaved, and the
 * overhead is the median of each round's ratio. Needs redis-server (apt-get install -y redis-server).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseQueueUrl, QueueCoordinator, runQueueWorker, type WorkerEnd } from '../src/distributed/index.ts';
import { loadTournament, type RunOptions, runTournament } from '../src/tournament/index.ts';
import { startRedis } from '../test/distributed/redis-server.ts';
import type { Bench, BenchResult } from './harness.ts';

const GAMES = 600;
const WARM = 0.25;
const ROUNDS = 2;

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

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
  const timed = async (options: Omit<RunOptions, 'outDir'>): Promise<number> => {
    let first: { t: number; done: number } | undefined;
    let last: { t: number; done: number } | undefined;
    await runTournament(loaded, {
      ...options,
      outDir: join(scratch, `run-${dirs++}`),
      onProgress: (p) => {
        const mark = { t: performance.now(), done: p.done };
        if (p.done >= total * WARM && !first) first = mark;
        last = mark;
      },
    });
    if (!first || !last || last.done === first.done) throw new Error('too few results to time');
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

  const best = { l1: 0, l2: 0, q1: 0, q2: 0 };
  const overhead1: number[] = [];
  const overhead2: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
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
  const results: BenchResult[] = [
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
  ];
  return results;
};
