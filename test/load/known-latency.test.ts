/**
 * The load test's figures against a server whose reply delay is known and measured on the server side
 * (test/load/fixtures/galax-delay-server.ts, a child process): the body of the distribution, the same p99 with
 * and without `--out`, stalls in the server response gaps, honest coordinated-omission labels, and what was in
 * flight when the run ended (issue 22).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, parseThreshold, runLoadTest, type TimePoint } from '../../src/load/index.ts';

interface Truth {
  count: number;
  p50: number;
  p99: number;
  max: number;
  movesIn: number;
  movesUnanswered: number;
  /** The truth's p99 in each second of the run (the windows `run` asked for), ms. */
  windowP99: number[];
}

const dir = mkdtempSync(join(tmpdir(), 'botswarm-known-latency-'));
let child: ChildProcess;
let port = 0;
let echoPort = 0;
const replies: ((line: Record<string, unknown>) => void)[] = [];

function command(line: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    replies.push(resolve);
    child.stdin!.write(`${line}\n`);
  });
}

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'galax-delay-server.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  [port, echoPort] = await new Promise<[number, number]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the delay server did not start')), 60_000);
    lines.on('line', (line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      if (typeof message.port === 'number') {
        clearTimeout(timer);
        resolve([message.port, message.echoPort as number]);
      } else replies.shift()?.(message);
    });
  });
}, 70_000);

