import { afterEach, describe, expect, it } from 'vitest';
import type { ChatClient } from '../../src/protocols/chat/client.ts';
import { encodeClient, MAX_LINE_BYTES, MAX_MEDIA_BYTES, Status } from '../../src/protocols/chat/codec.ts';
import {
  chatServerOptions,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_SCRYPT_COST,
  QUEUE_LIMITS,
} from '../../src/protocols/chat/index.ts';
import type { ChatServer } from '../../src/protocols/chat/server.ts';
import { befriendPair, RawLines, startTestServer, user } from './helpers.ts';

/**
 * A real scrypt cost high enough that a login hash lasts a good fraction of a second: the flood below arrives
 * while it runs, so the requests behind the login have to wait in the connection's queue.
 */
const SLOW_SCRYPT_COST = 1 << 16;
/** A socket read hands over at most this much at once; lines it completes are queued before the pause bites. */
const READ_CHUNK = 64 * 1024;

let server: ChatServer | undefined;
const open: { close(): void }[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

/** `flooder` and `bob` with a chat between them; `flooder` logged out again, ready to log in from a raw socket. */
async function setup(): Promise<{ bob: ChatClient; watcher: ChatClient; chatId: number }> {
  server = await startTestServer({ scryptCost: SLOW_SCRYPT_COST });
  const flooder = await user(server, 'flooder');
  const bob = await user(server, 'bob');
  const watcher = await user(server, 'watcher');
  open.push(flooder, bob, watcher);
  await befriendPair(flooder, bob);
  const { chatId } = await flooder.createChat('bob');
  expect(await flooder.logout()).toBe(Status.OK);
  return { bob, watcher, chatId: chatId! };
}

/** Collects the texts of the messages pushed to `client`; resolves once `n` have arrived. */
function inbox(client: ChatClient, n: number, timeoutMs = 60_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const texts: string[] = [];
    const timer = setTimeout(() => reject(new Error(`only ${texts.length} of ${n} messages arrived`)), timeoutMs);
    const off = client.on('message', (m) => {
      texts.push(m.text);
      if (texts.length === n) {
        clearTimeout(timer);
        off();
        resolve(texts);
      }
    });
  });
}

/** Logs in as `flooder` and pipelines `lines` behind the login in one write; returns the replies in order. */
async function flood(lines: string[], timeoutMs = 60_000): Promise<{ raw: RawLines; replies: string[] }> {
  const raw = await RawLines.open(server!.port);
  open.push(raw);
  raw.write(`${['110 flooder flooder-pw1', ...lines].join('\n')}\n`);
  const replies: string[] = [];
  for (let i = 0; i <= lines.length; i++) replies.push(await raw.next(timeoutMs));
  return { raw, replies };
}

/** Every reply is `219 400 <id>` with ids increasing: answered, accepted, in request order. */
function expectSentInOrder(replies: string[]): void {
  let last = 0;
  for (const reply of replies) {
    const [op, status, id] = reply.split(' ');
    expect(`${op} ${status}`).toBe(`219 ${Status.OK}`);
    expect(Number(id)).toBeGreaterThan(last);
    last = Number(id);
  }
}

describe('a client that pipelines while its login is hashed', () => {
  it('large lines: the queue stops at about 1 MB, every line is answered in order, others are served', async () => {
    const { bob, watcher, chatId } = await setup();
    const count = 60;
    const media = Buffer.alloc(MAX_MEDIA_BYTES, 7);
    const lines = Array.from({ length: count }, (_, i) => encodeClient({ op: 115, chatId, text: `m${i}`, media }));
    // About 10 MB in all: unbounded, all of it would wait in memory behind the login.
    expect(lines.reduce((n, l) => n + l.length, 0)).toBeGreaterThan(8 * QUEUE_LIMITS.pauseBytes);
    const received = inbox(bob, count);
    const flooding = flood(lines);
    // Another client's requests are answered while the flood is read, queued and worked off.
    for (let i = 0; i < 10; i++) expect((await watcher.contacts()).status).toBe(Status.OK);
    const { raw, replies } = await flooding;
    expect(replies[0]).toBe(`212 ${Status.OK} flooder`);
    expectSentInOrder(replies.slice(1));
    expect(await received).toEqual(lines.map((_, i) => `m${i}`));

    const stats = server!.stats();
    expect(stats.readPauses).toBeGreaterThanOrEqual(1);
    // Past the pause mark by at most what one read had already delivered (a line it completed).
    expect(stats.queuedBytesPeak).toBeGreaterThan(QUEUE_LIMITS.pauseBytes);
    expect(stats.queuedBytesPeak).toBeLessThanOrEqual(QUEUE_LIMITS.pauseBytes + MAX_LINE_BYTES + READ_CHUNK);
    // The flooder's connection reads again and is still served.
    expect(await raw.ask('120', 1)).toEqual([`228 ${Status.OK}`]);
    expect(stats.open).toBe(4);
  }, 120_000);

  it('many small lines: the line bound pauses reading too, and every line is answered in order', async () => {
    const { bob, chatId } = await setup();
    const count = 3000;
    const lines = Array.from({ length: count }, (_, i) => encodeClient({ op: 115, chatId, text: `s${i}` }));
    const received = inbox(bob, count);
    const { replies } = await flood(lines);
    expect(replies[0]).toBe(`212 ${Status.OK} flooder`);
    expectSentInOrder(replies.slice(1));
    expect(await received).toEqual(lines.map((_, i) => `s${i}`));
    expect(server!.stats().readPauses).toBeGreaterThanOrEqual(1);
    expect(server!.stats().queuedBytesPeak).toBeLessThan(QUEUE_LIMITS.pauseBytes);
  }, 120_000);
});

describe('chat server settings', () => {
  it('defaults: a bounded connection count, the OWASP scrypt cost', () => {
    expect(chatServerOptions({})).toMatchObject({
      maxConnections: DEFAULT_MAX_CONNECTIONS,
      scryptCost: DEFAULT_SCRYPT_COST,
      idleTimeoutMs: 900_000,
      historyLimit: 500,
    });
    expect(DEFAULT_MAX_CONNECTIONS).toBe(10_000);
    expect(chatServerOptions({ maxConnections: '0', db: ':memory:' })).toMatchObject({
      maxConnections: 0,
      db: ':memory:',
    });
  });

  it('refuses malformed values and unknown keys, naming the key and what it accepts', () => {
    expect(() => chatServerOptions({ maxConnections: '1e3' })).toThrow(
      'maxConnections: must be an integer from 0 to 1000000, got "1e3"',
    );
    expect(() => chatServerOptions({ idleTimeoutMs: ' 100' })).toThrow(/^idleTimeoutMs: must be an integer/);
    expect(() => chatServerOptions({ historyLimit: '0' })).toThrow(/^historyLimit: must be an integer from 1/);
    expect(() => chatServerOptions({ scryptCost: '1000' })).toThrow('scryptCost: must be a power of two, got 1000');
    expect(() => chatServerOptions({ db: '' })).toThrow('db: must not be empty');
    expect(() => chatServerOptions({ dbb: 'x' })).toThrow(/^dbb: unknown setting \(known: db, scryptCost/);
  });
});
