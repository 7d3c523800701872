import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ArrivalSchedule,
  closedSteadyUntil,
  closedTarget,
  parseRate,
  parseStages,
  WorkloadError,
} from '../../src/load/workload.ts';

describe('workload parsing', () => {
  it('reads closed and open stages', () => {
    expect(parseStages('10s:100,20s:100,5s:0')).toEqual({
      kind: 'closed',
      stages: [
        { durationMs: 10_000, target: 100 },
        { durationMs: 20_000, target: 100 },
        { durationMs: 5000, target: 0 },
      ],
    });
    expect(parseStages('500ms:20/s, 1m:600/m')).toEqual({
      kind: 'open',
      stages: [
        { durationMs: 500, rate: 20 },
        { durationMs: 60_000, rate: 10 },
      ],
    });
    expect(parseRate('50/s')).toBe(50);
  });

  it('refuses mixed or malformed stages', () => {
    expect(() => parseStages('10s:100,10s:5/s')).toThrow(/mixes/);
    expect(() => parseStages('10s')).toThrow(WorkloadError);
    expect(() => parseStages('ten:5')).toThrow(/not a duration/);
    expect(() => parseStages('10s:1.5')).toThrow(/whole number/);
    expect(() => parseRate('fast')).toThrow(/not a rate/);
  });
});

describe('closed model', () => {
  it('ramps linearly from the previous level', () => {
    const w = {
      kind: 'closed' as const,
      start: 0,
      stages: [
        { durationMs: 1000, target: 100 },
        { durationMs: 1000, target: 100 },
        { durationMs: 1000, target: 0 },
      ],
    };
    expect(closedTarget(w, 0)).toBe(0);
    expect(closedTarget(w, 500)).toBe(50);
    expect(closedTarget(w, 1500)).toBe(100);
    expect(closedTarget(w, 2750)).toBe(25);
    expect(closedTarget(w, 3000)).toBe(0);
  });
});

describe('open model arrival schedule', () => {
  const all = (s: ArrivalSchedule) => {
    const out: number[] = [];
    for (let t = s.next(); t !== undefined; t = s.next()) out.push(t);
    return out;
  };

  it('spaces a constant rate evenly', () => {
    const times = all(
      new ArrivalSchedule({ kind: 'open', start: 50, stages: [{ durationMs: 1000, rate: 50 }], maxSessions: 1 }),
    );
    expect(times).toHaveLength(50);
    expect(times[0]).toBe(0);
    expect(times[1]).toBeCloseTo(20);
    expect(times[49]).toBeCloseTo(980);
  });

  it('gives each stage the integral of its rate, in increasing time order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ durationMs: fc.integer({ min: 100, max: 5000 }), rate: fc.integer({ min: 0, max: 200 }) }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.integer({ min: 0, max: 200 }),
        (stages, start) => {
          const times = all(new ArrivalSchedule({ kind: 'open', start, stages, maxSessions: 1 }));
          let expected = 0;
          let from = start;
          for (const s of stages) {
            expected += ((from + s.rate) / 2) * (s.durationMs / 1000);
            from = s.rate;
          }
          expect(Math.abs(times.length - expected)).toBeLessThanOrEqual(1);
          const total = stages.reduce((a, s) => a + s.durationMs, 0);
          let ordered = true;
          for (let i = 1; i < times.length; i++) if (times[i]! < times[i - 1]! - 1e-6) ordered = false;
          expect(ordered).toBe(true);
          expect(Math.max(0, ...times)).toBeLessThanOrEqual(total + 1e-6);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('closedSteadyUntil', () => {
  const w = {
    kind: 'closed' as const,
    start: 0,
    stages: [
      { durationMs: 1000, target: 10 },
      { durationMs: 2000, target: 10 },
      { durationMs: 500, target: 0 },
    ],
  };
  it('is the stage end while a stage holds its level, now while it ramps, the end after the last stage', () => {
    expect(closedSteadyUntil(w, 0)).toBe(0);
    expect(closedSteadyUntil(w, 999)).toBe(999);
    expect(closedSteadyUntil(w, 1000)).toBe(3000);
    expect(closedSteadyUntil(w, 2500)).toBe(3000);
    expect(closedSteadyUntil(w, 3100)).toBe(3100);
    expect(closedSteadyUntil(w, 9000)).toBe(3500);
    // The target indeed stays put until then.
    for (let t = 1000; t < 3000; t += 100) expect(closedTarget(w, t)).toBe(10);
  });
});
