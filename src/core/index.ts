export {
  type AnyEngine,
  boolField,
  ConfigError,
  checkKnownFields,
  type GameEngine,
  type GameResult,
  intField,
  type Seat,
  type StepActions,
  type ToAct,
} from './engine.ts';
export { hashState } from './hash.ts';
export { createLogger, type Logger, silentLogger } from './log.ts';
export {
  DEFAULT_BUDGET,
  DEFAULT_DECISION_LIMIT_MS,
  DEFAULT_MAX_ILLEGAL_ACTIONS,
  DecisionTimeoutError,
  decisionLimitMs,
  type Forfeit,
  type ForfeitKind,
  forfeitedResult,
  type InvalidAction,
  type LoggedStep,
  type MatchOptions,
  type MatchOutcome,
  matchStreams,
  type ReplayCheck,
  replayActions,
  runMatch,
} from './match.ts';
export { createRng, deriveSeed, type Rng, type RngState } from './rng.ts';
export type {
  BotDefinition,
  Budget,
  DecisionContext,
  ForwardModel,
  Strategy,
  StrategyFactory,
  StrategyOptions,
} from './strategy.ts';
