import type { GameRecord, ScheduledGame } from './types.ts';

/**
 * How long one worker task should keep its thread busy: long enough that the fixed cost of a task (a message
 * each way, waking the parent, one append) disappears next to the games, short enough for steady progress,
 * a prompt stop and an even finish. Sizing by time rather than by count serves a 0.4 ms game and a 4 s game
 * alike.
 */
export const BATCH_TARGET_MS = 50;

/** Bounds a task whatever the timing says (games of ~0 ms): its results are one string in memory. */
export const MAX_BATCH_GAMES = 1024;

/** The same bound for a longer target (a job queue's batches): one job's lines stay a few MB at most. */
export const MAX_QUEUED_BATCH_GAMES = 8192;

/** A game of a lineup never timed counts as this share of the target: a batch probes only a few of them. */
const UNKNOWN_SHARE = 1 / 4;

/** Bots at the table, seat order aside: games of one lineup take about equally long. */
const lineupKey = (seats: readonly number[]): string =>
  seats.length === 2
    ? seats[0]! <= seats[1]!
      ? `${seats[0]},${seats[1]}`
      : `${seats[1]},${seats[0]}`
    : [...seats].sort((a, b) => a - b).join(',');

/**
 * Cuts the games of a round into worker tasks of about `targetMs` each, from the play time of the games
 * already finished, per lineup (a fast pairing is not batched like a slow one). Batching decides only
 * which thread plays a game, never its result: every game has its own seed and fresh bots.
 */
export class BatchPlanner {
  readonly #timing = new Map<string, { ms: number; games: number }>();

  constructor(readonly targetMs: number = BATCH_TARGET_MS) {}

  /** Learns from a finished game. */
  observe(record: Pick<GameRecord, 'seats' | 'durationMs'>): void {
    const key = lineupKey(record.seats);
    const timing = this.#timing.get(key);
    if (timing) {
      timing.ms += record.durationMs;
      timing.games++;
    } else {
      this.#timing.set(key, { ms: record.durationMs, games: 1 });
    }
  }

  /** Expected play time of a game, in ms. */
  estimate(game: Pick<ScheduledGame, 'seats'>): number {
    const timing = this.#timing.get(lineupKey(game.seats));
    return timing ? timing.ms / timing.games : this.targetMs * UNKNOWN_SHARE;
  }

  /** How many of `games`, from `from` on, the next task takes: about `targetMs` of play, 1 to `cap` games. */
  size(
    games: readonly Pick<ScheduledGame, 'seats'>[],
    from: number,
    cap: number,
    targetMs: number = this.targetMs,
  ): number {
    let planned = 0;
    let count = 0;
    const limit = Math.min(cap, targetMs > this.targetMs ? MAX_QUEUED_BATCH_GAMES : MAX_BATCH_GAMES);
    while (from + count < games.length && count < limit && planned < targetMs) {
      planned += this.estimate(games[from + count]!);
      count++;
    }
    return Math.max(1, count);
  }
}
