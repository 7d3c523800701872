import { expect } from 'vitest';
import { createRng } from '../../src/core/rng.ts';
import {
  apply,
  type CatanAction,
  type CatanChance,
  type CatanConfig,
  type CatanEvent,
  type CatanState,
  catanEngine,
  EDGE_VERTICES,
  VERTEX_EDGES,
  validate,
} from '../../src/games/catan/index.ts';

export const beginner: CatanConfig = catanEngine.parseConfig({ map: 'beginner' });

/** A fresh 4-player beginner-board game in its opening. */
export const fresh = (players = 4, config = beginner): CatanState => catanEngine.setup(config, players, createRng(1));

/** Applies a player action after checking that it is legal. */
export function act(s: CatanState, seat: number, action: CatanAction, events?: CatanEvent[]): CatanState {
  expect(validate(s, seat, action), JSON.stringify(action)).toBeNull();
  return apply(s, { kind: 'players', actions: new Map([[seat, action]]) }, events);
}

export function chance(s: CatanState, outcome: CatanChance, events?: CatanEvent[]): CatanState {
  expect(catanEngine.toAct(s)).toEqual({ kind: 'chance' });
  return apply(s, { kind: 'chance', outcome }, events);
}

/**
 * A position in the main phase of `current`'s turn, with the given pieces and hands and nothing else. Unless
 * `views` is given, no seat knows anything of another's hand: every card is one it cannot account for.
 */
export function position(parts: Partial<CatanState>, players = 4): CatanState {
  const base = fresh(players);
  const s: CatanState = { ...base, step: { phase: 'main' }, ...parts };
  if (parts.views !== undefined || parts.hands === undefined) return s;
  const k = s.bank.length;
  const views = new Array<number>(players * players * k).fill(0);
  for (let o = 0; o < players; o++)
    for (let p = 0; p < players; p++)
      if (o !== p) for (let r = 0; r < k; r++) views[(o * players + p) * k + r] = s.hands[p * k + r]!;
  return { ...s, views };
}

/** Puts pieces on a board array copy: buildings as [vertex, seat, city?], roads as [edge, seat]. */
export function board(
  buildings: readonly (readonly [number, number, boolean?])[],
  roads: readonly (readonly [number, number])[],
): { buildings: number[]; roads: number[] } {
  const b = new Array<number>(54).fill(-1);
  const r = new Array<number>(72).fill(-1);
  for (const [v, seat, city] of buildings) b[v] = seat * 2 + (city ? 1 : 0);
  for (const [e, seat] of roads) r[e] = seat;
  return { buildings: b, roads: r };
}

/** The vertex two edges share. */
export function shared(e: number, f: number): number {
  const [a, b] = EDGE_VERTICES[e]!;
  const [c, d] = EDGE_VERTICES[f]!;
  if (a === c || a === d) return a;
  if (b === c || b === d) return b;
  throw new Error(`edges ${e} and ${f} do not meet`);
}

/** Pieces in supply for seats that have placed `placed` [roads, settlements, cities] each. */
export function pieces(players: number, placed: Record<number, [number, number, number]>): number[] {
  const out: number[] = [];
  for (let p = 0; p < players; p++) {
    const [r, s, c] = placed[p] ?? [0, 0, 0];
    out.push(15 - r, 5 - s, 4 - c);
  }
  return out;
}

export { VERTEX_EDGES };
