import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayActions, runMatch } from '../../src/core/match.ts';
import { createRng } from '../../src/core/rng.ts';
import {
  type Command,
  type Creep,
  type CreepKind,
  type CreepSmashEvent,
  type CreepSmashState,
  DEFAULT_MAP,
  DEFAULT_MAP_TEXT,
  defaultConfig,
  creepsmashEngine as engine,
  formatMap,
  parseConfig,
  parseMap,
  type TargetStrategy,
  TOWERS,
  type Tower,
  type TowerKind,
} from '../../src/games/creepsmash/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../../strategies/creepsmash/index.ts';

const config = defaultConfig();

/** A game past the tile choice at `tick`, with hand-placed towers and creeps. */
function position(
  options: {
    players?: number;
    tick?: number;
    towers?: Partial<Tower>[];
    creeps?: Partial<Creep>[];
    seats?: object[];
  } = {},
): CreepSmashState {
  let s = engine.setup(config, options.players ?? 2, createRng(1));
  s = engine.apply(s, { kind: 'players', actions: new Map() });
  let id = 100;
  return {
    ...s,
    tick: options.tick ?? 1000,
    seats: s.seats.map((p, i) => ({ ...p, ...(options.seats?.[i] ?? {}) })),
    towers: (options.towers ?? []).map((t) => ({
      id: id++,
      board: 1,
      kind: 'BASIC',
      level: 1,
      x: 5,
      y: 1,
      strategy: 'CLOSEST',
      readyAt: 0,
      paid: 50,
      ...t,
    })),
    creeps: (options.creeps ?? []).map((c) => ({
      id: id++,
      kind: 'MERCURY',
      board: 1,
      sender: 0,
      hp: 300,
      progress: 5000,
      slowRate: 0,
      slowUntil: 0,
      ...c,
    })),
  };
}

function tick(s: CreepSmashState, actions: [number, Command[]][] = []) {
  const events: CreepSmashEvent[] = [];
  const next = engine.apply(s, { kind: 'players', actions: new Map(actions) }, events);
  return { s: next, events };
}

const hp = (s: CreepSmashState, id: number) => s.creeps.find((c) => c.id === id)?.hp;

describe('maps', () => {
  it('parses the default map into a connected path that round-trips', () => {
    expect(DEFAULT_MAP.width).toBe(16);
    for (let i = 1; i < DEFAULT_MAP.path.length; i++) {
      const [ax, ay] = DEFAULT_MAP.path[i - 1]!;
      const [bx, by] = DEFAULT_MAP.path[i]!;
      expect(Math.abs(ax - bx) + Math.abs(ay - by)).toBe(1);
    }
    expect(parseMap(formatMap(DEFAULT_MAP))).toEqual(DEFAULT_MAP);
    expect(parseConfig({ map: DEFAULT_MAP_TEXT }).map).toEqual(DEFAULT_MAP);
    expect(parseConfig({ map: JSON.parse(JSON.stringify(DEFAULT_MAP)) }).map).toEqual(DEFAULT_MAP);
  });

  it('refuses broken maps with the line or cell named', () => {
    expect(() => parseMap('hello')).toThrow(/creepsmash-map 1/);
    expect(() => parseMap('creepsmash-map 1\nsize 16 16\npath 0,0 3,3')).toThrow(/share no row or column/);
    expect(() => parseMap('creepsmash-map 1\nsize 16 16\npath 0,0 5,0 5,3 2,3 2,0')).toThrow(/crosses itself/);
    expect(() => parseMap('creepsmash-map 1\nsize 16 16\npath 0,0 5,0\nblocked 3,0')).toThrow(/on the path/);
    expect(() => parseMap('creepsmash-map 1\nsize 99 16\npath 0,0 5,0')).toThrow(/size/);
    expect(() => parseConfig({ map: 'nonsense' })).toThrow(/^map: /);
  });
});

