import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClientObject,
  type ClientPacket,
  decodeClientPacket,
  decodeServerPacket,
  encodeAdded,
  encodeClientPacket,
  encodeServerPacket,
  ipFromNumber,
  isEndOfAnswer,
  LektStreamDecoder,
  LIMITS,
  type MethodInfo,
  packetLength,
  type ServerPacket,
  splitAdded,
  splitRemoved,
  VERSION,
  withEndOfAnswer,
} from '../../src/protocols/lekt/codec.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const v = VERSION;
const TS = 1_700_000_000_000n; // 0x0000018bcfe56800

/** Every packet of the protocol, as bytes (docs/protocols/lekt.md shows the same dumps). */
const serverGolden: [string, ServerPacket, string][] = [
  ['accept', { type: 'accept', version: v }, '4c454b54 41 010000'],
  ['reject', { type: 'reject', version: v, message: 'full: busy' }, '4c454b54 52 010000 66756c6c3a2062757379 00'],
  ['request method 1', { type: 'request', version: v, index: 1 }, '4c454b54 54 010000 00000001'],
  ['request 0 (end of setup)', { type: 'request', version: v, index: 0 }, '4c454b54 54 010000 00000000'],
  [
    'update: clients added',
    {
      type: 'added',
      version: v,
      timestamp: TS,
      clients: [
        {
          ip: '10.0.0.1',
          methods: [
            { method: 1, port: 7000 },
            { method: 2, port: 7001 },
          ],
        },
        { ip: '192.168.1.20', methods: [{ method: 3 }] },
      ],
    },
    '4c454b54 48 010000 0000018bcfe56800 41 000002' +
      ' 00000014 0a000001 00000001 1b58 00000002 1b59' +
      ' 0000000c c0a80114 00000003',
  ],
  [
    'update: nothing changed',
    { type: 'added', version: v, timestamp: TS, clients: [] },
    '4c454b54 48 010000 0000018bcfe56800 41 000000',
  ],
  [
    'update: clients removed',
    { type: 'removed', version: v, timestamp: TS, ips: ['10.0.0.1', '192.168.1.20'] },
    '4c454b54 48 010000 0000018bcfe56800 52 000002 0a000001 c0a80114',
  ],
];

const clientGolden: [string, ClientPacket, 'handshake' | 'after-handshake', string][] = [
  [
    'handshake: methods 1,2,3 of 4 known',
    { type: 'hello', version: v, known: 4, supported: [1, 2, 3] },
    'handshake',
    '4c454b54 48 010000 00000004 0000000e',
  ],
  [
    'handshake: method 33 of 40 known (two bitfield words)',
    { type: 'hello', version: v, known: 40, supported: [1, 33] },
    'handshake',
    '4c454b54 48 010000 00000028 00000002 00000002',
  ],
  [
    'handshake: no methods',
    { type: 'hello', version: v, known: 0, supported: [] },
    'handshake',
    '4c454b54 48 010000 00000000',
  ],
  [
    'response: direct TCP port 7000',
    { type: 'response', version: v, info: { method: 1, port: 7000 } },
    'after-handshake',
    '4c454b54 54 010000 00000001 1b58',
  ],
  [
    'response: direct UDP port 65535',
    { type: 'response', version: v, info: { method: 2, port: 65535 } },
    'after-handshake',
    '4c454b54 54 010000 00000002 ffff',
  ],
  [
    'response: relay',
    { type: 'response', version: v, info: { method: 3 } },
    'after-handshake',
    '4c454b54 54 010000 00000003',
  ],
  [
    'heartbeat',
    { type: 'heartbeat', version: v, timestamp: TS },
    'after-handshake',
    '4c454b54 48 010000 0000018bcfe56800',
  ],
];

