import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { DelayedError, type Job, Worker } from 'bullmq';
import { type Logger, silentLogger } from '../core/log.ts';
import { packageVersion } from '../core/package-info.ts';
import { type BatchTask, playBatchLines } from '../tournament/worker.ts';
// The same threads as the local runner's pool: a worker host plays a batch exactly as a local run does.
import { gameThreads } from '../tournament/worker-file.ts';
import { KEY_PREFIX, openRedis, type QueueAddress } from './connection.ts';
import {
  type BatchJob,
  type BatchOutcome,
  packLines,
  QUEUED_PER_THREAD,
  type Refusal,
  refusalsKey,
  TOURNAMENT_QUEUE,
  WORKER_HEARTBEAT_MS,
  WORKERS_KEY,
  type WorkerEntry,
} from './tournament-jobs.ts';
import { type EngineStamp, engineStamp } from './version.ts';

export interface QueueWorkerOptions {
  readonly address: QueueAddress;
  /** How the coordinator's log names this worker; default host:pid. */
  readonly name?: string;
  /** Threads playing games; default one per core; 0 plays in this thread (small games only: see lockDurationMs). */
  readonly threads?: number;
  /**
   * How long a taken batch stays locked without a renewal; after that (a killed or frozen worker) another
   * worker takes it again. Default 30 s; the renewal runs on this thread, every half of it.
   */
  readonly lockDurationMs?: number;
  readonly log?: Logger;
  /** Stops taking batches; the ones in hand are finished and delivered first. */
  readonly signal?: AbortSignal;
}

/** How long this worker's threads had no batch to play, between its first batch and its last. */
export interface WorkerIdle {
  /** Thread-ms without a batch, summed over the threads. */
  readonly idleThreadMs: number;
  /** Thread-ms from the first batch taken to the last delivered. */
  readonly spanThreadMs: number;
}

export type WorkerEnd =
  | ({ readonly kind: 'stopped'; readonly batches: number } & WorkerIdle)
  | ({ readonly kind: 'refused'; readonly batches: number; readonly refusal: Refusal } & WorkerIdle);

/**
 * Counts the thread-time a pool of `threads` spends without a batch in hand, from the first batch taken to the
 * last delivered (the wait for a tournament to start, or for the next, is not the queue's idleness).
 */
