import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBots } from '../../src/bots/resolve.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runMatch } from '../../src/core/match.ts';
import { carcassonneEngine } from '../../src/games/carcassonne/index.ts';
import { carcassonneSe1, playOnline, type Se1RunningServer, startSe1Server } from '../../src/protocols/se1/index.ts';

let server: Se1RunningServer;
beforeAll(async () => {
  server = await startSe1Server({ port: 0, game: carcassonneSe1, settings: { seed: 'test', timeoutMs: 60_000 } });
});
afterAll(async () => {
  await server.close();
});

describe('carcassonne over SE1', () => {
  it('plays a seeded game online exactly as offline', async () => {
    for (const [specs, seed] of [
      [['greedy', 'random'], 11],
      [['random', 'random', 'greedy'], 12],
    ] as const) {
      const bots = await resolveBots([...specs], 'carcassonne');
      const offline = await runMatch({
        engine: carcassonneEngine,
        config: carcassonneEngine.defaultConfig(),
        players: bots.map((b) => b.create()),
        seed,
      });
      const online = await playOnline({
        host: server.host,
        port: server.port,
        bots,
        seed,
        budget: { iterations: 1000 },
        log: silentLogger,
        timeoutMs: 60_000,
      });
      expect(online.errors).toEqual([]);
      expect(online.result).toEqual(offline.result);
    }
    expect(server.stats().gamesCreated).toBe(2);
  }, 90_000);
});
