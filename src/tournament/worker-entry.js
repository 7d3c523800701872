// The worker thread's entry, in plain JavaScript so that it starts the same way whether the parent runs the
// compiled package (dist/: the worker module is JavaScript next to this file) or the TypeScript sources (a
// test, BOTSWARM_FROM_SOURCE=1): on Node 20 a loader given through execArgv does not apply to a worker's own
// imports, so from source the worker registers tsx itself. User bot modules written in TypeScript register
// tsx on their own when named (src/bots/user-module.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('./worker.js', import.meta.url);
let worker;
if (existsSync(fileURLToPath(compiled))) {
  worker = await import(compiled.href);
} else {
  const { register: registerCjs } = await import('tsx/cjs/api');
  const { register } = await import('tsx/esm/api');
  registerCjs();
  register();
  globalThis[Symbol.for('botswarm.tsx')] = true;
  worker = await import(new URL('./worker.ts', import.meta.url).href);
}

export default worker.playBatchLines;
