/**
 * The messages between a load test's coordinator (`botswarm loadtest --agents`) and its load agents
 * (`botswarm agent`), over Redis streams: each agent reads its own inbox stream, and every agent of a run writes
 * into the run's stream, which the coordinator reads. Streams rather than pub/sub: a message written while a
 * reader reconnects waits for it instead of being lost, and the order of one writer's messages is kept (an agent's
 * last intervals always come before its `done`).
 */
import type { ThreadInterval } from '../load/metrics.ts';
import type { WorkerInit } from '../load/thread-protocol.ts';
import { KEY_PREFIX } from './connection.ts';

/** Agents waiting for a run: name → AgentEntry (JSON), refreshed every AGENT_HEARTBEAT_MS. */
export const AGENTS_KEY = `${KEY_PREFIX}:load:agents`;
export const agentInbox = (name: string): string => `${KEY_PREFIX}:load:agent:${name}`;
export const runStream = (run: string): string => `${KEY_PREFIX}:load:run:${run}`;

/** How often an agent says it is alive (registry between runs, a `stats` message during one). */
export const AGENT_HEARTBEAT_MS = 1000;
/** An agent in the registry whose entry is older than this has gone. */
export const AGENT_STALE_MS = 5000;
/** An agent that has heard nothing of its coordinator for this long ends the run (the coordinator was killed). */
export const COORDINATOR_GONE_MS = 15_000;

export interface AgentEntry {
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly botswarm: string;
  readonly threads: number;
  readonly cores: number;
  /** The run it is in, if any. */
  readonly run: string | null;
  /** Unix ms of its last heartbeat. */
  readonly seen: number;
}

/** What an agent's worker threads are started with, but for their numbering (the agent's share of the threads). */
export type PlanInit = Omit<WorkerInit, 'thread' | 'threads' | 'logLevel' | 'maxSessions'> & {
  /** The whole run's concurrency cap (open model), shared out over every thread of every agent. */
  readonly maxSessions: number;
};

export type ToAgent =
  /** Join run `run`: start `threads` worker threads numbered from `firstThread` of `allThreads`, answer `ready`. */
  | {
      readonly type: 'plan';
      readonly run: string;
      readonly botswarm: string;
      readonly init: PlanInit;
      readonly firstThread: number;
      readonly allThreads: number;
      readonly heartbeatTimeoutMs: number;
    }
  /** Clock probe: `t0` is the coordinator's epoch ms when sent. */
  | { readonly type: 'ping'; readonly run: string; readonly t0: number }
  /**
   * Start at `atEpochMs` of the agent's own clock; `offsetMs` (agent minus coordinator) converts the
   * coordinator's due times of arrivals.
   */
  | { readonly type: 'start'; readonly run: string; readonly atEpochMs: number; readonly offsetMs: number }
  | { readonly type: 'target'; readonly run: string; readonly bots: number }
  /** Open model: [session index, due time in the coordinator's epoch ms]. */
  | { readonly type: 'arrive'; readonly run: string; readonly sessions: readonly (readonly [number, number])[] }
  | { readonly type: 'end'; readonly run: string }
  /** After `end`: answer `idle` once no session runs any more, if within `ms`. */
  | { readonly type: 'wait-idle'; readonly run: string; readonly ms: number }
  | { readonly type: 'stop'; readonly run: string; readonly graceMs: number }
  /** The run is over for this agent without a `stop` (refused, aborted, lost): end its threads now. */
  | { readonly type: 'leave'; readonly run: string; readonly reason: string }
  /** The coordinator is alive (sent every second). */
  | { readonly type: 'beat'; readonly run: string };

export interface AgentStats {
  /** Process CPU (every thread) over the last second, percent of one core. */
  readonly cpuPercent: number;
  readonly rssMB: number;
  readonly heapUsedMB: number;
  readonly failures: readonly string[];
}

export type FromAgent = { readonly agent: string } & (
  | { readonly type: 'ready'; readonly host: string; readonly threads: number; readonly cores: number }
  | { readonly type: 'refused'; readonly message: string }
  /** While it starts its threads (seconds): it is alive. */
  | { readonly type: 'alive' }
  | { readonly type: 'pong'; readonly t0: number; readonly t1: number; readonly t2: number }
  | { readonly type: 'started'; readonly atEpochMs: number }
  | { readonly type: 'interval'; readonly thread: number; readonly interval: ThreadInterval }
  | { readonly type: 'stats'; readonly stats: AgentStats }
  | { readonly type: 'idle' }
  | { readonly type: 'done'; readonly stats: AgentStats }
);

/** This process's clock as epoch milliseconds, to the microsecond. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/**
 * JSON with the histograms' bucket counts (32-bit typed arrays: the library's are Uint32Array, whatever
 * RawHistogram's type says) as base64 of their bytes, decoded to the same kind: a second's interval of a busy
 * thread is a few KB. Both ends are little-endian (every platform Node runs on in practice).
 */
export function encodeMessage(message: ToAgent | FromAgent): string {
  return JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof Uint32Array || value instanceof Int32Array) {
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
      return value instanceof Uint32Array ? { u32: bytes } : { i32: bytes };
    }
    return value;
  });
}

export function decodeMessage<T extends ToAgent | FromAgent>(text: string): T {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value && typeof value === 'object') {
      const { u32, i32 } = value as { u32?: unknown; i32?: unknown };
      const base64 = typeof u32 === 'string' ? u32 : typeof i32 === 'string' ? i32 : undefined;
      if (base64 !== undefined) {
        // A copy into a fresh (aligned) buffer.
        const buffer = new Uint8Array(Buffer.from(base64, 'base64')).buffer;
        return typeof u32 === 'string' ? new Uint32Array(buffer) : new Int32Array(buffer);
      }
    }
    return value;
  }) as T;
}
