/**
 * The messages between a load test's main thread and its progress writer (src/load/progress-writer.ts), the
 * thread that keeps summary.json and timeseries.csv up to date every second during a run with `--out`.
 */
import type { RecorderOptions, ThreadInterval, TimePoint } from './metrics.ts';
import type { RunDescription } from './summary.ts';
import type { Threshold } from './thresholds.ts';

export interface ProgressInit {
  readonly run: RunDescription;
  readonly startedAt: string;
  /** The run's start, epoch milliseconds (rates count from it, as in the main thread's recorder). */
  readonly startedAtEpochMs: number;
  readonly recorder: Omit<RecorderOptions, 'monitorLag' | 'startedAt'>;
  readonly thresholds: readonly Threshold[];
  readonly summaryPath: string;
  readonly timeseriesPath: string;
}

export type ToProgress =
  /** Sent once, first: the thread loads while the run prepares, before these are known. */
  | { readonly type: 'begin'; readonly init: ProgressInit }
  /** What one worker thread (or load agent's thread) recorded since its previous interval. */
  | { readonly type: 'interval'; readonly thread: number; readonly interval: ThreadInterval }
  /**
   * A second is over: the main thread's point for it (the row the run's time series has), with one thread the
   * second's samples too (`LoadRecorder.tickHandingOver`), and the
   * embedded server's counters as of now. Close it and rewrite the files.
   */
  | {
      readonly type: 'tick';
      readonly point: TimePoint;
      readonly interval?: ThreadInterval;
      readonly server?: Readonly<Record<string, number>>;
    }
  /** The run is over: finish the write in progress and answer `closed`; the main thread writes the last files. */
  | { readonly type: 'close' };

export type FromProgress =
  /** Loaded: from here on it handles every message. */
  { readonly type: 'ready' } | { readonly type: 'closed' } | { readonly type: 'error'; readonly message: string };
