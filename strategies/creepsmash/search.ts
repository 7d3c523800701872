import type { Seat } from '../../src/core/engine.ts';
import { silentLogger } from '../../src/core/log.ts';
import { createRng } from '../../src/core/rng.ts';
import type { DecisionContext, Strategy, StrategyFactory } from '../../src/core/strategy.ts';
import {
  CREEP_KINDS,
  CREEPS,
  type CreepSmashAction,
  type CreepSmashObservation,
  type CreepSmashState,
  creepsmashEngine,
} from '../../src/games/creepsmash/index.ts';
import { decisionTick, spendable } from './common.ts';
import { bestDefence, createHeuristicStrategy } from './heuristic.ts';

/**
 * A search over macro actions with the engine as forward model. It plays as the heuristic bot does, except every
 * `every` ticks, when it lists a few candidate commands — the heuristic's own choice, doing nothing, the best defence
 * purchase, and sending each of the `creeps` dearest creeps it can afford — and plays each `horizon` ticks ahead with
 * every seat (itself included, after the candidate) played by the heuristic bot. It picks the candidate whose future scores best: lives first, then income and worth. The
 * rollouts are deterministic (the heuristic's offsets are drawn from a stream seeded by the tick), so a decision is
 * reproducible from the observation alone, online and offline.
 *
 * Cost: up to 5 candidates × `horizon` engine ticks per search (a horizon of 1200 ticks lets a sent creep cross a board
 * and count).
 */
export interface SearchParams {
  readonly every: number;
  readonly horizon: number;
  readonly creeps: number;
}

const NOTHING: CreepSmashAction = Object.freeze([]) as CreepSmashAction;

export function candidates(
  state: CreepSmashState,
  seat: Seat,
  creeps: number,
  heuristic: CreepSmashAction,
): CreepSmashAction[] {
  const out: CreepSmashAction[] = [heuristic];
  if (heuristic.length > 0) out.push(NOTHING);
  const money = spendable(state, seat);
  const defence = bestDefence(state, seat, money);
  if (defence) out.push([defence]);
  const affordable = CREEP_KINDS.filter((k) => CREEPS[k].price <= money);
  for (const k of affordable.slice(-creeps).reverse()) out.push([{ kind: 'send', creep: k }]);
  // The heuristic's own choice may already be one of them.
  const seen = new Set<string>();
  return out.filter((a) => {
    const key = JSON.stringify(a);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The value of a future state for `seat`: lives dominate; income and worth break ties between safe futures. */
export function evaluate(state: CreepSmashState, seat: Seat): number {
  const worth = (s: number) => {
    let towers = 0;
    for (const t of state.towers) if (t.board === s) towers += t.paid;
    const p = state.seats[s]!;
    return p.credits + 0.75 * towers;
  };
  const score = (s: number) => {
    const p = state.seats[s]!;
    if (!p.alive) return -1e9 + p.diedAt;
    return p.lives * 1e6 + p.income * 20 + worth(s);
  };
  let best = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < state.players; s++) if (s !== seat) best = Math.max(best, score(s));
  return score(seat) - best;
}

function rollout(state: CreepSmashState, seat: Seat, first: CreepSmashAction, horizon: number): number {
  const engine = creepsmashEngine;
  const players: Strategy<CreepSmashObservation, CreepSmashAction>[] = [];
  const contexts: DecisionContext[] = [];
  for (let s = 0; s < state.players; s++) {
    players.push(createHeuristicStrategy({ params: {} }));
    contexts.push({
      seat: s,
      rng: createRng(`search/${state.tick}/${s}`),
      budget: { iterations: 1 },
      model: { engine, config: state.config },
      log: silentLogger,
    });
  }
  let s = state;
  const end = state.tick + horizon;
  let firstStep = true;
  while (s.phase !== 'over' && s.tick < end) {
    const actions = new Map<Seat, CreepSmashAction>();
    for (let p = 0; p < s.players; p++) {
      if (!s.seats[p]!.alive) continue;
      let action: CreepSmashAction;
      if (firstStep && p === seat) action = first;
      else action = players[p]!.decide(engine.observe(s, p), contexts[p]!) as CreepSmashAction;
      actions.set(p, engine.validate(s, p, action) === null ? action : NOTHING);
    }
    firstStep = false;
    s = engine.apply(s, { kind: 'players', actions });
  }
  return evaluate(s, seat);
}

export function searchDecision(
  state: CreepSmashState,
  seat: Seat,
  params: SearchParams,
  heuristic: CreepSmashAction,
): CreepSmashAction {
  const options = candidates(state, seat, params.creeps, heuristic);
  // Nothing to choose between (no credits for anything): no future needs playing.
  if (options.length === 1) return options[0]!;
  let best: CreepSmashAction = heuristic;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (const candidate of options) {
    const value = rollout(state, seat, candidate, params.horizon);
    if (value > bestValue) {
      best = candidate;
      bestValue = value;
    }
  }
  return best;
}

export const createSearchStrategy: StrategyFactory<CreepSmashObservation, CreepSmashAction> = (options) => {
  const params: SearchParams = {
    every: Math.max(1, Number(options.params.every ?? 200)),
    horizon: Math.max(1, Number(options.params.horizon ?? 1200)),
    creeps: Math.max(0, Number(options.params.creeps ?? 3)),
  };
  // Between searches (and as one candidate of each search) the bot plays as the heuristic does.
  const inner = createHeuristicStrategy({ params: {} });
  let offset = -1;
  return {
    name: 'creepsmash-search',
    decide(observation, ctx) {
      const { seat, state } = observation;
      const own = inner.decide(observation, ctx) as CreepSmashAction;
      if (state.phase === 'choose') return own;
      if (offset < 0) offset = ctx.rng.int(0, params.every - 1);
      if (!decisionTick(state, params.every, offset)) return own;
      return searchDecision(state, seat, params, own);
    },
  };
};
