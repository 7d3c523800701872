/**
 * The server answers from bytes it keeps encoded per method mask (the live set for first syncs, the log for
 * windows of joins). These drive it step by step through joins, leaves, re-joins with other methods and
 * heartbeats from peers of several masks, with packets capped small, and compare every peer's list with the
 * expected one: every other live client, with exactly the methods this peer announced.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.ts';
import {
  encodeClientObject,
  ipFromNumber,
  ipToNumber,
  LektPeer,
  LektServer,
  METHOD,
  type MethodInfo,
  packAdded,
  splitAdded,
} from '../../src/protocols/lekt/index.ts';

const BASE = ipToNumber('127.21.0.0');

/** Method sets the peers announce (one mask each, the empty one included). */
const KINDS: ((ip: number) => MethodInfo[])[] = [
  (ip) => [{ method: METHOD.tcp, port: 1000 + (ip & 0xff) }],
  (ip) => [
    { method: METHOD.tcp, port: 2000 + (ip & 0xff) },
    { method: METHOD.udp, port: 3000 + (ip & 0xff) },
  ],
  (ip) => [{ method: METHOD.udp, port: 4000 + (ip & 0xff) }, { method: METHOD.relay }],
  () => [],
  (ip) => [
    { method: METHOD.tcp, port: 5000 + (ip & 0xff) },
    { method: METHOD.udp, port: 6000 + (ip & 0xff) },
    { method: METHOD.relay },
  ],
];

async function until(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Member {
  readonly peer: LektPeer;
  readonly methods: MethodInfo[];
}

// The server sweeps every 20 ms (and drops the log, encoded copies included, up to the slowest cursor), but
// times no one out: peers heartbeat only when a step says so.
async function scenario(seed: string, settings: { maxPacketBytes: number; maxClientsPerPacket: number }) {
  const server = new LektServer({
    port: 0,
    settings: { heartbeatIntervalMs: 20, heartbeatTimeoutMs: 60_000, ...settings },
  });
  const { port } = await server.listen();
  const live = new Map<number, Member>();
  const rng = createRng(seed);
  const join = async (ip: number) => {
    const methods = KINDS[rng.int(0, KINDS.length - 1)]!(ip);
    const peer = await LektPeer.connect({ host: '127.0.0.1', port, localAddress: ipFromNumber(ip), methods });
    live.set(ip, { peer, methods });
  };
  // An answer may span packets and a heartbeat resolves at its first: the second (empty) answer comes after
  // the whole of the first.
  const syncAll = async () => {
    await Promise.all([...live.values()].map((m) => m.peer.heartbeat()));
    await Promise.all([...live.values()].map((m) => m.peer.heartbeat()));
  };
  const check = (step: number) => {
    for (const [self, { peer, methods }] of live) {
      const wanted = new Set(methods.map((m) => m.method));
      const expected = [...live]
        .filter(([ip]) => ip !== self)
        .sort(([a], [b]) => a - b)
        .map(([ip, other]) => ({ ip: ipFromNumber(ip), methods: other.methods.filter((m) => wanted.has(m.method)) }));
      const got = [...peer.peers.values()].sort((a, b) => ipToNumber(a.ip) - ipToNumber(b.ip));
      expect(got, `step ${step}, peer ${ipFromNumber(self)}`).toEqual(expected);
    }
  };
  try {
    for (let i = 0; i < 6; i++) await join(BASE + i);
    await syncAll();
    check(-1);
    for (let step = 0; step < 40; step++) {
      const action = rng.int(0, 9);
      if (action < 4 || live.size < 3) {
        // A new address or one that left (coming back, maybe with other methods).
        const ip = BASE + rng.int(0, 19);
        if (!live.has(ip)) await join(ip);
      } else if (action < 7) {
        const ips = [...live.keys()];
        const ip = ips[rng.int(0, ips.length - 1)]!;
        await live.get(ip)!.peer.leave();
        live.delete(ip);
        await until(() => server.liveCount === live.size, 10_000, 'the server to see the leave');
      } else if (action < 9) {
        // Some peers heartbeat now (their windows differ from the others' from here on).
        for (const m of live.values()) if (rng.next() < 0.5) await m.peer.heartbeat();
      } else {
        await syncAll();
        check(step);
      }
    }
    await syncAll();
    check(40);
    return server.counters;
  } finally {
    for (const m of live.values()) m.peer.destroy();
    await server.close();
  }
}

describe('LEKT answers from encoded bytes', () => {
  it('every peer of every mask lists exactly the others through joins, leaves and re-joins (tiny packets)', async () => {
    const counters = await scenario('lekt-answers-a', { maxPacketBytes: 64, maxClientsPerPacket: 16_777_215 });
    expect(counters.joined).toBeGreaterThan(10);
    expect(counters.left).toBeGreaterThan(3);
  }, 60_000);

  it('the same with a client cap per packet and other seeds', async () => {
    for (const seed of ['lekt-answers-b', 'lekt-answers-c']) {
      const counters = await scenario(seed, { maxPacketBytes: 65_536, maxClientsPerPacket: 2 });
      expect(counters.left).toBeGreaterThan(0);
    }
  }, 60_000);

  it('packAdded makes the very packets splitAdded makes, skipping a hole in the run', () => {
    const rng = createRng('pack-added');
    for (let round = 0; round < 200; round++) {
      const n = rng.int(0, 40);
      const objects = Array.from({ length: n }, (_, i) =>
        encodeClientObject({ ip: ipFromNumber(BASE + i), methods: KINDS[rng.int(0, KINDS.length - 1)]!(i) }),
      );
      const bytes = Buffer.concat(objects);
      const offsets = [0];
      for (const o of objects) offsets.push(offsets.at(-1)! + o.length);
      const hole = rng.int(0, n);
      const maxPacket = rng.int(44, 400);
      const maxClients = rng.int(1, 12);
      const expected = splitAdded(7n, [...objects.slice(0, hole), ...objects.slice(hole + 1)], maxPacket, maxClients);
      const spans = [
        [0, hole],
        [Math.min(hole + 1, n), n],
      ] as const;
      expect(packAdded(7n, bytes, offsets, spans, maxPacket, maxClients)).toEqual(expected);
    }
    expect(() => packAdded(1n, Buffer.alloc(30), [0, 30], [[0, 1]], 40)).toThrow(RangeError);
  });
});
