// The worker thread's entry, in plain JavaScript: on Node 20 a loader given to a worker with
// `execArgv: ['--import', 'tsx']` does not apply to the worker's own imports, so each worker registers tsx
// itself before it loads the TypeScript worker module (and, through it, engines and user bot modules).
import { register } from 'tsx/esm/api';

register();
const { playBatchLines } = await import('./worker.ts');

export default playBatchLines;
