/**
 * One online seat: the game loop every protocol client shares. A game's online adapter (next to its protocol
 * client, `src/protocols/<protocol>/seat-adapter.ts`) turns the server's messages into the engine's observations
 * and actions into wire commands; the seat asks the strategy, sends its action through the adapter, and reports
 * the result and the timings. `botswarm play <game> --connect` and the game load scenarios are wrappers around it,
 * so a strategy meets one loop whether it plays in-process (`runMatch`) or over a socket.
 *
 * Two rules live here once for every game:
 * - act on the newest observation: observations that arrive while the bot decides or sends replace each other,
 *   and a decision overtaken by a newer observation is dropped, never sent late (a late bot catches up instead
 *   of answering stale rounds in order);
 * - every interval in which the bot waits for the server is reported (`gap`), from the request that hands the
 *   turn back to the server to the next turn, prompt or round addressed to this bot.
 */
import type { AnyEngine, GameResult } from '../core/engine.ts';
import type { Logger } from '../core/log.ts';
import type { Rng } from '../core/rng.ts';
import type { Budget, DecisionContext, Strategy } from '../core/strategy.ts';
import { thinkTimer } from './coarse-timer.ts';

/** Hooks a caller may give; an absent hook costs nothing (no clock read, no allocation). */
export interface SeatHooks<O = unknown, A = unknown> {
  /** The game began (its first turn reached this seat), at `now` (`performance.now()`). */
  firstEvent?(now: number): void;
  /** One interval in which the bot waited for the server: `start` (join to first turn), `year`, `round`, `prompt`. */
  gap?(kind: string, micros: number): void;
  /**
   * One decision: the observation the strategy was given and the action it returned (before any fallback).
   * Per-decision equivalence tests hash these, as `runMatch`'s `onDecision` does offline.
   */
  decision?(seat: number, observation: O, action: A): void;
  /**
   * After each decision, before its action is sent: the strategy's own time, and how late the send is against
   * the think-time schedule (0 without think time), both in µs.
   */
  decided?(decideMicros: number, lateMicros: number): void;
  /** The server refused something without ending the game (a refused move), by error kind and message. */
  refused?(kind: string, message: string): void;
}

/** What an adapter tells its seat. */
export interface SeatSink<O> {
  /** The game began: the first turn, round or prompt addressed to this seat has come. */
  started(): void;
  /** The wait for the server is over: a `kind` of turn addressed to this bot came (`year`, `round`, `prompt`). */
  served(kind: string): void;
  /** The bot now waits for the server again (the adapter sent something that hands the turn back). */
  waiting(): void;
  /** The server asks for a decision on `observation` (the engine's observation type). */
  observe(observation: O): void;
  /** A refusal that does not end the game (see `SeatHooks.refused`). */
  refused(kind: string, message: string): void;
  /** The game is over; `result` when this seat can tell it (null: the caller combines seats' views). */
  end(result: GameResult | null): void;
  /** The seat cannot go on: connection lost, game aborted by the server, unreadable turn. */
  fail(error: Error): void;
}

/** One game as a protocol session presents it to a seat (implemented per game, next to its protocol client). */
export interface OnlineGame<O, A> {
  /** Gives the adapter its seat; messages that came before are handed over now. */
  attach(sink: SeatSink<O>): void;
  /** This seat's number in the game and the config its strategy's forward model sees; asked before the first decision. */
  seat(): { readonly seat: number; readonly config: unknown };
  /**
   * Sends `action`, the answer to `observation`. Whatever it sends synchronously hands the turn back to the
   * server (the seat's wait starts when it returns); the promise, if any, settles once the answers are in.
   */
  act(observation: O, action: A): void | Promise<void>;
  /** The seat is done with this game: stop forwarding to it. */
  detach(): void;
}

