/**
 * The main thread's side of a threaded load test (`--threads N`, N > 1): N worker threads each run a share of the
 * sessions (src/load/thread-worker.ts), and their per-second intervals are merged into the run's LoadRecorder.
 * Closed model: worker i runs bot slots b with b % N == i of the current target. Open model: arrivals are dealt
 * round-robin, arrival j to worker j % N; each worker drops arrivals past its share of the concurrency cap.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { freshBuild } from '../core/compiled-build.ts';
import { Condition } from '../core/condition.ts';
import type { Logger } from '../core/log.ts';
import type { LoadRecorder, ThreadInterval } from './metrics.ts';
import type { LoadSummary } from './summary.ts';
import type { FromWorker, ToWorker, WorkerInit } from './thread-protocol.ts';
import type { LoadScenario, PrepareOptions } from './types.ts';

/**
 * The module each worker thread starts from. Run from the TypeScript sources (tests, `npm run bench`), it is the
 * compiled entry in dist/ when that build is fresh (src/core/compiled-build.ts): the threads then run the code the
 * CLI runs, not the sources compiled again by tsx, whose `keepNames` made every closure of a session 256 bytes
 * larger (docs/performance.md, "10,000 bots: the hold's first seconds"). BOTSWARM_FROM_SOURCE=1 forces the sources.
 */
