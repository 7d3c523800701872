import { describe, expect, it } from 'vitest';
import { hashState } from '../../src/core/hash.ts';
import { runMatch } from '../../src/core/match.ts';
import { createRng } from '../../src/core/rng.ts';
import {
  apply,
  type CarcassonneEvent,
  type CarcassonneState,
  carcassonneEngine,
  DISTINCT_ROTATIONS,
  defaultConfig,
  facingPort,
  finishNow,
  kindIndex,
  legalActions,
  legalPlacements,
  meepleOptions,
  ROTATED,
  rebuildState,
  TILE_KINDS,
  TOTAL_TILES,
  validate,
} from '../../src/games/carcassonne/index.ts';
import { createRandomStrategy } from '../../strategies/carcassonne/index.ts';

const K = (id: string) => kindIndex(id);
const placed = (id: string, x: number, y: number, rot: number, meeple: number | null = null) =>
  ({ type: 'placed', x, y, kind: K(id), rot, meeple }) as const;
const config = defaultConfig();

describe('tile set', () => {
  it('has 72 tiles of 24 kinds, every port owned once, sides consistent', () => {
    expect(TILE_KINDS).toHaveLength(24);
    expect(TOTAL_TILES).toBe(72);
    for (const kind of TILE_KINDS) {
      const owners = new Array(12).fill(0);
      for (const s of kind.segments) for (const p of s.ports) owners[p]++;
      expect(owners, kind.id).toEqual(new Array(12).fill(1));
      for (let r = 0; r < 4; r++) {
        const rt = ROTATED[K(kind.id) * 4 + r]!;
        for (let d = 0; d < 4; d++) {
          const [a, b, c] = [rt.portSeg[d * 3]!, rt.portSeg[d * 3 + 1]!, rt.portSeg[d * 3 + 2]!];
          const types = [a, b, c].map((i) => kind.segments[i]!.type);
          if (rt.edges[d] === 'city') expect(a === b && b === c, kind.id).toBe(true);
          if (rt.edges[d] === 'road') expect(types, kind.id).toEqual(['field', 'road', 'field']);
          if (rt.edges[d] === 'field') expect(types, kind.id).toEqual(['field', 'field', 'field']);
        }
      }
    }
    expect(DISTINCT_ROTATIONS[K('B')]).toEqual([0]);
    expect(DISTINCT_ROTATIONS[K('C')]).toEqual([0]);
    expect(DISTINCT_ROTATIONS[K('D')]).toEqual([0, 1, 2, 3]);
  });

  it('pairs facing ports across a side', () => {
    expect(facingPort(0)).toBe(8);
    expect(facingPort(1)).toBe(7);
    expect(facingPort(3)).toBe(11);
    expect(facingPort(10)).toBe(4);
    for (let p = 0; p < 12; p++) expect(facingPort(facingPort(p))).toBe(p);
  });
});

describe('placement', () => {
  it('starts with tile D at 0,0 and 71 tiles in the deck', () => {
    const s = carcassonneEngine.setup(config, 2, createRng(1));
    expect(s.tiles).toEqual([{ x: 0, y: 0, kind: K('D'), rot: 0, seg0: 0 }]);
    expect(s.deckLeft).toBe(71);
    expect(carcassonneEngine.toAct(s)).toEqual({ kind: 'chance' });
  });

  it('requires matching sides and a neighbour', () => {
    let s = rebuildState(config, 2, []);
    s = apply(s, { kind: 'chance', outcome: K('E') });
    // E's city is north; north of the start tile, the start's city faces south: rotate E by 180 degrees.
    expect(validate(s, 0, { x: 0, y: -1, rot: 2, meeple: null })).toBeNull();
    expect(validate(s, 0, { x: 0, y: -1, rot: 0, meeple: null })).toMatch(/south side \(field\) meets city/);
    expect(validate(s, 0, { x: 5, y: 5, rot: 0, meeple: null })).toMatch(/touches no tile/);
    expect(validate(s, 0, { x: 0, y: 0, rot: 0, meeple: null })).toMatch(/taken/);
    expect(validate(s, 1, { x: 0, y: -1, rot: 2, meeple: null })).toMatch(/turn/);
    const all = legalPlacements(s);
    expect(all.length).toBeGreaterThan(0);
    for (const p of all) expect(validate(s, 0, { ...p, meeple: null })).toBeNull();
    for (const a of legalActions(s, 0)) expect(validate(s, 0, a)).toBeNull();
  });

  it('refuses a follower on an occupied feature', () => {
    // Seat 0 puts a follower on the start tile's road, extended east; seat 1 cannot join that road.
    let s = rebuildState(config, 2, [placed('U', 1, 0, 1, 0)]);
    s = apply(s, { kind: 'chance', outcome: K('U') });
    expect(meepleOptions(s, -1, 0, 1)).not.toContain(0);
    expect(validate(s, 1, { x: -1, y: 0, rot: 1, meeple: 0 })).toMatch(/occupied/);
    expect(validate(s, 1, { x: -1, y: 0, rot: 1, meeple: 1 })).toBeNull();
  });
});

