import {
  type MctsDefaults,
  type MctsGame,
  mctsBotDefinition,
  heuristicChoice as sharedHeuristicChoice,
  strategyRollout,
} from '../../src/ai/index.ts';
import type { Seat } from '../../src/core/engine.ts';
import { createRng } from '../../src/core/rng.ts';
import { silentLogger } from '../../src/core/silent-logger.ts';
import type { DecisionContext } from '../../src/core/strategy.ts';
import {
  type Command,
  determinize,
  distance,
  ORE_KINDS,
  type OreRushAction,
  type OreRushConfig,
  type OreRushObservation,
  type OreRushState,
  orerushEngine,
} from '../../src/games/orerush/index.ts';
import { createHeuristicStrategy } from './heuristic.ts';
import { createRandomStrategy } from './random.ts';

/**
 * Ore Rush for the generic search. A round is one command per robot (five robots, each with dozens of
 * moves), so the search chooses among a few whole-round candidates (see docs/mcts.md): the miner heuristic's
 * round, as it plays it (`cautious`: no robot digs next to a hole it did not dig, which may hide a trap) and
 * `bold` (enemy holes treated as safe, so a robot may dig ore next to them), each with its default radar
 * reserve and with a larger one. The search weighs the bold rounds' ore against the traps its determinisation
 * imagines under enemy holes (`TRAP_GUESS`). Trap requests and radar reserve 0 were candidates once: a trap
 * never caught the miner, and fetching no radar only looked good within the depth limit.
 * Opponents are modelled by the heuristic's cautious round.
 */

const CAUTIOUS = {} as const;
const VARIANTS = [
  { params: CAUTIOUS, bold: false },
  { params: CAUTIOUS, bold: true },
  { params: { radarReserve: 4 }, bold: false },
  { params: { radarReserve: 4 }, bold: true },
] as const;

/**
 * The chance, in the search's sampled worlds, that a hole an enemy dug hides an enemy trap (the engine's own
 * determinisation guesses 0.25). None of botswarm's non-search bots lays traps; a bold dig next to an enemy
 * hole still meets a trap in one world in twenty, so the search takes such ore only where it is worth the risk.
 */
export const TRAP_GUESS = 0.05;

/** Value of a unit of known ore in the evaluation, as a share of its points (it still has to be dug and carried). */
export const KNOWN_ORE_SHARE = 0.3;

function heuristicChoice(
  params: Record<string, number>,
  bold: boolean,
  state: OreRushState,
  seat: Seat,
  config: OreRushConfig,
): OreRushAction {
  if (!bold) return sharedHeuristicChoice(orerushEngine, createHeuristicStrategy, params, state, seat, config);
  // The bold miner sees every hole as its own: it avoids only its own traps.
  const obs = orerushEngine.observe(state, seat);
  const holes = obs.holes.map((h) => (h === 1 ? 2 : h));
  return createHeuristicStrategy({ params }).decide({ ...obs, holes }, boldContext(seat, config)) as OreRushAction;
}

const boldContexts = new WeakMap<object, DecisionContext[]>();
const unusedRng = createRng('orerush-mcts/bold');
function boldContext(seat: Seat, config: OreRushConfig): DecisionContext {
  let bySeat = boldContexts.get(config);
  if (!bySeat) {
    bySeat = [];
    boldContexts.set(config, bySeat);
  }
  bySeat[seat] ??= {
    seat,
    rng: unusedRng,
    budget: { iterations: 1 },
    model: { engine: orerushEngine, config } as DecisionContext['model'],
    log: silentLogger,
  };
  return bySeat[seat];
}

const commandKey = (c: Command): string => {
  switch (c.type) {
    case 'WAIT':
      return 'W';
    case 'MOVE':
      return `M${c.x},${c.y}`;
    case 'DIG':
      return `D${c.x},${c.y}`;
    case 'REQUEST':
      return c.item === 'radar' ? 'R' : 'T';
  }
};

