/**
 * What the live spectator page (`serve --web`) costs the game server (issue 21 item 4: "without slowing the game
 * server, measured"). The same Galax load — `galax-play`, 4-player games of random bots with a think time, a
 * closed model held for a fixed time — runs against `botswarm serve galax` in child processes, one without
 * `--web` and one with `--web` plus spectators connected over WebSocket, each following a different running
 * game (and the next one when its game ends). Measured per run: the server process's CPU time per 1,000 moves
 * (from /proc, user + system, over the hold; the server's process alone) and the move round trip p99 the bots
 * saw. The two sides run side by side, each pair over the same seconds: two servers, each with its own bots from
 * this process on the same seed, one without `--web` and one with it and the spectators, which of them starts
 * first alternating; PAIRS pairs after one uncounted warm-up pair, and the median of the pairs' ratios. (Run one
 * after the other, the sides met different seconds of the shared machine and the pairs scattered from 1.02 to
 * 1.40 in one run.)
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import WebSocket from 'ws';
import { silentLogger } from '../src/core/log.ts';
import { loadScenario, runLoadTest } from '../src/load/index.ts';
import type { Bench, BenchResult } from './harness.ts';
import { rampHold, serveArgs, startChild, stopChild } from './loadtest-kit.ts';

const GROUP = 'Live spectator page';
const BOTS = 400;
const THINK_MS = 100;
const RAMP_MS = 2000;
/** Per pair. */
const HOLD_MS = 6000;
const SPECTATORS = 10;
/**
 * Pairs measured (`SPECTATOR_PAIRS` to change it). Run one after the other (four pairs, off/on then on/off) the
 * two sides met different seconds of the shared machine: a pair's ratio ranged from 1.02 to 1.40 in one run.
 */
const PAIRS = Number(process.env.SPECTATOR_PAIRS ?? 7);

