import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createGamePool,
  loadTuneState,
  runTuning,
  specWith,
  type TuneDefinition,
  TuneStateError,
} from '../../src/match/index.ts';
import { defaultGains } from '../../src/stats/spsa.ts';

const definition: TuneDefinition = {
  game: 'galax',
  config: { maxYear: 40 },
  bot: 'heuristic',
  params: [
    { name: 'margin', min: 0, max: 0.6, step: 0 },
    { name: 'reserve', min: 0, max: 4, step: 1 },
  ],
  start: [0.15, 1],
  // Against itself untuned: the two sides score differently, so θ moves (against random both would win all).
  against: ['heuristic'],
  pairs: 1,
  iterations: 4,
  gains: defaultGains(4, { a: 2 }),
  seed: 7,
  budget: { iterations: 100 },
  baseDir: process.cwd(),
};

describe('a tuning run (SPSA on real Galax games)', () => {
  it('resumed from its state file, ends on the same values as a run that never stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'botswarm-tune-'));
    const pool = createGamePool(0);
    const whole = join(dir, 'whole.json');
    const full = await runTuning(loadTuneState(whole, definition), { pool, statePath: whole });
    expect(full.interrupted).toBe(false);
    expect(full.state.iteration).toBe(4);
    // The games did tell θ+ from θ−, so the comparison below is not of two untouched starts.
    expect(full.state.history.some((h) => h.yPlus !== h.yMinus)).toBe(true);
    expect(full.values).not.toEqual(definition.start);

    const split = join(dir, 'split.json');
    const stop = new AbortController();
    const first = await runTuning(loadTuneState(split, definition), {
      pool,
      statePath: split,
      signal: stop.signal,
      onIteration: (_, state) => {
        if (state.iteration === 2) stop.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    expect(JSON.parse(readFileSync(split, 'utf8')).iteration).toBe(2);
    const resumedFrom = loadTuneState(split, definition);
    expect(resumedFrom.iteration).toBe(2);
    const second = await runTuning(resumedFrom, { pool, statePath: split });
    expect(second.values).toEqual(full.values);
    expect(second.state.theta).toEqual(full.state.theta);
    expect(second.state.history).toEqual(full.state.history);
    // A finished state file resumes to the end at once.
    const again = await runTuning(loadTuneState(split, definition), { pool });
    expect(again.state.history).toHaveLength(4);
  });

  it('refuses a state file of another run, naming what differs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'botswarm-tune-'));
    const path = join(dir, 'state.json');
    const other = { ...definition, iterations: 1, gains: defaultGains(1) };
    await runTuning(loadTuneState(path, other), { pool: createGamePool(0), statePath: path });
    expect(loadTuneState(path, other).iteration).toBe(1);
    expect(() => loadTuneState(path, definition)).toThrow(TuneStateError);
    expect(() => loadTuneState(path, definition)).toThrow(/differs in gains, iterations/);
  });

  it('writes the tuned values into a bot spec', () => {
    expect(specWith('heuristic', definition.params, [0.2, 3])).toBe('heuristic:margin=0.2:reserve=3');
  });
});
