import {
  type MctsDefaults,
  type MctsGame,
  mctsBotDefinition,
  heuristicChoice as sharedHeuristicChoice,
  strategyRollout,
} from '../../src/ai/index.ts';
import type { Seat } from '../../src/core/engine.ts';
import {
  type Command,
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
 * moves), so the search chooses among a few whole-round candidates (see docs/mcts.md):
 * - the miner heuristic's choice under three radar settings (reserve 2, 0 and 5 known ore per robot);
 * - for each robot at the headquarters with empty hands while the trap is ready, the heuristic's round with
 *   that robot requesting a trap instead (the miner never lays traps).
 * Variants where one robot waits or heads home were tried and dropped: they cost time and, with ore redrawn
 * outside radar vision at every iteration, mostly added noise.
 * Opponents are modelled by the heuristic's choice alone.
 */

const HEURISTIC_VARIANTS = [{}, { radarReserve: 0 }, { radarReserve: 5 }] as const;

function heuristicChoice(params: Record<string, number>, state: OreRushState, seat: Seat, config: OreRushConfig) {
  return sharedHeuristicChoice(orerushEngine, createHeuristicStrategy, params, state, seat, config) as OreRushAction;
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
  const add = (action: OreRushAction) => {
    const key = actionKey(action);
    if (seen.has(key) || orerushEngine.validate(state, seat, action) !== null) return;
    seen.add(key);
    out.push(action);
  };
  const base = heuristicChoice(HEURISTIC_VARIANTS[0], state, seat, config);
  add(base);
  for (let v = 1; v < HEURISTIC_VARIANTS.length; v++) add(heuristicChoice(HEURISTIC_VARIANTS[v]!, state, seat, config));
  const trapReady = state.cooldowns[seat]!.trap === 0;
  for (let id = 0; id < config.robots; id++) {
    const robot = state.robots[seat * config.robots + id]!;
    if (!robot.alive) continue;
    const variant = (command: Command) => add(base.map((c, i) => (i === id ? command : c)));
    if (robot.x === 0 && robot.item === null && trapReady) variant({ type: 'REQUEST', item: 'trap' });
  }
  return out;
}

/** The heuristic's round: what the search assumes an opponent does. */
export function orerushOpponentCandidates(state: OreRushState, seat: Seat, config: OreRushConfig): OreRushAction[] {
  return [heuristicChoice(HEURISTIC_VARIANTS[0], state, seat, config)];
}

/**
 * Value at the depth limit, per seat in [0, 1]: points scored plus the value of ore being carried home
 * (1 point added to every side so an empty start is even), compared pairwise with every other player.
 */
export function orerushEvaluate(state: OreRushState): number[] {
  const n = state.players;
  const worth = state.scores.map((s) => s + 1);
  for (const r of state.robots) {
    if (!r.alive || r.item === null || r.item === 'radar' || r.item === 'trap') continue;
    worth[r.owner]! += state.config.oreValues[ORE_KINDS.indexOf(r.item)] ?? 0;
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
  perfectInformation: false,
  rollouts: {
    heuristic: strategyRollout(orerushEngine, createHeuristicStrategy),
    'random-bot': strategyRollout(orerushEngine, createRandomStrategy),
  },
  defaultRollout: 'heuristic',
};

export const orerushMctsDefaults: MctsDefaults = {
  iterations: 60,
  depth: 8,
  rollout: 'heuristic',
  c: 0.5,
  reuse: true,
};

export const orerushMctsBot = mctsBotDefinition(
  orerushMctsGame,
  orerushMctsDefaults,
  'Monte-Carlo tree search (decoupled UCT, determinised) over heuristic-based round candidates, heuristic rollouts',
);
