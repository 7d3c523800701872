/**
 * LEKT on loopback: the reference server runs as `botswarm serve lekt` in a child process (its own event loop,
 * and its own file-descriptor budget: 10,000 peers need 10,000 sockets on each side), the peers in this one,
 * each bound to its own 127.x.y.z address (the server keys clients by IPv4 address).
 *
 * - join and full sync: every peer connects and heartbeats (its answer lists the peers that joined before it),
 *   then heartbeats once more (the ones that joined after): every peer then lists every other.
 * - heartbeats/s: every peer heartbeats in a closed loop (next one when the answer arrives) for 5 s; nothing
 *   changes meanwhile, so this is the server's rate for empty answers.
 * - propagation: 40 extra peers join, then leave, 100 ms apart, while the swarm heartbeats every second; a
 *   change is propagated when every swarm peer has been told of it. Swarm peers keep only the 40 watched
 *   addresses in their lists (10,000 full lists of 10,000 would not fit one process), but every one of them
 *   receives and frames every update.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ipFromNumber, ipToNumber, LektPeer, METHOD, PropagationTracker } from '../src/protocols/lekt/index.ts';
import type { Bench, BenchResult } from './harness.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const INTERVAL_MS = 1000;
const CHURNERS = 40;
/** A swarm peer's client object: size, IPv4, one method (direct TCP: index and port). */
const OBJECT_BYTES = 4 + 4 + 4 + 2;

async function startServer(maxClients: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      // e.g. LEKT_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
      ...(process.env.LEKT_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      join(root, 'bin/botswarm.js'),
      'serve',
      'lekt',
      '--port',
      '0',
      '--json',
      '--log-level',
      'warn',
      '--set',
      `heartbeatIntervalMs=${INTERVAL_MS}`,
      '--set',
      // Swarm peers stay silent while the rest join (minutes at 10,000): they must not time out meanwhile.
      'heartbeatTimeoutMs=600000',
      '--set',
      'setupTimeoutMs=120000',
      '--set',
      `maxClients=${maxClients}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(() => {
      throw new Error('lekt server exited before listening');
    }),
  ])) as [string];
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function inBatches<T>(count: number, width: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await make(i);
      }
    }),
  );
  return out;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function swarm(n: number): Promise<BenchResult[]> {
  const { child, port } = await startServer(n + CHURNERS + 10);
  const base = ipToNumber('127.31.0.0');
  const churnBase = ipToNumber('127.30.0.0');
  const watched = new Set(Array.from({ length: CHURNERS }, (_, i) => churnBase + i));
  const tracker = new PropagationTracker((ip) => watched.has(ip));
  const samples: number[] = [];
  const peers: LektPeer[] = [];
  const churners: LektPeer[] = [];
  try {
    const joinStart = performance.now();
    await inBatches(n, 200, async (i) => {
      const me = base + i;
      const peer = await LektPeer.connect({
        host: '127.0.0.1',
        port,
        localAddress: ipFromNumber(me),
        methods: [{ method: METHOD.tcp, port: 20_000 + (i % 40_000) }],
        setupTimeoutMs: 120_000,
        keep: (ip) => watched.has(ip),
        onChange: (kind, ip) => {
          const done = tracker.seen(me, kind, ip);
          if (done) samples.push(done.micros / 1000);
        },
      });
      peers.push(peer);
      await peer.heartbeat();
      tracker.addObserver(me, peer);
    });
    // Each peer's first answer listed the peers that joined before it; one more heartbeat each brings the
    // ones that joined after. Then every peer lists every other: N(N-1) client objects have crossed loopback.
    await inBatches(n, 200, (i) => peers[i]!.heartbeat());
    const joinSeconds = (performance.now() - joinStart) / 1000;
    const objects = n * (n - 1);
    process.stderr.write(`   ${n} peers joined and fully synced in ${joinSeconds.toFixed(1)} s\n`);

    // Closed-loop heartbeats (nothing changes meanwhile, so every answer is an empty update): each peer sends
    // its next one as soon as the previous is answered.
    let answered = 0;
    let running = true;
    const loopStart = performance.now();
    const loops = peers.map(async (p) => {
      while (running) {
        try {
          await p.heartbeat();
        } catch {
          return;
        }
        if (running) answered++;
      }
    });
    await sleep(5000);
    running = false;
    const hbPerSec = answered / ((performance.now() - loopStart) / 1000);
    await Promise.all(loops);

    // Background: the swarm heartbeats every second, phases spread over the interval.
    const starters = peers.map((p) => setTimeout(() => p.startHeartbeats(INTERVAL_MS), Math.random() * INTERVAL_MS));
    await sleep(INTERVAL_MS * 1.5);
    const settle = async () => {
      const deadline = performance.now() + 15_000;
      while (tracker.pending > 0 && performance.now() < deadline) await sleep(50);
    };
    for (let i = 0; i < CHURNERS; i++) {
      const ip = churnBase + i;
      tracker.change('join', ip);
      churners.push(
        await LektPeer.connect({
          host: '127.0.0.1',
          port,
          localAddress: ipFromNumber(ip),
          methods: [{ method: METHOD.udp, port: 30_000 + i }],
          keep: () => false,
        }),
      );
      await sleep(100);
    }
    await settle();
    for (const [i, c] of churners.entries()) {
      tracker.change('leave', churnBase + i);
      await c.leave();
      await sleep(100);
    }
    await settle();
    const incomplete = tracker.pending;
    for (const t of starters) clearTimeout(t);
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    process.stderr.write(
      `   ${n} peers: ${Math.round(hbPerSec)} hb/s; propagation p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms (${samples.length} changes, ${incomplete} incomplete)\n`,
    );
    return [
      {
        group: 'LEKT',
        name: `${n} peers: heartbeats answered per second (closed loop, one in flight per peer)`,
        value: Math.round(hbPerSec),
        unit: 'hb/s',
        note: 'server in a child process; peers, framing and decoding in the bench process; 2 shared cores',
      },
      {
        group: 'LEKT',
        name: `${n} peers: add/remove propagation to every peer, p99 (heartbeat every ${INTERVAL_MS} ms)`,
        value: Math.round(p99),
        unit: 'ms',
        note: `p50 ${Math.round(p50)} ms over ${samples.length} joins and leaves${incomplete ? `, ${incomplete} incomplete after 15 s` : ''}; bounded below by the heartbeat interval`,
      },
      {
        group: 'LEKT',
        name: `${n} peers: join and full sync of the whole swarm (every peer lists every other)`,
        value: Math.round(joinSeconds * 10) / 10,
        unit: 's',
        note: `200 connects, then 200 heartbeats, in flight; N(N-1) = ${objects.toLocaleString('en-US')} client objects (${((objects * OBJECT_BYTES) / 1e6).toFixed(0)} MB) cross loopback, ${(objects / joinSeconds / 1e6).toFixed(1)} M objects/s`,
      },
    ];
  } finally {
    for (const p of [...peers, ...churners]) p.destroy();
    child.kill('SIGTERM');
    await once(child, 'exit').catch(() => {});
  }
}

export const run: Bench = async () => {
  const results: BenchResult[] = [];
  // 10,000 peers means 10^8 client objects (1.4 GB) to sync: the server copies them from bytes it keeps encoded,
  // so the run takes about half a minute; LEKT_BENCH_SIZES=… picks other sizes.
  const sizes = (process.env.LEKT_BENCH_SIZES ?? '1000,10000').split(',').map(Number);
  for (const n of sizes) results.push(...(await swarm(n)));
  return results;
};
