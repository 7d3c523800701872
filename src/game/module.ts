/**
 * One descriptor per game, and one per service: everything botswarm needs to know about it, behind lazy
 * loaders so that a command imports only what the game it runs needs. The registry (registry.ts) lists them,
 * one line each; `serve`, `play`, `bots`, `tournament`, `replay`, `loadtest` and `--help` read nothing else.
 * docs/adding-a-game.md says how to write one.
 */
import type { AnyEngine, GameEngine } from '../core/engine.ts';
import type { BotContext, BotDefinition, DecisionContext } from '../core/strategy.ts';
import type { LoadScenario } from '../load/types.ts';
import type { ClientProtocol, ServerProtocol } from '../protocols/registry.ts';
import type { SettingsSchema } from './settings.ts';

export type Loader<T> = () => Promise<T>;

/** A load scenario, loaded when it is asked for; `Shared` is the scenario's own business. */
// biome-ignore lint/suspicious/noExplicitAny: each scenario shares its own state between its sessions.
export type AnyLoadScenario = LoadScenario<any>;

/**
 * Where a game is hosted: its own server (`load`), or the server of the service module `protocol` with the
 * settings that pick the game (Carcassonne: `se1` with `game=carcassonne`).
 */
export type GameServerRef =
  | { readonly protocol: string; readonly load: Loader<ServerProtocol> }
  | { readonly protocol: string; readonly settings: Readonly<Record<string, string>> };

/** A game: a pure engine with its settings, bots, online client, server and load scenarios. */
export interface GameModule<S = unknown, A = unknown, O = unknown, C = unknown, X = unknown, E = unknown> {
  readonly kind: 'game';
  readonly id: string;
  readonly engine: GameEngine<S, A, O, C, X, E>;
  /** The game's settings (names, types, ranges, defaults, help); the engine's `parseConfig` reads with it. */
  readonly settings: SettingsSchema;
  /** Built-in bots, `<game>-<short>`; the MCTS bot among them where the game has an MCTS adapter. */
  readonly bots: Loader<readonly BotDefinition<O, A, DecisionContext<S, A, O, C, X, E>>[]>;
  /**
   * The network client behind `play <game> --connect` (an opaque online entry, `playOnline`); absent for a game
   * that plays offline only so far.
   */
  readonly client?: Loader<ClientProtocol>;
  /** The server that hosts it (`botswarm serve <game>`); absent for a game with no server yet. */
  readonly server?: GameServerRef;
  /** Load scenarios by id; the first is the game's default. */
  readonly scenarios: Readonly<Record<string, Loader<AnyLoadScenario>>>;
  /** Readable lines for one step of a replay (`botswarm replay`); the engine's `describeStep`. */
  readonly describeStep?: GameEngine<S, A, O, C, X, E>['describeStep'];
}

/**
 * A service: a server and its clients with no game engine (chat, LEKT), or a lobby server that hosts games
 * (SE1). Its bots decide without a forward model.
 */
export interface ServiceModule<O = unknown, A = unknown> {
  readonly kind: 'service';
  readonly id: string;
  readonly server: Loader<ServerProtocol>;
  readonly bots: Loader<readonly BotDefinition<O, A, BotContext>[]>;
  readonly scenarios: Readonly<Record<string, Loader<AnyLoadScenario>>>;
}

/** Any game, for the registry and the commands that do not care about its types. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds the modules of every game.
export type AnyGameModule = GameModule<any, any, any, any, any, any>;
// biome-ignore lint/suspicious/noExplicitAny: the registry holds the modules of every service.
export type AnyServiceModule = ServiceModule<any, any>;
export type AnyModule = AnyGameModule | AnyServiceModule;

/** Keeps a game module's types checked where it is written, and erases them for the registry. */
export function defineGame<S, A, O, C, X, E>(module: GameModule<S, A, O, C, X, E>): AnyGameModule {
  return module;
}

export function defineService<O, A>(module: ServiceModule<O, A>): AnyServiceModule {
  return module;
}

export type { AnyEngine };
