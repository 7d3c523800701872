import type { Rng } from '../core/rng.ts';

/**
 * Simultaneous perturbation stochastic approximation (J. C. Spall, "Implementation of the simultaneous
 * perturbation algorithm for stochastic optimization", IEEE Trans. Aerospace and Electronic Systems 34(3),
 * 1998): every iteration measures the objective at two points, θ + cₖΔ and θ − cₖΔ with Δ a random ±1 vector,
 * and moves every parameter at once along the estimated gradient, with gains aₖ = a / (A + k + 1)^α and
 * cₖ = c / (k + 1)^γ. Two noisy measurements per iteration whatever the number of parameters is why chess
 * engines tune with it.
 *
 * This module is pure: the caller measures (plays games) and feeds the scores back. It works in normalized
 * coordinates, each parameter's range mapped to [0, 1], so one a and one c serve parameters of any scale. It
 * maximises (the objective is a score).
 */

export interface SpsaParam {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Values are min + k·step; 0 = continuous. */
  readonly step: number;
}

export interface SpsaGains {
  /** Step size numerator, in normalized units per unit of gradient. */
  readonly a: number;
  /** Perturbation size at k = 0, as a share of each range. */
  readonly c: number;
  /** Stability constant; Spall suggests about 10 % of the iterations. */
  readonly A: number;
  readonly alpha: number;
  readonly gamma: number;
}

/** Spall's asymptotically optimal practical exponents. */
export const SPALL_ALPHA = 0.602;
export const SPALL_GAMMA = 0.101;

/**
 * Defaults for `iterations`: A = 10 % of them, c = 0.1 of each range, and a chosen (Spall's rule of thumb) so
 * that the first step moves a parameter by 5 % of its range when θ+ outscores θ− by 0.1 (gradient estimate
 * 0.1 / (2c) = 0.5).
 */
export function defaultGains(iterations: number, overrides: Partial<SpsaGains> = {}): SpsaGains {
  const A = overrides.A ?? Math.max(1, Math.round(iterations / 10));
  const alpha = overrides.alpha ?? SPALL_ALPHA;
  const gamma = overrides.gamma ?? SPALL_GAMMA;
  const c = overrides.c ?? 0.1;
  const a = overrides.a ?? 0.1 * (A + 1) ** alpha;
  return { a, c, A, alpha, gamma };
}

export function gainsProblem(g: SpsaGains): string | null {
  for (const key of ['a', 'c', 'A', 'alpha', 'gamma'] as const) {
    if (!Number.isFinite(g[key]) || g[key] < 0) return `${key} must be a number ≥ 0, got ${g[key]}`;
  }
  if (g.a === 0 || g.c === 0) return 'a and c must be above 0';
  if (g.c > 0.5) return `c is a share of each range and must be at most 0.5, got ${g.c}`;
  return null;
}

export function paramProblem(p: SpsaParam): string | null {
  if (!Number.isFinite(p.min) || !Number.isFinite(p.max) || p.min >= p.max) {
    return `${p.name}: the range needs min < max, got ${p.min}..${p.max}`;
  }
  if (!Number.isFinite(p.step) || p.step < 0) return `${p.name}: the step must be ≥ 0, got ${p.step}`;
  if (p.step > p.max - p.min) return `${p.name}: the step ${p.step} is larger than the range ${p.min}..${p.max}`;
  return null;
}

/** gains of iteration k (0-based). */
export function gainsAt(g: SpsaGains, k: number): { ak: number; ck: number } {
  return { ak: g.a / (g.A + k + 1) ** g.alpha, ck: g.c / (k + 1) ** g.gamma };
}

const clamp01 = (u: number) => Math.min(1, Math.max(0, u));

/** A normalized coordinate as the value the bot gets: clamped to the range and rounded to the step. */
export function toValue(p: SpsaParam, u: number): number {
  const raw = p.min + clamp01(u) * (p.max - p.min);
  if (p.step === 0) return raw;
  let steps = Math.round((raw - p.min) / p.step);
  // Rounding may land one step past max when the range is not a multiple of the step: the last step inside.
  if (p.min + steps * p.step > p.max + p.step * 1e-9) steps--;
  const value = p.min + steps * p.step;
  // Decimal steps (0.05) leave float dust: cut it at the step's own precision.
  const decimals = Math.max(0, -Math.floor(Math.log10(p.step)) + 2);
  return Number(value.toFixed(Math.min(12, decimals)));
}

export function toNormalized(p: SpsaParam, value: number): number {
  return clamp01((value - p.min) / (p.max - p.min));
}

/** The random ±1 direction of iteration k: Bernoulli, from the iteration's own stream. */
export function perturbationDirection(rng: Rng, count: number): number[] {
  return Array.from({ length: count }, () => (rng.next() < 0.5 ? -1 : 1));
}

export interface SpsaProbe {
  readonly ck: number;
  readonly delta: readonly number[];
  /** Values (bot units, rounded and clamped) to measure at θ + cₖΔ and θ − cₖΔ. */
  readonly plus: readonly number[];
  readonly minus: readonly number[];
}

/**
 * The two points of iteration k. A parameter with a step is perturbed by at least one step, else θ+ and θ−
 * could round to the same value and its gradient would always read zero.
 */
export function probe(
  params: readonly SpsaParam[],
  gains: SpsaGains,
  theta: readonly number[],
  k: number,
  delta: readonly number[],
): SpsaProbe {
  const { ck } = gainsAt(gains, k);
  const plus: number[] = [];
  const minus: number[] = [];
  params.forEach((p, i) => {
    const size = Math.max(ck, p.step / (p.max - p.min));
    plus.push(toValue(p, theta[i]! + size * delta[i]!));
    minus.push(toValue(p, theta[i]! - size * delta[i]!));
  });
  return { ck, delta, plus, minus };
}

/**
 * θ after iteration k, given the objective measured at the probe's two points. The gradient of each
 * parameter divides the score difference by the distance actually measured over (after rounding and
 * clamping), which is 2·cₖ·Δᵢ when neither applies.
 */
export function update(
  params: readonly SpsaParam[],
  gains: SpsaGains,
  theta: readonly number[],
  k: number,
  measured: SpsaProbe,
  yPlus: number,
  yMinus: number,
): number[] {
  const { ak } = gainsAt(gains, k);
  return params.map((p, i) => {
    const distance = toNormalized(p, measured.plus[i]!) - toNormalized(p, measured.minus[i]!);
    const gradient = distance === 0 ? 0 : (yPlus - yMinus) / distance;
    return clamp01(theta[i]! + ak * gradient);
  });
}
