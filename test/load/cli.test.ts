import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'botswarm-loadtest-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function botswarm(args: string[], onStart?: (child: ChildProcess) => void, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/botswarm.js', 'loadtest', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BOTSWARM_LOG: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`botswarm ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    onStart?.(child);
  });
}

const embedded = ['--protocol', 'galax', '--embedded', '--server-set', 'maxYear=10', '--param', 'players=2'];

// Each case spawns the CLI (a few seconds of start-up on a loaded machine): generous timeouts.
describe('botswarm loadtest (CLI)', { timeout: 120_000 }, () => {
  it('exits 0 when every threshold holds, and writes summary, CSV and report', async () => {
    const out = join(dir, 'pass');
    const run = await botswarm([
      ...embedded,
      '--bots',
      '4',
      '--duration',
      '2s',
      // Games in flight at the end finish, so the bots' counters can match the server's (no race at the end).
      '--graceful-stop',
      '20s',
      '--gap-threshold',
      '250ms',
      '--threshold',
      'p99(move_rtt) < 10s',
      '--threshold',
      'error_rate < 0.01',
      '--threshold',
      'count(games) >= 1',
      '--out',
      out,
    ]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/PASS {2}p99\(move_rtt\) < 10s/);
    expect(run.stdout).toMatch(/move_rtt/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('completed');
    expect(summary.thresholdsOk).toBe(true);
    expect(summary.server.gamesStarted).toBe(summary.counters.games_started);
    // --gap-threshold reaches the recorder: the stall threshold the summary judged the gaps by.
    expect(summary.gaps.thresholdMs).toBe(250);
    expect(readFileSync(join(out, 'timeseries.csv'), 'utf8').split('\n')[0]).toMatch(/^t_s,interval_s,active_sessions/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<svg class="chart"/);
  });

  it('exits 99 when a threshold fails, or has no samples', async () => {
    const scenario = join(dir, 'fail.json');
    writeFileSync(
      scenario,
      JSON.stringify({
        protocol: 'galax',
        embedded: true,
        serverSettings: { maxYear: 10 },
        params: { players: 2 },
        bots: 2,
        duration: '1s',
        thresholds: ['count(games) >= 1000000', 'p99(no_such_metric) < 1s', 'error_rate < 0.5'],
      }),
    );
    const run = await botswarm([scenario, '--json']);
    expect(run.code, run.stderr).toBe(99);
    const summary = JSON.parse(run.stdout);
    expect(summary.thresholds.map((t: { ok: boolean }) => t.ok)).toEqual([false, false, true]);
    expect(summary.thresholds[1].message).toMatch(/no samples/);
    expect(run.stderr).toMatch(/2 of 3 thresholds failed/);
  });

  it('exits 2 on bad arguments, before any run', async () => {
    // The other argument checks are unit-tested in config.test.ts; these go through the whole CLI.
    const cases: [string[], RegExp][] = [
      [['--protocol', 'galax', '--embedded', '--threshold', 'p99(move_rtt <'], /expected/],
      [['--protocol', 'galax', '--target', '10.1.2.3:42529'], /not a loopback address/],
      [['--protocol', 'galax', '--embedded', '--param', 'colour=red'], /galax-play: colour: unknown setting/],
      [['--protocol', 'galax', '--embedded', '--param', 'games=0x10'], /galax-play: games: must be an integer/],
      [['--scenario', 'lekt-churn', '--embedded', '--threads', '2'], /lekt-churn cannot run threaded/],
      [['--protocol', 'galax', '--embedded', '--threads', '0'], /--threads must be an integer from 1/],
    ];
    const runs = await Promise.all(cases.map(([args]) => botswarm(args)));
    for (const [i, [args, message]] of cases.entries()) {
      expect(runs[i]!.code, args.join(' ')).toBe(2);
      expect(runs[i]!.stderr, args.join(' ')).toMatch(message);
    }
  }, 180_000);

  it('exits 1 when the target cannot be reached at all', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const run = await botswarm(['--protocol', 'galax', '--target', `127.0.0.1:${port}`, '--duration', '1s']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot connect to 127\.0\.0\.1/);
  });

  it('Ctrl-C still writes the summary and the report of what ran, and exits 130', async () => {
    const out = join(dir, 'interrupted');
    const run = await botswarm(
      [...embedded, '--bots', '4', '--duration', '60s', '--think', '50ms', '--out', out],
      (child) => {
        const poll = setInterval(() => {
          if (existsSync(join(out, 'summary.json'))) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 100);
        child.on('exit', () => clearInterval(poll));
      },
    );
    expect(run.code, run.stderr).toBe(130);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('interrupted');
    expect(summary.elapsedSeconds).toBeLessThan(30);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('with --threads 2, Ctrl-C reaches the worker threads: the summary is written, exit 130', async () => {
    const out = join(dir, 'threads-interrupted');
    const run = await botswarm(
      [...embedded, '--bots', '6', '--duration', '60s', '--think', '50ms', '--threads', '2', '--out', out],
      (child) => {
        // Once a second has been reported with bots playing, so the workers' intervals are in the summary.
        const poll = setInterval(() => {
          try {
            const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
            if (s.latency?.move_rtt?.corrected.count > 0) {
              clearInterval(poll);
              child.kill('SIGINT');
            }
          } catch {
            // Not written yet.
          }
        }, 100);
        child.on('exit', () => clearInterval(poll));
      },
    );
    expect(run.code, run.stderr).toBe(130);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('interrupted');
    expect(summary.run.threads).toBe(2);
    expect(summary.elapsedSeconds).toBeLessThan(30);
    expect(summary.latency.move_rtt.corrected.count).toBeGreaterThan(0);
    expect(summary.errors.byKind.generator_thread_failed).toBeUndefined();
  });
});
