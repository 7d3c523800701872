import { type MctsDefaults, type MctsGame, mctsBotDefinition, strategyRollout } from '../../src/ai/index.ts';
import type { Seat } from '../../src/core/engine.ts';
import {
  apply,
  type CarcassonneAction,
  type CarcassonneChance,
  type CarcassonneConfig,
  type CarcassonneEvent,
  type CarcassonneObservation,
  type CarcassonneState,
  carcassonneEngine,
  legalActions,
  pendingScores,
} from '../../src/games/carcassonne/index.ts';
import { createGreedyStrategy } from './greedy.ts';
import { createRandomStrategy } from './random.ts';

/**
 * Carcassonne for the generic search. A turn is a placement of the drawn tile times a follower choice: 10 to
 * 200 legal actions, too many arms for a few hundred iterations. The search considers a compact set instead
 * (see docs/mcts.md): the legal actions ranked by their one-ply value (score + pending end score + a bonus for
 * followers kept, relative to the best opponent, the value `carcassonne-greedy` maximises), the best
 * `CANDIDATES` of them plus the best action that keeps the follower in hand. Opponents are modelled by their
 * best `OPPONENT_CANDIDATES` actions.
 *
 * Nothing is hidden in Carcassonne but the order of the deck, and the engine's state holds the deck as counts
 * per kind: the observation is the whole state and every future draw is a chance step, which the search
 * samples from its own rng (weighted by the public counts). It never sees the real next draws.
 */

/** Own actions the search considers at a node (plus the best one without a follower). */
const CANDIDATES = 8;
/**
 * Actions an opponent is assumed to choose from: its best one-ply action, which is what `carcassonne-greedy`
 * plays, the best non-search bot. With 3 the search assumed the opponent's best reply among three (max^n), a
 * pessimism that left it about even with greedy (docs/mcts.md).
 */
const OPPONENT_CANDIDATES = 1;
/** Value of a follower in hand, up to `RESERVE_CAP` of them (as in carcassonne-greedy). */
const RESERVE = 1.5;
const RESERVE_CAP = 3;

/** A seat's worth now: score, what end scoring would add, and a bonus for followers in hand. */
function worth(state: CarcassonneState, pending: readonly number[]): number[] {
  const out: number[] = [];
  for (let p = 0; p < state.players; p++) {
    out.push(state.scores[p]! + pending[p]! + RESERVE * Math.min(state.followers[p]!, RESERVE_CAP));
  }
  return out;
}

/** Own worth minus the best opponent's worth after `action`. */
function onePlyValue(state: CarcassonneState, seat: Seat, action: CarcassonneAction): number {
  const after = apply(state, { kind: 'players', actions: new Map([[seat, action]]) });
  const w = worth(after, after.over ? new Array<number>(after.players).fill(0) : pendingScores(after));
  let best = Number.NEGATIVE_INFINITY;
  for (let p = 0; p < w.length; p++) if (p !== seat && w[p]! > best) best = w[p]!;
  return w[seat]! - best;
}

/** A total order on actions, for ties: the engine lists placements in the order its frontier grew, which
 * differs between a state played move by move and the same state rebuilt from JSON. */
function compareActions(a: CarcassonneAction, b: CarcassonneAction): number {
  return a.x - b.x || a.y - b.y || a.rot - b.rot || (a.meeple ?? -1) - (b.meeple ?? -1);
}

/**
 * The legal actions ranked by one-ply value, best first (ties in a fixed order of position, rotation and
 * follower). The search re-simulates every iteration from its root, so the same position comes back as a new
 * state object: rankings are cached per position. A position below the root is identified by the
 * second-to-last tile object, which every state descended from the one that placed it shares (the tile list
 * is only ever copied and appended to), plus what can differ after it: the last tile, the followers on it,
 * scores, followers in hand, the draws since (discards, the tile in hand) and the seat to move.
 */
const ranked = new WeakMap<object, Map<string, CarcassonneAction[]>>();

function positionKey(state: CarcassonneState): [object, string] {
  const n = state.tiles.length;
  const last = state.tiles[n - 1]!;
  // With the start tile alone the settings (farms, followers) are all that set positions apart.
  const anchor = n >= 2 ? state.tiles[n - 2]! : state.config;
  const owners = state.owner.slice(last.seg0).join(',');
  return [
    anchor,
    `${n}|${last.x},${last.y},${last.kind},${last.rot}|${owners}|${state.scores.join(',')}|${state.followers.join(',')}|${state.discarded.join(',')}|${state.deckLeft}|${state.drawn}|${state.current}`,
  ];
}