export interface SeatOptions<O, A> {
  readonly game: OnlineGame<O, A>;
  readonly strategy: Strategy<O, A>;
  /** The decision context for this seat number and config (rng stream, budget, forward model, log). */
  context(seat: number, config: unknown): DecisionContext;
  readonly hooks?: SeatHooks<O, A>;
  /**
   * Think time before each decision, in ms (load tests); absent or 0: decide at once. The wait ends on the shared
   * think timer's 5 ms grid (src/game/coarse-timer.ts): up to one slot later than asked.
   */
  think?(): number;
  /** Stops the seat (the run ends): `done` rejects with `SeatStopped`. */
  readonly signal?: AbortSignal;
  /**
   * Fails the seat with `SeatTimeout` when one wait for the server lasts longer than this: `startMs` until the
   * game begins (the lobby wait), `turnMs()` after (asked each time, so it may follow the game's own deadline).
   */
  readonly patience?: { readonly startMs: number; turnMs(): number };
  /**
   * Told once the seat is over, a microtask later (as a handler of `done` would be): the error `done` rejects with,
   * or null and the outcome. For a caller that would otherwise hold `done` and its reaction for the whole game.
   */
  ended?(error: Error | null, outcome: SeatOutcome | null): void;
}

export interface SeatOutcome {
  /** The result as this seat saw it; null when only the caller can tell (Galax combines every seat's view). */
  readonly result: GameResult | null;
  readonly decisions: number;
  /** Observations replaced by a newer one before they were acted on, plus decisions overtaken while sent. */
  readonly skipped: number;
  /** Refusals that did not end the game (`kind message`). */
  readonly errors: readonly string[];
  /** The decision context, once a decision was made (for `onGameEnd` of a result the caller combines). */
  readonly context: DecisionContext | undefined;
}

/**
 * The decision context of a seat in `play --connect`, exactly as `runMatch` builds it offline: the bot's own
 * `bot/<seat>` stream of the game seed, the budget, the engine as forward model with the config the seat learned.
 */
export function matchContext(
  engine: AnyEngine,
  streams: { bot(seat: number): Rng },
  budget: Budget,
  log: Logger,
  botName: string,
): SeatOptions<unknown, unknown>['context'] {
  return (seat, config) => ({
    seat,
    rng: streams.bot(seat),
    budget,
    model: { engine, config },
    log: log.child({ bot: botName, seat }),
  });
}

/** One wait for the server lasted longer than the seat's patience; `phase` says which wait. */
export class SeatTimeout extends Error {
  override name = 'SeatTimeout';
  constructor(
    readonly phase: 'start' | 'turn',
    message: string,
  ) {
    super(message);
  }
}

/** The run ended (abort signal) while the seat was playing. */
export class SeatStopped extends Error {
  override name = 'SeatStopped';
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown })?.then === 'function';
}

/**
 * Plays one game on one seat. `done` resolves with the outcome when the adapter reports the end, and rejects with
 * the adapter's failure, or `SeatStopped` on the abort signal (`ended` is told the same). The strategy's
 * `onGameEnd` is called when the adapter gives a result.
 *
 * The seat is its adapter's `SeatSink` (`started`, `observe`, ... are for the adapter): one object per seat, where
 * a sink of its own was an object of eight closures, kept for the whole game (docs/performance.md, "Against Locust
 * at 5,000 bots: one object per session").
 */
export class OnlineSeat<O, A> implements SeatSink<O> {
  decisions = 0;
  skipped = 0;
  readonly errors: string[] = [];
  #options: SeatOptions<O, A>;
  #hooks: SeatHooks<O, A>;
  #ctx: DecisionContext | undefined;
  /** `done`, made when first asked for; its resolvers while it is pending. */
  #done: Promise<SeatOutcome> | undefined;
  #resolve: ((outcome: SeatOutcome) => void) | undefined;
  #reject: ((error: Error) => void) | undefined;
  /** How the seat ended, once it has. */
  #outcome: SeatOutcome | undefined;
  #error: Error | undefined;
  #over = false;
  /** A decision is being made or sent. */
  #busy = false;
  /** The newest observation not yet acted on. */
  #pending: O | undefined;
  #scheduled = false;
  /** Since when the bot waits for the server (performance.now()), or -1. */
  #waitingSince: number;
  #started = false;
  /** Waits are clocked: for the gap hook or the patience. */
  #clocked: boolean;
  #patienceTimer: NodeJS.Timeout | undefined;
  /** The observation the bot is thinking about (think time running). */
  #thinking: O | undefined;

