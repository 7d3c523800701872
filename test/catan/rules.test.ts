import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/engine.ts';
import { createRng } from '../../src/core/rng.ts';
import {
  BEGINNER_BOARD,
  boardLookups,
  type CatanEvent,
  type CatanState,
  COAST_EDGES,
  catanEngine,
  EDGE_COUNT,
  EDGE_VERTICES,
  HARBOUR_EDGES,
  HEX_COUNT,
  HEX_EDGES,
  HEX_NEIGHBOURS,
  HEX_VERTICES,
  legalActions,
  longestRoadOf,
  observe,
  parseConfig,
  randomBoard,
  result,
  roadSiteOk,
  roadSites,
  toAct,
  totalPoints,
  VERTEX_COUNT,
  VERTEX_EDGES,
  VERTEX_HEXES,
  VERTEX_NEIGHBOURS,
  validate,
} from '../../src/games/catan/index.ts';
import { longestRoadAfter, longestRoadByDefinition } from '../../src/games/catan/rules.ts';
import { act, board, chance, fresh, pieces, position, shared } from './helpers.ts';

const hand = (...perSeat: number[][]) => perSeat.flat();
const none = [0, 0, 0, 0, 0];

describe('board', () => {
  it('has 19 hexes, 54 vertices, 72 edges, a 30-edge coast and 9 harbours on 18 distinct vertices', () => {
    expect(HEX_VERTICES).toHaveLength(HEX_COUNT);
    expect(VERTEX_COUNT).toBe(54);
    expect(EDGE_COUNT).toBe(72);
    expect(EDGE_VERTICES).toHaveLength(72);
    expect(COAST_EDGES).toHaveLength(30);
    const harbourVertices = new Set(HARBOUR_EDGES.flatMap((e) => EDGE_VERTICES[e]!));
    expect(harbourVertices.size).toBe(18);
    for (let v = 0; v < VERTEX_COUNT; v++) {
      expect(VERTEX_EDGES[v]!.length).toBeGreaterThanOrEqual(2);
      expect(VERTEX_EDGES[v]!.length).toBeLessThanOrEqual(3);
      expect(VERTEX_HEXES[v]!.length).toBeGreaterThanOrEqual(1);
    }
    // The centre hex touches six hexes, a corner hex three.
    expect(HEX_NEIGHBOURS[9]).toHaveLength(6);
    expect(HEX_NEIGHBOURS[0]).toHaveLength(3);
  });

  it('lays out the beginner board with the standard 19 terrains and 18 tokens', () => {
    const count = (t: string) => BEGINNER_BOARD.terrain.filter((x) => x === t).length;
    expect([count('hills'), count('forest'), count('pasture'), count('fields'), count('mountains')]).toEqual([
      3, 4, 4, 4, 3,
    ]);
    expect(BEGINNER_BOARD.numbers[BEGINNER_BOARD.terrain.indexOf('desert')]).toBe(0);
    expect(BEGINNER_BOARD.numbers.filter((n) => n > 0).sort((a, b) => a - b)).toEqual([
      2, 3, 3, 4, 4, 5, 5, 6, 6, 8, 8, 9, 9, 10, 10, 11, 11, 12,
    ]);
    const kinds = BEGINNER_BOARD.harbours.map((h) => h.resource).sort();
    expect(kinds).toEqual([-1, -1, -1, -1, 0, 1, 2, 3, 4]);
  });

  it('deals random layouts from the seed, never with a 6 next to an 8 or another 6', () => {
    expect(randomBoard(createRng('a'))).toEqual(randomBoard(createRng('a')));
    expect(randomBoard(createRng('a'))).not.toEqual(randomBoard(createRng('b')));
    for (let seed = 0; seed < 200; seed++) {
      const b = randomBoard(createRng(seed));
      expect(b.terrain.filter((t) => t === 'desert')).toHaveLength(1);
      expect(b.numbers[b.terrain.indexOf('desert')]).toBe(0);
      for (let h = 0; h < HEX_COUNT; h++) {
        if (b.numbers[h] !== 6 && b.numbers[h] !== 8) continue;
        for (const g of HEX_NEIGHBOURS[h]!) expect([6, 8]).not.toContain(b.numbers[g]);
      }
    }
    const s = catanEngine.setup(catanEngine.defaultConfig(), 4, createRng(5));
    expect(s.board.terrain[s.robber]).toBe('desert');
  });
});

