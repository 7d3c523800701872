/**
 * The turn-count difference with Catanatron, as docs/rules/catan.md ("Catanatron comparison: game length")
 * explains it: four catan-random bots without player-to-player offers (Catanatron's random players make none)
 * play games inside Catanatron's 300–345 turns, and the offers of the default rules are what make games shorter.
 * The same seeds as `npm run bench -- catan` (1,000,000 + g), so the figures are the bench's.
 */
import { describe, expect, it } from 'vitest';
import { runMatch } from '../../src/core/match.ts';
import { type CatanConfig, type CatanEvent, catanEngine } from '../../src/games/catan/index.ts';
import { createRandomStrategy } from '../../strategies/catan/index.ts';

const GAMES = 200;

async function meanTurns(config: CatanConfig): Promise<number> {
  let turns = 0;
  for (let g = 0; g < GAMES; g++) {
    const players = [0, 1, 2, 3].map(() => createRandomStrategy({ params: {} }));
    const out = await runMatch({ engine: catanEngine, config, players, seed: 1_000_000 + g, record: { events: true } });
    turns += (out.events as CatanEvent[]).filter((e) => e.type === 'turn').length;
  }
  return turns / GAMES;
}

describe('game length against Catanatron', () => {
  it('without offers four random bots play 300–345 turns; the default offers shorten games by more than 10%', async () => {
    const noOffers = await meanTurns(catanEngine.parseConfig({ maxOffersPerTurn: 0 }));
    const withOffers = await meanTurns(catanEngine.defaultConfig());
    expect(noOffers).toBeGreaterThanOrEqual(300);
    expect(noOffers).toBeLessThanOrEqual(345);
    expect(withOffers).toBeLessThan(noOffers * 0.9);
  }, 300_000);
});
