import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReplay, verifyReplay } from '../../src/core/replay.ts';
import {
  formatStandingsText,
  type GameRecord,
  type LoadedTournament,
  loadGameEngine,
  loadTournament,
  type RunOptions,
  runTournament,
  TournamentStateError,
} from '../../src/tournament/index.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
const engineModule = join(fixtures, 'nim.ts');
const scratch = mkdtempSync(join(tmpdir(), 'botswarm-tournament-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => join(scratch, `run-${dirCount++}`);

const load = (raw: Record<string, unknown>) =>
  loadTournament({ source: 'test', baseDir: fixtures, raw: { game: 'nim', ...raw } }, { engineModule });

const run = (loaded: LoadedTournament, options: Partial<RunOptions> & { outDir: string }) =>
  runTournament(loaded, { workers: 0, engineModule, ...options });

function readRecords(dir: string): GameRecord[] {
  return readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as GameRecord);
}

/** Records by index without the one field that may differ between runs. */
function comparable(dir: string) {
  return readRecords(dir)
    .map(({ durationMs: _, ...rest }) => rest)
    .sort((a, b) => a.index - b.index);
}

const standingsOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'standings.json'), 'utf8'));

const BOTS = ['./nim-random.ts', './nim-perfect.ts', './nim-illegal.ts'];

