import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/engine.ts';
import { hashState } from '../../src/core/hash.ts';
import { replayActions, runMatch } from '../../src/core/match.ts';
import { makeReplay, verifyReplay } from '../../src/core/replay.ts';
import { createRng } from '../../src/core/rng.ts';
import { robotOrder, seatOrder } from '../../src/games/orerush/engine.ts';
import {
  type Command,
  orerushEngine as engine,
  generateOre,
  type OreRushAction,
  type OreRushEvent,
  type OreRushState,
  type Robot,
} from '../../src/games/orerush/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../../strategies/orerush/index.ts';

const W: Command = { type: 'WAIT' };

/** An empty board (no veins), 2 players x 2 robots, with the given pieces placed. */
function board(patch: Partial<Omit<OreRushState, 'config'>> & { rules?: Record<string, unknown> } = {}): OreRushState {
  const config = engine.parseConfig({ veins: 0, robots: 2, width: 12, height: 8, ...(patch.rules ?? {}) });
  const base = engine.setup(config, 2, createRng('board'));
  const { rules: _rules, ...rest } = patch;
  return { ...base, ...rest };
}

const robot = (owner: number, id: number, x: number, y: number, item: Robot['item'] = null): Robot => ({
  owner,
  id,
  x,
  y,
  item,
  alive: true,
});

function step(state: OreRushState, a0: OreRushAction, a1: OreRushAction, events?: OreRushEvent[]) {
  for (const [seat, a] of [a0, a1].entries()) expect(engine.validate(state, seat, a)).toBeNull();
  return engine.apply(
    state,
    {
      kind: 'players',
      actions: new Map([
        [0, a0],
        [1, a1],
      ]),
    },
    events,
  );
}

const cellOf = (s: OreRushState, x: number, y: number) => y * s.config.width + x;

describe('config', () => {
  it('has the documented defaults', () => {
    const c = engine.defaultConfig();
    expect([c.width, c.height, c.robots, c.rounds]).toEqual([30, 15, 5, 200]);
    expect(c.oreValues).toEqual([1, 2, 4, 6, 9]);
    expect([c.moveRange, c.digRange, c.radarRange, c.trapTrigger, c.trapBlast, c.trapChain]).toEqual([
      4, 1, 5, 1, 1, 2,
    ]);
  });
  it('names the bad field', () => {
    const bad = (raw: unknown, field: string) => {
      try {
        engine.parseConfig(raw);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).field).toBe(field);
      }
    };
    bad({ width: 1 }, 'width');
    bad({ rounds: 'many' }, 'rounds');
    bad({ oreValues: [1, 2, 3] }, 'oreValues');
    bad({ oreMin: 3, oreMax: 2 }, 'oreMax');
    bad({ colour: 'red' }, 'colour');
    expect(engine.parseConfig({ rounds: 50 }).rounds).toBe(50);
  });
});

describe('map', () => {
  it('is seeded, keeps the headquarters column empty and gets richer to the right', () => {
    const config = engine.parseConfig({ veins: 60 });
    const a = generateOre(config, createRng('m'));
    expect(generateOre(config, createRng('m'))).toEqual(a);
    let left = 0;
    let right = 0;
    let nLeft = 0;
    let nRight = 0;
    for (let i = 0; i < a.kinds.length; i++) {
      const x = i % config.width;
      if (x === 0) expect(a.kinds[i]).toBe(-1);
      if (a.kinds[i]! < 0) continue;
      expect(a.ore[i]).toBeGreaterThanOrEqual(config.oreMin);
      expect(a.ore[i]).toBeLessThanOrEqual(config.oreMax);
      if (x < config.width / 3) {
        left += a.kinds[i]!;
        nLeft++;
      } else if (x >= (2 * config.width) / 3) {
        right += a.kinds[i]!;
        nRight++;
      }
    }
    expect(right / nRight).toBeGreaterThan(left / nLeft + 1.5);
  });
});

