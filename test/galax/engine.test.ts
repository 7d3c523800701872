import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, type StepActions } from '../../src/core/engine.ts';
import { replayActions, runMatch } from '../../src/core/match.ts';
import { createRng } from '../../src/core/rng.ts';
import {
  defaultConfig,
  galaxEngine as engine,
  type Fleet,
  type GalaxAction,
  type GalaxConfig,
  type GalaxEvent,
  type GalaxState,
  generatePlanets,
  type Planet,
  parseConfig,
  shipsToConquer,
  travelTenths,
  validateMove,
  visibleEvents,
} from '../../src/games/galax/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../../strategies/galax/index.ts';

type P = [x: number, y: number, owner: number, ships: number, production: number];

/** A hand-made state: planets [x, y, owner, ships, production] (ids in order), optional fleets, year in tenths. */
function makeState(
  planets: P[],
  options: { players?: number; fleets?: Fleet[]; year?: number; config?: Partial<GalaxConfig>; alive?: boolean[] } = {},
): GalaxState {
  const players = options.players ?? 2;
  return {
    config: parseConfig(options.config ?? {}),
    players,
    year: options.year ?? 0,
    planets: planets.map(([x, y, owner, ships, production], id): Planet => ({ id, x, y, owner, ships, production })),
    fleets: options.fleets ?? [],
    alive: options.alive ?? new Array(players).fill(true),
    reports: [],
    winner: null,
  };
}

/** One year with `moves[seat]` for each seat given (missing seats do nothing). */
function step(state: GalaxState, moves: Record<number, GalaxAction> = {}) {
  const actions = new Map<number, GalaxAction>();
  for (let seat = 0; seat < state.players; seat++) if (state.alive[seat]) actions.set(seat, moves[seat] ?? []);
  for (const [seat, action] of actions) expect(engine.validate(state, seat, action)).toBeNull();
  const events: GalaxEvent[] = [];
  const next = engine.apply(state, { kind: 'players', actions } as StepActions<GalaxAction>, events);
  expect(next.reports).toEqual(events);
  return { next, events };
}

const battles = (events: readonly GalaxEvent[]) => events.filter((e) => e.kind === 'battle');

describe('travel time', () => {
  it('is the smallest n >= 1 with (2n)^2 >= 100 (dx^2 + dy^2)', () => {
    // Same cell: 0 >= 0 for any n, but a trip takes at least one tenth.
    expect(travelTenths(0, 0)).toBe(1);
    // dx 1: 100 -> (2n)^2 >= 100 -> n = 5 (half a year at speed 2).
    expect(travelTenths(1, 0)).toBe(5);
    expect(travelTenths(0, -1)).toBe(5);
    // dx 2: 400 -> 2n >= 20 -> n = 10 exactly (the boundary of a surprise).
    expect(travelTenths(2, 0)).toBe(10);
    // 1,1: 200 -> n^2 >= 50 -> 7^2 = 49 < 50, so n = 8.
    expect(travelTenths(1, 1)).toBe(8);
    // 2,1: 500 -> n^2 >= 125 -> 11^2 = 121 < 125 <= 144, so n = 12.
    expect(travelTenths(2, -1)).toBe(12);
    // 3,4: distance 5 exactly -> 2500 -> 2n >= 50 -> n = 25.
    expect(travelTenths(3, 4)).toBe(25);
    // 6,8: distance 10 -> n = 50; one cell more (7,8: 11300 -> n^2 >= 2825, 53^2 = 2809 < 2825 <= 2916) -> 54.
    expect(travelTenths(6, 8)).toBe(50);
    expect(travelTenths(7, 8)).toBe(54);
    // 999,999: 199_600_200 -> n^2 >= 49_900_050; 7063^2 = 49_885_969 < it <= 7064^2 = 49_900_096.
    expect(travelTenths(999, 999)).toBe(7064);
  });

  it('is exactly minimal for any coordinates (integer check, no float)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), (dx, dy) => {
        const n = travelTenths(dx, dy);
        const target = 100 * (dx * dx + dy * dy);
        expect(n).toBeGreaterThanOrEqual(1);
        expect(4 * n * n).toBeGreaterThanOrEqual(target);
        if (n > 1) expect(4 * (n - 1) * (n - 1)).toBeLessThan(target);
      }),
    );
  });
});