describe('config', () => {
  it('accepts both rule sets and both maps; Cities & Knights is won with 13 points unless vpToWin is set', () => {
    expect(parseConfig({}).rules).toBe('base');
    expect(parseConfig({}).vpToWin).toBe(10);
    expect(parseConfig({ map: 'beginner' }).map).toBe('beginner');
    expect(parseConfig({ rules: 'cities-and-knights' }).vpToWin).toBe(13);
    expect(parseConfig({ rules: 'cities-and-knights', vpToWin: 11 }).vpToWin).toBe(11);
    expect(() => parseConfig({ rules: 'seafarers' })).toThrow(ConfigError);
    expect(() => parseConfig({ rules: 'seafarers' })).toThrow(/must be "base" or "cities-and-knights"/);
    expect(() => parseConfig({ map: 'tiny' })).toThrow(/map: must be one of beginner, random/);
    expect(() => parseConfig({ vpToWin: 2 })).toThrow(/vpToWin/);
    expect(() => parseConfig({ colour: 'red' })).toThrow(/unknown setting/);
  });
});

describe('opening', () => {
  it('places in snake order, each road on the new settlement, and pays out only for the second settlement', () => {
    let s = fresh();
    const order: number[] = [];
    const events: CatanEvent[] = [];
    while (s.step.phase === 'setupSettlement' || s.step.phase === 'setupRoad') {
      const seat = s.current;
      if (s.step.phase === 'setupSettlement') {
        order.push(seat);
        const before = s.hands.slice(seat * 5, seat * 5 + 5);
        const round = s.step.round;
        // The distance rule holds in the opening too.
        const taken = s.buildings.findIndex((b) => b >= 0);
        if (taken >= 0) {
          expect(validate(s, seat, { type: 'settlement', vertex: taken })).toMatch(/taken/);
          const next = VERTEX_NEIGHBOURS[taken]![0]!;
          expect(validate(s, seat, { type: 'settlement', vertex: next })).toMatch(/next to a building/);
        }
        const vertex = legalActions(s, seat)[0]!;
        s = act(s, seat, vertex, events);
        const v = (vertex as { vertex: number }).vertex;
        const gained = s.hands.slice(seat * 5, seat * 5 + 5).map((c, r) => c - before[r]!);
        const expected = [0, 0, 0, 0, 0];
        if (round === 1) {
          for (const h of VERTEX_HEXES[v]!) {
            const r = boardLookups(s.board).hexResource[h]!;
            if (r >= 0) expected[r]!++;
          }
        }
        expect(gained).toEqual(expected);
        // The road must touch the settlement just placed.
        const far = [...Array(EDGE_COUNT).keys()].find((e) => !EDGE_VERTICES[e]!.includes(v))!;
        expect(validate(s, seat, { type: 'road', edge: far })).toMatch(/must touch vertex/);
      } else {
        s = act(s, seat, legalActions(s, seat)[0]!, events);
      }
    }
    expect(order).toEqual([0, 1, 2, 3, 3, 2, 1, 0]);
    expect(s.step).toEqual({ phase: 'preRoll' });
    expect(s.current).toBe(0);
    expect(s.pieces.slice(0, 3)).toEqual([13, 3, 4]);
    expect(legalActions(s, 0).map((a) => a.type)).toEqual(['roll']);
  });
});

/** The beginner board's hex with token `n` (first one). */
const hexWith = (n: number) => BEGINNER_BOARD.numbers.indexOf(n);

