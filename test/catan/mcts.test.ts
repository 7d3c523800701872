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
  it("with a margin no search can clear, plays exactly catan-heuristic's move", async () => {
    // margin=1: the search's reward is in [0, 1], so its choice never beats the heuristic's by more than 1.
    const strict = bot('catan-mcts', { iterations: 12, margin: 1 });
    const free = bot('catan-mcts', { iterations: 12, margin: 0, minVisits: 0 });
    const heuristic = bot('catan-heuristic');
    let differs = 0;
    let seen = 0;
    await runMatch({
      engine: catanEngine,
      config: catanEngine.defaultConfig(),
      players: [bot('catan-heuristic'), bot('catan-heuristic'), bot('catan-heuristic')],
      seed: 5,
      onDecision: (seat, obs, _action) => {
        if (seat !== 0 || seen >= 12) return;
        seen++;
        const ctx = (s: number) => ({
          seat: 0,
          rng: createRng(s),
          budget: { iterations: 12 },
          model: { engine: catanEngine, config: obs.config },
          log: silentLogger,
        });
        const h = JSON.stringify(heuristic.decide(obs, ctx(seen)));
        expect(JSON.stringify(strict.decide(obs, ctx(seen)))).toBe(h);
        if (JSON.stringify(free.decide(obs, ctx(seen))) !== h) differs++;
      },
    });
    expect(seen).toBe(12);
    // Without the margin the search's own choice shows through somewhere: the parameter is read.
    expect(differs).toBeGreaterThan(0);
  }, 120_000);

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
    expect(Object.keys(def.params!.properties)).toEqual([
      'iterations',
      'depth',
      'rollout',
      'c',
      'reuse',
      'margin',
      'minVisits',
      'candidates',
      'opponents',
    ]);
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