describe('battles', () => {
  // Player 1 home at (0,0), player 2 home far away, an independent 6 ships / production 3.
  const planets = (target: P): P[] => [[0, 0, 1, 20, 10], [15, 15, 2, 10, 10], target];

  it('defender fires first when the trip takes a year or more (exactly 10 tenths is no surprise)', () => {
    const s = makeState(planets([2, 0, 0, 6, 3]));
    const { next, events } = step(s, { 0: [{ from: 0, to: 2, ships: 10 }] });
    // Trip 2 cells = 10 tenths, arrives at 1.0, inside (0.0, 1.0].
    // D 6 kills min(10, 3) = 3 -> 7 v 6; A 7 kills 3 -> 7 v 3; D 3 kills 1 -> 6 v 3; A 6 kills 3 -> 6 v 0.
    expect(events).toEqual([
      {
        kind: 'battle',
        planet: 2,
        time: 10,
        attacker: 1,
        attShips: 10,
        defender: 0,
        defShips: 6,
        volleys: [
          { who: 0, surprise: false, killed: 3, attShips: 7, defShips: 6 },
          { who: 1, surprise: false, killed: 3, attShips: 7, defShips: 3 },
          { who: 0, surprise: false, killed: 1, attShips: 6, defShips: 3 },
          { who: 1, surprise: false, killed: 3, attShips: 6, defShips: 0 },
        ],
        winner: 1,
        ships: 6,
      },
    ]);
    // The captured planet produces at the end of the phase (6 + 3); home: 20 - 10 + 10.
    expect(next.planets[2]).toMatchObject({ owner: 1, ships: 9 });
    expect(next.planets[0]).toMatchObject({ owner: 1, ships: 20 });
    expect(next.year).toBe(10);
  });

  it('a trip under a year is a surprise: the attacker fires first, issurprise on every volley', () => {
    const s = makeState(planets([1, 0, 0, 6, 3]));
    const { events } = step(s, { 0: [{ from: 0, to: 2, ships: 10 }] });
    // Trip 1 cell = 5 tenths. A 10 kills min(6, 5) = 5 -> 10 v 1; D 1 kills max(1, 0) = 1 -> 9 v 1; A kills 1.
    expect(battles(events)[0]).toMatchObject({
      time: 5,
      volleys: [
        { who: 1, surprise: true, killed: 5, attShips: 10, defShips: 1 },
        { who: 0, surprise: true, killed: 1, attShips: 9, defShips: 1 },
        { who: 1, surprise: true, killed: 1, attShips: 9, defShips: 0 },
      ],
      winner: 1,
      ships: 9,
    });
  });

  it('with the surprise rule off, a short trip is an ordinary battle', () => {
    const s = makeState(planets([1, 0, 0, 6, 3]), { config: { surprise: false } });
    const { events } = step(s, { 0: [{ from: 0, to: 2, ships: 10 }] });
    // Same sequence as the one-year trip: D first, 4 volleys, 6 survivors.
    expect(battles(events)[0]!.volleys.map((v) => [v.who, v.surprise, v.killed])).toEqual([
      [0, false, 3],
      [1, false, 3],
      [0, false, 1],
      [1, false, 3],
    ]);
  });

  it('the garrison holds when the attack is too small; the planet keeps its owner', () => {
    const s = makeState(planets([2, 0, 0, 10, 3]));
    const { next, events } = step(s, { 0: [{ from: 0, to: 2, ships: 5 }] });
    // D 10 kills min(5, 5) = 5: one volley, the attack is wiped out. Independents do not grow: 10 stays 10.
    expect(battles(events)[0]).toMatchObject({
      volleys: [{ who: 0, surprise: false, killed: 5, attShips: 0, defShips: 10 }],
      winner: 0,
      ships: 10,
    });
    expect(next.planets[2]).toMatchObject({ owner: 0, ships: 10 });
  });

  it('a planet with no ships is taken without a volley', () => {
    const s = makeState(planets([2, 0, 0, 0, 4]));
    const { next, events } = step(s, { 0: [{ from: 0, to: 2, ships: 3 }] });
    expect(events).toEqual([
      {
        kind: 'battle',
        planet: 2,
        time: 10,
        attacker: 1,
        attShips: 3,
        defender: 0,
        defShips: 0,
        volleys: [],
        winner: 1,
        ships: 3,
      },
    ]);
    // 3 survivors + production 4.
    expect(next.planets[2]).toMatchObject({ owner: 1, ships: 7 });
  });

  it('a fleet reaching its own planet reinforces it (FORT with the new garrison)', () => {
    const s = makeState([
      [0, 0, 1, 20, 10],
      [15, 15, 2, 10, 10],
      [1, 0, 1, 4, 2],
    ]);
    const { next, events } = step(s, { 0: [{ from: 0, to: 2, ships: 5 }] });
    // 4 + 5 = 9 at 0.5, then production 2 -> 11.
    expect(events).toEqual([{ kind: 'fort', planet: 2, player: 1, ships: 9, time: 5 }]);
    expect(next.planets[2]).toMatchObject({ owner: 1, ships: 11 });
  });

  it('shipsToConquer is the smallest winning fleet (checked against a linear search)', () => {
    for (const first of [false, true]) {
      for (let def = 0; def <= 120; def++) {
        let linear = 1;
        const wins = (a: number) => {
          let att = a;
          let d = def;
          let attackerTurn = first;
          while (att > 0 && d > 0) {
            if (attackerTurn) d -= Math.min(d, Math.max(1, Math.floor(att / 2)));
            else att -= Math.min(att, Math.max(1, Math.floor(d / 2)));
            attackerTurn = !attackerTurn;
          }
          return att > 0;
        };
        while (!wins(linear)) linear++;
        expect(shipsToConquer(def, first)).toBe(linear);
      }
    }
  });
});

