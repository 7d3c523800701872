import type { Logger } from '../core/log.ts';
import type { Rng } from '../core/rng.ts';
import type { Connection } from '../net/connection.ts';

/**
 * The load generator's plug-in interface. A protocol joins `botswarm loadtest` with a scenario (what one bot
 * session does) and its own client; the runner, workload models, metrics, thresholds and reports are shared.
 *
 * Metric names are snake_case; latencies are recorded in microseconds into HDR histograms. Conventional names:
 * `connect`, `handshake`, `first_event` (time to first game event), `<request>_rtt` per message type
 * (`join_rtt`, `move_rtt`, `send_rtt`...), `delivery` (sender to recipient). Errors are counted by kind:
 * a protocol error reply by its code (`ERRM`, `status_409`), `disconnect`, `timeout`, `connect_failed`.
 * `connect` and `first_event` count from the session's arrival (`SessionContext.scheduledAt`): they are
 * corrected in the open model only (see `ARRIVAL_METRICS` in metrics.ts).
 *
 * Coordinated omission: a metric is labelled corrected only when its intended send times come from a schedule
 * the server cannot move (a rate, a think-time schedule of a request/response scenario); metrics a scenario
 * sends in answer to a server message are declared in `LoadScenario.reactive` and say so. A reactive protocol's
 * stalls show in `gap` instead.
 */
export interface LoadMetrics {
  /**
   * One latency sample. `micros` counts from when the request *should* have been sent (coordinated-omission
   * corrected, wrk2-style); `uncorrectedMicros` from when it actually was, if different. Unscheduled requests pass
   * one value. For a metric listed in `LoadScenario.reactive` only `uncorrectedMicros ?? micros` is kept.
   */
  latency(metric: string, micros: number, uncorrectedMicros?: number): void;
  /** One interval in which this bot waited for the server (reactive game protocols): `kind` e.g. `year`, `round`, `prompt`, `start`. */
  gap(kind: string, micros: number): void;
  /** A counter: `games`, `moves`, `messages_delivered`... */
  count(counter: string, n?: number): void;
  error(kind: string): void;
  /**
   * Counts this connection's bytes and frames both ways (sampled every second until it closes). `requests`: the
   * client's requests sent and not yet answered; when the run cuts the session off, those still in flight are
   * counted as `in_flight_at_end` (their reply never reached a counter, though the server may have counted them).
   */
  track(connection: Connection<unknown>, requests?: RequestsInFlight): void;
}

/**
 * A client with request/response commands: how many requests it has sent without their reply yet. Read once, as
 * the run cuts the session off (before the scenario closes the client, which would fail them).
 */
export interface RequestsInFlight {
  readonly requestsInFlight: number;
}

export interface SessionContext<Shared = unknown> {
  readonly host: string;
  readonly port: number;
  /** 0-based index of this session in the run. */
  readonly index: number;
  readonly metrics: LoadMetrics;
  /** This session's own seeded stream. */
  readonly rng: Rng;
  readonly log: Logger;
  /** Aborted when the run ends (duration over, Ctrl-C): the session should leave promptly. */
  readonly signal: AbortSignal;
  /** Pause between a bot's actions, in ms (0 = none); scenarios draw around it with `rng`. */
  readonly thinkTimeMs: number;
  /** Reply timeout for one request, in ms: past it, count `timeout` and give up the session. */
  readonly requestTimeoutMs: number;
  /** Scenario parameters from the scenario file or `--param key=value`. */
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** What `prepare` returned: state shared by all sessions of the run (e.g. a directory of users). */
  readonly shared: Shared;
  /**
   * When this session was due to start (`performance.now()` time). In an open workload a late generator starts
   * sessions after their arrival time; a scenario measuring `connect` may count from here (coordinated omission).
   */
  readonly scheduledAt?: number;
}

export interface PrepareOptions {
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  readonly params: SessionContext['params'];
}

/**
 * How a scenario runs on worker threads (`--threads N`, N > 1). `prepare` runs once, in the main thread;
 * `toWorker` turns its result into what is sent to each worker (a structured clone: data, no functions or
 * class instances), and `inWorker` rebuilds there the state that worker's sessions share. Without them the
 * prepare result itself is cloned. `refused` says why the scenario cannot run threaded (e.g. its sessions must
 * see each other in-process).
 */
export type ThreadSupport<Shared> =
  | { readonly refused: string }
  | {
      toWorker?(shared: Shared): unknown;
      inWorker?(data: unknown, options: PrepareOptions & { thread: number; threads: number }): Promise<Shared>;
    };

export interface LoadScenario<Shared = unknown> {
  /** e.g. `galax-play`, `chat-converse`, `lekt-churn`. */
  readonly id: string;
  /** The protocol id of `--protocol` (and its default port comes from the protocol registry). */
  readonly protocol: string;
  readonly description: string;
  /**
   * Latency metrics this scenario sends in answer to a server message (a Galax YEAR, an SE1 prompt): their send
   * time follows the server, so a stall moves it and no schedule can correct them. Labelled `reactive`.
   */
  readonly reactive?: readonly string[];
  /** Default parameters, shown by `botswarm loadtest --list`. */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  /** Settings of the `--embedded` server this scenario needs (the SE1 server's game); `--server-set` overrides. */
  readonly serverSettings?: Readonly<Record<string, string>>;
  /** Once per run, before the first session. */
  prepare?(options: PrepareOptions): Promise<Shared>;
  /** Whether and how its sessions can be spread over worker threads; absent: refused with threads > 1. */
  readonly threads?: ThreadSupport<Shared>;
  /** One bot session, from connect to leave. Resolves when it has left; errors are recorded, not thrown. */
  runSession(context: SessionContext<Shared>): Promise<void>;
}
