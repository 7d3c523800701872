import { describe, expect, it } from 'vitest';
import { GroupMaker } from '../../src/load/scenarios/se1-catan.ts';
import { runSe1Catan } from '../se1/catan-load.ts';

describe('se1-catan against the reference SE1 server', () => {
  it('groups sessions by three, plays every game to the end and times every command', async () => {
    const { status, summary, stats } = await runSe1Catan({
      serverSeed: '5',
      gracefulStopMs: 60_000,
      params: { strategy: 'catan-heuristic' },
    });
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
    const { status, summary, stats } = await runSe1Catan({
      serverSeed: '6',
      serverRules: 'cities-and-knights',
      gracefulStopMs: 90_000,
      params: { strategy: 'catan-heuristic', rules: 'cities-and-knights' },
    });
    expect(status).toBe('completed');
    expect(summary.errors.total).toBe(0);
    expect(summary.counters.games).toBeGreaterThanOrEqual(1);
    expect(summary.counters.games).toBe(stats.gamesFinished);
    for (const metric of ['roll_dies_rtt', 'upgrade_progress_rtt', 'activate_knight_rtt'])
      expect(summary.latency[metric]?.corrected.count, metric).toBeGreaterThan(0);
  }, 150_000);

  it('a base-rules session on a Cities & Knights server is an error, not a silent game by other rules', async () => {
    const { summary } = await runSe1Catan({
      serverSeed: '7',
      serverRules: 'cities-and-knights',
      gracefulStopMs: 30_000,
      params: { strategy: 'catan-random', rules: 'base' },
    });
    expect(summary.errors.total).toBeGreaterThan(0);
    expect(summary.counters.games ?? 0).toBe(0);
  }, 60_000);

  it('a group is full at its size: the fourth session creates the next game', () => {
    const groups = new GroupMaker('g', 3);
    expect([0, 1, 2, 3].map(() => groups.claim().role)).toEqual(['create', 'join', 'join', 'create']);
  });
});
