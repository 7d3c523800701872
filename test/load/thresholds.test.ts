import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoadRecorder } from '../../src/load/metrics.ts';
import { evaluateThresholds, parseThreshold, ThresholdError } from '../../src/load/thresholds.ts';

describe('threshold parser', () => {
  it('reads the k6-style forms, normalising units', () => {
    expect(parseThreshold('p99(move_rtt) < 50ms')).toMatchObject({
      aggregate: { kind: 'percentile', p: 99 },
      metric: 'move_rtt',
      op: '<',
      value: 50_000,
    });
    expect(parseThreshold('p(95)(connect) <= 20ms')).toMatchObject({
      aggregate: { kind: 'percentile', p: 95 },
      value: 20_000,
    });
    expect(parseThreshold('p99.9(x)<1s')).toMatchObject({
      aggregate: { kind: 'percentile', p: 99.9 },
      value: 1_000_000,
    });
    expect(parseThreshold('avg(join_rtt) < 250us').value).toBe(250);
    expect(parseThreshold('max(join_rtt) < 250µs').value).toBe(250);
    // A bare number on a latency means milliseconds, as in k6.
    expect(parseThreshold('med(join_rtt) < 3').value).toBe(3000);
    expect(parseThreshold('error_rate < 0.01')).toMatchObject({
      aggregate: { kind: 'value' },
      metric: 'error_rate',
      value: 0.01,
    });
    expect(parseThreshold('error_rate < 1%').value).toBeCloseTo(0.01);
    expect(parseThreshold('count(games) >= 5')).toMatchObject({ aggregate: { kind: 'count' }, op: '>=', value: 5 });
    expect(parseThreshold('rate(moves) > 100/s')).toMatchObject({ aggregate: { kind: 'rate' }, value: 100 });
    expect(parseThreshold('count(errors.timeout) == 0').metric).toBe('errors.timeout');
  });

  it('rejects bad expressions with the column and an example', () => {
    const cases: [string, RegExp][] = [
      ['', /expected an aggregate/],
      ['p99(move_rtt)', /expected a comparison/],
      ['p99(move_rtt) < ', /expected a number/],
      ['p99(move_rtt < 5ms', /expected "\)" at column 14/],
      ['p101(x) < 5', /percentile from 0 to 100/],
      ['p99(x) < 5/s', /time unit/],
      ['count(games) > 5ms', /plain number for count/],
      ['rate(moves) > 5ms', /rate in "\/s"/],
      ['foo(x) < 1', /aggregates/],
      ['p99(x) < 5 ms extra', /end of the expression/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseThreshold(text), text).toThrow(ThresholdError);
      expect(() => parseThreshold(text), text).toThrow(message);
    }
  });

  it('never throws anything but a ThresholdError, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          parseThreshold(text);
        } catch (error) {
          if (!(error instanceof ThresholdError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('threshold evaluation', () => {
  const recorder = new LoadRecorder();
  for (let i = 1; i <= 100; i++) recorder.latency('move_rtt', i * 1000);
  recorder.count('games', 6);
  recorder.error('timeout');
  recorder.tick();
  recorder.end();
  const results = (...exprs: string[]) => evaluateThresholds(exprs.map(parseThreshold), recorder.lookup());

  it('passes and fails on the measured values', () => {
    const [p99ok, p99bad, avg, games, rate] = results(
      'p99(move_rtt) < 100ms',
      'p99(move_rtt) < 50ms',
      'avg(move_rtt) <= 51ms',
      'count(games) >= 5',
      'rate(games) > 1000000/s',
    );
    expect(p99ok!.ok).toBe(true);
    expect(p99ok!.actual).toBeCloseTo(99, 0);
    expect(p99bad!.ok).toBe(false);
    expect(avg!.ok).toBe(true);
    expect(games!.ok).toBe(true);
    expect(rate!.ok).toBe(false);
  });

  it('computes error_rate over round trips and errors, and counts errors by kind', () => {
    // One error against no connect/handshake/*_rtt operations: move_rtt counts, 100 of them.
    const [rate, timeouts, none] = results(
      'error_rate < 0.01',
      'count(errors.timeout) == 1',
      'count(errors.ERRM) == 0',
    );
    expect(rate!.actual).toBeCloseTo(1 / 101, 5);
    expect(rate!.ok).toBe(true);
    expect(timeouts!.ok).toBe(true);
    expect(none!.ok).toBe(true);
  });

  it('fails a threshold on a metric without samples, naming the known ones', () => {
    const [missing, latencyOnCounter, counterAlone] = results('p99(join_rtt) < 1s', 'p99(games) < 1s', 'move_rtt < 5');
    expect(missing!.ok).toBe(false);
    expect(missing!.message).toMatch(/no samples for "join_rtt".*move_rtt/);
    expect(latencyOnCounter!.ok).toBe(false);
    expect(latencyOnCounter!.message).toMatch(/not a latency metric/);
    expect(counterAlone!.ok).toBe(false);
    expect(counterAlone!.message).toMatch(/say which value/);
  });
});