describe('moves', () => {
  it('moves at most moveRange cells (columns first) and refuses bad commands', () => {
    const s = board({ robots: [robot(0, 0, 0, 0), robot(0, 1, 0, 7), robot(1, 0, 0, 3), robot(1, 1, 0, 4)] });
    const after = step(s, [{ type: 'MOVE', x: 10, y: 5 }, W], [W, W]);
    expect(after.robots[0]).toMatchObject({ x: 4, y: 0 });
    expect(engine.validate(s, 0, [W])).toMatch(/expected 2 commands/);
    expect(engine.validate(s, 0, [{ type: 'MOVE', x: 12, y: 0 }, W])).toMatch(/robot 0: MOVE x/);
    expect(engine.validate(s, 0, [{ type: 'JUMP' } as unknown as Command, W])).toMatch(/unknown command/);
  });

  it('simultaneous moves onto one cell: fewest steps wins, then the seat first in the rotation', () => {
    const s = board({
      robots: [robot(0, 0, 3, 2), robot(0, 1, 5, 5), robot(1, 0, 7, 2), robot(1, 1, 5, 7)],
    });
    // Seat 0 robot 0 and seat 1 robot 0 both go to (5, 2), both 2 steps: seat 0 is first in round 0.
    const events: OreRushEvent[] = [];
    const a = step(s, [{ type: 'MOVE', x: 5, y: 2 }, W], [{ type: 'MOVE', x: 5, y: 2 }, W], events);
    expect(a.robots[0]).toMatchObject({ x: 5, y: 2 });
    expect(a.robots[2]).toMatchObject({ x: 7, y: 2 });
    expect(events).toContainEqual({ kind: 'blocked', seat: 1, robot: 0, x: 7, y: 2 });
    // Round 1: seat 1 is first in the rotation.
    const b = step({ ...s, round: 1 }, [{ type: 'MOVE', x: 5, y: 2 }, W], [{ type: 'MOVE', x: 5, y: 2 }, W]);
    expect(b.robots[2]).toMatchObject({ x: 5, y: 2 });
    expect(b.robots[0]).toMatchObject({ x: 3, y: 2 });
    // Fewer steps beats the rotation: seat 1 robot 1 comes from 1 step away.
    const c = step(
      { ...s, robots: [robot(0, 0, 3, 2), robot(0, 1, 5, 5), robot(1, 0, 7, 2), robot(1, 1, 5, 3)] },
      [{ type: 'MOVE', x: 5, y: 2 }, W],
      [W, { type: 'MOVE', x: 5, y: 2 }],
    );
    expect(c.robots[3]).toMatchObject({ x: 5, y: 2 });
    expect(c.robots[0]).toMatchObject({ x: 3, y: 2 });
  });

  it('a robot that stays keeps its cell, blocked robots block others in turn, the HQ column is shared', () => {
    // (6,1) stays; A moves onto it and is blocked at (5,1); B moving onto A's old cell is then blocked too.
    const s = board({ robots: [robot(0, 0, 5, 1), robot(0, 1, 6, 1), robot(1, 0, 4, 1), robot(1, 1, 0, 1)] });
    const a = step(
      s,
      [{ type: 'MOVE', x: 6, y: 1 }, W],
      [
        { type: 'MOVE', x: 5, y: 1 },
        { type: 'MOVE', x: 0, y: 5 },
      ],
    );
    expect(a.robots.map((r) => [r.x, r.y])).toEqual([
      [5, 1],
      [6, 1],
      [4, 1],
      [0, 5],
    ]);
    const hq = board({ robots: [robot(0, 0, 1, 3), robot(0, 1, 0, 1), robot(1, 0, 2, 3), robot(1, 1, 0, 1)] });
    const b = step(hq, [{ type: 'MOVE', x: 0, y: 3 }, W], [{ type: 'MOVE', x: 0, y: 3 }, W]);
    expect(b.robots[0]).toMatchObject({ x: 0, y: 3 });
    expect(b.robots[2]).toMatchObject({ x: 0, y: 3 });
  });
});

