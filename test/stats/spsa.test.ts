import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.ts';
import {
  defaultGains,
  gainsAt,
  gainsProblem,
  paramProblem,
  perturbationDirection,
  probe,
  type SpsaParam,
  toNormalized,
  toValue,
  update,
} from '../../src/stats/spsa.ts';

describe('SPSA gains and parameter values', () => {
  it('follow Spall: a_k = a/(A+k+1)^0.602, c_k = c/(k+1)^0.101, A a tenth of the iterations', () => {
    const g = defaultGains(200);
    expect(g).toMatchObject({ A: 20, c: 0.1, alpha: 0.602, gamma: 0.101 });
    const { ak, ck } = gainsAt(g, 9);
    expect(ak).toBeCloseTo(g.a / 30 ** 0.602, 12);
    expect(ck).toBeCloseTo(0.1 / 10 ** 0.101, 12);
    // The first step: 5% of a range for a gradient estimate of 0.5.
    expect(gainsAt(g, 0).ak * 0.5).toBeCloseTo(0.05, 12);
    expect(defaultGains(200, { a: 2, A: 5 })).toMatchObject({ a: 2, A: 5 });
    expect(gainsProblem({ ...g, c: 0 })).toMatch(/above 0/);
    expect(gainsProblem({ ...g, c: 0.8 })).toMatch(/at most 0.5/);
    expect(gainsProblem(g)).toBeNull();
  });

  it('round to the step from min, clamp to the range, and drop float dust', () => {
    const reserve: SpsaParam = { name: 'reserve', min: 0, max: 5, step: 1 };
    expect(toValue(reserve, 0.45)).toBe(2);
    expect(toValue(reserve, -0.3)).toBe(0);
    expect(toValue(reserve, 1.7)).toBe(5);
    const margin: SpsaParam = { name: 'margin', min: 0.05, max: 0.4, step: 0.05 };
    expect(toValue(margin, 0.5)).toBe(0.25);
    expect(toValue(margin, toNormalized(margin, 0.15))).toBe(0.15);
    // A range that is not a multiple of the step never rounds past max.
    expect(toValue({ name: 'x', min: 0, max: 10, step: 4 }, 1)).toBe(8);
    expect(toValue({ name: 'y', min: -1, max: 1, step: 0 }, 0.25)).toBe(-0.5);
    expect(paramProblem({ name: 'z', min: 3, max: 3, step: 0 })).toMatch(/min < max/);
    expect(paramProblem({ name: 'z', min: 0, max: 3, step: 5 })).toMatch(/larger than the range/);
  });

  it('perturbs a stepped parameter by at least one step, so its gradient is never read as zero', () => {
    const g = defaultGains(100, { c: 0.01 });
    const params: SpsaParam[] = [
      { name: 'n', min: 0, max: 10, step: 1 },
      { name: 'f', min: 0, max: 1, step: 0 },
    ];
    const p = probe(params, g, [0.5, 0.5], 50, [1, -1]);
    expect(p.plus[0]! - p.minus[0]!).toBeGreaterThanOrEqual(1);
    expect(p.plus[1]!).toBeLessThan(p.minus[1]!);
    expect(p.minus[1]! - p.plus[1]!).toBeCloseTo(2 * p.ck, 12);
  });

  it('draws ±1 directions from the given stream, the same for the same seed', () => {
    const a = perturbationDirection(createRng('dir/3'), 8);
    expect(a.every((d) => d === 1 || d === -1)).toBe(true);
    expect(perturbationDirection(createRng('dir/3'), 8)).toEqual(a);
  });
});

describe('SPSA on a synthetic objective with a known optimum', () => {
  it('finds the maximum of a noisy concave score within a few percent of each range', () => {
    // Three parameters of different scales and kinds; the optimum sits off-centre in each.
    const params: SpsaParam[] = [
      { name: 'margin', min: 0, max: 0.5, step: 0 },
      { name: 'horizon', min: 1, max: 20, step: 1 },
      { name: 'weight', min: -100, max: 100, step: 0 },
    ];
    const optimum = [0.12, 14, -40];
    const iterations = 500;
    const gains = defaultGains(iterations);
    // A score in [0, 1] like a match result: 0.5 minus the squared distance in range units, plus noise of
    // σ = 0.02. (As in real tuning the score is flat near the optimum: 10% of a range off costs 0.01.)
    const noise = createRng('spsa-noise');
    const gaussian = () => Math.sqrt(-2 * Math.log(1 - noise.next())) * Math.cos(2 * Math.PI * noise.next());
    const score = (values: readonly number[]) =>
      0.5 -
      params.reduce((acc, p, i) => acc + ((values[i]! - optimum[i]!) / (p.max - p.min)) ** 2, 0) +
      0.02 * gaussian();
    const start = [0.45, 3, 80];
    let theta = params.map((p, i) => toNormalized(p, start[i]!));
    for (let k = 0; k < iterations; k++) {
      const delta = perturbationDirection(createRng(`spsa-test/${k}`), params.length);
      const measured = probe(params, gains, theta, k, delta);
      theta = update(params, gains, theta, k, measured, score(measured.plus), score(measured.minus));
    }
    const found = params.map((p, i) => toValue(p, theta[i]!));
    params.forEach((p, i) => {
      expect(Math.abs(found[i]! - optimum[i]!) / (p.max - p.min)).toBeLessThan(0.06);
    });
    expect(Number.isInteger(found[1])).toBe(true);
  });

  it('stays inside the ranges when the optimum lies beyond a bound', () => {
    const params: SpsaParam[] = [{ name: 'x', min: 0, max: 1, step: 0 }];
    const gains = defaultGains(100);
    let theta = [0.5];
    for (let k = 0; k < 100; k++) {
      const measured = probe(params, gains, theta, k, perturbationDirection(createRng(`edge/${k}`), 1));
      // Increasing in x: the best value is the upper bound.
      theta = update(params, gains, theta, k, measured, measured.plus[0]!, measured.minus[0]!);
      expect(theta[0]!).toBeLessThanOrEqual(1);
    }
    expect(theta[0]!).toBeGreaterThan(0.95);
  });
});