  constructor(options: SeatOptions<O, A>) {
    this.#options = options;
    this.#hooks = options.hooks ?? {};
    this.#clocked = this.#hooks.gap !== undefined || options.patience !== undefined;
    this.#waitingSince = this.#clocked ? performance.now() : -1;
    if (options.patience) this.#patienceTimer = setTimeout(OnlineSeat.#checkPatience, options.patience.startMs, this);
    const { signal } = options;
    if (signal) {
      if (signal.aborted) this.fail(new SeatStopped('the run ended'));
      else {
        const onAbort = () => this.fail(new SeatStopped('the run ended'));
        signal.addEventListener('abort', onAbort, { once: true });
        this.done.then(
          () => signal.removeEventListener('abort', onAbort),
          () => signal.removeEventListener('abort', onAbort),
        );
      }
    }
    if (!this.#over) options.game.attach(this);
  }

  /** Settles with the outcome once the adapter reports the end; rejects with the failure (see the class). */
  get done(): Promise<SeatOutcome> {
    if (!this.#done) {
      if (this.#outcome) this.#done = Promise.resolve(this.#outcome);
      else if (this.#error) this.#done = Promise.reject(this.#error);
      else {
        this.#done = new Promise<SeatOutcome>((resolve, reject) => {
          this.#resolve = resolve;
          this.#reject = reject;
        });
      }
      this.#done.catch(() => {});
    }
    return this.#done;
  }

  #settle(error: Error | null, outcome: SeatOutcome | null): void {
    if (error) {
      this.#error = error;
      this.#reject?.(error);
    } else {
      this.#outcome = outcome!;
      this.#resolve?.(outcome!);
    }
    this.#resolve = undefined;
    this.#reject = undefined;
    const options = this.#options;
    if (options.ended) queueMicrotask(() => options.ended!(error, outcome));
  }

  /** The decision context, once the first decision was asked for. */
  get context(): DecisionContext | undefined {
    return this.#ctx;
  }