/** CPU seconds (user + system) the process has used, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5); the slice starts at field 3.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Spectators that each follow a different running game, and move on when it ends. */
function spectate(webPort: number, count: number) {
  const sockets: WebSocket[] = [];
  let frames = 0;
  let messages = 0;
  let bytes = 0;
  const watched = new Set<string>();
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${webPort}/ws`);
    let mine: string | undefined;
    ws.on('message', (data: Buffer) => {
      messages++;
      bytes += data.length;
      const m = JSON.parse(String(data)) as { type: string; games?: { id: string; status: string }[]; status?: string };
      if (m.type === 'frame') {
        frames++;
        if (m.status !== 'running' && mine) {
          watched.delete(mine);
          mine = undefined;
        }
      }
      if (m.type === 'games' && !mine) {
        const free = m.games!.find((g) => g.status === 'running' && !watched.has(g.id));
        if (free) {
          mine = free.id;
          watched.add(mine);
          ws.send(JSON.stringify({ type: 'watch', id: mine }));
        }
      }
    });
    sockets.push(ws);
  }
  return {
    frames: () => frames,
    /** Every message and byte the pages received (list, frames, errors). */
    traffic: () => ({ messages, bytes }),
    watching: () => watched.size,
    close: () => {
      for (const s of sockets) s.terminate();
    },
  };
}

interface Measured {
  cpuPerKiloMove: number;
  p99Ms: number;
  moves: number;
  frames: number;
  /** Messages and bytes sent to the pages over the hold. */
  messages: number;
  bytes: number;
  watching: number;
}

/** One server and its bots (and, with `web`, its spectators), run at the same time as the other side's. */
async function side(web: boolean, holdMs: number, started: Promise<void>) {
  const args = serveArgs('galax', { maxGames: 10_000, maxConnections: 0, moveTimeoutMs: 60_000, idleTimeoutMs: 0 });
  if (web) args.push('--web', '0');
  const { child, info } = await startChild(args);
  return {
    child,
    /** Runs the load (once both servers are up) and measures this server over the hold. */
    measure: async (): Promise<Measured> => {
      await started;
      const webPort = (info as { webPort?: number }).webPort;
      const viewers = web && webPort ? spectate(webPort, SPECTATORS) : undefined;
      try {
        let cpuAtHold = 0;
        let cpuAtEnd = 0;
        let framesAtHold = 0;
        let trafficAtHold = { messages: 0, bytes: 0 };
        let trafficAtEnd = { messages: 0, bytes: 0 };
        let watchingInHold = 0;
        const holdTimer = setTimeout(() => {
          cpuAtHold = cpuSeconds(child.pid!);
          framesAtHold = viewers?.frames() ?? 0;
          trafficAtHold = viewers?.traffic() ?? trafficAtHold;
        }, RAMP_MS);
        const endTimer = setTimeout(() => {
          cpuAtEnd = cpuSeconds(child.pid!);
          trafficAtEnd = viewers?.traffic() ?? trafficAtEnd;
          watchingInHold = viewers?.watching() ?? 0;
        }, RAMP_MS + holdMs);
        const { summary, recorder } = await runLoadTest({
          scenario: await loadScenario('galax-play'),
          host: '127.0.0.1',
          port: info.port,
          workload: rampHold(BOTS, RAMP_MS, holdMs),
          thinkTimeMs: THINK_MS,
          requestTimeoutMs: 10_000,
          stopGraceMs: 2000,
          params: { players: 4, bot: 'random', lobbyTimeoutMs: 5000 },
          // The same seed on both sides: the same bots play the same games.
          seed: 'bench-spectator',
          thresholds: [],
          log: silentLogger,
          preflight: false,
        });
        clearTimeout(holdTimer);
        clearTimeout(endTimer);
        const hold = recorder.points.filter((p) => p.t > RAMP_MS / 1000 && p.t <= (RAMP_MS + holdMs) / 1000);
        const moves = hold.reduce((a, p) => a + (p.counters.moves ?? 0), 0);
        const p99 = summary.latency.move_rtt?.uncorrected?.p99 ?? summary.latency.move_rtt?.corrected?.p99 ?? 0;
        return {
          cpuPerKiloMove: moves > 0 ? ((cpuAtEnd - cpuAtHold) * 1000) / moves : Number.NaN,
          p99Ms: p99 / 1000,
          moves,
          frames: (viewers?.frames() ?? 0) - framesAtHold,
          messages: trafficAtEnd.messages - trafficAtHold.messages,
          bytes: trafficAtEnd.bytes - trafficAtHold.bytes,
          watching: watchingInHold,
        };
      } finally {
        viewers?.close();
      }
    },
  };
}

/**
 * One pair: a server without `--web` and one with it and SPECTATORS pages, side by side over the same seconds,
 * each with its own BOTS bots from this process (the same seed). `webFirst` alternates which one starts first.
 */
async function pair(webFirst: boolean, holdMs = HOLD_MS): Promise<{ off: Measured; on: Measured }> {
  let go!: () => void;
  const started = new Promise<void>((resolve) => {
    go = resolve;
  });
  const sides: Awaited<ReturnType<typeof side>>[] = [];
  try {
    for (const web of webFirst ? [true, false] : [false, true]) sides.push(await side(web, holdMs, started));
    const runs = sides.map((s) => s.measure());
    go();
    const [a, b] = await Promise.all(runs);
    return webFirst ? { on: a!, off: b! } : { off: a!, on: b! };
  } finally {
    go();
    await Promise.all(sides.map((s) => stopChild(s.child)));
  }
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const run: Bench = async () => {
  const off: Measured[] = [];
  const on: Measured[] = [];
  // A first pair that is not counted: the generator's code warms up (JIT) in it. Each measured pair starts its own
  // servers, whose warm-up falls in the ramp, outside the hold.
  await pair(true, 2000);
  for (let i = 0; i < PAIRS; i++) {
    const m = await pair(i % 2 === 0);
    on.push(m.on);
    off.push(m.off);
    process.stderr.write(
      `   pair ${i + 1} of ${PAIRS}: ${(m.on.cpuPerKiloMove / m.off.cpuPerKiloMove).toFixed(3)}x; with --web ${m.on.cpuPerKiloMove.toFixed(4)}, without ${m.off.cpuPerKiloMove.toFixed(4)} CPU-s per 1000 moves; ` +
        `p99 ${m.on.p99Ms.toFixed(2)} and ${m.off.p99Ms.toFixed(2)} ms; ${m.on.moves} and ${m.off.moves} moves in the hold; ` +
        `${m.on.frames} frames to ${m.on.watching} spectators (${m.on.messages} messages, ${Math.round(m.on.bytes / 1024)} KiB)\n`,
    );
  }
  const mean = (xs: Measured[], f: (m: Measured) => number) => xs.reduce((a, m) => a + f(m), 0) / xs.length;
  const ratios = on.map((m, i) => m.cpuPerKiloMove / off[i]!.cpuPerKiloMove);
  const ratio = median(ratios);
  const cpuOff = median(off.map((m) => m.cpuPerKiloMove));
  const cpuOn = median(on.map((m) => m.cpuPerKiloMove));
  const p99Off = median(off.map((m) => m.p99Ms));
  const p99On = median(on.map((m) => m.p99Ms));
  const holdS = HOLD_MS / 1000;
  const setup = `Galax, ${BOTS} bots per server in 4-player games, think ${THINK_MS} ms, ramp ${RAMP_MS / 1000} s (not counted), hold ${holdS} s; each pair the two servers side by side over the same seconds (the same seed), which one starts first alternating`;
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const out: BenchResult[] = [
    {
      group: GROUP,
      name: `server CPU per move with ${SPECTATORS} spectators watching, relative to none`,
      value: Math.round(ratio * 1000) / 1000,
      unit: 'x',
      target: '<= 1.1',
      note: `median of ${ratios.length} pairs (${ratios.map((r) => r.toFixed(3)).join(', ')}); medians ${cpuOn.toFixed(4)} against ${cpuOff.toFixed(4)} CPU-seconds per 1000 moves (server process only, user+sys from /proc, over the hold); ${Math.round(mean(on, (m) => m.moves) / holdS)} and ${Math.round(mean(off, (m) => m.moves) / holdS)} moves/s; ${setup}; ${Math.round(mean(on, (m) => m.frames) / holdS)} frames/s sent; to the pages ${Math.round(mean(on, (m) => m.messages) / holdS)} messages/s, ${Math.round(mean(on, (m) => m.bytes) / holdS / 1024)} KiB/s; load average ${load}`,
    },
    {
      group: GROUP,
      name: `move round trip p99 with ${SPECTATORS} spectators, minus without`,
      value: Math.round((p99On - p99Off) * 100) / 100,
      unit: 'ms',
      target: '< 1',
      note: `p99 ${p99On.toFixed(2)} ms with, ${p99Off.toFixed(2)} ms without (median of ${on.length} runs each); ${setup}`,
    },
  ];
  return out;
};
