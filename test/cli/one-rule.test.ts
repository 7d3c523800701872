import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { botswarm } from './helpers.ts';

const root = join(import.meta.dirname, '../..');

/** The one line a usage error prints, and its exit code. */
const usage = (run: { code: number | null; stderr: string }) => {
  expect(run.code).toBe(2);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/unexpected error|\n\s+at /);
  return run.stderr.trim();
};

describe('one settings rule on every command', () => {
  it('play, serve and tournament refuse --set maxYear=1e1 with the same message and exit 2', async () => {
    const refusal = 'maxYear: must be an integer from 1 to 100000, got "1e1"';
    const [play, serve, tournament] = await Promise.all([
      botswarm(['play', 'galax', '--bots', 'random,random', '--set', 'maxYear=1e1']),
      botswarm(['serve', 'galax', '--port', '0', '--set', 'maxYear=1e1']),
      botswarm(['tournament', '--game', 'galax', '--bots', 'random,heuristic', '--set', 'maxYear=1e1']),
    ]);
    for (const run of [play, serve, tournament]) expect(usage(run)).toContain(refusal);
  }, 120_000);

  it('the games limit of the flag is the limit of the file', async () => {
    const flag = await botswarm(['tournament', '--game', 'galax', '--bots', 'random,heuristic', '--games', '10000001']);
    expect(usage(flag)).toContain('must be an integer from 1 to 10000000');
    const text = await botswarm(['tournament', '--game', 'galax', '--bots', 'random,heuristic', '--games', '1e3']);
    expect(usage(text)).toContain('--games: must be an integer from 1 to 10000000, got "1e3"');
  }, 120_000);

  it('bot parameters are read by the bot schema, not by Number()', async () => {
    const hex = await botswarm(['play', 'galax', '--bots', 'heuristic:reserve=0x10,random']);
    expect(usage(hex)).toBe('botswarm: bot galax-heuristic: reserve: must be a number from 0 to 100, got "0x10"');
  }, 120_000);
});

describe('what a new user hit', () => {
  it('one bot for a game of two or more is one line and exit 2, not a stack', async () => {
    const run = await botswarm(['play', 'galax', '--bots', 'random']);
    expect(usage(run)).toBe(
      'botswarm: galax takes 2 to 8 players, one bot per seat; --bots names 1 (e.g. --bots random,random)',
    );
  }, 120_000);

  it('an unknown game is named as such, with the known games', async () => {
    const run = await botswarm(['play', 'chess', '--bots', 'random,random']);
    expect(usage(run)).toBe('botswarm: unknown game "chess" (known: galax, orerush, carcassonne, catan, creepsmash)');
  }, 120_000);

  it('play shows a module bot by its name, and keeps the table aligned', async () => {
    const run = await botswarm([
      'play',
      'galax',
      '--bots',
      'strategies/examples/first-galax-bot.ts,heuristic:reserve=1.2:margin=0.2',
      '--seed',
      '1',
      '--set',
      'maxYear=20',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('strategies/examples');
    const rows = run.stdout.split('\n').filter((l) => l.startsWith('  seat '));
    expect(rows[0]).toMatch(/^ {2}seat 0 {2}first-galax-bot {2,}rank/);
    expect(rows.map((r) => r.indexOf('rank'))).toEqual([rows[0]!.indexOf('rank'), rows[0]!.indexOf('rank')]);
  }, 120_000);

  it('--replay without a file writes under the git-ignored out/ folder, and replay says seat N', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'botswarm-replay-'));
    try {
      const run = await botswarm(['play', 'galax', '--bots', 'heuristic,random', '--seed', '4', '--replay'], {
        cwd: dir,
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('replay: out/replays/galax-seed-4.json');
      expect(existsSync(join(dir, 'out/replays/galax-seed-4.json'))).toBe(true);
      const replay = await botswarm(['replay', 'out/replays/galax-seed-4.json'], { cwd: dir });
      expect(replay.code).toBe(0);
      expect(replay.stdout).toMatch(/^year [0-9.]+: seat [01] sends/m);
      expect(replay.stdout).not.toMatch(/\bP[12]\b/);
      // The checkout ignores out/, so the README's examples leave nothing untracked.
      const ignored = execFileSync('git', ['check-ignore', 'out/replays/galax-seed-4.json'], { cwd: root }).toString();
      expect(ignored.trim()).toBe('out/replays/galax-seed-4.json');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
