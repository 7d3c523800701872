import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runMatch } from '../../src/core/match.ts';
import { createRng } from '../../src/core/rng.ts';
import {
  CARD_PHASES,
  type CatanAction,
  type CatanEvent,
  type CatanState,
  type CkState,
  catanEngine,
  determinize,
  handSize,
  knightCode,
  legalActions,
  observe,
  PROGRESS_CARD as P,
  PROGRESS,
  PROGRESS_KINDS,
  parseConfig,
  rulesView,
  totalPoints,
  validate,
  visibleEvents,
} from '../../src/games/catan/index.ts';
import { catanViewer } from '../../src/games/catan/view.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../../strategies/catan/index.ts';
import { act, board, chance, pieces } from './helpers.ts';

const ckConfig = parseConfig({ rules: 'cities-and-knights', map: 'beginner' });
const ckFresh = (players = 4): CatanState => catanEngine.setup(ckConfig, players, createRng(1));

/** A C&K position in the main phase of seat 0, with the given parts and C&K parts. */
function ck(parts: Partial<CatanState>, ckParts: Partial<CkState> = {}): CatanState {
  const base = ckFresh();
  return { ...base, step: { phase: 'main' }, ...parts, ck: { ...base.ck!, ...ckParts } };
}

/** Hands of 4 seats x 8 kinds: brick lumber wool grain ore paper cloth coin. */
function hands(perSeat: Record<number, number[]>): number[] {
  const out: number[] = [];
  for (let p = 0; p < 4; p++) out.push(...(perSeat[p] ?? [0, 0, 0, 0, 0, 0, 0, 0]));
  return out;
}
/** The bank after `h` left it. */
const bankFor = (h: readonly number[]) =>
  [0, 1, 2, 3, 4, 5, 6, 7].map((r) => (r < 5 ? 19 : 12) - [0, 1, 2, 3].reduce((a, p) => a + h[p * 8 + r]!, 0));

function progressOf(seat: number, cards: Record<number, number>): number[] {
  const out = new Array<number>(4 * PROGRESS_KINDS).fill(0);
  for (const [c, n] of Object.entries(cards)) out[seat * PROGRESS_KINDS + Number(c)] = n;
  return out;
}
const knightsAt = (list: [number, number][]) => {
  const k = new Array<number>(54).fill(-1);
  for (const [v, code] of list) k[v] = code;
  return k;
};
const has = (s: CatanState, seat: number, a: CatanAction) =>
  legalActions(s, seat).some((b) => JSON.stringify(b) === JSON.stringify(a));

