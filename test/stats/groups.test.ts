import { describe, expect, it } from 'vitest';
import { type GamePool, groupGames, playGroups } from '../../src/match/index.ts';
import type { GameRecord } from '../../src/tournament/types.ts';
import type { BatchTask } from '../../src/tournament/worker.ts';

/** A pool whose tasks finish in reverse order of submission (the later, the sooner), as threads may. */
function reversingPool(parallel: number): GamePool & { submitted: number[][] } {
  let pending = 0;
  const submitted: number[][] = [];
  return {
    parallel,
    submitted,
    play(task: BatchTask) {
      submitted.push(task.games.map((g) => g.pairing));
      const delay = 40 - 10 * pending++;
      return new Promise<GameRecord[]>((resolve) =>
        setTimeout(
          () => {
            pending--;
            resolve(
              task.games.map(
                (g) =>
                  ({
                    ...g,
                    bots: [],
                    winner: 0,
                    scores: [1, 0],
                    ranks: [1, 2],
                    durationMs: 1,
                  }) as unknown as GameRecord,
              ),
            );
          },
          Math.max(1, delay),
        ),
      );
    },
    close: async () => {},
  };
}

const task = {
  game: 'galax',
  config: {},
  botSpecs: ['a', 'b'],
  labels: ['a', 'b'],
  baseDir: '/',
  budget: { iterations: 1 },
};

describe('playing groups on a pool', () => {
  it('hands groups over in group order, whatever order their tasks finish in', async () => {
    const pool = reversingPool(4);
    const seen: number[] = [];
    const end = await playGroups(
      {
        task,
        groups: 40,
        gamesOf: (g) => groupGames(g, [0, 1], 1000 + g),
        onGroup: (g, records) => {
          seen.push(g);
          // Both games of the pair, on one seed, with the seats swapped.
          expect(records.map((r) => r.seats)).toEqual([
            [0, 1],
            [1, 0],
          ]);
          expect(new Set(records.map((r) => r.seed))).toEqual(new Set([1000 + g]));
          return false;
        },
      },
      pool,
    );
    expect(end).toBe('complete');
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // Several tasks were out at once, so the order above was not just the submission order.
    expect(pool.submitted.length).toBeGreaterThan(4);
  });

  it('stops at the group onGroup says, and looks at no group after it', async () => {
    const seen: number[] = [];
    const end = await playGroups(
      {
        task,
        groups: 1000,
        gamesOf: (g) => groupGames(g, [0, 1], g),
        onGroup: (g) => {
          seen.push(g);
          return g === 9;
        },
      },
      reversingPool(3),
    );
    expect(end).toBe('stopped');
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('rotates a lineup of n bots through the seats, one game per rotation on one seed', () => {
    expect(groupGames(2, [0, 1, 2], 77)).toEqual([
      { index: 6, seed: 77, round: 0, pairing: 2, seats: [0, 1, 2] },
      { index: 7, seed: 77, round: 0, pairing: 2, seats: [1, 2, 0] },
      { index: 8, seed: 77, round: 0, pairing: 2, seats: [2, 0, 1] },
    ]);
  });
});
