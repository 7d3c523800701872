import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatClient } from '../../src/protocols/chat/client.ts';
import { MAX_LINE_BYTES, parseServer, Status } from '../../src/protocols/chat/codec.ts';
import type { ChatServer } from '../../src/protocols/chat/server.ts';
import { befriendPair, RawLines, startTestServer, user } from './helpers.ts';

/** Statuses each reply opcode may carry according to docs/protocols/chat.md. */
const DOCUMENTED: Record<number, readonly number[]> = {
  212: [400, 401, 404, 405, 406],
  213: [400, 407],
  217: [400, 407, 410, 411],
  218: [400, 407, 408, 409],
  219: [400, 407, 408, 409, 413],
  221: [400, 407, 408, 409],
  222: [400, 401, 402, 403, 404],
  223: [400, 407],
  227: [400, 407, 409, 412],
  228: [400, 407],
  232: [400, 407, 410],
};

/** Lines that look almost right: real opcodes, argument counts off by one, odd escapes, huge numbers. */
const nearLine = fc
  .tuple(
    fc.constantFrom('110', '111', '112', '113', '114', '115', '116', '117', '118', '119', '120', '121', '210', '999'),
    fc.array(
      fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/),
        fc.constantFrom('1', '0', '-1', '99999999999999999999', '%', '%2', '%ZZ', '%0A', 'aGk=', 'a', '\t', 'é'),
        fc.string({ maxLength: 12 }),
      ),
      { maxLength: 5 },
    ),
  )
  .map(([op, args]) => [op, ...args].join(' ').replace(/[\r\n]/g, ''));

const anyLine = fc.string({ unit: 'binary', maxLength: 120 }).map((s) => s.replace(/[\r\n]/g, ''));

describe('chat server under malformed input', () => {
  let server: ChatServer;
  let alice: ChatClient;
  let bob: ChatClient;
  let chatId: number;
  beforeAll(async () => {
    server = await startTestServer();
    alice = await user(server, 'alice');
    bob = await user(server, 'bob');
    await befriendPair(alice, bob);
    chatId = (await alice.createChat('bob')).chatId!;
  });
  afterAll(async () => {
    alice?.close();
    bob?.close();
    await server.close();
  });

  /** The bystanders still get full service. */
  async function othersStillServed(tag: string): Promise<void> {
    const got = bob.next('message', (m) => m.text === tag);
    expect((await alice.send(chatId, tag)).status).toBe(Status.OK);
    expect((await got).text).toBe(tag);
  }

  /** Sends one line and checks its whole reply against the documented answers. */
  async function checkReply(raw: RawLines, line: string): Promise<void> {
    raw.write(`${line}\n`);
    const first = await raw.next();
    const parsed = parseServer(first);
    expect(parsed.ok, `reply to ${JSON.stringify(line)}: ${first}`).toBe(true);
    if (!parsed.ok) return;
    const m = parsed.message;
    if ('status' in m && DOCUMENTED[m.op]) expect(DOCUMENTED[m.op], `${line} -> ${first}`).toContain(m.status);
    else expect([210, 211, 214, 212], `${line} -> ${first}`).toContain(m.op);
    // Drain a list reply, so the next line's reply is read in step.
    let rest = 0;
    if (m.op === 214) rest = m.count + 1;
    if ((m.op === 223 || m.op === 228) && m.status === 400) {
      const begin = parseServer(await raw.next());
      const announced = begin.ok && 'count' in begin.message ? begin.message.count : undefined;
      rest = (announced ?? 0) + 1;
    }
    if (m.op === 221 && m.status === 400) rest = m.count ?? 0;
    for (let i = 0; i < rest; i++) await raw.next();
  }

  it('answers every near-valid line with 210, 211 or a documented status (logged out and logged in)', async () => {
    const raw = await RawLines.open(server.port);
    try {
      await fc.assert(
        fc.asyncProperty(nearLine, (line) => checkReply(raw, line)),
        { numRuns: 300 },
      );
      expect(await raw.ask('110 alice alice-pw1')).toEqual(['212 405 alice']);
      await raw.ask('117 fuzzer fuzzer-pw1 f@example.org x');
      expect(await raw.ask('110 fuzzer fuzzer-pw1')).toEqual(['212 400 fuzzer']);
      await fc.assert(
        fc.asyncProperty(nearLine, (line) => checkReply(raw, line)),
        { numRuns: 300 },
      );
      expect(raw.closed).toBe(false);
    } finally {
      raw.close();
    }
    await othersStillServed('after near-valid lines');
  });

  it('answers arbitrary bytes with 210/211 and never closes the connection', async () => {
    const raw = await RawLines.open(server.port);
    try {
      await fc.assert(
        fc.asyncProperty(anyLine, async (line) => {
          if (/^(11\d|12[01]) /.test(line) || /^(111|112|118|120)$/.test(line)) return;
          raw.write(Buffer.concat([Buffer.from(line, 'latin1'), Buffer.from('\n')]));
          expect(await raw.next()).toMatch(/^21[01]( |$)/);
        }),
        { numRuns: 400 },
      );
      expect(raw.closed).toBe(false);
    } finally {
      raw.close();
    }
    await othersStillServed('after random bytes');
  });

  it('oversized lines get one 211 each, the rest of the line is skipped, the next line is served', async () => {
    const raw = await RawLines.open(server.port);
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: MAX_LINE_BYTES + 1, max: MAX_LINE_BYTES * 2 }), async (size) => {
          raw.write(`115 ${chatId} ${'A'.repeat(size)}\n`);
          expect(await raw.next()).toBe(`211 line%20longer%20than%20${MAX_LINE_BYTES}%20bytes`);
          expect(await raw.ask('111')).toEqual(['213 407']);
        }),
        { numRuns: 5 },
      );
    } finally {
      raw.close();
    }
    // An oversized value inside the limit: a message too long for the store, media too large.
    const big = await alice.send(chatId, 'x'.repeat(200_000));
    expect(big.status).toBe(Status.VALUE_TOO_LARGE);
    await othersStillServed('after oversized lines');
  });

  it('a peer that vanishes mid-line or mid-request does not disturb the others', async () => {
    for (let i = 0; i < 20; i++) {
      const raw = await RawLines.open(server.port);
      raw.write(i % 2 ? '117 half' : `110 alice alice-pw1\n115 ${chatId} hi`);
      raw.close();
    }
    const flood = await RawLines.open(server.port);
    flood.write('120\n'.repeat(2000));
    flood.close();
    await othersStillServed('after vanished peers');
    expect(server.stats().open).toBeLessThan(10);
  });
});
