import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodeHeartbeat,
  encodeHello,
  encodeResponse,
  LektPeer,
  LektServer,
  type LektServerSettings,
  LektStreamDecoder,
  LIMITS,
  METHOD,
  parseLektSettings,
  SETTING_RANGES,
  type ServerPacket,
} from '../../src/protocols/lekt/index.ts';
import { botswarm } from '../cli/helpers.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const servers: LektServer[] = [];
const sockets: Socket[] = [];
const peers: LektPeer[] = [];

afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(settings: Partial<LektServerSettings> = {}) {
  const server = new LektServer({ port: 0, settings });
  servers.push(server);
  const { port } = await server.listen();
  return { server, port };
}

/** A byte-level client: writes raw bytes, reads decoded packets. */
async function raw(port: number, localAddress = '127.0.0.1') {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const decoder = LektStreamDecoder.fromServer();
  const inbox: ServerPacket[] = [];
  let waiter: (() => void) | undefined;
  let ended = false;
  socket.on('data', (chunk) => {
    inbox.push(...decoder.push(chunk));
    waiter?.();
  });
  socket.on('close', () => {
    ended = true;
    waiter?.();
  });
  socket.on('error', () => {});
  return {
    socket,
    send: (b: Buffer) => socket.write(b),
    get ended() {
      return ended;
    },
    /** The next packet, or null when the server closed the connection first. */
    async next(timeoutMs = 5000): Promise<ServerPacket | null> {
      const deadline = Date.now() + timeoutMs;
      while (inbox.length === 0 && !ended) {
        if (Date.now() > deadline) throw new Error('no packet from the server');
        await new Promise<void>((resolve) => {
          waiter = resolve;
          setTimeout(resolve, 50);
        });
      }
      return inbox.shift() ?? null;
    },
    async closed(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return ended;
    },
  };
}

async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const addr = (i: number) => `127.0.${10 + (i >> 8)}.${i & 255}`;

async function peer(port: number, i: number, methods = [{ method: METHOD.tcp, port: 7000 + i }] as const) {
  const p = await LektPeer.connect({ host: '127.0.0.1', port, localAddress: addr(i), methods: [...methods] });
  peers.push(p);
  return p;
}

