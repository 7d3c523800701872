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

/**
 * A game's time counts for at most this many times its lineup's estimate (once the lineup has `SETTLED` games):
 * the wall time of a game is all a thread can measure, and one that was descheduled (a busy machine) or paused
 * by a collection of the thread's heap reads 10 to 100 times the median. A plain mean of such times put a Galax
 * game at 2.3 ms against a median of 0.43 ms, and tasks of ~11 games instead of ~100: nine tenths of the
 * messages, wake-ups and appends for nothing.
 */
const CLIP = 3;
/** Games of a lineup after which its estimate forgets the oldest: the first games run cold (unoptimised code). */
const SETTLED = 16;
/** The estimate follows the newest ~this many games (an exponential mean), so the cold start fades. */
const MEMORY = 256;

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
  /** Per lineup: the estimated play time of a game (ms) and how many games it is made of. */
  readonly #timing = new Map<string, { ms: number; games: number }>();

  constructor(readonly targetMs: number = BATCH_TARGET_MS) {}

  /** Whether any game has been timed yet. */
  get timed(): boolean {
    return this.#timing.size > 0;
  }

  /** Learns from a finished game. */
  observe(record: Pick<GameRecord, 'seats' | 'durationMs'>): void {
    const key = lineupKey(record.seats);
    const timing = this.#timing.get(key);
    if (!timing) {
      this.#timing.set(key, { ms: record.durationMs, games: 1 });
      return;
    }
    const ms = timing.games >= SETTLED ? Math.min(record.durationMs, timing.ms * CLIP) : record.durationMs;
    timing.games++;
    // The mean of the games so far, then an exponential mean over the newest MEMORY games.
    timing.ms += (ms - timing.ms) / Math.min(timing.games, MEMORY);
  }

  /** Expected play time of a game, in ms. */
  estimate(game: Pick<ScheduledGame, 'seats'>): number {
    const timing = this.#timing.get(lineupKey(game.seats));
    return timing ? timing.ms : this.targetMs * UNKNOWN_SHARE;
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