describe('LEKT golden packets', () => {
  for (const [name, packet, bytes] of serverGolden) {
    it(`server: ${name}`, () => {
      expect(encodeServerPacket(packet).toString('hex')).toBe(hex(bytes).toString('hex'));
      expect(decodeServerPacket(hex(bytes))).toEqual(packet);
    });
  }
  for (const [name, packet, phase, bytes] of clientGolden) {
    it(`client: ${name}`, () => {
      expect(encodeClientPacket(packet).toString('hex')).toBe(hex(bytes).toString('hex'));
      expect(decodeClientPacket(hex(bytes), phase)).toEqual(packet);
    });
  }

  it('refuses wrong magic, another major version, unknown types and methods with the reject reason', () => {
    const reason = (bytes: string, from: 'client' | 'server') => {
      const r = packetLength(
        hex(bytes),
        from === 'client' ? { from, phase: () => 'after-handshake' } : { from: 'server' },
      );
      return r instanceof Error ? r.message.split(':')[0] : r;
    };
    expect(reason('4c454b55 48 010000 0000018bcfe56800', 'client')).toBe('magic');
    expect(reason('4c454b54 48 020000 0000018bcfe56800', 'client')).toBe('version');
    expect(reason('4c454b54 58 010000 00000000', 'client')).toBe('malformed');
    expect(reason('4c454b54 54 010000 00000009 0000', 'client')).toBe('malformed');
    expect(reason('4c454b54 48 010000 0000018bcfe56800 51 000000', 'server')).toBe('malformed');
    // A minor or extra version that differs is fine: only the major version changes the format.
    expect(reason('4c454b54 41 010203', 'server')).toBe(8);
    expect(() => decodeClientPacket(hex('4c454b54 54 010000 00000001 0000'), 'after-handshake')).toThrow(/port 0/);
    expect(() => decodeClientPacket(hex('4c454b54 48 010000 00000800'), 'handshake')).toThrow(/^limits/);
  });
});

// ---- generators ---------------------------------------------------------------------------------------------

const port = fc.integer({ min: 1, max: 65535 });
const method: fc.Arbitrary<MethodInfo> = fc.oneof(
  port.map((p) => ({ method: 1 as const, port: p })),
  port.map((p) => ({ method: 2 as const, port: p })),
  fc.constant({ method: 3 as const }),
);
const ip = fc.nat({ max: 0xffff_ffff }).map(ipFromNumber);
const client: fc.Arbitrary<ClientObject> = fc.record({ ip, methods: fc.array(method, { maxLength: 5 }) });
const version = fc.record({ major: fc.constant(1), minor: fc.nat(255), extra: fc.nat(255) });
const ts = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

const serverPacket: fc.Arbitrary<ServerPacket> = fc.oneof(
  version.map((version) => ({ type: 'accept' as const, version })),
  fc.record({
    type: fc.constant('reject' as const),
    version,
    message: fc.string({ maxLength: 40 }).map((s) => s.replaceAll('\0', '')),
  }),
  fc.record({ type: fc.constant('request' as const), version, index: fc.nat({ max: 0xffff_ffff }) }),
  fc.record({
    type: fc.constant('added' as const),
    version,
    timestamp: ts,
    clients: fc.array(client, { maxLength: 8 }),
  }),
  fc.record({ type: fc.constant('removed' as const), version, timestamp: ts, ips: fc.array(ip, { maxLength: 8 }) }),
);

const cutsOf = (length: number) => fc.array(fc.nat({ max: Math.max(0, length) }), { maxLength: 12 });
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  out.push(bytes.subarray(last));
  return out;
}