describe('weapons', () => {
  it('laser: hits the creep in range at once, then waits its cooldown', () => {
    let s = position({ towers: [{}], creeps: [{}] });
    const creep = s.creeps[0]!.id;
    ({ s } = tick(s));
    expect(hp(s, creep)).toBe(300 - 25);
    expect(s.towers[0]!.readyAt).toBe(1000 + 13);
    for (let i = 0; i < 12; i++) ({ s } = tick(s));
    expect(hp(s, creep)).toBe(275);
    ({ s } = tick(s));
    expect(hp(s, creep)).toBe(250);
  });

  it('splash: full damage on the target, linear fall-off with distance, nothing beyond the radius', () => {
    // Tower at cell 5,1 (centre 110,30); creeps on row 2 (y 50), 10 px and 40 px behind the target.
    const s0 = position({
      towers: [{ kind: 'SPLASH' }],
      creeps: [{ progress: 5000 }, { progress: 5500 }, { progress: 7000 }],
    });
    const [a, b, c] = s0.creeps.map((k) => k.id);
    const { s } = tick(s0);
    expect(hp(s, a!)).toBe(300 - 50);
    // 50 - floor(50 * (0.7 / 35) * 10) = 40
    expect(hp(s, b!)).toBe(300 - 40);
    expect(hp(s, c!)).toBe(300);
  });

  it('slow: slows for its time, only when slower than now; slow-immune creeps ignore it', () => {
    const s0 = position({
      towers: [
        { kind: 'SLOW', x: 5, y: 1 },
        { kind: 'SLOW', x: 5, y: 3, readyAt: 1 },
      ],
      creeps: [{ progress: 5000 }, { kind: 'RAY', hp: 14000, progress: 8000 }],
    });
    let { s } = tick(s0);
    const mercury = s.creeps[0]!;
    expect(mercury.slowRate).toBe(0.3);
    expect(mercury.slowUntil).toBe(1000 + 40);
    const before = mercury.progress;
    ({ s } = tick(s));
    expect(s.creeps[0]!.progress - before).toBe(Math.floor(70 * 0.7));

    // A creep already slowed harder is not sped up by a weaker slow.
    const hard = position({ towers: [{ kind: 'SLOW' }], creeps: [{ slowRate: 0.5, slowUntil: 5000 }] });
    expect(tick(hard).s.creeps[0]!.slowRate).toBe(0.5);

    const immune = position({
      towers: [{ kind: 'SLOW', x: 8, y: 1 }],
      creeps: [{ kind: 'RAY', hp: 14000, progress: 8000 }],
    });
    const after = tick(immune).s.creeps[0]!;
    expect(after.hp).toBe(14000 - 25);
    expect(after.slowUntil).toBe(0);
  });

  it('rocket: flies, then explodes with splash around its target', () => {
    let s = position({
      towers: [{ kind: 'ROCKET', x: 5, y: 0 }],
      creeps: [
        { hp: 5000, kind: 'LARGE_MANTA' },
        { progress: 5400, hp: 300 },
      ],
    });
    const [target, near] = s.creeps.map((c) => c.id);
    ({ s } = tick(s));
    expect(s.rockets).toHaveLength(1);
    expect(hp(s, target!)).toBe(5000);
    const arrives = s.rockets[0]!.arrives;
    while (s.tick <= arrives) ({ s } = tick(s));
    expect(s.rockets).toHaveLength(0);
    expect(hp(s, target!)).toBeLessThanOrEqual(5000 - 1000 + 1000 * 0.8);
    expect(hp(s, target!)).toBeLessThan(5000);
    expect(hp(s, near!)).toBeUndefined(); // 300 hp cannot survive a 1000-damage splash 8 px away
  });
});