function scoredEvents(state: CarcassonneState): CarcassonneEvent[] {
  const events: CarcassonneEvent[] = [];
  finishNow(state, events);
  return events.filter((e) => e.type === 'scored');
}

describe('scoring (hand-scored positions)', () => {
  it('scores a completed road 1 per tile and returns the follower', () => {
    const s = rebuildState(config, 2, [placed('W', 1, 0, 0, 2), placed('W', -1, 0, 0)]);
    expect(s.scores).toEqual([3, 0]);
    expect(s.followers).toEqual([7, 7]);
  });

  it('scores a shared city in full for tied majorities', () => {
    const s = rebuildState(config, 2, [
      placed('U', 1, 0, 1),
      placed('U', -1, 0, 1),
      placed('E', -1, -1, 1, 0),
      placed('E', 1, -1, 3, 0),
      placed('R', 0, -1, 2),
    ]);
    // D's cap, R, and both E caps: 4 tiles, no pennant, 2 points a tile, to both seats.
    expect(s.scores).toEqual([8, 8]);
    expect(s.followers).toEqual([7, 7]);
  });

  it('gives a city to the majority only, with pennant', () => {
    // Two cities grow apart (seat 0 west and north caps, seat 1 east cap) and a four-sided city joins them.
    const history = [
      placed('U', 1, 0, 1),
      placed('U', -1, 0, 1),
      placed('E', -1, -1, 1, 0),
      placed('E', 1, -1, 3, 0),
      placed('B', -1, -2, 0),
      placed('B', 1, -2, 0),
      placed('E', 0, -2, 2, 0),
    ];
    const s = rebuildState(config, 2, history);
    expect(s.followers).toEqual([5, 6]);
    expect(s.current).toBe(1);
    const events: CarcassonneEvent[] = [];
    let t = apply(s, { kind: 'chance', outcome: K('C') });
    t = apply(t, { kind: 'players', actions: new Map([[1, { x: 0, y: -1, rot: 0, meeple: null }]]) }, events);
    // D's cap, C and three E caps: 5 tiles and C's pennant, 2 points each, all to seat 0 (two followers to one).
    expect(events.find((e) => e.type === 'scored')).toEqual({
      type: 'scored',
      feature: 'city',
      final: false,
      tiles: 5,
      points: 12,
      seats: [0],
      returned: [2, 1],
    });
    expect(t.scores).toEqual([12, 0]);
    expect(t.followers).toEqual([7, 7]);
  });

  it('scores an unfinished city with a pennant at the end: 1 per tile and pennant', () => {
    const s = rebuildState(config, 2, [placed('M', 0, -1, 2, 0)]);
    expect(s.scores).toEqual([0, 0]);
    const events = scoredEvents(s);
    expect(events).toEqual([
      { type: 'scored', feature: 'city', final: true, tiles: 2, points: 3, seats: [0], returned: [1, 0] },
    ]);
    expect(finishNow(s).scores).toEqual([3, 0]);
  });

  it('scores a farm 3 per completed city next to it', () => {
    const s = rebuildState(config, 2, [placed('E', 0, -1, 2), placed('U', 1, 0, 1, 2)]);
    // The start city closed by E: 4 points, but nobody stood in it.
    expect(s.scores).toEqual([0, 0]);
    const final = finishNow(s);
    expect(final.scores).toEqual([0, 3]);
    expect(scoredEvents(s)).toContainEqual({
      type: 'scored',
      feature: 'field',
      final: true,
      tiles: 2,
      points: 3,
      seats: [1],
      returned: [0, 1],
    });
    expect(finishNow(s, []).over).toBe(true);
    expect(finishNow({ ...s, config: { ...config, farms: false } }).scores).toEqual([0, 0]);
  });

  it('scores a cloister at the end 1 + neighbours, and 9 when surrounded', () => {
    const s = rebuildState(config, 2, [placed('B', 0, 1, 0, 0), placed('U', 1, 0, 1)]);
    expect(finishNow(s).scores).toEqual([3, 0]);
    // Surround it: eight tiles around (0,1).
    const ring = rebuildState(config, 2, [
      placed('B', 0, 1, 0, 0),
      placed('U', 1, 0, 1),
      placed('U', -1, 0, 1),
      placed('B', 1, 1, 0),
      placed('B', -1, 1, 0),
      placed('B', 0, 2, 0),
      placed('E', 1, 2, 1),
    ]);
    expect(ring.scores).toEqual([0, 0]);
    expect(finishNow(ring).scores).toEqual([8, 0]);
    let t = apply(ring, { kind: 'chance', outcome: K('E') });
    const events: CarcassonneEvent[] = [];
    t = apply(t, { kind: 'players', actions: new Map([[1, { x: -1, y: 2, rot: 3, meeple: null }]]) }, events);
    expect(events).toContainEqual({
      type: 'scored',
      feature: 'cloister',
      final: false,
      tiles: 9,
      points: 9,
      seats: [0],
      returned: [1, 0],
    });
    expect(t.scores).toEqual([9, 0]);
    expect(t.followers).toEqual([7, 7]);
  });
});

