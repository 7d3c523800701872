import { setTimeout as delay } from 'node:timers/promises';

/** Small helpers every scenario (and the runner) needs, kept once. */

/** Waits `ms`, or less if `signal` aborts first (the run is ending); never rejects. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return;
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // Aborted: the caller checks its signal.
  }
}

/** A numeric scenario parameter (`--param rate=5`), or `fallback` when it is absent, empty or not a number. */
export function numParam(value: string | number | boolean | undefined, fallback: number): number {
  const n = Number(value);
  return value === undefined || value === '' || !Number.isFinite(n) ? fallback : n;
}

/**
 * A whole-number scenario parameter within [min, max], or `fallback` when absent; anything else stops the run
 * before it starts, with the scenario, the parameter and the range named.
 */
export function intParam(
  scenario: string,
  params: Readonly<Record<string, string | number | boolean>>,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = params[key] ?? fallback;
  const n = Number(raw);
  if (typeof raw === 'boolean' || raw === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new Error(
      `${scenario}: parameter ${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** Why a session stopped early: `kind` is the error kind it counts (`timeout`, `disconnect`, ...). */
export class SessionFailure extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An error made once without a stack trace, for a reason shared by every session it ends (a run stopped, a run
 * ended): capturing a stack per session costs CPU and heap that nothing reads (docs/performance.md, "RSS per bot,
 * fourth pass" and "Against Locust at 5,000 bots").
 */
export function stackless<E extends Error>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
