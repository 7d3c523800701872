/**
 * Hand-built Cities & Knights positions for two rules issue #15 asks to see that ck.test.ts pins only in part:
 * harbour trades over the eight card kinds (docs/rules/catan.md, "Bank ratios": a generic harbour serves
 * commodities, a resource's 2:1 harbour only that resource, the Trading House makes commodities 2:1), and the
 * metropolis (the first seat at level 4 takes it; level 5 takes it from a holder at 4, never from one at 5).
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.ts';
import {
  BEGINNER_BOARD,
  type CatanState,
  type CkState,
  catanEngine,
  EDGE_VERTICES,
  parseConfig,
  totalPoints,
  validate,
} from '../../src/games/catan/index.ts';
import { act, board, pieces } from './helpers.ts';

const ckConfig = parseConfig({ rules: 'cities-and-knights', map: 'beginner' });

/** A C&K position in the main phase of seat 0 (4 seats, beginner board) with the given parts. */
function ck(parts: Partial<CatanState>, ckParts: Partial<CkState> = {}): CatanState {
  const base = catanEngine.setup(ckConfig, 4, createRng(1));
  return { ...base, step: { phase: 'main' }, ...parts, ck: { ...base.ck!, ...ckParts } };
}

/** 4 seats × 8 kinds (brick lumber wool grain ore paper cloth coin), and the bank that leaves. */
function cards(perSeat: Record<number, number[]>): { hands: number[]; bank: number[] } {
  const hands: number[] = [];
  for (let p = 0; p < 4; p++) hands.push(...(perSeat[p] ?? [0, 0, 0, 0, 0, 0, 0, 0]));
  const bank = [0, 1, 2, 3, 4, 5, 6, 7].map(
    (r) => (r < 5 ? 19 : 12) - [0, 1, 2, 3].reduce((a, p) => a + hands[p * 8 + r]!, 0),
  );
  return { hands, bank };
}

const PAPER = 5;
const CLOTH = 6;
const COIN = 7;

describe('Cities & Knights: harbour trades over the eight card kinds', () => {
  const generic = BEGINNER_BOARD.harbours.find((h) => h.resource === -1)!;
  const ore = BEGINNER_BOARD.harbours.find((h) => h.resource === 4)!;
  const hand = cards({ 0: [0, 0, 0, 0, 4, 4, 3, 2] });

  it('without a harbour every kind, commodities included, trades 4:1', () => {
    const s = ck({ ...hand });
    expect(validate(s, 0, { type: 'bankTrade', give: CLOTH, get: 0 })).toBe('the bank wants 4 cloth');
    const after = act(s, 0, { type: 'bankTrade', give: PAPER, get: 0 });
    expect(after.hands.slice(0, 8)).toEqual([1, 0, 0, 0, 4, 0, 3, 2]);
    expect(after.bank[PAPER]).toBe(s.bank[PAPER]! + 4);
  });

  it('a generic harbour makes every kind 3:1, commodities included (the decision in docs/rules/catan.md)', () => {
    const s = ck({ ...board([[EDGE_VERTICES[generic.edge]![0]!, 0]], []), ...hand });
    expect(validate(s, 0, { type: 'bankTrade', give: COIN, get: 0 })).toBe('the bank wants 3 coin');
    const after = act(s, 0, { type: 'bankTrade', give: CLOTH, get: 3 });
    expect(after.hands.slice(0, 8)).toEqual([0, 0, 0, 1, 4, 4, 0, 2]);
  });

  it("a resource's 2:1 harbour serves that resource only, never a commodity", () => {
    const s = ck({ ...board([[EDGE_VERTICES[ore.edge]![1]!, 0]], []), ...hand });
    const after = act(s, 0, { type: 'bankTrade', give: 4, get: 0 });
    expect(after.hands.slice(0, 8)).toEqual([1, 0, 0, 0, 2, 4, 3, 2]);
    expect(validate(s, 0, { type: 'bankTrade', give: CLOTH, get: 0 })).toBe('the bank wants 4 cloth');
  });

  it('the Trading House (trade level 3) makes commodities 2:1, not resources', () => {
    const improvements = new Array<number>(12).fill(0);
    improvements[0] = 3;
    const s = ck({ ...board([[2, 0, true]], []), ...hand }, { improvements });
    const after = act(s, 0, { type: 'bankTrade', give: COIN, get: 2 });
    expect(after.hands.slice(0, 8)).toEqual([0, 0, 1, 0, 4, 4, 3, 0]);
    const three = ck({ ...board([[2, 0, true]], []), ...cards({ 0: [0, 0, 0, 0, 3, 0, 0, 2] }) }, { improvements });
    expect(validate(three, 0, { type: 'bankTrade', give: 4, get: 0 })).toBe('the bank wants 4 ore');
    expect(validate(three, 0, { type: 'bankTrade', give: COIN, get: 0 })).toBeNull();
  });
});

describe('Cities & Knights: metropolises', () => {
  const science = (levels: Record<number, number>) => {
    const imp = new Array<number>(12).fill(0);
    for (const [seat, level] of Object.entries(levels)) imp[Number(seat) * 3 + 2] = level;
    return imp;
  };
  const twoCities = {
    ...board(
      [
        [2, 0, true],
        [23, 1, true],
      ],
      [],
    ),
    pieces: pieces(4, { 0: [0, 0, 1], 1: [0, 0, 1] }),
  };

  it('the first seat to reach level 4 takes the metropolis (+2 points) onto one of its cities', () => {
    const s = ck({ ...twoCities, ...cards({ 0: [0, 0, 0, 0, 0, 4, 0, 0] }) }, { improvements: science({ 0: 3 }) });
    expect(s.ck!.metropolis).toEqual([-1, -1, -1]);
    expect(totalPoints(s, 0)).toBe(2);
    const after = act(s, 0, { type: 'improve', track: 2 });
    expect(after.ck!.improvements[2]).toBe(4);
    expect(after.hands[PAPER]).toBe(0);
    expect(after.ck!.metropolis).toEqual([-1, -1, 2]);
    expect(totalPoints(after, 0)).toBe(4);
  });

  it('level 5 takes it from a holder at level 4, and the holder loses the 2 points', () => {
    const s = ck(
      { ...twoCities, ...cards({ 0: [0, 0, 0, 0, 0, 5, 0, 0] }) },
      { improvements: science({ 0: 4, 1: 4 }), metropolis: [-1, -1, 23] },
    );
    expect([totalPoints(s, 0), totalPoints(s, 1)]).toEqual([2, 4]);
    const after = act(s, 0, { type: 'improve', track: 2 });
    expect(after.ck!.metropolis[2]).toBe(2);
    expect([totalPoints(after, 0), totalPoints(after, 1)]).toEqual([4, 2]);
  });

  it('a holder already at level 5 keeps it when another seat reaches 5', () => {
    const s = ck(
      { ...twoCities, ...cards({ 0: [0, 0, 0, 0, 0, 5, 0, 0] }) },
      { improvements: science({ 0: 4, 1: 5 }), metropolis: [-1, -1, 23] },
    );
    const after = act(s, 0, { type: 'improve', track: 2 });
    expect(after.ck!.improvements[2]).toBe(5);
    expect(after.ck!.metropolis[2]).toBe(23);
    expect([totalPoints(after, 0), totalPoints(after, 1)]).toEqual([2, 4]);
  });
});
