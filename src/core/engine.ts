import { checkKnownKeys, readSetting, Setting } from '../game/settings.ts';
import type { Rng } from './rng.ts';

/** A player's position in a game, 0-based. Games with their own player ids (Galax: 1-based) map to seats. */
export type Seat = number;

/** Who acts in a state. One seat is a turn-based move; several seats move simultaneously (Galax, Ore Rush). */
export type ToAct =
  | { readonly kind: 'players'; readonly seats: readonly Seat[] }
  | { readonly kind: 'chance' }
  | { readonly kind: 'terminal' };

export interface GameResult {
  /** Final score per seat, in the game's own unit (ships, points). */
  readonly scores: readonly number[];
  /** Rank per seat, 1 = best; tied seats share a rank. */
  readonly ranks: readonly number[];
  /** The winning seat, or null for a draw (or a game with no single winner). */
  readonly winner: Seat | null;
}

/** The actions of one step: one entry per acting seat, or the chance outcome. */
export type StepActions<A, X = never> =
  | { readonly kind: 'players'; readonly actions: ReadonlyMap<Seat, A> }
  | { readonly kind: 'chance'; readonly outcome: X };

/**
 * A pure, deterministic game. States are plain JSON data (serialisable, hashable, cloneable by
 * `structuredClone`); every function here is free of I/O and of hidden randomness: set-up draws from the
 * generator it is given, and chance events during play (dice, tile draws) are explicit steps whose outcome
 * the runner samples with `sampleChance` from its seeded `dice` stream and records in the action log, as in
 * OpenSpiel. A seed plus the action log therefore replays a game exactly.
 *
 * S state, A player action, O observation, C config, X chance outcome, E event (what the protocol reports).
 */
export interface GameEngine<S, A, O, C, X = never, E = never> {
  /** Short id used on the command line and in result files, e.g. `galax`. */
  readonly id: string;
  /** Bumped whenever a rule change could change a game's outcome; replays refuse a different version. */
  readonly version: string;
  readonly minPlayers: number;
  readonly maxPlayers: number;

  defaultConfig(): C;
  /** Validates a partial config over the defaults; throws `ConfigError` naming the bad field. */
  parseConfig(raw: unknown): C;
  setup(config: C, players: number, rng: Rng): S;

  toAct(state: S): ToAct;
  /** The legal actions of `seat`, where the game can enumerate them (search bots use this). */
  legalActions?(state: S, seat: Seat): readonly A[];
  /** null when `action` is legal for `seat` now, else a human-readable reason. */
  validate(state: S, seat: Seat, action: A): string | null;
  /** The action taken for a seat that failed to act (timeout, disconnect, illegal action). */
  defaultAction(state: S, seat: Seat): A;
  /** Samples the outcome of a chance step. Required when `toAct` can return `chance`. */
  sampleChance?(state: S, rng: Rng): X;

  /**
   * The next state. Actions must be valid (the runner validates first). When `events` is given, the
   * engine appends what happened (battles, scoring) in order; without it no event is built.
   */
  apply(state: S, step: StepActions<A, X>, events?: E[]): S;

  /** What `seat` may know of `state`. Everything a strategy sees comes through here. */
  observe(state: S, seat: Seat): O;
  /** The events of a step that `seat` is told about (all of them in a game with full visibility). */
  visibleEvents?(events: readonly E[], seat: Seat): E[];
  /** The result once the state is terminal, else null. */
  result(state: S): GameResult | null;

  /**
   * A full state consistent with what `seat` observes, hidden parts sampled from `rng`
   * (determinisation, for search bots). Must depend on `observation` only, never on the true state.
   */
  determinize?(observation: O, seat: Seat, config: C, rng: Rng): S;

  /** Readable lines for one step (its actions and events), for `botswarm replay` and game logs. */
  describeStep?(before: S, step: StepActions<A, X>, events: readonly E[], after: S): string[];
}

/** Any engine, for registries and runners that do not care about its types. */
// biome-ignore lint/suspicious/noExplicitAny: registries hold engines of every game.
export type AnyEngine = GameEngine<any, any, any, any, any, any>;

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

/**
 * Helpers for an engine without a settings schema (out-of-tree and test engines). They are the one settings
 * reader (src/game/settings.ts) with the schema given inline, so text and typed values follow the same rules
 * everywhere; an engine of botswarm declares its settings with `settingsSchema` instead.
 */
export function intField(raw: Record<string, unknown>, field: string, fallback: number, min: number, max: number) {
  if (raw[field] === undefined) return fallback;
  return readSetting(Setting.integer({ min, max, help: field }), field, raw[field]) as number;
}

export function boolField(raw: Record<string, unknown>, field: string, fallback: boolean) {
  if (raw[field] === undefined) return fallback;
  return readSetting(Setting.boolean({ help: field }), field, raw[field]) as boolean;
}

/** Rejects fields an engine does not know, so a typo in a tournament file is caught, not ignored. */
export function checkKnownFields(raw: unknown, known: readonly string[]): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('config', 'must be an object');
  checkKnownKeys(raw as Record<string, unknown>, known);
  return raw as Record<string, unknown>;
}
