/**
 * The `botswarm` package: what a bot writer and a tournament organiser import.
 *
 * - Strategy and engine types and helpers: {@link Strategy}, {@link StrategyFactory}, {@link BotDefinition},
 *   {@link DecisionContext}, {@link GameEngine}, seeded generators ({@link createRng}), {@link runMatch} to play
 *   one game in-process.
 * - Search: the game-independent MCTS ({@link createMctsStrategy}, {@link Mcts}).
 * - Bots by spec, as on the command line: {@link resolveBot} (`heuristic`, `./my-bot.ts`, `exec:python3 bot.py`).
 * - Tournaments: {@link loadTournament}, {@link runTournament}.
 *
 * Each game's observation, action and config types and its rule helpers are at `botswarm/<game>`
 * (`botswarm/galax`, `botswarm/orerush`, `botswarm/carcassonne`); load-test scenario authoring at
 * `botswarm/load`.
 *
 * @packageDocumentation
 */
export * from './ai/index.ts';
export { type ProcessBotOptions, processBotDefinition } from './bots/process-bot.ts';
export { BotSpecError, listBots, type ResolvedBot, resolveBot, resolveBots } from './bots/resolve.ts';
export * from './core/index.ts';
export { gameIds, loadEngine } from './games/registry.ts';
export {
  type BotStanding,
  type GameRecord,
  type LoadedTournament,
  loadTournament,
  type Progress,
  type RunOptions,
  readTournamentFile,
  runTournament,
  type Standings,
  type TournamentDefinition,
  type TournamentRun,
} from './tournament/index.ts';
