/**
 * Load test (group 'Load test'), for Galax and for Ore Rush:
 * 1. the most concurrent bots one generator keeps playing with a stable move round-trip p99: closed-model steps
 *    of 500/1000/2000/5000/10000 bots (think time 1 s), each ramped over 4 s then held 10 s, judged by the one
 *    strict rule of `judgeStep` (the p99 of every sample of the whole hold, `holdWindow`: no second left out and
 *    none averaged; every bot playing; no errors; the worst second's p99 is in the note). Galax against its
 *    reference server (a child process), sessions on one thread and on two worker threads (`--threads 2`); Ore
 *    Rush on two worker threads, against a cheap answering peer (bench/orerush-answering-server.ts: the
 *    generator's own figure) and, separately, against the reference server (the server's capacity);
 * 2. memory per connected bot (heap and RSS growth over the idle generator, divided by the bots of a step);
 * 3. round trips/s of botswarm's client against a minimal raw `net` client that coalesces its writes as
 *    botswarm does, side by side, both against the same tiny answering server in a child process (so only
 *    client cost differs): MOVE→MVOK for Galax, pmove→succs for Ore Rush (target >= 80%);
 * 4. what `--out` (summary.json, timeseries.csv and report.html written every second) costs at 100 and 5,000
 *    Galax bots: the same run with and without it, alternated in six pairs, each pair compared (`paired`: the
 *    median difference, the interval from the lowest to the highest, 97% for the median, and the A/A spread). The
 *    move_rtt p99 over the hold is judged on the median of the six pair differences (target < 1 ms, issue #22):
 *    identical runs differ by milliseconds on a shared machine (four runs of each kind averaged read -1.06 ms in
 *    the full bench at bad4b91 and +2.25 ms in the next, at 30216b8, same code on that path), and a median of
 *    pairs is moved by one slow run no more than by one pair. A second row (target < 1 ms too) is the measuring
 *    thread's own work at its per-second tick, a run's quickest tick: the only work --out puts on the thread that
 *    reads the replies, so the most it can hold a reply back by, and a figure the machine only ever adds to. The
 *    note has that thread's CPU per second and the other threads' (the writer's), with and without.
 * `LOADTEST_PARTS=galax-rtt,orerush-rtt` (or `galax-capacity`, `orerush-capacity`, `orerush-server`,
 * `out-inflation`) runs only those parts; `LOADTEST_STEPS=2000,5000` replaces the capacity steps and
 * `LOADTEST_HOLD_MS=5000` the hold (for a quick look).
 */

import type { Bench, BenchResult } from './harness.ts';
import { capYoungGeneration } from './load-build.ts';
import { botswarmGalaxClient, MVOK_SERVER, rawGalaxClient } from './loadtest-galax.ts';
import {
  type CapacityOptions,
  capacityFigures,
  capacitySteps,
  galaxLoadServerArgs,
  median,
  type OutRun,
  outInflation,
  type Paired,
  serveArgs,
  sideBySide,
  sideBySideFigures,
  softFdLimit,
  wantedParts,
  wantedSteps,
  withChild,
} from './loadtest-kit.ts';
import { botswarmOreRushClient, rawOreRushClient, SUCCS_SERVER } from './loadtest-orerush.ts';

const GROUP = 'Load test';
const PARTS = [
  'galax-rtt',
  'orerush-rtt',
  'galax-capacity',
  'orerush-capacity',
  'orerush-server',
  'out-inflation',
] as const;
const STEPS = wantedSteps([500, 1000, 2000, 5000, 10_000]);
const HOLD_MS = Number(process.env.LOADTEST_HOLD_MS ?? 10_000);
if (!Number.isInteger(HOLD_MS) || HOLD_MS < 1000)
  throw new Error(`LOADTEST_HOLD_MS: not a hold of at least 1000 ms: ${process.env.LOADTEST_HOLD_MS}`);
const COMMON = { thinkMs: 1000, rampMs: 4000, holdMs: HOLD_MS, p99LimitMs: 200, steps: STEPS } as const;

