/**
 * k6-style pass/fail criteria: `p99(move_rtt) < 50ms`, `p(95)(connect) <= 20ms`, `error_rate < 0.01`,
 * `count(games) >= 5`, `rate(moves) > 100/s`. Parsed once before the run (a typo fails fast with the column),
 * evaluated against the final metrics. Latencies are held in microseconds; a bare number compared with a
 * latency means milliseconds, as in k6.
 */

export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type Aggregate =
  | { readonly kind: 'percentile'; readonly p: number }
  | { readonly kind: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' }
  /** A metric named without an aggregate: a ratio (`error_rate`) or a counter (its count). */
  | { readonly kind: 'value' };

export interface Threshold {
  /** The expression as written. */
  readonly source: string;
  readonly aggregate: Aggregate;
  readonly metric: string;
  readonly op: Comparison;
  /** Normalised: microseconds for latencies, per second for rates, a fraction for percentages. */
  readonly value: number;
}

export class ThresholdError extends Error {
  override name = 'ThresholdError';
}

type Unit = 'us' | 'ms' | 's' | '/s' | '%' | '';

const AGGREGATES = new Set(['avg', 'min', 'max', 'med', 'count', 'rate']);
const COMPARISONS: readonly Comparison[] = ['<=', '>=', '==', '!=', '<', '>'];

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  skipSpace() {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  fail(expected: string): never {
    const found = this.pos >= this.text.length ? 'the end' : JSON.stringify(this.text.slice(this.pos, this.pos + 12));
    throw new ThresholdError(
      `threshold "${this.text}": expected ${expected} at column ${this.pos + 1}, found ${found}` +
        ' (examples: "p99(move_rtt) < 50ms", "p(95)(connect) <= 20ms", "error_rate < 0.01", "count(games) >= 5", "rate(moves) > 100/s")',
    );
  }
  match(re: RegExp): string | undefined {
    this.skipSpace();
    const m = re.exec(this.text.slice(this.pos));
    if (m?.index !== 0) return undefined;
    this.pos += m[0].length;
    return m[0];
  }
  expect(literal: string, what = `"${literal}"`) {
    this.skipSpace();
    if (!this.text.startsWith(literal, this.pos)) this.fail(what);
    this.pos += literal.length;
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*/;

function percentileOf(text: string, cursor: Cursor): number {
  const p = Number(text);
  if (!Number.isFinite(p) || p < 0 || p > 100) cursor.fail('a percentile from 0 to 100');
  return p;
}

/** Parses one expression; throws ThresholdError with the column of the first problem. */
export function parseThreshold(source: string): Threshold {
  const cursor: Cursor = new Cursor(source);
  let aggregate: Aggregate;
  let metric: string;
  const head = cursor.match(NAME);
  if (!head) cursor.fail('an aggregate like p99(, avg(, count(, rate( or a metric name');
  cursor.skipSpace();
  const pShort = /^p(\d+(?:\.\d+)?)$/.exec(head);
  if (head === 'p' && source[cursor.pos] === '(') {
    cursor.expect('(');
    const num = cursor.match(/^\d+(?:\.\d+)?/) ?? cursor.fail('a percentile number, as in p(95)');
    const p = percentileOf(num, cursor);
    cursor.expect(')');
    cursor.expect('(', '"(" and a metric name, as in p(95)(connect)');
    aggregate = { kind: 'percentile', p };
    metric = cursor.match(NAME) ?? cursor.fail('a metric name');
    cursor.expect(')');
  } else if ((pShort || AGGREGATES.has(head)) && source[cursor.pos] === '(') {
    cursor.expect('(');
    aggregate = pShort
      ? { kind: 'percentile', p: percentileOf(pShort[1]!, cursor) }
      : { kind: head as 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' };
    metric = cursor.match(NAME) ?? cursor.fail('a metric name');
    cursor.expect(')');
  } else if (source[cursor.pos] === '(') {
    cursor.fail('one of the aggregates p<N>, p(<N>), avg, min, max, med, count, rate before "("');
  } else {
    aggregate = { kind: 'value' };
    metric = head;
  }
  cursor.skipSpace();
  const op = COMPARISONS.find((c) => source.startsWith(c, cursor.pos));
  if (!op) cursor.fail('a comparison (<, <=, >, >=, ==, !=)');
  cursor.pos += op.length;
  const num = cursor.match(/^-?\d+(?:\.\d+)?(?:e-?\d+)?/) ?? cursor.fail('a number');
  const unitStart = cursor.pos;
  const unit = (cursor.match(/^(?:us|µs|ms|s\b|s$|\/s|%)/) ?? '').replace('µs', 'us') as Unit;
  cursor.skipSpace();
  if (cursor.pos < source.length) cursor.fail('the end of the expression');
  const value = normalise(Number(num), unit, aggregate, () => {
    cursor.pos = unitStart;
    return cursor;
  });
  return { source, aggregate, metric, op, value };
}

function normalise(n: number, unit: Unit, aggregate: Aggregate, at: () => Cursor): number {
  switch (aggregate.kind) {
    case 'percentile':
    case 'avg':
    case 'min':
    case 'max':
    case 'med':
      if (unit === '/s' || unit === '%') at().fail('a time unit (us, ms, s) or none (= ms) for a latency');
      return unit === 'us' ? n : unit === 's' ? n * 1_000_000 : n * 1000;
    case 'count':
      if (unit !== '') at().fail('a plain number for count()');
      return n;
    case 'rate':
      if (unit !== '' && unit !== '/s') at().fail('a rate in "/s" (or a plain number) for rate()');
      return n;
    case 'value':
      if (unit === '%') return n / 100;
      if (unit !== '') at().fail('a plain number or a percentage for a metric without an aggregate');
      return n;
  }
}

/** Parses every expression; the first bad one throws. */
export function parseThresholds(sources: readonly string[]): Threshold[] {
  return sources.map(parseThreshold);
}

/** What the evaluator needs of the run's metrics. */
export interface MetricLookup {
  /** Latency metrics (microseconds), with their `_uncorrected` views. */
  trend(name: string): TrendStats | undefined;
  /** Counters; undefined when never recorded and not built in. */
  counter(name: string): number | undefined;
  /** Fractions such as `error_rate`. */
  ratio(name: string): number | undefined;
  /** Run length for rate(). */
  readonly durationSeconds: number;
  /** Every known metric name, for "did you mean" errors. */
  names(): string[];
}

export interface TrendStats {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  percentile(p: number): number;
}

export interface ThresholdResult {
  readonly threshold: string;
  readonly ok: boolean;
  /** The measured value in the threshold's unit (ms for latencies), when there was one. */
  readonly actual?: number;
  readonly unit?: string;
  /** Why it failed, or what it measured. */
  readonly message: string;
}

function compare(a: number, op: Comparison, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

const round = (n: number) => (Number.isFinite(n) ? Number(n.toPrecision(4)) : n);

export function evaluateThreshold(t: Threshold, metrics: MetricLookup): ThresholdResult {
  const { aggregate, metric } = t;
  const unknown = (): ThresholdResult => ({
    threshold: t.source,
    ok: false,
    message: `no samples for "${metric}" (metrics of this run: ${metrics.names().join(', ') || 'none'})`,
  });
  const verdict = (actual: number, shown: number, unit: string, limitShown: number): ThresholdResult => {
    const ok = compare(actual, t.op, t.value);
    return {
      threshold: t.source,
      ok,
      actual: round(shown),
      unit,
      message: `${round(shown)}${unit} ${ok ? 'holds' : 'fails'} ${t.op} ${round(limitShown)}${unit}`,
    };
  };
  switch (aggregate.kind) {
    case 'percentile':
    case 'avg':
    case 'min':
    case 'max':
    case 'med': {
      const trend = metrics.trend(metric);
      if (!trend) {
        if (metrics.counter(metric) !== undefined || metrics.ratio(metric) !== undefined) {
          return {
            threshold: t.source,
            ok: false,
            message: `"${metric}" is not a latency metric: use count(${metric}), rate(${metric}) or ${metric} alone`,
          };
        }
        return unknown();
      }
      if (trend.count === 0) return { threshold: t.source, ok: false, message: `no samples for "${metric}"` };
      const micros =
        aggregate.kind === 'percentile'
          ? trend.percentile(aggregate.p)
          : aggregate.kind === 'med'
            ? trend.percentile(50)
            : aggregate.kind === 'avg'
              ? trend.mean
              : aggregate.kind === 'min'
                ? trend.min
                : trend.max;
      return verdict(micros, micros / 1000, 'ms', t.value / 1000);
    }
    case 'count':
    case 'rate': {
      const counter = metrics.counter(metric);
      const n = counter ?? metrics.trend(metric)?.count;
      if (n === undefined) return unknown();
      if (aggregate.kind === 'count') return verdict(n, n, '', t.value);
      const perSecond = metrics.durationSeconds > 0 ? n / metrics.durationSeconds : 0;
      return verdict(perSecond, perSecond, '/s', t.value);
    }
    case 'value': {
      const ratio = metrics.ratio(metric);
      if (ratio !== undefined) return verdict(ratio, ratio, '', t.value);
      const counter = metrics.counter(metric);
      if (counter !== undefined) return verdict(counter, counter, '', t.value);
      if (metrics.trend(metric)) {
        return {
          threshold: t.source,
          ok: false,
          message: `"${metric}" is a latency metric: say which value, e.g. p99(${metric}) or avg(${metric})`,
        };
      }
      return unknown();
    }
  }
}

export function evaluateThresholds(thresholds: readonly Threshold[], metrics: MetricLookup): ThresholdResult[] {
  return thresholds.map((t) => evaluateThreshold(t, metrics));
}