describe('creeps', () => {
  it('regenerate every tick up to their health (Zeus)', () => {
    let s = position({ creeps: [{ kind: 'ZEUS', hp: 1_500_000 - 1200 }] });
    ({ s } = tick(s));
    expect(s.creeps[0]!.hp).toBe(1_500_000 - 700);
    ({ s } = tick(s));
    ({ s } = tick(s));
    expect(s.creeps[0]!.hp).toBe(1_500_000);
  });

  it('cost a life when they cross a board and go on to the next living board, not back to their sender', () => {
    const end = (DEFAULT_MAP.path.length - 1) * 1000;
    const two = position({ creeps: [{ progress: end - 10 }] });
    const { s, events } = tick(two);
    expect(s.seats[1]!.lives).toBe(19);
    expect(s.creeps[0]).toMatchObject({ board: 1, progress: 0 }); // two players: loops on the opponent's board
    expect(events).toContainEqual({ type: 'leaked', creep: two.creeps[0]!.id, board: 1, lives: 19 });

    const three = position({ players: 3, creeps: [{ progress: end - 10, board: 1, sender: 0 }] });
    const r1 = tick(three).s;
    expect(r1.creeps[0]!.board).toBe(2);
    const r2 = tick({ ...r1, creeps: [{ ...r1.creeps[0]!, progress: end - 10 }] }).s;
    expect(r2.creeps[0]!.board).toBe(1); // skips its sender, seat 0
  });

  it('a player at 0 lives is out: towers stop, creeps move on, the last one standing wins', () => {
    const end = (DEFAULT_MAP.path.length - 1) * 1000;
    const s0 = position({ players: 3, creeps: [{ progress: end - 10, board: 1 }], seats: [{}, { lives: 1 }, {}] });
    const { s, events } = tick(s0);
    expect(s.seats[1]!.alive).toBe(false);
    expect(events).toContainEqual({ type: 'died', seat: 1 });
    expect(s.creeps[0]!.board).toBe(2);
    expect(engine.result(s)).toBeNull();
    const last = tick({
      ...s,
      creeps: [{ ...s.creeps[0]!, progress: end - 10 }],
      seats: s.seats.map((p, i) => (i === 2 ? { ...p, lives: 1 } : p)),
    });
    expect(last.s.phase).toBe('over');
    expect(engine.result(last.s)).toEqual({ scores: [20, 0, 0], ranks: [1, 3, 2], winner: 0 }); // seat 2 lasted a tick longer
  });

  it('a killed creep pays its bounty to the board owner', () => {
    const s0 = position({ towers: [{}], creeps: [{ hp: 20 }], seats: [{}, { credits: 0 }] });
    const { s, events } = tick(s0);
    expect(s.creeps).toHaveLength(0);
    expect(s.seats[1]!.credits).toBe(5);
    expect(events).toContainEqual({ type: 'killed', creep: s0.creeps[0]!.id, board: 1, bounty: 5 });
  });
});

describe('targeting strategies', () => {
  // Five creeps inside a level-4 basic tower's 50 px range, each best by one measure.
  const creeps: Partial<Creep>[] = [
    { progress: 5000, hp: 250 }, // closest to the tower at 5,1
    { progress: 7000, hp: 290 }, // farthest along
    { progress: 4000, hp: 100, kind: 'FAST_NOVA' }, // fastest (80), weakest
    { progress: 3500, hp: 1000, kind: 'MAKO' }, // strongest
  ];
  const pick = (strategy: TargetStrategy) => {
    const s = position({ towers: [{ level: 4, strategy }], creeps });
    const shot = tick(s).events.find((e) => e.type === 'shot');
    return s.creeps.findIndex((c) => shot?.type === 'shot' && c.id === shot.creep);
  };
  it.each([
    ['CLOSEST', 0],
    ['FARTHEST', 1],
    ['FASTEST', 2],
    ['WEAKEST', 2],
    ['STRONGEST', 3],
  ] as const)('%s', (strategy, index) => {
    expect(pick(strategy)).toBe(index);
  });
});

