/**
 * The load generator's young generation (V8's nursery, where every new object starts). V8 grows it with the
 * allocation rate, from 1 MiB semi-spaces up to 16 MiB ones (a 32–48 MiB young generation): in a generator that
 * allocates a little per message for thousands of sessions it reaches its maximum within seconds and stays
 * there. That was most of the generator's RSS growth at 200–1,000 bots (docs/performance.md, "Against Locust").
 *
 * `botswarm loadtest` keeps the young generation at V8's initial size instead. The size can only be given at
 * start-up (`--max-semi-space-size`), which the CLI cannot do for its own process without starting a second one
 * (a tenth of a CPU-second: the start-up budget). What V8 does read at run time is the growth factor, on every
 * growth: set to 1, the young generation never grows. (V8 raises a factor below 2 to 2 when it configures the heap,
 * so the flag only works set after start-up, which is where this runs.) Worker threads are left alone: an isolate
 * created later builds its heap with the factor raised back to 2, and capping them through `resourceLimits` (tried)
 * made 5,000 sessions a thread scavenge so often that 10,000 bots on 2 threads went from 88% to 138% CPU and from a
 * p99 of 69 ms to 656 ms (docs/performance.md, "Third pass").
 *
 * The trade: with a smaller nursery V8 scavenges more often and promotes more objects that would have died young
 * (a bot's observation lives for its think time), so a run costs some more CPU for less memory. Measured in
 * docs/performance.md.
 *
 * That trade turns with the number of sessions: the allocation rate grows with them and so does what is alive
 * at each scavenge (every thinking bot's observation, every session's pointers into the nursery), so with a fixed
 * nursery the scavenges' cost grows with the square of the sessions. At 5,000 Galax bots on one thread the capped
 * nursery scavenged 230–440 times in 30 s, 7–10 s of pauses, where with the cap lifted at 2,000 sessions it
 * scavenged 73–91 times, 2.6–5 s (docs/performance.md, "Fifth pass"). So the cap is lifted once the thread
 * runs `YOUNG_CAP_SESSIONS` sessions at once: the nursery then grows by at most its 32–48 MiB, under 20 KiB per
 * session there; at 5,000 bots it measured about 6 KiB per bot.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

let capped = false;
let lifted = false;

/** Sessions running at once on the capped thread from which the young generation may grow again. */
export const YOUNG_CAP_SESSIONS = 2_000;

/** Whether the user sized the young generation (node flags, NODE_OPTIONS): then theirs is kept. */
function sizedByUser(): boolean {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return /semi[-_]space/.test(flags);
}

/**
 * Stops this process's young generation from growing past its current size (the process-wide V8 flag: every
 * isolate of the process). Once per process; false when the user's own node flags size it (nothing changed).
 */
export function capYoungGeneration(): boolean {
  if (capped) return true;
  if (sizedByUser()) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
  capped = true;
  return true;
}

/**
 * The number of sessions running now on this thread (src/load/session.ts tells it at each start): from
 * `YOUNG_CAP_SESSIONS` on, a cap this thread set is lifted, once (V8's own growth factor again). True when it
 * was lifted by this call. A thread that set no cap (a worker, a user's own sizing) changes nothing.
 */
export function sessionsRunning(sessions: number): boolean {
  if (!capped || lifted || sessions < YOUNG_CAP_SESSIONS) return false;
  setFlagsFromString('--semi-space-growth-factor=2');
  lifted = true;
  return true;
}

/** The young generation's committed size now, in bytes (for tests and diagnostics). */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}