describe('production and the robber', () => {
  it('pays 1 per settlement and 2 per city on the rolled number, nothing under the robber', () => {
    const h = hexWith(12); // a single hex carries 12
    const [v0, , v2] = HEX_VERTICES[h]!;
    const r = boardLookups(BEGINNER_BOARD).hexResource[h]!;
    let s = position({
      ...board(
        [
          [v0!, 1],
          [v2!, 2, true],
        ],
        [],
      ),
      step: { phase: 'dice' },
    });
    s = chance(s, { type: 'dice', d1: 6, d2: 6 });
    expect(s.hands[5 + r]).toBe(1);
    expect(s.hands[10 + r]).toBe(2);
    expect(s.bank[r]).toBe(16);
    expect(s.step).toEqual({ phase: 'main' });
    const robbed = chance(
      { ...position(board([[v0!, 1]], [])), step: { phase: 'dice' }, robber: h },
      {
        type: 'dice',
        d1: 6,
        d2: 6,
      },
    );
    expect(robbed.hands[5 + r]).toBe(0);
  });

  it('pays no one a resource the bank cannot cover for everyone, but a single claimant gets what is left', () => {
    const h = hexWith(12);
    const [v0, , v2] = HEX_VERTICES[h]!;
    const r = boardLookups(BEGINNER_BOARD).hexResource[h]!;
    const bank = [19, 19, 19, 19, 19];
    bank[r] = 2;
    const two = chance(
      position({
        ...board(
          [
            [v0!, 1],
            [v2!, 2, true],
          ],
          [],
        ),
        bank,
        step: { phase: 'dice' },
      }),
      {
        type: 'dice',
        d1: 6,
        d2: 6,
      },
    );
    expect([two.hands[5 + r], two.hands[10 + r], two.bank[r]]).toEqual([0, 0, 2]);
    bank[r] = 1;
    const one = chance(position({ ...board([[v2!, 2, true]], []), bank, step: { phase: 'dice' } }), {
      type: 'dice',
      d1: 6,
      d2: 6,
    });
    expect([one.hands[10 + r], one.bank[r]]).toEqual([1, 0]);
  });

  it('on a 7, seats with more than 7 cards each discard half (rounded down), then the robber moves and steals', () => {
    const h = hexWith(10);
    const v = HEX_VERTICES[h]![0]!;
    let s = position({
      ...board([[v, 1]], []),
      step: { phase: 'dice' },
      hands: hand(none, [3, 3, 3, 0, 0], [2, 2, 2, 1, 0], [4, 4, 0, 0, 0]),
    });
    s = chance(s, { type: 'dice', d1: 3, d2: 4 });
    expect(s.step).toEqual({ phase: 'discard', left: [0, 4, 0, 4] });
    expect(toAct(s)).toEqual({ kind: 'players', seats: [1, 3] });
    expect(validate(s, 2, { type: 'discard', resource: 0 })).toMatch(/nothing to discard/);
    expect(validate(s, 1, { type: 'discard', resource: 4 })).toMatch(/no ore/);
    for (let i = 0; i < 4; i++) {
      s = catanEngine.apply(s, {
        kind: 'players',
        actions: new Map([
          [1, { type: 'discard', resource: i % 3 }],
          [3, { type: 'discard', resource: i % 2 }],
        ]),
      });
    }
    expect(s.hands.slice(5, 10)).toEqual([1, 2, 2, 0, 0]);
    expect(s.hands.slice(15, 20)).toEqual([2, 2, 0, 0, 0]);
    expect(s.step).toEqual({ phase: 'robber', resume: 'main' });
    expect(validate(s, 0, { type: 'robber', hex: s.robber, victim: null })).toMatch(/another hex/);
    expect(validate(s, 0, { type: 'robber', hex: h, victim: null })).toMatch(/choose a player/);
    expect(validate(s, 0, { type: 'robber', hex: h, victim: 2 })).toMatch(/cannot be robbed/);
    const robberMoves = legalActions(s, 0).filter((a) => a.type === 'robber' && a.hex === h);
    expect(robberMoves).toEqual([{ type: 'robber', hex: h, victim: 1 }]);
    s = act(s, 0, { type: 'robber', hex: h, victim: 1 });
    expect(s.robber).toBe(h);
    expect(s.step).toEqual({ phase: 'steal', victim: 1, resume: 'main' });
    const events: CatanEvent[] = [];
    s = chance(s, { type: 'steal', resource: 2 }, events);
    expect(s.hands.slice(0, 5)).toEqual([0, 0, 1, 0, 0]);
    expect(s.hands.slice(5, 10)).toEqual([1, 2, 1, 0, 0]);
    expect(s.step).toEqual({ phase: 'main' });
    // Only thief and victim learn the card.
    expect(catanEngine.visibleEvents!(events, 2)[0]).toMatchObject({ type: 'stole', resource: -1 });
    expect(catanEngine.visibleEvents!(events, 1)[0]).toMatchObject({ type: 'stole', resource: 2 });
  });

  it('draws the steal from the victim hand, weighted by its cards', () => {
    const s = {
      ...position({ hands: hand(none, [0, 0, 0, 5, 0], none, none) }),
      step: { phase: 'steal' as const, victim: 1, resume: 'main' as const },
    };
    expect(catanEngine.sampleChance!(s, createRng(3))).toEqual({ type: 'steal', resource: 3 });
  });
});

