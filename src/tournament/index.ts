export {
  absoluteSpec,
  canonicalJson,
  type LoadedTournament,
  loadTournament,
  readTournamentFile,
  TournamentDefinitionError,
  type TournamentInput,
} from './definition.ts';
export { loadGameEngine } from './engine-loader.ts';
export { createProgressReporter, describeProgress, type ProgressReporter } from './progress.ts';
export { type BotStanding, computeStandings, type PairStanding, type Standings, wilson } from './ratings.ts';
export { formatStandingsCsv, formatStandingsMarkdown, formatStandingsText, writeStandings } from './report.ts';
export {
  DEFINITION_FILE,
  loadResults,
  RESULTS_FILE,
  ResultsError,
  readStoredTournament,
  type StoredTournament,
} from './results.ts';
export {
  type BatchExecutor,
  type Progress,
  type RunOptions,
  runTournament,
  type TournamentRun,
  TournamentStateError,
} from './runner.ts';
export {
  buildSchedule,
  combinations,
  cyclicOrders,
  defaultSwissRounds,
  pairSwiss,
  rotate,
  type Schedule,
} from './schedule.ts';
export { type JsonSchema, tournamentSchema, validateSchema } from './schema.ts';
export {
  FORMATS,
  type GameRecord,
  type ReplayPolicy,
  type ScheduledGame,
  type TournamentDefinition,
  type TournamentFormat,
} from './types.ts';
export { type BatchTask, playBatch } from './worker.ts';
