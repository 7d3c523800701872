import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Logger, silentLogger } from '../core/log.ts';
import { canonicalJson } from '../tournament/definition.ts';
import {
  loadResults,
  ResultsWriter,
  readStoredTournament,
  resultsPath,
  type StoredTournament,
  writeFileAtomic,
} from '../tournament/results.ts';
import type { BatchExecutor } from '../tournament/runner.ts';
import type { GameRecord } from '../tournament/types.ts';
import type { BatchTask } from '../tournament/worker.ts';
import { KEY_PREFIX, openRedis, type QueueAddress } from './connection.ts';
import {
  type BatchJob,
  type BatchOutcome,
  JOB_KEEP_SECONDS,
  QUEUED_PER_THREAD,
  type Refusal,
  refusalsKey,
  TOURNAMENT_QUEUE,
  unpackLines,
  WORKER_GONE_MS,
  WORKERS_KEY,
  type WorkerEntry,
} from './tournament-jobs.ts';
import { describeStamp, type EngineStamp, engineStamp } from './version.ts';

export interface QueueCoordinatorOptions {
  readonly address: QueueAddress;
  /** The tournament's output directory: its tournament.json names the run the jobs belong to. */
  readonly outDir: string;
  readonly game: string;
  readonly engineModule?: string;
  /**
   * Batches in the queue at once. Default: QUEUED_PER_THREAD per thread of the live workers, so that batches
   * are as large as the workers' number allows and each costs one round trip.
   */
  readonly queued?: number;
  readonly log?: Logger;
  /** A worker refused a batch: its engine stamp differs (the batch went back to the queue). */
  readonly onRefusal?: (refusal: Refusal) => void;
  /** Nobody took a batch for a while and no worker is registered. */
  readonly onNoWorkers?: () => void;
  /** Play time per batch, ms (default QUEUE_BATCH_TARGET_MS). */
  readonly batchTargetMs?: number;
  /** Play time below which batches do not shrink near the end of a round, ms (default QUEUE_MIN_BATCH_MS). */
  readonly minBatchMs?: number;
  /** How often the worker registry and the refusals are read; default 1 s. */
  readonly pollMs?: number;
}

/** The run a tournament directory's jobs belong to: the same for a `--resume`, new for a fresh start. */
export function runIdOf(stored: StoredTournament): string {
  return createHash('sha256')
    .update(`${canonicalJson(stored.definition)}\0${stored.createdAt}`)
    .digest('hex')
    .slice(0, 16);
}

/** Replay file names a worker may send: nothing that leaves the replay directory. */
const REPLAY_NAME = /^game-\d+\.json$/;

function writeReplays(dir: string, replays: Readonly<Record<string, string>>): void {
  for (const [name, text] of Object.entries(replays)) {
    if (!REPLAY_NAME.test(name)) throw new Error(`a worker sent a replay named "${name}"`);
    writeFileAtomic(join(dir, name), text);
  }
}

/**
 * The coordinator's side of a tournament over a BullMQ queue: a `BatchExecutor` for `runTournament` that
 * puts each batch into the queue and resolves with its lines when some worker, on any host, has played it.
 * Seeds, schedule, batching and results.jsonl stay in the coordinator, exactly as in a local run; a batch
 * whose worker died is retried by BullMQ's stalled-job check, and the runner records a game only once.
 */
/**
 * Play time per queued batch. A job costs a few Redis round trips and Lua scripts on both sides, and CPU on the
 * coordinator's and the worker's main threads next to the threads playing games: with a local thread's 50 ms
 * batches the local pool played 1.77 times the queue's rate (bench/distributed.bench.ts, 1 worker). Twenty times
 * longer batches pay that cost a twentieth as often (a job is about 5 CPU-ms over all the processes, 0.5 % of a
 * thread's second; at 500 ms, 2 workers on a busy machine, whose games read long in wall time, were sent batches
 * of ~300 games); a killed worker's batch is still retried whole, and near the end batches shrink as in a local
 * run (`BatchPlanner`, `QUEUE_TAIL_SHARES`), so that the workers finish together.
 */
