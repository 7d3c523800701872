import { pathToFileURL } from 'node:url';

/** Set by whoever registered tsx in this thread (bin/botswarm.js from source, or `importUserModule`). */
const TSX_FLAG = Symbol.for('botswarm.tsx');

const TYPESCRIPT = /\.(c|m)?tsx?$/;

/**
 * Registers tsx in this thread, once: both hooks, because a user's file outside an ESM package (no
 * `"type": "module"` nearby) is CommonJS to Node and to tsx. Only called when a TypeScript file is named, so
 * the compiled CLI and the built-in bots never pay for it.
 */
async function ensureTypeScript(): Promise<void> {
  const flags = globalThis as Record<symbol, unknown>;
  if (flags[TSX_FLAG]) return;
  flags[TSX_FLAG] = true;
  const [{ register: registerCjs }, { register }] = await Promise.all([import('tsx/cjs/api'), import('tsx/esm/api')]);
  registerCjs();
  register();
}

/**
 * Imports a module the user named by path (a bot, an engine, a load scenario): `.js`/`.mjs`/`.cjs` as Node
 * does, `.ts`/`.mts`/`.cts` through tsx. `path` is absolute.
 */
export async function importUserModule(path: string): Promise<Record<string, unknown>> {
  if (TYPESCRIPT.test(path)) await ensureTypeScript();
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}