describe('production, elimination and the end of the game', () => {
  it('owned planets grow by their production, independents never do', () => {
    const s = makeState([
      [0, 0, 1, 3, 10],
      [15, 15, 2, 7, 4],
      [5, 5, 0, 12, 5],
    ]);
    const { next } = step(step(s).next);
    expect(next.planets.map((p) => p.ships)).toEqual([23, 15, 12]);
    expect(next.year).toBe(20);
  });

  it('a player with no planet and no fleet is killed; the last one standing wins', () => {
    // P2's only planet holds 2 ships; P1 sends 10 over one year: D 2 kills 1 -> 9 v 2; A 9 kills 2 -> P1 takes it.
    const s = makeState([
      [0, 0, 1, 20, 10],
      [2, 0, 2, 2, 1],
    ]);
    const { next, events } = step(s, { 0: [{ from: 0, to: 1, ships: 10 }] });
    expect(events.map((e) => e.kind)).toEqual(['battle', 'kill', 'winner']);
    expect(events.slice(1)).toEqual([
      { kind: 'kill', player: 2 },
      { kind: 'winner', player: 1 },
    ]);
    expect(next.alive).toEqual([true, false]);
    expect(engine.toAct(next)).toEqual({ kind: 'terminal' });
    // P1: home 10 + 10, planet 1: 9 + 1.
    expect(engine.result(next)).toEqual({ scores: [30, 0], ranks: [1, 2], winner: 0 });
  });

  it('a player with a fleet in flight but no planet stays alive', () => {
    const s = makeState(
      [
        [0, 0, 1, 20, 10],
        [15, 15, 0, 5, 1],
      ],
      { fleets: [{ id: 0, owner: 2, from: 1, to: 0, ships: 3, arrival: 50 }] },
    );
    const { next, events } = step(s);
    expect(events).toEqual([]);
    expect(next.alive).toEqual([true, true]);
    expect(engine.toAct(next)).toEqual({ kind: 'players', seats: [0, 1] });
  });

  it('mutual elimination is a draw (WINN 0), kills in ascending id', () => {
    // Both players only have a 3-ship fleet flying into a 50-ship independent: D 50 kills 3 at once.
    const s = makeState(
      [
        [0, 0, 0, 50, 1],
        [4, 0, 0, 1, 1],
      ],
      {
        fleets: [
          { id: 0, owner: 2, from: 1, to: 0, ships: 3, arrival: 7 },
          { id: 1, owner: 1, from: 1, to: 0, ships: 3, arrival: 7 },
        ],
      },
    );
    const { next, events } = step(s);
    expect(events.map((e) => (e.kind === 'battle' ? `battle ${e.attacker}` : `${e.kind} ${e.player}`))).toEqual([
      'battle 2',
      'battle 1',
      'kill 1',
      'kill 2',
      'winner 0',
    ]);
    expect(engine.result(next)).toEqual({ scores: [0, 0], ranks: [1, 1], winner: null });
  });

  it('at the year limit the player with most ships (planets + fleets in flight) wins', () => {
    // maxYear 1: the first phase ends the game. P1 planets 10 + 10 = 20; P2 planet 5 + 5 = 10 plus 12 in flight.
    const s = makeState(
      [
        [0, 0, 1, 10, 10],
        [15, 15, 2, 17, 5],
        [8, 8, 0, 5, 1],
      ],
      { config: { maxYear: 1 } },
    );
    const { next, events } = step(s, { 1: [{ from: 1, to: 0, ships: 12 }] });
    expect(events).toEqual([{ kind: 'winner', player: 2 }]);
    expect(engine.result(next)).toEqual({ scores: [20, 22], ranks: [2, 1], winner: 1 });
  });

  it('a tie for most ships at the year limit is a draw', () => {
    const s = makeState(
      [
        [0, 0, 1, 10, 10],
        [15, 15, 2, 14, 6],
      ],
      { config: { maxYear: 3 }, year: 20 },
    );
    // 10 + 10 = 20 and 14 + 6 = 20.
    const { next, events } = step(s);
    expect(events).toEqual([{ kind: 'winner', player: 0 }]);
    expect(engine.result(next)).toEqual({ scores: [20, 20], ranks: [1, 1], winner: null });
  });

  it('the game does not end before the year limit with two players alive', () => {
    const s = makeState(
      [
        [0, 0, 1, 10, 10],
        [15, 15, 2, 10, 10],
      ],
      { config: { maxYear: 3 } },
    );
    const one = step(s).next;
    expect(one.winner).toBeNull();
    expect(engine.result(one)).toBeNull();
    const two = step(one).next;
    expect(two.winner).toBeNull();
    expect(step(two).next.winner).toBe(0);
  });
});

