/**
 * The one-pass `updte` codec (update-codec.ts) against the general one (packets.ts + wire.ts, the reference):
 * the same bytes out, the same observation in, on every packet of seeded games and on random observations; and
 * on damaged packets the fast reader either steps aside (null: the general codec then answers with its error) or
 * reads exactly what the general codec reads.
 */

import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GameResult } from '../../src/core/engine.ts';
import { createRng } from '../../src/core/rng.ts';
import {
  orerushEngine as engine,
  ORE_KINDS,
  type OreRushAction,
  type OreRushEvent,
  type OreRushObservation,
} from '../../src/games/orerush/index.ts';
import {
  decodePacket,
  decodeUpdate,
  encodePacket,
  encodeUpdate,
  encodeUpdateBody,
  isUpdateBody,
  type OreRushUpdate,
  type Packet,
  PacketError,
  readUpdateBody,
  UpdateReader,
} from '../../src/protocols/orerush/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../../strategies/orerush/index.ts';

type Update = { observation: OreRushObservation; result: GameResult | null };

/** The general codec's bytes and reading: the reference. */
const referenceBytes = (obs: OreRushObservation, result: GameResult | null) => encodePacket(encodeUpdate(obs, result));
function referenceRead(body: Buffer): Update | PacketError {
  try {
    const packet = decodePacket(body);
    if (packet.type !== 'updte') return new PacketError(2, 'not an updte');
    return decodeUpdate(packet as Extract<Packet, { type: 'updte' }>);
  } catch (error) {
    if (error instanceof PacketError) return error;
    throw error;
  }
}

/** Every update of every seat of one seeded game, round by round. */
/** `good` damaged at byte `i`: one byte changed or inserted, one deleted, or cut there. */
function damaged(good: Buffer, kind: 'flip' | 'insert' | 'delete' | 'truncate', i: number, byte: number): Buffer {
  if (kind === 'flip') return Buffer.concat([good.subarray(0, i), Buffer.from([byte]), good.subarray(i + 1)]);
  if (kind === 'insert') return Buffer.concat([good.subarray(0, i), Buffer.from([byte]), good.subarray(i)]);
  if (kind === 'delete') return Buffer.concat([good.subarray(0, i), good.subarray(i + 1)]);
  return good.subarray(0, i);
}

function seededGame(seed: string, players: number, heuristic: boolean, rounds = 200): Update[][] {
  let s = engine.setup(engine.parseConfig({ rounds }), players, createRng(seed));
  const factory = heuristic ? createHeuristicStrategy : createRandomStrategy;
  const bots = Array.from({ length: players }, () => factory({ params: {} }));
  const ctx = { rng: createRng(`${seed}/bots`), budget: { iterations: 10 } } as never;
  const updates: Update[][] = [];
  for (;;) {
    const result = engine.result(s);
    updates.push(Array.from({ length: players }, (_, seat) => ({ observation: engine.observe(s, seat), result })));
    if (engine.toAct(s).kind === 'terminal') return updates;
    const actions = new Map(bots.map((b, seat) => [seat, b.decide(engine.observe(s, seat), ctx) as OreRushAction]));
    s = engine.apply(s, { kind: 'players', actions });
  }
}

