import type { GameEngine, GameResult, Seat, StepActions } from '../core/engine.ts';
import type { Rng } from '../core/rng.ts';
import type { MctsGame, MctsOptions, RolloutPolicy, SearchReport } from './types.ts';

/** One arm of one seat at one node: an action and what choosing it has earned that seat. */
interface Arm<A> {
  readonly action: A;
  readonly key: string;
  visits: number;
  total: number;
  /**
   * How often this arm was on offer when its seat chose at this node. Under determinisation the set of
   * candidates changes between iterations, so UCB's ln(n) uses this count, not the node's visits
   * (subset-armed bandit, as in information-set MCTS).
   */
  avail: number;
}

interface Edge<A, X> {
  readonly step: StepActions<A, X>;
  readonly node: TreeNode<A, X>;
}

/**
 * A node is reached by a sequence of steps from the root; it holds no state (each iteration re-simulates
 * from its own root sample, which is what lets one tree serve many determinisations). Every acting seat
 * keeps its own arms: decoupled UCT for simultaneous moves, plain UCT when one seat acts.
 */
class TreeNode<A, X> {
  visits = 0;
  readonly arms = new Map<Seat, Map<string, Arm<A>>>();
  readonly children = new Map<string, Edge<A, X>>();

  seatArms(seat: Seat): Map<string, Arm<A>> {
    let arms = this.arms.get(seat);
    if (!arms) {
      arms = new Map();
      this.arms.set(seat, arms);
    }
    return arms;
  }
}

/** Reward per seat in [0, 1] from a final result: the share of opponents beaten, a tie counting half. */
export function resultRewards(result: GameResult): number[] {
  const n = result.ranks.length;
  if (n <= 1) return [1];
  return result.ranks.map((rank, i) => {
    let score = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const other = result.ranks[j]!;
      if (other > rank) score += 1;
      else if (other === rank) score += 0.5;
    }
    return score / (n - 1);
  });
}

const defaultKey = (action: unknown): string => JSON.stringify(action) ?? 'undefined';

/** Uniformly random over the game's candidates: the rollout every game has. */
export function randomRollout<S, A, O, C, X, E>(game: MctsGame<S, A, O, C, X, E>, config: C): RolloutPolicy<S, A> {
  return {
    act(state, seat, rng) {
      return rng.pick(candidatesOf(game, state, seat, config));
    },
  };
}

function candidatesOf<S, A, O, C, X, E>(game: MctsGame<S, A, O, C, X, E>, state: S, seat: Seat, config: C) {
  const list = game.candidates
    ? game.candidates(state, seat, config)
    : (game.engine.legalActions?.(state, seat) ?? undefined);
  if (!list) throw new Error(`${game.engine.id}: MCTS needs candidates() or engine.legalActions()`);
  // An empty list would leave a seat without a move; the engine's default action is always legal.
  return list.length > 0 ? list : [game.engine.defaultAction(state, seat)];
}

export class MctsError extends Error {
  override name = 'MctsError';
}

/**
 * Monte-Carlo tree search over any `GameEngine`, through the engine interface only. One instance serves
 * one seat for one game (it keeps the previous tree for reuse).
 */
export class Mcts<S, A, O, C, X = unknown, E = unknown> {
  readonly #game: MctsGame<S, A, O, C, X, E>;
  readonly #engine: GameEngine<S, A, O, C, X, E>;
  readonly #options: MctsOptions;
  readonly #key: (action: A) => string;
  #previous: { root: TreeNode<A, X>; state: S } | null = null;
  /** What the last `search` did. */
  lastReport: SearchReport<A> | null = null;

  constructor(game: MctsGame<S, A, O, C, X, E>, options: MctsOptions) {
    this.#game = game;
    this.#engine = game.engine;
    this.#options = options;
    this.#key = game.actionKey ?? defaultKey;
    if (!game.rootState && !game.engine.determinize) {
      throw new MctsError(`${game.engine.id}: MCTS needs engine.determinize() or the game's rootState()`);
    }
    const rollout = options.rollout;
    if (rollout !== 'random' && !game.rollouts?.[rollout]) {
      const known = ['random', ...Object.keys(game.rollouts ?? {})];
      throw new MctsError(`${game.engine.id}: unknown rollout policy "${rollout}" (known: ${known.join(', ')})`);
    }
    if (!(options.iterations >= 1)) throw new MctsError(`iterations must be at least 1, got ${options.iterations}`);
    if (!(options.exploration >= 0)) throw new MctsError(`exploration must be >= 0, got ${options.exploration}`);
    if (!(options.depth >= 0)) throw new MctsError(`depth must be >= 0, got ${options.depth}`);
  }

