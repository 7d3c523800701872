import os from 'node:os';
import type { GameRecord } from '../tournament/types.ts';
import { type BatchTask, playBatch } from '../tournament/worker.ts';
import { gameThreads } from '../tournament/worker-file.ts';

/**
 * The tournament's worker threads, for runs that are not a tournament: the same entry (`workerEntry`), the same
 * `playBatch`, so a game plays exactly as it would in `botswarm tournament`.
 */
export interface GamePool {
  /** Tasks that may run at once: twice the threads (each holds its next task), or 1 in this thread. */
  readonly parallel: number;
  play(task: BatchTask): Promise<GameRecord[]>;
  /** Ends the threads; tasks still queued or running are dropped (their promises reject). */
  close(): Promise<void>;
}

/** `workers` threads (default one per core); 0 plays in this thread, one batch at a time. */
export function createGamePool(workers: number = os.availableParallelism()): GamePool {
  if (workers <= 0) {
    return { parallel: 1, play: (task) => playBatch(task), close: async () => {} };
  }
  const threads = gameThreads(workers);
  return {
    parallel: workers * 2,
    async play(task) {
      const lines = (await threads.run(task)).split('\n');
      lines.pop();
      return lines.map((line) => JSON.parse(line) as GameRecord);
    },
    close: () => threads.destroy(),
  };
}