afterAll(() => {
  child?.stdin?.end();
  child?.kill();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * What the machine adds to any round trip between two processes (loopback, both processes' wake-ups): a minimal
 * client pings the fixture's echo every 10 ms while `during` runs; the median and p99, ms. On a quiet machine they
 * are a few hundredths of a millisecond; a loaded one adds its scheduling delays. The client runs on a worker
 * thread of its own: on the generator's thread it would be delayed by whatever delays the generator, a cost of
 * `--out` on that thread included, and count it as the machine's.
 */
const PINGER = `
const { connect } = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const socket = connect({ host: '127.0.0.1', port: workerData });
socket.setNoDelay(true);
const rtts = [];
let sentAt = 0;
let timer;
// Each round trip with the epoch time it was sent at, so that a run's seconds can be told apart.
socket.on('data', () => rtts.push([performance.timeOrigin + sentAt, performance.now() - sentAt]));
socket.once('connect', () => {
  parentPort.postMessage('ready');
  timer = setInterval(() => {
    sentAt = performance.now();
    socket.write('ping\\n');
  }, 10);
});
parentPort.once('message', () => {
  clearInterval(timer);
  socket.destroy();
  parentPort.postMessage(rtts);
});
`;

async function machineFloor<T>(during: () => Promise<T>): Promise<{ result: T; pings: [number, number][] }> {
  const pinger = new Worker(PINGER, { eval: true, workerData: echoPort });
  try {
    await new Promise((resolve, reject) => {
      pinger.once('message', resolve);
      pinger.once('error', reject);
    });
    const result = await during();
    const pings = await new Promise<[number, number][]>((resolve) => {
      pinger.once('message', resolve);
      pinger.postMessage('stop');
    });
    return { result, pings };
  } finally {
    await pinger.terminate();
  }
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(half)]! : (sorted[half - 1]! + sorted[half]!) / 2;
};

interface RunOptions {
  delayMs: number;
  stallEveryMs?: number;
  stallMs?: number;
  out?: string;
  durationMs: number;
  bots?: number;
  thinkTimeMs?: number;
  /** Games each session plays before it leaves. */
  games?: number;
}

async function run(o: RunOptions) {
  await command(
    `config ${JSON.stringify({ delayMs: o.delayMs, stallEveryMs: o.stallEveryMs ?? 0, stallMs: o.stallMs ?? 0 })}`,
  );
  const bots = o.bots ?? 8;
  /** When each second closed (epoch ms), from the run's start: the windows the server's truth is cut into. */
  const edges: number[] = [];
  const points: TimePoint[] = [];
  const { result, pings } = await machineFloor(async () =>
    runLoadTest({
      scenario: await loadScenario('galax-play'),
      host: '127.0.0.1',
      port,
      workload: { kind: 'closed', start: bots, stages: [{ durationMs: o.durationMs, target: bots }] },
      thinkTimeMs: o.thinkTimeMs ?? 100,
      requestTimeoutMs: 10_000,
      params: { players: 2, bot: 'random', lobbyTimeoutMs: 2000, games: o.games ?? 1 },
      seed: 'known-latency',
      thresholds: ['max(server_gap) < 500ms'].map(parseThreshold),
      gapThresholdMs: 500,
      onTick: (point, recorder) => {
        if (edges.length === 0) edges.push(performance.timeOrigin + recorder.startedAt);
        edges.push(performance.timeOrigin + performance.now());
        points.push(point);
      },
      ...(o.out ? { outDir: o.out } : {}),
    }),
  );
  // The server closes a cut-off session's connection a moment after the client: let it see every close.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { stats } = (await command(`stats ${JSON.stringify({ edges })}`)) as { stats: Truth };
  const rtts = pings.map(([, rtt]) => rtt).sort((x, y) => x - y);
  /**
   * Each whole second after the first (which seats the bots): its move_rtt p99 over the server's own p99 for that
   * second, and the machine's p99 round trip in it, ms.
   */
  const seconds = points.flatMap((p, i) => {
    const move = p.latency.move_rtt;
    if (i === 0 || p.seconds < 0.9 || !move?.count) return [];
    const inside = pings.filter(([at]) => at >= edges[i]! && at < edges[i + 1]!).map(([, rtt]) => rtt);
    inside.sort((x, y) => x - y);
    return [
      {
        excess: move.p99 / 1000 - stats.windowP99[i]!,
        floor: percentile(inside, 99),
      },
    ];
  });
  return { ...result, truth: stats, floor: { p50: percentile(rtts, 50), p99: percentile(rtts, 99) }, seconds };
}

const DELAY_MS = 20;
/** Enough bots and a short enough think time for a few hundred MOVEs a second: a second's p99 rests on several. */
const BOTS = 16;
/** Without and with --out, alternated. */
const OUT_ORDER = [false, true, true, false] as const;

describe('load-test figures against a server with a known delay', { timeout: 120_000 }, () => {
  it('p50 and p99 match the server-side truth, with and without --out, and the labels are honest', async () => {
    const runs: { label: string; out?: string; r: Awaited<ReturnType<typeof run>> }[] = [];
    for (const [i, withOut] of OUT_ORDER.entries()) {
      const out = withOut ? join(dir, `out-${i}`) : undefined;
      const label = `${withOut ? '--out' : 'no --out'} (run ${i + 1})`;
      const r = await run({
        delayMs: DELAY_MS,
        // Three whole seconds after the first: the tick at 4 s comes before the end.
        durationMs: 4300,
        bots: BOTS,
        thinkTimeMs: 25,
        // Played this fast a game can end within the run: its bots then start another.
        games: 1000,
        ...(out ? { out } : {}),
      });
      runs.push({ label, ...(out ? { out } : {}), r });
    }
    for (const { label, r } of runs) {
      const move = r.summary.latency.move_rtt!;
      expect(move.corrected.count, label).toBeGreaterThan(20);
      // The server itself took DELAY_MS (plus its timer's lateness): its own figure is the reference. The bot's
      // median is within 1 ms of it, plus what this machine adds to a round trip between the two processes (its
      // p99, measured alongside: on a 2-core machine running other test files at the same time, a process waits
      // for a core now and then) and the generator's own median event-loop delay. On a quiet machine both are a
      // few hundredths of a millisecond.
      const lag = r.summary.generator.eventLoopLag;
      const why = `${label}: bot p50 ${move.corrected.p50 / 1000} ms, server p50 ${r.truth.p50} ms, machine floor p50 ${r.floor.p50} ms p99 ${r.floor.p99} ms, generator lag p50 ${lag.p50Ms} ms`;
      expect(r.truth.p50, why).toBeGreaterThanOrEqual(DELAY_MS);
      expect(Math.abs(move.corrected.p50 / 1000 - r.truth.p50), why).toBeLessThanOrEqual(1 + r.floor.p99 + lag.p50Ms);
      // A MOVE answers the server's YEAR: reactive, one view, never labelled corrected.
      expect(move, label).toMatchObject({ timing: 'reactive', coordinatedOmissionCorrected: false });
      expect(r.summary.latency.connect?.timing, label).toBe('unscheduled');
      // No percentile above the maximum (issue 14).
      expect(move.corrected.p999, label).toBeLessThanOrEqual(move.corrected.max);
      // No stall: every gap is the other player's think time and the delay, far under the threshold.
      const longest = Object.entries(r.summary.gaps!.byKind).map(([kind, g]) => `${kind} ${g.max / 1000} ms`);
      expect(r.summary.gaps!.overThreshold, `${label}: longest gaps ${longest}`).toBe(0);
      expect(r.summary.thresholdsOk, label).toBe(true);
      // In flight at the end: every session was cut off (each plays game after game), and every MOVE the server read
      // is counted once — answered, refused, or in flight; never silently lost.
      expect(r.summary.inFlightAtEnd.sessions, label).toBe(BOTS);
      const c = r.summary.counters;
      const refused = (r.summary.errors.byKind.ERRM ?? 0) + (r.summary.errors.byKind.ERRP ?? 0);
      expect((c.moves ?? 0) + refused + r.summary.inFlightAtEnd.requests, label).toBe(r.truth.movesIn);
      expect(r.summary.inFlightAtEnd.requests, label).toBeGreaterThanOrEqual(r.truth.movesUnanswered);
    }
    // --out costs the measuring thread nothing that reaches the figures: the p99's excess over the server's own
    // p99 is the same with and without it within 1 ms, plus the machine's noise. Judged so that a burst of the
    // machine (another test file's work, a process waiting for a core) cannot decide it, where a p99 over a whole
    // run, resting on a few samples, moved by 16 ms with one: per second (each whole second but the first, which
    // seats the bots), the median of a run's seconds, and of each kind the lower of its two runs. A burst moves a
    // second or a run; a cost of --out (its work comes every second) is in every second of both runs with it.
    // Runs alternate (A B B A), so that a slow drift of the machine falls on both kinds alike. The machine's noise
    // is its p99 round trip in a second (the median of the seconds), measured on a thread of its own: not the
    // generator's event-loop delay, which a cost of --out on that thread would raise along with the figures.
    const ofKind = (withOut: boolean) => runs.filter((x) => !!x.out === withOut);
    const lowest = (withOut: boolean, figure: (x: (typeof runs)[number]) => number) =>
      Math.min(...ofKind(withOut).map(figure));
    const noise = median(runs.flatMap((x) => x.r.seconds.map((s) => s.floor)));
    const runExcess = (x: (typeof runs)[number]) => median(x.r.seconds.map((s) => s.excess));
    const seconds = runs
      .map((x) => `${x.label}: ${x.r.seconds.map((s) => `${s.excess.toFixed(2)} (machine ${s.floor.toFixed(2)})`)}`)
      .join('; ');
    for (const x of runs) expect(x.r.seconds.length, seconds).toBeGreaterThanOrEqual(2);
    expect(
      Math.abs(lowest(true, runExcess) - lowest(false, runExcess)),
      `p99 over the server's per second, ms: ${seconds}`,
    ).toBeLessThanOrEqual(1 + noise);
    // A stall of a few ms once a second on the measuring thread delays the replies that arrive during it, about
    // 1% of them here: the p99 shows it only in some seconds (a busy-wait of 10 ms in the --out path moved the
    // figure above by under the machine's noise). Where --out touches that thread each second is the tick (the
    // point and the second's samples handed to the writer), timed as the generator's own per-second work: it is
    // no longer with --out (of each kind the lower of the two runs' worst second, the first second left out).
    const own = (x: (typeof runs)[number]) => x.r.summary.generator.selfMaxMs;
    expect(
      lowest(true, own) - lowest(false, own),
      `own per-second work max, ms: ${runs.map((x) => `${x.label} ${own(x)}`).join(', ')}; machine ${noise}`,
    ).toBeLessThanOrEqual(1 + noise);
    const last = runs.filter((x) => x.out).at(-1)!;
    const summary = JSON.parse(readFileSync(join(last.out!, 'summary.json'), 'utf8'));
    expect(summary.latency.move_rtt.timing).toBe('reactive');
    expect(summary.inFlightAtEnd.sessions).toBe(BOTS);
    const csv = readFileSync(join(last.out!, 'timeseries.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toContain('server_gap_max_ms');
    // One row per second, appended: as many rows as points, each with as many cells as the header.
    expect(csv.length - 1).toBe(last.r.recorder.points.length);
    for (const row of csv) expect(row.split(',').length).toBe(csv[0]!.split(',').length);
    const html = readFileSync(join(last.out!, 'report.html'), 'utf8');
    expect(html).toContain('id="gaps"');
    expect(html).toContain('id="in-flight"');
  });

  it('a periodic stall shows in the server response gaps and fails max(server_gap) < 500ms', async () => {
    // Every 2 s the server holds every line for 800 ms.
    const r = await run({ delayMs: DELAY_MS, stallEveryMs: 2000, stallMs: 800, durationMs: 5000 });
    const g = r.summary.gaps!;
    expect(g.thresholdMs).toBe(500);
    expect(g.all.max).toBeGreaterThanOrEqual(600_000);
    expect(g.longestPerBot.max).toBeGreaterThanOrEqual(600_000);
    expect(g.overThreshold).toBeGreaterThanOrEqual(1);
    expect(g.shareOverThreshold).toBeGreaterThan(0);
    expect(g.byKind.year?.max).toBeGreaterThanOrEqual(600_000);
    const gate = r.summary.thresholds.find((t) => t.threshold === 'max(server_gap) < 500ms')!;
    expect(gate.ok).toBe(false);
    expect(r.summary.thresholdsOk).toBe(false);
  });
});
