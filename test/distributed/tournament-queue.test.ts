import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchJob,
  KEY_PREFIX,
  parseQueueUrl,
  QueueCoordinator,
  runQueueWorker,
  TOURNAMENT_QUEUE,
  type WorkerEnd,
} from '../../src/distributed/index.ts';
import { type GameRecord, type LoadedTournament, loadTournament, runTournament } from '../../src/tournament/index.ts';
import { type CliProcess, startCli, stopCli } from './processes.ts';
import { hasRedis, REDIS_INSTALL, type RedisFixture, startRedis } from './redis-server.ts';

const scratch = mkdtempSync(join(tmpdir(), 'botswarm-queue-'));
let dirs = 0;
const freshDir = () => join(scratch, `run-${dirs++}`);

function lines(dir: string): GameRecord[] {
  return readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as GameRecord);
}

/** Records by index without the one field that differs between runs (play time). */
const comparable = (dir: string) =>
  lines(dir)
    .map(({ durationMs: _, ...rest }) => rest)
    .sort((a, b) => a.index - b.index);

const standings = (dir: string) => JSON.parse(readFileSync(join(dir, 'standings.json'), 'utf8'));

const replays = (dir: string) =>
  Object.fromEntries(
    readdirSync(join(dir, 'replays'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f, readFileSync(join(dir, 'replays', f), 'utf8')]),
  );

