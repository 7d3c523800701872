import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.ts';
import { orerushEngine as engine, type OreRushAction, type OreRushState } from '../../src/games/orerush/index.ts';
import { delimitedFramer } from '../../src/net/framing.ts';
import {
  DEFAULT_PORT,
  decodeMoves,
  decodePacket,
  decodeUpdate,
  ErrorCode,
  ETX,
  encodeMoves,
  encodePacket,
  encodeUpdate,
  escapeFrame,
  MAX_PACKET,
  type Packet,
  PacketError,
  STX,
  US,
} from '../../src/protocols/orerush/index.ts';
import { createRandomStrategy } from '../../strategies/orerush/index.ts';

const text = fc.string({ maxLength: 40, unit: 'grapheme' }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s));
const long = fc
  .maxSafeInteger()
  .chain(() => fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }));
const int32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
const object = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 });

const packet: fc.Arbitrary<Packet> = fc.oneof(
  fc.record({ type: fc.constant('reqst'), timestamp: long, game: int32 }),
  fc.constant({ type: 'timeo' }),
  fc.constant({ type: 'succs' }),
  fc.constant({ type: 'awake' }),
  fc.record({ type: fc.constant('close'), timestamp: long, player: int32 }),
  fc.record({ type: fc.constant('updte'), map: object, cooldowns: object, robots: object, scores: object }),
  fc.record({ type: fc.constant('pmove'), player: int32, moves: object }),
  fc.record({ type: fc.constant('pchat'), player: int32, message: text }),
  fc.record({ type: fc.constant('nickn'), player: int32, name: text }),
  fc.record({ type: fc.constant('settn'), settings: object }),
  fc.record({ type: fc.constant('error'), code: int32, message: text }),
) as fc.Arbitrary<Packet>;

/** What a packet is after a trip through JSON (-0 becomes 0 and so on). */
const normal = (p: Packet) => JSON.parse(JSON.stringify(p));

