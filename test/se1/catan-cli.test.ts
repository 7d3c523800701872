/**
 * `botswarm play catan --connect` as a user runs it (the real CLI in a child process) against the reference SE1
 * Catan server: the same seeded game as offline under both rule sets, and a clear exit 1 when the server's game
 * plays other rules than the ones asked for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { catanSe1 } from '../../src/protocols/se1/catan.ts';
import { type Se1RunningServer, startSe1Server } from '../../src/protocols/se1/index.ts';
import { botswarm } from '../cli/helpers.ts';

const running: Se1RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
});

async function serve(rules: string) {
  const server = await startSe1Server({ port: 0, game: catanSe1, settings: { seed: 'cli', timeoutMs: 60_000, rules } });
  running.push(server);
  return server;
}

describe('botswarm play catan --connect', () => {
  for (const [name, sets] of [
    ['rules=base', ['--set', 'maxTurns=40']],
    ['rules=cities-and-knights', ['--set', 'rules=cities-and-knights', '--set', 'maxTurns=40']],
  ] as const) {
    it(`${name}: plays the same game over TCP as offline with the same seed and settings`, async () => {
      const server = await serve(name === 'rules=base' ? 'maxTurns=40' : 'rules=cities-and-knights maxTurns=40');
      const common = ['--bots', 'catan-heuristic,catan-random,catan-random', '--seed', '8', ...sets, '--json'];
      const online = await botswarm(['play', 'catan', ...common, '--connect', `127.0.0.1:${server.port}`], {
        timeoutMs: 120_000,
      });
      expect(online.stderr).toBe('');
      expect(online.code).toBe(0);
      const offline = await botswarm(['play', 'catan', ...common], { timeoutMs: 120_000 });
      expect(offline.code).toBe(0);
      const result = JSON.parse(online.stdout).result;
      expect(result).toEqual(JSON.parse(offline.stdout).result);
      expect(result.scores).toHaveLength(3);
      expect(server.stats().gamesFinished).toBe(1);
    }, 240_000);
  }

  it('fails with exit 1 and the reason when the server plays other rules than asked', async () => {
    const server = await serve('');
    const run = await botswarm(
      [
        'play',
        'catan',
        '--bots',
        'catan-random,catan-random,catan-random',
        '--set',
        'rules=cities-and-knights',
        '--connect',
        `127.0.0.1:${server.port}`,
      ],
      { timeoutMs: 120_000 },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the server's game plays rules=base, not rules=cities-and-knights as asked/);
  }, 240_000);
});