/** Six coast edges in a row whose middle vertex (between the 3rd and 4th) has an inland edge. */
function coastChain(): { chain: number[]; cut: number; inland: number } {
  for (let k = 0; k < 24; k++) {
    const chain = COAST_EDGES.slice(k, k + 6) as number[];
    const cut = shared(chain[2]!, chain[3]!);
    const inland = VERTEX_EDGES[cut]!.find((e) => !chain.includes(e));
    if (inland !== undefined) return { chain, cut, inland };
  }
  throw new Error('no chain');
}

describe('longest road', () => {
  const { chain, cut, inland } = coastChain();
  const far = COAST_EDGES.slice(12, 17) as number[];

  it('walked from ends and forks only, equals the definition (every vertex a start) on random networks', () => {
    const rng = createRng('longest-road');
    let cycles = 0;
    for (let i = 0; i < 3000; i++) {
      // Dense random networks of two seats, with cycles, forks and enemy settlements cutting them.
      const density = 0.2 + rng.next() * 0.6;
      const roads = Array.from({ length: EDGE_COUNT }, () => (rng.next() < density ? (rng.next() < 0.7 ? 0 : 1) : -1));
      const buildings = Array.from({ length: VERTEX_COUNT }, () => (rng.next() < 0.1 ? rng.int(0, 2) * 2 : -1));
      const s = { ...fresh(), roads, buildings };
      for (const seat of [0, 1, 2]) expect(longestRoadOf(s, seat)).toBe(longestRoadByDefinition(s, seat));
      if (longestRoadOf(s, 0) > 0) cycles++;
    }
    expect(cycles).toBeGreaterThan(1000);
    // A plain cycle (no end, no fork): the six sides of the centre hex, and the same ring cut by an enemy.
    const ringRoads = HEX_EDGES[9]!.map((e) => [e, 0] as const);
    const ring = { ...fresh(), ...board([], ringRoads) };
    expect(longestRoadOf(ring, 0)).toBe(6);
    const cutRing = { ...ring, ...board([[HEX_VERTICES[9]![0]!, 1]], ringRoads) };
    expect(longestRoadOf(cutRing, 0)).toBe(6);
    expect(longestRoadByDefinition(cutRing, 0)).toBe(6);
  });

  it('road sites from the pieces outwards are the edges roadSiteOk allows, on random networks', () => {
    const rng = createRng('road-sites');
    let sites = 0;
    for (let i = 0; i < 2000; i++) {
      const density = 0.05 + rng.next() * 0.6;
      const roads = Array.from({ length: EDGE_COUNT }, () => (rng.next() < density ? rng.int(0, 2) : -1));
      const buildings = Array.from({ length: VERTEX_COUNT }, () =>
        rng.next() < 0.15 ? rng.int(0, 2) * 2 + rng.int(0, 1) : -1,
      );
      const s = { ...fresh(), roads, buildings };
      for (const seat of [0, 1, 2, 3]) {
        const expected = Array.from({ length: EDGE_COUNT }, (_, e) => e).filter((e) => roadSiteOk(s, seat, e));
        expect(roadSites(s, seat)).toEqual(expected);
        sites += expected.length;
      }
    }
    expect(sites).toBeGreaterThan(10_000);
  });

  it('after one more road, counted from the length before and that road, equals the full count', () => {
    const rng = createRng('longest-road-after');
    let pendant = 0;
    for (let i = 0; i < 3000; i++) {
      // Sparse and dense networks: a new road mostly hangs off one end, sometimes joins two roads.
      const density = 0.05 + rng.next() * 0.6;
      const roads = Array.from({ length: EDGE_COUNT }, () => (rng.next() < density ? (rng.next() < 0.7 ? 0 : 1) : -1));
      const buildings = Array.from({ length: VERTEX_COUNT }, () => (rng.next() < 0.1 ? rng.int(0, 2) * 2 : -1));
      const own = roads.flatMap((o, e) => (o === 0 ? [e] : []));
      if (own.length === 0) continue;
      const e = own[rng.int(0, own.length - 1)]!;
      const without = roads.slice();
      without[e] = -1;
      const before = longestRoadOf({ ...fresh(), roads: without, buildings }, 0);
      const s = { ...fresh(), roads, buildings };
      expect(longestRoadAfter(s, 0, e, before)).toBe(longestRoadOf(s, 0));
      const joins = EDGE_VERTICES[e]!.every((v) => VERTEX_EDGES[v]!.some((f) => f !== e && roads[f] === 0));
      if (!joins) pendant++;
    }
    expect(pendant).toBeGreaterThan(500);
  });

  it('goes to the first road of 5, stays with the holder on a tie, moves to a longer road', () => {
    const cards = hand([5, 5, 0, 0, 0], [5, 5, 0, 0, 0], none, none);
    let s = position({ ...board([], [...chain.slice(0, 4).map((e) => [e, 0] as const)]), hands: cards });
    s = { ...s, roadLength: [4, 0, 0, 0] };
    const events: CatanEvent[] = [];
    s = act(s, 0, { type: 'road', edge: chain[4]! }, events);
    expect(s.longestRoad).toBe(0);
    expect(s.roadLength[0]).toBe(5);
    expect(events).toContainEqual({ type: 'longestRoad', seat: 0, length: 5 });
    // Seat 1 ties at 5: the holder keeps it; at 6 seat 1 takes it.
    const roads = s.roads.slice();
    for (const e of far.slice(0, 4)) roads[e] = 1;
    s = { ...s, roads, current: 1, roadLength: [5, 4, 0, 0] };
    s = act(s, 1, { type: 'road', edge: far[4]! });
    expect([s.longestRoad, s.roadLength[1]]).toEqual([0, 5]);
    const next = COAST_EDGES[17]!;
    s = act(s, 1, { type: 'road', edge: next });
    expect([s.longestRoad, s.roadLength[1]]).toEqual([1, 6]);
    expect(totalPoints(s, 1)).toBe(2);
  });

  it('is cut by an enemy settlement: the card passes to a single longer road, or is set aside', () => {
    const base = board([], [...chain.map((e) => [e, 0] as const), [inland, 1], ...far.map((e) => [e, 2] as const)]);
    let s = position({ ...base, current: 1, longestRoad: 0, hands: hand(none, [1, 1, 1, 1, 0], none, none) });
    s = { ...s, roadLength: [0, 1, 2].map((p) => longestRoadOf(s, p)).concat(0) };
    expect(s.roadLength).toEqual([6, 1, 5, 0]);
    const events: CatanEvent[] = [];
    const cutState = act(s, 1, { type: 'settlement', vertex: cut }, events);
    expect(cutState.roadLength[0]).toBe(3);
    expect(cutState.longestRoad).toBe(2);
    expect(events).toContainEqual({ type: 'longestRoad', seat: 2, length: 5 });
    // Without seat 2's road no one has 5: the card is set aside.
    const roads = s.roads.map((o) => (o === 2 ? -1 : o));
    const alone = act({ ...s, roads, roadLength: [6, 1, 0, 0] }, 1, { type: 'settlement', vertex: cut });
    expect(alone.longestRoad).toBe(-1);
    // The holder's road may pass its own settlements.
    const own = act({ ...s, current: 0, hands: hand([1, 1, 1, 1, 0], none, none, none) }, 0, {
      type: 'settlement',
      vertex: cut,
    });
    expect(own.roadLength[0]).toBe(6);
    expect(own.longestRoad).toBe(0);
  });
});

