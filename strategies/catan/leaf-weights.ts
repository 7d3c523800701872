/**
 * catan-mcts's leaf weights, one per feature of `leaf-value.ts`: written by `npx tsx strategies/catan/fit-leaf-value.ts 4000 1`
 * (158103 positions from 4000 won games; held-out log-loss 0.6799, accuracy 67.2%;
 * catan-heuristic's value through the same softmax, at its best scale 150: 0.7671, 64.1%).
 */
export const LEAF_WEIGHTS: readonly number[] = [
  0.1533, // points
  0.2984, // points²/10
  0.0929, // brick pips
  0.07817, // lumber pips
  0.08937, // wool pips
  0.115, // grain pips
  0.1371, // ore pips
  0.6492, // resource kinds produced
  -0.0129, // pips under the robber
  0.2349, // 3:1 harbour
  0.01643, // pips of resources with an own 2:1 harbour
  0.05232, // resource cards
  0.02254, // cards over the hand limit
  0.5186, // development cards held
  0.1862, // knights played
  -0.05293, // longest road (capped at 10)
  0.1821, // settlement sites reachable now (capped at 3)
  0.04968, // sites one road away (capped at 4)
  -0.2758, // cities
  0.8596, // city: 1/(1 + cards missing)
  0.003213, // settlement: 1/(1 + cards missing)
  0.4059, // development card: 1/(1 + cards missing)
  0.1775, // road: 1/(1 + cards missing)
  0.007858, // moves next
  -0.05258, // moves last
];
