import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClientMessage,
  decodeBase64,
  decodeText,
  encodeClient,
  encodeServer,
  encodeText,
  parseClient,
  parseServer,
  type ServerMessage,
  Status,
} from '../../src/protocols/chat/codec.ts';

const token = fc.stringMatching(/^[A-Za-z0-9_.@!-]{1,20}$/);
const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 });
const id = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const status = fc.constantFrom(...Object.values(Status));
const media = fc.uint8Array({ minLength: 1, maxLength: 200 }).map((a) => Buffer.from(a));

const clientMessage: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({ op: fc.constant(110 as const), username: token, password: token }),
  fc.constantFrom({ op: 111 as const }, { op: 112 as const }, { op: 118 as const }, { op: 120 as const }),
  fc.record({ op: fc.constant(113 as const), contact: token }),
  fc.record({ op: fc.constantFrom(114 as const, 116 as const), chatId: id }),
  fc.record({ op: fc.constant(115 as const), chatId: id, text }),
  fc.record({ op: fc.constant(115 as const), chatId: id, text, media }),
  fc.record({ op: fc.constant(117 as const), username: token, password: token, email: text, gender: token }),
  fc.record({ op: fc.constant(119 as const), mediaId: id }),
  fc.record({ op: fc.constant(121 as const), username: token }),
);

const serverMessage: fc.Arbitrary<ServerMessage> = fc.oneof(
  fc.record({ op: fc.constantFrom(210 as const, 211 as const), reason: text }),
  fc.constantFrom({ op: 210 as const }, { op: 216 as const }, { op: 226 as const }, { op: 231 as const }),
  fc.record({ op: fc.constant(212 as const), status, username: token }),
  fc.record({ op: fc.constantFrom(213, 218, 222, 223, 228, 232) as fc.Arbitrary<213>, status }),
  fc.record({ op: fc.constantFrom(214, 224, 229) as fc.Arbitrary<214>, count: id }),
  fc.record({ op: fc.constant(215 as const), chatId: id, user1: token, user2: token }),
  fc.record({ op: fc.constant(217 as const), status }, { requiredKeys: ['op', 'status'] }),
  fc.record({ op: fc.constant(217 as const), status, chatId: id }),
  fc.record({ op: fc.constant(219 as const), status, messageId: id }),
  fc.record({ op: fc.constant(221 as const), status, count: id }),
  fc.record({ op: fc.constant(220 as const), chatId: id, timestamp: id, text }),
  fc.record({ op: fc.constant(220 as const), chatId: id, timestamp: id, text, mediaId: id }),
  fc.record({ op: fc.constant(225 as const), contact: token, since: id }),
  fc.record({ op: fc.constant(227 as const), status }),
  fc.record({ op: fc.constant(227 as const), status, media }),
  fc.record({ op: fc.constant(230 as const), contact: token }),
  fc.record({ op: fc.constantFrom(233 as const, 234 as const), username: token }),
  fc.record({ op: fc.constant(235 as const), chatId: id, timestamp: id, sender: token, text, mediaId: id }),
);

describe('chat codec', () => {
  it('percent-encodes exactly %, space, CR and LF', () => {
    expect(encodeText('a b%c\r\nd\té')).toBe('a%20b%25c%0D%0Ad\té');
    expect(decodeText('a%20b%25c%0D%0Ad\té')).toBe('a b%c\r\nd\té');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const encoded = encodeText(s);
        expect(encoded).not.toMatch(/[ \r\n]/);
        expect(decodeText(encoded)).toBe(s);
      }),
    );
  });

  it('refuses other escapes, raw spaces and control characters', () => {
    for (const bad of ['%41', '%0a', '%', 'x%2', 'a b', 'a\u0000b', 'a\rb', '%%']) expect(decodeText(bad)).toBeNull();
  });

  it('accepts only canonical base64', () => {
    expect(decodeBase64('aGk=')?.toString()).toBe('hi');
    for (const bad of ['', 'aGk', 'aG=k', 'a Gk=', 'aGl=', '****']) expect(decodeBase64(bad)).toBeNull();
  });

  it('round-trips every client message', () => {
    fc.assert(
      fc.property(clientMessage, (m) => {
        const line = encodeClient(m);
        expect(line).not.toMatch(/[\r\n]/);
        expect(parseClient(line)).toEqual({ ok: true, message: m });
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every server message', () => {
    fc.assert(
      fc.property(serverMessage, (m) => {
        const line = encodeServer(m);
        expect(line).not.toMatch(/[\r\n]/);
        expect(parseServer(line)).toEqual({ ok: true, message: m });
      }),
      { numRuns: 2000 },
    );
  });

  it('classifies bad lines as unknown (210) or invalid (211), never throws', () => {
    expect(parseClient('999')).toMatchObject({ ok: false, error: 'unknown' });
    expect(parseClient('212 400 x')).toMatchObject({ ok: false, error: 'unknown' });
    for (const bad of [
      '',
      ' ',
      '110',
      '110 a',
      '110 a b c',
      '110  a b',
      'abc',
      '1100 a b',
      '114 -1',
      '114 01',
      '115 1',
    ]) {
      expect(parseClient(bad)).toMatchObject({ ok: false, error: 'invalid' });
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (line) => {
        const r = parseClient(line);
        if (!r.ok) expect(['unknown', 'invalid']).toContain(r.error);
        else expect(parseClient(encodeClient(r.message))).toEqual(r);
      }),
      { numRuns: 800 },
    );
  });

  it('the encoder refuses what the wire cannot carry', () => {
    expect(() => encodeClient({ op: 113, contact: 'two words' })).toThrow(RangeError);
    expect(() => encodeClient({ op: 115, chatId: 1, text: '' })).toThrow(RangeError);
  });
});