  /** Gives the seat up (a caller's timeout, another seat's failure). */
  fail(error: Error): void {
    if (this.#over) return;
    this.#over = true;
    if (this.#patienceTimer) clearTimeout(this.#patienceTimer);
    this.#options.game.detach();
    this.#settle(error, null);
  }

  /**
   * One lazy timer for every wait: a wait only stamps its start (`#waitingSince`); when the timer fires it fails
   * the seat if the current wait is overdue, or sleeps until it would be.
   */
  static #checkPatience(seat: OnlineSeat<unknown, unknown>): void {
    seat.#patienceTimer = undefined;
    const patience = seat.#options.patience;
    if (seat.#over || !patience) return;
    const limit = seat.#started ? patience.turnMs() : patience.startMs;
    const since = seat.#waitingSince;
    const left = since < 0 ? limit : since + limit - performance.now();
    if (left > 0) {
      seat.#patienceTimer = setTimeout(OnlineSeat.#checkPatience, left, seat);
      return;
    }
    seat.fail(
      seat.#started
        ? new SeatTimeout('turn', `no turn from the server within ${limit} ms`)
        : new SeatTimeout('start', `the game did not start within ${limit} ms`),
    );
  }

  // The adapter's sink.

  started(): void {
    if (this.#started) return;
    this.#started = true;
    if (this.#hooks.firstEvent) this.#hooks.firstEvent(performance.now());
    this.#served('start');
  }

  served(kind: string): void {
    this.#served(kind);
  }

  waiting(): void {
    if (this.#clocked) this.#waitingSince = performance.now();
  }

  observe(observation: O): void {
    if (this.#over) return;
    if (this.#pending !== undefined) this.skipped++;
    this.#pending = observation;
    // Decided once the current read is handled: observations that came in the same read as this one (a late
    // bot's backlog) replace it first, so the bot answers the newest.
    if (!this.#busy && !this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#next);
    }
  }

  refused(kind: string, message: string): void {
    this.errors.push(`${kind} ${message}`);
    this.#hooks.refused?.(kind, message);
  }

  end(result: GameResult | null): void {
    if (this.#over) return;
    this.#over = true;
    if (this.#patienceTimer) clearTimeout(this.#patienceTimer);
    this.#options.game.detach();
    if (result && this.#ctx) {
      // A strategy that throws here fails its seat, not the connection's read loop the end came from.
      try {
        this.#options.strategy.onGameEnd?.(result, this.#ctx);
      } catch (error) {
        this.#settle(error as Error, null);
        return;
      }
    }
    this.#settle(null, {
      result,
      decisions: this.decisions,
      skipped: this.skipped,
      errors: this.errors,
      context: this.#ctx,
    });
  }

  #served(kind: string): void {
    if (this.#waitingSince < 0) return;
    // Called on the hooks object: a caller's hooks may be methods of one object (a load session).
    const hooks = this.#hooks;
    if (hooks.gap) hooks.gap(kind, Math.round((performance.now() - this.#waitingSince) * 1000));
    this.#waitingSince = -1;
  }

  readonly #next = (): void => {
    this.#scheduled = false;
    if (this.#over || this.#busy) return;
    const observation = this.#pending;
    if (observation === undefined) return;
    this.#pending = undefined;
    this.#busy = true;
    const pause = this.#options.think?.() ?? 0;
    if (pause > 0) {
      this.#thinking = observation;
      thinkTimer.at(performance.now() + pause, this.#thought);
    } else this.#decide(observation, 0);
  };

  /** The think time is over (`intended`: when it was meant to be). Bound once: no closure per decision. */
  readonly #thought = (intended: number): void => {
    const observation = this.#thinking!;
    this.#thinking = undefined;
    this.#decide(observation, intended);
  };

  #decide(observation: O, intended: number): void {
    if (this.#over) return;
    // A newer observation came during the think time: decide on that one.
    if (this.#pending !== undefined) {
      this.skipped++;
      observation = this.#pending;
      this.#pending = undefined;
    }
    let ctx = this.#ctx;
    try {
      if (!ctx) {
        const { seat, config } = this.#options.game.seat();
        ctx = this.#ctx = this.#options.context(seat, config);
      }
      const t0 = this.#hooks.decided ? performance.now() : 0;
      const decided = this.#options.strategy.decide(observation, ctx);
      if (isThenable(decided)) {
        decided.then((action) => this.#send(observation, action, t0, intended), this.#whenFailed());
      } else this.#send(observation, decided, t0, intended);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  #send(observation: O, action: A, t0: number, intended: number): void {
    if (this.#over) return;
    this.decisions++;
    const hooks = this.#hooks;
    hooks.decision?.(this.#ctx!.seat, observation, action);
    if (hooks.decided) {
      const now = performance.now();
      hooks.decided(Math.round((now - t0) * 1000), intended > 0 ? Math.max(0, Math.round((now - intended) * 1000)) : 0);
    }
    // Overtaken while deciding (an asynchronous strategy): the server has moved on, answer the newest instead.
    if (this.#pending !== undefined) {
      this.skipped++;
      this.#busy = false;
      this.#next();
      return;
    }
    let sent: void | Promise<void>;
    try {
      sent = this.#options.game.act(observation, action);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    if (this.#clocked) this.#waitingSince = performance.now();
    if (sent) {
      this.#idleFn ??= () => this.#idle();
      sent.then(this.#idleFn, this.#whenFailed());
    } else this.#idle();
  }

  /**
   * The handlers of an asynchronous strategy's decision and of an action's completion, bound once when first needed
   * (no closure per decision on those paths, none kept by a seat whose game answers synchronously).
   */
  #idleFn: (() => void) | undefined;
  #failFn: ((error: unknown) => void) | undefined;

  #whenFailed(): (error: unknown) => void {
    this.#failFn ??= (error: unknown) => this.fail(error as Error);
    return this.#failFn;
  }

  #idle(): void {
    this.#busy = false;
    if (this.#pending !== undefined && !this.#scheduled) this.#next();
  }
}