export function rankedActions(state: CarcassonneState, seat: Seat): CarcassonneAction[] {
  if (seat !== state.current) return [];
  const [anchor, key] = positionKey(state);
  let cache = ranked.get(anchor);
  if (!cache) {
    cache = new Map();
    ranked.set(anchor, cache);
  }
  let list = cache.get(key);
  if (!list) {
    const scored = legalActions(state, seat).map((action) => ({ action, v: onePlyValue(state, seat, action) }));
    scored.sort((a, b) => b.v - a.v || compareActions(a.action, b.action));
    list = scored.map((s) => s.action);
    cache.set(key, list);
  }
  return list;
}

export const actionKey = (a: CarcassonneAction): string => `${a.x},${a.y},${a.rot},${a.meeple ?? '-'}`;

/** The search's arms for the seat to move: the best `CANDIDATES` actions and the best without a follower. */
export function carcassonneCandidates(state: CarcassonneState, seat: Seat): CarcassonneAction[] {
  const all = rankedActions(state, seat);
  const out = all.slice(0, CANDIDATES);
  if (!out.some((a) => a.meeple === null)) {
    const keep = all.find((a) => a.meeple === null);
    if (keep) out.push(keep);
  }
  return out;
}

/** What the search assumes an opponent plays: its best `OPPONENT_CANDIDATES` one-ply actions. */
export function carcassonneOpponentCandidates(state: CarcassonneState, seat: Seat): CarcassonneAction[] {
  return rankedActions(state, seat).slice(0, OPPONENT_CANDIDATES);
}

/**
 * Value of a state at the depth limit, per seat in [0, 1]: worth (score + pending end score + followers in
 * hand) compared with every opponent through a logistic of the difference, whose scale shrinks as the deck
 * runs out (a 10-point lead early is less sure than at the end).
 */
export function carcassonneEvaluate(state: CarcassonneState): number[] {
  const w = worth(state, pendingScores(state));
  const scale = 4 + state.deckLeft / 8;
  const n = state.players;
  return w.map((mine, i) => {
    if (n === 1) return 1;
    let sum = 0;
    for (let j = 0; j < n; j++) if (j !== i) sum += 1 / (1 + Math.exp((w[j]! - mine) / scale));
    return sum / (n - 1);
  });
}

type Game = MctsGame<
  CarcassonneState,
  CarcassonneAction,
  CarcassonneObservation,
  CarcassonneConfig,
  CarcassonneChance,
  CarcassonneEvent
>;

export const carcassonneMctsGame: Game = {
  engine: carcassonneEngine,
  candidates: (state, seat) => carcassonneCandidates(state, seat),
  opponentCandidates: (state, seat) => carcassonneOpponentCandidates(state, seat),
  actionKey,
  evaluate: (state) => carcassonneEvaluate(state),
  // The observation is the state (the deck is public counts, draws are chance steps the search samples).
  rootState: (observation) => observation,
  perfectInformation: true,
  rollouts: {
    'random-bot': strategyRollout(carcassonneEngine, createRandomStrategy),
    greedy: strategyRollout(carcassonneEngine, createGreedyStrategy),
    // The opponent model as a rollout: the best one-ply action (greedy's choice), from the cached ranking.
    model: () => ({
      act: (state, seat) => rankedActions(state, seat)[0] ?? carcassonneEngine.defaultAction(state, seat),
    }),
  },
  defaultRollout: 'random-bot',
};

export const carcassonneMctsDefaults: MctsDefaults = {
  // 400: with the per-position ranking cache an iteration costs half what it did, and the SPRT accepted H1 at 400
  // (docs/mcts.md); at 200 the 200-game ladder's lower Wilson bound stayed under 50%.
  iterations: 400,
  // Two turns (own move, the opponent's tile and reply, own next tile), then `evaluate`. `rollout=model:depth=3`,
  // the opponent's modelled reply in the rollout too, scored 50.7% against greedy in the first 74 ladder games
  // and 55.9% in a 34-game SPRT: no better than these defaults (docs/mcts.md).
  depth: 4,
  rollout: 'random-bot',
  c: 0.1,
  // Finding the new root in the old tree compares whole states as JSON, through chance nodes of up to 24
  // outcomes: it costs more than the visits it saves.
  reuse: false,
};

export const carcassonneMctsBot = mctsBotDefinition(
  carcassonneMctsGame,
  carcassonneMctsDefaults,
  'Monte-Carlo tree search (UCT with sampled tile draws) over the best one-ply actions, random-bot rollouts, score+pending evaluation',
);
