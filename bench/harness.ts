/**
 * Benchmarks are modules `bench/<area>.bench.ts` exporting `run(): Promise<BenchResult[]>`; `npm run bench`
 * (bench/run.ts) runs them one after another, prints each figure and writes BENCHMARKS.md with the machine.
 * Ratios are measured side by side inside one module, in one run, because the machines are shared and noisy.
 */

import type { GameEngine } from '../src/core/engine.ts';
import { runMatch } from '../src/core/match.ts';
import type { StrategyFactory } from '../src/core/strategy.ts';
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

/**
 * `met` or `missed` for a figure with a target (`>= 2000`, `< 1000`, `<= 50`, `> 1.8`), `unchecked` for a target this
 * reader cannot parse (a bench must not write one), '' without a target.
 */
export function judge(r: Pick<BenchResult, 'value' | 'target'>): '' | 'met' | 'missed' | 'unchecked' {
  if (!r.target) return '';
  // A trailing "(…)" says where the target comes from; it is not part of the bound.
  const target = r.target.replace(/\s*\([^)]*\)\s*$/, '');
  const num = '(-?[0-9][0-9,]*(?:\\.[0-9]+)?)';
  const value = (text: string) => Number(text.replaceAll(',', ''));
  const range = new RegExp(`^\\s*${num}\\s*(?:-|\\.\\.)\\s*${num}\\s*$`).exec(target);
  if (range) return r.value >= value(range[1]!) && r.value <= value(range[2]!) ? 'met' : 'missed';
  const m = new RegExp(`^\\s*(>=|<=|>|<)\\s*${num}\\s*$`).exec(target);
  if (!m) return 'unchecked';
  const bound = value(m[2]!);
  const ok =
    m[1] === '>='
      ? r.value >= bound
      : m[1] === '<='
        ? r.value <= bound
        : m[1] === '>'
          ? r.value > bound
          : r.value < bound;
  return ok ? 'met' : 'missed';
}

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

/**
 * Full seeded games per second of `engine` between `players` fresh copies of one strategy, played for at least
 * `ms`: the engine benchmark of every game. `steps` is the mean number of engine steps per game; `cpuRate` counts
 * games per CPU-second of this process (less sensitive to a shared machine than the wall-clock `rate`).
 */
export async function fullGamesPerSecond<O, A>(
  // biome-ignore lint/suspicious/noExplicitAny: any game's engine.
  engine: GameEngine<any, A, O, any, any, any>,
  factory: StrategyFactory<O, A>,
  players: number,
  ms: number,
): Promise<{ rate: number; games: number; steps: number; cpuRate: number }> {
  const config = engine.defaultConfig();
  let games = 0;
  let steps = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    const bots = Array.from({ length: players }, () => factory({ params: {} }));
    const out = await runMatch({ engine, config, players: bots, seed: games });
    steps += out.steps;
    games++;
    elapsed = performance.now() - started;
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    rate: (games * 1000) / elapsed,
    games,
    steps: steps / games,
    cpuRate: games / ((cpu.user + cpu.system) / 1e6),
  };
}
