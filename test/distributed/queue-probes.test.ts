import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQueueUrl, QueueCoordinator, runQueueWorker } from '../../src/distributed/index.ts';
import { type GameRecord, loadTournament, runTournament } from '../../src/tournament/index.ts';
import { hasRedis, REDIS_INSTALL, type RedisFixture, startRedis } from './redis-server.ts';

const scratch = mkdtempSync(join(tmpdir(), 'botswarm-probes-'));
const GAMES = 300;

/** A logger whose entries land in `entries` (the worker logs each batch it starts, with its size). */
function capturing(entries: { msg: string; games?: number }[]) {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) entries.push(JSON.parse(line));
      done();
    },
  });
  return pino({ level: 'info' }, sink);
}

describe.skipIf(!hasRedis)(`the queue's first batches (needs redis-server: ${REDIS_INSTALL})`, () => {
  let redis: RedisFixture;
  beforeAll(async () => {
    redis = await startRedis();
  }, 60_000);
  afterAll(async () => {
    await redis?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('hands out one probe per worker thread until a batch is back, then QUEUED_PER_THREAD, with every game once', async () => {
    const address = parseQueueUrl(redis.url);
    const entries: { msg: string; games?: number }[] = [];
    const stop = new AbortController();
    const end = runQueueWorker({
      address,
      name: 'probe-worker',
      threads: 1,
      signal: stop.signal,
      log: capturing(entries),
    });
    const outDir = join(scratch, 'run');
    const coordinator = await QueueCoordinator.open({ address, outDir, game: 'galax' });
    let before: number;
    try {
      while (coordinator.workers.length < 1) await new Promise((resolve) => setTimeout(resolve, 20));
      before = coordinator.slots;
      const loaded = await loadTournament({
        source: 'test',
        baseDir: scratch,
        raw: { name: 'probes', game: 'galax', bots: ['random', 'heuristic'], games: GAMES, seed: 'probes' },
      });
      await runTournament(loaded, { outDir, executor: coordinator });
      // The runner keeps two batches per slot in flight: one a thread plays and one it holds.
      expect(before * 2).toBe(1);
      expect(coordinator.slots * 2).toBe(3);
    } finally {
      await coordinator.close();
      stop.abort();
      await end;
    }
    const batches = entries.filter((e) => e.msg === 'batch started' || e.msg === 'batch done');
    const sizes = batches.filter((e) => e.msg === 'batch started').map((e) => e.games!);
    // Before any game is timed the runner cuts probes sized by a guess: the worker's one thread got one of them
    // at a time (its next one cut and waiting in the coordinator), where three slots handed it three at once.
    expect(batches.findIndex((e) => e.msg === 'batch done')).toBe(1);
    expect(sizes.length).toBeGreaterThan(2);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(GAMES);
    const indexes = readFileSync(join(outDir, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as GameRecord).index)
      .sort((a, b) => a - b);
    expect(indexes).toEqual(Array.from({ length: GAMES }, (_, i) => i));
  }, 120_000);
});
