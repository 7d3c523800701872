import type { GameEngine, GameResult, Seat, StepActions } from './engine.ts';
import { hashState } from './hash.ts';
import type { Logger } from './log.ts';
import { createRng, type Rng } from './rng.ts';
import { silentLogger } from './silent-logger.ts';
import type { Budget, DecisionContext, Strategy } from './strategy.ts';

/** One step of the action log: what every acting seat did, or what chance decided. */
export type LoggedStep<A, X> =
  | { readonly kind: 'players'; readonly actions: ReadonlyArray<readonly [Seat, A]> }
  | { readonly kind: 'chance'; readonly outcome: X };

export interface InvalidAction<A> {
  readonly step: number;
  readonly seat: Seat;
  readonly action: A;
  readonly reason: string;
}

/** Why a seat forfeited: its strategy threw (or its process failed), ran past the limit, or kept playing illegally. */
export type ForfeitKind = 'error' | 'timeout' | 'illegal';

/**
 * A seat that stopped being asked: from `step` on the engine's default action plays for it (as for a player who
 * left an online game), so the game still ends and replays; the result then ranks it below every other seat.
 */
export interface Forfeit {
  readonly seat: Seat;
  readonly step: number;
  readonly kind: ForfeitKind;
  /** One line for people, e.g. `timeout: no action within 1050 ms`. */
  readonly reason: string;
}

export interface MatchOptions<S, A, O, C, X, E> {
  readonly engine: GameEngine<S, A, O, C, X, E>;
  readonly config: C;
  /** One strategy per seat. */
  readonly players: readonly Strategy<O, A>[];
  readonly seed: string | number;
  readonly budget?: Budget;
  readonly log?: Logger;
  /** What to keep beyond the result: the action log (for replays), a state hash per step, the events. */
  readonly record?: { readonly actions?: boolean; readonly hashes?: boolean; readonly events?: boolean };
  /** A guard against engines that never end; the default is generous for every built-in game. */
  readonly maxSteps?: number;
  /**
   * Every decision: the observation a seat was given and the action its strategy returned (before validation).
   * The online seat has the same hook, so per-decision equivalence tests compare the two.
   */
  readonly onDecision?: (seat: Seat, observation: O, action: A) => void;
  /**
   * Hard wall-clock limit per decision, in ms; a later answer forfeits the game. By default
   * {@link decisionLimitMs} of the budget: a generous 30 s, or the budget's `timeMs` plus as much again (at
   * least 1 s) of grace. An asynchronous decision (a process bot, a remote one) is cut at the limit; a
   * synchronous one can only be judged once it returns. A decision's time includes the engine's work on the
   * step before it (observing, validating and applying: microseconds), as one clock read per decision is cheaper.
   */
  readonly decisionLimitMs?: number;
  /** Illegal actions one seat may play in a game; the one after the last allowed forfeits. Default 10. */
  readonly maxIllegalActions?: number;
}

export interface MatchOutcome<A, X, E> {
  readonly result: GameResult;
  readonly steps: number;
  readonly invalid: readonly InvalidAction<A>[];
  /** Seats that forfeited, in the order they did; their result ranks are below every other seat's. */
  readonly forfeits: readonly Forfeit[];
  readonly actions?: LoggedStep<A, X>[];
  /** hashes[i] is the state after step i; hashes[0]... preceded by the initial state's hash at index 0. */
  readonly hashes?: string[];
  readonly events?: E[];
  readonly durationMs: number;
}

export const DEFAULT_BUDGET: Budget = { iterations: 1000 };

/** The hard limit per decision without a wall-clock budget: long enough for any bot that is not stuck. */
export const DEFAULT_DECISION_LIMIT_MS = 30_000;
export const DEFAULT_MAX_ILLEGAL_ACTIONS = 10;

/** The hard limit per decision for a budget: its `timeMs` plus as much again (at least 1 s), else 30 s. */
export function decisionLimitMs(budget: Budget): number {
  return budget.timeMs === undefined ? DEFAULT_DECISION_LIMIT_MS : budget.timeMs + Math.max(budget.timeMs, 1000);
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown })?.then === 'function';
}

