import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fifo } from '../../src/net/fifo.ts';

describe('Fifo', () => {
  it('behaves as an array used with push and shift, for any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 3000 }), (ops) => {
        const fifo = new Fifo<number>();
        const model: number[] = [];
        for (const op of ops) {
          if (op === null) expect(fifo.shift()).toBe(model.shift());
          else {
            fifo.push(op);
            model.push(op);
          }
          expect(fifo.length).toBe(model.length);
          expect(fifo.peek()).toBe(model[0]);
        }
        expect([...fifo]).toEqual(model);
        expect(fifo.drain()).toEqual(model);
        expect(fifo.length).toBe(0);
      }),
      { numRuns: 50 },
    );
  });

  it('keeps the order over many compactions while it is never empty (a long pipelined session)', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 64; i++) fifo.push(i);
    for (let i = 64; i < 100_000; i++) {
      expect(fifo.shift()).toBe(i - 64);
      fifo.push(i);
    }
    expect(fifo.length).toBe(64);
    expect(fifo.drain()).toEqual(Array.from({ length: 64 }, (_, i) => 100_000 - 64 + i));
  });
});
