#!/usr/bin/env node
// botswarm runs its TypeScript sources through tsx: no build step, and a bot writer's own
// `.ts` strategy file loads the same way as the built-in ones.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
