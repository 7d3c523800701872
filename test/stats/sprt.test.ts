import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../src/core/rng.ts';
import { headToHead } from '../../src/match/groups.ts';
import {
  eloEstimate,
  groupOutcome,
  llrLogistic,
  logisticElo,
  logisticScore,
  normalCdf,
  Sprt,
  type SprtSettings,
  sprtBounds,
  sprtSettingsProblem,
} from '../../src/stats/sprt.ts';

describe('SPRT bounds and the logistic Elo scale', () => {
  it("are Wald's log(β/(1−α)) and log((1−β)/α)", () => {
    const { lower, upper } = sprtBounds(0.05, 0.05);
    expect(lower).toBeCloseTo(-Math.log(19), 12);
    expect(upper).toBeCloseTo(Math.log(19), 12);
    const skewed = sprtBounds(0.01, 0.2);
    expect(skewed.lower).toBeCloseTo(Math.log(0.2 / 0.99), 12);
    expect(skewed.upper).toBeCloseTo(Math.log(0.8 / 0.01), 12);
  });

  it('maps Elo to an expected score and back', () => {
    expect(logisticScore(0)).toBe(0.5);
    expect(logisticScore(400)).toBeCloseTo(10 / 11, 12);
    expect(logisticElo(logisticScore(37.5))).toBeCloseTo(37.5, 9);
    // Clamped at a score of 0.999, as fishtest does.
    expect(logisticElo(1)).toBeCloseTo(logisticElo(0.999), 12);
  });

  it('refuses settings that cannot make a test', () => {
    const ok: SprtSettings = { elo0: 0, elo1: 10, alpha: 0.05, beta: 0.05 };
    expect(sprtSettingsProblem(ok)).toBeNull();
    expect(sprtSettingsProblem({ ...ok, elo1: 0 })).toMatch(/elo0 .* must be below elo1/);
    expect(sprtSettingsProblem({ ...ok, alpha: 0 })).toMatch(/alpha/);
    expect(sprtSettingsProblem({ ...ok, beta: 0.7 })).toMatch(/beta/);
    expect(() => new Sprt({ ...ok, elo0: 20 })).toThrow(RangeError);
  });
});

describe('pentanomial counting', () => {
  it('turns the two games of a pair into points 0..2, as indices 0..4', () => {
    expect(groupOutcome([0, 0])).toBe(0); // LL
    expect(groupOutcome([0, 0.5])).toBe(1); // LD
    expect(groupOutcome([0.5, 0])).toBe(1); // DL
    expect(groupOutcome([1, 0])).toBe(2); // WL
    expect(groupOutcome([0.5, 0.5])).toBe(2); // DD
    expect(groupOutcome([0, 1])).toBe(2); // LW
    expect(groupOutcome([1, 0.5])).toBe(3); // WD
    expect(groupOutcome([1, 1])).toBe(4); // WW
    // Three seat rotations of a three-player lineup: 7 outcomes.
    expect(groupOutcome([1, 0.5, 1])).toBe(5);
    expect(() => groupOutcome([0.7, 1])).toThrow(RangeError);
  });

  it("scores a game for the new bot by rank, wherever it sat, and counts a test's pairs", () => {
    // Bot 0 is the new bot; a pair plays seats [0,1] then [1,0] on one seed.
    const pair = (first: number[], second: number[]) => [
      { seats: [0, 1], ranks: first },
      { seats: [1, 0], ranks: second },
    ];
    const games = [
      pair([1, 2], [2, 1]), // won both: WW
      pair([1, 2], [1, 2]), // won as seat 0, lost as seat 1: WL
      pair([1, 1], [1, 2]), // a tie, then a loss: DL
      pair([2, 1], [1, 2]), // LL
    ];
    const sprt = new Sprt({ elo0: 0, elo1: 10, alpha: 0.05, beta: 0.05 });
    for (const records of games) sprt.add(groupOutcome(records.map((r) => headToHead(r, 0, 1))));
    expect(sprt.status().counts).toEqual([1, 1, 1, 0, 1]);
    // In a three-player game only the new and the old bot's ranks count.
    expect(headToHead({ seats: [2, 1, 0], ranks: [1, 3, 2] }, 0, 1)).toBe(1);
  });
});

