import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRuns, DEFAULT_COMPARE, formatComparisonTable, readRun } from '../../src/load/compare.ts';
import { LoadRecorder } from '../../src/load/metrics.ts';
import { buildSummary, type LoadSummary, type RunDescription } from '../../src/load/summary.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'botswarm-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run: RunDescription = {
  scenario: 'galax-play',
  protocol: 'galax',
  target: '127.0.0.1:1',
  embedded: false,
  workload: 'closed: 10 bots for 10s',
  durationSeconds: 10,
  thinkTimeMs: 100,
  requestTimeoutMs: 5000,
  seed: '1',
  params: {},
};

/** A summary whose move_rtt samples are `rtt` µs (with a little spread) and `errors` timeouts. */
function summaryOf(rtt: number, errors = 0, gapMicros = 50_000): LoadSummary {
  const r = new LoadRecorder({ reactive: ['move_rtt'] });
  for (let i = 0; i < 1000; i++) r.latency('move_rtt', rtt + (i % 10) * 10);
  for (let i = 0; i < 100; i++) r.latency('connect', 300);
  for (let i = 0; i < 100; i++) r.gap('year', gapMicros);
  for (let i = 0; i < errors; i++) r.error('timeout');
  r.count('moves', 1000);
  r.tick(r.startedAt + 1000);
  r.end(r.startedAt + 10_000);
  return buildSummary(r, run, new Date(0), 'completed', []);
}

function write(name: string, s: LoadSummary): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'summary.json'), JSON.stringify(s));
  return d;
}

describe('compareRuns', () => {
  it('finds no regression between two runs with the same figures', () => {
    const c = compareRuns(summaryOf(20_000), summaryOf(20_000));
    expect(c.regressions).toEqual([]);
    expect(formatComparisonTable(c)).toMatch(/B is not worse than A/);
  });

  it('flags a latency regression past the tolerance, and not one under it or under the absolute floor', () => {
    const worse = compareRuns(summaryOf(20_000), summaryOf(30_000));
    expect(worse.regressions.map((r) => r.name)).toEqual(['move_rtt p50', 'move_rtt p95', 'move_rtt p99']);
    const row = worse.rows.find((r) => r.name === 'move_rtt p99')!;
    expect(row.a).toBeCloseTo(20.09, 1);
    expect(row.b).toBeCloseTo(30.09, 1);
    // +5%: inside the 10% tolerance.
    expect(compareRuns(summaryOf(20_000), summaryOf(21_000)).regressions).toEqual([]);
    // +50% of 1 ms is 0.5 ms: under the 1 ms floor.
    expect(compareRuns(summaryOf(1_000), summaryOf(1_500)).regressions).toEqual([]);
    // Faster is better, never a regression.
    const faster = compareRuns(summaryOf(30_000), summaryOf(20_000));
    expect(faster.regressions).toEqual([]);
    expect(faster.rows.find((r) => r.name === 'move_rtt p99')!.better).toBe(true);
  });

  it('flags a rising error rate and longer server gaps', () => {
    const errs = compareRuns(summaryOf(20_000), summaryOf(20_000, 50));
    expect(errs.regressions.map((r) => r.name)).toEqual(['error rate']);
    const stalls = compareRuns(summaryOf(20_000), summaryOf(20_000, 0, 900_000));
    expect(stalls.regressions.map((r) => r.name)).toContain('server_gap p99');
  });

  it('does not judge throughput across different workloads, and says so', () => {
    const b = { ...summaryOf(20_000), run: { ...run, workload: 'closed: 20 bots for 10s' } };
    const c = compareRuns(summaryOf(20_000), b, DEFAULT_COMPARE);
    expect(c.rows.find((r) => r.name === 'messages in')!.direction).toBe('shown');
    expect(c.warnings.join(' ')).toMatch(/different workloads/);
  });

  it('reads a run from its --out directory or its summary.json, and refuses anything else', () => {
    const d = write('read', summaryOf(20_000));
    expect(readRun(d).format).toBe('botswarm-loadtest/1');
    expect(readRun(join(d, 'summary.json')).run.scenario).toBe('galax-play');
    writeFileSync(join(dir, 'other.json'), '{"format":"x"}');
    expect(() => readRun(join(dir, 'other.json'))).toThrow(/not a botswarm load-test summary/);
    expect(() => readRun(join(dir, 'missing'))).toThrow(/no such file/);
  });
});

function botswarm(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/botswarm.js', 'loadtest', 'compare', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`botswarm loadtest compare ${args.join(' ')} did not exit\n${stderr}`));
    }, 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('botswarm loadtest compare (CLI)', { timeout: 200_000 }, () => {
  it('exits 0 on an unchanged pair, 99 on a regressed one (with the HTML page), 2 on a bad file', async () => {
    const a = write('a', summaryOf(20_000));
    const same = write('same', summaryOf(20_000));
    const slower = write('slower', summaryOf(40_000));
    const html = join(dir, 'compare.html');
    const [unchanged, regressed, bad] = await Promise.all([
      botswarm([a, same]),
      botswarm([a, slower, '--tolerance', '20%', '--out', html]),
      botswarm([a, join(dir, 'nothing-here')]),
    ]);
    expect(unchanged.code, unchanged.stderr).toBe(0);
    expect(unchanged.stdout).toMatch(/move_rtt p99/);
    expect(regressed.code, regressed.stderr).toBe(99);
    expect(regressed.stdout).toMatch(/WORSE/);
    expect(regressed.stderr).toMatch(/run B is worse than run A/);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('id="verdict"');
    expect(page).toMatch(/<tr class="worse"><td>move_rtt p99<\/td>/);
    expect(page).not.toMatch(/<(link|img)\b|src=|https?:\/\//);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
