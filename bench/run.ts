/**
 * `npm run bench [-- [--check] [<filter>]]`: runs every bench/<area>.bench.ts in its own child process (one module's
 * heap or JIT state cannot skew another's), prints each figure as it comes, marks every figure that has a target as
 * met or missed, and writes BENCHMARKS.md with the machine and the commit measured. `--check` exits 1 when a target
 * is missed or a bench module fails (a benchmark, not a test: it is not part of `npm test`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchResult, judge } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const check = args.includes('--check');
const filter = args.find((a) => !a.startsWith('--'));
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !filter || f.includes(filter))
  .sort();

const results: BenchResult[] = [];
const failures: string[] = [];
for (const file of modules) {
  process.stdout.write(`\n== ${file}\n`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'run-one.ts'), join(here, file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULTS '));
  if (child.status !== 0 || !line) {
    failures.push(`${file}: exit ${child.status}`);
    process.stdout.write(`   failed (exit ${child.status})\n`);
    continue;
  }
  const rows = JSON.parse(line.slice('BENCH_RESULTS '.length)) as BenchResult[];
  for (const r of rows) {
    results.push(r);
    const status = judge(r);
    process.stdout.write(
      `   ${r.name}: ${format(r.value)} ${r.unit}${r.target ? `  (target ${r.target}: ${status})` : ''}\n`,
    );
  }
}

function format(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const cpus = os.cpus();
const machine = [
  `- date: ${new Date().toISOString()}`,
  `- commit: ${git(['rev-parse', '--short', 'HEAD'])}${/* this file's own previous output is not a change to the code measured */ git(['status', '--porcelain', '--', '.', ':!BENCHMARKS.md']) ? ' (with uncommitted changes)' : ''}`,
  `- cpu: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} (os.availableParallelism ${os.availableParallelism()})`,
  `- memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; load average at start ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
  `- node ${process.version}, ${os.type()} ${os.release()} ${os.arch()}`,
];
const groups = [...new Set(results.map((r) => r.group))];
const body = groups
  .map((g) => {
    const rows = results
      .filter((r) => r.group === g)
      .map((r) => {
        const status = judge(r);
        const shown = status === 'missed' ? '**missed**' : status;
        return `| ${r.name} | ${format(r.value)} ${r.unit} | ${r.target ?? ''} | ${shown} | ${r.note ?? ''} |`;
      });
    return [`## ${g}`, '', '| measure | value | target | status | note |', '|---|---|---|---|---|', ...rows].join('\n');
  })
  .join('\n\n');
const judged = results.filter((r) => r.target);
const missed = judged.filter((r) => judge(r) !== 'met');
const summary = `${judged.length - missed.length} of ${judged.length} targets met${missed.length ? `; missed: ${missed.map((r) => `${r.group}: ${r.name}`).join('; ')}` : ''}`;
const doc = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` (bench/run.ts); every figure below comes from that run on this machine. The machines',
  'are shared and noisy: compare ratios measured side by side in one run, not absolute figures across runs.',
  '',
  ...machine,
  `- targets: ${summary}`,
  '',
  body,
  failures.length ? `\n## Failed\n\n${failures.map((f) => `- ${f}`).join('\n')}` : '',
  '',
].join('\n');
if (!filter) writeFileSync(join(here, '..', 'BENCHMARKS.md'), doc);
// A filtered run's rows (notes included) go to stdout instead: a part run for a look is read there.
else process.stdout.write(`\n(filtered run: BENCHMARKS.md not written)\n\n${body}\n`);
process.stdout.write(`\n${summary}\n`);
process.exitCode = failures.length || (check && missed.length) ? 1 : 0;