describe('tournament runner (fixture game)', () => {
  it('gives identical results and tables with 0 and 2 workers; replays verify', async () => {
    const loaded = await load({ bots: BOTS, games: 24, seed: 'same' });
    const inline = freshDir();
    const pooled = freshDir();
    const a = await run(loaded, { outDir: inline, replays: 5 });
    const b = await run(loaded, { outDir: pooled, workers: 2, replays: 5, batchSize: 3 });
    expect(a.played).toBe(72);
    expect(b.played).toBe(72);
    expect(comparable(pooled)).toEqual(comparable(inline));
    expect(standingsOf(pooled)).toEqual(standingsOf(inline));
    expect(new Set(readRecords(pooled).map((r) => r.index)).size).toBe(72);

    // The perfect bot wins every game against the random one; illegal actions are counted per seat.
    const [first] = a.standings.bots;
    expect(first!.bot).toBe('./nim-perfect.ts');
    expect(a.standings.bots.find((x) => x.bot === './nim-illegal.ts')!.invalidActions).toBeGreaterThan(0);

    const engine = await loadGameEngine('nim', engineModule);
    for (let i = 0; i < 5; i++) {
      const replay = readReplay(join(pooled, 'replays', `game-${i}.json`));
      expect(replay.seed).toBe(readRecords(pooled).find((r) => r.index === i)!.seed);
      expect(verifyReplay(engine, replay).ok).toBe(true);
    }
    expect(existsSync(join(pooled, 'replays', 'game-5.json'))).toBe(false);
  });

  it('stops dispatching on abort, leaves a consistent file, and --resume plays exactly the missing games', async () => {
    const loaded = await load({ bots: BOTS, games: 30, seed: 4 });
    const whole = freshDir();
    await run(loaded, { outDir: whole });

    const dir = freshDir();
    const stop = new AbortController();
    const partial = await run(loaded, {
      outDir: dir,
      batchSize: 4,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.done >= 20) stop.abort();
      },
    });
    expect(partial.interrupted).toBe(true);
    expect(partial.standings.complete).toBe(false);
    expect(partial.standings.gamesPlayed).toBeGreaterThanOrEqual(20);
    expect(partial.standings.gamesPlayed).toBeLessThan(90);
    expect(readRecords(dir)).toHaveLength(partial.standings.gamesPlayed);

    // A new run without --resume refuses to throw the unfinished results away.
    await expect(run(loaded, { outDir: dir })).rejects.toThrow(TournamentStateError);
    await expect(run(loaded, { outDir: dir })).rejects.toThrow(/--resume continues it/);

    // A kill in the middle of a write leaves a torn line: it is cut off and that game is played again.
    const path = join(dir, 'results.jsonl');
    truncateSync(path, readFileSync(path).length - 25);
    const resumed = await run(loaded, { outDir: dir, resume: true, workers: 2 });
    expect(resumed.interrupted).toBe(false);
    expect(resumed.resumed).toBe(partial.standings.gamesPlayed - 1);
    expect(resumed.played).toBe(90 - resumed.resumed);
    expect(readRecords(dir)).toHaveLength(90);
    expect(comparable(dir)).toEqual(comparable(whole));
    expect(standingsOf(dir)).toEqual(standingsOf(whole));
  });

  it('refuses to resume under a different definition, and --force starts over', async () => {
    const dir = freshDir();
    await run(await load({ bots: BOTS, games: 2, seed: 1 }), { outDir: dir });
    await expect(run(await load({ bots: BOTS, games: 3, seed: 2 }), { outDir: dir, resume: true })).rejects.toThrow(
      /definition differs in games, seed/,
    );
    // A finished tournament may be replaced without --force; the old results go.
    const again = await run(await load({ bots: BOTS.slice(0, 2), games: 3 }), { outDir: dir });
    expect(again.played).toBe(3);
    expect(readRecords(dir)).toHaveLength(3);
    writeFileSync(join(dir, 'results.jsonl'), `${JSON.stringify(readRecords(dir)[0])}\n`);
    const forced = await run(await load({ bots: BOTS, games: 1 }), { outDir: dir, force: true });
    expect(forced.played).toBe(3);
  });

  it('a bot that throws, hangs or keeps playing illegally forfeits its games; the tournament finishes', async () => {
    const dir = freshDir();
    const bots = ['./nim-random.ts', './nim-crash.ts', './nim-hang.ts', './nim-illegal.ts'];
    // A 100 ms wall-clock budget makes the hard limit per decision 1.1 s (budget plus 1 s of grace).
    const loaded = await load({ bots, games: 2, timeLimitMs: 100, config: { minTarget: 60, maxTarget: 60 } });
    const done = await run(loaded, { outDir: dir, workers: 1, batchSize: 2 });
    expect(done.played).toBe(12);
    const records = readRecords(dir);
    const reasons = (bot: string) =>
      records.flatMap((r) => (r.forfeits ?? []).filter((f) => r.bots[f.seat] === bot).map((f) => f.reason));
    expect(reasons('./nim-crash.ts')).toEqual(Array(6).fill('error: the crash bot crashed'));
    expect(reasons('./nim-hang.ts')).toEqual(Array(6).fill('timeout: no action within 1100 ms'));
    expect(new Set(reasons('./nim-illegal.ts'))).toEqual(
      new Set(['illegal: more than 10 illegal actions (last: cannot add 5)']),
    );
    expect(reasons('./nim-random.ts')).toEqual([]);
    const row = (bot: string) => done.standings.bots.find((b) => b.bot === bot)!;
    expect(row('./nim-crash.ts').forfeits).toBe(6);
    expect(row('./nim-hang.ts').forfeits).toBe(6);
    expect(row('./nim-random.ts')).toMatchObject({ forfeits: 0, wins: 6, losses: 0 });
    expect(done.standings.forfeitedGames).toBe(12);
    expect(done.standings.forfeits.map((f) => [f.kind, f.games])).toEqual([
      ['error', 6],
      ['illegal', 6],
      ['timeout', 6],
    ]);
    const text = formatStandingsText(done.standings);
    expect(text).toContain('games forfeited:');
    expect(text).toMatch(/timeout: 6 games\n\s+6× \.\/nim-hang\.ts: timeout: no action within 1100 ms/);
    expect(standingsOf(dir).forfeitedGames).toBe(12);
  });

  it('swiss and free-for-all run to the same results with and without workers', async () => {
    const inlineDirs: string[] = [];
    for (const raw of [
      { bots: BOTS, format: 'swiss', rounds: 3, games: 4, seed: 5 },
      { bots: BOTS, format: 'ffa', players: 4, games: 20, seed: 6 },
    ]) {
      const loaded = await load(raw);
      const a = freshDir();
      inlineDirs.push(a);
      const b = freshDir();
      const inline = await run(loaded, { outDir: a });
      await run(loaded, { outDir: b, workers: 2, batchSize: 2 });
      expect(inline.standings.complete).toBe(true);
      expect(comparable(b)).toEqual(comparable(a));
      expect(standingsOf(b)).toEqual(standingsOf(a));
    }
    const swiss = comparable(inlineDirs[0]!);
    // 3 bots: one table and one bye per round, 4 games a table.
    expect(swiss).toHaveLength(3 * 4);
    expect(new Set(swiss.filter((r) => r.round === 0).flatMap((r) => r.seats)).size).toBe(2);
  });
});
