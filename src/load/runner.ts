import { mkdirSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type Logger, silentLogger } from '../core/log.ts';
import { createRng } from '../core/rng.ts';
import { LoadRecorder, type TimePoint } from './metrics.ts';
import { ProgressWriter } from './progress.ts';
import { renderReport } from './report.ts';
import { sleep } from './scenario-kit.ts';
import { ClosedBots, runScenarioSession, SESSION_STOPPED, type SessionRun } from './session.ts';
import {
  buildSummary,
  type LoadSummary,
  type RunDescription,
  type RunStatus,
  TimeseriesFile,
  writeAtomic,
} from './summary.ts';
import { type PoolRun, type SessionPool, ThreadPool, type ThreadPoolOptions, threadData } from './threads.ts';
import { evaluateThresholds, type Threshold, type ThresholdResult } from './thresholds.ts';
import type { LoadScenario } from './types.ts';
import { ArrivalSchedule, closedSteadyUntil, closedTarget, type Workload, workloadDurationMs } from './workload.ts';

export interface LoadTestOptions {
  readonly scenario: LoadScenario;
  readonly host: string;
  readonly port: number;
  readonly workload: Workload;
  readonly thinkTimeMs: number;
  readonly requestTimeoutMs: number;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly seed: string;
  readonly thresholds: readonly Threshold[];
  /** Where summary.json, timeseries.csv and report.html go; nothing is written without it. */
  readonly outDir?: string;
  readonly log?: Logger;
  /** Ends the run early (Ctrl-C): what ran is still summarised, with status `interrupted`. */
  readonly signal?: AbortSignal;
  /** Called every second with the closed interval. */
  readonly onTick?: (point: TimePoint, recorder: LoadRecorder) => void;
  /**
   * Once the duration is over no session starts, and those running get this long to finish on their own (k6's
   * graceful stop) before they are told to leave through their signal. Default 0: they are told at once.
   */
  readonly gracefulStopMs?: number;
  /** How long sessions get to leave once told to, before they are abandoned. Default 5 s. */
  readonly stopGraceMs?: number;
  /** Server response gaps longer than this are stalls (summary, thresholds); default 500 ms. */
  readonly gapThresholdMs?: number;
  /** Checks that the target accepts TCP connections before the run (default true). */
  readonly preflight?: boolean;
  readonly target?: string;
  readonly embedded?: boolean;
  /** The embedded server's counters, added to the summary. */
  readonly serverStats?: () => Record<string, number>;
  /**
   * Worker threads running the sessions (default 1: every session on this thread). With more, this thread keeps
   * the schedule, thresholds and reports; the scenario must support threads (see `LoadScenario.threads`).
   */
  readonly threads?: number;
  /**
   * With threads: a module (file URL) the workers import the scenario from, by its id, instead of the registry
   * of src/load/scenarios.ts (a scenario object cannot cross threads).
   */
  readonly scenarioModule?: string;
  /**
   * Runs the sessions elsewhere (load agents on other hosts, src/distributed) instead of this process's worker
   * threads: given what the threads would be given, and a way to end the run as failed (an agent lost).
   */
  readonly pool?: (options: ThreadPoolOptions, run: PoolRun) => Promise<SessionPool>;
  /**
   * Evaluates the upper-bound thresholds (`<`, `<=`) every second over the whole run so far, and ends the run as
   * failed at the first that fails. Lower bounds (`count(games) >= 5`) are judged at the end only.
   */
  readonly abortOnFail?: boolean;
}

export interface LoadTestResult {
  readonly status: RunStatus;
  readonly summary: LoadSummary;
  readonly recorder: LoadRecorder;
  /** With abortOnFail: the threshold that ended the run early (status `failed`; a threshold failure, exit 99). */
  readonly abortedBy?: string;
  readonly files: { readonly summary?: string; readonly timeseries?: string; readonly report?: string };
}

