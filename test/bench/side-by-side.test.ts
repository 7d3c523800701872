import { describe, expect, it } from 'vitest';
import { sideBySideFigures } from '../../bench/loadtest-kit.ts';

describe('sideBySideFigures', () => {
  it('takes the ratio per CPU-second round by round and reports the median, not the best rates', () => {
    const rounds = {
      raw: [100, 100, 100, 100, 100, 100],
      rawCoalescing: [1000, 1000, 500, 1000, 1000, 2000],
      // Per round: 80%, 90%, 200% (the raw client had a bad round), 85%, 70%, 40% (ours had one).
      ours: [800, 900, 1000, 850, 700, 800],
      oursPromises: [700, 700, 700, 700, 700, 700],
    };
    const best = { raw: 100, rawCoalescing: 400, ours: 1000, oursPromises: 300 };
    const [, , ratio] = sideBySideFigures('G', { exchange: 'X', client: 'C' }, { best, rounds });
    // Sorted: 40, 70, 80, 85, 90, 200: the median is (80 + 85) / 2; the best wall rates (250%) do not count.
    expect(ratio!.value).toBe(82.5);
    expect(ratio!.target).toBe('>= 80');
    expect(ratio!.note).toContain('median of 6 rounds (80.0, 90.0, 200.0, 85.0, 70.0, 40.0)');
  });
});
