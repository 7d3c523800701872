/**
 * Every command of the seed's Catan list goes through the room and back over TCP, confirmed and timed: whole
 * games of the `se1-catan` load scenario (the seat of `play catan --connect`) with catan-random, which plays
 * uniformly over every legal action and so reaches every kind of decision, under both rule sets. A command the
 * room stopped taking, or one the adapter stopped sending, leaves its round-trip metric empty.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { loadScenario, runLoadTest } from '../../src/load/index.ts';
import { loadProtocol, type RunningServer } from '../../src/protocols/registry.ts';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function playGames(seed: string, rules: 'base' | 'cities-and-knights') {
  const protocol = await loadProtocol('se1');
  server = await protocol.start({
    host: '127.0.0.1',
    port: 0,
    log: silentLogger,
    settings: { game: 'catan', seed, ...(rules === 'base' ? {} : { rules: `rules=${rules}` }) },
  });
  const s = server;
  const { status, summary } = await runLoadTest({
    scenario: await loadScenario('se1-catan'),
    host: s.host,
    port: s.port,
    workload: { kind: 'closed', start: 3, stages: [{ durationMs: 300, target: 3 }] },
    thinkTimeMs: 0,
    requestTimeoutMs: 10_000,
    gracefulStopMs: 150_000,
    params: { strategy: 'catan-random', lobbyTimeoutMs: 5000, rules },
    seed: 'commands',
    thresholds: [],
  });
  expect(status).toBe('completed');
  expect(summary.errors.total).toBe(0);
  expect(summary.counters.games).toBeGreaterThanOrEqual(1);
  expect(summary.counters.games).toBe(s.stats().gamesFinished);
  expect(s.stats().errors).toBe(0);
  return (metric: string) => summary.latency[metric]?.corrected.count ?? 0;
}

describe('SE1 Catan: every seed command, confirmed and timed over TCP', () => {
  it('rules=base: START_GAME, ROLL_DIES, BUILD, TRADE, OFFER, PLAY, CHOOSE, END_TURN', async () => {
    const count = await playGames('commands-base', 'base');
    for (const command of ['START_GAME', 'ROLL_DIES', 'BUILD', 'TRADE', 'OFFER', 'PLAY', 'CHOOSE', 'END_TURN'])
      expect(count(`${command.toLowerCase()}_rtt`), command).toBeGreaterThan(0);
  }, 240_000);

  it('rules=cities-and-knights: also the knight and improvement commands', async () => {
    const count = await playGames('commands-ck', 'cities-and-knights');
    for (const command of [
      'START_GAME',
      'ROLL_DIES',
      'BUILD',
      'TRADE',
      'OFFER',
      'PLAY',
      'CHOOSE',
      'END_TURN',
      'ACTIVATE_KNIGHT',
      'UPGRADE_KNIGHT',
      'USE_KNIGHT',
      'UPGRADE_PROGRESS',
    ])
      expect(count(`${command.toLowerCase()}_rtt`), command).toBeGreaterThan(0);
  }, 240_000);
});
