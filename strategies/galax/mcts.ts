import {
  type MctsDefaults,
  type MctsGame,
  mctsBotDefinition,
  heuristicChoice as sharedHeuristicChoice,
  strategyRollout,
} from '../../src/ai/index.ts';
import type { Seat } from '../../src/core/engine.ts';
import {
  type GalaxAction,
  type GalaxConfig,
  type GalaxObservation,
  type GalaxState,
  galaxEngine,
  type Move,
  type Planet,
  TENTHS,
  travelTime,
} from '../../src/games/galax/index.ts';
import { createHeuristicStrategy } from './heuristic.ts';
import { createRandomStrategy } from './random.ts';

/**
 * Galax for the generic search. A move phase is any set of fleets of any size, far too many actions to
 * enumerate, so the search chooses among a few candidate move sets (the action abstraction, see
 * docs/mcts.md):
 * - the heuristic's own choice, under three settings (default, cautious, bold);
 * - doing nothing;
 * - from each own planet, half its ships or all but a reserve, to each of the `TARGETS` nearest planets it
 *   does not own and to the weakest planet within reach.
 * Opponents are modelled with a smaller set: the heuristic's choice or nothing.
 */

/** Nearest foreign planets per source planet in the candidate set. */
const TARGETS = 3;
/** "Within reach" for the weakest-target candidate: this many years of travel. */
const REACH = 5 * TENTHS;
/** Reserve = this share of the strongest enemy garrison that could reach the planet within REACH. */
const RESERVE_SHARE = 0.5;

/** Settings of the heuristic whose choices are candidates: default, cautious, bold. */
const HEURISTIC_VARIANTS = [{}, { margin: 0.5, reserve: 1.5 }, { margin: 0, reserve: 0.25 }] as const;

function heuristicChoice(params: Record<string, number>, state: GalaxState, seat: Seat, config: GalaxConfig) {
  return sharedHeuristicChoice(galaxEngine, createHeuristicStrategy, params, state, seat, config) as GalaxAction;
}

const NOTHING: GalaxAction = Object.freeze([]) as GalaxAction;

export const actionKey = (action: GalaxAction): string => {
  let key = '';
  for (const m of action) key += `${m.from}>${m.to}:${m.ships},`;
  return key;
};

/** The candidate move sets of `seat` (all valid, stable order, no duplicates, no randomness). */
export function galaxCandidates(state: GalaxState, seat: Seat, config: GalaxConfig): GalaxAction[] {
  const me = seat + 1;
  const out: GalaxAction[] = [];
  const seen = new Set<string>();
  const add = (action: GalaxAction) => {
    const key = actionKey(action);
    if (seen.has(key)) return;
    // The heuristic's moves are legal by construction; checking costs little and keeps a bad variant out.
    if (galaxEngine.validate(state, seat, action) !== null) return;
    seen.add(key);
    out.push(action);
  };
  for (const params of HEURISTIC_VARIANTS) add(heuristicChoice(params, state, seat, config));
  add(NOTHING);

  const planets = state.planets;
  for (const source of planets) {
    if (source.owner !== me || source.ships < 2) continue;
    let threat = 0;
    const foreign: { p: Planet; trip: number }[] = [];
    for (const p of planets) {
      if (p.owner === me) continue;
      const trip = travelTime(source, p);
      foreign.push({ p, trip });
      if (p.owner !== 0 && trip <= REACH) threat = Math.max(threat, p.ships);
    }
    foreign.sort((a, b) => a.trip - b.trip || a.p.id - b.p.id);
    const targets = foreign.slice(0, TARGETS).map((f) => f.p);
    let weakest: Planet | null = null;
    for (const f of foreign) if (f.trip <= REACH && (!weakest || f.p.ships < weakest.ships)) weakest = f.p;
    if (weakest && !targets.includes(weakest)) targets.push(weakest);
    const half = source.ships >> 1;
    const allButReserve = source.ships - Math.min(source.ships, Math.ceil(threat * RESERVE_SHARE));
    for (const target of targets) {
      for (const ships of half === allButReserve ? [half] : [half, allButReserve]) {
        if (ships >= 1) add([{ from: source.id, to: target.id, ships } satisfies Move]);
      }
    }
  }
  return out;
}

/** What the search assumes an opponent may do: the default heuristic's choice, or nothing. */
export function galaxOpponentCandidates(state: GalaxState, seat: Seat, config: GalaxConfig): GalaxAction[] {
  const h = heuristicChoice(HEURISTIC_VARIANTS[0], state, seat, config);
  return h.length === 0 ? [NOTHING] : [h, NOTHING];
}

/** Years of production a planet is worth in the evaluation. */
const HORIZON_YEARS = 5;

/**
 * Value of a state at the depth limit, per seat in [0, 1]: strength = ships (on planets and in flight) plus
 * HORIZON_YEARS of production, compared pairwise with every other player (s_i / (s_i + s_j), averaged), the
 * same shape as the reward of a finished game (share of opponents beaten).
 */
export function galaxEvaluate(state: GalaxState): number[] {
  const n = state.players;
  const strength = new Array<number>(n).fill(0);
  for (const p of state.planets) if (p.owner > 0) strength[p.owner - 1]! += p.ships + HORIZON_YEARS * p.production;
  for (const f of state.fleets) strength[f.owner - 1]! += f.ships;
  return strength.map((mine, i) => {
    if (n === 1) return 1;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const both = mine + strength[j]!;
      sum += both === 0 ? 0.5 : mine / both;
    }
    return sum / (n - 1);
  });
}

export const galaxMctsGame: MctsGame<GalaxState, GalaxAction, GalaxObservation, GalaxConfig, never, never> = {
  // The engine's event type is not needed by the search (it never asks for events).
  engine: galaxEngine as MctsGame<GalaxState, GalaxAction, GalaxObservation, GalaxConfig, never, never>['engine'],
  candidates: galaxCandidates,
  opponentCandidates: galaxOpponentCandidates,
  actionKey,
  evaluate: galaxEvaluate,
  // Other players' fleets in flight (and, with fog, their garrisons) are hidden: determinise per iteration.
  perfectInformation: false,
  rollouts: {
    heuristic: strategyRollout(galaxEngine, createHeuristicStrategy),
    'random-bot': strategyRollout(galaxEngine, createRandomStrategy),
  },
  defaultRollout: 'heuristic',
};

export const galaxMctsDefaults: MctsDefaults = {
  iterations: 100,
  depth: 10,
  rollout: 'heuristic',
  c: 0.5,
  reuse: true,
};

export const galaxMctsBot = mctsBotDefinition(
  galaxMctsGame,
  galaxMctsDefaults,
  'Monte-Carlo tree search (decoupled UCT, determinised) over candidate move sets, heuristic rollouts, ship+production evaluation',
);