describe('LEKT codec properties', () => {
  it('server packets round-trip', () => {
    fc.assert(
      fc.property(serverPacket, (p) => {
        expect(decodeServerPacket(encodeServerPacket(p))).toEqual(p);
      }),
    );
  });

  it('a server stream decodes the same under any split, and leaves nothing buffered', () => {
    fc.assert(
      fc.property(fc.array(serverPacket, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (packets, cuts) => {
        const wire = Buffer.concat(packets.map(encodeServerPacket));
        const decoder = LektStreamDecoder.fromServer();
        const out = split(wire, cuts).flatMap((chunk) => decoder.push(chunk));
        expect(decoder.error).toBeNull();
        expect(out).toEqual(packets);
        expect(decoder.buffered).toBe(0);
      }),
    );
  });

  it('a client stream (handshake, responses, heartbeats) decodes the same under any split', () => {
    const rest: fc.Arbitrary<ClientPacket> = fc.oneof(
      fc.record({ type: fc.constant('response' as const), version, info: method }),
      fc.record({ type: fc.constant('heartbeat' as const), version, timestamp: ts }),
    );
    const hello = fc
      .record({ known: fc.integer({ min: 0, max: 200 }), bits: fc.array(fc.nat({ max: 199 }), { maxLength: 10 }) })
      .map(({ known, bits }) => ({
        type: 'hello' as const,
        version: VERSION,
        known,
        supported: [...new Set(bits.filter((b) => b >= 1 && b < known))].sort((a, b) => a - b),
      }));
    fc.assert(
      fc.property(hello, fc.array(rest, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (h, more, cuts) => {
        const packets = [h, ...more];
        const wire = Buffer.concat(packets.map(encodeClientPacket));
        const decoder = LektStreamDecoder.fromClient();
        const out = split(wire, cuts).flatMap((chunk) => decoder.push(chunk));
        expect(decoder.error).toBeNull();
        expect(out).toEqual(packets);
      }),
    );
  });

  it('random bytes never throw and never make the decoder hold more than one packet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), cutsOf(300), (bytes, cuts) => {
        for (const decoder of [LektStreamDecoder.fromServer(), LektStreamDecoder.fromClient()]) {
          for (const chunk of split(Buffer.from(bytes), cuts)) {
            decoder.push(chunk);
            expect(decoder.buffered).toBeLessThanOrEqual(LIMITS.maxServerPacket);
          }
        }
      }),
    );
  });

  it('a lying count is caught once the packet would pass the limit, without buffering it', () => {
    const decoder = LektStreamDecoder.fromServer();
    // 'A' update claiming 16 million clients, the first of them 64 KiB long.
    const head = hex('4c454b54 48 010000 0000018bcfe56800 41 ffffff 00010000 0a000001');
    decoder.push(head);
    decoder.push(Buffer.alloc(70_000));
    expect(decoder.error?.reason).toBe('limits');
    expect(decoder.buffered).toBe(0);
    // A reject whose NUL never comes.
    const reject = LektStreamDecoder.fromServer();
    reject.push(hex('4c454b54 52 010000'));
    for (let i = 0; i < 20; i++) reject.push(Buffer.alloc(4096, 0x41));
    expect(reject.error?.reason).toBe('limits');
    expect(reject.buffered).toBe(0);
  });
});

describe('LEKT update splitting', () => {
  it('an answer built from any split ends with exactly one end marker, its only empty packet', () => {
    fc.assert(
      fc.property(
        fc.array(client, { maxLength: 60 }),
        fc.array(fc.nat({ max: 2 ** 32 - 1 }), { maxLength: 60 }),
        fc.integer({ min: 64, max: 600 }),
        fc.integer({ min: 1, max: 7 }),
        (clients, ips, maxBytes, maxClients) => {
          const objects = clients.map((c) => encodeAdded(0n, [c]).subarray(20));
          const packets = splitRemoved(9n, ips, maxBytes, maxClients);
          if (objects.length > 0) packets.push(...splitAdded(9n, objects, maxBytes, maxClients));
          const answer = withEndOfAnswer(9n, packets);
          expect(answer.map(isEndOfAnswer)).toEqual(answer.map((_, i) => i === answer.length - 1));
          const last = decodeServerPacket(answer[answer.length - 1]!);
          expect(last).toMatchObject({ type: 'added', timestamp: 9n, clients: [] });
          // A removed packet with count 0 is not a marker (only an empty *added* packet is).
          expect(isEndOfAnswer(splitRemoved(9n, [1])[0]!.fill(0, 17, 20).subarray(0, 20))).toBe(false);
        },
      ),
    );
  });

  it('keeps every packet under the byte and client limits and loses no client', () => {
    fc.assert(
      fc.property(
        fc.array(client, { maxLength: 200 }),
        fc.integer({ min: 64, max: 2000 }),
        fc.integer({ min: 1, max: 50 }),
        (clients, maxBytes, maxClients) => {
          const objects = clients.map((c) => encodeAdded(0n, [c]).subarray(20));
          const packets = splitAdded(1n, objects, maxBytes, maxClients);
          expect(packets.length).toBeGreaterThan(0);
          const back: ClientObject[] = [];
          for (const p of packets) {
            expect(p.length).toBeLessThanOrEqual(maxBytes);
            const d = decodeServerPacket(p);
            if (d.type !== 'added') throw new Error('not an added packet');
            expect(d.clients.length).toBeLessThanOrEqual(maxClients);
            back.push(...d.clients);
          }
          expect(back).toEqual(clients);
          const removed = splitRemoved(
            1n,
            clients.map((_, i) => i),
            maxBytes,
            maxClients,
          );
          expect(removed.every((p) => p.length <= maxBytes)).toBe(true);
          expect(removed.flatMap((p) => (decodeServerPacket(p) as { ips?: string[] }).ips ?? []).length).toBe(
            clients.length,
          );
        },
      ),
    );
  });
});