describe('fleet order', () => {
  it('arrivals resolve by time, then fleet id', () => {
    // A 4-ship independent at (5,5). Fleet 0 (P1) arrives at 0.8, fleet 1 (P2) at 0.5: P2 fights first.
    const s = makeState(
      [
        [0, 0, 1, 10, 1],
        [9, 9, 2, 10, 1],
        [5, 5, 0, 4, 1],
      ],
      {
        fleets: [
          { id: 0, owner: 1, from: 0, to: 2, ships: 20, arrival: 8 },
          { id: 1, owner: 2, from: 1, to: 2, ships: 10, arrival: 5 },
        ],
      },
    );
    const { events } = step(s);
    // 0.5: P2 10 v 4: D kills 2 -> 8 v 4; A kills 4 -> P2 holds it with 8.
    // 0.8: P1 20 v P2 8: D kills 4 -> 16 v 8; A kills 8 -> P1 takes it with 16.
    expect(battles(events).map((b) => [b.time, b.attacker, b.defender, b.winner, b.ships])).toEqual([
      [5, 2, 0, 2, 8],
      [8, 1, 2, 1, 16],
    ]);
  });

  it('fleets sent in the same year get ids by player, then move order; equal arrivals go by id', () => {
    // Target (5,5) 4 ships; P1 at (5,3) and P2 at (5,7): both trips 10 tenths.
    const s = makeState(
      [
        [5, 3, 1, 30, 1],
        [5, 7, 2, 30, 1],
        [5, 5, 0, 4, 1],
        [15, 15, 0, 9, 1],
      ],
      { fleets: [{ id: 6, owner: 1, from: 0, to: 3, ships: 1, arrival: 90 }] },
    );
    const { next, events } = step(s, {
      1: [{ from: 1, to: 2, ships: 10 }],
      0: [
        { from: 0, to: 2, ships: 10 },
        { from: 0, to: 3, ships: 2 },
      ],
    });
    // P1's fleet to 2 (id 7) first: 10 v 4 -> D kills 2 -> 8 v 4 -> A kills 4: P1 holds 2 with 8.
    // Then P2's (id 9): 10 v 8: D 4 -> 6 v 8; A 3 -> 6 v 5; D 2 -> 4 v 5; A 2 -> 4 v 3; D 1 -> 3 v 3; A 1 -> 3 v 2;
    // D 1 -> 2 v 2; A 1 -> 2 v 1; D 1 -> 1 v 1; A 1 -> 1 v 0: P2 takes it with 1.
    expect(battles(events).map((b) => [b.attacker, b.winner, b.ships, b.volleys.length])).toEqual([
      [1, 1, 8, 2],
      [2, 2, 1, 10],
    ]);
    // Ids continue after the last fleet in flight: P1's moves are 7, 8, P2's is 9; those still flying stay in id order.
    expect(next.fleets.map((f) => [f.id, f.owner, f.to])).toEqual([
      [6, 1, 3],
      [8, 1, 3],
    ]);
    // The ships leave at once: 30 - 12 + 1.
    expect(next.planets[0]!.ships).toBe(19);
  });
});