describe('one-pass updte codec agrees with the general codec', () => {
  it('on every packet of seeded games (bytes out; observation in, packet by packet and per session)', () => {
    const games = [
      { seed: 'a', players: 2, heuristic: false },
      { seed: 'b', players: 4, heuristic: false, rounds: 120 },
      { seed: 'c', players: 2, heuristic: true, rounds: 60 },
    ];
    let packets = 0;
    /** Every body handed out, checked again at the end: a later encode must never write over an earlier packet. */
    const handedOut: [Buffer, Buffer][] = [];
    /**
     * Every observation a session reader handed out, with its reference, checked again at the end: a reader that
     * hands out an earlier array again must never change it for a later update (a bot may keep old observations).
     */
    const sessionReads: [unknown, unknown][] = [];
    const mismatches: string[] = [];
    for (const g of games) {
      const rounds = seededGame(g.seed, g.players, g.heuristic, g.rounds);
      const readers = Array.from({ length: g.players }, () => new UpdateReader());
      for (const round of rounds) {
        for (const [seat, u] of round.entries()) {
          const body = encodeUpdateBody(u.observation, u.result);
          const reference = referenceBytes(u.observation, u.result);
          handedOut.push([body, reference]);
          // Collected and asserted once (a deep expect per packet costs more than the codecs on a loaded machine).
          const read = referenceRead(body);
          if (!body.equals(reference)) mismatches.push(`${g.seed} seat ${seat}: bytes`);
          if (!isUpdateBody(body)) mismatches.push(`${g.seed} seat ${seat}: not an updte`);
          if (!isDeepStrictEqual(readUpdateBody(body), read)) mismatches.push(`${g.seed} seat ${seat}: read`);
          const sessionRead = readers[seat]!.read(body);
          if (!isDeepStrictEqual(sessionRead, read)) mismatches.push(`${g.seed} seat ${seat}: session read`);
          sessionReads.push([sessionRead, read]);
          packets++;
        }
      }
      // The last round is the final update, with the result.
      expect(rounds.at(-1)![0]!.result).not.toBeNull();
    }
    expect(mismatches).toEqual([]);
    expect(packets).toBeGreaterThan(900);
    expect(handedOut.filter(([body, reference]) => !body.equals(reference))).toEqual([]);
    expect(sessionReads.filter(([read, reference]) => !isDeepStrictEqual(read, reference)).length).toBe(0);
    // Three whole games played and every packet read three ways: generous for a loaded 2-core machine.
  }, 120_000);

  const event: fc.Arbitrary<OreRushEvent | Record<string, unknown>> = fc.oneof(
    { weight: 12, arbitrary: fc.constant({ kind: 'radarLost', seat: 0, x: 1, y: 2 }) },
    fc.record({ kind: fc.constant('explosion'), x: fc.nat(50), y: fc.nat(50), owner: fc.nat(3) }),
    fc.record({
      kind: fc.constant('dig'),
      seat: fc.nat(3),
      robot: fc.nat(9),
      x: fc.nat(50),
      y: fc.nat(50),
      buried: fc.constantFrom(null, 'radar', 'trap'),
      ore: fc.constantFrom(null, ...ORE_KINDS),
    }),
    fc.record({
      kind: fc.constant('score'),
      seat: fc.nat(3),
      robot: fc.nat(9),
      ore: fc.constantFrom(...ORE_KINDS),
      points: fc.integer({ min: -5, max: 1e12 }),
    }),
    fc.record({
      kind: fc.constant('request'),
      seat: fc.nat(3),
      robot: fc.nat(9),
      item: fc.constantFrom('radar', 'trap'),
    }),
    // A later version's event, and text that needs JSON escapes: both must come out as JSON writes them.
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('quake'), strength: fc.double(), note: fc.string({ maxLength: 6 }) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('blocked'),
        seat: fc.nat(3),
        robot: fc.nat(9),
        x: fc.nat(9),
        y: fc.nat(9),
        why: fc.string({ maxLength: 6 }),
      }),
    },
  );

  const observation: fc.Arbitrary<Update> = fc
    .record({
      width: fc.integer({ min: 1, max: 12 }),
      height: fc.integer({ min: 1, max: 6 }),
      players: fc.integer({ min: 1, max: 4 }),
    })
    .chain(({ width, height, players }) => {
      const n = width * height;
      const cell = fc.record({ x: fc.nat(width - 1), y: fc.nat(height - 1) });
      const scores = fc.array(fc.oneof(fc.integer({ min: -1e6, max: 1e12 }), fc.constant(Number.MAX_SAFE_INTEGER)), {
        minLength: players,
        maxLength: players,
      });
      return fc.record({
        observation: fc.record({
          seat: fc.nat(players - 1),
          players: fc.constant(players),
          round: fc.nat(),
          rounds: fc.nat(),
          width: fc.constant(width),
          height: fc.constant(height),
          over: fc.boolean(),
          ore: fc.array(fc.oneof(fc.constant(-1), fc.nat(3), fc.integer({ min: -1, max: 1e9 })), {
            minLength: n,
            maxLength: n,
          }),
          kinds: fc.array(fc.integer({ min: -1, max: 4 }), { minLength: n, maxLength: n }),
          holes: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
          radars: fc.array(cell, { maxLength: 3 }),
          traps: fc.array(cell, { maxLength: 3 }),
          cooldowns: fc.record({ radar: fc.nat(9), trap: fc.nat(2 ** 40) }),
          robots: fc.array(
            fc.record({
              owner: fc.nat(3),
              id: fc.nat(9),
              x: fc.nat(width - 1),
              y: fc.nat(height - 1),
              item: fc.constantFrom(null, 'radar', 'trap', ...ORE_KINDS),
              alive: fc.boolean(),
            }),
            { maxLength: 5 },
          ),
          enemies: fc.array(
            fc.record({ owner: fc.nat(players - 1), id: fc.nat(9), x: fc.nat(width - 1), y: fc.nat(height - 1) }),
            { maxLength: 4 },
          ),
          scores,
          alive: fc.array(fc.nat(10), { minLength: players, maxLength: players }),
          events: fc.array(event, { maxLength: 5 }),
        }),
        result: fc.option(
          fc.record({
            scores,
            ranks: fc.array(fc.integer({ min: 1, max: players }), { minLength: players, maxLength: players }),
            winner: fc.option(fc.nat(players - 1)),
          }),
        ),
      }) as unknown as fc.Arbitrary<Update>;
    });

  it('updates taken by a session and asked for later: the observation of each, whenever it is asked', () => {
    // A load test's seat asks for its newest update's observation when its think time ends; a seat that fell
    // behind asks for an older one, or never asks for one at all.
    const rounds = seededGame('lazy', 3, true, 60);
    for (let seat = 0; seat < 3; seat++) {
      const reader = new UpdateReader();
      const references = rounds.map((r) => referenceRead(encodeUpdateBody(r[seat]!.observation, r[seat]!.result)));
      const taken: (OreRushUpdate | null)[] = [];
      const mismatches: number[] = [];
      for (const [i, r] of rounds.entries()) {
        const update = reader.take(encodeUpdateBody(r[seat]!.observation, r[seat]!.result));
        taken.push(update);
        expect(update).not.toBeNull();
        expect(update!.round).toBe(r[seat]!.observation.round);
        expect(update!.over).toBe(r[seat]!.observation.over);
        expect(update!.result).toStrictEqual(r[seat]!.result);
        // Every third update is asked for at once (twice: the same observation), every third later, the rest never.
        if (i % 3 === 0) {
          const first = update!.observation();
          if (!isDeepStrictEqual({ observation: first, result: update!.result }, references[i])) mismatches.push(i);
          expect(update!.observation()).toStrictEqual(first);
        }
        if (i % 3 === 1 && i >= 4) {
          const late = taken[i - 3]!.observation();
          if (!isDeepStrictEqual({ observation: late, result: taken[i - 3]!.result }, references[i - 3]))
            mismatches.push(i - 3);
        }
      }
      expect(mismatches).toEqual([]);
      // Asked for once and then again after a later update was read: a clear error, never another round's grids.
      expect(() => taken[0]!.observation()).toThrow(/asked for again after a later update was read/);
      // Never asked for: still its own observation at the end.
      const last = taken.length - 1;
      const never = last % 3 === 2 ? last : last - ((last + 1) % 3);
      expect({ observation: taken[never]!.observation(), result: taken[never]!.result }).toStrictEqual(
        references[never],
      );
    }
  }, 60_000);

  it('on random valid observations: the same bytes, and reading them back gives what the general codec reads', () => {
    let read = 0;
    fc.assert(
      fc.property(observation, ({ observation: obs, result }) => {
        const body = encodeUpdateBody(obs, result);
        expect(body.equals(referenceBytes(obs, result))).toBe(true);
        const fast = readUpdateBody(body);
        // Text needing escapes or a fraction is off the fast reader's form: the general codec reads it instead.
        if (fast !== null) {
          expect(fast).toStrictEqual(referenceRead(body));
          read++;
        }
      }),
      { numRuns: 400 },
    );
    expect(read).toBeGreaterThan(40);
  });

  it('a session reading random updates that change a part at a time: each read as the general codec reads it', () => {
    // Each update is the previous one with one part changed (as a round changes a few), so that every part the
    // session keeps between updates (the header around the round, the grids, the radars and traps, each own robot,
    // the scores) is both handed on unchanged and read anew, on random contents; the last one has the result.
    const change = fc.record({
      part: fc.constantFrom('round', 'robot', 'cells', 'scores', 'holes', 'ore', 'events', 'enemies', 'over'),
      at: fc.nat(),
      value: fc.integer({ min: -1, max: 2 ** 40 }),
    });
    let sessions = 0;
    fc.assert(
      fc.property(observation, fc.array(change, { minLength: 1, maxLength: 12 }), (first, changes) => {
        const reader = new UpdateReader();
        let u: Update = { observation: first.observation, result: null };
        const updates: Update[] = [u];
        for (const c of changes) {
          const o = u.observation;
          const n = o.width * o.height;
          const i = c.at % Math.max(1, n);
          const next: { -readonly [K in keyof OreRushObservation]: OreRushObservation[K] } = {
            ...o,
            round: o.round + 1,
          };
          if (c.part === 'robot' && o.robots.length > 0) {
            const robots = o.robots.slice();
            const k = c.at % robots.length;
            robots[k] = { ...robots[k]!, x: (robots[k]!.x + 1) % o.width, alive: c.value % 2 === 0 };
            next.robots = robots;
          } else if (c.part === 'cells') next.radars = [...o.radars, { x: i % o.width, y: 0 }];
          else if (c.part === 'scores') next.scores = o.scores.map((v, k) => (k === c.at % o.players ? c.value : v));
          else if (c.part === 'holes') next.holes = o.holes.map((v, k) => (k === i ? (v + 1) % 3 : v));
          else if (c.part === 'ore') next.ore = o.ore.map((v, k) => (k === i ? c.value : v));
          else if (c.part === 'events') next.events = [{ kind: 'radarLost', seat: 0, x: i % o.width, y: 0 }];
          else if (c.part === 'enemies') next.enemies = [];
          else if (c.part === 'over') next.over = !o.over;
          u = { observation: next, result: null };
          updates.push(u);
        }
        updates.push({ observation: u.observation, result: first.result });
        for (const update of updates) {
          const body = encodeUpdateBody(update.observation, update.result);
          const read = reader.read(body);
          const reference = referenceRead(body);
          // Text needing escapes or a fraction is off the fast reader's form: the general codec reads it instead.
          if (read !== null) expect(read).toStrictEqual(reference);
          else expect(readUpdateBody(body)).toBeNull();
        }
        sessions++;
      }),
      { numRuns: 300 },
    );
    expect(sessions).toBe(300);
  });

  it('on damaged packets: null (the general codec answers) or exactly the general reading, never a throw', () => {
    const rounds = seededGame('damage', 2, false);
    const bodies = rounds
      .filter((_, i) => i % 20 === 3)
      .flatMap((r) => r.map((u) => encodeUpdateBody(u.observation, u.result)));
    const damage = fc.record({
      which: fc.nat(bodies.length - 1),
      at: fc.nat(5000),
      kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
      byte: fc.constantFrom(0x20, 0x2c, 0x2d, 0x30, 0x31, 0x33, 0x39, 0x5d, 0x7d, 0x22, 0x1f, 0x61, 0xc3),
    });
    fc.assert(
      fc.property(damage, fc.boolean(), ({ which, at, kind, byte }, warm) => {
        const good = bodies[which]!;
        const i = at % good.length;
        const bad = damaged(good, kind, i, byte);
        const reference = referenceRead(bad);
        // A session reader that has just read the undamaged packet (its grids remembered) must not be fooled.
        const reader = new UpdateReader();
        if (warm) reader.read(good);
        for (const fast of [readUpdateBody(bad), reader.read(bad)]) {
          if (fast === null) continue;
          expect(reference).not.toBeInstanceOf(PacketError);
          expect(fast).toStrictEqual(reference);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('a session reader after a damaged packet: it is refused or read as the general codec reads it, and the stream goes on exactly', () => {
    // A heuristic game: holes, ore and kinds all change; damage aimed at the parts the reader keeps between updates.
    const stream = seededGame('session-damage', 2, true, 40).map((r) =>
      encodeUpdateBody(r[0]!.observation, r[0]!.result),
    );
    const regions = {
      ore: ['"ore":', '"kinds":'],
      kinds: ['"kinds":', '"holes":'],
      holes: ['"holes":', '"radars":'],
      robots: ['{"own":', '\u001f{"scores":'],
      // The parts kept as bytes around what changes each round: the header, the radars and traps, the scores.
      header: ['updte', '"ore":'],
      cells: [',"radars":', '"events":['],
      tail: ['\u001f{"scores":', ''],
      anywhere: ['updte', ''],
    } as const;
    const damage = fc.record({
      j: fc.integer({ min: 1, max: stream.length - 2 }),
      region: fc.constantFrom(...(Object.keys(regions) as (keyof typeof regions)[])),
      at: fc.nat(5000),
      kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
      byte: fc.constantFrom(0x00, 0x2c, 0x2d, 0x30, 0x31, 0x32, 0x33, 0x39, 0x5b, 0x5d, 0x7b, 0x7d, 0x22, 0x1f, 0x80),
    });
    const reads = { refused: 0, read: 0 };
    fc.assert(
      fc.property(damage, ({ j, region, at, kind, byte }) => {
        const good = stream[j]!;
        const text = good.toString('latin1');
        const [open, close] = regions[region];
        const from = text.indexOf(open);
        const to = close === '' ? text.length : text.indexOf(close, from);
        const i = from + (at % Math.max(1, to - from));
        const bad = damaged(good, kind, i, byte);
        const reader = new UpdateReader();
        for (let k = 0; k < j; k++) reader.read(stream[k]!);
        const fast = reader.read(bad);
        const reference = referenceRead(bad);
        if (fast === null) reads.refused++;
        else {
          reads.read++;
          expect(reference).not.toBeInstanceOf(PacketError);
          expect(fast).toStrictEqual(reference);
        }
        // What it kept stays true to the bytes: the undamaged packet and the next one read exactly.
        for (const next of [good, stream[j + 1]!]) expect(reader.read(next)).toStrictEqual(referenceRead(next));
      }),
      { numRuns: 600 },
    );
    expect(reads.refused).toBeGreaterThan(50);
  }, 60_000);

  it('on arbitrary bytes after the updte type: a fast read, or null and the general codec answers with a protocol error', () => {
    const u = seededGame('garbage', 2, false, 10)[5]![0]!;
    const good = encodeUpdateBody(u.observation, u.result);
    const reader = new UpdateReader();
    reader.read(good);
    fc.assert(
      fc.property(fc.nat(good.length), fc.uint8Array({ maxLength: 64 }), fc.boolean(), (keep, tail, spliced) => {
        // Either the good packet cut anywhere with random bytes after it, or random bytes in its middle.
        const bad = spliced
          ? Buffer.concat([
              good.subarray(0, keep),
              Buffer.from(tail),
              good.subarray(Math.min(good.length, keep + tail.length)),
            ])
          : Buffer.concat([good.subarray(0, keep), Buffer.from(tail)]);
        for (const fast of [readUpdateBody(bad), reader.read(bad)]) {
          const reference = referenceRead(bad);
          if (fast === null) continue;
          expect(reference).not.toBeInstanceOf(PacketError);
          expect(fast).toStrictEqual(reference);
        }
      }),
      { numRuns: 800 },
    );
    expect(reader.read(good)).toStrictEqual(referenceRead(good));
  });

  it('steps aside for other spellings of a valid update, which the general codec still reads', () => {
    const u = seededGame('spell', 2, false)[30]![0]!;
    const body = encodeUpdateBody(u.observation, u.result).toString('utf8');
    for (const other of [
      body.replace('{"seat":', '{ "seat":'),
      body.replace('"over":false', '"over":false,"extra":1'),
      body.replace('{"radar":', '{"trap":0,"radar":'),
    ]) {
      const bytes = Buffer.from(other);
      expect(readUpdateBody(bytes)).toBeNull();
      expect(referenceRead(bytes)).not.toBeInstanceOf(PacketError);
    }
    expect(readUpdateBody(Buffer.from('succs\u001fSuccess'))).toBeNull();
    expect(isUpdateBody(Buffer.from('succs\u001fSuccess'))).toBe(false);
  });
});