describe('the log-likelihood ratio (fishtest LLR_logistic)', () => {
  // Reference values: fishtest's server/fishtest/stats/LLRcalc.py, LLR_logistic(elo0, elo1, results) =
  // N · Σ pᵢ (log p1ᵢ − log p0ᵢ) with p0, p1 = MLE_expected(pdf, L(elo0)), MLE_expected(pdf, L(elo1)),
  // zero counts regularized to 0.001, run with scipy 1.17 (brentq, xtol 1e-15). The first is the pentanomial
  // in stat_util.py's own self-test.
  it.each([
    [[10789, 19328, 33806, 19402, 10543], -3, 1, 2.1310678117940807],
    [[3, 10, 20, 12, 5], 0, 10, 0.24458907711259723],
    [[0, 4, 10, 6, 2], 0, 10, 0.4395971034226206],
    [[1, 2, 3], 0, 20, 0.1588871176466582],
  ])('LLR of %j for elo0=%d, elo1=%d is %f', (counts, elo0, elo1, expected) => {
    expect(llrLogistic(elo0, elo1, counts)).toBeCloseTo(expected, 9);
  });

  it('is antisymmetric: swapping the hypotheses negates it', () => {
    const counts = [2, 7, 19, 9, 3];
    expect(llrLogistic(10, 0, counts)).toBeCloseTo(-llrLogistic(0, 10, counts), 12);
  });

  it('agrees with the Brownian approximation (s1−s0)(2s−s0−s1)/(2σ²)·N for many pairs', () => {
    // fishtest's LLR_alt2 (GSPRT_approximation.pdf): close to the exact GLR when the Elo gap is small.
    const counts = [900, 4100, 8800, 4700, 1500];
    const n = counts.reduce((a, b) => a + b, 0);
    const values = counts.map((_, i) => i / 4);
    const s = counts.reduce((acc, c, i) => acc + c * values[i]!, 0) / n;
    const variance = counts.reduce((acc, c, i) => acc + c * (values[i]! - s) ** 2, 0) / n;
    const [s0, s1] = [logisticScore(0), logisticScore(5)];
    const approx = (n * ((s1 - s0) * (2 * s - s0 - s1))) / variance / 2;
    const exact = llrLogistic(0, 5, counts);
    expect(Math.abs(exact - approx) / approx).toBeLessThan(0.01);
    expect(exact).toBeGreaterThan(40);
  });
});

describe('Elo with a 95% interval (fishtest get_elo)', () => {
  it('matches fishtest on a pentanomial and on a trinomial', () => {
    // stat_util.get_elo: [3,10,20,12,5] → 20.871 ± ... with interval ends elo(mu ∓ 1.96·σ/√games).
    const e = eloEstimate([3, 10, 20, 12, 5]);
    expect(e.games).toBe(100);
    expect(e.score).toBeCloseTo(0.53, 12);
    expect(e.elo).toBeCloseTo(20.87120466602867, 9);
    expect(e.eloLow).toBeCloseTo(-28.9260196738566, 6);
    expect(e.eloHigh).toBeCloseTo(71.54609464128548, 6);
    expect(e.los).toBeCloseTo(0.7944601106383424, 6);
    const t = eloEstimate([1, 2, 3]);
    expect(t.elo).toBeCloseTo(120.41199826559247, 9);
    expect(t.eloLow).toBeCloseTo(-93.5985004370113, 6);
    expect(t.eloHigh).toBeCloseTo(575.4941770005972, 6);
  });

  it('has a normal CDF good to 1e-7', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 7);
  });
});

/** One game of the new bot with expected score L(elo): win, draw (share `draws`) or loss. */
function gameScore(rng: Rng, elo: number, draws: number): number {
  const s = logisticScore(elo);
  const u = rng.next();
  if (u < s - draws / 2) return 1;
  if (u < s + draws / 2) return 0.5;
  return 0;
}

