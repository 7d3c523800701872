#!/usr/bin/env node
// botswarm runs its TypeScript sources through tsx: no build step, and a bot writer's own `.ts` strategy file
// loads the same way as the built-in ones. Both hooks are registered because a user's file outside an ESM
// package (no "type": "module" nearby) is loaded as CommonJS.
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerCjs();
register();
await import('../src/cli/main.ts');
