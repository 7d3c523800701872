import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoarseTimer } from '../../src/game/coarse-timer.ts';

describe('CoarseTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs each callback at or after its time, within one slot, told the slot time', () => {
    const timer = new CoarseTimer(10);
    const t0 = performance.now();
    const calls: { name: string; at: number; slot: number }[] = [];
    const add = (name: string, delay: number) =>
      timer.at(t0 + delay, (slot) => calls.push({ name, at: performance.now(), slot }));
    const slots = [add('c', 35), add('a', 3), add('b', 7.5), add('d', 20)];
    expect(slots.map((s) => s - t0)).toEqual([40, 10, 10, 20].map((d) => d - (t0 % 10)));
    expect(timer.pending).toBe(4);
    vi.advanceTimersByTime(100);
    expect(calls.map((c) => c.name)).toEqual(['a', 'b', 'd', 'c']);
    for (const c of calls) {
      expect(c.at).toBeGreaterThanOrEqual(c.slot - 1);
      expect(c.at - c.slot).toBeLessThan(10);
    }
    expect(timer.pending).toBe(0);
  });

  it('wakes once per slot, however many callbacks share it', () => {
    const timer = new CoarseTimer(10);
    const t0 = performance.now();
    const spy = vi.spyOn(globalThis, 'setTimeout');
    let ran = 0;
    for (let i = 0; i < 1000; i++) timer.at(t0 + 1 + (i % 10) * 0.5, () => ran++);
    vi.advanceTimersByTime(50);
    expect(ran).toBe(1000);
    // One arm for the slot; nothing re-armed since no slot is left.
    expect(spy.mock.calls.length).toBeLessThanOrEqual(2);
    spy.mockRestore();
  });

  it('a callback added for an earlier slot than the armed one runs first', () => {
    const timer = new CoarseTimer(10);
    const t0 = performance.now();
    const order: string[] = [];
    timer.at(t0 + 500, () => order.push('late'));
    timer.at(t0 + 15, () => order.push('early'));
    vi.advanceTimersByTime(30);
    expect(order).toEqual(['early']);
    vi.advanceTimersByTime(500);
    expect(order).toEqual(['early', 'late']);
  });

  it('runs each callback in a macrotask of its own: what one queues with nextTick runs before the next', async () => {
    vi.useRealTimers();
    const timer = new CoarseTimer(10);
    const order: string[] = [];
    const at = performance.now() + 5;
    await new Promise<void>((resolve) => {
      timer.at(at, () => {
        order.push('first');
        process.nextTick(() => order.push('first tick'));
      });
      timer.at(at, () => {
        order.push('second');
        resolve();
      });
    });
    expect(order).toEqual(['first', 'first tick', 'second']);
  });
});