describe('validation', () => {
  const s = makeState(
    [
      [0, 0, 1, 10, 10],
      [15, 15, 2, 10, 10],
      [5, 5, 0, 7, 2],
    ],
    { players: 3, alive: [true, true, false] },
  );

  it('accepts legal moves and adds up the ships sent from one planet', () => {
    expect(validateMove(s, 1, [], { from: 0, to: 2, ships: 10 })).toBeNull();
    expect(engine.validate(s, 0, [])).toBeNull();
    expect(
      engine.validate(s, 0, [
        { from: 0, to: 2, ships: 4 },
        { from: 0, to: 1, ships: 6 },
      ]),
    ).toBeNull();
    const reason = engine.validate(s, 0, [
      { from: 0, to: 2, ships: 4 },
      { from: 0, to: 1, ships: 7 },
    ]);
    expect(reason).toMatch(/^ERRM: not enough ships on planet 0/);
    expect(reason).toContain('move 2 of 2');
    expect(validateMove(s, 1, [{ from: 0, to: 2, ships: 4 }], { from: 0, to: 1, ships: 7 })).toMatch(/^ERRM:/);
  });

  it('ERRP: not your planet, a player out of the game, a game that is over', () => {
    expect(validateMove(s, 1, [], { from: 1, to: 2, ships: 1 })).toMatch(/^ERRP: planet 1 is not yours/);
    expect(validateMove(s, 1, [], { from: 2, to: 0, ships: 1 })).toMatch(/^ERRP:/);
    expect(validateMove(s, 3, [], { from: 0, to: 2, ships: 1 })).toMatch(/^ERRP: player 3 is not alive/);
    expect(validateMove(s, 4, [], { from: 0, to: 2, ships: 1 })).toMatch(/^ERRP:/);
    expect(validateMove({ ...s, winner: 1 }, 1, [], { from: 0, to: 2, ships: 1 })).toMatch(/^ERRP: the game is over/);
  });

  it('ERRM: no such planet, from = to, bad ship counts, too many ships', () => {
    expect(validateMove(s, 1, [], { from: 3, to: 2, ships: 1 })).toMatch(/^ERRM: no such planet 3/);
    expect(validateMove(s, 1, [], { from: -1, to: 2, ships: 1 })).toMatch(/^ERRM: no such planet/);
    expect(validateMove(s, 1, [], { from: 0, to: 3, ships: 1 })).toMatch(/^ERRM: no such planet 3/);
    expect(validateMove(s, 1, [], { from: 0, to: 0, ships: 1 })).toMatch(/^ERRM: from and to are the same/);
    expect(validateMove(s, 1, [], { from: 0, to: 2, ships: 0 })).toMatch(/^ERRM: ships must be/);
    expect(validateMove(s, 1, [], { from: 0, to: 2, ships: 1.5 })).toMatch(/^ERRM: ships must be/);
    expect(validateMove(s, 1, [], { from: 0, to: 2, ships: 11 })).toMatch(/^ERRM: not enough ships on planet 0/);
  });

  it('never throws on garbage and always answers with a wire error class', () => {
    const move = fc.record({
      from: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), fc.string()),
      to: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant(null)),
      ships: fc.oneof(fc.integer({ min: -3, max: 30 }), fc.double()),
    });
    fc.assert(
      fc.property(fc.array(move, { maxLength: 5 }), fc.integer({ min: 0, max: 3 }), (moves, seat) => {
        const reason = engine.validate(s, seat, moves as unknown as GalaxAction);
        if (reason !== null) expect(reason).toMatch(/^ERR[PMC]: /);
      }),
    );
    expect(engine.validate(s, 0, 'nonsense' as unknown as GalaxAction)).toMatch(/^ERRC:/);
    expect(engine.validate(s, 0, [null] as unknown as GalaxAction)).toMatch(/^ERRC:/);
  });
});