describe('LEKT server: the session, byte by byte', () => {
  it('handshake, one request per supported method, end of setup, heartbeat answered with an echo', async () => {
    const { port, server } = await startServer();
    const c = await raw(port);
    c.send(encodeHello([METHOD.tcp, METHOD.relay]));
    expect(await c.next()).toMatchObject({ type: 'accept', version: { major: 1, minor: 0, extra: 0 } });
    expect(await c.next()).toMatchObject({ type: 'request', index: 1 });
    c.send(encodeResponse({ method: METHOD.tcp, port: 9000 }));
    expect(await c.next()).toMatchObject({ type: 'request', index: 3 });
    c.send(encodeResponse({ method: METHOD.relay }));
    expect(await c.next()).toMatchObject({ type: 'request', index: 0 });
    expect(server.liveCount).toBe(1);
    c.send(encodeHeartbeat(42n));
    expect(await c.next()).toEqual({
      type: 'added',
      version: { major: 1, minor: 0, extra: 0 },
      timestamp: 42n,
      clients: [],
    });
    // A second client sees the first with both of its methods; the first then hears of the second.
    const d = await raw(port, '127.0.0.2');
    d.send(Buffer.concat([encodeHello([1, 2, 3]), encodeHeartbeat(7n)]));
    expect((await d.next())?.type).toBe('accept');
    expect(await d.next()).toMatchObject({ type: 'request', index: 1 });
    // The heartbeat sent too early (during setup) is a state error.
    expect(await d.next()).toMatchObject({ type: 'reject', message: expect.stringMatching(/^state: /) });
    expect(await d.closed()).toBe(true);

    const e = await raw(port, '127.0.0.3');
    e.send(encodeHello([1]));
    await e.next();
    await e.next();
    e.send(encodeResponse({ method: METHOD.tcp, port: 9100 }));
    expect(await e.next()).toMatchObject({ type: 'request', index: 0 });
    e.send(encodeHeartbeat(1n));
    // Only the methods the receiver supports (tcp) are sent: relay is filtered out.
    expect(await e.next()).toMatchObject({
      type: 'added',
      timestamp: 1n,
      clients: [{ ip: '127.0.0.1', methods: [{ method: 1, port: 9000 }] }],
    });
    const end = (timestamp: bigint) => ({ type: 'added', timestamp, clients: [] });
    expect(await e.next()).toMatchObject(end(1n));
    c.send(encodeHeartbeat(43n));
    expect(await c.next()).toMatchObject({ type: 'added', timestamp: 43n, clients: [{ ip: '127.0.0.3' }] });
    expect(await c.next()).toMatchObject(end(43n));
    e.socket.end();
    await until(() => server.liveCount === 1, 5000, 'removal');
    c.send(encodeHeartbeat(44n));
    expect(await c.next()).toMatchObject({ type: 'removed', timestamp: 44n, ips: ['127.0.0.3'] });
    expect(await c.next()).toMatchObject(end(44n));
  });

  const rejects: [string, string, RegExp][] = [
    ['wrong magic', '4c454b58 48 010000 00000004 0000000e', /^magic: /],
    ['major version 2', '4c454b54 48 020000 00000004 0000000e', /^version: .*2\.0\.0/],
    ['a response before the handshake', '4c454b54 54 010000 00000001 1b58', /^state: /],
    ['a lying method count', '4c454b54 48 010000 ffffffff', /^limits: /],
    ['an unknown packet type', '4c454b54 5a 010000 00000000', /^malformed: /],
  ];
  for (const [name, bytes, message] of rejects) {
    it(`rejects ${name} with a reason and closes`, async () => {
      const { port } = await startServer();
      const c = await raw(port);
      c.send(hex(bytes));
      expect(await c.next()).toMatchObject({ type: 'reject', message: expect.stringMatching(message) });
      expect(await c.closed()).toBe(true);
    });
  }

  it('rejects a response for a method it did not ask for, a second client from one address, and a full server', async () => {
    const { port } = await startServer({ maxClients: 2 });
    const a = await raw(port, '127.0.0.1');
    a.send(encodeHello([1, 2]));
    await a.next();
    expect(await a.next()).toMatchObject({ type: 'request', index: 1 });
    a.send(encodeResponse({ method: METHOD.udp, port: 5 }));
    expect(await a.next()).toMatchObject({
      type: 'reject',
      message: expect.stringMatching(/^state: .*expected method 1/),
    });

    const b = await peer(port, 1);
    const twin = await raw(port, addr(1));
    twin.send(encodeHello([]));
    expect(await twin.next()).toMatchObject({ type: 'reject', message: expect.stringMatching(/^address-in-use: /) });
    await peer(port, 2);
    const third = await raw(port, addr(3));
    third.send(encodeHello([]));
    expect(await third.next()).toMatchObject({ type: 'reject', message: expect.stringMatching(/^full: /) });
    expect(b.closeReason).toBeNull();
  });

  it('times out a client that never finishes setup, and a live client that stops heartbeating', async () => {
    const { port, server } = await startServer({
      setupTimeoutMs: 200,
      heartbeatIntervalMs: 50,
      heartbeatTimeoutMs: 300,
    });
    const silent = await raw(port);
    expect(await silent.next()).toMatchObject({
      type: 'reject',
      message: expect.stringMatching(/^timeout: handshake/),
    });
    const quiet = await raw(port, '127.0.0.2');
    quiet.send(encodeHello([]));
    await quiet.next();
    await quiet.next();
    expect(server.liveCount).toBe(1);
    expect(await quiet.next()).toMatchObject({
      type: 'reject',
      message: expect.stringMatching(/^timeout: no heartbeat/),
    });
    expect(server.liveCount).toBe(0);
    expect(server.counters.timedOut).toBe(1);
  });

  it('splits a large update into packets within the configured limits', async () => {
    const { port } = await startServer({ maxClientsPerPacket: 3 });
    for (let i = 0; i < 7; i++) await peer(port, i);
    const c = await raw(port, '127.0.0.99');
    c.send(encodeHello([1]));
    await c.next();
    await c.next();
    c.send(encodeResponse({ method: METHOD.tcp, port: 1 }));
    await c.next();
    c.send(encodeHeartbeat(5n));
    const got: string[] = [];
    for (let n = 0; n < 3; n++) {
      const p = await c.next();
      if (p?.type !== 'added') throw new Error(`expected an added packet, got ${p?.type}`);
      expect(p.clients.length).toBeGreaterThan(0);
      expect(p.clients.length).toBeLessThanOrEqual(3);
      expect(p.timestamp).toBe(5n);
      got.push(...p.clients.map((x) => x.ip));
    }
    expect(got.sort()).toEqual([0, 1, 2, 3, 4, 5, 6].map(addr).sort());
    // The third packet was full-sized for nothing: only the end marker says the answer is complete.
    expect(await c.next()).toEqual({ type: 'added', version: expect.anything(), timestamp: 5n, clients: [] });
  });

  it('ends every answer with one empty added packet: removed only, split removed, split added, nothing', async () => {
    const { port } = await startServer({ maxClientsPerPacket: 2 });
    const others = [];
    for (let i = 0; i < 5; i++) others.push(await peer(port, i));
    const c = await raw(port, '127.0.0.98');
    c.send(encodeHello([1]));
    await c.next();
    await c.next();
    c.send(encodeResponse({ method: METHOD.tcp, port: 1 }));
    await c.next();
    /** The packets of one answer: everything up to and including the first empty added packet. */
    const answer = async (timestamp: bigint) => {
      c.send(encodeHeartbeat(timestamp));
      const packets: string[] = [];
      for (;;) {
        const p = await c.next();
        if (p?.type !== 'added' && p?.type !== 'removed') throw new Error(`expected an update, got ${p?.type}`);
        expect(p.timestamp).toBe(timestamp);
        const n = p.type === 'added' ? p.clients.length : p.ips.length;
        packets.push(`${p.type === 'added' ? 'A' : 'R'}${n}`);
        if (p.type === 'added' && n === 0) return packets;
      }
    };
    expect(await answer(1n)).toEqual(['A2', 'A2', 'A1', 'A0']);
    expect(await answer(2n)).toEqual(['A0']);
    // Three leave: an answer made only of removed packets, split in two, still ends with the marker.
    for (const p of others.slice(0, 3)) await p.leave();
    await until(() => servers[0]!.stats().live === 3, 5000, 'the leaves');
    expect(await answer(3n)).toEqual(['R2', 'R1', 'A0']);
    // Nothing was left over: the next answer is the marker alone.
    expect(await answer(4n)).toEqual(['A0']);
  });

  it("a peer's heartbeat resolves and `synced` turns true only when the whole answer has arrived", async () => {
    const { port } = await startServer({ maxClientsPerPacket: 1 });
    for (let i = 0; i < 4; i++) await peer(port, i);
    // What the peer says while the four one-client packets of its first answer come in.
    const during: string[] = [];
    let self: LektPeer | undefined;
    const p = await LektPeer.connect({
      host: '127.0.0.1',
      port,
      localAddress: addr(50),
      methods: [],
      onChange: () => during.push(`${self!.synced} ${self!.heartbeatsAnswered}`),
    });
    self = p;
    peers.push(p);
    await p.heartbeat();
    expect(during).toEqual(Array(4).fill('false 0'));
    expect(p.synced).toBe(true);
    expect(p.heartbeatsAnswered).toBe(1);
    expect(p.peers.size).toBe(4);
  });
});