/**
 * A decision that came too late. A strategy that enforces its own limit (a process bot kills its process)
 * rejects with it too, so that the forfeit is a timeout whichever timer fired first.
 */
export class DecisionTimeoutError extends Error {
  override name = 'DecisionTimeoutError';
  constructor(readonly limitMs: number) {
    super(`no action within ${limitMs} ms`);
  }
}

/** The decision's answer, or a {@link DecisionTimeoutError} once `limitMs` has passed without one. */
function answerWithin<A>(decided: Promise<A>, limitMs: number): Promise<A> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DecisionTimeoutError(limitMs)), limitMs);
  });
  return Promise.race([decided, expired]).finally(() => clearTimeout(timer));
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The engine's result with the forfeited seats ranked below every other one (tied among themselves); the
 * others keep their order. Scores stay as played.
 */
export function forfeitedResult(result: GameResult, forfeited: ReadonlySet<Seat>): GameResult {
  if (forfeited.size === 0) return result;
  const stayed = result.ranks.map((_, seat) => seat).filter((seat) => !forfeited.has(seat));
  const ranks = result.ranks.map((rank, seat) =>
    forfeited.has(seat) ? stayed.length + 1 : 1 + stayed.filter((other) => result.ranks[other]! < rank).length,
  );
  const first = ranks.flatMap((rank, seat) => (rank === 1 ? [seat] : []));
  return { scores: result.scores, ranks, winner: first.length === 1 ? first[0]! : null };
}

/**
 * Named sub-streams of a game seed. The same names are used by the local runner and by every protocol
 * client, so that a bot draws the same numbers offline and online.
 */
export function matchStreams(seed: string | number) {
  const root = createRng(seed);
  return {
    map: root.fork('map'),
    dice: root.fork('dice'),
    bot(seat: Seat) {
      return root.fork(`bot/${seat}`);
    },
  };
}

/**
 * The actions of a step where one seat acts (every step of a turn-based game): a read-only map of that one entry.
 * Cheaper than a `Map` (a few words instead of a hash table) at a step of a fast game, where it showed in profiles.
 * The engine gets a `ReadonlyMap` either way; steps with several seats get a real `Map`.
 */
class OneSeatActions<A> implements ReadonlyMap<Seat, A> {
  constructor(
    readonly seat: Seat,
    readonly action: A,
  ) {}
  get size(): number {
    return 1;
  }
  get(seat: Seat): A | undefined {
    return seat === this.seat ? this.action : undefined;
  }
  has(seat: Seat): boolean {
    return seat === this.seat;
  }
  forEach(callback: (value: A, key: Seat, map: ReadonlyMap<Seat, A>) => void, thisArg?: unknown): void {
    callback.call(thisArg, this.action, this.seat, this);
  }
  *entries(): MapIterator<[Seat, A]> {
    yield [this.seat, this.action];
  }
  *keys(): MapIterator<Seat> {
    yield this.seat;
  }
  *values(): MapIterator<A> {
    yield this.action;
  }
  [Symbol.iterator](): MapIterator<[Seat, A]> {
    return this.entries();
  }
}

/**
 * The decision loop of one game, as a synchronous object: `run` plays steps until the game ends or a strategy
 * answers with a promise, which it hands back; `settle` takes that answer once it arrived (or failed) and the
 * next `run` carries on with the same step. runMatch awaits between the two, so the loop itself holds no `await`:
 * a loop of an async function with an await inside (even one never reached) is compiled as a resumable state
 * machine, which cost random Catan games (about a microsecond a step) 4% of their rate (docs/performance.md).
 */
