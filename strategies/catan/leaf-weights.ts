/**
 * catan-mcts's leaf weights, one per feature of `leaf-value.ts`: written by `npx tsx strategies/catan/fit-leaf-value.ts 4000 1`
 * (146863 positions from 4000 won games; held-out log-loss 0.7103, accuracy 65.6%;
 * catan-heuristic's value through the same softmax, at its best scale 150: 0.8009, 62.6%).
 */
export const LEAF_WEIGHTS: readonly number[] = [
  0.1529, // points
  0.2886, // points²/10
  0.09225, // brick pips
  0.0808, // lumber pips
  0.09088, // wool pips
  0.1182, // grain pips
  0.1457, // ore pips
  0.6182, // resource kinds produced
  -0.01499, // pips under the robber
  0.2242, // 3:1 harbour
  0.02064, // pips of resources with an own 2:1 harbour
  0.05471, // resource cards
  0.01069, // cards over the hand limit
  0.5036, // development cards held
  0.1861, // knights played
  -0.051, // longest road (capped at 10)
  0.1905, // settlement sites reachable now (capped at 3)
  0.0453, // sites one road away (capped at 4)
  -0.2975, // cities
  0.8929, // city: 1/(1 + cards missing)
  -0.05502, // settlement: 1/(1 + cards missing)
  0.3854, // development card: 1/(1 + cards missing)
  0.1574, // road: 1/(1 + cards missing)
  -0.03438, // moves next
  -0.06773, // moves last
];
