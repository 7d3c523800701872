import { describe, expect, it } from 'vitest';
import { createChurnPeer, createSteadyPeer } from '../../bots/lekt.ts';
import { resolveBot } from '../../src/bots/resolve.ts';
import { createRng } from '../../src/core/rng.ts';
import { runLoadTest } from '../../src/load/index.ts';
import { lektChurnScenario } from '../../src/load/scenarios/lekt.ts';
import {
  ipFromNumber,
  ipToNumber,
  LektPeer,
  LektServer,
  METHOD,
  type PeerBotEnd,
  runPeerBot,
} from '../../src/protocols/lekt/index.ts';
import { PropagationTracker } from '../../src/protocols/lekt/propagation.ts';

async function until(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const BASE = ipToNumber('127.20.0.0');

describe('LEKT churn', () => {
  it('every remaining peer converges to the same list after seeded churn and re-joins', async () => {
    const server = new LektServer({
      port: 0,
      settings: { heartbeatIntervalMs: 40, heartbeatTimeoutMs: 1000, maxClientsPerPacket: 4 },
    });
    const { port } = await server.listen();
    const peers = new Map<number, LektPeer>();
    const join = async (ip: number) => {
      const p = await LektPeer.connect({
        host: '127.0.0.1',
        port,
        localAddress: ipFromNumber(ip),
        methods: [{ method: METHOD.tcp, port: 1000 + (ip & 0xff) }],
      });
      peers.set(ip, p);
      return p;
    };
    try {
      const N = 24;
      const root = createRng('lekt-churn-test');
      const ends = await Promise.all(
        Array.from({ length: N }, async (_, i): Promise<[number, PeerBotEnd]> => {
          const ip = BASE + i;
          const p = await join(ip);
          const bot = createChurnPeer({ params: { leave: 0.06, vanish: 0.04, minTicks: 2 } });
          const end = await runPeerBot(p, bot, {
            intervalMs: 30,
            rng: root.fork(`peer/${i}`),
            index: i,
            maxTicks: 25,
            leaveAtEnd: false,
          });
          // Keep heartbeating while the other bots finish: an idle survivor would time out.
          if (end === 'done') p.startHeartbeats(30);
          return [ip, end];
        }),
      );
      const left = ends.filter(([, e]) => e === 'left').map(([ip]) => ip);
      const vanished = ends.filter(([, e]) => e === 'vanished').map(([ip]) => ip);
      // The churn comes from seeded streams: these counts are the same on every run.
      expect(left.length).toBeGreaterThan(0);
      expect(vanished.length).toBeGreaterThan(0);
      expect(ends.every(([, e]) => e === 'left' || e === 'vanished' || e === 'done')).toBe(true);

      // Two departed addresses come back as new peers.
      for (const ip of left.slice(0, 2)) await join(ip);
      const survivors = () => [...peers].filter(([, p]) => !p.closeReason).map(([ip]) => ip);
      for (const ip of left.slice(0, 2)) peers.get(ip)!.startHeartbeats(30);
      const expected = (self: number) =>
        survivors()
          .filter((ip) => ip !== self)
          .sort((a, b) => a - b)
          .map(ipFromNumber);
      await until(
        () =>
          server.liveCount === survivors().length &&
          survivors().every((ip) => JSON.stringify(peers.get(ip)!.list()) === JSON.stringify(expected(ip))),
        15_000,
        'every peer to list exactly the others',
      );
      expect(server.counters.timedOut).toBe(vanished.length);
      // Each entry carries the peer's own method.
      const [first, second] = survivors();
      expect(peers.get(first!)!.peers.get(second!)?.methods).toEqual([
        { method: METHOD.tcp, port: 1000 + (second! & 0xff) },
      ]);
    } finally {
      for (const p of peers.values()) p.destroy();
      await server.close();
    }
  }, 60_000);

  it("the bots are found by name, and a seed fixes a churn bot's decisions", async () => {
    const bot = await resolveBot('churn:leave=0.2:vanish=0.1', 'lekt');
    const decisions = (seed: string) => {
      const s = bot.create();
      const ctx = { rng: createRng(seed) } as Parameters<typeof s.decide>[1];
      return Array.from({ length: 40 }, (_, tick) => s.decide({ tick, elapsedMs: 0, peers: 0, lastRttMs: null }, ctx));
    };
    expect(decisions('a')).toEqual(decisions('a'));
    expect(decisions('a')).not.toEqual(decisions('b'));
    expect(decisions('a').slice(0, 3)).toEqual(['heartbeat', 'heartbeat', 'heartbeat']);
    expect(createSteadyPeer().decide({ tick: 99, elapsedMs: 0, peers: 0, lastRttMs: null }, {} as never)).toBe(
      'heartbeat',
    );
  });

  it('the propagation tracker waits for exactly the peers that must see a change', () => {
    const lists = new Map<number, Set<number>>([
      [1, new Set([2])],
      [2, new Set([1])],
      [3, new Set()],
    ]);
    const t = new PropagationTracker();
    for (const [ip, list] of lists) t.addObserver(ip, { has: (x) => list.has(x) });
    t.change('join', 9, 0);
    expect(t.seen(1, 'added', 9, 5)).toBeNull();
    expect(t.seen(2, 'added', 9, 6)).toBeNull();
    expect(t.seen(3, 'added', 9, 8)).toEqual({ metric: 'propagation', kind: 'join', micros: 8000 });
    // Only peer 2 lists peer 1: its removal is complete once 2 has seen it.
    t.change('leave', 1, 10);
    expect(t.removeObserver(1)).toEqual([]);
    expect(t.seen(3, 'removed', 1, 11)).toBeNull();
    expect(t.seen(2, 'removed', 1, 12)).toEqual({ metric: 'propagation', kind: 'leave', micros: 2000 });
    // A vanish is its own metric; the last missing observer leaving completes it at the last sighting.
    lists.get(3)!.add(2);
    t.change('vanish', 2, 20);
    expect(t.seen(3, 'removed', 2, 25)).toEqual({ metric: 'vanish_propagation', kind: 'vanish', micros: 5000 });
    t.change('join', 7, 30);
    t.change('leave', 7, 31);
    expect(t.cancelled).toBe(1);
    expect(t.pending).toBe(0);
  });
});

describe('lekt-churn load scenario', () => {
  it('runs 30 peers through the load runner and measures handshake, heartbeat RTT and propagation', async () => {
    const server = new LektServer({ port: 0, settings: { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 600 } });
    const { port } = await server.listen();
    const stop = new AbortController();
    try {
      const { summary } = await runLoadTest({
        scenario: lektChurnScenario as never,
        host: '127.0.0.1',
        port,
        workload: { kind: 'closed', start: 30, stages: [{ durationMs: 3000, target: 30 }] },
        thinkTimeMs: 0,
        requestTimeoutMs: 10_000,
        params: { heartbeatMs: 50, leave: 0.05, vanish: 0.03, minTicks: 3, vanishHoldMs: 1500 },
        seed: 'lekt-scenario-test',
        thresholds: [],
        signal: stop.signal,
        stopGraceMs: 5000,
        serverStats: () => server.stats(),
      });
      expect(summary.sessions.started).toBeGreaterThanOrEqual(30);
      expect(summary.latency.handshake).toBeDefined();
      expect(summary.latency.heartbeat_rtt?.corrected.count).toBeGreaterThan(100);
      expect(summary.latency.propagation?.corrected.count).toBeGreaterThan(10);
      expect(summary.counters.joins).toBeGreaterThanOrEqual(30);
      expect((summary.counters.leaves ?? 0) + (summary.counters.vanishes ?? 0)).toBeGreaterThan(0);
      expect(Object.keys(summary.errors.byKind).filter((k) => k !== 'disconnect')).toEqual([]);
    } finally {
      stop.abort();
      await server.close();
    }
  }, 60_000);
});