describe('development cards', () => {
  const withDevs = (devs: number[], extra: Partial<CatanState> = {}) =>
    position({
      devs: [...devs, ...Array(15).fill(0)],
      hands: hand([2, 2, 2, 2, 2], [0, 0, 3, 0, 1], [0, 0, 2, 0, 0], none),
      ...extra,
    });

  it('cannot be played the turn it was bought; a victory point card counts at once', () => {
    let s = position({ hands: hand([0, 0, 1, 1, 1], none, none, none) });
    s = act(s, 0, { type: 'buyDev' });
    expect(s.step).toEqual({ phase: 'drawDev' });
    s = chance(s, { type: 'dev', card: 0 });
    expect(s.devNew).toEqual([1, 0, 0, 0, 0]);
    expect(validate(s, 0, { type: 'knight' })).toMatch(/bought this turn/);
    expect(observe(s, 1).devCounts[0]).toBe(1);
    expect(observe(s, 1).devs).toEqual([0, 0, 0, 0, 0]);
    s = act(s, 0, { type: 'end' });
    expect(s.devs.slice(0, 5)).toEqual([1, 0, 0, 0, 0]);
    expect(s.devNew).toEqual([0, 0, 0, 0, 0]);
    // Victory point: 9 public points + the card just drawn = 10, the game ends at once.
    const nine = position({
      ...board(
        [
          [0, 0, true],
          [2, 0, true],
          [4, 0, true],
          [8, 0, true],
          [10, 0],
        ],
        [],
      ),
      pieces: pieces(4, { 0: [0, 1, 4] }),
      hands: hand([0, 0, 1, 1, 1], none, none, none),
    });
    expect(totalPoints(nine, 0)).toBe(9);
    let w = act(nine, 0, { type: 'buyDev' });
    w = chance(w, { type: 'dev', card: 1 });
    expect(w.step).toEqual({ phase: 'over' });
    expect(result(w)).toMatchObject({ winner: 0, scores: [10, 0, 0, 0], ranks: [1, 2, 2, 2] });
  });

  it('one per turn; a knight moves the robber, even before the roll, and counts for the largest army', () => {
    let s = withDevs([2, 0, 0, 0, 1], { knights: [2, 0, 0, 0], step: { phase: 'preRoll' } });
    s = act(s, 0, { type: 'knight' });
    expect(s.step).toEqual({ phase: 'robber', resume: 'preRoll' });
    expect(s.largestArmy).toBe(0);
    expect(totalPoints(s, 0)).toBe(2);
    expect(validate(s, 0, { type: 'roll' })).toMatch(/move the robber/);
    s = act(s, 0, { type: 'robber', hex: 0, victim: null });
    expect(s.step).toEqual({ phase: 'preRoll' });
    expect(validate(s, 0, { type: 'knight' })).toMatch(/already played/);
    expect(validate(s, 0, { type: 'monopoly', resource: 0 })).toMatch(/already played/);
  });

  it('largest army passes only to a strictly larger army', () => {
    const devs = [0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let s = position({ devs, knights: [3, 3, 0, 0], largestArmy: 0, current: 1 });
    const tie = act({ ...s, knights: [4, 3, 0, 0] }, 1, { type: 'knight' });
    expect(tie.largestArmy).toBe(0);
    s = act(s, 1, { type: 'knight' });
    expect(s.largestArmy).toBe(1);
    expect([totalPoints(s, 0), totalPoints(s, 1)]).toEqual([0, 2]);
  });

  it('road building places two free roads', () => {
    const { chain } = coastChain();
    let s = withDevs([0, 0, 1, 0, 0], { ...board([[EDGE_VERTICES[chain[0]!]![0]!, 0]], []) });
    const before = s.hands.slice(0, 5);
    s = act(s, 0, { type: 'roadBuilding' });
    expect(s.step).toEqual({ phase: 'roadBuilding', roads: 2, resume: 'main' });
    const first = legalActions(s, 0)[0]!;
    s = act(s, 0, first);
    expect(s.step).toMatchObject({ phase: 'roadBuilding', roads: 1 });
    s = act(s, 0, legalActions(s, 0)[0]!);
    expect(s.step).toEqual({ phase: 'main' });
    expect(s.hands.slice(0, 5)).toEqual(before);
    expect(s.pieces[0]).toBe(13);
    expect(s.roads.filter((o) => o === 0)).toHaveLength(2);
  });

  it('year of plenty takes two cards from the bank; monopoly takes every card of a kind', () => {
    let s = withDevs([0, 0, 0, 1, 1]);
    s = act(s, 0, { type: 'yearOfPlenty', resources: [4, 4] });
    expect(s.hands.slice(0, 5)).toEqual([2, 2, 2, 2, 4]);
    expect(s.bank[4]).toBe(17);
    s = act(withDevs([0, 0, 0, 1, 1]), 0, { type: 'monopoly', resource: 2 });
    expect(s.hands.slice(0, 5)).toEqual([2, 2, 7, 2, 2]);
    expect([s.hands[7], s.hands[12]]).toEqual([0, 0]);
    // Everyone saw it: seat 3 knows seat 0 holds at least 5 wool and seats 1, 2 none.
    const o = observe(s, 3);
    expect(o.known[2]).toBe(5);
    expect([o.known[7], o.known[12]]).toEqual([0, 0]);
    expect(
      validate(withDevs([0, 0, 0, 1, 0], { bank: [19, 19, 19, 19, 1] }), 0, {
        type: 'yearOfPlenty',
        resources: [4, 4],
      }),
    ).toMatch(/out of/);
  });
});

describe('trades', () => {
  it('with the bank at 4:1, at 3:1 on a generic harbour, at 2:1 on a resource harbour', () => {
    const generic = BEGINNER_BOARD.harbours.find((h) => h.resource === -1)!;
    const ore = BEGINNER_BOARD.harbours.find((h) => h.resource === 4)!;
    const cards = hand([4, 3, 0, 0, 2], none, none, none);
    const plain = position({ hands: cards });
    expect(validate(plain, 0, { type: 'bankTrade', give: 1, get: 2 })).toMatch(/wants 4 lumber/);
    let s = act(plain, 0, { type: 'bankTrade', give: 0, get: 2 });
    expect(s.hands.slice(0, 5)).toEqual([0, 3, 1, 0, 2]);
    const onGeneric = position({ ...board([[EDGE_VERTICES[generic.edge]![0]!, 0]], []), hands: cards });
    s = act(onGeneric, 0, { type: 'bankTrade', give: 1, get: 2 });
    expect(s.hands.slice(0, 5)).toEqual([4, 0, 1, 0, 2]);
    expect(validate(onGeneric, 0, { type: 'bankTrade', give: 4, get: 2 })).toMatch(/wants 3 ore/);
    const onOre = position({ ...board([[EDGE_VERTICES[ore.edge]![1]!, 0]], []), hands: cards });
    s = act(onOre, 0, { type: 'bankTrade', give: 4, get: 3 });
    expect(s.hands.slice(0, 5)).toEqual([4, 3, 0, 1, 0]);
    expect(validate(onOre, 0, { type: 'bankTrade', give: 1, get: 2 })).toMatch(/wants 4 lumber/);
  });

  it('with players: offer, answers from everyone at once, confirm with one who accepted; bounded per turn', () => {
    let s = position({ hands: hand([2, 0, 0, 0, 0], [0, 0, 1, 0, 0], none, [0, 0, 3, 0, 0]) });
    s = act(s, 0, { type: 'offer', give: [1, 0, 0, 0, 0], get: [0, 0, 1, 0, 0] });
    expect(toAct(s)).toEqual({ kind: 'players', seats: [1, 2, 3] });
    expect(validate(s, 2, { type: 'accept' })).toMatch(/cannot give/);
    s = catanEngine.apply(s, {
      kind: 'players',
      actions: new Map([
        [1, { type: 'accept' }],
        [2, { type: 'decline' }],
        [3, { type: 'accept' }],
      ]),
    });
    expect(s.step).toMatchObject({ phase: 'confirm', accepted: [1, 3] });
    expect(validate(s, 0, { type: 'confirm', seat: 2 })).toMatch(/did not accept/);
    s = act(s, 0, { type: 'confirm', seat: 3 });
    expect(s.hands.slice(0, 5)).toEqual([1, 0, 1, 0, 0]);
    expect(s.hands.slice(15, 20)).toEqual([1, 0, 2, 0, 0]);
    expect(s.step).toEqual({ phase: 'main' });
    s = act(s, 0, { type: 'offer', give: [1, 0, 0, 0, 0], get: [0, 0, 0, 1, 0] });
    s = catanEngine.apply(s, {
      kind: 'players',
      actions: new Map([
        [1, { type: 'decline' }],
        [2, { type: 'decline' }],
        [3, { type: 'decline' }],
      ]),
    });
    expect(s.step).toEqual({ phase: 'main' });
    expect(validate(s, 0, { type: 'offer', give: [0, 0, 1, 0, 0], get: [1, 0, 0, 0, 0] })).toMatch(/at most 2/);
    expect(legalActions(s, 0).some((a) => a.type === 'offer')).toBe(false);
    expect(validate(s, 0, { type: 'offer', give: [1, 0, 0, 0, 0], get: [1, 0, 0, 0, 0] } as never)).toMatch(
      /at most 2/,
    );
    const fresh2 = position({ hands: hand([2, 0, 0, 0, 0], none, none, none) });
    expect(validate(fresh2, 0, { type: 'offer', give: [1, 0, 0, 0, 0], get: [1, 0, 0, 0, 0] })).toMatch(/both/);
    expect(validate(fresh2, 0, { type: 'offer', give: [3, 0, 0, 0, 0], get: [0, 1, 0, 0, 0] })).toMatch(/cannot give/);
  });
});

describe('winning', () => {
  it('ends the game on the 10th point of the player to move; the turn limit ranks by points', () => {
    const { chain } = coastChain();
    const site = EDGE_VERTICES[chain[0]!]![0]!;
    const s = position({
      ...board(
        [
          [0, 0, true],
          [2, 0, true],
          [4, 0, true],
          [8, 0, true],
          [10, 0],
        ],
        [[chain[0]!, 0]],
      ),
      pieces: pieces(4, { 0: [1, 1, 4] }),
      hands: hand([1, 1, 1, 1, 0], none, none, none),
    });
    expect(totalPoints(s, 0)).toBe(9);
    const events: CatanEvent[] = [];
    const won = act(s, 0, { type: 'settlement', vertex: site }, events);
    expect(won.step).toEqual({ phase: 'over' });
    expect(toAct(won)).toEqual({ kind: 'terminal' });
    expect(result(won)).toEqual({ scores: [10, 0, 0, 0], ranks: [1, 2, 2, 2], winner: 0 });
    expect(events.at(-1)).toEqual({ type: 'end', winner: 0, points: [10, 0, 0, 0] });
    expect(legalActions(won, 0)).toEqual([]);
    expect(validate(won, 0, { type: 'end' })).toMatch(/over/);

    const limited = position({
      config: { ...s.config, maxTurns: 5 },
      turn: 4,
      ...board([[0, 2]], []),
      pieces: pieces(4, { 2: [0, 1, 0] }),
    });
    const ended = act(limited, 0, { type: 'end' });
    expect(result(ended)).toEqual({ scores: [0, 0, 1, 0], ranks: [2, 2, 1, 2], winner: null });
  });
});

describe('hidden information', () => {
  it('shows other hands as surely-held cards plus unknown ones, and other development cards as a count', () => {
    const h = hexWith(10);
    const v = HEX_VERTICES[h]![0]!;
    let s = position({
      ...board([[v, 1]], []),
      step: { phase: 'robber', resume: 'main' },
      hands: hand(none, [2, 0, 1, 0, 0], none, none),
      devs: [0, 0, 0, 0, 0, 1, 1, 0, 0, 0, ...Array(10).fill(0)],
    });
    // Seats 0, 2 and 3 saw seat 1 produce those cards: none of them is a card they cannot account for.
    const views = s.views.slice();
    for (const o of [0, 2, 3]) for (let r = 0; r < 5; r++) views[(o * 4 + 1) * 5 + r] = 0;
    s = { ...s, views };
    s = act(s, 0, { type: 'robber', hex: h, victim: 1 });
    s = chance(s, { type: 'steal', resource: 0 });
    const thief = observe(s, 0);
    expect(thief.known.slice(5, 10)).toEqual([1, 0, 1, 0, 0]);
    expect(thief.unknown[1]).toBe(0);
    const third = observe(s, 2);
    // Seat 2 does not know which card went: one brick surely remains, the other card is unknown.
    expect(third.known.slice(5, 10)).toEqual([1, 0, 0, 0, 0]);
    expect(third.unknown[1]).toBe(1);
    expect(third.known.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(third.unknown[0]).toBe(1);
    expect(third.handSizes).toEqual([1, 2, 0, 0]);
    expect(third.devCounts[1]).toBe(2);
    expect(third.devs).toEqual([0, 0, 0, 0, 0]);
    expect(observe(s, 1).devs).toEqual([1, 1, 0, 0, 0]);
    expect(JSON.stringify(third)).not.toContain('"views"');
  });
});

describe('events and text', () => {
  it('hides a drawn card from the other seats and describes every step in words', () => {
    const events: CatanEvent[] = [];
    let s = position({ hands: hand([0, 0, 1, 1, 1], none, none, none) });
    s = act(s, 0, { type: 'buyDev' }, events);
    s = chance(s, { type: 'dev', card: 4 }, events);
    expect(catanEngine.visibleEvents!(events, 0)).toEqual(events);
    expect(catanEngine.visibleEvents!(events, 1)).toContainEqual({ type: 'boughtDev', seat: 0, card: -1 });
    const lines = catanEngine.describeStep!(s, { kind: 'chance', outcome: { type: 'dev', card: 4 } }, events, s);
    expect(lines.join('\n')).toMatch(/seat 0 buys a development card \(monopoly\)/);
  });

  it('plays three-player games in snake order 0 1 2 2 1 0', () => {
    let s = fresh(3);
    const order: number[] = [];
    while (s.step.phase === 'setupSettlement' || s.step.phase === 'setupRoad') {
      if (s.step.phase === 'setupSettlement') order.push(s.current);
      s = act(s, s.current, legalActions(s, s.current)[0]!);
    }
    expect(order).toEqual([0, 1, 2, 2, 1, 0]);
    expect(s.views).toHaveLength(3 * 3 * 5);
  });
});
