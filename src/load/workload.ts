/**
 * Workload models. Closed: a number of concurrent bots, each running sessions back to back (k6's ramping VUs).
 * Open: new sessions arriving at a rate whatever happens to the earlier ones (k6's ramping arrival rate), so a
 * slow server cannot slow the arrivals down; past `maxSessions` concurrent sessions an arrival is dropped and
 * counted. Both ramp linearly within a stage from the level at the end of the previous one.
 */

export interface ClosedStage {
  readonly durationMs: number;
  /** Concurrent bots at the end of the stage. */
  readonly target: number;
}

export interface OpenStage {
  readonly durationMs: number;
  /** Arrivals per second at the end of the stage. */
  readonly rate: number;
}

export type Workload =
  | { readonly kind: 'closed'; readonly start: number; readonly stages: readonly ClosedStage[] }
  | {
      readonly kind: 'open';
      readonly start: number;
      readonly stages: readonly OpenStage[];
      readonly maxSessions: number;
    };

export class WorkloadError extends Error {
  override name = 'WorkloadError';
}

export function parseDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new WorkloadError(`not a duration: "${text}" (examples: 500ms, 30s, 2m)`);
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!);
}

/** `50/s`, `50`, `3000/m`: arrivals per second. */
export function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/(s|m))?$/.exec(text.trim());
  if (!m) throw new WorkloadError(`not a rate: "${text}" (examples: 50/s, 600/m)`);
  return Number(m[1]) / (m[2] === 'm' ? 60 : 1);
}

/**
 * `10s:100,20s:100,5s:0` (bots: closed) or `10s:50/s,20s:50/s` (arrivals: open). Every stage of a list must be
 * of the same kind.
 */
export function parseStages(
  text: string,
): { kind: 'closed'; stages: ClosedStage[] } | { kind: 'open'; stages: OpenStage[] } {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new WorkloadError('--stages: no stage given (example: 10s:100,20s:100,5s:0)');
  const closed: ClosedStage[] = [];
  const open: OpenStage[] = [];
  for (const part of parts) {
    const colon = part.indexOf(':');
    if (colon <= 0) throw new WorkloadError(`stage "${part}" is not <duration>:<bots> or <duration>:<rate>/s`);
    const durationMs = parseDurationMs(part.slice(0, colon));
    const target = part.slice(colon + 1).trim();
    if (target.includes('/')) open.push({ durationMs, rate: parseRate(target) });
    else {
      if (!/^\d+$/.test(target)) throw new WorkloadError(`stage "${part}": bots must be a whole number`);
      closed.push({ durationMs, target: Number(target) });
    }
  }
  if (closed.length && open.length) {
    throw new WorkloadError('--stages mixes bot counts and arrival rates: use one kind (10s:100 or 10s:50/s)');
  }
  return closed.length ? { kind: 'closed', stages: closed } : { kind: 'open', stages: open };
}

export function workloadDurationMs(w: Workload): number {
  let total = 0;
  for (const s of w.stages) total += s.durationMs;
  return total;
}

/** Concurrent bots wanted at `t` ms (closed model). */
export function closedTarget(w: Extract<Workload, { kind: 'closed' }>, t: number): number {
  let from = w.start;
  let at = 0;
  for (const s of w.stages) {
    if (t < at + s.durationMs) return Math.round(from + ((s.target - from) * (t - at)) / s.durationMs);
    at += s.durationMs;
    from = s.target;
  }
  return 0;
}

/**
 * Until when (ms) the closed model's target stays what it is at `t`: the end of the current stage when the stage
 * holds its level, `t` itself while it ramps (the target may change any time), the duration after the last stage.
 */
export function closedSteadyUntil(w: Extract<Workload, { kind: 'closed' }>, t: number): number {
  let from = w.start;
  let at = 0;
  for (const s of w.stages) {
    if (t < at + s.durationMs) return s.target === from ? at + s.durationMs : t;
    at += s.durationMs;
    from = s.target;
  }
  return at;
}

/**
 * Intended start times of an open workload, in ms from the start: arrival i (from 0) is due when the integral of
 * the rate reaches i, so the schedule is exact and independent of how late the generator is.
 */
export class ArrivalSchedule {
  #stage = 0;
  #stageStart = 0;
  /** Arrivals due before the current stage. */
  #stageBase = 0;
  #rateFrom: number;
  #next = 0;

  constructor(readonly workload: Extract<Workload, { kind: 'open' }>) {
    this.#rateFrom = workload.start;
  }

  /** Time of the next arrival, or undefined when the schedule is over. Advances. */
  next(): number | undefined {
    const n = this.#next;
    const stages = this.workload.stages;
    while (this.#stage < stages.length) {
      const s = stages[this.#stage]!;
      const r0 = this.#rateFrom / 1000;
      const r1 = s.rate / 1000;
      const d = s.durationMs;
      const inStage = n - this.#stageBase;
      const stageTotal = ((r0 + r1) / 2) * d;
      if (inStage < stageTotal) {
        let x: number;
        if (Math.abs(r1 - r0) < 1e-12) x = inStage / r0;
        else {
          const a = (r1 - r0) / (2 * d);
          x = (-r0 + Math.sqrt(r0 * r0 + 4 * a * inStage)) / (2 * a);
        }
        this.#next++;
        return this.#stageStart + Math.min(Math.max(x, 0), d);
      }
      this.#stageBase += stageTotal;
      this.#stageStart += d;
      this.#rateFrom = s.rate;
      this.#stage++;
    }
    return undefined;
  }
}
