import { describe, expect, it } from 'vitest';
import { createMctsStrategy, mctsOptionsFromParams } from '../../src/ai/index.ts';
import { resolveBot } from '../../src/bots/resolve.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runMatch } from '../../src/core/match.ts';
import { createRng } from '../../src/core/rng.ts';
import type { DecisionContext } from '../../src/core/strategy.ts';
import type { Fleet, GalaxAction, GalaxConfig, GalaxState, Planet } from '../../src/games/galax/index.ts';
import { galaxEngine } from '../../src/games/galax/index.ts';
import { createHeuristicStrategy } from '../../strategies/galax/index.ts';
import {
  actionKey,
  galaxCandidates,
  galaxEvaluate,
  galaxMctsDefaults,
  galaxMctsGame,
} from '../../strategies/galax/mcts.ts';

const config = galaxEngine.defaultConfig();

/** A hand-built two-player state: planets as [x, y, owner, ships, production]. */
function makeState(rows: [number, number, number, number, number][], fleets: Fleet[] = [], cfg = config): GalaxState {
  const planets: Planet[] = rows.map(([x, y, owner, ships, production], id) => ({
    id,
    x,
    y,
    owner,
    ships,
    production,
  }));
  return { config: cfg, players: 2, year: 100, planets, fleets, alive: [true, true], reports: [], winner: null };
}

const ctx = (seat: number, seed: string, cfg: GalaxConfig = config): DecisionContext => ({
  seat,
  rng: createRng(seed),
  budget: { iterations: 1_000_000 },
  model: { engine: galaxEngine, config: cfg } as DecisionContext['model'],
  log: silentLogger,
});

const options = (params: Record<string, number | string | boolean> = {}) =>
  mctsOptionsFromParams(params, galaxMctsDefaults);

// Home of P1 at (2,2), of P2 at (12,12); independents between; P1 has expanded a little.
const midgame = makeState([
  [2, 2, 1, 40, 10],
  [12, 12, 2, 35, 10],
  [4, 3, 1, 12, 3],
  [6, 6, 0, 9, 4],
  [9, 10, 0, 15, 2],
  [10, 4, 0, 6, 5],
  [3, 11, 2, 8, 3],
]);

