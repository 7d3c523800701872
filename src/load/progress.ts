/**
 * The main thread's side of the progress writer (src/load/progress-writer.ts): the thread that rebuilds
 * summary.json and timeseries.csv every second of a run with `--out`. Rebuilding them on the thread that reads
 * the bots' replies delayed the replies behind it (+5 ms on move_rtt's p99 at 5,000 bots); here that thread
 * only posts, once a second, its point and the second's samples its tick copied anyway, and the writer runs at
 * the lowest CPU priority so that its work waits for an idle core.
 *
 * Nothing is lost to a crash or Ctrl-C: the files are replaced atomically each second, so the last complete
 * second stays on disk, and at the end the main thread writes the final ones from its own recorder.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../core/log.ts';
import type { ThreadInterval, TimePoint } from './metrics.ts';
import type { FromProgress, ProgressInit, ToProgress } from './progress-protocol.ts';

const ENTRY = new URL('./progress-entry.js', import.meta.url);

export class ProgressWriter {
  readonly #worker: Worker;
  readonly #log: Logger;
  #alive = true;
  #ready = false;
  readonly #readyWaiters: (() => void)[] = [];
  #closed: Promise<void> | undefined;

  /**
   * Starts the thread; `begin` gives it the run once known. Started before the run prepares: loading the thread
   * takes a moment (more from the TypeScript sources), which then overlaps the preparation.
   */
  constructor(log: Logger) {
    this.#log = log;
    this.#worker = new Worker(ENTRY);
    // The run does not wait for this thread, and a lost writer only costs the per-second files.
    this.#worker.unref();
    this.#worker.on('message', (m: FromProgress) => {
      if (m.type === 'error') this.#log.error(m.message);
      else if (m.type === 'ready') {
        this.#ready = true;
        for (const w of this.#readyWaiters.splice(0)) w();
      }
    });
    const lost = (why: string) => {
      for (const w of this.#readyWaiters.splice(0)) w();
      if (!this.#alive) return;
      this.#alive = false;
      this.#log.warn(`the progress writer ${why}: summary.json and timeseries.csv are written at the end only`);
    };
    this.#worker.on('error', (e) => lost(`failed: ${e.message}`));
    this.#worker.on('exit', (code) => lost(`exited (code ${code})`));
  }

  #send(m: ToProgress): void {
    if (!this.#alive) return;
    try {
      this.#worker.postMessage(m);
    } catch (error) {
      this.#log.warn({ err: error }, 'cannot reach the progress writer');
    }
  }

  /**
   * Resolves once the thread has loaded (or is lost, or `timeoutMs` passed): the run starts after it, so that
   * loading the thread (a moment of CPU, more from the TypeScript sources) is not measured with the replies.
   */
  ready(timeoutMs = 60_000): Promise<void> {
    if (this.#ready || !this.#alive) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#readyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  begin(init: ProgressInit): void {
    this.#send({ type: 'begin', init });
  }

  /** A worker thread's interval, as the main thread received it (posted as is: a structured clone). */
  interval(thread: number, interval: ThreadInterval): void {
    this.#send({ type: 'interval', thread, interval });
  }

  /**
   * A second is over: the main thread's point for it and, with one thread, its samples (`tickHandingOver`).
   * Cloned, not transferred: serialising the used buckets takes tens of microseconds, while the first detached
   * ArrayBuffer in a thread turns off V8's fast paths for every typed array in it (its "array buffer detaching"
   * protector), which made each following tick's histogram work about twice as slow.
   */
  tick(point: TimePoint, interval?: ThreadInterval, server?: Readonly<Record<string, number>>): void {
    this.#send({ type: 'tick', point, ...(interval ? { interval } : {}), ...(server ? { server } : {}) });
  }

  /**
   * Waits (at most `timeoutMs`) for the write in progress, then ends the thread. A thread still loading has
   * written nothing, and the final files are the main thread's: it is ended at once.
   */
  close(timeoutMs = 5000): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#alive && this.#ready) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, timeoutMs);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          this.#worker.on('message', (m: FromProgress) => {
            if (m.type === 'closed') done();
          });
          this.#worker.once('exit', done);
          this.#send({ type: 'close' });
        });
      }
      this.#alive = false;
      await this.#worker.terminate();
    })();
    return this.#closed;
  }
}
