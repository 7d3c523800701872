/** catan-mcts: legal and reproducible (the same seed and budget give the same game), and it consults the search. */
import { describe, expect, it } from 'vitest';
import { catanBots } from '../../bots/catan.ts';
import { mctsOptionsFromParams } from '../../src/ai/index.ts';
import { Mcts } from '../../src/ai/mcts.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runMatch } from '../../src/core/match.ts';
import { createRng } from '../../src/core/rng.ts';
import type { Strategy } from '../../src/core/strategy.ts';
import {
  boardLookups,
  type CatanAction,
  type CatanObservation,
  type CatanState,
  catanEngine,
  determinize,
  legalActions,
  rulesView,
} from '../../src/games/catan/index.ts';
import { robberScore } from '../../strategies/catan/heuristic.ts';
import { FEATURE_COUNT, FEATURES, leafValues, seatFeatures } from '../../strategies/catan/leaf-value.ts';
import { LEAF_WEIGHTS } from '../../strategies/catan/leaf-weights.ts';
import {
  catanEvaluate,
  catanMctsDefaults,
  catanMctsGameWith,
  heuristicEvaluate,
  overrules,
  rankedActions,
  worthSearching,
} from '../../strategies/catan/mcts.ts';

type RobberAction = Extract<CatanAction, { type: 'robber' }>;