/** Runs `runs` complete SPRTs on simulated pairs; how often each hypothesis was accepted. */
function simulate(settings: SprtSettings, elo: number, draws: number, runs: number, seed: string) {
  const rng = createRng(seed);
  const accepted = { H0: 0, H1: 0, undecided: 0 };
  let pairs = 0;
  for (let run = 0; run < runs; run++) {
    const sprt = new Sprt(settings, 2);
    let decision = null;
    for (let n = 0; n < 50_000 && !decision; n++) {
      decision = sprt.add(groupOutcome([gameScore(rng, elo, draws), gameScore(rng, elo, draws)]));
      pairs++;
    }
    accepted[decision ?? 'undecided']++;
  }
  return { ...accepted, meanPairs: pairs / runs };
}

describe('SPRT error rates on simulated games with a known Elo difference', () => {
  const settings: SprtSettings = { elo0: 0, elo1: 20, alpha: 0.05, beta: 0.05 };
  // Seeded, so the counts are fixed; the bounds say what "about the configured rate" means: with 300 runs
  // the standard error of a 5% rate is 1.3%, and Wald's bounds (no overshoot correction) err on the safe side.
  it('coin flips at 0 Elo: H1 accepted about α = 5% of the time', () => {
    const r = simulate(settings, 0, 0, 300, 'sprt-h0-coins');
    expect(r.undecided).toBe(0);
    expect(r.H1 / 300).toBeGreaterThan(0.01);
    expect(r.H1 / 300).toBeLessThan(0.09);
  });

  it('coin flips at +20 Elo: H0 accepted about β = 5% of the time', () => {
    const r = simulate(settings, 20, 0, 300, 'sprt-h1-coins');
    expect(r.undecided).toBe(0);
    expect(r.H0 / 300).toBeGreaterThan(0.01);
    expect(r.H0 / 300).toBeLessThan(0.09);
  });

  it('games with 40% draws: the same rates, in fewer pairs (draws shrink the variance)', () => {
    const h0 = simulate(settings, 0, 0.4, 150, 'sprt-h0-draws');
    const h1 = simulate(settings, 20, 0.4, 150, 'sprt-h1-draws');
    expect(h0.H1 / 150).toBeLessThan(0.1);
    expect(h1.H0 / 150).toBeLessThan(0.1);
    expect(h0.H0 + h1.H1).toBeGreaterThan(0.9 * 300);
    const coins = simulate(settings, 20, 0, 50, 'sprt-h1-coins-short');
    expect(h1.meanPairs).toBeLessThan(coins.meanPairs);
  });

  it('needs 104 won pairs for elo1=10, 53 for elo1=20 and 8 for elo1=200, as fishtest does', () => {
    // fishtest: LLR_logistic(0, 10, [0, 0, 0, 0, 103]) = 2.92198 < log(19) = 2.94444 < LLR(…, 104) = 2.95034.
    const pairsToH1 = (elo1: number) => {
      const sprt = new Sprt({ elo0: 0, elo1, alpha: 0.05, beta: 0.05 });
      let pairs = 0;
      while (!sprt.add(4)) pairs++;
      return pairs + 1;
    };
    expect(pairsToH1(10)).toBe(104);
    expect(pairsToH1(20)).toBe(53);
    expect(pairsToH1(200)).toBe(8);
    expect(llrLogistic(0, 10, [0, 0, 0, 0, 103])).toBeCloseTo(2.9219763906810057, 9);
  });

  it('decides once and then takes no more samples', () => {
    const sprt = new Sprt({ elo0: 0, elo1: 200, alpha: 0.05, beta: 0.05 });
    let decision = null;
    while (!decision) decision = sprt.add(4);
    expect(decision).toBe('H1');
    expect(sprt.status().llr).toBeGreaterThanOrEqual(sprt.upper);
    expect(() => sprt.add(4)).toThrow(/already accepted H1/);
    expect(() => new Sprt(settings).add(5)).toThrow(RangeError);
  });
});
