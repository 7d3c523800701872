#!/usr/bin/env node
// The CLI runs the compiled JavaScript in dist/ (built by `npm run build`; in a checkout `npm install`/`npm ci`
// build it through the `prepare` script, and the published package ships it), so a command starts without
// compiling anything. A bot writer's `.ts` module still loads: tsx is registered when such a file is named
// (src/bots/user-module.ts). BOTSWARM_FROM_SOURCE=1, or a checkout not built yet, runs the TypeScript sources
// through tsx instead.
import { existsSync } from 'node:fs';

const built = new URL('../dist/src/cli/main.js', import.meta.url);
if (process.env.BOTSWARM_FROM_SOURCE !== '1' && existsSync(built)) {
  await import(built.href);
} else {
  const { register: registerCjs } = await import('tsx/cjs/api');
  const { register } = await import('tsx/esm/api');
  registerCjs();
  register();
  globalThis[Symbol.for('botswarm.tsx')] = true;
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
