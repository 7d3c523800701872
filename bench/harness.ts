/**
 * Benchmarks are modules `bench/<area>.bench.ts` exporting `run(): Promise<BenchResult[]>`; `npm run bench`
 * (bench/run.ts) runs them one after another, prints each figure and writes BENCHMARKS.md with the machine.
 * Ratios are measured side by side inside one module, in one run, because the machines are shared and noisy.
 */
export interface BenchResult {
  /** Section heading in BENCHMARKS.md, e.g. `Galax engine`. */
  readonly group: string;
  /** What was measured, e.g. `2 players, random bots: full games/s (1 core)`. */
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The target from the issue, e.g. `>= 2000`, if there is one. */
  readonly target?: string;
  /** What limits this figure, or how it was measured. */
  readonly note?: string;
}

export type Bench = () => Promise<BenchResult[]>;

/** Runs `fn` repeatedly for at least `ms` milliseconds; returns operations per second. */
export function opsPerSecond(fn: () => number, ms = 2000): number {
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    ops += fn();
    elapsed = performance.now() - start;
  }
  return (ops * 1000) / elapsed;
}
