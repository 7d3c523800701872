import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StepActions } from '../../src/core/engine.ts';
import { hashState } from '../../src/core/hash.ts';
import { matchStreams, runMatch } from '../../src/core/match.ts';
import {
  apply,
  type CatanAction,
  type CatanChance,
  type CatanObservation,
  type CatanState,
  catanEngine,
  legalActions,
  observe,
  pickObservedAction,
  rulesView,
  validate,
} from '../../src/games/catan/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../../strategies/catan/index.ts';

/**
 * The fast path of a random Catan game (docs/performance.md, Catan) against the plain one: runMatch with its
 * one-entry actions map and one clock read per decision, catan-random with pickObservedAction's scratch arrays,
 * the shared chance outcomes. Each must give the games the plain path gives, step for step.
 */

const digest = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);

/**
 * Action log, state hashes and result of seeded games (seeds 7000, 7001, ...), as digests computed with the engine
 * before the fast path (commit fd504ce): the seeded games, their replays and their outcomes did not change.
 */
const PINNED: readonly [string, Record<string, unknown>, 'random' | 'heuristic' | 'mixed', number, string[]][] = [
  [
    'base, no offers, random',
    { maxOffersPerTurn: 0 },
    'random',
    4,
    ['5c8a790b56c892c0', '55fe4c7081b69e36', 'bc8f060d256627a2', 'd97e5f7e626b8b85'],
  ],
  ['base, random', {}, 'random', 4, ['d16dbe5d66938e82', 'a12d15a9d304623a']],
  [
    'cities-and-knights, random',
    { rules: 'cities-and-knights' },
    'random',
    4,
    ['948eaffbd0ac4670', 'ec6a316877c487d5'],
  ],
  ['base, beginner map, heuristic and random, 3 players', { map: 'beginner' }, 'mixed', 3, ['f6418b63dbf0dfe0']],
  ['cities-and-knights, heuristic', { rules: 'cities-and-knights' }, 'heuristic', 4, ['01e0cc6560a667f2']],
];

describe('the fast path plays the games the engine played before it', () => {
  for (const [name, raw, bots, n, expected] of PINNED) {
    it(`${name}: action logs, state hashes and results as pinned`, { timeout: 60_000 }, async () => {
      const config = catanEngine.parseConfig(raw);
      const got: string[] = [];
      for (let g = 0; g < expected.length; g++) {
        const players = Array.from({ length: n }, (_, i) =>
          (bots === 'random' || (bots === 'mixed' && i % 2 === 0) ? createRandomStrategy : createHeuristicStrategy)({
            params: {},
          }),
        );
        const o = await runMatch({
          engine: catanEngine,
          config,
          players,
          seed: 7000 + g,
          record: { actions: true, hashes: true },
        });
        got.push(digest([o.actions, o.hashes, o.result]));
      }
      expect(got).toEqual(expected);
    });
  }
});

/**
 * A random game played the plain way, outside runMatch: a fresh Map per step, `legalActions(rulesView(observe))`
 * listed in full, and a state kept (with its JSON) after every step.
 */
function plainGame(raw: Record<string, unknown>, seed: number) {
  const config = catanEngine.parseConfig(raw);
  const streams = matchStreams(seed);
  const rngs = [0, 1, 2, 3].map((seat) => streams.bot(seat));
  let s = catanEngine.setup(config, 4, streams.map);
  const states: CatanState[] = [s];
  const hashes = [hashState(s)];
  for (;;) {
    const turn = catanEngine.toAct(s);
    if (turn.kind === 'terminal') break;
    let step: StepActions<CatanAction, CatanChance>;
    if (turn.kind === 'chance') step = { kind: 'chance', outcome: catanEngine.sampleChance!(s, streams.dice) };
    else {
      const chosen = new Map<number, CatanAction>();
      for (const seat of turn.seats) {
        const legal = legalActions(rulesView(observe(s, seat)), seat);
        const action = legal[Math.floor(rngs[seat]!.next() * legal.length)]!;
        expect(validate(s, seat, action)).toBeNull();
        chosen.set(seat, action);
      }
      step = { kind: 'players', actions: chosen };
    }
    s = apply(s, step);
    states.push(s);
    hashes.push(hashState(s));
  }
  return { states, hashes };
}

