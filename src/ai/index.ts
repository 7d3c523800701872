/**
 * Game-independent search bots. A game gets an MCTS bot by describing itself as an `MctsGame` (candidate
 * actions, an evaluation, rollout policies) and calling `mctsBotDefinition`; nothing here knows any game.
 */
export {
  createMctsStrategy,
  type MctsDefaults,
  type MctsStrategy,
  mctsBotDefinition,
  mctsOptionsFromParams,
  strategyRollout,
} from './bot.ts';
export { heuristicChoice } from './heuristic-choice.ts';
export { Mcts, MctsError, randomRollout, resultRewards } from './mcts.ts';
export type { MctsGame, MctsOptions, RolloutPolicy, RolloutPolicyFactory, SearchReport } from './types.ts';
