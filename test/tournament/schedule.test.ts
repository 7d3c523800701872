import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveSeed } from '../../src/core/rng.ts';
import {
  buildSchedule,
  combinations,
  cyclicOrders,
  type GameRecord,
  pairSwiss,
  type TournamentDefinition,
} from '../../src/tournament/index.ts';

const def = (over: Partial<TournamentDefinition>): TournamentDefinition => ({
  name: 't',
  game: 'nim',
  format: 'round-robin',
  bots: ['a', 'b', 'c', 'd'],
  players: 2,
  games: 4,
  seed: 9,
  iterations: 100,
  config: {},
  ...over,
});

/** A finished game in which the lower bot index always wins (a strict strength order). */
function finish(game: { index: number; seed: number; round: number; pairing: number; seats: readonly number[] }) {
  const best = Math.min(...game.seats);
  const winner = game.seats.indexOf(best);
  return {
    ...game,
    bots: game.seats.map(String),
    winner,
    scores: game.seats.map((b) => (b === best ? 1 : 0)),
    ranks: game.seats.map((b) => (b === best ? 1 : 2)),
    steps: 1,
    invalidActions: game.seats.map(() => 0),
    durationMs: 0,
    engine: 'nim',
    engineVersion: '1',
  } satisfies GameRecord;
}

function seatCounts(games: { seats: readonly number[] }[], bots: number, players: number): number[][] {
  const counts = Array.from({ length: bots }, () => new Array<number>(players).fill(0));
  for (const g of games) {
    for (const [seat, bot] of g.seats.entries()) counts[bot]![seat]!++;
  }
  return counts;
}

