/** catan-mcts: legal and reproducible (the same seed and budget give the same game), and it consults the search. */
import { describe, expect, it } from 'vitest';
import { catanBots } from '../../bots/catan.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runMatch } from '../../src/core/match.ts';
import { createRng } from '../../src/core/rng.ts';
import type { Strategy } from '../../src/core/strategy.ts';
import { type CatanAction, type CatanObservation, catanEngine } from '../../src/games/catan/index.ts';

const bot = (name: string, params: Record<string, number> = {}) =>
  catanBots.find((b) => b.name === name)!.create({ params }) as Strategy<CatanObservation, CatanAction>;

async function game(seed: number) {
  const decisions: string[] = [];
  const out = await runMatch({
    engine: catanEngine,
    config: catanEngine.defaultConfig(),
    players: [bot('catan-mcts', { iterations: 16 }), bot('catan-heuristic'), bot('catan-random')],
    seed,
    budget: { iterations: 16 },
    record: { actions: true },
    onDecision: (seat, _obs, action) => {
      if (seat === 0) decisions.push(JSON.stringify(action));
    },
  });
  return { out, decisions };
}

describe('catan-mcts', () => {
  it('plays a whole game with legal actions only, and the same seed gives the same game', async () => {
    const a = await game(21);
    const b = await game(21);
    expect(a.out.invalid).toEqual([]);
    expect(a.out.forfeits).toEqual([]);
    expect(a.decisions.length).toBeGreaterThan(20);
    expect(b.decisions).toEqual(a.decisions);
    expect(b.out.result).toEqual(a.out.result);
  }, 120_000);

  it('plays a Cities & Knights game to its end with legal actions only (all 54 progress cards in play)', async () => {
    const out = await runMatch({
      engine: catanEngine,
      config: catanEngine.parseConfig({ rules: 'cities-and-knights' }),
      players: [bot('catan-mcts', { iterations: 8 }), bot('catan-heuristic'), bot('catan-random')],
      seed: 7,
      budget: { iterations: 8 },
    });
    expect(out.invalid).toEqual([]);
    expect(out.forfeits).toEqual([]);
    expect(out.result.ranks.length).toBe(3);
  }, 180_000);

  it('is registered with the MCTS parameters and refuses a bad one', () => {
    const def = catanBots.find((b) => b.name === 'catan-mcts')!;
    expect(Object.keys(def.params!.properties)).toEqual(['iterations', 'depth', 'rollout', 'c', 'reuse']);
    const config = catanEngine.defaultConfig();
    const state = catanEngine.setup(config, 3, createRng(1));
    const ctx = {
      seat: 0,
      rng: createRng(2),
      budget: { iterations: 4 },
      model: { engine: catanEngine, config },
      log: silentLogger,
    };
    expect(() => def.create({ params: { rollout: 'nonsense' } }).decide(catanEngine.observe(state, 0), ctx)).toThrow(
      /unknown rollout policy "nonsense"/,
    );
    expect(def.create({ params: {} }).decide(catanEngine.observe(state, 0), ctx)).toMatchObject({ type: 'settlement' });
  });
});
