import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedis, parseQueueUrl, QueueCoordinator } from '../../src/distributed/index.ts';
import { type GameRecord, loadTournament, runTournament } from '../../src/tournament/index.ts';
import { createHosts, type TestHosts } from './hosts.ts';
import { type CliProcess, startCli, stopCli } from './processes.ts';
import { hasRedis, REDIS_INSTALL, type RedisFixture, startRedis } from './redis-server.ts';

const scratch = mkdtempSync(join(tmpdir(), 'botswarm-hosts-'));

const comparable = (dir: string) =>
  readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as GameRecord)
    .map(({ durationMs: _, ...rest }) => rest)
    .sort((a, b) => a.index - b.index);

describe.skipIf(!hasRedis)(`workers on separate network hosts (needs redis-server: ${REDIS_INSTALL})`, () => {
  let hosts: TestHosts;
  let redis: RedisFixture;
  const workers: CliProcess[] = [];

  beforeAll(async () => {
    hosts = createHosts(2);
    // Off loopback Redis wants a password (protected mode): the URL carries it, as on real machines.
    redis = await startRedis({ bind: [hosts.serverAddress], password: 'swarm-secret' });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => stopCli(w)));
    await redis?.stop();
    hosts?.remove();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('plays a tournament with two worker hosts, through a password, identical to a local run', async () => {
    for (const i of [0, 1]) {
      const proc = startCli(
        ['worker', '--queue', redis.url, '--name', `host-${i + 1}`, '--threads', '1', '--log-level', 'info'],
        (command) => hosts.on(i, command),
      );
      workers.push(proc);
    }
    await Promise.all(workers.map((w) => w.waitFor(/worker waiting for batches/)));
    // Both workers reach Redis from their own addresses (on loopback both are 127.0.0.1).
    const address = parseQueueUrl(redis.url);
    const admin = await openRedis(address);
    try {
      const clients = String(await admin.call('CLIENT', 'LIST'));
      for (const i of [0, 1]) expect(clients).toContain(`addr=${hosts.hostAddress(i)}:`);
    } finally {
      admin.disconnect();
    }
    const loaded = await loadTournament({
      source: 'test',
      baseDir: scratch,
      raw: {
        game: 'galax',
        bots: ['random', 'heuristic'],
        games: 8,
        seed: `hosts-${hosts.mode}`,
        config: { maxYear: 15 },
      },
    });
    const local = join(scratch, 'local');
    await runTournament(loaded, { outDir: local, workers: 0 });
    const outDir = join(scratch, 'queued');
    const coordinator = await QueueCoordinator.open({ address, outDir, game: 'galax', queued: 4 });
    try {
      await runTournament(loaded, { outDir, executor: coordinator, batchSize: 1 });
    } finally {
      await coordinator.close();
    }
    expect(comparable(outDir)).toEqual(comparable(local));
    // A wrong password is refused at once, in one line, with the password hidden.
    const wrong = startCli(['worker', '--queue', redis.url.replace('swarm-secret', 'guess'), '--threads', '1']);
    workers.push(wrong);
    expect(await wrong.exited).toBe(1);
    expect(wrong.stderr).toMatch(/^botswarm: cannot use Redis at redis:\/\/:\*\*\*@[\d.]+:\d+: WRONGPASS/m);
    expect(wrong.stderr).not.toContain('guess');
  }, 240_000);
});
