import type { GameEngine, Seat } from '../core/engine.ts';
import { createRng } from '../core/rng.ts';
import { silentLogger } from '../core/silent-logger.ts';
import type { DecisionContext, StrategyFactory } from '../core/strategy.ts';

// Heuristics used as candidate generators draw no random numbers; the context still needs a generator,
// which is never advanced.
const unusedRng = createRng('mcts/heuristic-choice');
const contexts = new WeakMap<object, DecisionContext[]>();

function contextFor<S, A, O, C extends object>(
  engine: GameEngine<S, A, O, C, unknown, unknown>,
  config: C,
  seat: Seat,
) {
  let bySeat = contexts.get(config);
  if (!bySeat) {
    bySeat = [];
    contexts.set(config, bySeat);
  }
  bySeat[seat] ??= {
    seat,
    rng: unusedRng,
    budget: { iterations: 1 },
    model: { engine, config } as DecisionContext['model'],
    log: silentLogger,
  };
  return bySeat[seat];
}

/**
 * What a deterministic, synchronous heuristic would play for `seat` in a simulated `state`: the usual way a
 * game turns its heuristic into MCTS candidate actions or an opponent model. A fresh strategy each time, so no
 * memory is carried between simulated states (or between bots in one process).
 */
export function heuristicChoice<S, A, O, C extends object>(
  engine: GameEngine<S, A, O, C, unknown, unknown>,
  factory: StrategyFactory<O, A>,
  params: Readonly<Record<string, string | number | boolean>>,
  state: S,
  seat: Seat,
  config: C,
): A {
  const decided = factory({ params }).decide(engine.observe(state, seat), contextFor(engine, config, seat));
  if (decided instanceof Promise) throw new Error('heuristicChoice needs a synchronous strategy');
  return decided;
}