class IdleClock {
  #inHand = 0;
  #since: number | undefined;
  #first: number | undefined;
  #idle = 0;
  constructor(readonly threads: number) {}
  /** A batch goes to the threads (+1) or comes back (-1). */
  step(delta: 1 | -1): void {
    const now = performance.now();
    this.#first ??= now;
    if (this.#since !== undefined) this.#idle += (now - this.#since) * Math.max(0, this.threads - this.#inHand);
    this.#since = now;
    this.#inHand += delta;
  }
  get figures(): WorkerIdle {
    const span = this.#first === undefined || this.#since === undefined ? 0 : this.#since - this.#first;
    return { idleThreadMs: this.#idle, spanThreadMs: span * this.threads };
  }
}

async function stampHere(task: BatchTask): Promise<EngineStamp> {
  try {
    return await engineStamp(task.game, task.engineModule);
  } catch (error) {
    // A game this installation does not know (a newer coordinator): as different as a stamp can be.
    return { botswarm: packageVersion(), engine: `${task.game}: ${(error as Error).message}`, hash: 'none' };
  }
}

/**
 * A tournament worker: takes batches from the queue, plays them in a pool of threads (the local runner's
 * thread entry) and hands back their result lines and replay files. It registers itself (name, version)
 * with a heartbeat, and refuses a batch stamped with another engine version: the batch goes back to the
 * queue for a matching worker and this one stops.
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<WorkerEnd> {
  const { address } = options;
  const log = options.log ?? silentLogger;
  const name = options.name ?? `${os.hostname()}:${process.pid}`;
  const threads = options.threads ?? os.availableParallelism();
  const lockDuration = options.lockDurationMs ?? 30_000;
  // Before the threads start: an unreachable Redis ends the command with nothing left to stop.
  const redis = await openRedis(address);
  const pool = threads > 0 ? gameThreads(threads) : null;
  let batches = 0;
  const idle = new IdleClock(Math.max(1, threads));
  let refusal: Refusal | undefined;
  let stopping: Promise<void> | undefined;

  const processor = async (job: Job<BatchJob, BatchOutcome>, token?: string): Promise<BatchOutcome> => {
    const { task, stamp, run } = job.data;
    const mine = await stampHere(task);
    if (mine.hash !== stamp.hash) {
      // Stop taking batches first, so that this one does not come straight back here; say so once.
      void stop();
      if (!refusal) {
        refusal = { worker: name, coordinator: stamp, mine };
        await redis.rpush(refusalsKey(run), JSON.stringify(refusal));
      }
      // Back to the queue at once, untouched, for a worker of the coordinator's version.
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    const first = task.games[0]?.index;
    log.info({ job: job.id, games: task.games.length, first }, 'batch started');
    const replayDir = task.replayDir === null ? null : mkdtempSync(join(os.tmpdir(), 'botswarm-replays-'));
    try {
      const here: BatchTask = { ...task, replayDir };
      idle.step(1);
      let lines: string;
      try {
        lines = pool ? await pool.run(here) : await playBatchLines(here);
      } finally {
        idle.step(-1);
      }
      const replays: Record<string, string> = {};
      if (replayDir) {
        for (const game of task.games) {
          if (game.replay)
            replays[`game-${game.index}.json`] = readFileSync(join(replayDir, `game-${game.index}.json`), 'utf8');
        }
      }
      batches++;
      log.info({ job: job.id, games: task.games.length, first }, 'batch done');
      return { packed: packLines(lines), replays, worker: name };
    } finally {
      if (replayDir) rmSync(replayDir, { recursive: true, force: true });
    }
  };

  const worker = new Worker<BatchJob, BatchOutcome>(TOURNAMENT_QUEUE, processor, {
    connection: address.connection,
    prefix: KEY_PREFIX,
    // One batch playing and one held per thread, as in the local pool, and one waiting here for a thread.
    concurrency: Math.max(1, threads) * QUEUED_PER_THREAD,
    lockDuration,
    stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
    // A batch whose workers died three times fails the tournament rather than killing every worker in turn.
    maxStalledCount: 3,
    autorun: false,
  });
  worker.on('error', (error) => log.warn({ err: error.message }, 'queue connection'));
  worker.on('failed', (job: Job<BatchJob, BatchOutcome> | undefined, error: Error) => {
    if (!(error instanceof DelayedError)) log.warn({ job: job?.id, err: error.message }, 'batch failed');
  });

  const entry = (): WorkerEntry => ({
    name,
    host: os.hostname(),
    pid: process.pid,
    botswarm: packageVersion(),
    threads,
    seen: Date.now(),
  });
  const heartbeat = async () => {
    try {
      await redis.hset(WORKERS_KEY, name, JSON.stringify(entry()));
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'cannot write the heartbeat');
    }
  };
  const beat = setInterval(() => void heartbeat(), WORKER_HEARTBEAT_MS);

  let finished!: () => void;
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(beat);
      await worker.close();
      await redis.hdel(WORKERS_KEY, name).catch(() => 0);
      redis.disconnect();
      await pool?.destroy();
      finished();
    })();
    return stopping;
  };
  options.signal?.addEventListener('abort', () => void stop(), { once: true });

  await heartbeat();
  log.info({ worker: name, threads, botswarm: packageVersion() }, 'worker waiting for batches');
  void worker.run().catch((error: Error) => {
    log.error({ err: error.message }, 'worker stopped');
    void stop();
  });
  if (options.signal?.aborted) void stop();
  await done;
  const figures = idle.figures;
  if (figures.spanThreadMs > 0) {
    log.info(
      { batches, idleThreadMs: Math.round(figures.idleThreadMs), spanThreadMs: Math.round(figures.spanThreadMs) },
      'threads waited for batches',
    );
  }
  return refusal ? { kind: 'refused', batches, refusal, ...figures } : { kind: 'stopped', batches, ...figures };
}
