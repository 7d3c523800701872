import { describe, expect, it } from 'vitest';
import { createMctsStrategy, mctsOptionsFromParams } from '../../src/ai/index.ts';
import { resolveBot } from '../../src/bots/resolve.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runMatch } from '../../src/core/match.ts';
import { createRng } from '../../src/core/rng.ts';
import type { DecisionContext } from '../../src/core/strategy.ts';
import { type OreRushConfig, type OreRushState, orerushEngine } from '../../src/games/orerush/index.ts';
import { createHeuristicStrategy } from '../../strategies/orerush/index.ts';
import { actionKey, orerushCandidates, orerushMctsDefaults, orerushMctsGame } from '../../strategies/orerush/mcts.ts';

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

  it('offers valid, distinct candidate rounds, the heuristic round first', () => {
    const list = orerushCandidates(state, 0, config);
    expect(list.length).toBeGreaterThanOrEqual(1);
    for (const action of list) expect(orerushEngine.validate(state, 0, action)).toBeNull();
    const keys = list.map(actionKey);
    expect(new Set(keys).size).toBe(keys.length);
    const heuristic = createHeuristicStrategy({ params: {} }).decide(orerushEngine.observe(state, 0), ctx(0, 'h'));
    expect(keys[0]).toBe(actionKey(heuristic as never));
    // A robot at the headquarters with empty hands and the trap ready: a candidate has it request a trap.
    const atHome = state.robots.findIndex((r) => r.owner === 0 && r.alive && r.x === 0 && r.item === null);
    if (atHome >= 0 && state.cooldowns[0]!.trap === 0) expect(keys.some((k) => k.includes('T'))).toBe(true);
    const start = orerushEngine.setup(config, 2, createRng('orerush-mcts/map'));
    const first = orerushCandidates(start, 0, config).map(actionKey);
    // At the start every robot stands at the headquarters empty-handed: one trap variant per robot.
    expect(first.filter((k) => k.includes('T')).length).toBe(config.robots);
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