function threadEntry(): URL {
  const here = new URL('./thread-entry.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  const built = freshBuild(['dist/src/load/thread-worker.js', 'dist/src/load/thread-entry.js']);
  return built ? pathToFileURL(built[1]!) : here;
}
let entry: URL | undefined;

/** Error kind counted when a worker thread dies; the run's status is then `failed`. */
export const THREAD_FAILED = 'generator_thread_failed';

/**
 * What a threaded run sends to its workers, or why the scenario cannot run threaded. The data must survive a
 * structured clone; a class instance would arrive without its methods, so only plain data is accepted.
 */
export function threadData(scenario: LoadScenario, shared: unknown): { data: unknown } | { refused: string } {
  const support = scenario.threads;
  if (!support) {
    return {
      refused: `scenario ${scenario.id} does not declare worker-thread support: its sessions may share in-process state; run it with --threads 1`,
    };
  }
  if ('refused' in support) return { refused: `scenario ${scenario.id} cannot run threaded: ${support.refused}` };
  const data = support.toWorker ? support.toWorker(shared) : shared;
  const problem = notPlainData(data, 'the shared state');
  if (problem) {
    return {
      refused: `scenario ${scenario.id} cannot run threaded: ${problem} cannot be copied to a worker thread; run it with --threads 1`,
    };
  }
  return { data };
}

/** Why `value` is not plain data (objects, arrays, primitives), or undefined. */
function notPlainData(value: unknown, path: string, depth = 0): string | undefined {
  if (depth > 64) return `${path} (nested too deeply)`;
  if (value === null || value === undefined) return undefined;
  const t = typeof value;
  if (t === 'string' || t === 'number' || t === 'boolean') return undefined;
  if (t !== 'object') return `${path} (a ${t})`;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const p = notPlainData(v, `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    return `${path} (an instance of ${(value as object).constructor?.name ?? 'a class'})`;
  }
  for (const [k, v] of Object.entries(value as object)) {
    const p = notPlainData(v, `${path}.${k}`, depth + 1);
    if (p) return p;
  }
  return undefined;
}

export interface ThreadPoolOptions extends PrepareOptions {
  readonly scenario: LoadScenario;
  readonly scenarioModule?: string;
  readonly data: unknown;
  readonly threads: number;
  readonly seed: string;
  readonly thinkTimeMs: number;
  readonly requestTimeoutMs: number;
  readonly stopGraceMs: number;
  /** Open model's concurrency cap for the whole run (shared out over the threads). */
  readonly maxSessions: number;
  readonly open: boolean;
  readonly gapThresholdMs: number;
  readonly log: Logger;
  /** How long the workers get to load and become ready. */
  readonly startTimeoutMs?: number;
  /**
   * This pool's threads within the run's numbering, when the run spreads over several pools (load agents on other
   * hosts, src/distributed): its threads are `firstThread`.. of `allThreads`, and bots, arrivals, session indexes
   * and the concurrency cap are dealt over all of them exactly as over one pool of `allThreads` threads. Default:
   * the pool is the whole run.
   */
  readonly firstThread?: number;
  readonly allThreads?: number;
}

/**
 * Where a threaded run's sessions run, as the runner sees it: worker threads of this process (ThreadPool) or load
 * agents on other hosts (src/distributed/load-coordinator.ts). Either way it is dealt bots or arrivals and hands
 * back per-second intervals, so the schedule, thresholds and reports are one mechanism.
 */
export interface SessionPool {
  /** Threads running sessions, over every host. */
  readonly threads: number;
  attach(recorder: LoadRecorder, onInterval?: (thread: number, interval: ThreadInterval) => void): void;
  setTarget(total: number): void;
  arrive(index: number, dueEpochMs: number): void;
  flush(): void;
  end(): void;
  waitIdle(ms: number, signal?: AbortSignal): Promise<boolean>;
  stop(graceMs: number): Promise<boolean>;
  terminate(): Promise<void>;
  /** Why the figures are incomplete (a thread or an agent lost), or undefined. */
  failure(): string | undefined;
  /** Extra parts of the summary (load agents: their clocks and health). */
  summaryExtra?(): Pick<LoadSummary, 'agents'>;
}

/** What a pool may do to its run: end it at once, as failed, for `reason` (an agent lost). */
/** What every thread of a run starts from, wherever it runs: a worker thread here, or a load agent's thread. */
export function runInit(o: ThreadPoolOptions) {
  return {
    scenario: o.scenario.id,
    ...(o.scenarioModule ? { scenarioModule: o.scenarioModule } : {}),
    data: o.data,
    host: o.host,
    port: o.port,
    params: o.params,
    seed: o.seed,
    thinkTimeMs: o.thinkTimeMs,
    requestTimeoutMs: o.requestTimeoutMs,
    stopGraceMs: o.stopGraceMs,
    open: o.open,
    gapThresholdMs: o.gapThresholdMs,
  };
}

export interface PoolRun {
  abort(reason: string): void;
}

interface Slot {
  readonly worker: Worker;
  readonly thread: number;
  alive: boolean;
  done: boolean;
  idle: boolean;
  target: number;
  arrivals: [number, number][];
}

/** A share of `total` for thread `i` of `n`: how many of 0..total-1 are ≡ i (mod n). */
export const shareOf = (total: number, i: number, n: number) => (total > i ? Math.floor((total - 1 - i) / n) + 1 : 0);

export class ThreadPool implements SessionPool {
  readonly #slots: Slot[];
  /** The run's numbering of threads (see `ThreadPoolOptions.firstThread`). */
  readonly #first: number;
  readonly #all: number;
  /** Where the workers' intervals go; until attached (nothing runs yet) they are empty and dropped. */
  #recorder: LoadRecorder | undefined;
  #onInterval: ((thread: number, interval: ThreadInterval) => void) | undefined;
  readonly #log: Logger;
  readonly failures: string[] = [];
  readonly #changed = new Condition();

  private constructor(slots: Slot[], log: Logger, first: number, all: number) {
    this.#slots = slots;
    this.#log = log;
    this.#first = first;
    this.#all = all;
  }

  /** Where the workers' intervals go: merged into `recorder`, and each handed to `onInterval` too (`--out`). */
  attach(recorder: LoadRecorder | undefined, onInterval?: (thread: number, interval: ThreadInterval) => void): void {
    this.#recorder = recorder;
    this.#onInterval = onInterval;
  }

  #absorb(thread: number, interval: ThreadInterval): void {
    this.#recorder?.absorb(thread, interval);
    this.#onInterval?.(thread, interval);
  }

  /** Starts the workers and waits until every one has loaded its scenario (or one failed: then none runs). */
  static async start(o: ThreadPoolOptions): Promise<ThreadPool> {
    const slots: Slot[] = [];
    const logLevel = (o.log as { level?: string }).level ?? 'warn';
    const first = o.firstThread ?? 0;
    const all = o.allThreads ?? o.threads;
    for (let thread = first; thread < first + o.threads; thread++) {
      const init: WorkerInit = {
        ...runInit(o),
        // Shared out exactly (a thread may get 0 when the cap is below the thread count): the sum is the cap.
        maxSessions: shareOf(o.maxSessions, thread, all),
        thread,
        threads: all,
        logLevel,
      };
      // No young-generation cap here (./young-generation.ts): at 5,000 sessions a thread a 3 MiB nursery scavenges
      // so often that the 10,000-bot step on 2 threads went from p99 140 ms to 656 ms (BENCHMARKS.md, 5 Dec 2026).
      entry ??= threadEntry();
      const worker = new Worker(entry, { workerData: init });
      slots.push({ worker, thread, alive: true, done: false, idle: false, target: 0, arrivals: [] });
    }
    const pool = new ThreadPool(slots, o.log, first, all);
    const timeoutMs = o.startTimeoutMs ?? 60_000;
    try {
      await Promise.all(slots.map((slot) => pool.#ready(slot, timeoutMs)));
    } catch (error) {
      await pool.terminate();
      throw error;
    }
    for (const slot of slots) pool.#watch(slot);
    return pool;
  }

  #ready(slot: Slot, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`worker thread ${slot.thread} did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onMessage = (m: FromWorker) => {
        if (m.type === 'ready') finish();
        else if (m.type === 'init-failed') finish(new Error(`worker thread ${slot.thread}: ${m.message}`));
      };
      const onError = (e: Error) => finish(new Error(`worker thread ${slot.thread} failed to start: ${e.message}`));
      const onExit = (code: number) => finish(new Error(`worker thread ${slot.thread} exited (code ${code})`));
      const finish = (error?: Error) => {
        clearTimeout(timer);
        slot.worker.off('message', onMessage);
        slot.worker.off('error', onError);
        slot.worker.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      slot.worker.on('message', onMessage);
      slot.worker.on('error', onError);
      slot.worker.on('exit', onExit);
    });
  }

  #watch(slot: Slot): void {
    slot.worker.on('message', (m: FromWorker) => {
      if (m.type === 'interval') this.#absorb(slot.thread, m.interval);
      else if (m.type === 'idle') slot.idle = true;
      else if (m.type === 'done') {
        this.#absorb(slot.thread, m.interval);
        slot.done = true;
      }
      this.#changed.wake();
    });
    const lost = (why: string) => {
      if (!slot.alive) return;
      slot.alive = false;
      if (slot.done) return;
      this.failures.push(`worker thread ${slot.thread} ${why}`);
      this.#recorder?.error(THREAD_FAILED);
      this.#recorder?.threadLost(slot.thread);
      this.#log.error(`load generator worker thread ${slot.thread} ${why}; its sessions are lost`);
      this.#changed.wake();
    };
    slot.worker.on('error', (e) => lost(`failed: ${e.message}`));
    slot.worker.on('exit', (code) => lost(`exited (code ${code})`));
  }

  #send(slot: Slot, message: ToWorker): void {
    if (!slot.alive) return;
    try {
      slot.worker.postMessage(message);
    } catch (error) {
      this.#log.warn({ err: error, thread: slot.thread }, 'cannot reach a worker thread');
    }
  }

  get threads(): number {
    return this.#slots.length;
  }

  /** Closed model: `total` bots wanted now; each worker is told its share when it changes. */
  setTarget(total: number): void {
    for (const slot of this.#slots) {
      const share = shareOf(total, slot.thread, this.#all);
      if (share !== slot.target) {
        slot.target = share;
        this.#send(slot, { type: 'target', bots: share });
      }
    }
  }

  /** Open model: arrival `index`, due at `dueEpochMs`; sent on the next `flush` (one of this pool's threads). */
  arrive(index: number, dueEpochMs: number): void {
    this.#slots[(index % this.#all) - this.#first]?.arrivals.push([index, dueEpochMs]);
  }

  flush(): void {
    for (const slot of this.#slots) {
      if (slot.arrivals.length === 0) continue;
      this.#send(slot, { type: 'arrive', sessions: slot.arrivals });
      slot.arrivals = [];
    }
  }

  /** The duration is over: no session starts any more. */
  end(): void {
    for (const slot of this.#slots) this.#send(slot, { type: 'end' });
  }

  /** After `end`: waits until no worker runs a session (graceful stop), for at most `ms`. */
  waitIdle(ms: number, signal?: AbortSignal): Promise<boolean> {
    return this.#changed.until(() => this.#slots.every((s) => !s.alive || s.idle), ms, signal);
  }

  /**
   * Tells every worker to stop its sessions and waits for their last intervals (their own stop grace, plus a
   * margin for the message), then ends the threads. False when a worker had sessions that would not leave or
   * did not answer in time.
   */
  async stop(graceMs: number): Promise<boolean> {
    for (const slot of this.#slots) this.#send(slot, { type: 'stop' });
    const answered = await this.#changed.until(() => this.#slots.every((s) => !s.alive || s.done), graceMs + 5000);
    if (!answered) {
      for (const slot of this.#slots) {
        if (slot.alive && !slot.done) {
          this.#log.warn({ thread: slot.thread }, 'a worker thread did not report its end in time; abandoned');
          this.#recorder?.count('stuck_sessions', this.#recorder.activeIn(slot.thread));
        }
      }
    }
    await this.terminate();
    return answered;
  }

  failure(): string | undefined {
    return this.failures.length > 0
      ? `the load generator lost ${this.failures.length} of ${this.#slots.length} worker threads (${this.failures.join('; ')})`
      : undefined;
  }

  /** Ends every worker thread (bounded: terminate resolves once the thread has stopped). */
  async terminate(): Promise<void> {
    await Promise.all(
      this.#slots.map(async (slot) => {
        const wasAlive = slot.alive;
        // A thread ended here has not failed.
        slot.done = true;
        slot.alive = false;
        if (!wasAlive) return;
        await Promise.race([slot.worker.terminate(), new Promise((r) => setTimeout(r, 5000).unref())]);
      }),
    );
  }
}
