/**
 * The load test's figures against a server whose reply delay is known and measured on the server side
 * (test/load/fixtures/galax-delay-server.ts, a child process): the body of the distribution, the same p99 with
 * and without `--out`, stalls in the server response gaps, honest coordinated-omission labels, and what was in
 * flight when the run ended (issue 22).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, parseThreshold, runLoadTest } from '../../src/load/index.ts';

interface Truth {
  count: number;
  p50: number;
  p99: number;
  max: number;
  movesIn: number;
  movesUnanswered: number;
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
 * What the machine adds to any round trip between this process and the server's (loopback, both processes'
 * wake-ups): a minimal client pings the fixture's echo every 10 ms while `during` runs; the median and p99, ms.
 * On a quiet machine they are a few hundredths of a millisecond; a loaded one adds its scheduling delays.
 */
async function machineFloor<T>(during: () => Promise<T>): Promise<{ result: T; p50: number; p99: number }> {
  const socket = connect({ host: '127.0.0.1', port: echoPort });
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  const rtts: number[] = [];
  let sentAt = 0;
  socket.on('data', () => rtts.push(performance.now() - sentAt));
  const timer = setInterval(() => {
    sentAt = performance.now();
    socket.write('ping\n');
  }, 10);
  try {
    const result = await during();
    const sorted = rtts.sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
    return { result, p50: at(50), p99: at(99) };
  } finally {
    clearInterval(timer);
    socket.destroy();
  }
}

async function run(o: { delayMs: number; stallEveryMs?: number; stallMs?: number; out?: string; durationMs: number }) {
  await command(
    `config ${JSON.stringify({ delayMs: o.delayMs, stallEveryMs: o.stallEveryMs ?? 0, stallMs: o.stallMs ?? 0 })}`,
  );
  const {
    result,
    p50: floorP50,
    p99: floorP99,
  } = await machineFloor(async () =>
    runLoadTest({
      scenario: await loadScenario('galax-play'),
      host: '127.0.0.1',
      port,
      workload: { kind: 'closed', start: 8, stages: [{ durationMs: o.durationMs, target: 8 }] },
      thinkTimeMs: 100,
      requestTimeoutMs: 10_000,
      params: { players: 2, bot: 'random', lobbyTimeoutMs: 2000 },
      seed: 'known-latency',
      thresholds: ['max(server_gap) < 500ms'].map(parseThreshold),
      gapThresholdMs: 500,
      ...(o.out ? { outDir: o.out } : {}),
    }),
  );
  // The server closes a cut-off session's connection a moment after the client: let it see every close.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { stats } = (await command('stats')) as { stats: Truth };
  return { ...result, truth: stats, floor: { p50: floorP50, p99: floorP99 } };
}

const DELAY_MS = 20;

describe('load-test figures against a server with a known delay', { timeout: 120_000 }, () => {
  it('p50 and p99 match the server-side truth, with and without --out, and the labels are honest', async () => {
    const plain = await run({ delayMs: DELAY_MS, durationMs: 4000 });
    const withOut = await run({ delayMs: DELAY_MS, durationMs: 4000, out: join(dir, 'out') });
    for (const [label, r] of [
      ['no --out', plain],
      ['--out', withOut],
    ] as const) {
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
      expect(r.summary.gaps!.overThreshold, label).toBe(0);
      expect(r.summary.thresholdsOk, label).toBe(true);
      // In flight at the end: every session was cut off (games never end here), and every MOVE the server read
      // is counted once — answered, refused, or in flight; never silently lost.
      expect(r.summary.inFlightAtEnd.sessions, label).toBe(8);
      const c = r.summary.counters;
      const refused = (r.summary.errors.byKind.ERRM ?? 0) + (r.summary.errors.byKind.ERRP ?? 0);
      expect((c.moves ?? 0) + refused + r.summary.inFlightAtEnd.requests, label).toBe(r.truth.movesIn);
      expect(r.summary.inFlightAtEnd.requests, label).toBeGreaterThanOrEqual(r.truth.movesUnanswered);
    }
    // --out costs the measuring thread nothing that reaches the figures: each p99's excess over the server's own
    // p99 is the same within 1 ms, plus the machine's own p99 round-trip noise and the generator's own p99
    // event-loop delay during the two runs (both near 0 on a quiet machine).
    const excess = (r: typeof plain) => r.summary.latency.move_rtt!.corrected.p99 / 1000 - r.truth.p99;
    const noise = Math.max(
      plain.floor.p99 + plain.summary.generator.eventLoopLag.p99Ms,
      withOut.floor.p99 + withOut.summary.generator.eventLoopLag.p99Ms,
    );
    expect(
      Math.abs(excess(withOut) - excess(plain)),
      `p99 excess over the server: ${excess(plain)} ms without --out, ${excess(withOut)} ms with; machine p99 ${noise} ms`,
    ).toBeLessThanOrEqual(1 + noise);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.latency.move_rtt.timing).toBe('reactive');
    expect(summary.inFlightAtEnd.sessions).toBe(8);
    const csv = readFileSync(join(dir, 'out', 'timeseries.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toContain('server_gap_max_ms');
    // One row per second, appended: as many rows as points, each with as many cells as the header.
    expect(csv.length - 1).toBe(withOut.recorder.points.length);
    for (const row of csv) expect(row.split(',').length).toBe(csv[0]!.split(',').length);
    const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
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