export const actionKey = (action: OreRushAction): string => action.map(commandKey).join(' ');

/** The candidate rounds of `seat` (all valid, stable order, no duplicates, no randomness). */
export function orerushCandidates(state: OreRushState, seat: Seat, config: OreRushConfig): OreRushAction[] {
  const out: OreRushAction[] = [];
  const seen = new Set<string>();
  for (const v of VARIANTS) {
    const action = heuristicChoice(v.params, v.bold, state, seat, config);
    const key = actionKey(action);
    if (seen.has(key) || orerushEngine.validate(state, seat, action) !== null) continue;
    seen.add(key);
    out.push(action);
  }
  return out;
}

/** The heuristic's round: what the search assumes an opponent does. */
export function orerushOpponentCandidates(state: OreRushState, seat: Seat, config: OreRushConfig): OreRushAction[] {
  return [heuristicChoice(CAUTIOUS, false, state, seat, config)];
}

/**
 * Value at the depth limit, per seat in [0, 1]: points scored, plus the value of ore being carried home, plus
 * `KNOWN_ORE_SHARE` of the ore the seat knows of (under its radars, not yet dug), so a radar pays as soon as
 * it shows ore and not only once that ore is home (1 point added to every side so an empty start is even);
 * compared pairwise with every other player. Known ore counts only for the seats that have a radar on the
 * board, which in the search's worlds is the deciding seat: the others' radars are not known.
 */
export function orerushEvaluate(state: OreRushState): number[] {
  const n = state.players;
  const { width, radarRange, oreValues } = state.config;
  const worth = state.scores.map((s) => s + 1);
  for (const r of state.robots) {
    if (!r.alive || r.item === null || r.item === 'radar' || r.item === 'trap') continue;
    worth[r.owner]! += oreValues[ORE_KINDS.indexOf(r.item)] ?? 0;
  }
  for (let p = 0; p < n; p++) {
    const radars = state.radars.filter((d) => d.owner === p);
    if (radars.length === 0) continue;
    let known = 0;
    for (let i = 0; i < state.ore.length; i++) {
      const units = state.ore[i]!;
      if (units <= 0 || state.kinds[i]! < 0) continue;
      const x = i % width;
      const y = (i - x) / width;
      if (radars.some((d) => distance(d.x, d.y, x, y) <= radarRange))
        known += units * (oreValues[state.kinds[i]!] ?? 0);
    }
    worth[p]! += KNOWN_ORE_SHARE * known;
  }
  return worth.map((mine, i) => {
    if (n === 1) return 1;
    let sum = 0;
    for (let j = 0; j < n; j++) if (j !== i) sum += mine / (mine + worth[j]!);
    return sum / (n - 1);
  });
}

export const orerushMctsGame: MctsGame<OreRushState, OreRushAction, OreRushObservation, OreRushConfig> = {
  engine: orerushEngine as MctsGame<OreRushState, OreRushAction, OreRushObservation, OreRushConfig>['engine'],
  candidates: orerushCandidates,
  opponentCandidates: orerushOpponentCandidates,
  actionKey,
  evaluate: orerushEvaluate,
  // Ore outside radar vision, enemy robots out of sight and enemy traps are hidden: determinise per iteration.
  rootState: (observation, seat, config, rng) => determinize(observation, seat, config, rng, TRAP_GUESS),
  perfectInformation: false,
  rollouts: {
    heuristic: strategyRollout(orerushEngine, createHeuristicStrategy),
    'random-bot': strategyRollout(orerushEngine, createRandomStrategy),
  },
  defaultRollout: 'heuristic',
};

export const orerushMctsDefaults: MctsDefaults = {
  iterations: 24,
  depth: 4,
  rollout: 'heuristic',
  c: 0.5,
  reuse: true,
};

export const orerushMctsBot = mctsBotDefinition(
  orerushMctsGame,
  orerushMctsDefaults,
  'Monte-Carlo tree search (decoupled UCT, determinised) over heuristic-based round candidates, heuristic rollouts',
);
