import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseParamOption } from '../../src/cli/commands/tune.ts';
import { BIN, botswarm } from './helpers.ts';

const SLOW = 240_000;

const events = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown> & { event: string });

/** Starts the CLI and kills it (SIGKILL, no chance to clean up) as soon as stdout shows `pattern`. */
function killWhen(args: readonly string[], pattern: RegExp): Promise<{ killed: boolean; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('tune did not reach the kill point in time'));
    }, SLOW - 10_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!killed && pattern.test(stdout)) {
        killed = child.kill('SIGKILL');
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ killed, stdout });
    });
  });
}

describe('botswarm tune', () => {
  // 8 iterations of 4 games (θ+ and θ− each play one seat-swapped pair against the untuned heuristic).
  const tune = (state: string) => [
    'tune',
    '--game',
    'galax',
    '--set',
    'maxYear=40',
    '--bot',
    'heuristic',
    '--param',
    'margin=0..0.6',
    'reserve=0..4',
    '--games',
    '32',
    '--spsa',
    'a=2',
    '--seed',
    '3',
    '--workers',
    '0',
    '--no-sprt',
    '--json',
    '--state',
    state,
  ];

  it(
    'killed and resumed from its state file, ends on the values of an uninterrupted run',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'botswarm-tune-cli-'));
      const whole = await botswarm(tune(join(dir, 'whole.json')), { timeoutMs: SLOW });
      expect(whole.code).toBe(0);
      const wholeEvents = events(whole.stdout);
      expect(wholeEvents[0]).toMatchObject({ event: 'tune', iterations: 8, gamesPerIteration: 4, resumedAfter: 0 });
      expect(wholeEvents.filter((e) => e.event === 'iteration')).toHaveLength(8);
      const tuned = wholeEvents.at(-1)!;
      expect(tuned.event).toBe('tuned');
      expect(tuned.spec).toMatch(/^heuristic:margin=[\d.]+:reserve=\d$/);
      // reserve has an integer default and bounds: it moves in whole steps.
      expect(Number.isInteger((tuned.values as Record<string, number>).reserve)).toBe(true);

      const state = join(dir, 'killed.json');
      const first = await killWhen(tune(state), /"event":"iteration"/);
      expect(first.killed).toBe(true);
      expect(existsSync(state)).toBe(true);
      const kept = JSON.parse(readFileSync(state, 'utf8')).iteration as number;
      expect(kept).toBeGreaterThanOrEqual(1);

      const resumed = await botswarm(tune(state), { timeoutMs: SLOW });
      expect(resumed.code).toBe(0);
      const resumedEvents = events(resumed.stdout);
      expect(resumedEvents[0]).toMatchObject({ event: 'tune', resumedAfter: kept });
      expect(resumedEvents.at(-1)).toEqual(tuned);
    },
    SLOW,
  );

  it(
    'ends with an SPRT match of the tuned bot against the untuned one, whose verdict is the exit code',
    async () => {
      const run = await botswarm(
        [
          'tune',
          '--game',
          'galax',
          '--set',
          'maxYear=40',
          '--bot',
          'heuristic',
          '--param',
          'margin=0..0.6',
          '--against',
          'random,heuristic',
          '--games',
          '16',
          '--sprt',
          'elo0=0,elo1=100',
          '--sprt-max-games',
          '8',
          '--workers',
          '0',
          '--json',
        ],
        { timeoutMs: SLOW },
      );
      // Progress events come once a second, so how many depends on the machine: left out here.
      const all = events(run.stdout).filter((e) => e.event !== 'progress');
      // Two opponents, one pair each, for θ+ and θ−: 8 games an iteration, so 2 iterations.
      expect(all.map((e) => e.event)).toEqual(['tune', 'iteration', 'iteration', 'tuned', 'start', 'result']);
      const tuned = all[3]!;
      const result = all[5]!;
      expect(result.bots).toEqual([tuned.spec, 'heuristic']);
      expect(run.code).toBe(result.exitCode);
      expect([0, 1, 3]).toContain(run.code);
    },
    SLOW,
  );

  it(
    'refuses a parameter the bot does not have, in one line with exit 2',
    async () => {
      const run = await botswarm(['tune', '--game', 'galax', '--bot', 'heuristic', '--param', 'courage=0..1']);
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(
        'botswarm: --param: bot galax-heuristic has no parameter "courage" (it has: margin, reserve, horizon, minReserve)',
      );
    },
    SLOW,
  );

  it('reads name=min..max[:step]', () => {
    const defaults = { margin: 0.15, reserve: 1, mode: 'fast' };
    expect(parseParamOption('margin=0.05..0.4', defaults, 'b')).toEqual({
      name: 'margin',
      min: 0.05,
      max: 0.4,
      step: 0,
    });
    expect(parseParamOption('margin=0..1:0.05', defaults, 'b')).toEqual({ name: 'margin', min: 0, max: 1, step: 0.05 });
    expect(parseParamOption('reserve=-2..6', defaults, 'b')).toEqual({ name: 'reserve', min: -2, max: 6, step: 1 });
    expect(parseParamOption('reserve=0..6:2', defaults, 'b')).toEqual({ name: 'reserve', min: 0, max: 6, step: 2 });
    expect(() => parseParamOption('margin=0.4..0.1', defaults, 'b')).toThrow(/min < max/);
    expect(() => parseParamOption('margin=0..x', defaults, 'b')).toThrow(/name=min..max\[:step\]/);
    expect(() => parseParamOption('mode=0..1', defaults, 'b')).toThrow(/not numeric/);
  });
});
