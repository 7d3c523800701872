import { describe, expect, it } from 'vitest';
import { loadScenario, runLoadTest } from '../../src/load/index.ts';
import { galaxHarness } from './galax-harness.ts';

const galax = galaxHarness();

describe('galax-play against the reference server', () => {
  it('a closed run: bots, games and moves match the server counters', async () => {
    await galax.start({ maxYear: '12', moveTimeoutMs: '5000', seed: '7' });
    const { status, summary } = await galax.run(
      { kind: 'closed', start: 8, stages: [{ durationMs: 2000, target: 8 }] },
      { players: 4, lobbyTimeoutMs: 1000, bot: 'random' },
      5,
    );
    const stats = galax.server().stats();
    expect(status).toBe('completed');
    expect(summary.errors.total).toBe(0);
    expect(summary.sessions.maxActive).toBe(8);
    expect(summary.sessions.started).toBeGreaterThanOrEqual(8);
    expect(summary.sessions.completed).toBe(summary.sessions.started);
    // Every session is one connection; the run's preflight probe is one more.
    expect(stats.connectionsTotal).toBe(summary.sessions.started + 1);
    expect(summary.throughput.connections).toBe(summary.sessions.started);
    const c = summary.counters;
    expect(c.games_created).toBe(stats.gamesCreated);
    expect(c.games_started).toBe(stats.gamesStarted);
    expect(c.games).toBe(stats.gamesFinished);
    expect(c.games).toBeGreaterThanOrEqual(2);
    expect(c.moves).toBe(stats.movesAccepted);
    expect(c.moves).toBeGreaterThan(0);
    expect([stats.errorsERRJ, stats.errorsERRP, stats.errorsERRC, stats.errorsERRM]).toEqual([0, 0, 0, 0]);
    // Every line a bot sent reached the server.
    expect(summary.throughput.messagesOut).toBe(stats.linesIn);
    for (const metric of ['connect', 'handshake', 'join_rtt', 'play_rtt', 'move_rtt', 'first_event']) {
      expect(summary.latency[metric]?.corrected.count, metric).toBeGreaterThan(0);
    }
    // A MOVE answers the server's YEAR, think time or not: reactive, never labelled corrected, one view.
    expect(summary.latency.move_rtt).toMatchObject({ timing: 'reactive', coordinatedOmissionCorrected: false });
    expect(summary.latency.move_rtt!.corrected).toEqual(summary.latency.move_rtt!.uncorrected);
    // Closed model: the session's start follows the previous session, so connect is not corrected either.
    expect(summary.latency.connect).toMatchObject({ timing: 'unscheduled', coordinatedOmissionCorrected: false });
    // Every bot waited for YEARs: the gaps are there, one kind per wait, merged over the run.
    expect(summary.gaps?.byKind.year?.count).toBeGreaterThan(0);
    expect(summary.gaps?.byKind.start?.count).toBeGreaterThan(0);
    // Every game ended before the graceful stop was over: nothing was cut off.
    expect(summary.inFlightAtEnd).toEqual({ sessions: 0, requests: 0 });
  });

  it('an open run: arrivals, games and moves match the server counters', async () => {
    await galax.start({ maxYear: '8', moveTimeoutMs: '5000', seed: '8' });
    const { status, summary } = await galax.run(
      { kind: 'open', start: 6, stages: [{ durationMs: 2000, rate: 6 }], maxSessions: 100 },
      { players: 2, lobbyTimeoutMs: 800, bot: 'heuristic' },
    );
    const stats = galax.server().stats();
    expect(status).toBe('completed');
    // 6/s for 2 s: 12 arrivals, none dropped.
    expect(summary.sessions.started).toBe(12);
    expect(summary.sessions.dropped).toBe(0);
    expect(summary.errors.total).toBe(0);
    expect(stats.connectionsTotal).toBe(13);
    const c = summary.counters;
    expect(c.games_created).toBe(stats.gamesCreated);
    expect(c.games_started ?? 0).toBe(stats.gamesStarted);
    expect(c.games ?? 0).toBe(stats.gamesFinished);
    expect(c.games).toBeGreaterThanOrEqual(5);
    expect(c.moves ?? 0).toBe(stats.movesAccepted);
    // A creator left alone leaves its unstarted game: the server counts it aborted.
    expect(c.lobby_timeouts ?? 0).toBe(stats.gamesAborted);
    expect(summary.latency.session_start_lag?.corrected.count).toBe(12);
    // Open model: sessions arrive on a schedule the server cannot move, so connect is corrected from it.
    expect(summary.latency.connect).toMatchObject({ timing: 'scheduled', coordinatedOmissionCorrected: true });
    expect(summary.latency.move_rtt?.timing).toBe('reactive');
  });

  it('an open run past its concurrency cap counts dropped sessions', async () => {
    await galax.start({ maxYear: '200', moveTimeoutMs: '5000' });
    const { summary } = await runLoadTest({
      scenario: await loadScenario('galax-play'),
      host: galax.server().host,
      port: galax.server().port,
      workload: { kind: 'open', start: 20, stages: [{ durationMs: 1000, rate: 20 }], maxSessions: 4 },
      thinkTimeMs: 200,
      requestTimeoutMs: 5000,
      params: { players: 2 },
      seed: '1',
      thresholds: [],
    });
    expect(summary.sessions.started).toBe(4);
    expect(summary.sessions.dropped).toBe(16);
    expect(summary.errors.total).toBe(0);
    // 200-year games outlast the 1 s run and there is no graceful stop: all 4 sessions were cut off, and said so.
    expect(summary.inFlightAtEnd.sessions).toBe(4);
  });
});
