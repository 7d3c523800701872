/**
 * The load generator's old generation: how far V8 lets it grow past what the last full collection left live. V8
 * sets that limit after each full collection to the live size times a factor it picks from the collector's and the
 * program's speed, up to 4× on a machine with memory to spare. A generator's sessions promote a steady stream of
 * objects that die soon after (a bot's observation lives for its think time, past two scavenges), so its old
 * space fills with garbage up to the limit: at 1,000 bots 40–55 MiB of old space for about 26 MiB live
 * (docs/performance.md, "RSS per bot, fourth pass").
 *
 * `botswarm loadtest` with its sessions on the main thread sets the factor to 1.3, V8's own factor when it grows
 * the heap conservatively (`--heap-growing-percent=30`, read at every full collection, so it works set at run
 * time). Full collections come more often, each mostly concurrent marking on V8's helper threads. (V8 still lets
 * the old space grow by at least 8 MiB between full collections: at a few hundred bots the factor changes
 * nothing.) Threaded runs are left alone: the flag is process-wide and every worker's heap would follow it, and
 * their sizing was measured stable as it is (young-generation.ts).
 */
import { setFlagsFromString } from 'node:v8';

let set = false;

/** Whether the user chose the growth with node's own flag (node's command line; NODE_OPTIONS refuses it). */
function chosenByUser(): boolean {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return /heap[-_]growing[-_]percent/.test(flags);
}

/** Old-generation growth of this process held to 1.3× its live size; false when the user's flags set it. */
export function limitOldGenerationGrowth(): boolean {
  if (set) return true;
  if (chosenByUser()) return false;
  setFlagsFromString('--heap-growing-percent=30');
  set = true;
  return true;
}
