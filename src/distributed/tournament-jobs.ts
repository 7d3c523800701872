import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { BatchTask } from '../tournament/worker.ts';
import { KEY_PREFIX } from './connection.ts';
import type { EngineStamp } from './version.ts';

/** The BullMQ queue every tournament worker takes batches from (under the `botswarm` key prefix). */
export const TOURNAMENT_QUEUE = 'tournament';

/** One batch of games as a job: the coordinator's task, its run and the stamp its results must carry. */
export interface BatchJob {
  /** Which coordinator run the batch belongs to (kept in the output directory, for `--resume`). */
  readonly run: string;
  readonly stamp: EngineStamp;
  /** The coordinator's task; `replayDir` only says whether replays are wanted (the worker writes them locally). */
  readonly task: BatchTask;
}

/** A finished batch: its lines of results.jsonl and the replay files (name → text), for the coordinator. */
export interface BatchOutcome {
  /** The lines, raw-deflated and in base64 (`packLines`). */
  readonly packed?: string;
  /** The lines as they are (workers before `packed`; `harvest` may meet their jobs). */
  readonly lines?: string;
  readonly replays: Readonly<Record<string, string>>;
  readonly worker: string;
}

/**
 * A batch's result lines as a job's return value: raw deflate (fastest level) in base64. The lines, about 235
 * bytes a game of repeated keys, would travel as a JSON string with every quote escaped, into redis-server's
 * job hash and event stream (its `moveToFinished` script took 2.2 ms for a 1,000-game batch, 0.37 ms for a tenth
 * of the bytes) and back out to the coordinator, who parses them: packed they are about an eighth of the bytes,
 * and deflating and inflating them costs less CPU than those copies (docs/performance.md, "Fourth pass").
 */
export function packLines(lines: string): string {
  return deflateRawSync(lines, { level: constants.Z_BEST_SPEED }).toString('base64');
}

/** The lines of a finished batch, or undefined for a return value that holds none. */
export function unpackLines(outcome: BatchOutcome | null | undefined): string | undefined {
  if (typeof outcome?.packed === 'string') return inflateRawSync(Buffer.from(outcome.packed, 'base64')).toString();
  return typeof outcome?.lines === 'string' ? outcome.lines : undefined;
}

/** A worker's entry in the registry of live workers (a Redis hash, refreshed while it runs). */
export interface WorkerEntry {
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly botswarm: string;
  readonly threads: number;
  /** Unix ms of its last heartbeat. */
  readonly seen: number;
}

/** A job a worker refused because its engine stamp differs from the coordinator's. */
export interface Refusal {
  readonly worker: string;
  readonly coordinator: EngineStamp;
  readonly mine: EngineStamp;
}

export const WORKERS_KEY = `${KEY_PREFIX}:${TOURNAMENT_QUEUE}:workers`;
export const refusalsKey = (run: string): string => `${KEY_PREFIX}:${TOURNAMENT_QUEUE}:refusals:${run}`;

/** A worker whose heartbeat is older than this has left (killed, or cut off from Redis). */
export const WORKER_HEARTBEAT_MS = 2000;
export const WORKER_GONE_MS = 10_000;

/** Completed and failed jobs the coordinator never collected expire after a day. */
export const JOB_KEEP_SECONDS = 24 * 3600;

/**
 * Batches in flight per worker thread, and what a worker takes at once: the one a thread plays, the one it holds
 * (as in the local pool) and one waiting in the worker for the first of its threads to deliver. A thread is
 * then refilled as in a local run, by its worker's main thread as soon as the result comes back, and never
 * waits for the way through Redis and the coordinator (event stream, runner, next job, the worker's wake-up).
 */
export const QUEUED_PER_THREAD = 3;
