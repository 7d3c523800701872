import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const checkout = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The compiled build's files (`paths`, relative to the checkout, e.g. `dist/src/load/thread-entry.js`) as absolute
 * paths, when a process running the TypeScript sources (tests, `npm run bench`, a checkout run with tsx) may load
 * them instead of the sources (in its worker threads, or a bench's generator): every one exists, the build finished
 * (`npm run build` writes dist/build.json with the time it started, last, after removing it first) and no source
 * file a worker may load was modified after the build started (so neither an interrupted build nor a source saved
 * while tsc ran passes for a fresh one). Undefined otherwise, and always with BOTSWARM_FROM_SOURCE=1, as for the
 * CLI (bin/botswarm.js).
 *
 * Why: a worker thread started through tsx compiles every module again, and tsx compiles with esbuild's
 * `keepNames`, which gives each named function a `name` property of its own when it is created; V8 then keeps
 * that function's properties in a dictionary (256 bytes). A load session creates about 46 such closures:
 * 11–12 KB of its heap and a property definition each that the compiled build, which the CLI runs, has not
 * (docs/performance.md, "10,000 bots: the hold's first seconds").
 */
export function freshBuild(paths: readonly string[], root: string = checkout): string[] | undefined {
  if (process.env.BOTSWARM_FROM_SOURCE === '1' || paths.length === 0) return undefined;
  const files = paths.map((p) => join(root, p));
  if (!files.every((f) => existsSync(f))) return undefined;
  const builtAt = buildStart(root);
  if (builtAt === undefined) return undefined;
  for (const dir of ['src', 'bots', 'strategies']) {
    if (newerThan(join(root, dir), builtAt)) return undefined;
  }
  return files;
}

/** When the last finished `npm run build` started (ms), from dist/build.json; undefined without one. */
function buildStart(root: string): number | undefined {
  try {
    const { startedAt } = JSON.parse(readFileSync(join(root, 'dist/build.json'), 'utf8')) as { startedAt?: unknown };
    return typeof startedAt === 'number' ? startedAt : undefined;
  } catch {
    return undefined;
  }
}

/** Whether any .ts/.js/.json file under `dir` was modified after `time` (ms). */
function newerThan(dir: string, time: number): boolean {
  if (!existsSync(dir)) return false;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !/\.(ts|js|json)$/.test(e.name)) continue;
    if (statSync(join(e.parentPath, e.name)).mtimeMs > time) return true;
  }
  return false;
}