class MatchLoop<S, A, O, C, X, E> {
  state: S;
  steps = 0;
  readonly invalid: InvalidAction<A>[] = [];
  readonly forfeits: Forfeit[] = [];
  readonly forfeited = new Set<Seat>();
  readonly actions: LoggedStep<A, X>[] | undefined;
  readonly hashes: string[] | undefined;
  readonly events: E[] | undefined;
  readonly #illegalBySeat: number[];
  /**
   * One clock read per decision, not two: a decision's time runs from the previous read (the end of the previous
   * decision, or the start of play) to the end of its own, so it also counts the engine's work on the step in
   * between (validating, applying, observing: microseconds in every built-in game). A clock read costs tens to
   * hundreds of nanoseconds depending on the host, and a random Catan step about one microsecond in all. Work that
   * is not the engine's (hashing a recorded state, the onDecision hook, a warning for an illegal action) takes a
   * fresh read afterwards.
   */
  #mark = 0;
  // The players' step in progress: its acting seats, the next of them to decide, what the earlier ones chose
  // (a Map for several seats, `only` for one), and the seat whose answer is awaited with its observation.
  #acting: readonly Seat[] | null = null;
  #next = 0;
  #chosen: Map<Seat, A> | null = null;
  #only: A | undefined = undefined;
  #waitingObservation: O | undefined = undefined;

  constructor(
    readonly options: MatchOptions<S, A, O, C, X, E>,
    readonly contexts: readonly DecisionContext<S, A, O, C, X, E>[],
    readonly dice: Rng,
    state: S,
    readonly limitMs: number,
    readonly maxSteps: number,
    readonly maxIllegal: number,
  ) {
    const record = options.record ?? {};
    this.state = state;
    this.actions = record.actions ? [] : undefined;
    this.hashes = record.hashes ? [hashState(state)] : undefined;
    this.events = record.events ? [] : undefined;
    this.#illegalBySeat = options.players.map(() => 0);
    this.#mark = performance.now();
  }

  /** Plays until the game ends (null) or a strategy's answer is a promise (returned: settle it, then run again). */
  run(): Promise<A> | null {
    const engine = this.options.engine;
    const players = this.options.players;
    for (;;) {
      let acting = this.#acting;
      if (acting === null) {
        const turn = engine.toAct(this.state);
        if (turn.kind === 'terminal') return null;
        if (this.steps >= this.maxSteps) throw new Error(`${engine.id}: no result after ${this.maxSteps} steps`);
        if (turn.kind === 'chance') {
          if (!engine.sampleChance) throw new Error(`${engine.id}: chance step without sampleChance`);
          const outcome = engine.sampleChance(this.state, this.dice);
          const step: StepActions<A, X> = { kind: 'chance', outcome };
          this.actions?.push(step);
          this.#apply(step);
          continue;
        }
        acting = turn.seats;
        this.#acting = acting;
        this.#next = 0;
        // One acting seat (every step of a turn-based game) gets a one-entry map, several a real Map.
        this.#chosen = acting.length === 1 ? null : new Map<Seat, A>();
      }
      while (this.#next < acting.length) {
        const seat = acting[this.#next]!;
        if (this.forfeited.size > 0 && this.forfeited.has(seat)) {
          this.#take(seat, engine.defaultAction(this.state, seat));
          continue;
        }
        // Synchronous strategies stay free of awaits: only a returned promise is awaited (and cut at the limit).
        const observation = engine.observe(this.state, seat);
        let decided: A | Promise<A>;
        try {
          decided = players[seat]!.decide(observation, this.contexts[seat]!);
        } catch (error) {
          this.#failed(seat, error);
          continue;
        }
        if (isThenable(decided)) {
          this.#waitingObservation = observation;
          return decided;
        }
        this.#answered(seat, observation, decided);
      }
      const taken: ReadonlyMap<Seat, A> = this.#chosen ?? new OneSeatActions(acting[0]!, this.#only as A);
      this.#acting = null;
      this.#chosen = null;
      this.#only = undefined;
      this.actions?.push({ kind: 'players', actions: [...taken] });
      this.#apply({ kind: 'players', actions: taken });
    }
  }

  /** The awaited answer of the seat `run` stopped at, or why there is none (a rejection, the limit passed). */
  settle(answer: { readonly action: A } | { readonly error: unknown }): void {
    const seat = this.#acting![this.#next]!;
    const observation = this.#waitingObservation as O;
    this.#waitingObservation = undefined;
    if ('error' in answer) this.#failed(seat, answer.error);
    else this.#answered(seat, observation, answer.action);
  }

  #apply(step: StepActions<A, X>): void {
    this.state = this.options.engine.apply(this.state, step, this.events);
    this.steps++;
    if (this.hashes) {
      this.hashes.push(hashState(this.state));
      this.#mark = performance.now();
    }
  }