describe('Galax action abstraction', () => {
  it('offers valid, distinct candidates, doing nothing and the heuristic choice among them, in a stable order', () => {
    const list = galaxCandidates(midgame, 0, config);
    expect(list.length).toBeGreaterThan(5);
    for (const action of list) expect(galaxEngine.validate(midgame, 0, action)).toBeNull();
    const keys = list.map(actionKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain('');
    const heuristic = createHeuristicStrategy({ params: {} }).decide(
      galaxEngine.observe(midgame, 0),
      ctx(0, 'h'),
    ) as readonly { from: number; to: number; ships: number }[];
    expect(keys).toContain(actionKey(heuristic));
    expect(galaxCandidates(midgame, 0, config).map(actionKey)).toEqual(keys);
    // Single moves: half or all but a reserve, from own planets only.
    for (const action of list) for (const m of action) expect(midgame.planets[m.from]!.owner).toBe(1);
  });

  it('evaluates a state per seat in [0, 1], the two seats summing to 1', () => {
    const [a, b] = galaxEvaluate(midgame) as [number, number];
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(a + b).toBeCloseTo(1, 12);
    // P1: 40+12 ships, production 13 -> 52 + 5*13 = 117; P2: 35+8, production 13 -> 43 + 65 = 108.
    expect(a).toBeCloseTo(117 / 225, 12);
  });
});

describe('galax-mcts', () => {
  it('finds the winning blow: the last enemy planet falls to a surprise attack this year', () => {
    // P2's only planet (1,0) holds 12 ships, one cell from P1's 30 at (0,0): trip 5 tenths, a surprise, so
    // P1 fires first: 30 kill 15 >= 12 and P2, with no planet and no fleet, is eliminated at once.
    // Doing nothing or sending less lets P2 grow by 10 a year.
    const state = makeState([
      [0, 0, 1, 30, 10],
      [1, 0, 2, 12, 10],
      [8, 8, 0, 20, 1],
      [15, 15, 0, 20, 1],
    ]);
    const bot = createMctsStrategy(galaxMctsGame, options({ iterations: 60 }));
    const action = bot.decide(galaxEngine.observe(state, 0), ctx(0, 'win')) as GalaxAction;
    const after = galaxEngine.apply(state, {
      kind: 'players',
      actions: new Map([
        [0, action],
        [1, []],
      ]),
    });
    expect(after.winner).toBe(1);
    expect(bot.lastReport!.arms[0]!.mean).toBe(1);
  });

  it('determinisation never leaks hidden information (enemy fleets; fog garrisons)', () => {
    // Same planets; in the second true state P2 also has two fleets in flight, which P1 cannot see.
    const hiddenFleets: Fleet[] = [
      { id: 0, owner: 2, from: 1, to: 3, ships: 9, arrival: 104 },
      { id: 1, owner: 2, from: 6, to: 2, ships: 30, arrival: 112 },
    ];
    const plain = midgame;
    const withFleets = { ...midgame, fleets: hiddenFleets };
    expect(galaxEngine.observe(withFleets, 0)).toEqual(galaxEngine.observe(plain, 0));
    // Under fog, enemy and independent garrisons and productions are hidden too.
    const fog: GalaxConfig = { ...config, visibility: 'fog' };
    const fogA = { ...midgame, config: fog };
    const fogB: GalaxState = {
      ...withFleets,
      config: fog,
      planets: midgame.planets.map((p) => (p.owner === 1 ? p : { ...p, ships: p.ships + 17, production: 1 })),
    };
    expect(galaxEngine.observe(fogB, 0)).toEqual(galaxEngine.observe(fogA, 0));

    for (const [a, b, cfg] of [
      [plain, withFleets, config],
      [fogA, fogB, fog],
    ] as const) {
      for (const seed of ['s1', 's2']) {
        const one = createMctsStrategy(galaxMctsGame, options({ iterations: 40 }));
        const two = createMctsStrategy(galaxMctsGame, options({ iterations: 40 }));
        const first = one.decide(galaxEngine.observe(a, 0), ctx(0, seed, cfg));
        const second = two.decide(galaxEngine.observe(b, 0), ctx(0, seed, cfg));
        expect(second).toEqual(first);
        expect(two.lastReport!.arms).toEqual(one.lastReport!.arms);
      }
    }
  });

  it('the same seed and budget give the same game', async () => {
    const short = galaxEngine.parseConfig({ maxYear: 25 });
    const play = async (seed: number) => {
      const out = await runMatch({
        engine: galaxEngine,
        config: short,
        players: [
          createMctsStrategy(galaxMctsGame, options({ iterations: 25 })),
          createMctsStrategy(galaxMctsGame, options({ iterations: 25, rollout: 'random-bot' })),
        ],
        seed,
        record: { actions: true, hashes: true },
      });
      return out.hashes!.join();
    };
    const first = await play(11);
    expect(await play(11)).toBe(first);
    expect(await play(12)).not.toBe(first);
  });

  it('beats the heuristic bot at a small budget (seeded games, both seats)', async () => {
    let wins = 0;
    for (let game = 0; game < 4; game++) {
      const seat = game % 2;
      const mcts = createMctsStrategy(galaxMctsGame, options({ iterations: 40 }));
      const heuristic = createHeuristicStrategy({ params: {} });
      const out = await runMatch({
        engine: galaxEngine,
        config,
        players: seat === 0 ? [mcts, heuristic] : [heuristic, mcts],
        seed: 500 + (game >> 1),
      });
      if (out.result.winner === seat) wins++;
    }
    expect(wins).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('is the built-in bot galax-mcts with its parameters, and rejects an unknown rollout', async () => {
    const bot = await resolveBot('mcts:iterations=30:depth=4:c=0.3:rollout=random', 'galax');
    expect(bot.definition.name).toBe('galax-mcts');
    expect(bot.params).toMatchObject({ iterations: 30, depth: 4, c: 0.3, rollout: 'random' });
    const strategy = bot.create();
    const action = await strategy.decide(galaxEngine.observe(midgame, 0), ctx(0, 'r'));
    expect(galaxEngine.validate(midgame, 0, action as never)).toBeNull();
    const bad = await resolveBot('mcts:rollout=bogus', 'galax');
    expect(() => bad.create().decide(galaxEngine.observe(midgame, 0), ctx(0, 'r'))).toThrow(/unknown rollout policy/);
  });
});
