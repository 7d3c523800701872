import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { TOTAL_TILES } from '../../src/games/carcassonne/index.ts';
import { loadScenario, runLoadTest, type Workload } from '../../src/load/index.ts';
import { loadProtocol, type RunningServer } from '../../src/protocols/registry.ts';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function startSe1(): Promise<RunningServer> {
  const protocol = await loadProtocol('se1');
  server = await protocol.start({
    host: '127.0.0.1',
    port: 0,
    log: silentLogger,
    settings: { game: 'carcassonne', seed: '5' },
  });
  return server;
}

async function run(workload: Workload, params: Record<string, string | number | boolean>) {
  const s = server!;
  return runLoadTest({
    scenario: await loadScenario('se1-carcassonne'),
    host: s.host,
    port: s.port,
    workload,
    thinkTimeMs: 0,
    requestTimeoutMs: 5000,
    // Games in flight when the duration ends finish on their own, so every counter can match the server's.
    gracefulStopMs: 30_000,
    params,
    seed: 'test',
    thresholds: [],
  });
}

describe('se1-carcassonne against the reference SE1 server', () => {
  it('a closed run: games match the server counters, every game is played to the last tile', async () => {
    await startSe1();
    const { status, summary } = await run(
      { kind: 'closed', start: 4, stages: [{ durationMs: 1500, target: 4 }] },
      { strategy: 'random', lobbyTimeoutMs: 2000 },
    );
    const stats = server!.stats();
    expect(status).toBe('completed');
    expect(summary.errors.total).toBe(0);
    expect(summary.sessions.started).toBeGreaterThanOrEqual(4);
    expect(summary.sessions.completed).toBe(summary.sessions.started);
    const c = summary.counters;
    expect(c.sessions).toBe(summary.sessions.started);
    expect(c.games_created).toBe(stats.gamesCreated);
    // A game created just before the run's end may find no second player (its creator leaves after the
    // lobby wait); every game that started was played to the end.
    expect(c.games_started! + (c.lobby_timeouts ?? 0)).toBe(c.games_created);
    expect(c.games).toBe(c.games_started);
    // A finished game counts once its last member has left.
    expect(c.games).toBe(stats.gamesFinished);
    expect(c.games).toBeGreaterThanOrEqual(2);
    expect(stats.games).toBe(0);
    // The SE1 server counts no moves: every tile of the standard deck but the start tile is either placed
    // (one turn each) or discarded, so the bots' counts must add up to that for every game.
    expect((c.moves ?? 0) + (c.tiles_discarded ?? 0)).toBe(c.games! * (TOTAL_TILES - 1));
    expect(c.meeples).toBeGreaterThan(0);
    // Every line a bot sent reached the server (each is one command there).
    expect(summary.throughput.messagesOut).toBe(stats.commands);
    expect(stats.errors).toBe(0);
    for (const metric of [
      'connect',
      'testplayer_rtt',
      'login_rtt',
      'create_rtt',
      'join_rtt',
      'first_event',
      'start_game_rtt',
      'draw_card_rtt',
      'place_card_rtt',
      'place_meeple_rtt',
      'end_turn_rtt',
      'decide',
    ]) {
      expect(summary.latency[metric]?.corrected.count, metric).toBeGreaterThan(0);
    }
    expect(summary.latency.end_turn_rtt!.corrected.count).toBe(c.moves);
  }, 60_000);

  it('a creator nobody joins leaves after the lobby wait, and the server drops the empty game', async () => {
    await startSe1();
    const { status, summary } = await run(
      { kind: 'closed', start: 1, stages: [{ durationMs: 100, target: 1 }] },
      { lobbyTimeoutMs: 300 },
    );
    const stats = server!.stats();
    expect(status).toBe('completed');
    expect(summary.errors.total).toBe(0);
    expect(summary.sessions.started).toBe(1);
    expect(summary.counters).toMatchObject({ games_created: 1, lobby_timeouts: 1, sessions: 1 });
    expect(summary.counters.games ?? 0).toBe(0);
    expect([stats.gamesCreated, stats.gamesFinished, stats.games]).toEqual([1, 0, 0]);
  }, 30_000);

  it('plays with the greedy strategy, and refuses a strategy of another game', async () => {
    await startSe1();
    const { status, summary } = await run(
      { kind: 'closed', start: 2, stages: [{ durationMs: 200, target: 2 }] },
      { strategy: 'greedy', lobbyTimeoutMs: 2000 },
    );
    expect(status).toBe('completed');
    expect(summary.errors.total).toBe(0);
    expect(summary.counters.games).toBeGreaterThanOrEqual(1);
    expect(summary.counters.games).toBe(server!.stats().gamesFinished);
    await expect(
      run({ kind: 'closed', start: 1, stages: [{ durationMs: 100, target: 1 }] }, { strategy: 'heuristic' }),
    ).rejects.toThrow(/heuristic/);
  }, 60_000);
});