describe('runMatch and catan-random against the plain loop', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['base, no offers', { maxOffersPerTurn: 0 }],
    ['base, offers on', {}],
    ['cities-and-knights', { rules: 'cities-and-knights' }],
  ];
  for (const [name, raw] of cases) {
    it(`${name}: the same state after every step, for 6 seeds`, { timeout: 60_000 }, async () => {
      const config = catanEngine.parseConfig(raw);
      for (let seed = 0; seed < 6; seed++) {
        const plain = plainGame(raw, seed);
        const players = [0, 1, 2, 3].map(() => createRandomStrategy({ params: {} }));
        const fast = await runMatch({ engine: catanEngine, config, players, seed, record: { hashes: true } });
        expect(fast.hashes).toEqual(plain.hashes);
      }
    });
  }

  it('apply never changes a state it was given or returned before (shared outcomes and scratch keep nothing)', () => {
    for (const raw of [{ maxOffersPerTurn: 0 }, { rules: 'cities-and-knights' }]) {
      const { states, hashes } = plainGame(raw, 11);
      // Every state of the game, read again once the whole game has been played: as it was when it was made.
      expect(states.map((s) => hashState(s))).toEqual(hashes);
    }
  });
});

/** What `observe(s, seat)` must show of the counts, computed from the state without any memo or shared list. */
function countsFromState(s: CatanState, seat: number) {
  const n = s.players;
  const sum5 = (a: readonly number[], o: number) => a[o]! + a[o + 1]! + a[o + 2]! + a[o + 3]! + a[o + 4]!;
  const hidden = (p: number, r: number) => (p === seat ? 0 : s.views[(seat * n + p) * 5 + r]!);
  return {
    hand: s.hands.slice(seat * 5, seat * 5 + 5),
    handSizes: Array.from({ length: n }, (_, p) => sum5(s.hands, p * 5)),
    devCounts: Array.from({ length: n }, (_, p) => sum5(s.devs, p * 5) + (p === s.current ? sum5(s.devNew, 0) : 0)),
    known: Array.from({ length: n * 5 }, (_, i) => s.hands[i]! - hidden(Math.floor(i / 5), i % 5)),
    unknown: Array.from({ length: n }, (_, p) => (p === seat ? 0 : sum5(s.views, (seat * n + p) * 5))),
  };
}

describe("observe's count lists (kept while the counts are the same, unknown lists interned)", () => {
  it('equal the counts of the state observed, at every state of base games, in game order and out of it', () => {
    for (const raw of [{ maxOffersPerTurn: 0 }, {}]) {
      const { states } = plainGame(raw, 21);
      // In game order, then every seventh state again from the last back: a kept list must never be a stale one.
      const order = [...states, ...states.filter((_, i) => i % 7 === 0).reverse()];
      for (const s of order) {
        for (const seat of [0, 3, 1, 2]) {
          const obs = observe(s, seat);
          const { hand, handSizes, devCounts, known, unknown } = obs;
          expect({ hand, handSizes, devCounts, known, unknown }).toEqual(countsFromState(s, seat));
        }
      }
    }
  });
});

