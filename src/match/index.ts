export { type GroupRun, type GroupRunEnd, groupGames, headToHead, playGroups } from './groups.ts';
export { createGamePool, type GamePool } from './pool.ts';
export {
  type MatchDefinition,
  type MatchOutcome,
  type MatchProgress,
  type MatchResult,
  type MatchRunOptions,
  matchGroupSeed,
  runSprtMatch,
} from './sprt-match.ts';
export {
  loadTuneState,
  runTuning,
  specWith,
  TUNE_STATE_FORMAT,
  type TuneDefinition,
  type TuneIteration,
  type TuneRun,
  type TuneRunOptions,
  type TuneState,
  TuneStateError,
  valuesOf,
} from './tuning.ts';