export const QUEUE_BATCH_TARGET_MS = 1000;

/**
 * Near the end of a round the runner shrinks batches so that the threads finish together; a local thread's go
 * down to one game. Through the queue every batch costs a round trip (worker, Redis, coordinator and back) of a
 * few ms, tens on a loaded machine, whatever its size: the end of a round went in batches of a few games down to
 * one, the thread waiting for each. No batch shorter than this: the threads finish up to this much apart.
 * Each batch also costs CPU whatever its size (BullMQ's scripts on the worker's and the coordinator's main
 * threads, Redis): at 50 ms most of a 4,000-game run's ~22 batches were the end of the round, and 150 ms took
 * about 6 % off the CPU per game of the whole run with 2 workers (docs/performance.md, "The queue overhead rows").
 */
export const QUEUE_MIN_BATCH_MS = 150;

/**
 * Shares per worker thread into which the games left in a round are cut near its end (the runner's local threads
 * take four shares per thread, and the queue's three batches in flight per thread made its old default six).
 * Each share is a job, and a job costs about 5 CPU-ms whatever its size over the coordinator's and the workers'
 * main threads and redis-server (BullMQ's scripts and bookkeeping; docs/performance.md, "Fourth pass"): with two,
 * and 1,000 ms batches, a 4,000-game run through one worker was cut into 6–7 jobs instead of 11–13. The last 2
 * batches per thread are then at the floor (`QUEUE_MIN_BATCH_MS`), which is what keeps the threads finishing
 * together.
 */
export const QUEUE_TAIL_SHARES = 2;

export class QueueCoordinator implements BatchExecutor {
  readonly batchTargetMs: number;
  readonly minBatchMs: number;
  readonly #options: QueueCoordinatorOptions;
  readonly #queue: Queue<BatchJob, BatchOutcome>;
  readonly #events: QueueEvents;
  readonly #stamp: EngineStamp;
  readonly #log: Logger;
  readonly #redis: Redis;
  #runId: string | undefined;
  #poll: NodeJS.Timeout | undefined;
  #refusalsSeen = 0;
  #workers = new Map<string, WorkerEntry>();
  #pending = 0;
  #idleSince = Date.now();
  #warnedNoWorkers = false;
  #closed = false;
  /** Whether a batch has come back (the runner has timings to size batches by). */
  #returned = false;
  /**
   * Batches in the queue, by job id, until their 'completed' or 'failed' event: one listener for all of them,
   * where `job.waitUntilFinished` added two listeners and ran a script in Redis (isFinished) per batch.
   */
  readonly #waiting = new Map<string, { resolve: (outcome: BatchOutcome) => void; reject: (error: Error) => void }>();

  private constructor(
    options: QueueCoordinatorOptions,
    queue: Queue<BatchJob, BatchOutcome>,
    events: QueueEvents,
    stamp: EngineStamp,
    redis: Redis,
  ) {
    this.#redis = redis;
    this.#options = options;
    this.batchTargetMs = options.batchTargetMs ?? QUEUE_BATCH_TARGET_MS;
    this.minBatchMs = options.minBatchMs ?? QUEUE_MIN_BATCH_MS;
    this.#queue = queue;
    this.#events = events;
    this.#stamp = stamp;
    this.#log = options.log ?? silentLogger;
    events.on('completed', ({ jobId, returnvalue }) => {
      const waiter = this.#waiting.get(jobId);
      if (!waiter) return;
      this.#waiting.delete(jobId);
      // QueueEvents has parsed the worker's JSON; typed as a string only.
      waiter.resolve(returnvalue as unknown as BatchOutcome);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      const waiter = this.#waiting.get(jobId);
      if (!waiter) return;
      this.#waiting.delete(jobId);
      waiter.reject(new Error(failedReason));
    });
  }