describe('pickObservedAction', () => {
  /** Every decision of a seeded random game, as its observation. */
  function observations(raw: Record<string, unknown>, seed: number): CatanObservation[] {
    const config = catanEngine.parseConfig(raw);
    const streams = matchStreams(seed);
    let s = catanEngine.setup(config, 4, streams.map);
    const out: CatanObservation[] = [];
    const rng = streams.bot(0);
    for (;;) {
      const turn = catanEngine.toAct(s);
      if (turn.kind === 'terminal') return out;
      if (turn.kind === 'chance') {
        s = apply(s, { kind: 'chance', outcome: catanEngine.sampleChance!(s, streams.dice) });
        continue;
      }
      const chosen = new Map<number, CatanAction>();
      for (const seat of turn.seats) {
        out.push(observe(s, seat));
        const legal = legalActions(s, seat);
        chosen.set(seat, legal[Math.floor(rng.next() * legal.length)]!);
      }
      s = apply(s, { kind: 'players', actions: chosen });
    }
  }

  it('is legalActions(rulesView(obs), seat)[i] for every index, at every decision of base and C&K games', () => {
    for (const raw of [{ maxOffersPerTurn: 0 }, {}, { rules: 'cities-and-knights' }]) {
      for (const obs of observations(raw, 3)) {
        const legal = legalActions(rulesView(obs), obs.seat);
        for (let i = 0; i < legal.length; i++) {
          let asked = -1;
          const picked = pickObservedAction(obs, (count) => {
            asked = count;
            return i;
          });
          expect(asked).toBe(legal.length);
          expect(picked).toEqual(legal[i]);
        }
      }
    }
  });

  it('gives the right action when the pick itself asks about another observation (the scratch is refilled)', () => {
    const all = observations({ maxOffersPerTurn: 0 }, 5);
    for (let j = 1; j < all.length; j++) {
      const obs = all[j]!;
      const other = all[j - 1]!;
      const legal = legalActions(rulesView(obs), obs.seat);
      const last = legal.length - 1;
      const picked = pickObservedAction(obs, () => {
        pickObservedAction(other, (m) => m - 1);
        return last;
      });
      expect(picked).toEqual(legal[last]);
    }
  });

  it('on the observation just made (listed on its state), is the rules view listing; validate agrees', () => {
    for (const raw of [{ maxOffersPerTurn: 0 }, {}]) {
      const config = catanEngine.parseConfig(raw);
      const streams = matchStreams(11);
      let s = catanEngine.setup(config, 4, streams.map);
      const rng = streams.bot(0);
      let last: { seat: number; action: CatanAction } | null = null;
      let decisions = 0;
      for (;;) {
        const turn = catanEngine.toAct(s);
        if (turn.kind === 'terminal') break;
        if (turn.kind === 'chance') {
          s = apply(s, { kind: 'chance', outcome: catanEngine.sampleChance!(s, streams.dice) });
          continue;
        }
        const chosen = new Map<number, CatanAction>();
        for (const seat of turn.seats) {
          const obs = observe(s, seat);
          const legal = legalActions(rulesView(obs), seat);
          for (let i = 0; i < legal.length; i++) expect(pickObservedAction(obs, () => i)).toBe(legal[i]);
          const action = pickObservedAction(obs, (n) => Math.floor(rng.next() * n))!;
          // Answered from the pick on this state, and the same as checking a copy of the state (no memo).
          expect(validate(s, seat, action)).toBeNull();
          expect(validate({ ...s }, seat, action)).toBeNull();
          // The action picked on the previous state is checked again on this one.
          if (last !== null)
            expect(validate(s, last.seat, last.action)).toBe(validate({ ...s }, last.seat, last.action));
          last = { seat, action };
          chosen.set(seat, action);
          decisions++;
        }
        s = apply(s, { kind: 'players', actions: chosen });
      }
      expect(decisions).toBeGreaterThan(500);
    }
  });

  it('hands out frozen actions, and trusts by identity only those (a changed copy is checked again)', () => {
    const config = catanEngine.parseConfig({ maxOffersPerTurn: 0 });
    const streams = matchStreams(12);
    const s = catanEngine.setup(config, 4, streams.map);
    const seat = (catanEngine.toAct(s) as { seats: readonly number[] }).seats[0]!;
    const action = pickObservedAction(observe(s, seat), () => 0)!;
    expect(action.type).toBe('settlement');
    expect(Object.isFrozen(action)).toBe(true);
    expect(() => {
      (action as { vertex: number }).vertex = -1;
    }).toThrow(TypeError);
    // The same pick again, then a strategy's own object for an illegal site: refused, not answered from the pick.
    pickObservedAction(observe(s, seat), () => 0);
    expect(validate(s, seat, { type: 'settlement', vertex: -1 } as CatanAction)).not.toBeNull();
  });

  it('is undefined for a seat with nothing to decide', () => {
    const obs = observations({ maxOffersPerTurn: 0 }, 2).find((o) => o.step.phase === 'main')!;
    const other = { ...obs, seat: (obs.current + 1) % obs.players };
    expect(pickObservedAction(other, () => 0)).toBeUndefined();
  });
});