describe('full games', () => {
  it('plays to the end with consistent counts, and is deterministic', async () => {
    const play = (seed: number) =>
      runMatch({
        engine: carcassonneEngine,
        config,
        players: [createRandomStrategy({ params: {} }), createRandomStrategy({ params: {} })],
        seed,
        record: { actions: true, hashes: true, events: true },
      });
    const a = await play(7);
    const b = await play(7);
    const c = await play(8);
    expect(a.hashes).toEqual(b.hashes);
    expect(a.hashes).not.toEqual(c.hashes);
    expect(a.invalid).toEqual([]);
    const events = a.events as CarcassonneEvent[];
    const placements = events.filter((e) => e.type === 'placed').length;
    const discards = events.filter((e) => e.type === 'discarded').length;
    expect(placements + discards).toBe(71);
    const end = events.at(-1);
    expect(end?.type).toBe('end');
    expect(a.result.scores).toEqual(end?.type === 'end' ? end.scores : []);
    // Every follower came home at the end.
    const final = rebuildState(config, 2, events.filter((e) => e.type === 'placed' || e.type === 'discarded') as never);
    expect(final.over).toBe(true);
    expect(final.followers).toEqual([7, 7]);
    expect(final.scores).toEqual(a.result.scores);
    expect(hashState(final)).toBe(a.hashes!.at(-1));
  });
});

describe('serialisation', () => {
  it('a state restored from JSON lists the same legal actions in the same order as the live one', () => {
    const rng = createRng('serialise');
    let live = carcassonneEngine.setup(config, 2, createRng(3));
    let checked = 0;
    while (!live.over) {
      if (live.drawn < 0) {
        live = apply(live, { kind: 'chance', outcome: carcassonneEngine.sampleChance!(live, rng) });
        continue;
      }
      const restored = JSON.parse(JSON.stringify(live)) as CarcassonneState;
      const actions = legalActions(live, live.current);
      expect(legalActions(restored, restored.current)).toEqual(actions);
      checked++;
      live = apply(live, { kind: 'players', actions: new Map([[live.current, rng.pick(actions)]]) });
    }
    expect(checked).toBeGreaterThan(60);
  });
});