describe('LEKT server under hostile input', () => {
  it('survives random bytes, stays bounded per connection, and keeps serving a good client', async () => {
    const { port, server } = await startServer();
    const good = await peer(port, 1);
    const other = await peer(port, 2);
    await good.heartbeat();
    let maxBuffered = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 200 }),
          // Valid start, then garbage: exercises every later state.
          fc.uint8Array({ maxLength: 100 }).map((tail) => Buffer.concat([encodeHello([1, 2, 3]), Buffer.from(tail)])),
          fc
            .uint8Array({ maxLength: 100 })
            .map((tail) => Buffer.concat([hex('4c454b54 48 010000'), Buffer.from(tail)])),
        ),
        async (bytes) => {
          const c = await raw(port, '127.0.1.1');
          c.send(Buffer.from(bytes));
          await new Promise((r) => setTimeout(r, 5));
          for (const conn of server.connections) maxBuffered = Math.max(maxBuffered, conn.framer.buffered);
          c.socket.destroy();
          await c.closed();
        },
      ),
      { numRuns: 60 },
    );
    expect(maxBuffered).toBeLessThanOrEqual(LIMITS.maxClientPacket);
    await until(() => server.connections.size === 2, 5000, 'fuzz connections to close');
    // The good client is still served and still sees its neighbour.
    expect(await good.heartbeat()).toBeGreaterThanOrEqual(0);
    expect(good.list()).toEqual([addr(2)]);
    expect(other.closeReason).toBeNull();
  });

  it('a handshake that lies about its size buffers at most one packet and is rejected', async () => {
    const { port, server } = await startServer();
    const c = await raw(port);
    c.send(hex('4c454b54 48 010000 00000400')); // 1024 methods: 128 bytes of bitfield promised
    c.send(Buffer.alloc(100));
    await new Promise((r) => setTimeout(r, 50));
    for (const conn of server.connections) expect(conn.framer.buffered).toBeLessThanOrEqual(140);
    c.send(Buffer.alloc(5000, 0xff));
    // 28 more bitfield bytes complete it; the rest is parsed as the next packet: bad magic.
    expect(await c.next()).toMatchObject({ type: 'accept' });
    const packets: (ServerPacket | null)[] = [];
    for (let p = await c.next(); p; p = await c.next()) packets.push(p);
    expect(packets.at(-1)).toMatchObject({ type: 'reject', message: expect.stringMatching(/^(magic|state): /) });
  });
});

