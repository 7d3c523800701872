/** The messages between the load generator's main thread and its worker threads (`--threads N`). */
import type { ThreadInterval } from './metrics.ts';

/** Given to each worker as its workerData. */
export interface WorkerInit {
  readonly scenario: string;
  /** A module to take the scenario from instead of the registry (tests, user scenarios); a file URL. */
  readonly scenarioModule?: string;
  /** What the scenario's `threads.toWorker` made of prepare's result (or that result itself). */
  readonly data: unknown;
  readonly host: string;
  readonly port: number;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly seed: string;
  readonly thinkTimeMs: number;
  readonly requestTimeoutMs: number;
  readonly stopGraceMs: number;
  /** Open model: this thread's share of the concurrency cap. */
  readonly maxSessions: number;
  readonly thread: number;
  readonly threads: number;
  readonly logLevel: string;
  /** Open model (metric labels: arrival metrics are scheduled only there). */
  readonly open: boolean;
  readonly gapThresholdMs: number;
}

export type ToWorker =
  /** Closed model: this thread's share of the bots wanted now. */
  | { readonly type: 'target'; readonly bots: number }
  /** Open model: arrivals dealt to this thread, [session index, due time in epoch ms]. */
  | { readonly type: 'arrive'; readonly sessions: readonly (readonly [number, number])[] }
  /** The duration is over: no session starts; running ones may finish (graceful stop). */
  | { readonly type: 'end' }
  /** Sessions are told to leave; the worker answers `done` once they have (or its stop grace is over). */
  | { readonly type: 'stop' };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'init-failed'; readonly message: string }
  | { readonly type: 'interval'; readonly interval: ThreadInterval }
  /** After `end`: no session is running any more. */
  | { readonly type: 'idle' }
  | { readonly type: 'done'; readonly interval: ThreadInterval; readonly stuck: number };
