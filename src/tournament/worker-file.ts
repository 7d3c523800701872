import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { freshBuild } from '../core/compiled-build.ts';
import type { BatchTask } from './worker.ts';

/**
 * The module piscina loads in each game worker thread (tournaments, `botswarm match`). From the compiled package
 * it is the compiled entry next to this file. From the TypeScript sources (tests, `npm run bench`, a checkout
 * run with tsx) it is the compiled entry in dist/ when that build is at least as new as every source file a
 * worker may load, and the source entry (which registers tsx in the thread) otherwise: a worker thread started
 * through tsx spent about three quarters of its start-up registering the loader and compiling the sources, the
 * same modules `npm run build` has already compiled. BOTSWARM_FROM_SOURCE=1 forces the sources, as for the CLI.
 */
export function workerEntry(): string {
  cached ??= pickEntry();
  return cached;
}

let cached: string | undefined;

/**
 * The game worker threads of a tournament, a `botswarm match` and a queue worker: `workers` threads on
 * `workerEntry()`, each holding its next task while it plays the current one, so it starts it at once instead of
 * idling until the parent (which competes with the workers for the cores) wakes up to hand it out.
 *
 * Ending the pool while games run (an SPRT that has decided, Ctrl-C) drops their tasks; a thread that finishes a
 * dropped task afterwards answers a task the pool no longer knows, which piscina emits as an 'error' event on the
 * pool. With no listener that event ended the process after the run had already decided; it is the one event
 * ignored here.
 */
export function gameThreads(workers: number): Piscina<BatchTask, string> {
  const pool = new Piscina<BatchTask, string>({
    filename: workerEntry(),
    execArgv: workerExecArgv(),
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: 2,
    idleTimeout: 60_000,
  });
  pool.on('error', (error: Error) => {
    if (!error.message.startsWith('Unexpected message from Worker')) throw error;
  });
  return pool;
}

/**
 * The Node flags a game worker thread starts with: this process's, less the ones that load tsx (`--import tsx`,
 * `--require tsx`, `--loader tsx` and their `=` spellings). A thread inherits them, and under tsx (`npm run bench`,
 * a test) they had every worker thread load tsx and esbuild, a third of its start-up, only to import compiled
 * JavaScript; from the sources the entry registers tsx itself (see worker-entry.js). Other flags pass
 * (`--cpu-prof`, heap sizes).
 */
export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const loads = (value: string | undefined) => value !== undefined && /(^|[\\/])tsx([\\/]|$)/.test(value);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    if (LOADER_FLAGS.has(flag!)) {
      if (inline !== undefined ? loads(inline) : loads(argv[i + 1])) {
        if (inline === undefined) i++;
        continue;
      }
    }
    out.push(arg);
  }
  return out;
}

const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

const here = new URL('./worker-entry.js', import.meta.url);

function pickEntry(): string {
  if (!import.meta.url.endsWith('.ts')) return here.href;
  const built = freshBuild(['dist/src/tournament/worker.js', 'dist/src/tournament/worker-entry.js']);
  return built ? pathToFileURL(built[1]!).href : here.href;
}