export const run: Bench = async () => {
  // As `botswarm loadtest` does before its run (this module runs in its own process): the product's default.
  capYoungGeneration();
  const out: BenchResult[] = [];
  const parts = wantedParts(PARTS);
  const fdLimit = softFdLimit();
  // Each bot is one socket here; keep room for the rest of the process.
  const maxBots = Math.max(0, fdLimit - 200);

  // 3. Client overhead first (a quiet process).
  if (parts.has('galax-rtt')) {
    const best = await withChild([process.execPath, '-e', MVOK_SERVER], (port) =>
      sideBySide({
        raw: (ms) => rawGalaxClient(port, ms, false),
        rawCoalescing: (ms) => rawGalaxClient(port, ms, true),
        ours: (ms) => botswarmGalaxClient(port, ms),
        oursPromises: (ms) => botswarmGalaxClient(port, ms, true),
      }),
    );
    out.push(...sideBySideFigures(GROUP, { exchange: 'Galax MOVE→MVOK', client: 'GalaxClient' }, best));
  }
  if (parts.has('orerush-rtt')) {
    const best = await withChild([process.execPath, '-e', SUCCS_SERVER], (port) =>
      sideBySide({
        raw: (ms) => rawOreRushClient(port, ms, false),
        rawCoalescing: (ms) => rawOreRushClient(port, ms, true),
        ours: (ms) => botswarmOreRushClient(port, ms),
        oursPromises: (ms) => botswarmOreRushClient(port, ms, true),
      }),
    );
    out.push(...sideBySideFigures(GROUP, { exchange: 'Ore Rush pmove→succs', client: 'OreRushClient' }, best));
  }

  // 1 and 2. Capacity against each reference server in its own process.
  if (parts.has('galax-capacity')) {
    const server = galaxLoadServerArgs();
    await withChild(server, async (port, pid) => {
      const o: CapacityOptions = {
        ...COMMON,
        label: 'Galax',
        scenario: 'galax-play',
        params: { players: 4, bot: 'random', lobbyTimeoutMs: 5000 },
        port,
        // The server shares the 2 cores: its CPU over each hold is in the note beside the generator's.
        serverPid: pid,
        maxBots,
        fdLimit,
        metric: 'move_rtt',
        exchange: 'MOVE→MVOK',
        target: '>= 10000',
      };
      // The same steps with the sessions on one thread and on two worker threads (--threads 2), both reported.
      const one = await capacitySteps(o);
      const two = await capacitySteps({ ...o, threads: 2 });
      // The target is the generator's (issue #17: one generator, 2 worker threads): judged on the 2-thread row and
      // the best-of row below; the 1-thread row shows what one core holds and has none.
      const { target: _generatorTarget, ...oneThread } = o;
      out.push(...capacityFigures(GROUP, oneThread, one), ...capacityFigures(GROUP, { ...o, threads: 2 }, two));
      const stableUpTo = (steps: typeof one) => steps.filter((s) => s.stable).at(-1)?.bots ?? 0;
      out.push({
        group: GROUP,
        name: 'Galax generator: most bots with a stable MOVE→MVOK p99, best of 1 and 2 threads',
        value: Math.max(stableUpTo(one), stableUpTo(two)),
        unit: 'bots',
        target: '>= 10000',
        note: `1 thread: stable up to ${stableUpTo(one)}; 2 threads: stable up to ${stableUpTo(two)} (same steps, same server process); the 1-thread row has no target of its own: a generator is judged with its threads`,
      });
    });
  }
  if (parts.has('out-inflation')) {
    const server = galaxLoadServerArgs();
    await withChild(server, async (port) => {
      const common = { port, scenario: 'galax-play', params: { players: 4, bot: 'random', lobbyTimeoutMs: 5000 } };
      // Six pairs of short runs rather than four of long ones: a pair is the unit compared, and the median of six
      // pair differences has an interval (their lowest to highest) at 97%.
      const order = [false, true, true, false, false, true, true, false, false, true, true, false];
      const cases = [
        { bots: 100, thinkMs: 200, rampMs: 1000, holdMs: 4000, order },
        { bots: 5000, thinkMs: 1000, rampMs: 4000, holdMs: 5000, order },
      ].filter((c) => c.bots <= maxBots);
      for (const c of cases) {
        const r = await outInflation({ ...common, ...c, metric: 'move_rtt' });
        if (!r) {
          process.stderr.write(`   --out inflation at ${c.bots} bots: no move_rtt sample in a hold, no figure\n`);
          continue;
        }
        const ms = (v: number) => v.toFixed(2);
        const interval = (p: Paired, unit: string) =>
          `median of ${p.diffs.length} pairs ${ms(p.median)} ${unit}, ${Math.round(p.confidence * 1000) / 10}% interval ${ms(p.low)} to ${ms(p.high)}, A/A spread ${ms(p.aa)} ${unit}`;
        const how = `runs alternated ${c.order.map((x) => (x ? 'with' : 'without')).join('/')}, think ${c.thinkMs} ms, ramp ${c.rampMs / 1000}s, hold ${c.holdMs / 1000}s`;
        const of = (out: boolean, f: (x: OutRun) => number) => ms(median(r.runs.filter((x) => x.out === out).map(f)));
        const tickOf = (x: OutRun) => Math.min(...x.ticksMs);
        out.push({
          group: GROUP,
          name: `Galax move_rtt p99 inflation caused by --out at ${c.bots} bots`,
          value: Math.round(r.p99.median * 100) / 100,
          unit: 'ms',
          // Issue #22's figure and target: judged on the median of the pairs' differences, the interval beside it.
          target: '< 1',
          note:
            `hold p99 (every sample of the hold) with --out minus without, per pair of runs: ${r.p99.diffs.map(ms).join(', ')} ms; ${interval(r.p99, 'ms')}; ` +
            `runs: ${r.runs.map((x) => `${x.out ? 'with' : 'without'} ${ms(x.p99Ms)}`).join(', ')}; ${how}. ` +
            'runs of the same kind differ by about as much as the 1 ms judged on a loaded machine (the A/A spread above): the next row is what --out costs the measuring thread itself, the one place it could hold a reply back',
        });
        out.push({
          group: GROUP,
          name: `Galax --out: the measuring thread's own work per second it adds at ${c.bots} bots`,
          value: Math.round(r.tick.median * 1000) / 1000,
          unit: 'ms',
          target: '< 1',
          note:
            `the tick (the second's samples folded and, with --out, copied and posted to the writer): the only work --out puts on the thread reading the replies each second, so the most it can hold a reply back by; ` +
            `quickest tick of a run (the machine only ever adds to one) with --out minus without, per pair: ${r.tick.diffs.map((d) => d.toFixed(3)).join(', ')} ms; ${interval(r.tick, 'ms')}; ` +
            `quickest tick ${of(true, tickOf)} ms with, ${of(false, tickOf)} ms without (medians of the runs), longest ${ms(Math.max(...r.runs.filter((x) => x.out).flatMap((x) => x.ticksMs)))} ms with, ${ms(Math.max(...r.runs.filter((x) => !x.out).flatMap((x) => x.ticksMs)))} ms without. ` +
            `Measuring thread's CPU over the hold ${of(true, (x) => x.mainCpuMsPerS)} ms/s with, ${of(false, (x) => x.mainCpuMsPerS)} without (${interval(r.mainCpu, 'ms/s')}; 10 ms clock ticks); ` +
            `the process's other threads (the writer's work among them, competing for the cores) ${of(true, (x) => x.otherCpuMsPerS)} ms/s with, ${of(false, (x) => x.otherCpuMsPerS)} without (${interval(r.otherCpu, 'ms/s')}); ` +
            `event-loop lag p99 ${of(true, (x) => x.lagP99Ms)} ms with, ${of(false, (x) => x.lagP99Ms)} without (medians of the runs, net); ${how}`,
        });
      }
    });
  }
  const orerush = (port: number): Omit<CapacityOptions, 'against'> => ({
    ...COMMON,
    label: 'Ore Rush',
    scenario: 'orerush-play',
    params: { bot: 'random', lobbyTimeoutMs: 10_000 },
    port,
    maxBots,
    fdLimit,
    metric: 'move_rtt',
    exchange: 'pmove→succs',
    threads: 2,
  });
  if (parts.has('orerush-capacity')) {
    // The generator's own figure: against a peer that answers with updates encoded once at its start (its cost per
    // bot is a read and a write), so the server side is not what limits it; that peer's CPU is reported per step.
    await withChild([process.execPath, '--import', 'tsx', 'bench/orerush-answering-server.ts'], async (port, pid) => {
      const o: CapacityOptions = {
        ...orerush(port),
        serverPid: pid,
        against: 'a cheap answering peer',
        target: '>= 10000',
      };
      out.push(...capacityFigures(GROUP, o, await capacitySteps(o)));
    });
  }
  if (parts.has('orerush-server')) {
    // The reference server's own capacity: games of 4 seated by quick match; 200 rounds at about one a second
    // outlast every step. The server keeps its documented keep-alive (an `awake` to every session each second,
    // answered with `succs`). Its CPU over each hold is in the note (the generator shares the machine).
    const server = serveArgs('orerush', {
      maxGames: 1_000_000,
      maxConnections: 1_000_000,
      quickPlayers: 4,
      roundTimeoutMs: 60_000,
    });
    await withChild(server, async (port, pid) => {
      const o: CapacityOptions = { ...orerush(port), serverPid: pid, against: 'the reference server' };
      out.push(...capacityFigures(GROUP, o, await capacitySteps(o)));
    });
  }
  return out;
};