  #rootState(observation: O, seat: Seat, config: C, rng: Rng): S {
    if (this.#game.rootState) return this.#game.rootState(observation, seat, config, rng);
    return this.#engine.determinize!(observation, seat, config, rng);
  }

  /**
   * Chooses `seat`'s action from `observation`. Deterministic for a given rng position and budget: every
   * random draw (determinisation, chance, tie-breaks, rollouts) comes from `rng`. A `timeMs` limit stops
   * early and makes the result depend on the machine.
   */
  search(observation: O, seat: Seat, config: C, rng: Rng, budget: { iterations: number; timeMs?: number }): A {
    const started = performance.now();
    const game = this.#game;
    const engine = this.#engine;
    const options = this.#options;
    const iterations = Math.max(1, Math.min(options.iterations, budget.iterations));
    const deadline = budget.timeMs !== undefined ? started + budget.timeMs : Number.POSITIVE_INFINITY;
    const perfect = game.perfectInformation === true;
    const limit = game.evaluate && options.depth > 0 ? options.depth : Number.POSITIVE_INFINITY;
    const maxSteps = options.maxRolloutSteps ?? 100_000;
    const c = options.exploration;
    const policy: RolloutPolicy<S, A> =
      options.rollout === 'random' ? randomRollout(game, config) : game.rollouts![options.rollout]!(config);

    // The root: one state for a perfect-information game (and the tree kept from last time if it still
    // leads here), a fresh determinisation per iteration otherwise.
    const fixedRoot = perfect ? this.#rootState(observation, seat, config, rng) : null;
    let root = new TreeNode<A, X>();
    let reusedVisits = 0;
    if (fixedRoot !== null && options.reuseTree && this.#previous) {
      const found = this.#findDescendant(this.#previous.root, this.#previous.state, fixedRoot);
      if (found) {
        root = found;
        reusedVisits = found.visits;
      }
    }
    this.#previous = null;

    let nodes = 0;
    let steps = 0;
    let done = 0;
    let firstRoot: S | null = fixedRoot;
    const path: { node: TreeNode<A, X>; picks: [Seat, Arm<A>][] }[] = [];

    const rootTurn = (state: S) => {
      const turn = engine.toAct(state);
      if (turn.kind !== 'players' || !turn.seats.includes(seat)) {
        throw new MctsError(`${engine.id}: asked to decide for seat ${seat}, which does not act now`);
      }
    };
    if (fixedRoot !== null) {
      rootTurn(fixedRoot);
      // Nothing to think about with one choice (after checking it is the seat's turn at all).
      const only = candidatesOf(game, fixedRoot, seat, config);
      if (only.length === 1) return this.#finish(only[0]!, started, 0, 0, 0, 0, []);
    }

    while (done < iterations) {
      if ((done & 15) === 0 && done > 0 && performance.now() >= deadline) break;
      let state = fixedRoot ?? this.#rootState(observation, seat, config, rng);
      if (firstRoot === null) {
        rootTurn(state);
        firstRoot = state;
      }
      let node = root;
      let depth = 0;
      let rewards: readonly number[] | null = null;
      path.length = 0;

      // Selection and expansion: walk down while the nodes exist, add one node, then roll out from it.
      for (;;) {
        const turn = engine.toAct(state);
        if (turn.kind === 'terminal') {
          rewards = resultRewards(engine.result(state)!);
          break;
        }
        if (depth >= limit) {
          rewards = game.evaluate!(state, config);
          break;
        }
        let step: StepActions<A, X>;
        let key: string;
        const picks: [Seat, Arm<A>][] = [];
        if (turn.kind === 'chance') {
          const outcome = engine.sampleChance!(state, rng);
          step = { kind: 'chance', outcome };
          key = `c${JSON.stringify(outcome)}`;
        } else {
          const actions = new Map<Seat, A>();
          key = '';
          for (const s of turn.seats) {
            let offered =
              s !== seat && game.opponentCandidates
                ? game.opponentCandidates(state, s, config)
                : candidatesOf(game, state, s, config);
            if (offered.length === 0) offered = [engine.defaultAction(state, s)];
            const arm = this.#select(node.seatArms(s), offered, c, rng);
            picks.push([s, arm]);
            actions.set(s, arm.action);
            key += `${s}:${arm.key}|`;
          }
          step = { kind: 'players', actions };
        }
        path.push({ node, picks });
        state = engine.apply(state, step);
        depth++;
        let edge = node.children.get(key);
        if (!edge) {
          edge = { step, node: new TreeNode<A, X>() };
          node.children.set(key, edge);
          nodes++;
          node = edge.node;
          break;
        }
        node = edge.node;
      }
      path.push({ node, picks: [] });

      if (rewards === null) {
        policy.reset?.();
        for (;;) {
          const turn = engine.toAct(state);
          if (turn.kind === 'terminal') {
            rewards = resultRewards(engine.result(state)!);
            break;
          }
          if (depth >= limit || depth >= maxSteps) {
            rewards = game.evaluate ? game.evaluate(state, config) : [];
            break;
          }
          if (turn.kind === 'chance') {
            state = engine.apply(state, { kind: 'chance', outcome: engine.sampleChance!(state, rng) });
          } else {
            const actions = new Map<Seat, A>();
            for (const s of turn.seats) {
              let action = policy.act(state, s, rng);
              if (engine.validate(state, s, action) !== null) action = engine.defaultAction(state, s);
              actions.set(s, action);
            }
            state = engine.apply(state, { kind: 'players', actions });
          }
          depth++;
        }
      }
      steps += depth;

      // Backpropagation: each seat's arm earns that seat's own reward (max^n for any number of players).
      for (const { node: n, picks } of path) {
        n.visits++;
        for (const [s, arm] of picks) {
          arm.visits++;
          arm.total += rewards[s] ?? 0.5;
        }
      }
      done++;
    }

    const arms = [...root.seatArms(seat).values()]
      .filter((a) => a.visits > 0)
      .sort((a, b) => b.visits - a.visits || b.total / b.visits - a.total / a.visits);
    let chosen: A | undefined;
    for (const arm of arms) {
      if (engine.validate(firstRoot!, seat, arm.action) === null) {
        chosen = arm.action;
        break;
      }
    }
    chosen ??= engine.defaultAction(firstRoot!, seat);
    if (fixedRoot !== null && options.reuseTree) this.#previous = { root, state: fixedRoot };
    return this.#finish(chosen, started, done, reusedVisits, nodes, steps, arms);
  }

