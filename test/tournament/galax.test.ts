import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type GameRecord, loadTournament, runTournament } from '../../src/tournament/index.ts';

/**
 * The tournament on the real game: Galax with its built-in bots, through the CLI where the issue asks for a
 * process (kill and resume, Ctrl-C, replay verdicts, bad files).
 */
const root = join(import.meta.dirname, '../..');
const cli = join(root, 'bin/botswarm.js');
const scratch = mkdtempSync(join(tmpdir(), 'botswarm-galax-tournament-'));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `whenLines` is called as results.jsonl grows, so a test can interrupt the run mid-way. */
function botswarm(args: string[], watch?: { file: string; atLeast: number; act: (child: ChildProcess) => void }) {
  return new Promise<Exit & { linesAtInterrupt?: number }>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    let linesAtInterrupt: number | undefined;
    const timer = watch
      ? setInterval(() => {
          const lines = existsSync(watch.file) ? readFileSync(watch.file, 'utf8').split('\n').length - 1 : 0;
          if (lines >= watch.atLeast && linesAtInterrupt === undefined) {
            linesAtInterrupt = lines;
            watch.act(child);
          }
        }, 15)
      : undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearInterval(timer);
      clearTimeout(guard);
      children.delete(child);
      resolve({ code, signal, stdout, stderr, ...(linesAtInterrupt !== undefined ? { linesAtInterrupt } : {}) });
    });
  });
}

const records = (dir: string): GameRecord[] =>
  readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as GameRecord);
const comparable = (dir: string) =>
  records(dir)
    .map(({ durationMs: _, ...rest }) => rest)
    .sort((a, b) => a.index - b.index);
const standings = (dir: string) => JSON.parse(readFileSync(join(dir, 'standings.json'), 'utf8'));

// One definition for the in-process reference runs and the CLI runs.
const GAMES = 100;
const flags = ['--game', 'galax', '--bots', 'random,heuristic', '--games', String(GAMES), '--seed', '77'];
const raw = { name: 'galax-round-robin', game: 'galax', bots: ['random', 'heuristic'], games: GAMES, seed: 77 };

