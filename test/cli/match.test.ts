import { describe, expect, it } from 'vitest';
import { parseSprtOption } from '../../src/cli/commands/match.ts';
import { botswarm } from './helpers.ts';

// Each run spawns the real CLI (a few seconds of tsx start-up on a loaded 2-core machine): generous limits.
const SLOW = 240_000;

/** The last NDJSON line of a `--json` run: the result event. */
const resultOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;

const quick = ['--game', 'galax', '--set', 'maxYear=40', '--workers', '0', '--json'];

describe('botswarm match', () => {
  it(
    'accepts H1 for a stronger bot and exits 0, with LLR, bounds, Elo interval and pentanomial',
    async () => {
      const run = await botswarm(['match', ...quick, '--bots', 'heuristic,random', '--sprt', 'elo0=0,elo1=200']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const result = resultOf(run.stdout);
      expect(result).toMatchObject({ event: 'result', outcome: 'H1', exitCode: 0, eloModel: 'logistic' });
      expect(result.llr as number).toBeGreaterThanOrEqual(result.upper as number);
      expect(result.upper as number).toBeCloseTo(Math.log(19), 9);
      expect(result.games).toBe(2 * (result.pairs as number));
      // Pair outcomes, counted in pair order: the heuristic wins nearly every game against the random bot.
      const counts = result.counts as number[];
      expect(counts.reduce((a, b) => a + b, 0)).toBe(result.pairs);
      expect(counts[4]! + counts[3]!).toBeGreaterThan(counts[0]! + counts[1]! + counts[2]!);
      const elo = result.elo as { elo: number; eloLow: number; eloHigh: number };
      expect(elo.eloLow).toBeGreaterThan(0);
      expect(elo.eloLow).toBeLessThanOrEqual(elo.elo);
      expect(elo.elo).toBeLessThanOrEqual(elo.eloHigh);
    },
    SLOW,
  );

  it(
    'accepts H0 for a weaker bot and exits 1',
    async () => {
      const run = await botswarm(['match', ...quick, '--bots', 'random,heuristic', '--sprt', 'elo0=0,elo1=200']);
      expect(run.code).toBe(1);
      expect(resultOf(run.stdout)).toMatchObject({ outcome: 'H0', exitCode: 1 });
    },
    SLOW,
  );

  it(
    'is the same with 0 and 2 workers, and exits 3 when --max-games ends it undecided',
    async () => {
      const args = ['match', '--game', 'galax', '--set', 'maxYear=40', '--bots', 'random:activity=0.7,random'];
      const budget = ['--max-games', '24', '--seed', '11', '--json'];
      const [here, threads] = await Promise.all([
        botswarm([...args, ...budget, '--workers', '0']),
        botswarm([...args, ...budget, '--workers', '2']),
      ]);
      expect(here.code).toBe(3);
      expect(threads.code).toBe(3);
      const a = resultOf(here.stdout);
      const b = resultOf(threads.stdout);
      expect(a).toMatchObject({ outcome: 'inconclusive', games: 24, pairs: 12 });
      // Mixed outcomes, so the equality below compares real results, not 12 identical pairs.
      expect((a.counts as number[]).filter((c) => c > 0).length).toBeGreaterThan(1);
      const { elapsedMs: _a, ...sameA } = a;
      const { elapsedMs: _b, ...sameB } = b;
      expect(sameB).toEqual(sameA);
    },
    SLOW,
  );

  it(
    'prints progress and the verdict as text',
    async () => {
      const run = await botswarm([
        'match',
        '--game',
        'galax',
        '--set',
        'maxYear=40',
        '--workers',
        '0',
        '--bots',
        'heuristic,random',
        '--sprt',
        'elo0=0,elo1=200',
      ]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /^SPRT heuristic vs random on galax: elo0=0 elo1=200 alpha=0.05 beta=0.05 \(logistic Elo\)/,
      );
      expect(run.stdout).toMatch(/pairs \d+ \(\d+ games\) {2}LLR \d\.\d\d \[-2\.94, 2\.94\]/);
      expect(run.stdout).toMatch(/H1 accepted: heuristic is stronger than random/);
      expect(run.stdout).toMatch(/Elo \+\d+\.\d \(95%: \+\d+\.\d to \+\d+\.\d\)/);
      // The last progress line is printed once.
      const lines = run.stdout.trim().split('\n');
      expect(new Set(lines).size).toBe(lines.length);
    },
    SLOW,
  );

  it.each([
    [['--bots', 'heuristic'], /--bots needs the new and the old bot/],
    [['--bots', 'heuristic,nosuchbot', '--sprt', 'elo0=0,elo1=5'], /unknown galax bot "nosuchbot"/],
  ])(
    'refuses %j with one line and exit 2',
    async (args, message) => {
      const run = await botswarm(['match', '--game', 'galax', ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    },
    SLOW,
  );

  it('reads --sprt as elo0=..,elo1=..[,alpha=..,beta=..] with defaults, and refuses nonsense', () => {
    expect(parseSprtOption('elo0=-5,elo1=15')).toEqual({ elo0: -5, elo1: 15, alpha: 0.05, beta: 0.05 });
    expect(parseSprtOption(' elo0=0, elo1=20, alpha=0.01, beta=0.1')).toEqual({
      elo0: 0,
      elo1: 20,
      alpha: 0.01,
      beta: 0.1,
    });
    expect(() => parseSprtOption('elo0=10,elo1=5')).toThrow(/--sprt: elo0 \(10\) must be below elo1/);
    expect(() => parseSprtOption('elo1=5,gamma=2')).toThrow(/--sprt: gamma: unknown setting/);
    expect(() => parseSprtOption('elo1')).toThrow(/--sprt: expects key=value/);
    expect(() => parseSprtOption('elo1=ten')).toThrow(/--sprt: elo1: must be a number/);
    expect(() => parseSprtOption('alpha=0.6')).toThrow(/--sprt: alpha: must be a number from 0 to 0.5/);
  });
});
