import { describe, expect, it } from 'vitest';
import { BATCH_TARGET_MS, BatchPlanner } from '../../src/tournament/batching.ts';

const game = { seats: [0, 1] };
const games = Array.from({ length: 5000 }, () => game);

describe('BatchPlanner', () => {
  it('sizes tasks from the typical game, not from a few descheduled or cold ones', () => {
    const planner = new BatchPlanner();
    expect(planner.timed).toBe(false);
    // Cold games first, then 0.5 ms games of which one in twenty was descheduled for 40 ms.
    for (let i = 0; i < 10; i++) planner.observe({ seats: [0, 1], durationMs: 20 });
    for (let i = 0; i < 2000; i++) planner.observe({ seats: [1, 0], durationMs: i % 20 === 0 ? 40 : 0.5 });
    expect(planner.timed).toBe(true);
    // A plain mean says 2.6 ms a game (19 games a task); what the games take is about 0.5 ms.
    expect(planner.estimate(game)).toBeGreaterThan(0.5);
    expect(planner.estimate(game)).toBeLessThan(0.7);
    const size = planner.size(games, 0, games.length);
    expect(size).toBeGreaterThan(BATCH_TARGET_MS / 0.7);
    expect(size).toBeLessThanOrEqual(Math.ceil(BATCH_TARGET_MS / 0.5) + 1);
  });

  it('follows a lineup whose games really get longer', () => {
    const planner = new BatchPlanner();
    for (let i = 0; i < 100; i++) planner.observe({ seats: [0, 1], durationMs: 1 });
    for (let i = 0; i < 2000; i++) planner.observe({ seats: [0, 1], durationMs: 10 });
    expect(planner.estimate(game)).toBeCloseTo(10, 0);
    expect([5, 6]).toContain(planner.size(games, 0, games.length));
  });

  it('probes lineups never timed with a few games, and keeps a task within its cap', () => {
    const planner = new BatchPlanner();
    expect(planner.size(games, 0, games.length)).toBe(4);
    expect(planner.size(games, 0, 2)).toBe(2);
    expect(planner.size(games, 4999, games.length)).toBe(1);
  });
});