  #take(seat: Seat, action: A): void {
    if (this.#chosen) this.#chosen.set(seat, action);
    else this.#only = action;
    this.#next++;
  }

  /** The strategy threw, rejected or ran past the limit: it forfeits, and the default action plays for it. */
  #failed(seat: Seat, error: unknown): void {
    // By name: a strategy may carry its own copy of this module (a bot built against another install).
    if ((error as Error)?.name === 'DecisionTimeoutError')
      this.forfeit(seat, 'timeout', `timeout: ${messageOf(error)}`);
    else this.forfeit(seat, 'error', `error: ${messageOf(error)}`);
    this.#take(seat, this.options.engine.defaultAction(this.state, seat));
    this.#mark = performance.now();
  }

  /** A strategy's answer: timed, shown to onDecision, validated (an illegal one is replaced by the default). */
  #answered(seat: Seat, observation: O, answer: A): void {
    const answeredAt = performance.now();
    const took = answeredAt - this.#mark;
    this.#mark = answeredAt;
    if (took > this.limitMs) {
      this.forfeit(seat, 'timeout', `timeout: took ${Math.round(took)} ms, the limit is ${this.limitMs} ms`);
      this.#take(seat, this.options.engine.defaultAction(this.state, seat));
      this.#mark = performance.now();
      return;
    }
    const { engine, onDecision } = this.options;
    if (onDecision) {
      onDecision(seat, observation, answer);
      this.#mark = performance.now();
    }
    let reason: string | null;
    try {
      reason = engine.validate(this.state, seat, answer);
    } catch (error) {
      // A malformed action (wrong shape from a process bot, say) may break validation itself.
      reason = `malformed action: ${messageOf(error)}`;
    }
    if (reason === null) {
      this.#take(seat, answer);
      return;
    }
    const steps = this.steps;
    this.invalid.push({ step: steps, seat, action: answer, reason });
    this.#illegalBySeat[seat]!++;
    if (this.#illegalBySeat[seat]! > this.maxIllegal) {
      this.forfeit(seat, 'illegal', `illegal: more than ${this.maxIllegal} illegal actions (last: ${reason})`);
    } else {
      this.contexts[seat]!.log.warn({ step: steps, reason }, 'illegal action replaced by the default action');
    }
    this.#take(seat, engine.defaultAction(this.state, seat));
    this.#mark = performance.now();
  }

  forfeit(seat: Seat, kind: ForfeitKind, reason: string): void {
    this.forfeited.add(seat);
    this.forfeits.push({ seat, step: this.steps, kind, reason });
    this.contexts[seat]!.log.warn({ step: this.steps, kind, reason }, 'seat forfeits the game');
  }
}

/**
 * Plays one game in-process. Synchronous strategies run without a single await, so a game of sync bots
 * costs no microtask per decision; asynchronous ones are awaited.
 */
export async function runMatch<S, A, O, C, X, E>(
  options: MatchOptions<S, A, O, C, X, E>,
): Promise<MatchOutcome<A, X, E>> {
  const { engine, config, players } = options;
  const started = performance.now();
  const log = options.log ?? silentLogger;
  const budget = options.budget ?? DEFAULT_BUDGET;
  const maxSteps = options.maxSteps ?? 1_000_000;
  const limitMs = options.decisionLimitMs ?? decisionLimitMs(budget);
  const maxIllegal = options.maxIllegalActions ?? DEFAULT_MAX_ILLEGAL_ACTIONS;
  if (players.length < engine.minPlayers || players.length > engine.maxPlayers) {
    throw new RangeError(
      `${engine.id} takes ${engine.minPlayers} to ${engine.maxPlayers} players, got ${players.length}`,
    );
  }
  const streams = matchStreams(options.seed);
  const initial = engine.setup(config, players.length, streams.map);
  const contexts: DecisionContext<S, A, O, C, X, E>[] = players.map((p, seat) => ({
    seat,
    rng: streams.bot(seat),
    budget,
    model: { engine, config },
    log: log.child({ bot: p.name, seat }),
    decisionLimitMs: limitMs,
  }));
  const loop = new MatchLoop(options, contexts, streams.dice, initial, limitMs, maxSteps, maxIllegal);
  for (let pending = loop.run(); pending !== null; pending = loop.run()) {
    let answer: { readonly action: A } | { readonly error: unknown };
    try {
      answer = { action: await answerWithin(pending, limitMs) };
    } catch (error) {
      answer = { error };
    }
    loop.settle(answer);
  }
  const { state, forfeited, actions, hashes, events } = loop;
  const played = engine.result(state);
  if (!played) throw new Error(`${engine.id}: terminal state without a result`);
  const result = forfeitedResult(played, forfeited);
  for (const [seat, p] of players.entries()) {
    try {
      p.onGameEnd?.(result, contexts[seat]!);
    } catch (error) {
      // The game is over and its result stands; a strategy's farewell cannot change it.
      contexts[seat]!.log.warn({ error: messageOf(error) }, 'onGameEnd threw');
    }
  }
  return {
    result,
    steps: loop.steps,
    invalid: loop.invalid,
    forfeits: loop.forfeits,
    durationMs: performance.now() - started,
    ...(actions ? { actions } : {}),
    ...(hashes ? { hashes } : {}),
    ...(events ? { events } : {}),
  };
}

