import type { SettingsSchema } from '../game/settings.ts';
import type { GameEngine, Seat } from './engine.ts';
import type { Logger } from './log.ts';
import type { Rng } from './rng.ts';

/**
 * What a bot may spend on one decision. Tournaments give iteration budgets (deterministic); a wall-clock
 * limit is optional and makes a run non-deterministic.
 */
export interface Budget {
  readonly iterations: number;
  readonly timeMs?: number;
}

/** The engine as a search bot sees it: rules to simulate with, and determinisation from an observation. */
export interface ForwardModel<S, A, O, C, X = never, E = never> {
  readonly engine: GameEngine<S, A, O, C, X, E>;
  readonly config: C;
}

/** What every bot is given with an observation: its seat, its own stream, its budget, a logger. */
export interface BotContext {
  readonly seat: Seat;
  /** This bot's own stream (`bot/<seat>` below the game seed): the same in a tournament and over TCP. */
  readonly rng: Rng;
  readonly budget: Budget;
  readonly log: Logger;
  /**
   * The hard wall-clock limit of each decision in ms, where the host enforces one: an answer later than this
   * forfeits the game (a process bot tells its process, as `timeLeftMs`).
   */
  readonly decisionLimitMs?: number;
}

/** A game bot's context: a bot context plus the rules to simulate with. Service bots (chat, LEKT) have none. */
export interface DecisionContext<S = unknown, A = unknown, O = unknown, C = unknown, X = unknown, E = unknown>
  extends BotContext {
  readonly model: ForwardModel<S, A, O, C, X, E>;
}

/**
 * A bot's brain. It sees observations and returns actions; it never learns whether the game runs in-process
 * or over a socket, because the local runner and every protocol adapter produce the same observation type.
 * A strategy object lives for one game, so it may keep memory between decisions.
 */
export interface Strategy<O = unknown, A = unknown, Ctx extends BotContext = DecisionContext> {
  readonly name: string;
  decide(observation: O, context: Ctx): A | Promise<A>;
  /** Told once the game ends, with the final observation's result. */
  onGameEnd?(result: import('./engine.ts').GameResult, context: Ctx): void;
}

export interface StrategyOptions {
  /** Bot parameters, e.g. `{ iterations: 400 }` from `mcts:iterations=400`. */
  readonly params: Readonly<Record<string, string | number | boolean>>;
}

/** Makes a fresh strategy for one game. */
export type StrategyFactory<O = unknown, A = unknown, Ctx extends BotContext = DecisionContext> = (
  options: StrategyOptions,
) => Strategy<O, A, Ctx>;

/** A named, built-in or user-supplied bot. */
export interface BotDefinition<O = unknown, A = unknown, Ctx extends BotContext = DecisionContext> {
  /** Full name, `<game>-<short>`, e.g. `galax-heuristic`. */
  readonly name: string;
  readonly game: string;
  readonly description: string;
  /**
   * The parameters the bot accepts (`heuristic:reserve=1.2`): names, types, ranges, defaults and help, as a
   * settings schema (src/game/settings.ts). Absent: the bot takes none.
   */
  readonly params?: SettingsSchema;
  readonly create: StrategyFactory<O, A, Ctx>;
}
