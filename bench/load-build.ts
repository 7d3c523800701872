/**
 * The load generator the stepped load benches run: the compiled build (dist/, what `botswarm loadtest` runs: see
 * bin/botswarm.js) when it is fresh, else the TypeScript sources through tsx (src/core/compiled-build.ts; forced
 * with BOTSWARM_FROM_SOURCE=1). A generator thread running the sources through tsx measured the transform, not the
 * product: tsx compiles with esbuild's `keepNames`, which made each of a session's ~46 closures a dictionary-mode
 * object, 11–12 KB more heap a session and more CPU per session start (docs/performance.md, "10,000 bots: the
 * hold's first seconds"). `npm run build` first; a build older than any source is not used.
 *
 * The young-generation cap comes from the same build as the sessions: the thread that set it lifts it, through
 * that module's own state (src/load/young-generation.ts).
 */
import { pathToFileURL } from 'node:url';
import { freshBuild } from '../src/core/compiled-build.ts';

const built = freshBuild(['dist/src/load/index.js', 'dist/src/load/young-generation.js']);

/** Which build the benches' generator runs, for their notes. */
export const loadBuild: 'compiled' | 'sources' = built ? 'compiled' : 'sources';

const load = (await import(
  built ? pathToFileURL(built[0]!).href : '../src/load/index.ts'
)) as typeof import('../src/load/index.ts');
const young = (await import(
  built ? pathToFileURL(built[1]!).href : '../src/load/young-generation.ts'
)) as typeof import('../src/load/young-generation.ts');

export const { loadScenario, runLoadTest } = load;
export const { capYoungGeneration } = young;