describe('Cities & Knights: set-up and dice', () => {
  it('second opening piece is a city that collects one resource per hex; 13 points win; 8 card kinds', () => {
    let s = ckFresh();
    expect(s.bank).toEqual([19, 19, 19, 19, 19, 12, 12, 12]);
    expect(s.config.vpToWin).toBe(13);
    while (s.step.phase === 'setupSettlement' || s.step.phase === 'setupRoad') {
      const seat = s.current;
      s = act(s, seat, legalActions(s, seat)[0]!);
    }
    for (let p = 0; p < 4; p++) {
      expect(s.pieces.slice(p * 3, p * 3 + 3)).toEqual([13, 4, 3]);
      expect(totalPoints(s, p)).toBe(3);
      // Resources only: the opening city gives no commodity.
      expect(s.hands.slice(p * 8 + 5, p * 8 + 8)).toEqual([0, 0, 0]);
    }
    expect(legalActions(s, 0)).toEqual([{ type: 'roll' }]);
    expect(validate(s, 0, { type: 'knight' })).toMatch(/no development cards/);
  });

  it('a city on forest gives lumber and paper, on hills two brick; the event die resolves first', () => {
    const b = board(
      [
        [2, 0, true],
        [23, 1, true],
      ],
      [],
    );
    let s = ck({ ...b, pieces: pieces(4, { 0: [0, 0, 1], 1: [0, 0, 1] }), step: { phase: 'dice' } });
    const events: CatanEvent[] = [];
    s = chance(s, { type: 'dice', d1: 4, d2: 5, event: 0 }, events);
    expect(s.hands.slice(0, 8)).toEqual([0, 1, 0, 0, 0, 1, 0, 0]);
    expect(s.ck!.barbarian).toBe(1);
    expect(events.findIndex((e) => e.type === 'ck' && e.what === 'barbarians')).toBeLessThan(
      events.findIndex((e) => e.type === 'produced'),
    );
    s = chance({ ...s, step: { phase: 'dice' } }, { type: 'dice', d1: 3, d2: 3, event: 1 });
    expect(s.hands.slice(8, 16)).toEqual([2, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('a city gate gives a progress card to each seat whose level covers the red die, hidden from the others', () => {
    const imp = new Array<number>(12).fill(0);
    imp[0 * 3 + 2] = 1; // seat 0 science 1: red 1..2
    imp[1 * 3 + 2] = 3; // seat 1 science 3: red 1..4
    let s = ck({ step: { phase: 'dice' } }, { improvements: imp });
    s = chance(s, { type: 'dice', d1: 3, d2: 6, event: 4 });
    expect(s.ck!.draws).toEqual([1, 2]);
    expect(catanEngine.toAct(s)).toEqual({ kind: 'chance' });
    const drawn = catanEngine.sampleChance!(s, createRng(3));
    expect(drawn.type).toBe('progress');
    expect(PROGRESS[(drawn as { card: number }).card]!.track).toBe(2);
    const events: CatanEvent[] = [];
    s = chance(s, { type: 'progress', card: P.irrigation }, events);
    expect(s.ck!.progress[1 * PROGRESS_KINDS + P.irrigation]).toBe(1);
    expect(observe(s, 0).ck!.progressCounts[1]).toBe(1);
    expect(observe(s, 0).ck!.progress.every((c) => c === 0)).toBe(true);
    expect(visibleEvents(events, 0).find((e) => e.type === 'ck' && e.what === 'drewProgress')).toMatchObject({
      detail: [-1],
    });
    expect(visibleEvents(events, 1).find((e) => e.type === 'ck' && e.what === 'drewProgress')).toMatchObject({
      detail: [P.irrigation],
    });
    // 9 produced nothing for anyone: seat 1's Aqueduct (science 3) takes a resource of its choice.
    expect(s.step).toEqual({ phase: 'aqueduct', left: [1] });
    s = catanEngine.apply(s, { kind: 'players', actions: new Map([[1, { type: 'aqueduct', resource: 4 }]]) });
    expect(s.hands[8 + 4]).toBe(1);
    expect(s.step.phase).toBe('main');
  });

  it('before the first attack a 7 only makes seats discard (limit 7 + 2 per wall); after it the robber moves', () => {
    const b = board(
      [
        [2, 0, true],
        [23, 1, true],
      ],
      [],
    );
    const h = hands({ 0: [2, 2, 2, 2, 1, 0, 0, 0], 1: [2, 2, 2, 2, 2, 0, 0, 0] });
    const walls = new Array<number>(54).fill(0);
    walls[2] = 1;
    let s = ck({ ...b, hands: h, bank: bankFor(h), step: { phase: 'dice' } }, { walls });
    s = chance(s, { type: 'dice', d1: 3, d2: 4, event: 3 });
    // Seat 0 holds 9 with one wall (limit 9): keeps all; seat 1 holds 10: discards 5.
    expect(s.step).toEqual({ phase: 'discard', left: [0, 5, 0, 0] });
    for (let i = 0; i < 5; i++) s = act(s, 1, legalActions(s, 1)[0]!);
    expect(s.step.phase).toBe('main');
    s = chance(
      { ...s, step: { phase: 'dice' }, ck: { ...s.ck!, attacks: 1 } },
      { type: 'dice', d1: 3, d2: 4, event: 3 },
    );
    expect(s.step).toEqual({ phase: 'robber', resume: 'main' });
  });
});

describe('Cities & Knights: barbarians', () => {
  const b = board(
    [
      [2, 0, true],
      [23, 1, true],
      [40, 2, true],
      [10, 0, true],
    ],
    [],
  );
  const atSix = (knights: number[], extra: Partial<CkState> = {}) =>
    ck(
      { ...b, pieces: pieces(4, { 0: [0, 0, 2], 1: [0, 0, 1], 2: [0, 0, 1] }), step: { phase: 'dice' } },
      {
        barbarian: 6,
        knights,
        ...extra,
      },
    );

  it('lost: the weakest defenders among seats with a plain city each lose a city (walls too); metropolises are safe', () => {
    // 4 cities against 1 active knight of seat 0. Seats 1 and 2 contribute 0: they are pillaged; seat 0 is not.
    const walls = new Array<number>(54).fill(0);
    walls[23] = 1;
    const metropolis = [40, -1, -1];
    let s = atSix(knightsAt([[5, knightCode(0, 1, true)]]), { walls, metropolis });
    const events: CatanEvent[] = [];
    s = chance(s, { type: 'dice', d1: 1, d2: 1, event: 2 }, events);
    expect(events.some((e) => e.type === 'ck' && e.what === 'attackLost')).toBe(true);
    // Seat 2's only city carries a metropolis: only seat 1 is exposed.
    expect(s.step).toEqual({ phase: 'pillage', left: [1] });
    expect(s.ck!.attacks).toBe(1);
    expect(s.ck!.barbarian).toBe(0);
    expect(s.ck!.knights[5]).toBe(knightCode(0, 1, false));
    expect(legalActions(s, 1)).toEqual([{ type: 'pillage', vertex: 23 }]);
    s = catanEngine.apply(s, { kind: 'players', actions: new Map([[1, { type: 'pillage', vertex: 23 }]]) });
    expect(s.buildings[23]).toBe(2);
    expect(s.ck!.walls[23]).toBe(0);
    expect(s.pieces.slice(3, 6)).toEqual([15, 4, 4]);
    // The roll then goes on to production (2 is on pasture, hex 1: nobody there) and the turn.
    expect(s.step.phase).toBe('main');
  });

  it('won: a single top defender gets a Defender of Catan point; a tie draws progress cards from chosen decks', () => {
    let s = atSix(
      knightsAt([
        [5, knightCode(0, 3, true)],
        [22, knightCode(1, 2, true)],
      ]),
    );
    s = chance(s, { type: 'dice', d1: 1, d2: 1, event: 0 });
    expect(s.ck!.defenders).toEqual([1, 0, 0, 0]);
    expect(totalPoints(s, 0)).toBe(4 + 1);
    expect(s.ck!.knights.filter((k) => k >= 0 && (k & 1) === 1)).toEqual([]);
    let t = atSix(
      knightsAt([
        [5, knightCode(0, 2, true)],
        [22, knightCode(1, 2, true)],
      ]),
    );
    t = chance(t, { type: 'dice', d1: 1, d2: 1, event: 0 });
    expect(t.step).toEqual({ phase: 'defenderDraw', left: [0, 1] });
    t = catanEngine.apply(t, {
      kind: 'players',
      actions: new Map([
        [0, { type: 'chooseDeck', track: 2 }],
        [1, { type: 'chooseDeck', track: 0 }],
      ]),
    });
    expect(t.step.phase).toBe('drawProgress');
    t = chance(t, { type: 'progress', card: P.mining });
    t = chance(t, { type: 'progress', card: P.tradeMonopoly });
    expect(t.ck!.progress[P.mining]).toBe(1);
    expect(t.ck!.progress[PROGRESS_KINDS + P.tradeMonopoly]).toBe(1);
    expect(t.step.phase).toBe('main');
  });
});

describe('Cities & Knights: improvements and metropolises', () => {
  it('level n costs n commodities and needs a city; level 4 first takes the metropolis, level 5 takes it over', () => {
    const b = board(
      [
        [2, 0, true],
        [23, 1, true],
      ],
      [],
    );
    const imp = new Array<number>(12).fill(0);
    imp[0 * 3 + 2] = 3;
    imp[1 * 3 + 2] = 4;
    const h = hands({ 0: [0, 0, 0, 0, 0, 9, 0, 0] });
    let s = ck(
      { ...b, hands: h, bank: bankFor(h), pieces: pieces(4, { 0: [0, 0, 1], 1: [0, 0, 1] }) },
      { improvements: imp, metropolis: [-1, -1, 23] },
    );
    expect(validate(s, 0, { type: 'improve', track: 0 })).toMatch(/not possible/);
    // Seat 0 reaches science 4: seat 1 holds the metropolis at level 4 already, so it stays.
    s = act(s, 0, { type: 'improve', track: 2 });
    expect(s.hands[5]).toBe(5);
    expect(s.ck!.metropolis[2]).toBe(23);
    // Level 5 takes it from a holder at 4.
    s = act(s, 0, { type: 'improve', track: 2 });
    expect(s.ck!.improvements[2]).toBe(5);
    expect(s.ck!.metropolis[2]).toBe(2);
    expect(totalPoints(s, 0)).toBe(2 + 2);
    expect(totalPoints(s, 1)).toBe(2);
    // Without a city no improvement at all.
    const c = ck({ ...board([[2, 0]], []), hands: h, bank: bankFor(h) });
    expect(validate(c, 0, { type: 'improve', track: 2 })).toMatch(/not possible/);
  });

  it('trade level 3 trades commodities 2:1; politics level 3 allows mighty knights', () => {
    const b = board([[2, 0, true]], [[4, 0]]);
    const imp = new Array<number>(12).fill(0);
    imp[0] = 3;
    const h = hands({ 0: [0, 0, 2, 0, 2, 0, 2, 0] });
    const s = ck(
      { ...b, hands: h, bank: bankFor(h) },
      { improvements: imp, knights: knightsAt([[5, knightCode(0, 2, false)]]) },
    );
    expect(validate(s, 0, { type: 'bankTrade', give: 6, get: 0 })).toBeNull();
    expect(validate(s, 0, { type: 'knightPromote', vertex: 5 })).toMatch(/not possible/);
    const imp2 = imp.slice();
    imp2[1] = 3;
    expect(
      validate({ ...s, ck: { ...s.ck!, improvements: imp2 } }, 0, { type: 'knightPromote', vertex: 5 }),
    ).toBeNull();
  });
});

describe('Cities & Knights: knights and walls', () => {
  // Seat 0: city on 2, roads 4 (2-5), 3 (1-5), 8 (5-9). Seat 1: road 14 (9-13) and knight.
  const b = board(
    [
      [2, 0, true],
      [23, 1, true],
    ],
    [
      [4, 0],
      [3, 0],
      [8, 0],
      [14, 1],
    ],
  );
  it('build on a free vertex of own roads, activate, promote; an activated knight cannot act that turn', () => {
    const h = hands({ 0: [0, 0, 3, 2, 3, 0, 0, 0] });
    let s = ck({ ...b, hands: h, bank: bankFor(h) });
    expect(validate(s, 0, { type: 'knightBuild', vertex: 13 })).toMatch(/not possible/);
    s = act(s, 0, { type: 'knightBuild', vertex: 5 });
    expect(s.ck!.knights[5]).toBe(knightCode(0, 1, false));
    s = act(s, 0, { type: 'knightActivate', vertex: 5 });
    expect(has(s, 0, { type: 'knightMove', from: 5, to: 1 })).toBe(false);
    s = act(s, 0, { type: 'knightPromote', vertex: 5 });
    expect(s.ck!.knights[5]).toBe(knightCode(0, 2, true));
    // Promoted once this turn: not again.
    expect(validate(s, 0, { type: 'knightPromote', vertex: 5 })).toMatch(/not possible/);
    s = act(s, 0, { type: 'end' });
    expect(s.ck!.knightTurn.every((t) => t === 0)).toBe(true);
  });

  it('an active knight moves (and goes inactive), displaces a weaker enemy knight, chases an adjacent robber', () => {
    const knights = knightsAt([
      [5, knightCode(0, 2, true)],
      [9, knightCode(1, 1, true)],
    ]);
    let s = ck({ ...b, robber: 1 }, { knights, attacks: 1 });
    expect(has(s, 0, { type: 'knightMove', from: 5, to: 1 })).toBe(true);
    s = act(s, 0, { type: 'knightMove', from: 5, to: 9 });
    expect(s.ck!.knights[9]).toBe(knightCode(0, 2, false));
    expect(s.step).toEqual({ phase: 'displaced', seat: 1, knight: knightCode(1, 1, true), resume: 'main' });
    expect(catanEngine.toAct(s)).toEqual({ kind: 'players', seats: [1] });
    expect(legalActions(s, 1)).toEqual([{ type: 'relocate', vertex: 13 }]);
    s = act(s, 1, { type: 'relocate', vertex: 13 });
    expect(s.ck!.knights[13]).toBe(knightCode(1, 1, true));
    expect(s.step.phase).toBe('main');
    // A knight of equal strength cannot be displaced.
    const even = ck(
      { ...b },
      {
        knights: knightsAt([
          [5, knightCode(0, 1, true)],
          [9, knightCode(1, 1, true)],
        ]),
      },
    );
    expect(validate(even, 0, { type: 'knightMove', from: 5, to: 9 })).toMatch(/not possible/);
    // Chase: vertex 5 touches hexes 1 and 2; the robber on hex 1 is chased, then moves as after a 7.
    const c = ck({ ...b, robber: 1 }, { knights: knightsAt([[5, knightCode(0, 1, true)]]), attacks: 1 });
    const chased = act(c, 0, { type: 'knightChase', vertex: 5 });
    expect(chased.step).toEqual({ phase: 'robber', resume: 'main' });
    expect(chased.ck!.knights[5]).toBe(knightCode(0, 1, false));
    // Not before the first barbarian attack (the robber has not entered play).
    expect(validate({ ...c, ck: { ...c.ck!, attacks: 0 } }, 0, { type: 'knightChase', vertex: 5 })).toMatch(
      /not possible/,
    );
  });

  it('city walls cost 2 brick, stand under own cities only, at most 3', () => {
    const h = hands({ 0: [8, 0, 0, 0, 0, 0, 0, 0] });
    const b4 = board(
      [
        [2, 0, true],
        [10, 0, true],
        [30, 0, true],
        [40, 0, true],
        [44, 0],
      ],
      [],
    );
    let s = ck({ ...b4, hands: h, bank: bankFor(h) });
    expect(validate(s, 0, { type: 'wall', vertex: 44 })).toMatch(/not possible/);
    s = act(s, 0, { type: 'wall', vertex: 2 });
    s = act(s, 0, { type: 'wall', vertex: 10 });
    s = act(s, 0, { type: 'wall', vertex: 30 });
    expect(s.hands[0]).toBe(2);
    expect(validate(s, 0, { type: 'wall', vertex: 40 })).toMatch(/not possible/);
  });
});

describe('Cities & Knights: progress cards', () => {
  const b = board(
    [
      [2, 0, true],
      [8, 0],
      [23, 1, true],
      [40, 2],
    ],
    [[4, 0]],
  );
  const withCard = (card: number, h = hands({}), extra: Partial<CkState> = {}) =>
    ck(
      { ...b, hands: h, bank: bankFor(h), pieces: pieces(4, { 0: [1, 1, 1] }) },
      { progress: progressOf(0, { [card]: 1 }), ...extra },
    );
  const play = (s: CatanState, a: CatanAction) => {
    const after = act(s, 0, a);
    expect(after.ck!.decks[(a as { card: number }).card]).toBe(s.ck!.decks[(a as { card: number }).card]! + 1);
    return after;
  };

  it('Irrigation: 2 grain per fields hex next to own buildings; Mining: 2 ore per mountains hex', () => {
    // Vertex 8 touches mountains (hex 0); no fields next to seat 0.
    let s = play(withCard(P.mining), { type: 'progress', card: P.mining });
    expect(s.hands[4]).toBe(2);
    s = play(withCard(P.irrigation), { type: 'progress', card: P.irrigation });
    expect(s.hands[3]).toBe(0);
  });

  it('Medicine: a city for 2 ore and 1 grain; Engineer: a free wall', () => {
    const h = hands({ 0: [0, 0, 0, 1, 2, 0, 0, 0] });
    let s = play(withCard(P.medicine, h), { type: 'progress', card: P.medicine, vertex: 8 });
    expect(s.buildings[8]).toBe(1);
    expect(s.hands.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    s = play(withCard(P.engineer), { type: 'progress', card: P.engineer, vertex: 2 });
    expect(s.ck!.walls[2]).toBe(1);
  });

  it('Road Building: two free roads', () => {
    let s = play(withCard(P.roadBuilding), { type: 'progress', card: P.roadBuilding });
    expect(s.step).toEqual({ phase: 'roadBuilding', roads: 2, resume: 'main' });
    s = act(s, 0, { type: 'road', edge: 5 });
    s = act(s, 0, { type: 'road', edge: 9 });
    expect(s.step.phase).toBe('main');
    expect(s.roads[5]).toBe(0);
    expect(s.roads[9]).toBe(0);
  });

  it('Merchant Fleet: one kind at 2:1 for the rest of the turn', () => {
    const h = hands({ 0: [0, 0, 2, 0, 0, 0, 0, 0] });
    let s = withCard(P.merchantFleet, h);
    expect(validate(s, 0, { type: 'bankTrade', give: 2, get: 0 })).toMatch(/the bank wants 4/);
    s = play(s, { type: 'progress', card: P.merchantFleet, resource: 2 });
    s = act(s, 0, { type: 'bankTrade', give: 2, get: 0 });
    expect(s.hands.slice(0, 3)).toEqual([1, 0, 0]);
    s = act(s, 0, { type: 'end' });
    expect(s.ck!.fleet).toBe(-1);
  });

  it('Resource Monopoly takes up to 2 of a resource from each; Trade Monopoly 1 of a commodity from each', () => {
    const h = hands({ 1: [0, 0, 0, 5, 0, 0, 0, 3], 2: [0, 0, 0, 1, 0, 0, 0, 0], 3: [0, 0, 0, 0, 0, 0, 0, 1] });
    let s = play(withCard(P.resourceMonopoly, h), { type: 'progress', card: P.resourceMonopoly, resource: 3 });
    expect([s.hands[3], s.hands[8 + 3], s.hands[16 + 3]]).toEqual([3, 3, 0]);
    s = play(withCard(P.tradeMonopoly, h), { type: 'progress', card: P.tradeMonopoly, resource: 7 });
    expect([s.hands[7], s.hands[8 + 7], s.hands[24 + 7]]).toEqual([2, 2, 0]);
    // The other seats saw every card move.
    expect(observe(s, 2).known[7]).toBe(2);
  });

  it('Crane: the next improvement this turn costs one commodity less', () => {
    const h = hands({ 0: [0, 0, 0, 0, 0, 0, 0, 2] });
    const imp = new Array<number>(12).fill(0);
    imp[1] = 2;
    let s = withCard(P.crane, h, { improvements: imp });
    expect(validate(s, 0, { type: 'improve', track: 1 })).toMatch(/not possible/);
    s = play(s, { type: 'progress', card: P.crane });
    s = act(s, 0, { type: 'improve', track: 1 });
    expect(s.ck!.improvements[1]).toBe(3);
    expect(s.hands[7]).toBe(0);
    expect(s.ck!.crane).toBe(false);
  });

  it("Intrigue: an enemy knight on the seat's roads is displaced; its owner moves it elsewhere", () => {
    // Seat 0's road 4 joins vertices 2 and 5; seat 1's knight on 5, seat 1's road 14 (9-13).
    const b2 = board(
      [
        [2, 0, true],
        [23, 1, true],
      ],
      [
        [4, 0],
        [14, 1],
      ],
    );
    let s = ck(
      { ...b2 },
      { progress: progressOf(0, { [P.intrigue]: 1 }), knights: knightsAt([[5, knightCode(1, 2, true)]]) },
    );
    s = play(s, { type: 'progress', card: P.intrigue, vertex: 5 });
    expect(s.ck!.knights[5]).toBe(-1);
    expect(s.step).toMatchObject({ phase: 'displaced', seat: 1, from: 5 });
    expect(legalActions(s, 1)).toEqual([
      { type: 'relocate', vertex: 9 },
      { type: 'relocate', vertex: 13 },
    ]);
    s = act(s, 1, { type: 'relocate', vertex: 13 });
    expect(s.ck!.knights[13]).toBe(knightCode(1, 2, true));
  });

  it('Saboteur: each seat with at least as many points discards half its cards; then the turn goes on', () => {
    // Points: seat 0 has 3 (city + settlement), seat 1 has 2, seat 2 has 1; pieces as the board shows.
    const h = hands({ 1: [2, 2, 0, 0, 0, 0, 0, 1], 2: [4, 0, 0, 0, 0, 0, 0, 0], 3: [3, 3, 0, 0, 0, 0, 0, 0] });
    const base = withCard(P.saboteur, h);
    const even = { ...base, pieces: pieces(4, { 0: [1, 1, 1], 1: [0, 0, 1], 2: [0, 1, 0], 3: [0, 0, 0] }) };
    // Nobody has as many points as seat 0 (3): nothing happens.
    expect(play(even, { type: 'progress', card: P.saboteur }).step.phase).toBe('main');
    const strong = { ...even, pieces: pieces(4, { 0: [1, 1, 1], 1: [0, 1, 1], 2: [0, 1, 0], 3: [0, 0, 0] }) };
    let s = play(strong, { type: 'progress', card: P.saboteur });
    expect(s.step).toEqual({ phase: 'discard', left: [0, 2, 0, 0], resume: 'main' });
    s = act(s, 1, { type: 'discard', resource: 7 });
    s = act(s, 1, { type: 'discard', resource: 0 });
    expect(s.hands.slice(8, 16)).toEqual([1, 2, 0, 0, 0, 0, 0, 0]);
    expect(s.step.phase).toBe('main');
  });

  it('Wedding: each seat with more points gives the player 2 cards of its choice', () => {
    const h = hands({ 1: [0, 0, 3, 0, 0, 0, 0, 0], 2: [1, 0, 0, 0, 0, 0, 0, 0] });
    const base = withCard(P.wedding, h);
    const s0 = { ...base, pieces: pieces(4, { 0: [1, 1, 1], 1: [0, 2, 1], 2: [0, 2, 1], 3: [0, 0, 0] }) };
    let s = play(s0, { type: 'progress', card: P.wedding });
    expect(s.step).toEqual({ phase: 'discard', left: [0, 2, 1, 0], resume: 'main', to: 0 });
    s = catanEngine.apply(s, {
      kind: 'players',
      actions: new Map<number, CatanAction>([
        [1, { type: 'discard', resource: 2 }],
        [2, { type: 'discard', resource: 0 }],
      ]),
    });
    s = act(s, 1, { type: 'discard', resource: 2 });
    expect(s.hands.slice(0, 3)).toEqual([1, 0, 2]);
    expect(s.hands.slice(8, 11)).toEqual([0, 0, 1]);
    expect(s.bank).toEqual(s0.bank);
    expect(s.step.phase).toBe('main');
  });

  it('Warlord activates every own knight for free', () => {
    const knights = knightsAt([
      [5, knightCode(0, 1, false)],
      [1, knightCode(0, 2, false)],
    ]);
    const s = play(withCard(P.warlord, hands({}), { knights }), { type: 'progress', card: P.warlord });
    expect([s.ck!.knights[5], s.ck!.knights[1]]).toEqual([knightCode(0, 1, true), knightCode(0, 2, true)]);
  });

  it('Printer and Constitution score at once; a fifth card in hand goes back under its deck', () => {
    let s = ck({ step: { phase: 'drawProgress' } }, { draws: [0, 2, 0, 1] });
    s = chance(s, { type: 'progress', card: P.printer });
    s = chance(s, { type: 'progress', card: P.constitution });
    expect(s.ck!.progressPoints[0]).toBe(2);
    expect(totalPoints(s, 0)).toBe(2);
    let t = ck(
      { step: { phase: 'drawProgress' } },
      { draws: [0, 2], progress: progressOf(0, { [P.mining]: 2, [P.irrigation]: 2 }) },
    );
    t = chance(t, { type: 'progress', card: P.engineer });
    expect(t.step).toEqual({ phase: 'progressDiscard', seat: 0 });
    t = act(t, 0, { type: 'progressDiscard', card: P.mining });
    expect(t.ck!.progress[P.mining]).toBe(1);
    expect(t.ck!.decks[P.mining]).toBe(3);
  });

  it('the three decks hold exactly the 54 official cards, 18 per track', () => {
    const official: Record<string, number> = {
      alchemist: 2,
      crane: 2,
      engineer: 1,
      inventor: 2,
      irrigation: 2,
      medicine: 2,
      mining: 2,
      printer: 1,
      roadBuilding: 2,
      smith: 2,
      commercialHarbor: 2,
      masterMerchant: 2,
      merchant: 6,
      merchantFleet: 2,
      resourceMonopoly: 4,
      tradeMonopoly: 2,
      bishop: 2,
      constitution: 1,
      deserter: 2,
      diplomat: 2,
      intrigue: 2,
      saboteur: 2,
      spy: 3,
      warlord: 2,
      wedding: 2,
    };
    const s = ckFresh();
    const inDeck = Object.fromEntries(PROGRESS.map((p, c) => [p.name, s.ck!.decks[c]!]));
    expect(inDeck).toEqual(official);
    const perTrack = [0, 1, 2].map((t) => PROGRESS.reduce((a, p, c) => a + (p.track === t ? s.ck!.decks[c]! : 0), 0));
    expect(perTrack).toEqual([18, 18, 18]);
    // Tracks: 0 trade, 1 politics, 2 science.
    expect(PROGRESS.filter((p) => p.track === 2).map((p) => p.name)).toEqual([
      'alchemist',
      'crane',
      'engineer',
      'inventor',
      'irrigation',
      'medicine',
      'mining',
      'printer',
      'roadBuilding',
      'smith',
    ]);
    expect(PROGRESS.filter((p) => p.track === 0).map((p) => p.name)).toEqual([
      'commercialHarbor',
      'masterMerchant',
      'merchant',
      'merchantFleet',
      'resourceMonopoly',
      'tradeMonopoly',
    ]);
  });
});

describe('Cities & Knights: the cards of the second batch, and knights on roads', () => {
  // Seat 0: city on 2, settlement on 8, roads 4 (2-5), 3 (1-5), 8 (5-9). Seat 1: cities on 23 and 40, road 14 (9-13).
  const b = board(
    [
      [2, 0, true],
      [8, 0],
      [23, 1, true],
      [40, 1, true],
    ],
    [
      [4, 0],
      [3, 0],
      [8, 0],
      [14, 1],
    ],
  );
  const pcs = pieces(4, { 0: [3, 1, 1], 1: [1, 0, 2] });
  const withCard = (card: number, h = hands({}), extra: Partial<CkState> = {}, parts: Partial<CatanState> = {}) =>
    ck(
      { ...b, hands: h, bank: bankFor(h), pieces: pcs, ...parts },
      { progress: progressOf(0, { [card]: 1 }), ...extra },
    );
  const seats = (s: CatanState) => catanEngine.toAct(s);

  it('Alchemist: only before the roll; the player fixes red and yellow, the event die still rolls', () => {
    const s0 = withCard(P.alchemist, hands({}), {}, { step: { phase: 'preRoll' } });
    const legal = legalActions(s0, 0);
    expect(legal.length).toBe(1 + 36);
    expect(
      validate({ ...s0, step: { phase: 'main' } }, 0, { type: 'progress', card: P.alchemist, dice: [3, 4] }),
    ).toMatch(/not possible/);
    const s = act(s0, 0, { type: 'progress', card: P.alchemist, dice: [2, 4] });
    expect(s.step).toEqual({ phase: 'dice', fixed: [2, 4] });
    expect(s.ck!.decks[P.alchemist]).toBe(3);
    const roll = catanEngine.sampleChance!(s, createRng(9));
    expect(roll).toMatchObject({ type: 'dice', d1: 2, d2: 4 });
    expect(() => chance(s, { type: 'dice', d1: 3, d2: 3, event: 0 })).toThrow(/Alchemist/);
    const events: CatanEvent[] = [];
    const after = chance(s, { type: 'dice', d1: 2, d2: 4, event: 0 }, events);
    expect(events.find((e) => e.type === 'rolled')).toMatchObject({ d1: 2, d2: 4 });
    expect(after.ck!.barbarian).toBe(1);
    // 6 on the beginner board: hex 4 (hills), next to seat 0's settlement on 8 and seat 1's city on 23.
    expect(after.hands[0]).toBe(1);
    expect(after.hands[8]).toBe(2);
  });

  it('Inventor swaps two number tokens, never 2, 12, 6 or 8, nor two equal ones', () => {
    const s0 = withCard(P.inventor);
    expect(validate(s0, 0, { type: 'progress', card: P.inventor, hexes: [0, 4] })).toMatch(/not possible/); // 10 and 6
    expect(validate(s0, 0, { type: 'progress', card: P.inventor, hexes: [0, 6] })).toMatch(/not possible/); // 10 and 10
    expect(validate(s0, 0, { type: 'progress', card: P.inventor, hexes: [1, 2] })).toMatch(/not possible/); // 2
    const s = act(s0, 0, { type: 'progress', card: P.inventor, hexes: [0, 2] });
    expect(s.board.numbers.slice(0, 3)).toEqual([9, 2, 10]);
    expect(observe(s, 3).board.numbers[0]).toBe(9);
    // Production follows the tokens: a 9 now pays the mountains next to seat 0's settlement on 8.
    const rolled = chance({ ...s, step: { phase: 'dice' } }, { type: 'dice', d1: 4, d2: 5, event: 0 });
    expect(rolled.hands[4]).toBe(1);
  });

  it('Smith promotes up to two knights for free, each under the normal promotion rules', () => {
    const knights = knightsAt([
      [5, knightCode(0, 1, false)],
      [1, knightCode(0, 2, true)],
    ]);
    // No Fortress: only the basic knight can rise.
    let s = act(withCard(P.smith, hands({}), { knights }), 0, { type: 'progress', card: P.smith });
    expect(s.step).toEqual({ phase: 'smith', left: 2 });
    expect(legalActions(s, 0)).toEqual([{ type: 'cancel' }, { type: 'knightPromote', vertex: 5 }]);
    s = act(s, 0, { type: 'knightPromote', vertex: 5 });
    expect(s.ck!.knights[5]).toBe(knightCode(0, 2, false));
    expect(s.step.phase).toBe('main');
    // With the Fortress: both, the strong one to mighty; the hand pays nothing.
    const imp = new Array<number>(12).fill(0);
    imp[1] = 3;
    s = act(withCard(P.smith, hands({}), { knights, improvements: imp }), 0, { type: 'progress', card: P.smith });
    s = act(s, 0, { type: 'knightPromote', vertex: 1 });
    expect(s.step).toEqual({ phase: 'smith', left: 1 });
    s = act(s, 0, { type: 'knightPromote', vertex: 5 });
    expect([s.ck!.knights[1], s.ck!.knights[5]]).toEqual([knightCode(0, 3, true), knightCode(0, 2, false)]);
    expect(s.step.phase).toBe('main');
    expect(s.hands.slice(0, 8).every((c) => c === 0)).toBe(true);
  });

  it('Commercial Harbor: each opponent in turn gets a resource and must give a commodity of its choice', () => {
    const h = hands({
      0: [2, 0, 0, 1, 0, 0, 0, 0],
      1: [0, 0, 0, 0, 0, 0, 2, 0],
      2: [1, 0, 0, 0, 0, 0, 0, 0],
      3: [0, 0, 0, 0, 0, 0, 0, 1],
    });
    let s = act(withCard(P.commercialHarbor, h), 0, { type: 'progress', card: P.commercialHarbor });
    expect(s.step).toEqual({ phase: 'commercialHarbor', left: [1, 2, 3] });
    expect(legalActions(s, 0)).toEqual([
      { type: 'harbourOffer', resource: null },
      { type: 'harbourOffer', resource: 0 },
      { type: 'harbourOffer', resource: 3 },
    ]);
    s = act(s, 0, { type: 'harbourOffer', resource: 0 });
    expect(seats(s)).toEqual({ kind: 'players', seats: [1] });
    expect(legalActions(s, 1)).toEqual([{ type: 'harbourAnswer', resource: 6 }]);
    s = act(s, 1, { type: 'harbourAnswer', resource: 6 });
    expect(s.hands.slice(0, 8)).toEqual([1, 0, 0, 1, 0, 0, 1, 0]);
    expect(s.hands.slice(8, 16)).toEqual([1, 0, 0, 0, 0, 0, 1, 0]);
    // Seat 2 holds no commodity: the offer is void, seat 0 keeps its grain.
    s = act(s, 0, { type: 'harbourOffer', resource: 3 });
    expect(s.hands[3]).toBe(1);
    expect(s.step).toEqual({ phase: 'commercialHarbor', left: [3] });
    s = act(s, 0, { type: 'harbourOffer', resource: null });
    expect(s.step.phase).toBe('main');
    expect(s.hands[24 + 7]).toBe(1);
    // The forced trade happens once per turn.
    const again = { ...s, ck: { ...s.ck!, progress: progressOf(0, { [P.commercialHarbor]: 1 }) } };
    expect(validate(again, 0, { type: 'progress', card: P.commercialHarbor })).toMatch(/not possible/);
    expect(act(again, 0, { type: 'end' }).ck!.harbourUsed).toBe(false);
  });

  it('Master Merchant: from a seat with more points, the player sees the hand and takes 2 cards', () => {
    const h = hands({ 1: [0, 0, 3, 0, 0, 0, 0, 1], 2: [1, 0, 0, 0, 0, 0, 0, 0] });
    const s0 = withCard(P.masterMerchant, h);
    // Seat 0 has 3 points, seat 1 has 4, seat 2 none.
    expect(legalActions(s0, 0).filter((a) => a.type === 'progress')).toEqual([
      { type: 'progress', card: P.masterMerchant, seat: 1 },
    ]);
    let s = act(s0, 0, { type: 'progress', card: P.masterMerchant, seat: 1 });
    expect(s.step).toEqual({ phase: 'masterMerchant', victim: 1, left: 2 });
    expect(observe(s, 0).ck!.revealed).toEqual([0, 0, 3, 0, 0, 0, 0, 1]);
    expect(observe(s, 2).ck!.revealed).toBeUndefined();
    expect(legalActions(rulesView(observe(s, 0)), 0)).toEqual(legalActions(s, 0));
    expect(observe(s, 0).known.slice(8, 16)).toEqual([0, 0, 3, 0, 0, 0, 0, 1]);
    expect(determinize(observe(s, 0), 0, s.config, createRng(3)).hands.slice(8, 16)).toEqual([0, 0, 3, 0, 0, 0, 0, 1]);
    s = act(s, 0, { type: 'takeCard', resource: 7 });
    s = act(s, 0, { type: 'takeCard', resource: 2 });
    expect(s.step.phase).toBe('main');
    expect(s.hands.slice(0, 8)).toEqual([0, 0, 1, 0, 0, 0, 0, 1]);
    expect(s.hands.slice(8, 16)).toEqual([0, 0, 2, 0, 0, 0, 0, 0]);
    // The others saw two cards change hands, not which.
    expect(observe(s, 2).unknown[0]).toBe(2);
  });

  it('Merchant: on a hex next to own buildings, 1 point and 2:1 on its resource while held; another Merchant takes it', () => {
    const h = hands({ 0: [0, 0, 2, 0, 0, 0, 0, 0] });
    const s0 = withCard(P.merchant, h);
    const hexes = legalActions(s0, 0).flatMap((a) => (a.type === 'progress' ? [a.hex] : []));
    expect(hexes).toEqual([0, 1, 2, 4]);
    expect(validate(s0, 0, { type: 'progress', card: P.merchant, hex: 9 })).toMatch(/not possible/);
    expect(validate(s0, 0, { type: 'bankTrade', give: 2, get: 0 })).toMatch(/the bank wants 4/);
    const before = totalPoints(s0, 0);
    let s = act(s0, 0, { type: 'progress', card: P.merchant, hex: 1 });
    expect([s.ck!.merchant, s.ck!.merchantOwner]).toEqual([1, 0]);
    expect(totalPoints(s, 0)).toBe(before + 1);
    s = act(s, 0, { type: 'bankTrade', give: 2, get: 0 });
    expect(s.hands.slice(0, 3)).toEqual([1, 0, 0]);
    // Seat 1 plays a Merchant of its own: the piece, the point and the 2:1 go with it.
    const t = act({ ...s, current: 1, ck: { ...s.ck!, progress: progressOf(1, { [P.merchant]: 1 }) } }, 1, {
      type: 'progress',
      card: P.merchant,
      hex: 4,
    });
    expect(t.ck!.merchantOwner).toBe(1);
    expect(totalPoints(t, 0)).toBe(before);
    // The viewer draws the merchant in its owner's colour.
    expect(catanViewer.full(t).ck!.merchant).toEqual([4, 1]);
    expect(catanViewer.seat!(observe(t, 2), 2, t).ck!.merchant).toEqual([4, 1]);
    const render = new Function(`return ${catanViewer.renderer}`)() as (
      root: { innerHTML: string },
      v: unknown,
      info: { colors: readonly string[]; seat: number },
    ) => void;
    const root = { innerHTML: '' };
    render(root, catanViewer.full(t), { colors: ['#e53935', '#1e88e5', '#fb8c00', '#8e24aa'], seat: -1 });
    expect(root.innerHTML).toContain('class="merchant" data-seat="1"');
  });

  it('Bishop: after the first attack, moves the robber and robs each adjacent seat of one random card', () => {
    const b2 = board(
      [
        [8, 0],
        [23, 1, true],
        [13, 2],
      ],
      [],
    );
    const h = hands({ 1: [1, 1, 0, 0, 0, 0, 0, 0], 2: [0, 0, 0, 0, 0, 0, 0, 2], 3: [3, 0, 0, 0, 0, 0, 0, 0] });
    const start = (attacks: number) =>
      ck({ ...b2, hands: h, bank: bankFor(h), robber: 9 }, { progress: progressOf(0, { [P.bishop]: 1 }), attacks });
    expect(validate(start(0), 0, { type: 'progress', card: P.bishop })).toMatch(/not possible/);
    let s = act(start(1), 0, { type: 'progress', card: P.bishop });
    expect(s.step).toEqual({ phase: 'bishop' });
    expect(legalActions(s, 0).length).toBe(18);
    s = act(s, 0, { type: 'robber', hex: 4, victim: null });
    expect(s.robber).toBe(4);
    expect(s.step).toEqual({ phase: 'steal', victim: 1, resume: 'main', more: [2] });
    s = chance(s, { type: 'steal', resource: 1 });
    expect(s.step).toEqual({ phase: 'steal', victim: 2, resume: 'main', more: [] });
    s = chance(s, { type: 'steal', resource: 7 });
    expect(s.step.phase).toBe('main');
    expect(s.hands.slice(0, 8)).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
    expect(handSize(s, 3)).toBe(3);
  });

  it('Deserter: the victim removes a knight of its choice; the player may place one of that strength and status', () => {
    const knights = knightsAt([
      [13, knightCode(1, 2, true)],
      [9, knightCode(1, 1, false)],
    ]);
    let s = act(withCard(P.deserter, hands({}), { knights }), 0, { type: 'progress', card: P.deserter, seat: 1 });
    expect(s.step).toEqual({ phase: 'deserter', victim: 1 });
    expect(seats(s)).toEqual({ kind: 'players', seats: [1] });
    expect(legalActions(s, 1)).toEqual([
      { type: 'removeKnight', vertex: 9 },
      { type: 'removeKnight', vertex: 13 },
    ]);
    s = act(s, 1, { type: 'removeKnight', vertex: 13 });
    expect(s.ck!.knights[13]).toBe(-1);
    expect(s.step).toEqual({ phase: 'deserterPlace', strength: 2, active: true });
    expect(legalActions(s, 0)).toContainEqual({ type: 'placeKnight', vertex: null });
    s = act(s, 0, { type: 'placeKnight', vertex: 5 });
    expect(s.ck!.knights[5]).toBe(knightCode(0, 2, true));
    // Placed active, it counts as activated this turn.
    expect(legalActions(s, 0).some((a) => a.type === 'knightMove')).toBe(false);
    // Both of the player's strong knights already stand: it places a basic one instead.
    const mine = knightsAt([
      [13, knightCode(1, 2, false)],
      [1, knightCode(0, 2, false)],
      [5, knightCode(0, 2, false)],
    ]);
    let t = act(withCard(P.deserter, hands({}), { knights: mine }), 0, { type: 'progress', card: P.deserter, seat: 1 });
    t = act(t, 1, { type: 'removeKnight', vertex: 13 });
    expect(t.step).toEqual({ phase: 'deserterPlace', strength: 1, active: false });
  });

  it("Diplomat removes an open road (any seat's); its owner, when the player, may place it elsewhere for free", () => {
    const s0 = withCard(P.diplomat);
    const edges = legalActions(s0, 0).flatMap((a) => (a.type === 'progress' ? [a.edge] : []));
    // Road 4 is closed at both ends (the city on 2, roads 3 and 8 at 5); 3, 8 and seat 1's 14 each have an open end.
    expect(edges).toEqual([3, 8, 14]);
    const s1 = act(s0, 0, { type: 'progress', card: P.diplomat, edge: 14 });
    expect(s1.roads[14]).toBe(-1);
    expect(s1.pieces[3]).toBe(15);
    expect(s1.step.phase).toBe('main');
    let s = act(s0, 0, { type: 'progress', card: P.diplomat, edge: 3 });
    expect(s.step).toEqual({ phase: 'diplomat', removed: 3 });
    expect(legalActions(s, 0)).toContainEqual({ type: 'cancel' });
    expect(validate(s, 0, { type: 'road', edge: 3 })).toMatch(/not possible/);
    s = act(s, 0, { type: 'road', edge: 5 });
    expect([s.roads[3], s.roads[5]]).toEqual([-1, 0]);
    expect(s.pieces[0]).toBe(pcs[0]);
    expect(s.step.phase).toBe('main');
  });

  it("Spy: the player sees a seat's progress cards (no one else does) and takes one, or none", () => {
    const progress = progressOf(0, { [P.spy]: 1 });
    progress[PROGRESS_KINDS + P.mining] = 1;
    progress[PROGRESS_KINDS + P.warlord] = 1;
    let s = ck({ ...b, pieces: pcs }, { progress });
    expect(legalActions(s, 0).filter((a) => a.type === 'progress')).toEqual([
      { type: 'progress', card: P.spy, seat: 1 },
      { type: 'progress', card: P.spy, seat: 2 },
      { type: 'progress', card: P.spy, seat: 3 },
    ]);
    s = act(s, 0, { type: 'progress', card: P.spy, seat: 1 });
    const seen = new Array<number>(PROGRESS_KINDS).fill(0);
    seen[P.mining] = 1;
    seen[P.warlord] = 1;
    expect(observe(s, 0).ck!.revealed).toEqual(seen);
    expect(observe(s, 1).ck!.revealed).toBeUndefined();
    expect(legalActions(rulesView(observe(s, 0)), 0)).toEqual(legalActions(s, 0));
    // A sampled state agrees with what the spy sees.
    const d = determinize(observe(s, 0), 0, s.config, createRng(5));
    expect(d.ck!.progress.slice(PROGRESS_KINDS, 2 * PROGRESS_KINDS)).toEqual(seen);
    const events: CatanEvent[] = [];
    s = act(s, 0, { type: 'takeProgress', card: P.warlord }, events);
    expect(s.ck!.progress[P.warlord]).toBe(1);
    expect(s.ck!.progress[PROGRESS_KINDS + P.warlord]).toBe(0);
    expect(visibleEvents(events, 2)[0]).toMatchObject({ what: 'tookProgress', detail: [-1, 1] });
    expect(visibleEvents(events, 1)[0]).toMatchObject({ what: 'tookProgress', detail: [P.warlord, 1] });
    expect(s.step.phase).toBe('main');
  });

  it('an enemy knight cuts a road for the longest road and blocks building past it; its removal joins it again', () => {
    // Seat 1: roads 0-3-7-12-8-13-9 (edges 0, 6, 11, 12, 13, 14), settlement on 0, holds the longest road (6).
    // Seat 0: settlement on 17, road 19 (12-17).
    const b3 = board(
      [
        [0, 1],
        [17, 0],
      ],
      [
        [0, 1],
        [6, 1],
        [11, 1],
        [12, 1],
        [13, 1],
        [14, 1],
        [19, 0],
      ],
    );
    const h = hands({ 0: [0, 0, 1, 0, 1, 0, 0, 0], 1: [2, 2, 0, 0, 0, 0, 0, 0] });
    const s0 = ck({
      ...b3,
      hands: h,
      bank: bankFor(h),
      roadLength: [1, 6, 0, 0],
      longestRoad: 1,
      pieces: pieces(4, { 0: [1, 1, 0], 1: [6, 1, 0] }),
    });
    expect(totalPoints(s0, 1)).toBe(3);
    const s = act(s0, 0, { type: 'knightBuild', vertex: 12 });
    expect(s.roadLength[1]).toBe(3);
    expect(s.longestRoad).toBe(-1);
    // Seat 1 cannot build past the knight: from 12 on, nothing; from 9 (its own end) it still can.
    const t = { ...s, current: 1 };
    const g = ck({ ...b3 }).ck!;
    expect(
      validate({ ...t, ck: { ...g, knights: knightsAt([[9, knightCode(0, 1, false)]]) } }, 1, {
        type: 'road',
        edge: 15,
      }),
    ).toMatch(/may go on edge 15/);
    expect(validate({ ...t, ck: g }, 1, { type: 'road', edge: 15 })).toBeNull();
    // Deserter: seat 1 makes seat 0 take the knight away; the road is whole again and the card comes back.
    const u = {
      ...s,
      current: 1,
      ck: { ...s.ck!, progress: progressOf(1, { [P.deserter]: 1 }) },
    };
    let v = act(u, 1, { type: 'progress', card: P.deserter, seat: 0 });
    v = act(v, 0, { type: 'removeKnight', vertex: 12 });
    expect(v.roadLength[1]).toBe(6);
    expect(v.longestRoad).toBe(1);
  });
});

/** A random C&K game to its end; the count of each progress card kind played. */
function randomGame(seed: number, players: number, played: number[], cardPhases: Set<string>) {
  const config = parseConfig({ rules: 'cities-and-knights', map: 'random' });
  const rng = createRng(seed);
  let s = catanEngine.setup(config, players, rng.fork('map'));
  while (catanEngine.toAct(s).kind !== 'terminal') {
    const turn = catanEngine.toAct(s);
    if (turn.kind === 'chance')
      s = catanEngine.apply(s, { kind: 'chance', outcome: catanEngine.sampleChance!(s, rng) });
    else if (turn.kind === 'players') {
      const chosen = new Map<number, CatanAction>();
      for (const seat of turn.seats) {
        const legal = legalActions(s, seat);
        if (legal.length === 0) throw new Error(`seed ${seed}: no legal action in phase ${s.step.phase}`);
        if (CARD_PHASES.has(s.step.phase)) {
          // The decisions of the new cards: the rules view of the observation agrees, every action validates.
          expect(legalActions(rulesView(observe(s, seat)), seat)).toEqual(legal);
          for (const a of legal) expect(validate(s, seat, a), JSON.stringify(a)).toBeNull();
          cardPhases.add(s.step.phase);
        }
        const a = legal[rng.int(0, legal.length - 1)]!;
        if (a.type === 'progress') played[a.card]!++;
        chosen.set(seat, a);
      }
      s = catanEngine.apply(s, { kind: 'players', actions: chosen });
    }
  }
  return s;
}

/** Every card is somewhere: 19 of each resource, 12 of each commodity, every progress card in a deck or a hand. */
function checkCards(s: CatanState) {
  for (let r = 0; r < 8; r++) {
    let total = s.bank[r]!;
    for (let p = 0; p < s.players; p++) total += s.hands[p * 8 + r]!;
    expect(total).toBe(r < 5 ? 19 : 12);
  }
  const c = s.ck!;
  const inPlay =
    c.decks.reduce((a, b) => a + b, 0) +
    c.progress.reduce((a, b) => a + b, 0) +
    c.progressPoints.reduce((a, b) => a + b, 0);
  expect(inPlay).toBe(54);
  // What each seat cannot account for (per kind) is some of what is held; surely-held plus unknown is the hand.
  for (let o = 0; o < s.players; o++) {
    for (let p = 0; p < s.players; p++) {
      if (o === p) continue;
      const base = (o * s.players + p) * 8;
      for (let r = 0; r < 8; r++) {
        expect(s.views[base + r]).toBeGreaterThanOrEqual(0);
        expect(s.views[base + r]).toBeLessThanOrEqual(s.hands[p * 8 + r]!);
      }
    }
    const seen = observe(s, o);
    for (let p = 0; p < s.players; p++) {
      let sum = seen.unknown[p]!;
      for (let r = 0; r < 8; r++) sum += seen.known[p * 8 + r]!;
      expect(sum).toBe(handSize(s, p));
    }
  }
}

describe('Cities & Knights games', () => {
  it('random games end; no card is created or lost; legal actions validate; the rules view agrees (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(3, 4), (seed, players) => {
        const config = parseConfig({ rules: 'cities-and-knights', map: 'random' });
        const rng = createRng(seed);
        let s = catanEngine.setup(config, players, rng.fork('map'));
        let steps = 0;
        while (catanEngine.toAct(s).kind !== 'terminal') {
          if (steps % 7 === 0) checkCards(s);
          const turn = catanEngine.toAct(s);
          if (turn.kind === 'chance')
            s = catanEngine.apply(s, { kind: 'chance', outcome: catanEngine.sampleChance!(s, rng) });
          else if (turn.kind === 'players') {
            const chosen = new Map<number, CatanAction>();
            for (const seat of turn.seats) {
              const legal = legalActions(s, seat);
              expect(legal.length, s.step.phase).toBeGreaterThan(0);
              if (steps % 5 === 0) {
                expect(legalActions(rulesView(observe(s, seat)), seat)).toEqual(legal);
                for (const a of legal) expect(validate(s, seat, a), JSON.stringify(a)).toBeNull();
              }
              chosen.set(seat, legal[rng.int(0, legal.length - 1)]!);
            }
            s = catanEngine.apply(s, { kind: 'players', actions: chosen });
          }
          steps++;
        }
        checkCards(s);
        const res = catanEngine.result(s)!;
        if (res.winner !== null) expect(res.scores[res.winner]).toBeGreaterThanOrEqual(13);
      }),
      { numRuns: 3, seed: 20261204 },
    );
  }, 120_000);

  it('random games on 40 seeds end without an engine fault, every card kind is played, no card is lost', () => {
    const played = new Array<number>(PROGRESS_KINDS).fill(0);
    const cardPhases = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const s = randomGame(seed, 3 + (seed % 2), played, cardPhases);
      checkCards(s);
      expect(catanEngine.result(s)).not.toBeNull();
    }
    // Printer and Constitution score when drawn; every other kind was played at least once.
    const never = PROGRESS.filter((_p, c) => played[c] === 0 && c !== P.printer && c !== P.constitution).map(
      (p) => p.name,
    );
    expect(never).toEqual([]);
    expect([...cardPhases].sort()).toEqual([...CARD_PHASES].sort());
  }, 240_000);

  it('determinize keeps what the seat knows and deals hidden commodities and progress cards consistently', async () => {
    const config = parseConfig({ rules: 'cities-and-knights' });
    const rng = createRng(4);
    let s = catanEngine.setup(config, 4, rng.fork('map'));
    for (let i = 0; i < 900 && catanEngine.toAct(s).kind !== 'terminal'; i++) {
      const t = catanEngine.toAct(s);
      if (t.kind === 'chance') s = catanEngine.apply(s, { kind: 'chance', outcome: catanEngine.sampleChance!(s, rng) });
      else if (t.kind === 'players') {
        const m = new Map(t.seats.map((seat) => [seat, rng.pick(legalActions(s, seat))] as const));
        s = catanEngine.apply(s, { kind: 'players', actions: m });
      }
    }
    const obs = observe(s, 1);
    const d = determinize(obs, 1, config, createRng(2));
    checkCards(d);
    expect(d.hands.slice(8, 16)).toEqual(s.hands.slice(8, 16));
    expect(d.ck!.progress.slice(PROGRESS_KINDS, 2 * PROGRESS_KINDS)).toEqual(
      s.ck!.progress.slice(PROGRESS_KINDS, 2 * PROGRESS_KINDS),
    );
    expect(observe(d, 1)).toEqual(obs);
  });

  it('the heuristic beats three random bots and four heuristic bots finish', async () => {
    const config = parseConfig({ rules: 'cities-and-knights' });
    let wins = 0;
    for (let g = 0; g < 4; g++) {
      const seat = g % 4;
      const players = [0, 1, 2, 3].map((i) =>
        i === seat ? createHeuristicStrategy({ params: {} }) : createRandomStrategy({ params: {} }),
      );
      const out = await runMatch({ engine: catanEngine, config, players, seed: 900 + g });
      expect(out.invalid).toEqual([]);
      if (out.result.winner === seat) wins++;
    }
    expect(wins).toBeGreaterThanOrEqual(3);
    const four = await runMatch({
      engine: catanEngine,
      config,
      players: [0, 1, 2, 3].map(() => createHeuristicStrategy({ params: {} })),
      seed: 5,
    });
    expect(four.invalid).toEqual([]);
    expect(four.result.winner).not.toBeNull();
  }, 120_000);
});