describe('seatOrders: all', () => {
  it('cyclic orders: (n - 1)! of them, the lineup first, no two the same up to rotation', () => {
    expect(cyclicOrders([0, 1])).toEqual([[0, 1]]);
    expect(cyclicOrders(['r', 'h', 'm'])).toEqual([
      ['r', 'h', 'm'],
      ['r', 'm', 'h'],
    ]);
    const four = cyclicOrders([0, 1, 2, 3]);
    expect(four).toHaveLength(6);
    const canonical = (o: number[]) => {
      const at = o.indexOf(0);
      return [...o.slice(at), ...o.slice(0, at)].join();
    };
    expect(new Set(four.map(canonical)).size).toBe(6);
  });

  it('plays each seed of a pairing once per order; order 0 is the plain schedule, game for game', () => {
    const base = def({ bots: ['a', 'b', 'c'], players: 3, games: 6 });
    const plain = buildSchedule(base).plan(0, new Map());
    const all = buildSchedule({ ...base, seatOrders: 'all' }).plan(0, new Map());
    expect(all).toHaveLength(12);
    expect(all.slice(0, 6)).toEqual(plain);
    expect(all.map((g) => g.index)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    for (let k = 0; k < 6; k++) {
      const [first, second] = [all[k]!, all[6 + k]!];
      expect(second.seed).toBe(first.seed);
      expect(second.seats).toEqual(rotateBy([0, 2, 1], k));
    }
    // Who sits right after whom: each bot is followed by each other bot in half the games.
    const follows = new Map<string, number>();
    for (const g of all) {
      for (const [s, b] of g.seats.entries()) {
        const key = `${b}>${g.seats[(s + 1) % 3]}`;
        follows.set(key, (follows.get(key) ?? 0) + 1);
      }
    }
    expect([...follows.values()]).toEqual(new Array(6).fill(6));
  });

  it('with two players there is one order: the schedule is unchanged', () => {
    const base = def({});
    expect(buildSchedule({ ...base, seatOrders: 'all' }).plan(0, new Map())).toEqual(
      buildSchedule(base).plan(0, new Map()),
    );
  });
});

function rotateBy(lineup: number[], k: number): number[] {
  return lineup.map((_, s) => lineup[(s + k) % lineup.length]!);
}

describe('schedules', () => {
  it('combinations are all k-subsets in order', () => {
    expect(combinations(4, 2)).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 2],
      [1, 3],
      [2, 3],
    ]);
    expect(combinations(5, 3)).toHaveLength(10);
  });

  it('round-robin: every pairing N games, both seat orders equally, seeds from (seed, index)', () => {
    const s = buildSchedule(def({}));
    const games = s.plan(0, new Map());
    expect(s.total).toBe(6 * 4);
    expect(games.map((g) => g.index)).toEqual([...Array(24).keys()]);
    for (const g of games) expect(g.seed).toBe(deriveSeed(9, g.index));
    for (const row of seatCounts(games, 4, 2)) expect(row).toEqual([6, 6]);
  });

  it('round-robin with 3 players rotates seats in balance', () => {
    const games = buildSchedule(def({ players: 3, games: 3 })).plan(0, new Map());
    expect(games).toHaveLength(4 * 3);
    for (const row of seatCounts(games, 4, 3)) expect(row).toEqual([3, 3, 3]);
  });

  it('gauntlet: the challenger meets each other bot, nobody else meets', () => {
    const games = buildSchedule(def({ format: 'gauntlet', challenger: 'c' })).plan(0, new Map());
    expect(games).toHaveLength(3 * 4);
    for (const g of games) expect(g.seats).toContain(2);
  });

  it('ffa: bots play equally often and seats are balanced', () => {
    const games = buildSchedule(def({ format: 'ffa', players: 4, games: 8 })).plan(0, new Map());
    expect(games).toHaveLength(8);
    for (const row of seatCounts(games, 4, 4)) expect(row).toEqual([2, 2, 2, 2]);
    const crowded = buildSchedule(def({ format: 'ffa', bots: ['a', 'b'], players: 6, games: 6 })).plan(0, new Map());
    for (const g of crowded) expect(g.seats.filter((b) => b === 0)).toHaveLength(3);
  });

  it('swiss: pairs round r from earlier rounds only, avoids rematches, gives byes to different bots', () => {
    const definition = def({ format: 'swiss', bots: ['a', 'b', 'c', 'd', 'e'], rounds: 4, games: 2 });
    const s = buildSchedule(definition);
    expect(s.rounds).toBe(4);
    expect(s.total).toBe(4 * 2 * 2);
    const finished = new Map<number, GameRecord>();
    const met = new Set<string>();
    const byes: number[] = [];
    for (let round = 0; round < s.rounds; round++) {
      expect(() => s.plan(round + 1, finished)).toThrow(/missing/);
      const games = s.plan(round, finished);
      expect(s.plan(round, finished)).toEqual(games);
      const seated = new Set(games.flatMap((g) => g.seats));
      byes.push(...[0, 1, 2, 3, 4].filter((b) => !seated.has(b)));
      for (const g of games) {
        if (g.index % 2 === 0) {
          const key = [...g.seats].sort().join('/');
          expect(met.has(key)).toBe(false);
          met.add(key);
        }
        finished.set(g.index, finish(g));
      }
    }
    expect(new Set(byes).size).toBe(4);
    // Round 1 is paired by the points of round 0 (byes count as won): bot 0 meets a bot with as many.
    const points = new Array<number>(5).fill(0);
    const round0 = s.plan(0, finished);
    for (const g of round0) points[g.seats[finished.get(g.index)!.winner!]!]! += 1;
    points[byes[0]!]! += 2;
    const opponent = s
      .plan(1, finished)
      .find((g) => g.seats.includes(0))!
      .seats.find((b) => b !== 0)!;
    expect(points[opponent]).toBe(points[0]);
  });

  it('pairSwiss finds a rematch-free pairing whenever one exists', () => {
    const key = (a: number, b: number) => (a < b ? `${a}/${b}` : `${b}/${a}`);
    const exists = (left: number[], played: Set<string>): boolean =>
      left.length === 0 ||
      left.slice(1).some(
        (p, i) =>
          !played.has(key(left[0]!, p)) &&
          exists(
            left.slice(1).filter((_, j) => j !== i),
            played,
          ),
      );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(fc.nat(7), fc.nat(7)), { maxLength: 16 }),
        (half, edges) => {
          const n = half * 2;
          const order = [...Array(n).keys()];
          const played = new Set(edges.filter(([a, b]) => a < n && b < n && a !== b).map(([a, b]) => key(a, b)));
          const pairs = pairSwiss(order, played);
          expect(pairs).toHaveLength(half);
          expect(new Set(pairs.flat()).size).toBe(n);
          if (exists(order, played)) for (const [a, b] of pairs) expect(played.has(key(a, b))).toBe(false);
        },
      ),
    );
    expect(pairSwiss([0, 1, 2, 3], new Set(['0/1']))).toEqual([
      [0, 2],
      [1, 3],
    ]);
    // No rematch-free pairing exists: fall back to pairing in order.
    expect(pairSwiss([0, 1], new Set(['0/1']))).toEqual([[0, 1]]);
  });
});
