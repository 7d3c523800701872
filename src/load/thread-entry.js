// A load-generator worker thread's entry, in plain JavaScript: on Node 20 a loader given to a worker through
// execArgv does not apply to the worker's own imports, so the worker registers tsx itself before it loads the
// TypeScript worker module (and, through it, the scenario, its protocol client and bot modules).
import { register } from 'tsx/esm/api';

register();
await import('./thread-worker.ts');