describe('packet codec', () => {
  it('uses the seed constants', () => {
    expect([STX, US, ETX, DEFAULT_PORT]).toEqual([0x02, 0x1f, 0x03, 1038]);
    const framed = delimitedFramer({ start: STX, end: ETX, maxFrame: MAX_PACKET }).encode(
      encodePacket({ type: 'reqst', timestamp: 1700000000000, game: 0 }),
    );
    expect(escapeFrame(framed)).toBe('\\x02reqst\\x1f1700000000000\\x1f0\\x03');
    expect(escapeFrame(encodePacket({ type: 'succs' }))).toBe('succs\\x1fSuccess');
  });

  it('round-trips every packet, and no body contains STX or ETX', () => {
    fc.assert(
      fc.property(packet, (p) => {
        const body = encodePacket(p);
        expect(body.includes(STX)).toBe(false);
        expect(body.includes(ETX)).toBe(false);
        expect(decodePacket(body)).toEqual(normal(p));
      }),
      { numRuns: 500 },
    );
  });

  it('survives any chunking of a packet stream', () => {
    fc.assert(
      fc.property(
        fc.array(packet, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(64), { maxLength: 20 }),
        (ps, cuts) => {
          const framer = delimitedFramer({ start: STX, end: ETX, maxFrame: MAX_PACKET });
          const wire = Buffer.concat(ps.map((p) => framer.encode(encodePacket(p))));
          const got: Packet[] = [];
          const sink = { frame: (f: Buffer) => got.push(decodePacket(f)), error: (e: Error) => expect.fail(e.message) };
          let at = 0;
          for (const c of cuts) {
            const end = Math.min(wire.length, at + c);
            framer.push(wire.subarray(at, end), sink);
            at = end;
          }
          framer.push(wire.subarray(at), sink);
          expect(got).toEqual(ps.map(normal));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects any malformed body with a PacketError, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          decodePacket(Buffer.from(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(PacketError);
        }
      }),
      { numRuns: 500 },
    );
    const code = (s: string) => {
      try {
        decodePacket(Buffer.from(s));
        return 0;
      } catch (error) {
        return (error as PacketError).code;
      }
    };
    expect(code('hello')).toBe(ErrorCode.unknownType);
    expect(code('REQST\u001f1\u001f0')).toBe(ErrorCode.unknownType);
    expect(code('reqst\u001f1')).toBe(ErrorCode.fields);
    expect(code('reqst\u001f1\u001f0\u001f9')).toBe(ErrorCode.fields);
    expect(code('reqst\u001f1.5\u001f0')).toBe(ErrorCode.fields);
    expect(code('reqst\u001f12\u001f99999999999')).toBe(ErrorCode.fields);
    expect(code('succs\u001fOK')).toBe(ErrorCode.fields);
    expect(code('pchat\u001f-1\u001fhi\u0007')).toBe(ErrorCode.fields);
    expect(code('settn\u001f{bad')).toBe(ErrorCode.json);
    expect(code('settn\u001f[1,2]')).toBe(ErrorCode.json);
    expect(code('pchat\u001f-1\u001fhello')).toBe(0);
  });

  it('refuses to encode what the format cannot carry', () => {
    expect(() => encodePacket({ type: 'pchat', player: -1, message: 'a\u0003b' })).toThrow(/control characters/);
    expect(() => encodePacket({ type: 'reqst', timestamp: 1.5, game: 0 })).toThrow(/integer/);
    expect(() => encodePacket({ type: 'nickn', player: 2 ** 31, name: 'x' })).toThrow(/integer/);
  });
});

describe('object fields', () => {
  const playSome = (rounds: number): OreRushState => {
    let s = engine.setup(engine.defaultConfig(), 2, createRng('w'));
    const bots = [createRandomStrategy({ params: {} }), createRandomStrategy({ params: {} })];
    const ctx = { rng: createRng('b') } as never;
    for (let i = 0; i < rounds && engine.toAct(s).kind !== 'terminal'; i++) {
      const actions = new Map(bots.map((b, seat) => [seat, b.decide(engine.observe(s, seat), ctx) as OreRushAction]));
      s = engine.apply(s, { kind: 'players', actions });
      // Give seat 0 a radar early, so the observation shows ore and maybe enemies.
      if (i === 2) s = { ...s, radars: [...s.radars, { x: 12, y: 7, owner: 0 }] };
    }
    return s;
  };

  it('an observation survives updte exactly (mid-game and final, with the result)', () => {
    for (const rounds of [5, 60, 500]) {
      const s = playSome(rounds);
      for (const seat of [0, 1]) {
        const obs = engine.observe(s, seat);
        const body = encodePacket(encodeUpdate(obs, engine.result(s)));
        expect(body.length).toBeLessThan(MAX_PACKET);
        const decoded = decodeUpdate(decodePacket(body) as Extract<Packet, { type: 'updte' }>);
        expect(decoded.observation).toEqual(obs);
        expect(decoded.result).toEqual(engine.result(s));
      }
    }
  });

  it('moves are normalised; malformed ones are code 4', () => {
    const p = encodeMoves(1, 7, [{ type: 'MOVE', x: 3, y: 4 }, { type: 'WAIT' }, { type: 'REQUEST', item: 'trap' }]);
    const back = decodePacket(encodePacket(p)) as Extract<Packet, { type: 'pmove' }>;
    expect(decodeMoves(back.moves)).toEqual({
      round: 7,
      action: [{ type: 'MOVE', x: 3, y: 4 }, { type: 'WAIT' }, { type: 'REQUEST', item: 'trap' }],
    });
    expect(decodeMoves({ round: 1, commands: [{ type: 'DIG', x: 1, y: 2, extra: 'dropped' }] }).action).toEqual([
      { type: 'DIG', x: 1, y: 2 },
    ]);
    for (const bad of [
      {},
      { round: -1, commands: [] },
      { round: 1, commands: {} },
      { round: 1, commands: [{ type: 'FLY' }] },
    ]) {
      expect(() => decodeMoves(bad)).toThrow(PacketError);
    }
  });
});