  static async open(options: QueueCoordinatorOptions): Promise<QueueCoordinator> {
    const { address } = options;
    const redis = await openRedis(address);
    const queue = new Queue<BatchJob, BatchOutcome>(TOURNAMENT_QUEUE, {
      connection: address.connection,
      prefix: KEY_PREFIX,
    });
    queue.on('error', () => {});
    // Every batch in flight waits on the queue's events.
    queue.setMaxListeners(0);
    const events = new QueueEvents(TOURNAMENT_QUEUE, { connection: address.connection, prefix: KEY_PREFIX });
    events.on('error', () => {});
    events.setMaxListeners(0);
    await events.waitUntilReady();
    const stamp = await engineStamp(options.game, options.engineModule);
    const coordinator = new QueueCoordinator(options, queue, events, stamp, redis);
    await coordinator.#watch();
    coordinator.#schedule();
    return coordinator;
  }

  /**
   * Batches handed out at once over two: the runner keeps two per slot in flight (a local thread's play and hold).
   * Until a first batch has come back the runner has timed no game and cuts probes of a few games each: one per
   * worker thread then, not QUEUED_PER_THREAD, since a batch costs the same round trips and scripts whatever its
   * size (with 2 workers six probes of 40 Galax games, and a seventh cut while they played, were a third of the
   * jobs of a 4,000-game run).
   */
  get slots(): number {
    if (this.#options.queued !== undefined) return Math.max(1, this.#options.queued) / 2;
    return (this.#threads * (this.#returned ? QUEUED_PER_THREAD : 1)) / 2;
  }

  get tailShares(): number {
    return this.#threads * QUEUE_TAIL_SHARES;
  }

  /** Threads of the live workers (at least one). */
  get #threads(): number {
    let threads = 0;
    for (const worker of this.#workers.values()) threads += worker.threads;
    return Math.max(1, threads);
  }

  get stamp(): EngineStamp {
    return this.#stamp;
  }

  /** Live workers, as of the last poll. */
  get workers(): readonly WorkerEntry[] {
    return [...this.#workers.values()];
  }

  /**
   * Before a `--resume`: the batches a killed coordinator left behind. Finished ones are appended to
   * results.jsonl (games not in it yet) with their replays; waiting ones are dropped (the resumed run plans
   * them again). Returns how many games it added.
   */
  async harvest(): Promise<number> {
    const stored = readStoredTournament(this.#options.outDir);
    if (!stored) return 0;
    const run = runIdOf(stored);
    const ours = (job: Job<BatchJob, BatchOutcome> | undefined): job is Job<BatchJob, BatchOutcome> =>
      job?.data?.run === run;
    // loadResults first: it cuts a torn last line, so that the lines below start on a clean line.
    const { records } = loadResults(this.#options.outDir, stored.totalGames);
    const writer = new ResultsWriter(resultsPath(this.#options.outDir));
    let added = 0;
    try {
      for (const job of (await this.#queue.getJobs(['completed'])).filter(ours)) {
        const outcome = job.returnvalue;
        const lines = unpackLines(outcome);
        if (lines === undefined) continue;
        let text = '';
        for (const line of lines.split('\n')) {
          if (line === '') continue;
          const record = JSON.parse(line) as GameRecord;
          if (records.has(record.index)) continue;
          records.set(record.index, record);
          text += `${line}\n`;
          added++;
        }
        if (Object.keys(outcome.replays).length > 0) {
          writeReplays(join(this.#options.outDir, 'replays'), outcome.replays);
        }
        writer.appendLines(text);
        await job.remove().catch(() => {});
      }
    } finally {
      writer.close();
    }
    const waiting = await this.#queue.getJobs(['waiting', 'delayed', 'prioritized', 'paused']);
    for (const job of waiting.filter(ours)) await job.remove().catch(() => {});
    if (added > 0) this.#log.info({ added }, 'results of finished batches collected from the queue');
    return added;
  }

  async run(task: BatchTask): Promise<string> {
    if (this.#runId === undefined) {
      const stored = readStoredTournament(this.#options.outDir);
      if (!stored) throw new Error(`${this.#options.outDir} holds no tournament.json`);
      this.#runId = runIdOf(stored);
    }
    const data: BatchJob = { run: this.#runId, stamp: this.#stamp, task };
    this.#pending++;
    // The job's id is ours, so that its waiter is in place before the job can finish: the events of a job
    // added by this coordinator are all read (the stream is followed from before the first job).
    const jobId = randomUUID();
    const finished = new Promise<BatchOutcome>((resolve, reject) => this.#waiting.set(jobId, { resolve, reject }));
    // Rejected by close() perhaps before it is awaited (while the job is being added).
    finished.catch(() => {});
    let job: Job<BatchJob, BatchOutcome>;
    let outcome: BatchOutcome;
    try {
      job = await this.#queue.add('batch', data, {
        jobId,
        attempts: 1,
        removeOnComplete: { age: JOB_KEEP_SECONDS },
        removeOnFail: { age: JOB_KEEP_SECONDS },
      });
      outcome = await finished;
      this.#returned = true;
    } catch (error) {
      this.#waiting.delete(jobId);
      throw error;
    } finally {
      this.#pending--;
      this.#idleSince = Date.now();
    }
    if (task.replayDir) writeReplays(task.replayDir, outcome.replays);
    // The runner appends the lines as soon as this resolves (before any timer runs); only then may the
    // finished job go, so that a coordinator killed in between finds it again with --resume.
    setImmediate(() => void job.remove().catch(() => {}));
    const lines = unpackLines(outcome);
    if (lines === undefined) throw new Error(`batch ${jobId} came back without result lines`);
    return lines;
  }

  /**
   * Reads the registry again after `pollMs`, or after a tenth of it while no worker is known: batches in flight
   * follow the workers' threads (`slots`), and a run started with its workers only just starting would otherwise
   * feed them one batch at a time for a whole poll interval.
   */
  #schedule(): void {
    if (this.#closed) return;
    const every = this.#options.pollMs ?? 1000;
    this.#poll = setTimeout(
      () => void this.#watch().then(() => this.#schedule()),
      this.#workers.size > 0 ? every : every / 10,
    );
    this.#poll.unref();
  }

  async #watch(): Promise<void> {
    try {
      const client = this.#redis;
      const entries = await client.hgetall(WORKERS_KEY);
      const now = Date.now();
      const live = new Map<string, WorkerEntry>();
      for (const text of Object.values(entries)) {
        const entry = JSON.parse(text) as WorkerEntry;
        if (now - entry.seen < WORKER_GONE_MS) live.set(entry.name, entry);
      }
      for (const [name, entry] of live) {
        if (!this.#workers.has(name)) {
          this.#log.info(
            { worker: name, host: entry.host, botswarm: entry.botswarm, threads: entry.threads },
            'worker joined',
          );
        }
      }
      for (const name of this.#workers.keys()) {
        if (!live.has(name)) this.#log.info({ worker: name }, 'worker left');
      }
      this.#workers = live;
      if (this.#runId !== undefined) {
        const refusals = await client.lrange(refusalsKey(this.#runId), this.#refusalsSeen, -1);
        this.#refusalsSeen += refusals.length;
        for (const text of refusals) {
          const refusal = JSON.parse(text) as Refusal;
          this.#log.warn(
            { worker: refusal.worker, mine: describeStamp(refusal.mine) },
            'worker refused: engine stamp differs',
          );
          this.#options.onRefusal?.(refusal);
        }
      }
      if (live.size > 0 || this.#pending === 0) {
        this.#idleSince = now;
      } else if (!this.#warnedNoWorkers && now - this.#idleSince > 5000) {
        this.#warnedNoWorkers = true;
        this.#options.onNoWorkers?.();
      }
    } catch (error) {
      this.#log.warn({ err: (error as Error).message }, 'cannot read the worker registry');
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#poll);
    for (const waiter of this.#waiting.values()) waiter.reject(new Error('the queue coordinator was closed'));
    this.#waiting.clear();
    if (this.#runId !== undefined) {
      await this.#redis.del(refusalsKey(this.#runId)).catch(() => 0);
    }
    await this.#events.close();
    await this.#queue.close();
    this.#redis.disconnect();
  }
}
