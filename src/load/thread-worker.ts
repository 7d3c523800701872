/**
 * One load-generator worker thread: it runs the sessions the main thread deals it (a share of the closed
 * model's bots, or open-model arrivals), records them in its own LoadRecorder, and sends that recorder's
 * interval to the main thread every second. The main thread keeps the schedule, thresholds and reports.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, type Logger } from '../core/log.ts';
import { createRng } from '../core/rng.ts';
import { LoadRecorder } from './metrics.ts';
import { sleep } from './scenario-kit.ts';
import { loadScenario } from './scenarios.ts';
import { ClosedBots, runScenarioSession, SESSION_STOPPED, type SessionRun } from './session.ts';
import type { FromWorker, ToWorker, WorkerInit } from './thread-protocol.ts';
import type { LoadScenario } from './types.ts';

const port = parentPort;
if (!port) throw new Error('thread-worker.ts runs as a worker thread of the load generator');
const init = workerData as WorkerInit;
const post = (message: FromWorker) => port.postMessage(message);

async function findScenario(): Promise<LoadScenario> {
  if (!init.scenarioModule) return loadScenario(init.scenario);
  const mod = (await import(init.scenarioModule)) as Record<string, unknown>;
  const found = Object.values(mod).find(
    (v): v is LoadScenario => !!v && typeof v === 'object' && (v as LoadScenario).id === init.scenario,
  );
  if (!found) throw new Error(`${init.scenarioModule} exports no scenario "${init.scenario}"`);
  return found;
}

async function main(): Promise<void> {
  const log: Logger = createLogger({ level: init.logLevel, name: 'loadtest' }).child({ thread: init.thread });
  let scenario: LoadScenario;
  let shared: unknown;
  try {
    scenario = await findScenario();
    const support = scenario.threads;
    if (!support || 'refused' in support) throw new Error(`scenario ${scenario.id} cannot run on worker threads`);
    shared = support.inWorker
      ? await support.inWorker(init.data, {
          host: init.host,
          port: init.port,
          log,
          params: init.params,
          thread: init.thread,
          threads: init.threads,
        })
      : init.data;
  } catch (error) {
    post({ type: 'init-failed', message: (error as Error).message });
    return;
  }

  const recorder = new LoadRecorder({
    open: init.open,
    gapThresholdMs: init.gapThresholdMs,
    ...(scenario.reactive ? { reactive: scenario.reactive } : {}),
  });
  const rootRng = createRng(init.seed);
  const stop = new AbortController();
  const ending = new AbortController();
  const active = new Set<Promise<void>>();
  const sessionAborts = new Set<AbortController>();
  // Session indexes interleave over the threads (thread + threads * k), so bot slot b's first session has
  // index b whatever the thread count, and every index names the same seeded stream.
  let local = 0;
  const nextIndex = () => init.thread + init.threads * local++;
  let idleSent = false;
  const maybeIdle = () => {
    if (ending.signal.aborted && active.size === 0 && !idleSent) {
      idleSent = true;
      post({ type: 'idle' });
    }
  };

  const sessionRun: SessionRun = {
    scenario,
    recorder,
    rootRng,
    log,
    host: init.host,
    port: init.port,
    thinkTimeMs: init.thinkTimeMs,
    requestTimeoutMs: init.requestTimeoutMs,
    params: init.params,
    shared,
  };
  const runSession = (index: number, signal: AbortSignal, scheduledAt: number): Promise<boolean> =>
    runScenarioSession(sessionRun, index, signal, scheduledAt);
  const spawn = (fn: () => Promise<void>) => {
    const p = fn().finally(() => {
      active.delete(p);
      maybeIdle();
    });
    active.add(p);
  };

  // Closed model: the same bot loop as the single-threaded runner.
  const bots = new ClosedBots({
    runSession: (signal, scheduledAt) => runSession(nextIndex(), signal, scheduledAt),
    spawn,
    thinkTimeMs: init.thinkTimeMs,
    ending: ending.signal,
  });
  const arrive = (sessions: readonly (readonly [number, number])[]) => {
    for (const [index, dueEpochMs] of sessions) {
      // performance.now() counts from each thread's own origin: the due time crosses as epoch ms.
      const due = dueEpochMs - performance.timeOrigin;
      if (recorder.activeSessions >= init.maxSessions) {
        recorder.sessionDropped();
        continue;
      }
      const ac = new AbortController();
      sessionAborts.add(ac);
      recorder.latency('session_start_lag', Math.max(0, performance.now() - due) * 1000);
      spawn(async () => {
        try {
          await runSession(index, ac.signal, due);
        } finally {
          sessionAborts.delete(ac);
        }
      });
    }
  };

  let ticks = 0;
  const ticker = setInterval(() => {
    const t = performance.now();
    const interval = recorder.takeInterval();
    post({ type: 'interval', interval });
    // Reported with the next interval: this thread reads replies, so its own per-second work is a generator delay
    // (the first second, which also compiles this code, left out as in the runner).
    if (++ticks > 1) recorder.noteSelfTime(performance.now() - t);
  }, 1000);
  const finish = async () => {
    recorder.markCutOff();
    stop.abort();
    ending.abort();
    bots.setTarget(0);
    for (const ac of sessionAborts) ac.abort(SESSION_STOPPED);
    sessionAborts.clear();
    const graceOver = new AbortController();
    const inTime = await Promise.race([
      Promise.allSettled([...active]).then(() => true),
      sleep(init.stopGraceMs, graceOver.signal).then(() => false),
    ]);
    graceOver.abort();
    const stuck = inTime ? 0 : active.size;
    if (stuck) {
      recorder.count('stuck_sessions', stuck);
      log.warn({ sessions: stuck }, `sessions did not leave within ${init.stopGraceMs} ms of the end; abandoned`);
    }
    clearInterval(ticker);
    recorder.end();
    post({ type: 'done', interval: recorder.takeInterval(), stuck });
  };

  port!.on('message', (message: ToWorker) => {
    if (stop.signal.aborted) return;
    switch (message.type) {
      case 'target':
        if (!ending.signal.aborted) bots.setTarget(message.bots);
        break;
      case 'arrive':
        if (!ending.signal.aborted) arrive(message.sessions);
        break;
      case 'end':
        ending.abort();
        maybeIdle();
        break;
      case 'stop':
        void finish();
        break;
    }
  });
  post({ type: 'ready' });
}

await main();
