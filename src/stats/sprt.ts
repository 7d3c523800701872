/**
 * The sequential probability ratio test of fishtest (server/fishtest/stats/LLRcalc.py, stat_util.py), for
 * game groups: a pair of games on one seed with the seats swapped (or, with n players, the n rotations of one
 * lineup) is one sample, its total score from the new bot's view one of 2n+1 outcomes (0, ½, …, n). For pairs
 * that is the pentanomial model: LL, LD+DL, LW+DD+WL, DW+WD, WW. Counting groups rather than games removes
 * the seat advantage and the correlation of the two games on one seed from the variance, which is what makes
 * paired testing cheaper than counting wins.
 *
 * Bounds are in logistic Elo (fishtest's `LLR_logistic`): the Elo a bot writer reads off a score,
 * score = 1 / (1 + 10^(−Elo/400)), so +10 Elo is a 51.4 % score in any game. Normalized Elo (fishtest's
 * other model, used for Stockfish's own tests) divides by the game's score spread, which differs from game to
 * game here (Galax rarely draws, Carcassonne ties on points): bounds given in it would mean a different score
 * gain per game.
 */

/** Counts of group outcomes, index i = total score 2·i/2 = i/2 points out of n: length 2n+1. */
export type GroupCounts = readonly number[];

/** The two-player case: pairs scoring 0, ½, 1, 1½, 2 points. */
export type Pentanomial = readonly [number, number, number, number, number];

export interface SprtSettings {
  /** H0: the Elo difference is elo0 (logistic Elo). */
  readonly elo0: number;
  /** H1: the Elo difference is elo1 > elo0. */
  readonly elo1: number;
  /** The chance of accepting H1 when H0 holds. */
  readonly alpha: number;
  /** The chance of accepting H0 when H1 holds. */
  readonly beta: number;
}

export const DEFAULT_SPRT: SprtSettings = { elo0: 0, elo1: 10, alpha: 0.05, beta: 0.05 };

export type SprtDecision = 'H0' | 'H1';

/** Why a setting is unusable, or null: the CLI turns the message into a usage error. */
export function sprtSettingsProblem(s: SprtSettings): string | null {
  for (const key of ['elo0', 'elo1', 'alpha', 'beta'] as const) {
    if (typeof s[key] !== 'number' || !Number.isFinite(s[key])) return `${key} must be a number`;
  }
  if (s.elo0 >= s.elo1) return `elo0 (${s.elo0}) must be below elo1 (${s.elo1})`;
  if (Math.abs(s.elo0) >= 800 || Math.abs(s.elo1) >= 800) return 'elo0 and elo1 must lie within ±800 Elo';
  if (!(s.alpha > 0 && s.alpha < 0.5)) return `alpha must lie in (0, 0.5), got ${s.alpha}`;
  if (!(s.beta > 0 && s.beta < 0.5)) return `beta must lie in (0, 0.5), got ${s.beta}`;
  return null;
}

/** Wald's stopping bounds on the LLR: accept H0 at or below `lower`, H1 at or above `upper`. */
export function sprtBounds(alpha: number, beta: number): { lower: number; upper: number } {
  return { lower: Math.log(beta / (1 - alpha)), upper: Math.log((1 - beta) / alpha) };
}

/** Expected score of a player `elo` logistic Elo stronger. */
export function logisticScore(elo: number): number {
  return 1 / (1 + 10 ** (-elo / 400));
}

/** Logistic Elo of a score, clamped to [0.001, 0.999] as fishtest does (±1200 Elo). */
export function logisticElo(score: number): number {
  const x = Math.min(Math.max(score, 1e-3), 1 - 1e-3);
  return -400 * Math.log10(1 / x - 1);
}

/** Group size n of counts of length 2n+1. */
export function groupSizeOf(counts: GroupCounts): number {
  if (counts.length < 3 || counts.length % 2 === 0) {
    throw new RangeError(`group counts need an odd length of at least 3, got ${counts.length}`);
  }
  return (counts.length - 1) / 2;
}

/**
 * Outcome index of a group from each game's score for the new bot (1 win, ½ draw, 0 loss): twice the total,
 * 0..2n. Two games make the pentanomial index.
 */
export function groupOutcome(scores: readonly number[]): number {
  let total = 0;
  for (const s of scores) {
    if (s !== 0 && s !== 0.5 && s !== 1) throw new RangeError(`a game scores 0, 0.5 or 1, got ${s}`);
    total += s;
  }
  return Math.round(total * 2);
}

/** Empty counts for groups of `groupSize` games. */
export function emptyCounts(groupSize: number): number[] {
  return new Array<number>(2 * groupSize + 1).fill(0);
}

/** A zero count would make a likelihood 0: fishtest mixes in 0.001 of a group instead. */
function regularize(counts: GroupCounts): number[] {
  return counts.map((c) => (c === 0 ? 1e-3 : c));
}

/** The empirical distribution: values (mean score per game of the group, 0..1) and their frequencies. */
function toDistribution(counts: GroupCounts): { n: number; values: number[]; probs: number[] } {
  const r = regularize(counts);
  const n = r.reduce((a, b) => a + b, 0);
  const last = r.length - 1;
  return { n, values: r.map((_, i) => i / last), probs: r.map((c) => c / n) };
}

/**
 * Solves Σ pᵢ·aᵢ / (1 + x·aᵢ) = 0 for x in (−1/max a, −1/min a), where the left side falls from +∞ to −∞:
 * Newton's method kept inside a shrinking bracket (fishtest uses Brent's method on the same bracket).
 */