/** The run could not happen at all (unreachable target, failing prepare): exit code 1. */
export class LoadTestError extends Error {
  override name = 'LoadTestError';
}

export function describeWorkload(w: Workload): string {
  const secs = (ms: number) => `${Math.round(ms / 100) / 10}s`;
  if (w.kind === 'closed') {
    let from = w.start;
    const parts = w.stages.map((s) => {
      const part =
        from === s.target
          ? `${s.target} bots for ${secs(s.durationMs)}`
          : `${from} → ${s.target} bots over ${secs(s.durationMs)}`;
      from = s.target;
      return part;
    });
    return `closed: ${parts.join(', ')}`;
  }
  let from = w.start;
  const parts = w.stages.map((s) => {
    const part =
      from === s.rate ? `${s.rate}/s for ${secs(s.durationMs)}` : `${from} → ${s.rate}/s over ${secs(s.durationMs)}`;
    from = s.rate;
    return part;
  });
  return `open: ${parts.join(', ')}, at most ${w.maxSessions} concurrent sessions`;
}

/** A TCP connect to the target, so that a wrong address fails at once with a clear message. */
export function probeTarget(host: string, port: number, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new LoadTestError(`cannot connect to ${host}:${port}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new LoadTestError(`cannot connect to ${host}:${port}: ${error.message}`));
    });
  });
}

/**
 * Runs one load test: the workload starts sessions of the scenario, the recorder measures them, and every
 * second the interval is closed and the summary rewritten (atomically), so a crash leaves the last second's
 * summary behind. Sessions are told to leave through their signal when the run ends.
 */
export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestResult> {
  const log = options.log ?? silentLogger;
  const { scenario, host, port, workload } = options;
  const totalMs = workloadDurationMs(workload);
  const external = options.signal;
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new LoadTestError(`threads must be a whole number of at least 1, got ${threads}`);
  }
  // Refused before anything connects: a scenario that declares no thread support never starts.
  if ((threads > 1 || options.pool) && (!scenario.threads || 'refused' in scenario.threads)) {
    throw new LoadTestError((threadData(scenario, undefined) as { refused: string }).refused);
  }
  // The per-second summary.json and CSV rows are built and written on a thread of their own (see progress.ts),
  // started now so that its loading overlaps the preparation.
  const progress = options.outDir ? new ProgressWriter(log) : undefined;
  const stop = new AbortController();
  /** Why the run was ended early as failed (an agent lost, a threshold failing with abortOnFail). */
  let abortReason: string | undefined;
  let abortedBy: string | undefined;
  const poolRun: PoolRun = {
    abort: (reason) => {
      abortReason ??= reason;
      stop.abort();
    },
  };
  const { shared, pool } = await (async () => {
    if (options.preflight !== false) await probeTarget(host, port);
    let shared: unknown;
    try {
      shared = await scenario.prepare?.({ host, port, log, params: options.params });
    } catch (error) {
      throw new LoadTestError(`scenario ${scenario.id}: prepare failed: ${(error as Error).message}`);
    }

    let pool: SessionPool | undefined;
    if (threads > 1 || options.pool) {
      const crossing = threadData(scenario, shared);
      if ('refused' in crossing) throw new LoadTestError(crossing.refused);
      try {
        const poolOptions: ThreadPoolOptions = {
          scenario,
          ...(options.scenarioModule ? { scenarioModule: options.scenarioModule } : {}),
          data: crossing.data,
          threads,
          host,
          port,
          log,
          params: options.params,
          seed: options.seed,
          thinkTimeMs: options.thinkTimeMs,
          requestTimeoutMs: options.requestTimeoutMs,
          stopGraceMs: options.stopGraceMs ?? 5000,
          maxSessions: workload.kind === 'open' ? workload.maxSessions : Number.MAX_SAFE_INTEGER,
          open: workload.kind === 'open',
          gapThresholdMs: options.gapThresholdMs ?? 500,
        };
        pool = options.pool ? await options.pool(poolOptions, poolRun) : await ThreadPool.start(poolOptions);
      } catch (error) {
        if (error instanceof LoadTestError) throw error;
        throw new LoadTestError(`cannot start the load generator's worker threads: ${(error as Error).message}`);
      }
    }
    // The run starts once the progress writer has loaded too (it loaded while the above went on).
    await progress?.ready();
    return { shared, pool };
  })().catch(async (error: unknown) => {
    await progress?.close();
    throw error;
  });

  const recorderOptions = {
    open: workload.kind === 'open',
    ...(scenario.reactive ? { reactive: scenario.reactive } : {}),
    ...(options.gapThresholdMs !== undefined ? { gapThresholdMs: options.gapThresholdMs } : {}),
  };
  /**
   * The run's figures, closed each second; the thresholds, the result and the final files read it. With one
   * thread the sessions record into it, with or without files to write (with them, each second's tick also
   * hands that second's samples to the progress writer: `tickHandingOver`); with worker threads it merges their
   * intervals. Created once the workers are ready (loading them takes a moment): the run and its rates count
   * from here.
   */
  const recorder = new LoadRecorder(recorderOptions);
  const startedAt = new Date();
  const t0 = recorder.startedAt;
  const run: RunDescription = {
    scenario: scenario.id,
    protocol: scenario.protocol,
    target: options.target ?? `${host}:${port}`,
    embedded: options.embedded ?? false,
    workload: describeWorkload(workload),
    durationSeconds: totalMs / 1000,
    thinkTimeMs: options.thinkTimeMs,
    requestTimeoutMs: options.requestTimeoutMs,
    seed: options.seed,
    params: options.params,
    ...(pool ? { threads: pool.threads } : {}),
  };
  const outDir = options.outDir;
  if (outDir) mkdirSync(outDir, { recursive: true });
  progress?.begin({
    run,
    startedAt: startedAt.toISOString(),
    startedAtEpochMs: performance.timeOrigin + t0,
    recorder: recorderOptions,
    thresholds: options.thresholds,
    summaryPath: join(outDir!, 'summary.json'),
    timeseriesPath: join(outDir!, 'timeseries.csv'),
  });
  pool?.attach(recorder, progress ? (thread, interval) => progress.interval(thread, interval) : undefined);
  const files = outDir
    ? {
        summary: join(outDir, 'summary.json'),
        timeseries: join(outDir, 'timeseries.csv'),
        report: join(outDir, 'report.html'),
      }
    : {};
  const rootRng = createRng(options.seed);
  const thresholdResults = (): ThresholdResult[] => evaluateThresholds(options.thresholds, recorder.lookup());
  const serverStats = () => {
    try {
      return options.serverStats?.();
    } catch {
      return undefined;
    }
  };
  /**
   * Closes the second. With files to write, the progress writer gets the point and, with one thread, the
   * second's samples (copied by the tick as it folds them, moved to the writer): the thread reading the replies
   * builds no summary and writes no file.
   */
  const tick = (): TimePoint => {
    if (!progress) return recorder.tick();
    if (pool) {
      const point = recorder.tick();
      progress.tick(point, undefined, serverStats());
      return point;
    }
    const { point, interval } = recorder.tickHandingOver();
    progress.tick(point, interval, serverStats());
    return point;
  };

  // Sessions.
  /** Aborted when the duration is over: no new session starts; running ones get the graceful stop. */
  const ending = new AbortController();
  const active = new Set<Promise<void>>();
  const sessionAborts = new Set<AbortController>();
  let nextIndex = 0;
  const sessionRun: SessionRun = {
    scenario,
    recorder,
    rootRng,
    log,
    host,
    port,
    thinkTimeMs: options.thinkTimeMs,
    requestTimeoutMs: options.requestTimeoutMs,
    params: options.params,
    shared,
  };
  const runSession = (signal: AbortSignal, scheduledAt: number): Promise<boolean> =>
    runScenarioSession(sessionRun, nextIndex++, signal, scheduledAt);
  const spawn = (fn: () => Promise<void>) => {
    const p = fn().finally(() => active.delete(p));
    active.add(p);
  };

  // Closed model: bots that each run sessions back to back; a ramp-down aborts the newest bots.
  const bots = new ClosedBots({ runSession, spawn, thinkTimeMs: options.thinkTimeMs, ending: ending.signal });
  let schedule: ArrivalSchedule | undefined;
  let nextArrival: number | undefined;
  /** Threaded open model: arrivals dealt so far (arrival j is session index j, run by worker j % threads). */
  let arrivals = 0;
  if (workload.kind === 'open') {
    schedule = new ArrivalSchedule(workload);
    nextArrival = schedule.next();
  }
  const control = () => {
    if (ending.signal.aborted) return;
    const now = performance.now();
    const elapsed = now - t0;
    if (pool) {
      // Threaded: the schedule stays here, the sessions run in the workers.
      if (workload.kind === 'closed') pool.setTarget(closedTarget(workload, Math.min(elapsed, totalMs - 1)));
      else {
        while (nextArrival !== undefined && nextArrival <= elapsed) {
          pool.arrive(arrivals++, performance.timeOrigin + t0 + nextArrival);
          nextArrival = schedule!.next();
        }
        pool.flush();
      }
    } else if (workload.kind === 'closed') {
      bots.setTarget(closedTarget(workload, Math.min(elapsed, totalMs - 1)));
    } else {
      while (nextArrival !== undefined && nextArrival <= elapsed) {
        const due = t0 + nextArrival;
        nextArrival = schedule!.next();
        if (recorder.activeSessions >= workload.maxSessions) {
          recorder.sessionDropped();
          continue;
        }
        const ac = new AbortController();
        sessionAborts.add(ac);
        recorder.latency('session_start_lag', (performance.now() - due) * 1000);
        spawn(async () => {
          try {
            await runSession(ac.signal, due);
          } finally {
            sessionAborts.delete(ac);
          }
        });
      }
    }
  };

  let ticks = 0;
  const ticker = setInterval(() => {
    const t = performance.now();
    const point = tick();
    // The first second also compiles this code (tens of ms, once): the steady per-second cost is what is judged.
    // With one thread it is reported with the next interval, as a worker thread does.
    if (++ticks > 1) recorder.noteSelfTime(performance.now() - t);
    if (options.abortOnFail && !stop.signal.aborted) {
      const upper = options.thresholds.filter((th) => th.op === '<' || th.op === '<=');
      const failed = evaluateThresholds(upper, recorder.lookup()).find((r) => !r.ok && r.actual !== undefined);
      if (failed) {
        abortedBy = failed.threshold;
        poolRun.abort(`threshold ${failed.threshold} failed at ${point.t} s (${failed.message}); run aborted`);
      }
    }
    try {
      options.onTick?.(point, recorder);
    } catch (error) {
      log.warn({ err: error }, 'onTick failed');
    }
  }, 1000);
  // The control loop wakes only when there is something to do: every 50 ms while a closed stage ramps, at the end
  // of a stage that holds its level, and at the next open arrival (at most every 5 ms, as the interval it replaces).
  // An interval woke an idle generator 20 or 200 times a second, each wake-up costing CPU (docs/performance.md).
  let controller: NodeJS.Timeout | undefined;
  const controlLoop = () => {
    controller = undefined;
    control();
    if (ending.signal.aborted) return;
    const elapsed = performance.now() - t0;
    let wait: number;
    if (workload.kind === 'closed') {
      const until = closedSteadyUntil(workload, elapsed);
      wait = until > elapsed ? until - elapsed : 50;
    } else wait = nextArrival === undefined ? totalMs - elapsed : Math.max(5, nextArrival - elapsed);
    controller = setTimeout(controlLoop, Math.max(1, Math.min(wait, 60_000)));
  };
  controlLoop();

  const onExternal = () => stop.abort();
  external?.addEventListener('abort', onExternal, { once: true });
  if (external?.aborted) stop.abort();
  await sleep(totalMs, stop.signal);
  ending.abort();
  if (controller) clearTimeout(controller);
  const gracefulMs = options.gracefulStopMs ?? 0;
  const grace = options.stopGraceMs ?? 5000;
  let interrupted: boolean;
  if (pool) {
    pool.end();
    if (gracefulMs > 0 && !stop.signal.aborted) await pool.waitIdle(gracefulMs, stop.signal);
    interrupted = external?.aborted === true;
    stop.abort();
    // Each worker counts its sessions cut off, stops them within its own stop grace and reports what it
    // measured until then.
    await pool.stop(grace);
  } else {
    if (gracefulMs > 0 && !stop.signal.aborted && active.size > 0) {
      await Promise.race([Promise.allSettled([...active]), sleep(gracefulMs, stop.signal)]);
    }
    interrupted = external?.aborted === true;
    recorder.markCutOff();
    stop.abort();
    bots.setTarget(0);
    for (const ac of sessionAborts) ac.abort(SESSION_STOPPED);
    sessionAborts.clear();
    const settled = Promise.allSettled([...active]).then(() => true);
    const graceOver = new AbortController();
    const inTime = await Promise.race([settled, delay(grace, false, { signal: graceOver.signal }).catch(() => false)]);
    graceOver.abort();
    if (!inTime) {
      recorder.count('stuck_sessions', active.size);
      log.warn({ sessions: active.size }, `sessions did not leave within ${grace} ms of the end; abandoned`);
    }
  }
  clearInterval(ticker);
  external?.removeEventListener('abort', onExternal);
  // The last (short) second: the final files below are written from the recorder itself.
  recorder.tick();
  recorder.end();
  // The writer finishes the write it is in: the final files below are then the last word.
  await progress?.close();

  let status: RunStatus = interrupted ? 'interrupted' : 'completed';
  let failure: string | undefined;
  const connectSamples = recorder.latencySummary('connect')?.corrected.count ?? 0;
  if (recorder.sessionsStarted > 0 && recorder.connectionsTracked === 0 && connectSamples === 0) {
    status = 'failed';
    const kinds = Object.entries(recorder.errors())
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    failure = `no session could connect to ${host}:${port}${kinds ? ` (errors: ${kinds})` : ''}`;
  }
  // A dead worker thread or agent took its sessions' last measurements with it: the figures are incomplete.
  const lost = pool?.failure();
  if (lost) {
    status = 'failed';
    failure = lost;
  }
  if (abortReason) {
    status = 'failed';
    failure = failure && failure !== abortReason ? `${abortReason}; ${failure}` : abortReason;
  }
  const stats = serverStats();
  const summary = buildSummary(recorder, run, startedAt, status, thresholdResults(), {
    ...(failure ? { failure } : {}),
    ...(stats ? { server: stats } : {}),
    ...pool?.summaryExtra?.(),
  });
  if (files.summary && files.timeseries && files.report) {
    writeAtomic(files.summary, `${JSON.stringify(summary, null, 2)}\n`);
    await new TimeseriesFile(files.timeseries).update(recorder.points, true);
    const curves: Record<string, { corrected: [number, number][]; uncorrected: [number, number][] }> = {};
    for (const name of recorder.latencyNames()) {
      curves[name] = { corrected: recorder.percentileCurve(name), uncorrected: recorder.percentileCurve(name, true) };
    }
    writeAtomic(files.report, renderReport({ summary, points: recorder.points, curves }));
  }
  // Only when the threshold came first (an agent lost before it is the run's failure).
  const byThreshold = abortedBy !== undefined && abortReason?.startsWith('threshold ') === true;
  return { status, summary, recorder, files, ...(byThreshold ? { abortedBy } : {}) };
}
