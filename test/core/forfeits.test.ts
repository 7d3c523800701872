import { describe, expect, it } from 'vitest';
import { forfeitedResult, replayActions, runMatch } from '../../src/core/match.ts';
import { makeReplay, verifyReplay } from '../../src/core/replay.ts';
import type { Strategy } from '../../src/core/strategy.ts';
import { engine as nim } from '../tournament/fixtures/nim.ts';

const config = nim.parseConfig({ minTarget: 39, maxTarget: 39 });
const adder = (n: number): Strategy => ({ name: `add-${n}`, decide: () => n });
const record = { actions: true, hashes: true };

describe('a misbehaving bot forfeits its game', () => {
  it('a strategy that throws forfeits; the game still ends, ranks it last, and its replay verifies', async () => {
    let asked = 0;
    const thrower: Strategy = {
      name: 'thrower',
      decide: () => {
        asked++;
        throw new Error('boom');
      },
    };
    const out = await runMatch({ engine: nim, config, players: [thrower, adder(1)], seed: 1, record });
    expect(out.forfeits).toEqual([{ seat: 0, step: 0, kind: 'error', reason: 'error: boom' }]);
    expect(asked).toBe(1);
    // Seat 0 played the default action (1) from then on; seat 0 adds the 39th, but forfeited.
    expect(nim.result(replayActions(nim, config, 2, 1, out.actions!).finalState)!.winner).toBe(0);
    expect(out.result).toEqual({ scores: [1, 0], ranks: [2, 1], winner: 1 });
    expect(verifyReplay(nim, makeReplay(nim, config, 1, ['thrower', 'add-1'], out)).ok).toBe(true);
  });

  it('an asynchronous decision that never settles forfeits at the limit', async () => {
    const hang: Strategy = { name: 'hang', decide: () => new Promise(() => {}) };
    const started = performance.now();
    const out = await runMatch({ engine: nim, config, players: [adder(1), hang], seed: 2, decisionLimitMs: 100 });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(out.forfeits).toEqual([{ seat: 1, step: 1, kind: 'timeout', reason: 'timeout: no action within 100 ms' }]);
    expect(out.result.winner).toBe(0);
  });

  it('a synchronous decision past the limit forfeits once it returns', async () => {
    const slow: Strategy = {
      name: 'slow',
      decide: () => {
        const until = performance.now() + 60;
        while (performance.now() < until) {
          // busy: a synchronous bot cannot be interrupted, only judged when it returns
        }
        return 1;
      },
    };
    const out = await runMatch({ engine: nim, config, players: [slow, adder(1)], seed: 3, decisionLimitMs: 20 });
    expect(out.forfeits).toHaveLength(1);
    expect(out.forfeits[0]).toMatchObject({ seat: 0, step: 0, kind: 'timeout' });
    expect(out.forfeits[0]!.reason).toMatch(/^timeout: took \d+ ms, the limit is 20 ms$/);
  });

  it('a bot that keeps playing illegal actions forfeits after the allowed number', async () => {
    const out = await runMatch({
      engine: nim,
      config,
      players: [adder(1), adder(7)],
      seed: 4,
      maxIllegalActions: 3,
    });
    expect(out.invalid).toHaveLength(4);
    expect(out.forfeits).toEqual([
      { seat: 1, step: 7, kind: 'illegal', reason: 'illegal: more than 3 illegal actions (last: cannot add 7)' },
    ]);
    expect(out.result.ranks).toEqual([1, 2]);
  });

  it('a malformed action that breaks validation is an illegal action, not a crash', async () => {
    const odd: Strategy = { name: 'odd', decide: () => ({ weird: true }) };
    const engine = {
      ...nim,
      validate: (s: Parameters<typeof nim.validate>[0], seat: number, a: unknown) => {
        if (typeof a !== 'number') throw new TypeError('not a number');
        return nim.validate(s, seat, a);
      },
    };
    const out = await runMatch({ engine, config, players: [adder(1), odd], seed: 5, maxIllegalActions: 100 });
    expect(out.forfeits).toEqual([]);
    expect(out.invalid[0]!.reason).toBe('malformed action: not a number');
  });

  it('ranks forfeited seats below every other seat, keeping the order of the rest', () => {
    const played = { scores: [5, 9, 7, 1], ranks: [3, 1, 2, 4], winner: 1 };
    expect(forfeitedResult(played, new Set([1]))).toEqual({ scores: [5, 9, 7, 1], ranks: [2, 4, 1, 3], winner: 2 });
    expect(forfeitedResult(played, new Set([0, 1, 2, 3]))).toEqual({ ...played, ranks: [1, 1, 1, 1], winner: null });
    expect(forfeitedResult(played, new Set())).toBe(played);
  });
});
