import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { loadScenario, runLoadTest } from '../../src/load/index.ts';
import { GroupMaker } from '../../src/load/scenarios/se1-catan.ts';
import { loadProtocol, type RunningServer } from '../../src/protocols/registry.ts';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('se1-catan against the reference SE1 server', () => {
  it('groups sessions by three, plays every game to the end and times every command', async () => {
    const protocol = await loadProtocol('se1');
    server = await protocol.start({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger,
      settings: { game: 'catan', seed: '5' },
    });
    const s = server;
    const { status, summary } = await runLoadTest({
      scenario: await loadScenario('se1-catan'),
      host: s.host,
      port: s.port,
      workload: { kind: 'closed', start: 3, stages: [{ durationMs: 300, target: 3 }] },
      thinkTimeMs: 0,
      requestTimeoutMs: 10_000,
      gracefulStopMs: 60_000,
      params: { strategy: 'catan-heuristic', lobbyTimeoutMs: 5000 },
      seed: 'test',
      thresholds: [],
    });
    const stats = s.stats();
    expect(status).toBe('completed');
    expect(summary.errors.total).toBe(0);
    const c = summary.counters;
    expect(c.games_created).toBe(stats.gamesCreated);
    expect(c.games).toBeGreaterThanOrEqual(1);
    expect(c.games).toBe(stats.gamesFinished);
    expect(c.turns).toBeGreaterThan(10);
    expect(stats.errors).toBe(0);
    for (const metric of ['join_rtt', 'first_event', 'start_game_rtt', 'roll_dies_rtt', 'build_rtt', 'end_turn_rtt'])
      expect(summary.latency[metric]?.corrected.count, metric).toBeGreaterThan(0);
    expect(summary.latency.end_turn_rtt!.corrected.count).toBe(c.turns);
  }, 120_000);

  it('plays Cities & Knights games (rules=cities-and-knights) to the end and times the knight commands', async () => {
    const protocol = await loadProtocol('se1');
    server = await protocol.start({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger,
      settings: { game: 'catan', seed: '6', rules: 'rules=cities-and-knights' },
    });
    const s = server;
    const { status, summary } = await runLoadTest({
      scenario: await loadScenario('se1-catan'),
      host: s.host,
      port: s.port,
      workload: { kind: 'closed', start: 3, stages: [{ durationMs: 300, target: 3 }] },
      thinkTimeMs: 0,
      requestTimeoutMs: 10_000,
      gracefulStopMs: 90_000,
      params: { strategy: 'catan-heuristic', lobbyTimeoutMs: 5000, rules: 'cities-and-knights' },
      seed: 'test',
      thresholds: [],
    });
    expect(status).toBe('completed');
    expect(summary.errors.total).toBe(0);
    expect(summary.counters.games).toBeGreaterThanOrEqual(1);
    expect(summary.counters.games).toBe(s.stats().gamesFinished);
    for (const metric of ['roll_dies_rtt', 'upgrade_progress_rtt', 'activate_knight_rtt'])
      expect(summary.latency[metric]?.corrected.count, metric).toBeGreaterThan(0);
  }, 150_000);

  it('a base-rules session on a Cities & Knights server is an error, not a silent game by other rules', async () => {
    const protocol = await loadProtocol('se1');
    server = await protocol.start({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger,
      settings: { game: 'catan', seed: '7', rules: 'rules=cities-and-knights' },
    });
    const s = server;
    const { summary } = await runLoadTest({
      scenario: await loadScenario('se1-catan'),
      host: s.host,
      port: s.port,
      workload: { kind: 'closed', start: 3, stages: [{ durationMs: 300, target: 3 }] },
      thinkTimeMs: 0,
      requestTimeoutMs: 10_000,
      gracefulStopMs: 30_000,
      params: { strategy: 'catan-random', lobbyTimeoutMs: 5000, rules: 'base' },
      seed: 'test',
      thresholds: [],
    });
    expect(summary.errors.total).toBeGreaterThan(0);
    expect(summary.counters.games ?? 0).toBe(0);
  }, 60_000);

  it('a group is full at its size: the fourth session creates the next game', () => {
    const groups = new GroupMaker('g', 3);
    expect([0, 1, 2, 3].map(() => groups.claim().role)).toEqual(['create', 'join', 'join', 'create']);
  });
});
