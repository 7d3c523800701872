import { describe, expect, it } from 'vitest';
import { judge } from '../../bench/harness.ts';

describe('bench targets', () => {
  it.each([
    [2500, '>= 2000', 'met'],
    [1999, '>= 2000', 'missed'],
    [10000, '>= 10,000', 'met'],
    [0.9, '< 1', 'met'],
    [1, '< 1', 'missed'],
    [50, '<= 50', 'met'],
    [1.8, '> 1.8', 'missed'],
    [5, 'fast', 'unchecked'],
    [1200, '>= 1000 (20x Catanatron)', 'met'],
    [278, '300-345 (Catanatron)', 'missed'],
    [310, '300..345', 'met'],
    [5, undefined, ''],
  ] as const)('%s against %s is %s', (value, target, status) => {
    expect(judge({ value, target })).toBe(status);
  });
});
