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
