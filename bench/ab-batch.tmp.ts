import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseQueueUrl, QueueCoordinator, runQueueWorker } from '../src/distributed/index.ts';
import { loadTournament, runTournament } from '../src/tournament/index.ts';
import { startRedis } from '../test/distributed/redis-server.ts';
const GAMES = 2000;
const loaded = await loadTournament({ source: 'ab', baseDir: process.cwd(), raw: { name: 'ab', game: 'galax', bots: ['random', 'heuristic'], games: GAMES / 2, seed: 'bench' } });
const scratch = mkdtempSync(join(os.tmpdir(), 'ab-'));
const redis = await startRedis();
const address = parseQueueUrl(redis.url);
let n = 0;
async function once(target: number | 'local') {
  const cpu0 = process.cpuUsage(); const t0 = performance.now();
  const outDir = join(scratch, `r${n++}`);
  if (target === 'local') await runTournament(loaded, { outDir, workers: 1 });
  else {
    const stop = new AbortController();
    const end = runQueueWorker({ address, threads: 1, signal: stop.signal });
    const c = await QueueCoordinator.open({ address, outDir, game: 'galax', batchTargetMs: target });
    try { await runTournament(loaded, { outDir, executor: c }); } finally { await c.close(); stop.abort(); await end; }
  }
  const cpu = process.cpuUsage(cpu0);
  return { target, rate: Math.round(GAMES / ((performance.now() - t0) / 1000)), cpuMsPerGame: +(((cpu.user + cpu.system) / 1000) / GAMES).toFixed(3) };
}
for (let r = 0; r < 2; r++) for (const t of ['local', 50, 500] as const) console.log(JSON.stringify(await once(t)));
await redis.stop(); rmSync(scratch, { recursive: true, force: true }); process.exit(0);
