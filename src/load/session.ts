import type { Logger } from '../core/log.ts';
import type { Rng } from '../core/rng.ts';
import type { LoadRecorder, SessionMetrics } from './metrics.ts';
import { stackless } from './scenario-kit.ts';
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

/**
 * One session's context as its scenario gets it, and the listener that reads its requests in flight when the run
 * cuts it off (`handleEvent`): one object, where an async function kept its frame, a context and a closure for the
 * whole session (docs/performance.md, "Against Locust at 5,000 bots: one object per session").
 */
class ScenarioSession implements SessionContext {
  readonly host: string;
  readonly port: number;
  readonly metrics: SessionMetrics;
  readonly rng: Rng;
  readonly log: Logger;
  readonly thinkTimeMs: number;
  readonly requestTimeoutMs: number;
  readonly params: SessionContext['params'];
  readonly shared: unknown;

  constructor(
    run: SessionRun,
    readonly index: number,
    readonly signal: AbortSignal,
    readonly scheduledAt: number,
  ) {
    this.host = run.host;
    this.port = run.port;
    this.metrics = run.recorder.session();
    this.rng = run.rootRng.fork(`session/${index}`);
    this.log = run.log;
    this.thinkTimeMs = run.thinkTimeMs;
    this.requestTimeoutMs = run.requestTimeoutMs;
    this.params = run.params;
    this.shared = run.shared;
  }

  /** The signal's abort: the requests in flight count now. */
  handleEvent(): void {
    this.metrics.cutOff();
  }
}

/** The end of a session (`runScenarioSession`); resolves with whether it recorded an error. */
function sessionEnded(run: SessionRun, session: ScenarioSession, error: unknown, threw: boolean): boolean {
  const { metrics } = session;
  if (threw) {
    // Scenarios record their errors; a throw is a bug in one, counted rather than fatal for the run.
    metrics.error('exception');
    run.log.warn({ err: error, session: session.index }, 'session threw');
  }
  running--;
  session.signal.removeEventListener('abort', session);
  run.recorder.sessionEnded(metrics);
  return metrics.errored;
}

/** Runs one bot session of the scenario to its end; resolves with whether it recorded an error. */
export function runScenarioSession(
  run: SessionRun,
  index: number,
  signal: AbortSignal,
  scheduledAt: number,
): Promise<boolean> {
  const session = new ScenarioSession(run, index, signal, scheduledAt);
  run.recorder.sessionStarted(session.metrics);
  sessionsRunning(++running);
  // Registered before the scenario's own abort listeners (which close its clients), so the requests in flight
  // are read while they are still pending.
  signal.addEventListener('abort', session, { once: true });
  let played: Promise<void>;
  try {
    played = Promise.resolve(run.scenario.runSession(session));
  } catch (error) {
    played = Promise.reject(error);
  }
  return played.then(
    () => sessionEnded(run, session, undefined, false),
    (error: unknown) => sessionEnded(run, session, error, true),
  );
}

/**
 * The closed model's bots: each runs sessions back to back (think time between them, a longer pause after a
 * failed one so a refusing server is not hammered); `setTarget` starts bots or aborts the newest ones.
 * The same in the single-threaded runner and in each generator thread.
 */
export class ClosedBots {
  readonly #bots: AbortController[] = [];

  constructor(
    readonly options: {
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
      // The loop is one object with methods, its promise the bot's: no async function (a generator, its frame and
      // an await's closures per bot, held for the whole run: docs/performance.md, "Against Locust at 5,000 bots").
      this.options.spawn(() => new Promise<void>((resolve, reject) => new ClosedBot(this, ac, resolve, reject).next()));
    }
    while (this.#bots.length > target) this.#bots.pop()!.abort(SESSION_STOPPED);
  }

  /** A bot's loop is over: it leaves the list. */
  leave(ac: AbortController): void {
    const i = this.#bots.indexOf(ac);
    if (i !== -1) this.#bots.splice(i, 1);
  }
}

/**
 * One bot of `ClosedBots`: runs sessions back to back while neither its signal nor the run's end is aborted,
 * with the pause after each (cut short by its signal).
 */
class ClosedBot {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly bots: ClosedBots,
    readonly ac: AbortController,
    readonly resolve: () => void,
    readonly reject: (error: unknown) => void,
  ) {}

  next(): void {
    const signal = this.ac.signal;
    if (signal.aborted || this.bots.options.ending.aborted) {
      this.bots.leave(this.ac);
      this.resolve();
      return;
    }
    this.bots.options.runSession(signal, performance.now()).then(
      (errored) => this.#after(errored),
      (error: unknown) => {
        this.bots.leave(this.ac);
        this.reject(error);
      },
    );
  }

  #after(errored: boolean): void {
    const signal = this.ac.signal;
    if (signal.aborted) {
      this.bots.leave(this.ac);
      this.resolve();
      return;
    }
    const { thinkTimeMs } = this.bots.options;
    const pause = errored ? Math.max(thinkTimeMs, 250) : thinkTimeMs;
    if (pause > 0) {
      // The pause, cut short by the signal (`handleEvent`), as `sleep` does.
      this.#timer = setTimeout(ClosedBot.#wake, pause, this);
      signal.addEventListener('abort', this, { once: true });
    } else setImmediate(ClosedBot.#wake, this);
  }

  /** The signal aborted during the pause. */
  handleEvent(): void {
    clearTimeout(this.#timer);
    ClosedBot.#wake(this);
  }

  static #wake(bot: ClosedBot): void {
    if (bot.#timer) {
      bot.#timer = undefined;
      bot.ac.signal.removeEventListener('abort', bot);
    }
    bot.next();
  }
}