describe('digging, carrying and scoring', () => {
  it('a dig takes one unit, the carrier scores it at the headquarters', () => {
    const s0 = board({ robots: [robot(0, 0, 3, 2), robot(0, 1, 0, 0), robot(1, 0, 0, 5), robot(1, 1, 0, 6)] });
    const c = cellOf(s0, 4, 2);
    const s = { ...s0, ore: s0.ore.map((v, i) => (i === c ? 2 : v)), kinds: s0.kinds.map((v, i) => (i === c ? 3 : v)) };
    const events: OreRushEvent[] = [];
    const a = step(s, [{ type: 'DIG', x: 4, y: 2 }, W], [W, W], events);
    expect(a.robots[0]!.item).toBe('platinum');
    expect(a.ore[c]).toBe(1);
    expect(a.dug[c]).toBe(1);
    expect(events).toContainEqual({ kind: 'dig', seat: 0, robot: 0, x: 4, y: 2, buried: null, ore: 'platinum' });
    // Carrying ore, a second dig does not pick up more.
    const b = step(a, [{ type: 'DIG', x: 4, y: 2 }, W], [W, W]);
    expect(b.ore[c]).toBe(1);
    const m1 = step(b, [{ type: 'MOVE', x: 0, y: 2 }, W], [W, W]);
    const scored: OreRushEvent[] = [];
    const m2 = step(m1, [W, W], [W, W], scored);
    // Three steps left, one round: scoring happens in the round the robot reaches column 0.
    expect(m1.robots[0]).toMatchObject({ x: 0, y: 2, item: null });
    expect(m1.scores).toEqual([6, 0]);
    expect(m2.scores).toEqual([6, 0]);
    expect(scored).toEqual([]);
  });

  it('simultaneous digs of the last unit: the seat first in the rotation gets it', () => {
    const s0 = board({ robots: [robot(0, 0, 3, 2), robot(0, 1, 0, 0), robot(1, 0, 5, 2), robot(1, 1, 0, 6)] });
    const c = cellOf(s0, 4, 2);
    const s = { ...s0, ore: s0.ore.map((v, i) => (i === c ? 1 : v)), kinds: s0.kinds.map((v, i) => (i === c ? 0 : v)) };
    const dig: Command = { type: 'DIG', x: 4, y: 2 };
    const r0 = step(s, [dig, W], [dig, W]);
    expect([r0.robots[0]!.item, r0.robots[2]!.item]).toEqual(['copper', null]);
    const r1 = step({ ...s, round: 1 }, [dig, W], [dig, W]);
    expect([r1.robots[0]!.item, r1.robots[2]!.item]).toEqual([null, 'copper']);
    expect(r1.dug[c]).toBe(3);
  });

  it('requests need the headquarters, empty hands and no cooldown; cooldowns tick per round', () => {
    const s = board({ robots: [robot(0, 0, 0, 2), robot(0, 1, 0, 4), robot(1, 0, 3, 2), robot(1, 1, 0, 6)] });
    const req: Command = { type: 'REQUEST', item: 'radar' };
    expect(engine.validate(s, 1, [req, W])).toMatch(/only at the headquarters/);
    expect(engine.validate(s, 0, [req, req])).toMatch(/one radar/);
    const a = step(s, [req, { type: 'REQUEST', item: 'trap' }], [W, W]);
    expect(a.robots[0]!.item).toBe('radar');
    expect(a.robots[1]!.item).toBe('trap');
    expect(a.cooldowns[0]).toEqual({ radar: 4, trap: 4 });
    expect(engine.validate(a, 0, [W, W])).toBeNull();
    const again = { ...a, robots: a.robots.map((r, i) => (i === 0 ? { ...r, item: null } : r)) };
    expect(engine.validate(again, 0, [req, W])).toMatch(/cooling down \(4 more rounds\)/);
    let t: OreRushState = again;
    for (let i = 0; i < 4; i++) t = step(t, [W, W], [W, W]);
    expect(engine.validate(t, 0, [req, W])).toBeNull();
    expect(engine.validate(a, 0, [W, req])).toMatch(/needs empty hands/);
  });
});