describe('config', () => {
  const fieldOf = (raw: unknown) => {
    try {
      parseConfig(raw);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).field;
    }
    return null;
  };

  it('has the documented defaults and accepts a partial config', () => {
    expect(parseConfig(undefined)).toEqual(defaultConfig());
    expect(defaultConfig()).toMatchObject({ width: 16, height: 16, planets: 12, maxYear: 200, surprise: true });
    expect(parseConfig({ visibility: 'fog', maxYear: 50 })).toMatchObject({ visibility: 'fog', maxYear: 50 });
    expect(parseConfig(parseConfig({ planets: 4 }))).toEqual(parseConfig({ planets: 4 }));
  });

  it('names the bad field', () => {
    expect(fieldOf({ widht: 3 })).toBe('widht');
    expect(fieldOf({ width: 0 })).toBe('width');
    expect(fieldOf({ height: 2.5 })).toBe('height');
    // Text is read by the schema's type, strictly: '200' is 200, '2e2' is refused.
    expect(fieldOf({ maxYear: '2e2' })).toBe('maxYear');
    expect(fieldOf({ maxYear: '200' })).toBeNull();
    expect(fieldOf({ surprise: 'yes' })).toBe('surprise');
    expect(fieldOf({ visibility: 'partial' })).toBe('visibility');
    expect(fieldOf({ width: 3, height: 3, planets: 10 })).toBe('planets');
    expect(fieldOf({ neutralShipsMin: 9, neutralShipsMax: 8 })).toBe('neutralShipsMax');
    expect(fieldOf({ neutralProductionMin: 6 })).toBe('neutralProductionMax');
    expect(fieldOf([1])).toBe('config');
    expect(fieldOf({ width: 3, height: 3, planets: 9 })).toBeNull();
  });
});

describe('map generation', () => {
  it('places distinct integer planets, homes first, values within the config ranges', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 3, max: 30 }),
        fc.integer({ min: 3, max: 30 }),
        fc.integer({ min: 0, max: 40 }),
        fc.string(),
        (players, width, height, extra, seed) => {
          const planets = Math.min(width * height, players + extra);
          const config = parseConfig({ width, height, planets });
          const map = generatePlanets(config, players, createRng(seed));
          expect(map).toHaveLength(planets);
          const cells = new Set(map.map((p) => p.y * width + p.x));
          expect(cells.size).toBe(planets);
          for (const p of map) {
            expect(p.x).toBeGreaterThanOrEqual(0);
            expect(p.x).toBeLessThan(width);
            expect(p.y).toBeGreaterThanOrEqual(0);
            expect(p.y).toBeLessThan(height);
            expect(Number.isInteger(p.x) && Number.isInteger(p.y)).toBe(true);
            if (p.id < players) {
              expect(p).toMatchObject({ owner: p.id + 1, ships: 10, production: 10 });
            } else {
              expect(p.owner).toBe(0);
              expect(p.ships).toBeGreaterThanOrEqual(5);
              expect(p.ships).toBeLessThanOrEqual(20);
              expect(p.production).toBeGreaterThanOrEqual(1);
              expect(p.production).toBeLessThanOrEqual(5);
            }
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('puts two homes far apart on the default field', () => {
    // Best of 24 random cells: far more than half the field's diagonal in almost every game.
    let far = 0;
    for (let seed = 0; seed < 50; seed++) {
      const [a, b] = generatePlanets(defaultConfig(), 2, createRng(seed));
      if (Math.hypot(a!.x - b!.x, a!.y - b!.y) >= 11) far++;
    }
    expect(far).toBeGreaterThanOrEqual(45);
  });

  it('rejects more players than planets', () => {
    expect(() => engine.setup(parseConfig({ planets: 3 }), 4, createRng(1))).toThrow(RangeError);
    expect(() => engine.setup(defaultConfig(), 9, createRng(1))).toThrow(RangeError);
  });
});

describe('determinism and invariants', () => {
  const bots = () => [
    createRandomStrategy({ params: {} }),
    createHeuristicStrategy({ params: {} }),
    createRandomStrategy({ params: {} }),
    createHeuristicStrategy({ params: {} }),
  ];
  const record = { actions: true, hashes: true, events: true };

  it('the same seed gives the same game (4 bots, state hashes)', async () => {
    const config = defaultConfig();
    const a = await runMatch({ engine, config, players: bots(), seed: 'det', record });
    const b = await runMatch({ engine, config, players: bots(), seed: 'det', record });
    expect(a.hashes).toEqual(b.hashes);
    expect(a.events).toEqual(b.events);
    expect(a.result).toEqual(b.result);
    expect(a.invalid).toEqual([]);
    const c = await runMatch({ engine, config, players: bots(), seed: 'other', record });
    expect(c.hashes).not.toEqual(a.hashes);
    const replay = replayActions(engine, config, 4, 'det', a.actions!, a.hashes);
    expect(replay.ok).toBe(true);
    expect(replay.result).toEqual(a.result);
  });

  it('keeps its invariants in random games (no negative ships, fleets in id order, alive = has something)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer(), fc.boolean(), (players, seed, fog) => {
        const config = parseConfig({ maxYear: 60, visibility: fog ? 'fog' : 'full', planets: 12 });
        let state = engine.setup(config, players, createRng(seed));
        const strategies = Array.from({ length: players }, () => createRandomStrategy({ params: { activity: 0.8 } }));
        const rngs = strategies.map((_, i) => createRng(`${seed}/${i}`));
        let total = state.planets.reduce((sum, p) => sum + p.ships, 0);
        for (let guard = 0; guard < 100 && state.winner === null; guard++) {
          const turn = engine.toAct(state);
          if (turn.kind !== 'players') throw new Error('unexpected turn');
          const actions = new Map<number, GalaxAction>();
          for (const seat of turn.seats) {
            const obs = engine.observe(state, seat);
            const action = strategies[seat]!.decide(obs, {
              seat,
              rng: rngs[seat]!,
              budget: { iterations: 1 },
              model: { engine, config },
              log: undefined as never,
            }) as GalaxAction;
            expect(engine.validate(state, seat, action)).toBeNull();
            actions.set(seat, action);
          }
          const events: GalaxEvent[] = [];
          const next = engine.apply(state, { kind: 'players', actions }, events);
          // Ships are only created by production and destroyed in volleys.
          let produced = 0;
          for (const p of state.planets) if (next.planets[p.id]!.owner !== 0) produced += p.production;
          let killed = 0;
          for (const e of events) if (e.kind === 'battle') for (const v of e.volleys) killed += v.killed;
          const now =
            next.planets.reduce((sum, p) => sum + p.ships, 0) + next.fleets.reduce((sum, f) => sum + f.ships, 0);
          expect(now).toBe(total + produced - killed);
          total = now;
          for (const p of next.planets) expect(p.ships).toBeGreaterThanOrEqual(0);
          for (let i = 1; i < next.fleets.length; i++)
            expect(next.fleets[i]!.id).toBeGreaterThan(next.fleets[i - 1]!.id);
          for (const f of next.fleets) expect(f.arrival).toBeGreaterThan(next.year);
          for (let seat = 0; seat < players; seat++) {
            const has = next.planets.some((p) => p.owner === seat + 1) || next.fleets.some((f) => f.owner === seat + 1);
            expect(next.alive[seat]).toBe(has);
          }
          state = next;
        }
        // maxYear 60: at most 60 phases.
        expect(state.winner).not.toBeNull();
      }),
      { numRuns: 40 },
    );
  });
});

