/**
 * Every command of the seed's Catan list goes through the room and back over TCP, confirmed and timed: whole
 * games of the `se1-catan` load scenario (the seat of `play catan --connect`) with catan-random, which plays
 * uniformly over every legal action and so reaches every kind of decision, under both rule sets. A command the
 * room stopped taking, or one the adapter stopped sending, leaves its round-trip metric empty.
 */
import { describe, expect, it } from 'vitest';
import { runSe1Catan } from './catan-load.ts';

async function playGames(seed: string, rules: 'base' | 'cities-and-knights') {
  const { status, summary, stats } = await runSe1Catan({
    serverSeed: seed,
    serverRules: rules,
    gracefulStopMs: 150_000,
    params: { strategy: 'catan-random', rules },
    seed: 'commands',
  });
  expect(status).toBe('completed');
  expect(summary.errors.total).toBe(0);
  expect(summary.counters.games).toBeGreaterThanOrEqual(1);
  expect(summary.counters.games).toBe(stats.gamesFinished);
  expect(stats.errors).toBe(0);
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