describe('radar vision and hidden information', () => {
  it('shows ore and enemy robots within radarRange of own radars only', () => {
    const s0 = board({
      robots: [robot(0, 0, 0, 0), robot(0, 1, 0, 1), robot(1, 0, 7, 4), robot(1, 1, 11, 7)],
      radars: [{ x: 5, y: 4, owner: 0 }],
    });
    const near = cellOf(s0, 8, 2); // distance 3 + 2 = 5: visible
    const far = cellOf(s0, 9, 2); // distance 6: hidden
    const s = {
      ...s0,
      ore: s0.ore.map((v, i) => (i === near || i === far ? 3 : v)),
      kinds: s0.kinds.map((v, i) => (i === near || i === far ? 4 : v)),
      dug: s0.dug.map((v, i) => (i === far ? 2 : i === near ? 1 : v)),
    };
    const o0 = engine.observe(s, 0);
    expect([o0.ore[near], o0.kinds[near]]).toEqual([3, 4]);
    expect([o0.ore[far], o0.kinds[far]]).toEqual([-1, -1]);
    expect(o0.ore[cellOf(s, 5, 4)]).toBe(0);
    expect(o0.enemies).toEqual([{ owner: 1, id: 0, x: 7, y: 4 }]);
    expect(o0.holes[near]).toBe(2);
    expect(o0.holes[far]).toBe(1);
    const o1 = engine.observe(s, 1);
    expect(o1.ore.every((v) => v === -1)).toBe(true);
    expect(o1.enemies).toEqual([]);
    expect(o1.radars).toEqual([]);
    expect(o1.holes[far]).toBe(2);
    expect(o1.holes[near]).toBe(1);
  });

  it('an enemy dig on a radar destroys it; its owner is told, the other player is not', () => {
    const s = board({
      robots: [robot(0, 0, 4, 4), robot(0, 1, 0, 1), robot(1, 0, 0, 4), robot(1, 1, 0, 6)],
      radars: [{ x: 5, y: 4, owner: 1 }],
    });
    const events: OreRushEvent[] = [];
    const a = step(s, [{ type: 'DIG', x: 5, y: 4 }, W], [W, W], events);
    expect(a.radars).toEqual([]);
    expect(engine.observe(a, 1).events).toContainEqual({ kind: 'radarLost', seat: 1, x: 5, y: 4 });
    expect(engine.observe(a, 0).events.some((e) => e.kind === 'radarLost')).toBe(false);
  });

  it('determinize keeps what the player sees and depends on the observation only', () => {
    const state = engine.setup(engine.defaultConfig(), 2, createRng('d'));
    const played = runMatchSync(state, 30);
    const obs = engine.observe(played, 0);
    const a = engine.determinize!(obs, 0, played.config, createRng('x'));
    const b = engine.determinize!(obs, 0, played.config, createRng('x'));
    expect(hashState(a)).toBe(hashState(b));
    const seen = engine.observe(a, 0);
    expect(seen.ore).toEqual(obs.ore);
    expect(seen.robots).toEqual(obs.robots);
    expect(seen.holes).toEqual(obs.holes);
    expect(seen.scores).toEqual(obs.scores);
    // Another true state with the same observation gives the same sample.
    const other = { ...played, ore: played.ore.map((v, i) => (obs.ore[i] === -1 ? v + 1 : v)) };
    expect(hashState(engine.determinize!(engine.observe(other, 0), 0, played.config, createRng('x')))).toBe(
      hashState(a),
    );
  });
});

