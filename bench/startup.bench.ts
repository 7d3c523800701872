/**
 * CLI start-up: wall-clock time of `botswarm --version`, `botswarm bots` and `botswarm play galax --bots
 * random,random` against `node -e 0`, run interleaved (one of each per round) so that a busy shared machine
 * slows all of them alike; the figure is the median of the rounds and its ratio to `node -e 0`'s median.
 * It runs the compiled CLI (dist/), building it first if it is missing. Also the CPU seconds `botswarm loadtest`
 * spends before its first bot connects (the Locust bench's start-up measure, run LOADTEST_ROUNDS times here).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench, BenchResult } from './harness.ts';
import { botswarmStartupCpu } from './locust.bench.ts';

const GROUP = 'CLI start-up';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'botswarm.js');
const ROUNDS = 15;
const LOADTEST_ROUNDS = 7;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function wallMs(args: readonly string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${run.status}`);
  return performance.now() - started;
}

export const run: Bench = async () => {
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  }
  const commands = {
    'node -e 0': ['-e', '0'],
    'botswarm --version': [bin, '--version'],
    'botswarm bots': [bin, 'bots'],
    'botswarm play galax --bots random,random': [bin, 'play', 'galax', '--bots', 'random,random'],
  } as const;
  const times = new Map<string, number[]>(Object.keys(commands).map((k) => [k, []]));
  for (const args of Object.values(commands)) wallMs(args); // warm the file cache
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, args] of Object.entries(commands)) times.get(name)!.push(wallMs(args));
  }
  const base = median(times.get('node -e 0')!);
  const results: BenchResult[] = [
    {
      group: GROUP,
      name: 'node -e 0: median wall time',
      value: Math.round(base * 10) / 10,
      unit: 'ms',
      note: `${ROUNDS} rounds, interleaved with the commands below`,
    },
  ];
  for (const name of Object.keys(commands).slice(1)) {
    const ms = median(times.get(name)!);
    results.push({ group: GROUP, name: `${name}: median wall time`, value: Math.round(ms * 10) / 10, unit: 'ms' });
    results.push({
      group: GROUP,
      name: `${name}: × node -e 0`,
      value: Math.round((ms / base) * 100) / 100,
      unit: '×',
      target: '<= 3',
      note: 'compiled dist/, each command module loaded only when named; tsx only for a named .ts bot file',
    });
  }
  const cpu: number[] = [];
  for (let round = 0; round < LOADTEST_ROUNDS; round++) cpu.push(await botswarmStartupCpu());
  results.push({
    group: GROUP,
    name: 'botswarm loadtest: CPU seconds before the first bot connects, median',
    value: median(cpu),
    unit: 's',
    note:
      `${LOADTEST_ROUNDS} runs (${[...cpu].sort((a, b) => a - b).join(', ')}); user+sys from /proc when a probe listener ` +
      "accepts the first connection, as in 'Against Locust' (whose row carries the target, < 0.3 s)",
  });
  return results;
};