/** Every game index of the tournament exactly once in results.jsonl: none lost, none counted twice. */
function expectEachGameOnce(dir: string, total: number): void {
  const indexes = lines(dir).map((r) => r.index);
  expect([...indexes].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
}

const load = (raw: Record<string, unknown>): Promise<LoadedTournament> =>
  loadTournament({ source: 'test', baseDir: scratch, raw: { game: 'galax', ...raw } });

/** Slow enough (mcts) that a kill lands in the middle of a batch; small enough for a loaded 2-core machine. */
const SLOW = {
  name: 'slow',
  bots: ['mcts', 'heuristic'],
  games: 6,
  iterations: 20,
  seed: 'queue-slow',
  config: { maxYear: 12 },
};
const SLOW_FLAGS = ['--game', 'galax', '--bots', 'mcts,heuristic', '--games', '6', '--iterations', '20'];
const SLOW_REST = ['--seed', 'queue-slow', '--set', 'maxYear=12', '--name', 'slow', '--no-progress'];

describe.skipIf(!hasRedis)(`tournaments over a Redis queue (needs redis-server: ${REDIS_INSTALL})`, () => {
  let redis: RedisFixture;
  const procs: CliProcess[] = [];
  let slowReference: string;

  beforeAll(async () => {
    redis = await startRedis();
    // The local run every queued run of the slow tournament must equal.
    slowReference = freshDir();
    await runTournament(await load(SLOW), { outDir: slowReference, workers: 0 });
  }, 120_000);

  // Each test starts its own workers: none of them may take the next test's batches.
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => stopCli(p)));
  });

  afterAll(async () => {
    await redis?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const worker = (name: string, extra: string[] = []) => {
    const proc = startCli([
      'worker',
      '--queue',
      redis.url,
      '--name',
      name,
      '--threads',
      '1',
      '--lock-duration',
      '2000',
      '--log-level',
      'info',
      ...extra,
    ]);
    procs.push(proc);
    return proc;
  };

  it('plays the same results, standings and replays locally, with 1 worker and with 3 workers', async () => {
    const loaded = await load({
      bots: ['random', 'heuristic', 'mcts'],
      games: 4,
      iterations: 5,
      seed: 'same everywhere',
      config: { maxYear: 10 },
    });
    const local = freshDir();
    await runTournament(loaded, { outDir: local, workers: 0, replays: 'all' });
    const address = parseQueueUrl(redis.url);

    const viaQueue = async (workerCount: number) => {
      const stop = new AbortController();
      const ends: Promise<WorkerEnd>[] = [];
      for (let i = 0; i < workerCount; i++) {
        ends.push(runQueueWorker({ address, name: `in-process-${i}`, threads: 0, signal: stop.signal }));
      }
      const outDir = freshDir();
      const coordinator = await QueueCoordinator.open({ address, outDir, game: 'galax', queued: 4 });
      try {
        await runTournament(loaded, { outDir, executor: coordinator, replays: 'all', batchSize: 1 });
      } finally {
        await coordinator.close();
        stop.abort();
      }
      const batches = (await Promise.all(ends)).map((end) => end.batches);
      return { outDir, batches };
    };

    const one = await viaQueue(1);
    const three = await viaQueue(3);
    const total = 12;
    for (const run of [one, three]) {
      expectEachGameOnce(run.outDir, total);
      expect(comparable(run.outDir)).toEqual(comparable(local));
      expect(standings(run.outDir)).toEqual(standings(local));
      expect(replays(run.outDir)).toEqual(replays(local));
      // One game a batch: as many batches played as games, none twice.
      expect(run.batches.reduce((a, b) => a + b, 0)).toBe(total);
    }
    expect(Object.keys(replays(local))).toHaveLength(total);
  }, 180_000);

  it('gives the games of a worker SIGKILLed mid-batch to another worker; none lost or recorded twice', async () => {
    const doomed = worker('doomed');
    await doomed.waitFor(/worker waiting for batches/);
    const outDir = freshDir();
    const address = parseQueueUrl(redis.url);
    const coordinator = await QueueCoordinator.open({ address, outDir, game: 'galax', queued: 2 });
    const running = runTournament(await load(SLOW), { outDir, executor: coordinator, batchSize: 2 });
    try {
      const [, first] = await doomed.waitFor(/"first":(\d+),"msg":"batch started"/);
      await stopCli(doomed, 'SIGKILL');
      const rescuer = worker('rescuer');
      await running;
      // The rescuer played the batch the doomed worker held when it died.
      expect(rescuer.stderr).toMatch(new RegExp(`"first":${first},"msg":"batch done"`));
      expect(doomed.stderr).not.toMatch(new RegExp(`"first":${first},"msg":"batch done"`));
    } finally {
      await coordinator.close();
    }
    expectEachGameOnce(outDir, 6);
    expect(comparable(outDir)).toEqual(comparable(slowReference));
    expect(standings(outDir)).toEqual(standings(slowReference));
  }, 240_000);

  it('continues with --resume after the coordinator was SIGKILLed, with the same results', async () => {
    worker('steady');
    const outDir = freshDir();
    const args = [
      'tournament',
      ...SLOW_FLAGS,
      ...SLOW_REST,
      '--queue',
      redis.url,
      '--queue-batches',
      '2',
      '--batch',
      '1',
      '--out',
      outDir,
    ];
    const coordinator = startCli(args);
    procs.push(coordinator);
    const results = join(outDir, 'results.jsonl');
    const deadline = Date.now() + 150_000;
    while (!(existsSync(results) && readFileSync(results, 'utf8').length > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await stopCli(coordinator, 'SIGKILL');
    expect(lines(outDir).length).toBeGreaterThan(0);
    expect(lines(outDir).length).toBeLessThan(6);
    const resumed = startCli(['tournament', '--resume', '--out', outDir, '--queue', redis.url, '--no-progress']);
    procs.push(resumed);
    expect(await resumed.exited, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/found by --resume/);
    expectEachGameOnce(outDir, 6);
    expect(comparable(outDir)).toEqual(comparable(slowReference));
    expect(standings(outDir)).toEqual(standings(slowReference));
  }, 300_000);

  it('refuses a batch of another engine version with a clear message and leaves it in the queue', async () => {
    const picky = worker('picky');
    await picky.waitFor(/worker waiting for batches/);
    const queue = new Queue<BatchJob>(TOURNAMENT_QUEUE, {
      connection: parseQueueUrl(redis.url).connection,
      prefix: KEY_PREFIX,
    });
    try {
      const job = await queue.add('batch', {
        run: 'forged-run',
        stamp: { botswarm: '9.9.9', engine: 'galax@0.0.1', hash: 'forged' },
        task: {
          game: 'galax',
          config: {},
          botSpecs: ['random', 'random'],
          labels: ['random', 'random'],
          baseDir: scratch,
          budget: { iterations: 1 },
          replayDir: null,
          games: [{ index: 0, seed: 1, round: 0, pairing: 0, seats: [0, 1], replay: false }],
        },
      });
      expect(await picky.exited).toBe(1);
      expect(picky.stderr).toMatch(
        /botswarm: worker picky refused a batch: the coordinator runs botswarm 9\.9\.9, galax@0\.0\.1 \(version hash forged\), this worker botswarm \S+, galax@\S+ \(version hash [0-9a-f]{12}\); install the coordinator's version here/,
      );
      // Not played, not failed: back in the queue for a worker of the right version.
      expect(['waiting', 'delayed']).toContain(await job.getState());
      const client = await queue.client;
      expect(await client.lrange(`${KEY_PREFIX}:${TOURNAMENT_QUEUE}:refusals:forged-run`, 0, -1)).toHaveLength(1);
      await job.remove();
    } finally {
      await queue.close();
    }
  }, 120_000);
});
