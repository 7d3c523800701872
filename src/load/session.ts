import type { Logger } from '../core/log.ts';
import type { Rng } from '../core/rng.ts';
import type { LoadRecorder } from './metrics.ts';
import { sleep, stackless } from './scenario-kit.ts';
import type { LoadScenario, SessionContext } from './types.ts';
import { sessionsRunning } from './young-generation.ts';

/** Sessions running now on this thread (the young generation's sizing follows it: ./young-generation.ts). */
let running = 0;

/**
 * The reason every session's signal is aborted with when the run (or a ramp-down) stops it: one shared value.
 * `abort()` without a reason builds a DOMException, stack trace included, per controller: at the end of a run of
 * 5,000 bots that was 5,000 of them, 50 ms of the generator's CPU for a reason nothing reads (docs/performance.md,
 * "Against Locust at 5,000 bots: where the CPU went").
 */
export const SESSION_STOPPED: Error = stackless(() => new Error('the session was stopped'));

/** What every session of a run shares, in the main thread or in a generator thread alike. */
export interface SessionRun {
  readonly scenario: LoadScenario;
  readonly recorder: LoadRecorder;
  /** Session `index` draws from its fork `session/<index>`, so its stream is the same whatever thread runs it. */
  readonly rootRng: Rng;
  readonly log: Logger;
  readonly host: string;
  readonly port: number;
  readonly thinkTimeMs: number;
  readonly requestTimeoutMs: number;
  readonly params: SessionContext['params'];
  readonly shared: unknown;
}

/** Runs one bot session of the scenario to its end; resolves with whether it recorded an error. */
export async function runScenarioSession(
  run: SessionRun,
  index: number,
  signal: AbortSignal,
  scheduledAt: number,
): Promise<boolean> {
  const metrics = run.recorder.session();
  run.recorder.sessionStarted(metrics);
  sessionsRunning(++running);
  const context: SessionContext = {
    host: run.host,
    port: run.port,
    index,
    metrics,
    rng: run.rootRng.fork(`session/${index}`),
    log: run.log,
    signal,
    thinkTimeMs: run.thinkTimeMs,
    requestTimeoutMs: run.requestTimeoutMs,
    params: run.params,
    shared: run.shared,
    scheduledAt,
  };
  // Registered before the scenario's own abort listeners (which close its clients), so the requests in flight
  // are read while they are still pending.
  const onCutOff = () => metrics.cutOff();
  signal.addEventListener('abort', onCutOff, { once: true });
  try {
    await run.scenario.runSession(context);
  } catch (error) {
    // Scenarios record their errors; a throw is a bug in one, counted rather than fatal for the run.
    metrics.error('exception');
    run.log.warn({ err: error, session: index }, 'session threw');
  } finally {
    running--;
    signal.removeEventListener('abort', onCutOff);
    run.recorder.sessionEnded(metrics);
  }
  return metrics.errored;
}

/**
 * The closed model's bots: each runs sessions back to back (think time between them, a longer pause after a
 * failed one so a refusing server is not hammered); `setTarget` starts bots or aborts the newest ones.
 * The same in the single-threaded runner and in each generator thread.
 */
export class ClosedBots {
  readonly #bots: AbortController[] = [];

  constructor(
    private readonly options: {
      /** Runs the next session; resolves with whether it recorded an error. */
      readonly runSession: (signal: AbortSignal, scheduledAt: number) => Promise<boolean>;
      /** Tracks a bot's loop (the runner waits for these at the end). */
      readonly spawn: (loop: () => Promise<void>) => void;
      readonly thinkTimeMs: number;
      /** Aborted when the run ends: no bot starts another session. */
      readonly ending: AbortSignal;
    },
  ) {}

  setTarget(target: number): void {
    // Once the run is ending a new bot's loop ends at once and leaves the list within `spawn`: growing toward the
    // target then never got there.
    while (this.#bots.length < target && !this.options.ending.aborted) {
      const ac = new AbortController();
      this.#bots.push(ac);
      // The loop itself is the bot's promise: no async wrapper around it (a generator, a promise and a closure
      // context per bot, held for the whole run: docs/performance.md, "Against Locust at 5,000 bots").
      this.options.spawn(() => this.#loop(ac));
    }
    while (this.#bots.length > target) this.#bots.pop()!.abort(SESSION_STOPPED);
  }

  async #loop(ac: AbortController): Promise<void> {
    const { runSession, thinkTimeMs, ending } = this.options;
    const signal = ac.signal;
    try {
      while (!signal.aborted && !ending.aborted) {
        const errored = await runSession(signal, performance.now());
        if (signal.aborted) break;
        const pause = errored ? Math.max(thinkTimeMs, 250) : thinkTimeMs;
        if (pause > 0) await sleep(pause, signal);
        else await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      const i = this.#bots.indexOf(ac);
      if (i !== -1) this.#bots.splice(i, 1);
    }
  }
}
