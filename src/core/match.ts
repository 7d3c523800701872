import type { GameEngine, GameResult, Seat, StepActions } from './engine.ts';
import { hashState } from './hash.ts';
import { type Logger, silentLogger } from './log.ts';
import { createRng } from './rng.ts';
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
}

export interface MatchOutcome<A, X, E> {
  readonly result: GameResult;
  readonly steps: number;
  readonly invalid: readonly InvalidAction<A>[];
  readonly actions?: LoggedStep<A, X>[];
  /** hashes[i] is the state after step i; hashes[0]... preceded by the initial state's hash at index 0. */
  readonly hashes?: string[];
  readonly events?: E[];
  readonly durationMs: number;
}

export const DEFAULT_BUDGET: Budget = { iterations: 1000 };

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown })?.then === 'function';
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
    bot: (seat: Seat) => root.fork(`bot/${seat}`),
  };
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
  const record = options.record ?? {};
  const maxSteps = options.maxSteps ?? 1_000_000;
  if (players.length < engine.minPlayers || players.length > engine.maxPlayers) {
    throw new RangeError(
      `${engine.id} takes ${engine.minPlayers} to ${engine.maxPlayers} players, got ${players.length}`,
    );
  }
  const streams = matchStreams(options.seed);
  let state = engine.setup(config, players.length, streams.map);
  const contexts: DecisionContext<S, A, O, C, X, E>[] = players.map((p, seat) => ({
    seat,
    rng: streams.bot(seat),
    budget,
    model: { engine, config },
    log: log.child({ bot: p.name, seat }),
  }));
  const invalid: InvalidAction<A>[] = [];
  const actions: LoggedStep<A, X>[] | undefined = record.actions ? [] : undefined;
  const hashes: string[] | undefined = record.hashes ? [hashState(state)] : undefined;
  const events: E[] | undefined = record.events ? [] : undefined;

  let steps = 0;
  for (;;) {
    const turn = engine.toAct(state);
    if (turn.kind === 'terminal') break;
    if (steps >= maxSteps) throw new Error(`${engine.id}: no result after ${maxSteps} steps`);
    let step: StepActions<A, X>;
    if (turn.kind === 'chance') {
      if (!engine.sampleChance) throw new Error(`${engine.id}: chance step without sampleChance`);
      const outcome = engine.sampleChance(state, streams.dice);
      step = { kind: 'chance', outcome };
      actions?.push(step);
    } else {
      const chosen = new Map<Seat, A>();
      for (const seat of turn.seats) {
        const ctx = contexts[seat]!;
        const observation = engine.observe(state, seat);
        const decided = players[seat]!.decide(observation, ctx);
        let action = isThenable(decided) ? await decided : decided;
        options.onDecision?.(seat, observation, action);
        const reason = engine.validate(state, seat, action);
        if (reason !== null) {
          invalid.push({ step: steps, seat, action, reason });
          ctx.log.warn({ step: steps, reason }, 'illegal action replaced by the default action');
          action = engine.defaultAction(state, seat);
        }
        chosen.set(seat, action);
      }
      step = { kind: 'players', actions: chosen };
      actions?.push({ kind: 'players', actions: [...chosen] });
    }
    state = engine.apply(state, step, events);
    steps++;
    hashes?.push(hashState(state));
  }
  const result = engine.result(state);
  if (!result) throw new Error(`${engine.id}: terminal state without a result`);
  for (const [seat, p] of players.entries()) p.onGameEnd?.(result, contexts[seat]!);
  return {
    result,
    steps,
    invalid,
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
    state = engine.apply(state, step, events);
    if (hashes) {
      const expected = hashes[i + 1];
      const actual = hashState(state);
      if (expected !== actual)
        return fail(i + 1, `step ${i + 1}: state hash ${actual} differs from recorded ${expected}`);
    }
  }
  const result = engine.result(state);
  if (!result) return { ...fail(log.length, 'action log ends before the game does'), finalState: state };
  return { ok: true, finalState: state, result, events };
}
