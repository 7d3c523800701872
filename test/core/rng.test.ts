import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed } from '../../src/core/rng.ts';

describe('seeded generators', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = createRng(42);
    const b = createRng('42');
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('derives named sub-streams that do not depend on draws from the parent or siblings', () => {
    const root1 = createRng(7);
    const map1 = root1.fork('map');
    const root2 = createRng(7);
    root2.next();
    root2.fork('dice').next();
    const map2 = root2.fork('map');
    expect(map1.seed).toBe('7/map');
    expect([map1.next(), map1.next()]).toEqual([map2.next(), map2.next()]);
    expect(createRng(7).fork('bot/0').next()).not.toBe(createRng(7).fork('bot/1').next());
  });

  it("is seedrandom's alea bit for bit: the same draws and states for any seed, and after a resumed state", () => {
    type Alea = (() => number) & { state(): { c: number; s0: number; s1: number; s2: number } };
    const alea = createRequire(import.meta.url)('seedrandom/lib/alea.js') as (
      seed: string,
      options: { state: unknown },
    ) => Alea;
    for (const seed of ['42', '', 'build-up-galax-2000/session/64', 'é∑ seed with spaces', '0']) {
      const ours = createRng(seed).fork('game/0');
      const theirs = alea(`${seed}/game/0`, { state: true });
      for (let i = 0; i < 1000; i++) expect(ours.next()).toBe(theirs());
      expect(ours.state()).toEqual(theirs.state());
      const resumed = createRng('other', ours.state());
      const theirsResumed = alea('other', { state: theirs.state() });
      for (let i = 0; i < 100; i++) expect(resumed.next()).toBe(theirsResumed());
    }
  });

  it('resumes exactly from a saved state', () => {
    const rng = createRng('s');
    rng.next();
    const saved = rng.state();
    const ahead = [rng.next(), rng.int(0, 100)];
    const resumed = createRng('s', saved);
    expect([resumed.next(), resumed.int(0, 100)]).toEqual(ahead);
  });

  it('keeps int() within its inclusive bounds and covers them', () => {
    const rng = createRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = rng.int(-2, 2);
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThanOrEqual(2);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([-1, -2, 0, 1, 2].sort());
    expect(() => rng.int(3, 2)).toThrow(/empty range/);
    expect(() => rng.pick([])).toThrow(/empty/);
  });

  it('shuffles into a permutation without touching the input', () => {
    const input = [1, 2, 3, 4, 5, 6];
    const out = createRng(9).shuffle(input);
    expect(input).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...out].sort()).toEqual(input);
  });

  it('derives per-game seeds from (tournament seed, index) deterministically', () => {
    expect(deriveSeed(5, 0)).toBe(deriveSeed(5, 0));
    expect(deriveSeed(5, 0)).not.toBe(deriveSeed(5, 1));
    expect(Number.isInteger(deriveSeed(5, 3))).toBe(true);
  });
});
