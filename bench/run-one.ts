// Child process of bench/run.ts: runs one benchmark module and prints its results as one JSON line.
import { pathToFileURL } from 'node:url';
import type { Bench } from './harness.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: run-one.ts <bench module>');
const mod = (await import(pathToFileURL(file).href)) as { run?: Bench };
if (typeof mod.run !== 'function') throw new Error(`${file} does not export run()`);
const results = await mod.run();
process.stdout.write(`BENCH_RESULTS ${JSON.stringify(results)}\n`);
process.exit(0);