describe('observations', () => {
  // P1 at 0, P2 at 1, P3 at 2, an independent at 3; P2 and P3 fleets in flight, a battle P1 v P3 and one P2 v P3.
  const s: GalaxState = {
    ...makeState(
      [
        [0, 0, 1, 10, 10],
        [15, 15, 2, 11, 9],
        [0, 15, 3, 12, 8],
        [8, 8, 0, 13, 3],
      ],
      {
        players: 3,
        config: { visibility: 'fog' },
        year: 30,
        fleets: [
          { id: 4, owner: 2, from: 1, to: 3, ships: 5, arrival: 70 },
          { id: 5, owner: 1, from: 0, to: 3, ships: 6, arrival: 75 },
          { id: 6, owner: 1, from: 0, to: 2, ships: 7, arrival: 80 },
        ],
      },
    ),
    reports: [
      {
        kind: 'battle',
        planet: 2,
        time: 25,
        attacker: 1,
        attShips: 1,
        defender: 3,
        defShips: 12,
        volleys: [{ who: 0, surprise: false, killed: 1, attShips: 0, defShips: 12 }],
        winner: 3,
        ships: 12,
      },
      { kind: 'fort', planet: 1, player: 2, ships: 11, time: 26 },
      { kind: 'fort', planet: 0, player: 1, ships: 10, time: 27 },
      { kind: 'kill', player: 4 },
    ],
  };

  it('fog hides ships and production of planets the viewer does not own, and other fleets', () => {
    const o = engine.observe(s, 0);
    expect(o).toMatchObject({ player: 1, players: 3, width: 16, height: 16, year: 30 });
    expect(o.planets).toEqual([
      { id: 0, x: 0, y: 0, owner: 1, ships: 10, production: 10 },
      { id: 1, x: 15, y: 15, owner: 2, ships: -1, production: -1 },
      { id: 2, x: 0, y: 15, owner: 3, ships: -1, production: -1 },
      { id: 3, x: 8, y: 8, owner: 0, ships: -1, production: -1 },
    ]);
    expect(o.fleets).toEqual([
      { from: 0, to: 3, ships: 6, arrival: 75 },
      { from: 0, to: 2, ships: 7, arrival: 80 },
    ]);
    // Its battle, its fort, and every kill; not P2's fort.
    expect(o.events.map((e) => e.kind)).toEqual(['battle', 'fort', 'kill']);
    expect(engine.observe(s, 1).events.map((e) => e.kind)).toEqual(['fort', 'kill']);
    expect(engine.observe(s, 2).events.map((e) => e.kind)).toEqual(['battle', 'kill']);
    expect(engine.observe(s, 1).fleets).toEqual([{ from: 1, to: 3, ships: 5, arrival: 70 }]);
  });

  it('full visibility shows every planet and every event, but still only the own fleets', () => {
    const full = { ...s, config: parseConfig({}) };
    const o = engine.observe(full, 1);
    expect(o.planets).toEqual(full.planets);
    expect(o.events).toEqual(full.reports);
    expect(o.fleets).toEqual([{ from: 1, to: 3, ships: 5, arrival: 70 }]);
    expect(visibleEvents(full.reports, 1, 'full')).toHaveLength(4);
    expect(visibleEvents(full.reports, 1, 'fog')).toHaveLength(2);
  });

  it('determinize depends on the observation only', () => {
    // Another truth with the same observation for P1: other garrisons, other enemy fleets, other production.
    const other: GalaxState = {
      ...s,
      planets: s.planets.map((p) => (p.owner === 1 ? p : { ...p, ships: p.ships + 17, production: p.production + 1 })),
      fleets: [...s.fleets.filter((f) => f.owner === 1), { id: 9, owner: 3, from: 2, to: 0, ships: 40, arrival: 35 }],
    };
    const o1 = engine.observe(s, 0);
    const o2 = engine.observe(other, 0);
    expect(o2).toEqual(o1);
    const d1 = engine.determinize!(o1, 0, s.config, createRng('d'));
    const d2 = engine.determinize!(o2, 0, other.config, createRng('d'));
    expect(d2).toEqual(d1);
    // Known values copied; unknown ones sampled within the ranges; own fleets kept in order, no enemy fleet.
    expect(d1.planets[0]).toEqual(s.planets[0]);
    expect(d1.planets[3]!.ships).toBeGreaterThanOrEqual(5);
    expect(d1.planets[3]!.ships).toBeLessThanOrEqual(20);
    expect(d1.planets[1]!.production).toBe(10);
    expect(d1.fleets.map((f) => [f.owner, f.to, f.ships])).toEqual([
      [1, 3, 6],
      [1, 2, 7],
    ]);
    expect(d1.alive).toEqual([true, true, true]);
    expect(d1.year).toBe(30);
    // The determinized state is playable.
    const next = engine.apply(d1, { kind: 'players', actions: new Map([[0, [{ from: 0, to: 3, ships: 2 }]]]) });
    expect(next.year).toBe(40);
  });
});

describe('describeStep', () => {
  it('tells the moves, battles, kills and the winner in words', () => {
    const s = makeState(
      [
        [0, 0, 1, 20, 10],
        [2, 0, 2, 2, 1],
        [1, 0, 0, 4, 2],
      ],
      { year: 30 },
    );
    const actions = new Map<number, GalaxAction>([
      [0, [{ from: 0, to: 1, ships: 10 }]],
      [1, []],
    ]);
    const events: GalaxEvent[] = [];
    const next = engine.apply(s, { kind: 'players', actions }, events);
    expect(engine.describeStep!(s, { kind: 'players', actions }, events, next)).toEqual([
      // Trip (0,0) -> (2,0) = 10 tenths; D 2 kills 1 -> 9 v 2; A 9 kills 2.
      // Seats are 0-based in every account botswarm gives (Galax player 1 is seat 0).
      'year 3.0: seat 0 sends 10 ships 0 -> 1 (arrives 4.0)',
      'year 4.0: battle at planet 1: seat 0 10 vs seat 1 2 -> seat 0 takes it with 9',
      'seat 1 eliminated',
      'seat 0 wins',
    ]);
  });
});