describe('commands, credits and income', () => {
  it('nothing takes effect before the first income; commands take effect delayTicks later', () => {
    let s = position({ tick: 200 });
    let r = tick(s, [[0, [{ kind: 'build', tower: 'BASIC', x: 3, y: 1 }]]]);
    expect(r.s.pending).toHaveLength(1);
    s = r.s;
    while (s.tick < 250) s = tick(s).s;
    r = tick(s);
    expect(r.events).toContainEqual(
      expect.objectContaining({ type: 'rejected', reason: expect.stringMatching(/before tick 300/) }),
    );

    s = position({ tick: 260 });
    s = tick(s, [[0, [{ kind: 'build', tower: 'BASIC', x: 3, y: 1 }]]]).s;
    while (s.tick < 310) s = tick(s).s;
    expect(s.towers).toHaveLength(0);
    const at310 = tick(s);
    // income first (tick 300 paid 200), then the build at 310
    expect(at310.s.towers).toMatchObject([{ board: 0, kind: 'BASIC', x: 3, y: 1 }]);
  });

  it('pays income every incomeTicks to living players; a creep sent raises the sender income for good', () => {
    let s = position({ tick: 299 });
    s = tick(s).s;
    expect(tick(s).s.seats.map((p) => p.credits)).toEqual([400, 400]);
    s = position({ tick: 500, seats: [{ credits: 1000 }] });
    const sent = tick({ ...s, pending: [{ at: 500, seat: 0, command: { kind: 'send', creep: 'MAKO' } }] });
    expect(sent.s.seats[0]).toMatchObject({ credits: 900, income: 210 });
    expect(sent.s.creeps).toMatchObject([{ kind: 'MAKO', board: 1, sender: 0, progress: 65 }]);
  });

  it('upgrades cost the next level and selling refunds 75% of everything paid, rounded down', () => {
    let s = position({ tick: 500, seats: [{ credits: 1000 }] });
    const at = (command: Command) => ({ at: s.tick, seat: 0, command });
    s = tick({ ...s, pending: [at({ kind: 'build', tower: 'BASIC', x: 3, y: 1 })] }).s;
    s = tick({ ...s, pending: [at({ kind: 'upgrade', x: 3, y: 1, level: 2 })] }).s;
    expect(s.towers[0]).toMatchObject({ level: 2, paid: 150 });
    expect(s.seats[0]!.credits).toBe(850);
    const sold = tick({ ...s, pending: [at({ kind: 'sell', x: 3, y: 1 })] });
    expect(sold.s.towers).toHaveLength(0);
    expect(sold.s.seats[0]!.credits).toBe(850 + 112);
    const poor = position({ tick: 500, seats: [{ credits: 10 }] });
    const broke = tick({
      ...poor,
      pending: [{ at: 500, seat: 0, command: { kind: 'build', tower: 'SPEED', x: 3, y: 1 } }],
    });
    expect(broke.events).toContainEqual(
      expect.objectContaining({ type: 'rejected', reason: 'needs 1000 credits, has 10' }),
    );
  });

  it('validate refuses malformed commands and never throws', () => {
    const s = position();
    expect(engine.validate(s, 0, [{ kind: 'build', tower: 'BASIC', x: 0, y: 2 }])).toMatch(/path/);
    expect(engine.validate(s, 0, [{ kind: 'build', tower: 'LASER' as TowerKind, x: 0, y: 0 }])).toMatch(
      /unknown tower/,
    );
    expect(engine.validate(s, 0, [{ kind: 'send', creep: 'DRAGON' as CreepKind }])).toMatch(/unknown creep/);
    expect(engine.validate(s, 0, [{ kind: 'tile', tile: 1 }])).toMatch(/before the game/);
    expect(engine.validate(s, 0, new Array(9).fill({ kind: 'sell', x: 1, y: 1 }))).toMatch(/at most 8/);
    fc.assert(
      fc.property(fc.anything(), (junk) => {
        const reason = engine.validate(s, 0, [junk as Command]);
        expect(reason === null || typeof reason === 'string').toBe(true);
        expect(engine.validate(s, 0, junk as Command[]) === null || true).toBe(true);
      }),
    );
  });

  it('tile choice: contested tiles go by seat order, the rest to the lowest free tile', () => {
    const s = engine.setup(config, 3, createRng(1));
    const r = tick(s, [
      [0, [{ kind: 'tile', tile: 2 }]],
      [1, [{ kind: 'tile', tile: 2 }]],
      [2, []],
    ]);
    expect(r.s.seats.map((p) => p.tile)).toEqual([2, 0, 1]);
  });
});

