import { describe, expect, it } from 'vitest';
import { Condition } from '../../src/core/condition.ts';

describe('Condition', () => {
  it('resolves true on the wake after the state changed, false when the time runs out, and at an abort', async () => {
    const c = new Condition();
    let ready = false;
    const waiting = c.until(() => ready, 5000);
    ready = true;
    c.wake();
    expect(await waiting).toBe(true);
    expect(await c.until(() => false, 20)).toBe(false);
    const ac = new AbortController();
    const aborted = c.until(() => false, 5000, ac.signal);
    ac.abort();
    expect(await aborted).toBe(false);
  });

  it('notices with its poll a state no message announces', async () => {
    const c = new Condition();
    const at = Date.now() + 50;
    expect(await c.until(() => Date.now() >= at, 5000, undefined, 10)).toBe(true);
    // Without a poll and without a wake the same wait runs to its time.
    const later = Date.now() + 50;
    expect(await c.until(() => Date.now() >= later, 200)).toBe(true); // checked once more when the time is up
  });
});
