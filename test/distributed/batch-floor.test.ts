import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BatchExecutor, type GameRecord, loadTournament, runTournament } from '../../src/tournament/index.ts';
import { type BatchTask, playBatchLines } from '../../src/tournament/worker.ts';

const scratch = mkdtempSync(join(tmpdir(), 'botswarm-floor-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const GAMES = 400;

/** An executor that plays in this thread, as a queue's would on a worker, and notes each batch's size. */
function recording(minBatchMs: number | undefined): BatchExecutor & { readonly sizes: number[] } {
  const sizes: number[] = [];
  return {
    slots: 1,
    batchTargetMs: 500,
    ...(minBatchMs !== undefined ? { minBatchMs } : {}),
    sizes,
    run: (task: BatchTask) => {
      sizes.push(task.games.length);
      return playBatchLines(task);
    },
  };
}

async function play(minBatchMs: number | undefined) {
  const loaded = await loadTournament({
    source: 'test',
    baseDir: scratch,
    raw: { name: 'floor', game: 'galax', bots: ['random', 'heuristic'], games: GAMES, seed: 'floor' },
  });
  const executor = recording(minBatchMs);
  const outDir = join(scratch, `run-${minBatchMs ?? 'none'}`);
  await runTournament(loaded, { outDir, executor });
  const records = readFileSync(join(outDir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as GameRecord)
    .map(({ durationMs: _, ...rest }) => rest)
    .sort((a, b) => a.index - b.index);
  return { sizes: executor.sizes, records };
}

describe('an executor’s smallest batch (BatchExecutor.minBatchMs)', () => {
  it('keeps the last batches from shrinking to single games, with the same results', async () => {
    const shrinking = await play(undefined);
    // A floor far above the whole tournament's play time: once timed, the rest goes in one batch.
    const floored = await play(60_000);
    // Without a floor the end of the round is cut ever finer, down to one game a batch.
    expect(shrinking.sizes.at(-1)).toBe(1);
    // With it batches are cut to the play time wanted (batchTargetMs) until the games run out, never finer.
    expect(floored.sizes.filter((size) => size === 1)).toEqual([]);
    expect(floored.sizes.length).toBeLessThan(shrinking.sizes.length);
    expect(floored.sizes.reduce((a, b) => a + b, 0)).toBe(GAMES);
    expect(floored.records).toEqual(shrinking.records);
    expect(floored.records.map((r) => r.index)).toEqual(Array.from({ length: GAMES }, (_, i) => i));
  });
});

/**
 * An executor that plays in this thread and reports every game as 10 ms of play, so that the runner's batch sizes
 * follow from the number of games left alone (not from this machine's timing).
 */
function tenMs(tailShares: number | undefined): BatchExecutor & { readonly sizes: number[] } {
  const sizes: number[] = [];
  return {
    slots: 1,
    // Far above the tournament's play time: every batch is cut by the end-of-round share or the floor.
    batchTargetMs: 60_000,
    minBatchMs: 100,
    ...(tailShares !== undefined ? { tailShares } : {}),
    sizes,
    run: async (task: BatchTask) => {
      sizes.push(task.games.length);
      const lines = await playBatchLines(task);
      return lines.replace(/"durationMs":[0-9.e+-]+/g, '"durationMs":10');
    },
  };
}

describe('the end of a round through an executor (BatchExecutor.tailShares)', () => {
  it('cuts into the shares it asks for, and leaves no batch below the floor behind', async () => {
    const loaded = await loadTournament({
      source: 'test',
      baseDir: scratch,
      raw: { name: 'tail', game: 'galax', bots: ['random', 'heuristic'], games: GAMES, seed: 'tail' },
    });
    const runs = [];
    for (const shares of [undefined, 2]) {
      const executor = tenMs(shares);
      await runTournament(loaded, { outDir: join(scratch, `tail-${shares ?? 'default'}`), executor });
      runs.push(executor.sizes);
    }
    const [fine, coarse] = runs as [number[], number[]];
    expect(fine.reduce((a, b) => a + b, 0)).toBe(GAMES);
    expect(coarse.reduce((a, b) => a + b, 0)).toBe(GAMES);
    // Two shares of what is left instead of four a slot: each batch takes half of the rest, down to the floor.
    expect(coarse.length).toBeLessThan(fine.length);
    // The floor is 10 games (100 ms at 10 ms a game): no batch is smaller, the last one included.
    const timed = (sizes: number[]) => sizes.slice(3);
    expect(Math.min(...timed(coarse))).toBeGreaterThanOrEqual(10);
    expect(Math.min(...timed(fine))).toBeGreaterThanOrEqual(10);
  });
});