const bot = (name: string, params: Record<string, number | boolean> = {}) =>
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
      'fitted',
      'setup',
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

  /** Seat 0's observations of a heuristic-only game, in order. */
  async function observations(seed: number): Promise<CatanObservation[]> {
    const seen: CatanObservation[] = [];
    await runMatch({
      engine: catanEngine,
      config: catanEngine.defaultConfig(),
      players: [bot('catan-heuristic'), bot('catan-heuristic'), bot('catan-heuristic')],
      seed,
      onDecision: (seat, obs) => {
        if (seat === 0) seen.push(obs);
      },
    });
    return seen;
  }

  it('searches only where there is a choice, and the opening only with setup=true', async () => {
    const seen = await observations(3);
    const choices = (obs: CatanObservation) => legalActions(rulesView(obs), 0).filter((a) => a.type !== 'offer').length;
    const opening = seen.filter((o) => o.step.phase === 'setupSettlement');
    const forced = seen.filter((o) => o.step.phase === 'preRoll' && choices(o) === 1);
    const main = seen.filter((o) => o.step.phase === 'main' && choices(o) > 1);
    expect(opening.length).toBe(2);
    expect(forced.length).toBeGreaterThan(5);
    expect(main.length).toBeGreaterThan(5);
    for (const o of opening) {
      expect(worthSearching(o, 0, false)).toBe(false);
      expect(worthSearching(o, 0, true)).toBe(true);
    }
    for (const o of forced) expect(worthSearching(o, 0, true)).toBe(false);
    for (const o of main) expect(worthSearching(o, 0, false)).toBe(true);
    // Not searched: the opening is catan-heuristic's even where the search's choice would always be played.
    const free = bot('catan-mcts', { iterations: 12, margin: 0, minVisits: 0 });
    const heuristic = bot('catan-heuristic');
    const ctx = (s: number, obs: CatanObservation) => ({
      seat: 0,
      rng: createRng(s),
      budget: { iterations: 12 },
      model: { engine: catanEngine, config: obs.config },
      log: silentLogger,
    });
    for (const o of opening) expect(free.decide(o, ctx(1, o))).toEqual(heuristic.decide(o, ctx(1, o)));
  }, 120_000);

  it("ranks the root seat's actions once per observation: the same search as ranking them at every iteration", async () => {
    const seen = await observations(4);
    const positions = seen.filter(
      (o) =>
        (o.step.phase === 'main' || o.step.phase === 'robber') &&
        legalActions(rulesView(o), 0).filter((a) => a.type !== 'offer').length > 3,
    );
    expect(positions.length).toBeGreaterThan(3);
    const options = { ...mctsOptionsFromParams({}, catanMctsDefaults), iterations: 40 };
    for (const obs of positions.slice(0, 4)) {
      const cached = new Mcts(catanMctsGameWith(5, 1), options);
      // Without rootState the search determinises through the engine and ranks every root sample anew.
      const plain = new Mcts({ ...catanMctsGameWith(5, 1), rootState: undefined }, options);
      const a = cached.search(obs, 0, obs.config, createRng(9), { iterations: 40 });
      const b = plain.search(obs, 0, obs.config, createRng(9), { iterations: 40 });
      expect(a).toEqual(b);
      expect(cached.lastReport!.arms).toEqual(plain.lastReport!.arms);
      expect(cached.lastReport!.arms.length).toBeGreaterThan(1);
    }
  }, 120_000);

  it("offers the search and its rollouts catan-heuristic's robber moves first, not the first hexes by number", async () => {
    const robber: CatanObservation[] = [];
    for (const seed of [4, 5, 6, 7])
      for (const o of await observations(seed)) if (o.step.phase === 'robber') robber.push(o);
    expect(robber.length).toBeGreaterThan(2);
    const heuristic = bot('catan-heuristic');
    let reordered = 0;
    for (const obs of robber) {
      const ctx = {
        seat: 0,
        rng: createRng(3),
        budget: { iterations: 1 },
        model: { engine: catanEngine, config: obs.config },
        log: silentLogger,
      };
      const state = determinize(obs, 0, obs.config, createRng(1));
      const ranked = rankedActions(state, 0);
      const legal = legalActions(rulesView(obs), 0);
      expect(ranked.length).toBe(legal.length);
      expect(ranked[0]).toEqual(heuristic.decide(obs, ctx));
      const scores = ranked.map((a) => robberScore(obs, 0, obs.publicPoints, obs.handSizes, a as RobberAction));
      for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]!);
      if (JSON.stringify(ranked) !== JSON.stringify(legal)) reordered++;
    }
    // Not merely the legal order: the ranking moves the blocking hexes ahead of the low-numbered ones.
    expect(reordered).toBeGreaterThan(0);
  }, 120_000);

  describe('the leaf value fitted to game outcomes', () => {
    /** Full states from a heuristic-only game, sampled from seat 0's main-phase observations. */
    async function mainStates(seed: number): Promise<CatanState[]> {
      const out: CatanState[] = [];
      for (const obs of await observations(seed))
        if (obs.step.phase === 'main') out.push(determinize(obs, 0, obs.config, createRng(out.length)));
      return out;
    }
    const feature = (name: (typeof FEATURES)[number]) => FEATURES.indexOf(name);

    it('has one weight per feature, and gives every seat a chance to win that sums to 1', async () => {
      expect(LEAF_WEIGHTS.length).toBe(FEATURE_COUNT);
      const states = await mainStates(8);
      expect(states.length).toBeGreaterThan(5);
      for (const s of states) {
        const v = leafValues(s);
        expect(v.length).toBe(3);
        for (const x of v) expect(x).toBeGreaterThan(0);
        expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        // catan-mcts's leaf under the base rules is this model, half and half with catan-heuristic's value.
        expect(catanEvaluate(s, 1)).toEqual(v);
        const h = heuristicEvaluate(s);
        expect(h).not.toEqual(v);
        const mixed = catanEvaluate(s);
        for (let i = 0; i < 3; i++) expect(mixed[i]).toBeCloseTo((v[i]! + h[i]!) / 2, 12);
      }
    }, 120_000);

    it("mixes in catan-heuristic's value by the `fitted` share, and keeps it alone under Cities & Knights", async () => {
      const [s] = await mainStates(8);
      const model = leafValues(s!);
      const h = heuristicEvaluate(s!);
      expect(catanEvaluate(s!, 0)).toEqual(h);
      const half = catanEvaluate(s!, 0.5);
      for (let i = 0; i < 3; i++) expect(half[i]).toBeCloseTo((model[i]! + h[i]!) / 2, 12);
      const ck = catanEngine.setup(catanEngine.parseConfig({ rules: 'cities-and-knights' }), 3, createRng(3));
      expect(catanEvaluate(ck, 1)).toEqual(heuristicEvaluate(ck));
    }, 120_000);

    it('gives a finished game to its winner', async () => {
      const [s] = await mainStates(8);
      const over = { ...s!, step: { phase: 'over' }, winner: 2 } as CatanState;
      expect(leafValues(over)).toEqual([0, 0, 1]);
    }, 120_000);

    it("counts a seat's pips by resource from its buildings (cities twice), and who moves next", async () => {
      const states = await mainStates(9);
      const s = states.at(-1)!;
      const lk = boardLookups(s.board);
      const f = new Array<number>(FEATURE_COUNT).fill(0);
      for (let seat = 0; seat < 3; seat++) {
        seatFeatures(s, seat, f);
        const pips = [0, 0, 0, 0, 0];
        let cities = 0;
        s.buildings.forEach((b, v) => {
          if (b < 0 || b >> 1 !== seat) return;
          cities += b & 1;
          for (let r = 0; r < 5; r++) pips[r]! += ((b & 1) + 1) * lk.vertexPips[v * 5 + r]!;
        });
        expect(f.slice(feature('brick pips'), feature('ore pips') + 1)).toEqual(pips);
        expect(f[feature('cities')]).toBe(cities);
        const offset = (seat - s.current + 3) % 3;
        expect([f[feature('moves next')], f[feature('moves last')]]).toEqual([
          offset === 1 ? 1 : 0,
          offset === 2 ? 1 : 0,
        ]);
      }
    }, 120_000);

    it('rates a seat higher when one of its settlements becomes a city, and its opponents lower', async () => {
      const states = await mainStates(10);
      let checked = 0;
      for (const s of states) {
        const v = s.buildings.indexOf(0);
        if (v < 0) continue;
        const buildings = [...s.buildings];
        buildings[v] = 1;
        const pieces = [...s.pieces];
        pieces[1]!++;
        pieces[2]!--;
        const upgraded = { ...s, buildings, pieces } as CatanState;
        const before = leafValues(s);
        const after = leafValues(upgraded);
        expect(after[0]).toBeGreaterThan(before[0]!);
        expect(after[1]).toBeLessThan(before[1]!);
        expect(after[2]).toBeLessThan(before[2]!);
        checked++;
      }
      expect(checked).toBeGreaterThan(3);
    }, 120_000);
  });

  it("plays the search's choice only when it beats the heuristic's by the margin, and never instead of a build that scores", () => {
    const key = (a: CatanAction) => JSON.stringify(a);
    const end: CatanAction = { type: 'end' };
    const dev: CatanAction = { type: 'buyDev' };
    const city: CatanAction = { type: 'city', vertex: 4 };
    const otherCity: CatanAction = { type: 'city', vertex: 9 };
    const arms = (...xs: [CatanAction, number, number][]) =>
      xs.map(([a, visits, mean]) => ({ key: key(a), visits, mean }));
    expect(overrules(end, dev, arms([dev, 100, 0.6], [end, 50, 0.5]), 0, 20)).toBe(true);
    expect(overrules(end, dev, arms([dev, 100, 0.6], [end, 50, 0.5]), 0.2, 20)).toBe(false);
    expect(overrules(end, dev, arms([dev, 100, 0.6], [end, 10, 0.5]), 0, 20)).toBe(false);
    expect(overrules(end, dev, arms([dev, 100, 0.6]), 0, 0)).toBe(false);
    expect(overrules(city, end, arms([end, 100, 0.9], [city, 50, 0.1]), 0, 20)).toBe(false);
    expect(overrules(city, dev, arms([dev, 100, 0.9], [city, 50, 0.1]), 0, 20)).toBe(false);
    expect(overrules(city, otherCity, arms([otherCity, 100, 0.9], [city, 50, 0.1]), 0, 20)).toBe(true);
  });
});
