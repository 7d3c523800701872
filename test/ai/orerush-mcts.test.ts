import { describe, expect, it } from 'vitest';
import { createMctsStrategy, mctsOptionsFromParams } from '../../src/ai/index.ts';
import { resolveBot } from '../../src/bots/resolve.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runMatch } from '../../src/core/match.ts';
import { createRng } from '../../src/core/rng.ts';
import type { DecisionContext } from '../../src/core/strategy.ts';
import { type OreRushConfig, type OreRushState, orerushEngine } from '../../src/games/orerush/index.ts';
import { createHeuristicStrategy } from '../../strategies/orerush/index.ts';
import {
  actionKey,
  orerushCandidates,
  orerushEvaluate,
  orerushMctsDefaults,
  orerushMctsGame,
} from '../../strategies/orerush/mcts.ts';

const config = orerushEngine.parseConfig({ rounds: 40 });
const ctx = (seat: number, seed: string, cfg: OreRushConfig = config): DecisionContext => ({
  seat,
  rng: createRng(seed),
  budget: { iterations: 1_000_000 },
  model: { engine: orerushEngine, config: cfg } as DecisionContext['model'],
  log: silentLogger,
});
const options = (params: Record<string, number | string | boolean> = {}) =>
  mctsOptionsFromParams(params, orerushMctsDefaults);

/** A state after `rounds` rounds of heuristic against heuristic (radars placed, ore found, holes dug). */
function playedState(rounds: number): OreRushState {
  let state = orerushEngine.setup(config, 2, createRng('orerush-mcts/map'));
  const bots = [createHeuristicStrategy({ params: {} }), createHeuristicStrategy({ params: {} })];
  for (let r = 0; r < rounds; r++) {
    const actions = new Map(
      [0, 1].map((seat) => [seat, bots[seat]!.decide(orerushEngine.observe(state, seat), ctx(seat, 'h')) as never]),
    );
    state = orerushEngine.apply(state, { kind: 'players', actions });
  }
  return state;
}

describe('orerush-mcts', () => {
  const state = playedState(12);

  it('offers valid, distinct candidate rounds, the heuristic round first, no trap requests', () => {
    const list = orerushCandidates(state, 0, config);
    expect(list.length).toBeGreaterThanOrEqual(1);
    expect(list.length).toBeLessThanOrEqual(4);
    for (const action of list) expect(orerushEngine.validate(state, 0, action)).toBeNull();
    const keys = list.map(actionKey);
    expect(new Set(keys).size).toBe(keys.length);
    const heuristic = createHeuristicStrategy({ params: {} }).decide(orerushEngine.observe(state, 0), ctx(0, 'h'));
    expect(keys[0]).toBe(actionKey(heuristic as never));
    for (const key of keys) expect(key).not.toContain('T');
  });

  it('offers a bold round that digs known ore next to an enemy hole, which the miner avoids', () => {
    // Known ore in seat 0's radar vision, and an enemy hole right next to it: the miner will not dig there.
    const width = config.width;
    const cell = 7 * width + 6;
    const base = orerushEngine.setup(config, 2, createRng('orerush-mcts/bold'));
    const ore = base.ore.map(() => 0);
    const kinds = base.kinds.map(() => -1);
    ore[cell] = 3;
    kinds[cell] = 4;
    const dug = base.dug.map(() => 0);
    dug[cell + 1] = 1 << 1;
    const bold: OreRushState = { ...base, ore, kinds, dug, radars: [{ x: 6, y: 7, owner: 0 }] };
    const digs = (key: string) => key.split(' ').includes('D6,7');
    const heuristic = createHeuristicStrategy({ params: {} }).decide(orerushEngine.observe(bold, 0), ctx(0, 'h'));
    expect(digs(actionKey(heuristic as never))).toBe(false);
    expect(orerushCandidates(bold, 0, config).map(actionKey).some(digs)).toBe(true);
  });

  it('values known ore under its radars: a radar that shows ore raises the evaluation at once', () => {
    const withRadar: OreRushState = {
      ...state,
      radars: [...state.radars.filter((d) => d.owner !== 0), { x: 9, y: 7, owner: 0 }],
    };
    const without: OreRushState = { ...state, radars: state.radars.filter((d) => d.owner !== 0) };
    const seen = withRadar.ore.some(
      (u, i) =>
        u > 0 && Math.abs((i % config.width) - 9) + Math.abs(Math.floor(i / config.width) - 7) <= config.radarRange,
    );
    expect(seen).toBe(true);
    const a = orerushEvaluate(withRadar);
    const b = orerushEvaluate(without);
    expect(a[0]).toBeGreaterThan(b[0]!);
    expect(a[0]! + a[1]!).toBeCloseTo(1, 9);
  });

  it('determinisation never leaks hidden information (ore out of radar vision, enemy traps)', () => {
    const obs = orerushEngine.observe(state, 0);
    // Change what seat 0 cannot see: ore amounts in every cell outside its vision, plus an enemy trap.
    const hidden: OreRushState = {
      ...state,
      ore: state.ore.map((units, i) => (obs.ore[i] === -1 ? units + 3 : units)),
      traps: [...state.traps, { x: 20, y: 7, owner: 1 }],
    };
    expect(orerushEngine.observe(hidden, 0)).toEqual(obs);
    const a = createMctsStrategy(orerushMctsGame, options({ iterations: 6 }));
    const b = createMctsStrategy(orerushMctsGame, options({ iterations: 6 }));
    expect(b.decide(orerushEngine.observe(hidden, 0), ctx(0, 'leak'))).toEqual(
      a.decide(orerushEngine.observe(state, 0), ctx(0, 'leak')),
    );
    expect(b.lastReport!.arms).toEqual(a.lastReport!.arms);
  });

  it('the same seed and budget give the same game', async () => {
    const short = orerushEngine.parseConfig({ rounds: 12 });
    const play = async () => {
      const out = await runMatch({
        engine: orerushEngine,
        config: short,
        players: [
          createMctsStrategy(orerushMctsGame, options({ iterations: 4, depth: 3 })),
          createHeuristicStrategy({ params: {} }),
        ],
        seed: 5,
        record: { hashes: true },
      });
      expect(out.invalid).toEqual([]);
      return out.hashes!.join();
    };
    expect(await play()).toBe(await play());
  }, 60_000);

  it('is the built-in bot orerush-mcts', async () => {
    const bot = await resolveBot('mcts:iterations=5', 'orerush');
    expect(bot.definition.name).toBe('orerush-mcts');
    expect(bot.params).toMatchObject({ iterations: 5, depth: orerushMctsDefaults.depth });
  });
});
