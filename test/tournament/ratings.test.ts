import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.ts';
import {
  computeStandings,
  formatStandingsCsv,
  formatStandingsMarkdown,
  formatStandingsText,
  type GameRecord,
  loadResults,
  ResultsError,
  type TournamentDefinition,
  wilson,
} from '../../src/tournament/index.ts';

const definition: TournamentDefinition = {
  name: 't',
  game: 'nim',
  format: 'round-robin',
  bots: ['strong', 'medium', 'weak'],
  players: 2,
  games: 40,
  seed: 1,
  iterations: 100,
  config: {},
};

/** Games where the lower-index bot wins with probability 0.8 (a draw now and then). */
function games(count: number): GameRecord[] {
  const rng = createRng('ratings-test');
  const out: GameRecord[] = [];
  for (let index = 0; index < count; index++) {
    const pair = [
      [0, 1],
      [0, 2],
      [1, 2],
    ][index % 3]!;
    const seats = index % 2 ? [pair[1]!, pair[0]!] : pair;
    const better = seats.indexOf(Math.min(...seats));
    const roll = rng.next();
    const winner = roll < 0.05 ? null : roll < 0.85 ? better : 1 - better;
    out.push({
      index,
      seed: index,
      round: 0,
      pairing: index % 3,
      seats,
      bots: seats.map((b) => definition.bots[b]!),
      winner,
      scores: seats.map((_, s) => (winner === null ? 5 : s === winner ? 10 : 0)),
      ranks: seats.map((_, s) => (winner === null ? 1 : s === winner ? 1 : 2)),
      steps: 10,
      invalidActions: [0, index === 3 ? 2 : 0],
      durationMs: 1,
      engine: 'nim',
      engineVersion: '1',
    });
  }
  return out;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('ratings and tables', () => {
  it('wilson matches known intervals', () => {
    const [lo, hi] = wilson(8, 10);
    expect(lo).toBeCloseTo(0.4902, 3);
    expect(hi).toBeCloseTo(0.9433, 3);
    expect(wilson(0, 0)).toEqual([0, 1]);
    const [zero, upper] = wilson(0, 20);
    expect(zero).toBe(0);
    expect(upper).toBeCloseTo(0.1611, 3);
  });

  it('orders bots by strength and counts wins, draws, losses and invalid actions', () => {
    const s = computeStandings(definition, games(120), 120);
    expect(s.complete).toBe(true);
    expect(s.bots.map((b) => b.bot)).toEqual(['strong', 'medium', 'weak']);
    for (const b of s.bots) {
      expect(b.games).toBe(80);
      expect(b.wins + b.draws + b.losses).toBe(80);
      expect(b.ordinal).toBeCloseTo(b.mu - 3 * b.sigma, 3);
    }
    expect(s.bots.reduce((n, b) => n + b.invalidActions, 0)).toBe(2);
    const top = s.pairs.find((p) => p.a === 'strong' && p.b === 'weak')!;
    expect(top.games).toBe(40);
    expect(top.aScoreRate).toBeGreaterThan(0.6);
    expect(top.aScoreRateLow).toBeLessThan(top.aScoreRate);
    expect(top.aScoreRateHigh).toBeGreaterThan(top.aScoreRate);
  });

  it('does not depend on the order results arrived in', () => {
    const records = games(60);
    const expected = computeStandings(definition, records, 60);
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 60, maxLength: 60 }), (keys) => {
        const shuffled = records.map((r, i) => ({ r, k: keys[i]! })).sort((a, b) => a.k - b.k);
        expect(
          computeStandings(
            definition,
            shuffled.map((x) => x.r),
            60,
          ),
        ).toEqual(expected);
      }),
      { numRuns: 20 },
    );
  });

  it('formats text, markdown and CSV', () => {
    const s = computeStandings(definition, games(30), 120);
    expect(s.complete).toBe(false);
    const text = formatStandingsText(s);
    expect(text).toContain('30 of 120 games (incomplete)');
    expect(text.split('\n')[2]).toMatch(/^#\s+bot\s+ordinal/);
    expect(formatStandingsMarkdown(s)).toContain('| # | bot | ordinal |');
    const csv = formatStandingsCsv(s).trim().split('\n');
    expect(csv).toHaveLength(4);
    expect(csv[0]).toBe(
      'rank,bot,ordinal,mu,sigma,games,wins,draws,losses,score_rate,avg_score,avg_rank,invalid_actions,forfeits',
    );
  });
});

describe('results.jsonl', () => {
  const records = games(12);
  const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');

  it('keeps every whole line of a file cut anywhere, and cuts the torn rest off the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'botswarm-results-'));
    dirs.push(dir);
    const path = join(dir, 'results.jsonl');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length }), (cut) => {
        writeFileSync(path, text.slice(0, cut));
        const loaded = loadResults(dir, 12);
        const whole = text.slice(0, cut).split('\n').length - 1;
        expect([...loaded.records.keys()]).toEqual([...Array(whole).keys()]);
        expect(loaded.truncatedTornLine).toBe(cut > 0 && text[cut - 1] !== '\n');
        // What is left on disk ends at a line end, ready for appending.
        const left = readFileSync(path, 'utf8');
        expect(left === '' || left.endsWith('\n')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('ignores duplicate indices and refuses damage in the middle or indices out of range', () => {
    const dir = mkdtempSync(join(tmpdir(), 'botswarm-results-'));
    dirs.push(dir);
    const path = join(dir, 'results.jsonl');
    writeFileSync(path, text + JSON.stringify(records[0]) + '\n');
    const loaded = loadResults(dir, 12);
    expect(loaded.records.size).toBe(12);
    expect(loaded.duplicates).toBe(1);
    writeFileSync(path, `${JSON.stringify(records[0])}\nnot json\n${JSON.stringify(records[1])}\n`);
    expect(() => loadResults(dir, 12)).toThrow(ResultsError);
    expect(() => loadResults(dir, 12)).toThrow(/line 2 is not a game record/);
    writeFileSync(path, text);
    expect(() => loadResults(dir, 5)).toThrow(/outside 0\.\.4/);
  });
});
