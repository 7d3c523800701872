import type { GameEngine, Seat } from '../core/engine.ts';
import type { Rng } from '../core/rng.ts';

/**
 * What a rollout does at one step for one seat. A policy is built once per decision and `reset` before every
 * rollout, so a policy that wraps a strategy can give each rollout fresh per-game memory.
 */
export interface RolloutPolicy<S, A> {
  act(state: S, seat: Seat, rng: Rng): A;
  reset?(): void;
}

/** Builds a rollout policy for one decision under the game's `config`. */
export type RolloutPolicyFactory<S, A, C> = (config: C) => RolloutPolicy<S, A>;

/**
 * What a game adds to the generic search. Everything is optional except where the engine alone cannot
 * answer: a game whose `legalActions` is missing or too large supplies `candidates` (an action abstraction),
 * a game with long matches supplies `evaluate` so rollouts can stop at a depth limit.
 */
export interface MctsGame<S, A, O, C, X = unknown, E = unknown> {
  readonly engine: GameEngine<S, A, O, C, X, E>;
  /**
   * The actions the search considers for `seat` in `state`, in a stable order. Must be valid and must
   * depend on `state` only (no randomness), so that the same state always offers the same arms.
   * Default: `engine.legalActions`.
   */
  candidates?(state: S, seat: Seat, config: C): readonly A[];
  /**
   * The actions the search considers for a seat other than the searching one. A smaller set here (say, a
   * heuristic's move and doing nothing) is an opponent model: it spends the budget on the bot's own choices.
   * Default: `candidates`.
   */
  opponentCandidates?(state: S, seat: Seat, config: C): readonly A[];
  /** Identity of an action within one node, for statistics and tree reuse. Default: JSON text. */
  actionKey?(action: A): string;
  /** Value of a non-terminal state for every seat, each in [0, 1] (1 = sure win); used at the depth limit. */
  evaluate?(state: S, config: C): readonly number[];
  /**
   * The state a search starts from. Default: `engine.determinize(observation, seat, config, rng)`. Must use
   * nothing but the observation (and `rng` for what the observation hides).
   */
  rootState?(observation: O, seat: Seat, config: C, rng: Rng): S;
  /**
   * True when the observation determines the whole state (no hidden information): the root is then built
   * once per decision, not once per iteration, and the tree is reused between decisions.
   */
  readonly perfectInformation?: boolean;
  /** Named rollout policies (`random` is always available from `candidates`). */
  readonly rollouts?: Readonly<Record<string, RolloutPolicyFactory<S, A, C>>>;
  /** Rollout policy used when none is named. Default `random`. */
  readonly defaultRollout?: string;
}

export interface MctsOptions {
  /** Iterations per decision (also capped by the runner's `ctx.budget.iterations`). */
  readonly iterations: number;
  /**
   * Maximum steps simulated below the root per iteration (tree and rollout together); at the limit the
   * game's `evaluate` scores the state. 0 = play every rollout to the end (or to `maxRolloutSteps`).
   */
  readonly depth: number;
  /** UCB exploration constant C in mean + C·sqrt(ln(n)/n_a); rewards are in [0, 1]. */
  readonly exploration: number;
  /** Name of the rollout policy (one of the game's `rollouts`, or `random`). */
  readonly rollout: string;
  /** Reuse the subtree of the actual line of play between decisions (perfect-information games only). */
  readonly reuseTree: boolean;
  /** Guard for games without `evaluate` and depth 0. */
  readonly maxRolloutSteps?: number;
}

/** What the last search did, for tests, logs and benchmarks. */
export interface SearchReport<A> {
  readonly iterations: number;
  /** Visits the root already had from the previous decision's tree (0 when nothing was reused). */
  readonly reusedVisits: number;
  /** Tree nodes created by this search. */
  readonly nodes: number;
  /** Simulated steps (tree and rollout) over all iterations. */
  readonly steps: number;
  readonly elapsedMs: number;
  /** The deciding seat's root arms, most visited first. */
  readonly arms: readonly {
    readonly action: A;
    readonly key: string;
    readonly visits: number;
    readonly mean: number;
  }[];
  readonly chosen: A;
}