function runMatchSync(state: OreRushState, rounds: number): OreRushState {
  const rng = createRng('sync');
  let s = state;
  const bots = [createRandomStrategy({ params: {} }), createRandomStrategy({ params: {} })];
  const ctx = (seat: number) =>
    ({ seat, rng, budget: { iterations: 1 }, model: { engine, config: s.config }, log: undefined }) as never;
  for (let i = 0; i < rounds; i++) {
    const actions = new Map(
      bots.map((b, seat) => [seat, b.decide(engine.observe(s, seat), ctx(seat)) as OreRushAction]),
    );
    s = engine.apply(s, { kind: 'players', actions });
  }
  return s;
}

describe('traps', () => {
  const trapBoard = () =>
    board({
      robots: [robot(0, 0, 2, 3), robot(0, 1, 7, 3), robot(1, 0, 10, 3), robot(1, 1, 8, 6)],
      traps: [
        { x: 3, y: 4, owner: 1 },
        { x: 5, y: 4, owner: 1 }, // 2 from the first: chains
        { x: 7, y: 4, owner: 0 }, // 2 from the second: chains
        { x: 10, y: 6, owner: 1 }, // 3 from the third: stays
      ],
      radars: [{ x: 6, y: 4, owner: 0 }],
    });

  it('a dig within trapTrigger sets a trap off; explosions chain within trapChain and destroy within trapBlast', () => {
    const events: OreRushEvent[] = [];
    const a = step(trapBoard(), [{ type: 'DIG', x: 2, y: 4 }, W], [W, W], events);
    expect(events.filter((e) => e.kind === 'explosion').map((e) => [e.x, e.y])).toEqual([
      [3, 4],
      [5, 4],
      [7, 4],
    ]);
    // Robot (2,3) is 2 from (3,4): out of the blast. Robot (7,3) is 1 from (7,4): destroyed.
    expect(a.robots.map((r) => r.alive)).toEqual([true, false, true, true]);
    expect(a.traps).toEqual([{ x: 10, y: 6, owner: 1 }]);
    expect(a.radars).toEqual([]);
    expect(events).toContainEqual({ kind: 'destroyed', seat: 0, robot: 1, x: 7, y: 3 });
    expect(engine.observe(a, 1).events.filter((e) => e.kind === 'explosion')).toHaveLength(3);
    expect(engine.observe(a, 1).alive).toEqual([1, 2]);
    // The digger survives (out of blast range) and still digs.
    expect(a.dug[cellOf(a, 2, 4)]).toBe(1);
  });

  it('a digger in the blast dies before digging; a trap buried this round is not set off this round', () => {
    const s = board({
      robots: [robot(0, 0, 3, 3, 'trap'), robot(0, 1, 0, 1), robot(1, 0, 5, 5), robot(1, 1, 0, 6)],
      traps: [{ x: 5, y: 4, owner: 0 }],
    });
    const events: OreRushEvent[] = [];
    // Seat 0 buries a trap at (3,4); seat 1 digs (5,4) next to seat 0's old trap, 2 away from the new one.
    const a = step(s, [{ type: 'DIG', x: 3, y: 4 }, W], [{ type: 'DIG', x: 5, y: 4 }, W], events);
    expect(events.filter((e) => e.kind === 'explosion')).toEqual([{ kind: 'explosion', x: 5, y: 4, owner: 0 }]);
    expect(a.robots[2]!.alive).toBe(false);
    expect(a.traps).toEqual([{ x: 3, y: 4, owner: 0 }]);
    expect(a.robots[0]).toMatchObject({ alive: true, item: null });
    expect(a.dug[cellOf(a, 5, 4)]).toBe(0);
  });

  it('commands of destroyed robots are ignored; the game ends when every robot is gone', () => {
    const s = board({
      robots: [
        robot(0, 0, 4, 4),
        { ...robot(0, 1, 0, 1), alive: false },
        robot(1, 0, 6, 4),
        { ...robot(1, 1, 0, 6), alive: false },
      ],
      traps: [{ x: 5, y: 4, owner: 1 }],
    });
    expect(engine.validate(s, 0, [W, { type: 'REQUEST', item: 'radar' }])).toBeNull();
    const a = step(s, [{ type: 'DIG', x: 5, y: 4 }, W], [W, W]);
    expect(engine.toAct(a).kind).toBe('terminal');
    expect(engine.result(a)).toEqual({ scores: [0, 0], ranks: [1, 1], winner: null });
  });
});

