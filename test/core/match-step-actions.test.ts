import { describe, expect, it } from 'vitest';
import type { StepActions } from '../../src/core/engine.ts';
import { runMatch } from '../../src/core/match.ts';
import type { Strategy } from '../../src/core/strategy.ts';
import { engine as nim } from '../tournament/fixtures/nim.ts';

const config = nim.parseConfig({ minTarget: 21, maxTarget: 21 });
const adder = (n: number): Strategy => ({ name: `add-${n}`, decide: () => n });

describe('runMatch gives the engine each step as a map', () => {
  it('a one-seat step answers every ReadonlyMap question as a Map of that one entry would', async () => {
    const seen: string[] = [];
    const spy = {
      ...nim,
      apply(state: unknown, step: StepActions<unknown, unknown>, events?: unknown[]) {
        if (step.kind === 'players') {
          const m = step.actions;
          const [[seat, action]] = [...m] as [[number, unknown]];
          const asMap = new Map([[seat, action]]);
          expect(m.size).toBe(1);
          expect(m.get(seat)).toBe(action);
          expect(m.get(seat + 1)).toBeUndefined();
          expect(m.has(seat)).toBe(true);
          expect(m.has(seat + 1)).toBe(false);
          expect([...m.keys()]).toEqual([...asMap.keys()]);
          expect([...m.values()]).toEqual([...asMap.values()]);
          expect([...m.entries()]).toEqual([...asMap.entries()]);
          expect(new Map(m)).toEqual(asMap);
          const each: unknown[] = [];
          m.forEach((value, key, map) => {
            each.push([key, value, map === m]);
          });
          expect(each).toEqual([[seat, action, true]]);
          seen.push(`${seat}:${String(action)}`);
        }
        // biome-ignore lint/suspicious/noExplicitAny: the fixture engine's own types.
        return nim.apply(state as any, step as any, events as any);
      },
    };
    const plain = await runMatch({
      engine: nim,
      config,
      players: [adder(2), adder(3)],
      seed: 4,
      record: { actions: true },
    });
    const out = await runMatch({
      // biome-ignore lint/suspicious/noExplicitAny: the spy wraps the fixture engine.
      engine: spy as any,
      config,
      players: [adder(2), adder(3)],
      seed: 4,
      record: { actions: true },
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(out.actions).toEqual(plain.actions);
    expect(out.result).toEqual(plain.result);
  });
});