function secular(shifted: readonly number[], probs: readonly number[]): number {
  let lo = -1 / Math.max(...shifted);
  let hi = -1 / Math.min(...shifted);
  let x = 0;
  for (let iteration = 0; iteration < 200; iteration++) {
    let f = 0;
    let df = 0;
    for (let i = 0; i < shifted.length; i++) {
      const a = shifted[i]!;
      const d = 1 + x * a;
      f += (probs[i]! * a) / d;
      df -= (probs[i]! * a * a) / (d * d);
    }
    if (f === 0) return x;
    if (f > 0) lo = x;
    else hi = x;
    let next = x - f / df;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= 1e-15 * Math.max(1, Math.abs(x))) return next;
    x = next;
  }
  return x;
}

/**
 * The maximum-likelihood distribution on the same outcomes with mean s, as weights relative to the empirical
 * one: p'ᵢ = pᵢ / (1 + x·(aᵢ − s)) (fishtest's `MLE_expected`). Returns the log of each divisor.
 */
function logDivisors(values: readonly number[], probs: readonly number[], s: number): number[] {
  const shifted = values.map((a) => a - s);
  const x = secular(shifted, probs);
  return shifted.map((a) => Math.log1p(x * a));
}

/**
 * The generalized log-likelihood ratio of H1 (expected score per game logisticScore(elo1)) against H0
 * (logisticScore(elo0)) for the observed group counts: fishtest's `LLR_logistic`, which for pairs is the
 * pentanomial LLR. Positive values favour H1.
 */
export function llrLogistic(elo0: number, elo1: number, counts: GroupCounts): number {
  groupSizeOf(counts);
  const { n, values, probs } = toDistribution(counts);
  const d0 = logDivisors(values, probs, logisticScore(elo0));
  const d1 = logDivisors(values, probs, logisticScore(elo1));
  // log p1ᵢ − log p0ᵢ = log(1 + x0·(aᵢ − s0)) − log(1 + x1·(aᵢ − s1)), averaged over the empirical pᵢ.
  let mean = 0;
  for (let i = 0; i < probs.length; i++) mean += probs[i]! * (d0[i]! - d1[i]!);
  return n * mean;
}

/** Standard normal cumulative distribution, from the Chebyshev fit of erfc in Numerical Recipes (erfcc; relative error < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** z of a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

export interface EloEstimate {
  /** Groups counted. */
  readonly groups: number;
  readonly games: number;
  /** Mean score per game of the new bot, 0..1. */
  readonly score: number;
  /** Logistic Elo difference (new − old), and its 95 % interval (the score interval, mapped to Elo). */
  readonly elo: number;
  readonly eloLow: number;
  readonly eloHigh: number;
  /** Likelihood of superiority: P(new is stronger), from the normal approximation. */
  readonly los: number;
}

/**
 * Elo difference from group counts, as fishtest's `get_elo`: the group's mean score per game is one sample,
 * so the interval accounts for the correlation inside a pair. Zero counts are regularised like the LLR's.
 */
export function eloEstimate(counts: GroupCounts): EloEstimate {
  const size = groupSizeOf(counts);
  const groups = counts.reduce((a, b) => a + b, 0);
  const { n, values, probs } = toDistribution(counts);
  let mu = 0;
  for (let i = 0; i < values.length; i++) mu += probs[i]! * values[i]!;
  let variance = 0;
  for (let i = 0; i < values.length; i++) variance += probs[i]! * (values[i]! - mu) ** 2;
  const se = Math.sqrt(variance / n);
  return {
    groups,
    games: groups * size,
    score: mu,
    elo: logisticElo(mu),
    eloLow: logisticElo(mu - Z95 * se),
    eloHigh: logisticElo(mu + Z95 * se),
    los: se > 0 ? normalCdf((mu - 0.5) / se) : mu > 0.5 ? 1 : mu < 0.5 ? 0 : 0.5,
  };
}

export interface SprtStatus {
  readonly counts: GroupCounts;
  readonly llr: number;
  readonly lower: number;
  readonly upper: number;
  /** Set once the LLR crossed a bound; the test takes no more samples then. */
  readonly decision: SprtDecision | null;
}

/**
 * A running test: groups are added in a fixed order (a match adds them in pair-index order, never in the
 * order they finish), and the first crossing of a bound decides.
 */
export class Sprt {
  readonly #counts: number[];
  readonly lower: number;
  readonly upper: number;
  #llr = 0;
  #decision: SprtDecision | null = null;

  constructor(
    readonly settings: SprtSettings,
    readonly groupSize = 2,
  ) {
    const problem = sprtSettingsProblem(settings);
    if (problem) throw new RangeError(problem);
    if (!Number.isInteger(groupSize) || groupSize < 1) throw new RangeError(`group size ${groupSize}`);
    this.#counts = emptyCounts(groupSize);
    ({ lower: this.lower, upper: this.upper } = sprtBounds(settings.alpha, settings.beta));
  }

  /** Adds one group's outcome index (0..2n) and returns the decision, if any. */
  add(outcome: number): SprtDecision | null {
    if (this.#decision) throw new Error(`the test has already accepted ${this.#decision}`);
    if (!Number.isInteger(outcome) || outcome < 0 || outcome >= this.#counts.length) {
      throw new RangeError(`group outcome ${outcome} outside 0..${this.#counts.length - 1}`);
    }
    this.#counts[outcome]!++;
    this.#llr = llrLogistic(this.settings.elo0, this.settings.elo1, this.#counts);
    if (this.#llr >= this.upper) this.#decision = 'H1';
    else if (this.#llr <= this.lower) this.#decision = 'H0';
    return this.#decision;
  }

  status(): SprtStatus {
    return {
      counts: this.#counts.slice(),
      llr: this.#llr,
      lower: this.lower,
      upper: this.upper,
      decision: this.#decision,
    };
  }
}
