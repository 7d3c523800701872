import type { Budget } from '../core/strategy.ts';

export const FORMATS = ['round-robin', 'gauntlet', 'swiss', 'ffa'] as const;
export type TournamentFormat = (typeof FORMATS)[number];

/**
 * Everything that decides a tournament's games and results. Two runs with equal definitions play the same
 * games with the same seeds; `--resume` refuses a directory whose stored definition differs. How a run is
 * executed (workers, output directory, replays, progress) is not part of it.
 */
export interface TournamentDefinition {
  readonly name: string;
  readonly game: string;
  readonly format: TournamentFormat;
  /** Bot specs as written; they are also the bots' labels in results and tables. */
  readonly bots: readonly string[];
  /** Gauntlet only: the bot that meets every other one (one of `bots`). */
  readonly challenger?: string;
  /** Seats per game. */
  readonly players: number;
  /** Games per pairing (ffa: the whole field is one pairing, so this is the total); per seat order with `seatOrders`. */
  readonly games: number;
  /**
   * Round-robin and gauntlet with 3 or more players: `all` plays each of a pairing's game seeds once in every
   * cyclic seat order of its lineup (who moves right after whom), each rotated as usual: (players − 1)! times the
   * games. Absent: one order, the lineup's (every bot still sits in every seat, but always behind the same bot).
   */
  readonly seatOrders?: 'all';
  /** Swiss only: rounds played. */
  readonly rounds?: number;
  readonly seed: string | number;
  /** Iteration budget per decision (deterministic). */
  readonly iterations: number;
  /** Optional wall-clock limit per decision: makes the tournament non-deterministic. */
  readonly timeLimitMs?: number;
  /** Game settings, validated by the engine's `parseConfig`. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** One game to play: which bot (index into `definition.bots`) sits in which seat, and its derived seed. */
export interface ScheduledGame {
  readonly index: number;
  readonly seed: number;
  /** Swiss round (0-based); 0 for the other formats. */
  readonly round: number;
  /** Which pairing (or ffa lineup) the game belongs to. */
  readonly pairing: number;
  /** Bot index per seat. */
  readonly seats: readonly number[];
}

/** One line of `results.jsonl`: a finished game. */
export interface GameRecord {
  readonly index: number;
  readonly seed: number;
  readonly round: number;
  readonly pairing: number;
  /** Bot index per seat. */
  readonly seats: readonly number[];
  /** Bot label per seat. */
  readonly bots: readonly string[];
  /** Winning seat, or null for a draw. */
  readonly winner: number | null;
  readonly scores: readonly number[];
  readonly ranks: readonly number[];
  readonly steps: number;
  /** Illegal actions per seat (each was replaced by the engine's default action). */
  readonly invalidActions: readonly number[];
  /**
   * Seats that forfeited (their strategy threw, ran past the decision limit or kept playing illegally), with
   * the reason; absent when none did. `ranks` and `winner` already rank them last.
   */
  readonly forfeits?: readonly GameForfeit[];
  /** The only field that differs between two runs of the same tournament. */
  readonly durationMs: number;
  readonly engine: string;
  readonly engineVersion: string;
  /** Replay file, relative to the output directory, when one was written. */
  readonly replay?: string;
}

/** A forfeit as results.jsonl records it. */
export interface GameForfeit {
  readonly seat: number;
  readonly kind: 'error' | 'timeout' | 'illegal';
  readonly reason: string;
}

/** `--replays`: every game, none, or the games with index < N. */
export type ReplayPolicy = 'all' | 'none' | number;

export function wantsReplay(policy: ReplayPolicy, index: number): boolean {
  return policy === 'all' ? true : policy === 'none' ? false : index < policy;
}

export function budgetOf(definition: TournamentDefinition): Budget {
  return definition.timeLimitMs === undefined
    ? { iterations: definition.iterations }
    : { iterations: definition.iterations, timeMs: definition.timeLimitMs };
}