describe('tournaments of Galax', () => {
  const one = join(scratch, 'one');
  const two = join(scratch, 'two');

  it('plays identical games with 1 and 2 workers, and rates heuristic above random', async () => {
    const loaded = await loadTournament({ source: 'test', baseDir: root, raw });
    const a = await runTournament(loaded, { outDir: one, workers: 1, replays: 2 });
    const b = await runTournament(loaded, { outDir: two, workers: 2 });
    expect(a.played).toBe(GAMES);
    expect(b.played).toBe(GAMES);
    expect(comparable(two).map((r) => ({ ...r, replay: undefined }))).toEqual(
      comparable(one).map((r) => ({ ...r, replay: undefined })),
    );
    expect(standings(two)).toEqual(standings(one));
    const [top, bottom] = a.standings.bots;
    expect(top!.bot).toBe('heuristic');
    expect(bottom!.bot).toBe('random');
    expect(top!.ordinal - bottom!.ordinal).toBeGreaterThan(10);
    const pair = a.standings.pairs[0]!;
    // random is bot A: the heuristic's dominance shows as a low score rate with a tight interval.
    expect(pair.aScoreRateHigh).toBeLessThan(0.25);
  }, 120_000);

  it('survives Ctrl-C (exit 130) and SIGKILL, and --resume ends with exactly the full set of games', async () => {
    const dir = join(scratch, 'killed');
    const file = join(dir, 'results.jsonl');
    const args = ['tournament', ...flags, '--workers', '2', '--batch', '1', '--out', dir, '--no-progress'];

    const interrupted = await botswarm(args, { file, atLeast: 5, act: (c) => c.kill('SIGINT') });
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/interrupted with \d+ of 100 games; continue with --resume/);
    expect(interrupted.stdout).toMatch(/incomplete/);
    const afterInterrupt = records(dir).length;
    expect(afterInterrupt).toBeGreaterThanOrEqual(5);
    expect(afterInterrupt).toBeLessThan(GAMES);
    expect(standings(dir).gamesPlayed).toBe(afterInterrupt);

    const killed = await botswarm([...args, '--resume'], {
      file,
      atLeast: afterInterrupt + 5,
      act: (c) => c.kill('SIGKILL'),
    });
    expect(killed.signal).toBe('SIGKILL');
    const afterKill = readFileSync(file, 'utf8').split('\n').length - 1;
    expect(afterKill).toBeLessThan(GAMES);

    const resumed = await botswarm([...args, '--resume', '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).complete).toBe(true);
    const indices = records(dir).map((r) => r.index);
    expect(indices).toHaveLength(GAMES);
    expect(new Set(indices).size).toBe(GAMES);
    expect(comparable(dir).map((r) => ({ ...r, replay: undefined }))).toEqual(
      comparable(two).map((r) => ({ ...r, replay: undefined })),
    );
    expect(standings(dir)).toEqual(standings(two));
  }, 180_000);

  it('botswarm replay verifies a replay and refuses a tampered one or another engine version', async () => {
    const good = join(one, 'replays', 'game-1.json');
    const replay = JSON.parse(readFileSync(good, 'utf8'));
    const step = replay.actions.findIndex(
      (s: { kind: string; actions: [number, { ships: number }[]][] }) =>
        s.kind === 'players' && s.actions.some(([, moves]) => moves.length > 0),
    );
    const tampered = structuredClone(replay);
    const moves = tampered.actions[step].actions.find(([, m]: [number, unknown[]]) => m.length > 0)[1];
    moves[0].ships -= 1;
    writeFileSync(join(scratch, 'tampered.json'), JSON.stringify(tampered));
    writeFileSync(join(scratch, 'version.json'), JSON.stringify({ ...replay, engineVersion: '0.0.1' }));

    const [ok, bad, version] = await Promise.all([
      botswarm(['replay', good]),
      botswarm(['replay', join(scratch, 'tampered.json')]),
      botswarm(['replay', join(scratch, 'version.json'), '--json']),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/verified: all \d+ steps re-run/);
    expect(ok.stdout).toMatch(/year \d+\.\d: seat \d sends/);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`mismatch at step ${step + 1} of ${replay.actions.length}`);
    expect(version.code).toBe(1);
    expect(JSON.parse(version.stdout)).toMatchObject({ ok: false, message: expect.stringMatching(/engine version/) });
  }, 60_000);

  it('a bad tournament file names the field (exit 2); the quickstart runs and prints standings', async () => {
    const badBot = join(scratch, 'bad-bot.json');
    const badGames = join(scratch, 'bad-games.json');
    writeFileSync(badBot, JSON.stringify({ game: 'galax', bots: ['random', 'foo'] }));
    writeFileSync(badGames, JSON.stringify({ game: 'galax', bots: ['random', 'heuristic'], games: 0 }));
    const out = join(scratch, 'quickstart');
    const [unknownBot, zero, quick] = await Promise.all([
      botswarm(['tournament', badBot]),
      botswarm(['tournament', badGames]),
      botswarm(['tournament', 'simulations/quickstart.json', '--out', out, '--no-progress']),
    ]);
    expect(unknownBot.code).toBe(2);
    expect(unknownBot.stderr).toContain(`${badBot}: bots[1]: unknown galax bot "foo"`);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain(`${badGames}: games: must be an integer from 1 to 10000000, got 0`);
    expect(quick.code).toBe(0);
    expect(quick.stdout).toMatch(/quickstart: galax round-robin/);
    expect(quick.stdout).toMatch(/^1 {2}heuristic/m);
    for (const f of ['results.jsonl', 'tournament.json', 'standings.json', 'standings.csv', 'standings.md']) {
      expect(existsSync(join(out, f))).toBe(true);
    }
  }, 60_000);
});
