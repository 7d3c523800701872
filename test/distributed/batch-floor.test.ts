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
