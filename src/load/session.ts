import type { Logger } from '../core/log.ts';
import type { Rng } from '../core/rng.ts';
import type { LoadRecorder } from './metrics.ts';
import type { LoadScenario, SessionContext } from './types.ts';

/** What every session of a run shares, in the main thread or in a generator thread alike. */
export interface SessionRun {
  readonly scenario: LoadScenario;
  readonly recorder: LoadRecorder;
  /** Session `index` draws from its fork `session/<index>`, so its stream is the same whatever thread runs it. */
  readonly rootRng: Rng;
  readonly log: Logger;
  readonly host: string;
  readonly port: number;
  readonly thinkTimeMs: number;
  readonly requestTimeoutMs: number;
  readonly params: SessionContext['params'];
  readonly shared: unknown;
}

/** Runs one bot session of the scenario to its end; resolves with whether it recorded an error. */
export async function runScenarioSession(
  run: SessionRun,
  index: number,
  signal: AbortSignal,
  scheduledAt: number,
): Promise<boolean> {
  const metrics = run.recorder.session();
  run.recorder.sessionStarted();
  const context: SessionContext = {
    host: run.host,
    port: run.port,
    index,
    metrics,
    rng: run.rootRng.fork(`session/${index}`),
    log: run.log,
    signal,
    thinkTimeMs: run.thinkTimeMs,
    requestTimeoutMs: run.requestTimeoutMs,
    params: run.params,
    shared: run.shared,
    scheduledAt,
  };
  try {
    await run.scenario.runSession(context);
  } catch (error) {
    // Scenarios record their errors; a throw is a bug in one, counted rather than fatal for the run.
    metrics.error('exception');
    run.log.warn({ err: error, session: index }, 'session threw');
  } finally {
    run.recorder.sessionEnded(metrics.errored);
  }
  return metrics.errored;
}