export interface ReplayCheck<S, E> {
  readonly ok: boolean;
  /** The first step whose state hash differs from the recorded one, if any. */
  readonly mismatchAt?: number;
  readonly message?: string;
  readonly finalState: S;
  readonly result: GameResult | null;
  readonly events: E[];
}

/**
 * Re-runs an action log from its seed, without any bot, and compares the state hash after every step.
 * Used by `botswarm replay` and by tests.
 */
export function replayActions<S, A, O, C, X, E>(
  engine: GameEngine<S, A, O, C, X, E>,
  config: C,
  players: number,
  seed: string | number,
  log: readonly LoggedStep<A, X>[],
  hashes?: readonly string[],
  /**
   * Called after each step that checked out (its index from 1, the state before, the step, that step's events and
   * the state after): `botswarm replay`'s account and the viewer's frames ride on this one loop.
   */
  onStep?: (index: number, before: S, step: StepActions<A, X>, events: readonly E[], after: S) => void,
): ReplayCheck<S, E> {
  const streams = matchStreams(seed);
  let state = engine.setup(config, players, streams.map);
  const events: E[] = [];
  const fail = (step: number, message: string): ReplayCheck<S, E> => ({
    ok: false,
    mismatchAt: step,
    message,
    finalState: state,
    result: null,
    events,
  });
  if (hashes && hashes[0] !== hashState(state)) return fail(0, 'initial state differs (seed, config or engine)');
  for (let i = 0; i < log.length; i++) {
    const entry = log[i]!;
    const turn = engine.toAct(state);
    if (turn.kind === 'terminal') return fail(i + 1, `game ended before step ${i + 1} of ${log.length}`);
    if (entry.kind !== turn.kind)
      return fail(i + 1, `step ${i + 1}: log has a ${entry.kind} step, game expects ${turn.kind}`);
    let step: StepActions<A, X>;
    if (entry.kind === 'chance') {
      step = { kind: 'chance', outcome: entry.outcome };
    } else {
      for (const [seat, action] of entry.actions) {
        const reason = engine.validate(state, seat, action);
        if (reason !== null) return fail(i + 1, `step ${i + 1}: seat ${seat} action is illegal: ${reason}`);
      }
      step = { kind: 'players', actions: new Map(entry.actions) };
    }
    const before = state;
    // Without a listener the events go straight into the game's list; with one, each step's are kept apart too.
    const stepEvents: E[] = onStep ? [] : events;
    state = engine.apply(state, step, stepEvents);
    if (onStep) for (const e of stepEvents) events.push(e);
    if (hashes) {
      const expected = hashes[i + 1];
      const actual = hashState(state);
      if (expected !== actual)
        return fail(i + 1, `step ${i + 1}: state hash ${actual} differs from recorded ${expected}`);
    }
    onStep?.(i + 1, before, step, stepEvents, state);
  }
  const result = engine.result(state);
  if (!result) return { ...fail(log.length, 'action log ends before the game does'), finalState: state };
  return { ok: true, finalState: state, result, events };
}