  #finish(
    chosen: A,
    started: number,
    iterations: number,
    reusedVisits: number,
    nodes: number,
    steps: number,
    arms: readonly Arm<A>[],
  ): A {
    this.lastReport = {
      iterations,
      reusedVisits,
      nodes,
      steps,
      elapsedMs: performance.now() - started,
      arms: arms.map((a) => ({ action: a.action, key: a.key, visits: a.visits, mean: a.total / a.visits })),
      chosen,
    };
    return chosen;
  }

  /** UCB1 over the arms on offer now; an arm never tried goes first (a random one, so order is no bias). */
  #select(arms: Map<string, Arm<A>>, candidates: readonly A[], c: number, rng: Rng): Arm<A> {
    const offered: Arm<A>[] = [];
    const fresh: Arm<A>[] = [];
    for (const action of candidates) {
      const key = this.#key(action);
      let arm = arms.get(key);
      if (!arm) {
        arm = { action, key, visits: 0, total: 0, avail: 0 };
        arms.set(key, arm);
      }
      arm.avail++;
      offered.push(arm);
      if (arm.visits === 0) fresh.push(arm);
    }
    if (fresh.length > 0) return fresh.length === 1 ? fresh[0]! : rng.pick(fresh);
    let best = offered[0]!;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const arm of offered) {
      const score = arm.total / arm.visits + c * Math.sqrt(Math.log(arm.avail) / arm.visits);
      if (score > bestScore) {
        bestScore = score;
        best = arm;
      }
    }
    return best;
  }

  /**
   * Tree reuse: the node of the old tree whose line of play leads to `target`. The steps between two
   * decisions (own move, opponents' moves, chance) are not told to a strategy, so the old tree is searched
   * breadth-first, re-applying each edge's step, for a state equal to the new root (bounded in depth and
   * nodes). Only for perfect-information games, where equal observations mean equal states.
   */
  #findDescendant(from: TreeNode<A, X>, fromState: S, target: S): TreeNode<A, X> | null {
    const want = JSON.stringify(target);
    let frontier: [TreeNode<A, X>, S][] = [[from, fromState]];
    let examined = 0;
    for (let depth = 0; depth < 6 && frontier.length > 0; depth++) {
      const next: [TreeNode<A, X>, S][] = [];
      for (const [node, state] of frontier) {
        for (const edge of node.children.values()) {
          if (++examined > 20_000) return null;
          const child = this.#engine.apply(state, edge.step);
          if (JSON.stringify(child) === want) return edge.node;
          if (edge.node.children.size > 0) next.push([edge.node, child]);
        }
      }
      frontier = next;
    }
    return null;
  }
}