describe('whole games', () => {
  const quick = { ...config, maxTicks: 6000 };
  it('replay exactly from the seed and the action log, and end', async () => {
    for (const players of [2, 3, 4]) {
      const out = await runMatch({
        engine,
        config: quick,
        players: Array.from({ length: players }, (_, i) =>
          (i % 2 ? createHeuristicStrategy : createRandomStrategy)({ params: {} }),
        ),
        seed: players,
        record: { actions: true, hashes: true },
      });
      expect(out.invalid).toEqual([]);
      const check = replayActions(engine, quick, players, players, out.actions!, out.hashes);
      expect(check.ok, check.message).toBe(true);
      expect(check.result).toEqual(out.result);
    }
  });

  it('the heuristic beats the random bot', async () => {
    let wins = 0;
    for (let seed = 0; seed < 4; seed++) {
      const out = await runMatch({
        engine,
        config,
        players: [createHeuristicStrategy({ params: {} }), createRandomStrategy({ params: {} })],
        seed,
      });
      if (out.result.winner === 0) wins++;
    }
    expect(wins).toBe(4);
  });

  it('level tables are complete', () => {
    for (const kind of Object.keys(TOWERS) as TowerKind[]) expect(TOWERS[kind].length).toBeGreaterThanOrEqual(2);
  });
});

describe('search bot', () => {
  it('weighs the heuristic choice, waiting, defence and creeps; decides the same from the same observation', async () => {
    const { candidates, searchDecision } = await import('../../strategies/creepsmash/search.ts');
    const s = position({ tick: 600, seats: [{ credits: 600 }] });
    const list = candidates(s, 0, 3, [{ kind: 'send', creep: 'MERCURY' }]);
    expect(list[0]).toEqual([{ kind: 'send', creep: 'MERCURY' }]);
    expect(list).toContainEqual([]);
    expect(list.some((a) => a[0]?.kind === 'build' || a[0]?.kind === 'upgrade')).toBe(true);
    expect(list.filter((a) => a[0]?.kind === 'send')).toHaveLength(1 + 3); // the heuristic's MERCURY and the 3 dearest
    const params = { every: 100, horizon: 200, creeps: 2 };
    const a = searchDecision(s, 0, params, []);
    expect(searchDecision(s, 0, params, [])).toEqual(a);
    expect(engine.validate(s, 0, a)).toBeNull();
  });
});

describe('engine copies on the hot path', () => {
  it('keeps the shape of creeps and towers through moves, hits and slows (states serialise as before)', () => {
    const creepKeys = ['id', 'kind', 'board', 'sender', 'hp', 'progress', 'slowRate', 'slowUntil'];
    const towerKeys = ['id', 'board', 'kind', 'level', 'x', 'y', 'strategy', 'readyAt', 'paid'];
    let s = position({
      towers: [{ kind: 'BASIC' }, { kind: 'SPEED', x: 6 }, { kind: 'SPLASH', x: 4, board: 0 }],
      creeps: [{ progress: 4800 }, { progress: 5200, hp: 5000 }, { progress: 5000, board: 0, sender: 1 }],
    });
    let hits = 0;
    for (let t = 0; t < 40; t++) {
      const events: CreepSmashEvent[] = [];
      s = engine.apply(s, { kind: 'players', actions: new Map() }, events);
      hits += events.filter((e) => e.type === 'shot').length;
      for (const c of s.creeps) expect(Object.keys(c)).toEqual(creepKeys);
      for (const tw of s.towers) expect(Object.keys(tw)).toEqual(towerKeys);
    }
    expect(hits).toBeGreaterThan(0);
  });

  it("a tower shoots only at its own board's creeps, however close another board's creep is", () => {
    // The board-0 creep sits exactly where the board-1 creep is, and only board 1 has a tower.
    const s = position({ towers: [{ board: 1 }], creeps: [{ board: 0, sender: 1 }, { board: 1 }] });
    const events: CreepSmashEvent[] = [];
    const next = engine.apply(s, { kind: 'players', actions: new Map() }, events);
    const shots = events.filter((e) => e.type === 'shot');
    expect(shots).toHaveLength(1);
    const target = shots[0]!.type === 'shot' ? shots[0]!.creep : -1;
    expect(next.creeps.find((c) => c.id === target)!.board).toBe(1);
  });
});