describe('LEKT settings', () => {
  it('parses --set values and names bad ones with their range', () => {
    expect(parseLektSettings({ heartbeatTimeoutMs: '3000', heartbeatIntervalMs: '500' })).toMatchObject({
      heartbeatTimeoutMs: 3000,
      heartbeatIntervalMs: 500,
    });
    expect(() => parseLektSettings({ heartbeat: '1' })).toThrow(
      /^heartbeat: unknown setting \(known: heartbeatIntervalMs, heartbeatTimeoutMs, /,
    );
    expect(() => parseLektSettings({ maxClients: '-1' })).toThrow(
      'maxClients: must be an integer from 1 to 10000000, got "-1"',
    );
    expect(() => parseLektSettings({ heartbeatTimeoutMs: '100', heartbeatIntervalMs: '500' })).toThrow(
      'heartbeatTimeoutMs: must be longer than heartbeatIntervalMs (500), got 100',
    );
  });

  it('takes decimal digits only, where Number() would take 1e3, " 12" or 0x10', () => {
    for (const bad of ['1e3', ' 1000', '0x400', '', '1000.0', '+1000']) {
      expect(() => parseLektSettings({ setupTimeoutMs: bad })).toThrow(
        `setupTimeoutMs: must be an integer from 10 to 3600000, got ${JSON.stringify(bad)}`,
      );
    }
    expect(parseLektSettings({ maxPacketBytes: '00064' }).maxPacketBytes).toBe(64);
  });

  it('bounds every millisecond setting below 2^31 ms, for --set text and for settings from code', () => {
    for (const [key, max] of Object.entries(SETTING_RANGES).filter(([k]) => k.endsWith('Ms'))) {
      expect(max[1]).toBeLessThanOrEqual(86_400_000);
      expect(() => parseLektSettings({ [key]: String(2 ** 31) })).toThrow(new RegExp(`^${key}: must be an integer`));
    }
    expect(() => new LektServer({ port: 0, settings: { heartbeatTimeoutMs: 2 ** 31 } })).toThrow(
      /^heartbeatTimeoutMs: must be an integer from 20 to 86400000/,
    );
    expect(() => new LektServer({ port: 0, settings: { maxClients: 1.5 } })).toThrow(/^maxClients: /);
  });

  it('`botswarm serve lekt --set` with a bad value exits non-zero with that message', async () => {
    const run = await botswarm(['serve', 'lekt', '--port', '0', '--set', 'heartbeatIntervalMs=0x10']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('heartbeatIntervalMs: must be an integer from 10 to 3600000, got "0x10"');
    expect(run.stdout).toBe('');
  });
});

describe('LEKT: timer-driven work never takes the process down', () => {
  it('a failure while timing out one session closes that connection; the sweep goes on for the others', async () => {
    const { port, server } = await startServer({ heartbeatIntervalMs: 50, heartbeatTimeoutMs: 300 });
    const live = async (ip: string) => {
      const c = await raw(port, ip);
      c.send(encodeHello([]));
      expect(await c.next()).toMatchObject({ type: 'accept' });
      expect(await c.next()).toMatchObject({ type: 'request', index: METHOD.end });
      return c;
    };
    const broken = await live('127.0.0.2');
    const quiet = await live('127.0.0.3');
    await until(() => server.liveCount === 2, 5000, 'two live clients');
    const conn = [...server.connections].find((x) => x.socket.remoteAddress === '127.0.0.2')!;
    // A stand-in for any bug on the timeout path: sending the reject throws.
    Object.defineProperty(conn, 'send', {
      value: () => {
        throw new Error('injected send failure');
      },
    });
    // Neither heartbeats: the broken one is closed without its reject, the quiet one is rejected as usual.
    expect(await quiet.next()).toMatchObject({ type: 'reject', message: expect.stringMatching(/^timeout: /) });
    expect(await broken.next()).toBeNull();
    expect(server.counters.sweepFailures).toBe(1);
    await until(() => server.liveCount === 0, 5000, 'both removed');
    // Still serving, and still sweeping.
    const p = await peer(port, 1);
    expect(await p.heartbeat()).toBeGreaterThanOrEqual(0);
    expect(server.counters.timedOut).toBe(2);
  });

  it("a peer's heartbeat callback that throws is logged; the heartbeats go on", async () => {
    const { port } = await startServer({ heartbeatIntervalMs: 50, heartbeatTimeoutMs: 5000 });
    const p = await peer(port, 1);
    let calls = 0;
    p.startHeartbeats(20, () => {
      calls++;
      throw new Error('injected callback failure');
    });
    await until(() => calls >= 3, 10_000, 'three heartbeat answers');
    expect(p.closeReason).toBeNull();
    p.stopHeartbeats();
  });
});