describe('whole games', () => {
  it('cached observations equal observations of a fresh copy of the state, every round', () => {
    let s = engine.setup(engine.parseConfig({ veins: 30 }), 2, createRng('cache'));
    const bots = [createHeuristicStrategy({ params: {} }), createRandomStrategy({ params: {} })];
    const rng = createRng('cache-bots');
    for (let round = 0; round < 120; round++) {
      const actions = new Map<number, OreRushAction>();
      for (const seat of [0, 1]) {
        const obs = engine.observe(s, seat);
        expect(obs).toEqual(engine.observe(structuredClone(s), seat));
        const ctx = { seat, rng, budget: { iterations: 1 }, model: { engine, config: s.config } } as never;
        actions.set(seat, bots[seat]!.decide(obs, ctx) as OreRushAction);
      }
      s = engine.apply(s, { kind: 'players', actions });
    }
    expect(s.radars.length).toBeGreaterThan(0);
  });

  it('random bots play legal games that replay exactly', async () => {
    const config = engine.defaultConfig();
    const outcome = await runMatch({
      engine,
      config,
      players: [createRandomStrategy({ params: {} }), createRandomStrategy({ params: {} })],
      seed: 11,
      record: { actions: true, hashes: true },
    });
    expect(outcome.invalid).toEqual([]);
    expect(outcome.steps).toBe(200);
    const check = replayActions(engine, config, 2, 11, outcome.actions!, outcome.hashes);
    expect(check.ok).toBe(true);
    const replay = verifyReplay(engine, makeReplay(engine, config, 11, ['random', 'random'], outcome));
    expect(replay.ok).toBe(true);
    expect(replay.account[0]).toBe('round 1/200');
    expect(replay.account.length).toBeGreaterThan(200);
  });

  it('the heuristic clearly beats random (and never plays an illegal action)', async () => {
    const config = engine.defaultConfig();
    let wins = 0;
    let margin = 0;
    const games = 6;
    for (let g = 0; g < games; g++) {
      const heuristicSeat = g % 2;
      const players = [createRandomStrategy({ params: {} }), createRandomStrategy({ params: {} })];
      players[heuristicSeat] = createHeuristicStrategy({ params: {} });
      const o = await runMatch({ engine, config, players, seed: `h${g}` });
      expect(o.invalid).toEqual([]);
      if (o.result.winner === heuristicSeat) wins++;
      margin += o.result.scores[heuristicSeat]! - o.result.scores[1 - heuristicSeat]!;
    }
    expect(wins).toBe(games);
    expect(margin / games).toBeGreaterThan(50);
  });
});

describe('robotOrder (cached by a numeric key)', () => {
  it('is the rotated seat order then robot ids, for every round, player and robot count tried', () => {
    const expected = (round: number, players: number, robots: number) =>
      seatOrder(round, players).flatMap((seat) => Array.from({ length: robots }, (_, id) => seat * robots + id));
    // Counts around the key's bases too: a collision would hand one shape the cached order of another.
    for (const players of [1, 2, 3, 4, 31, 32, 33, 1024, 1025])
      for (const robots of [1, 2, 5, 32, 50])
        for (const round of [0, 1, 2, 3, 7, players, players + 1])
          expect(robotOrder(round, players, robots)).toEqual(expected(round, players, robots));
  });
});
