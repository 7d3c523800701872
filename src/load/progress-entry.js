// The progress writer's entry (src/load/progress-writer.ts), in plain JavaScript for the reason given in
// thread-entry.js: on Node 20 a worker registers tsx itself before it loads TypeScript. In the compiled package
// the import below names the compiled module and tsx only stays registered for nothing.
import { register } from 'tsx/esm/api';

register();
await import('./progress-writer.ts');
