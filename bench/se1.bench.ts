/**
 * SE1 lobby round trips in a load test (issue 9): the `se1-lobby` scenario (each bot: connect, CREATE TESTPLAYER,
 * LOGIN, then lobby requests NOOP / LIST GAMES / LIST USERS / ID one at a time, no think time) through the real
 * load runner, against `botswarm serve se1` in a child process, at 50 and 200 concurrent bots (closed model:
 * ramp 1 s, hold 10 s). Round trips/s are counted over the hold only; p50/p99 are over the whole run.
 * Generator and server share the machine's cores, so the figure is for both on one box.
 */
import { silentLogger } from '../src/core/log.ts';
import { loadScenario, runLoadTest } from '../src/load/index.ts';
import type { Bench, BenchResult } from './harness.ts';
import { rampHold, serveArgs, withChild } from './loadtest-kit.ts';

const GROUP = 'SE1';
const STEPS = [50, 200];
const RAMP_MS = 1000;
const HOLD_MS = 10_000;
/** Lobby requests per session: a new session (connect, test player, login) after every 100 round trips. */
const REQUESTS = 100;

export const run: Bench = async () => {
  const out: BenchResult[] = [];
  const scenario = await loadScenario('se1-lobby');
  for (const bots of STEPS) {
    // A fresh server per step: the test players of one step do not weigh on the next.
    const server = serveArgs('se1', {
      game: 'carcassonne',
      seed: 'bench',
      timeoutMs: 60_000,
      maxTestPlayers: 1_000_000,
    });
    await withChild(server, async (port) => {
      const { summary, recorder } = await runLoadTest({
        scenario,
        host: '127.0.0.1',
        port,
        workload: rampHold(bots, RAMP_MS, HOLD_MS),
        thinkTimeMs: 0,
        requestTimeoutMs: 10_000,
        stopGraceMs: 5000,
        params: { requests: REQUESTS },
        seed: `bench-se1-lobby-${bots}`,
        thresholds: [],
        log: silentLogger,
        preflight: false,
      });
      // Whole seconds fully inside the hold (the first second after the ramp is skipped: sessions still start).
      const hold = recorder.points.filter((p) => p.t > RAMP_MS / 1000 + 1 && p.t <= (RAMP_MS + HOLD_MS) / 1000);
      const requests = hold.reduce((a, p) => a + (p.counters.requests ?? 0), 0);
      const seconds = hold.reduce((a, p) => a + p.seconds, 0);
      const rate = seconds > 0 ? requests / seconds : 0;
      const rtt = summary.latency.lobby_rtt?.corrected;
      const ms = (micros: number | undefined) => Math.round((micros ?? 0) / 10) / 100;
      const note =
        `${bots} bots, no think time, ${REQUESTS} requests per session; held ${Math.round(seconds)} s; ` +
        `${summary.errors.total} errors; ${summary.sessions.completed} sessions completed; ` +
        `generator CPU ${Math.round(summary.generator.cpuPercent)}%${summary.generator.saturated ? ' (saturated)' : ''}; ` +
        'generator and server in separate processes on the same 2 cores';
      process.stderr.write(
        `   se1-lobby ${bots} bots: ${Math.round(rate)} rt/s, p50 ${ms(rtt?.p50)} ms, p99 ${ms(rtt?.p99)} ms, errors ${summary.errors.total}\n`,
      );
      out.push(
        {
          group: GROUP,
          name: `lobby round trips/s, ${bots} bots (load test)`,
          value: Math.round(rate),
          unit: 'rt/s',
          note,
        },
        { group: GROUP, name: `lobby round trip p50, ${bots} bots`, value: ms(rtt?.p50), unit: 'ms' },
        { group: GROUP, name: `lobby round trip p99, ${bots} bots`, value: ms(rtt?.p99), unit: 'ms' },
      );
    });
  }
  return out;
};
