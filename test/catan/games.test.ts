import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveBots } from '../../src/bots/resolve.ts';
import { replayActions, runMatch } from '../../src/core/match.ts';
import { createRng } from '../../src/core/rng.ts';
import {
  type CatanAction,
  type CatanState,
  catanEngine,
  determinize,
  handSize,
  legalActions,
  observe,
  parseConfig,
  pickLegalAction,
  rulesView,
  validate,
} from '../../src/games/catan/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../../strategies/catan/index.ts';

/**
 * What each seat knows of the others never contradicts the truth: the cards it cannot account for (`views`, per
 * kind) are some of the cards held, so the surely-held ones are held and surely-held plus unknown is the hand.
 */
function checkViews(s: CatanState) {
  const n = s.players;
  expect(s.views).toHaveLength(n * n * 5);
  for (let o = 0; o < n; o++) {
    for (let p = 0; p < n; p++) {
      if (o === p) continue;
      const base = (o * n + p) * 5;
      for (let r = 0; r < 5; r++) {
        expect(s.views[base + r]).toBeGreaterThanOrEqual(0);
        expect(s.views[base + r]).toBeLessThanOrEqual(s.hands[p * 5 + r]!);
      }
    }
    const seen = observe(s, o);
    for (let p = 0; p < n; p++) {
      let sum = seen.unknown[p]!;
      for (let r = 0; r < 5; r++) sum += seen.known[p * 5 + r]!;
      expect(sum).toBe(handSize(s, p));
    }
  }
}

/** Every card is somewhere: 19 of each resource, 25 development cards. */
function checkConservation(s: CatanState) {
  for (let r = 0; r < 5; r++) {
    let total = s.bank[r]!;
    for (let p = 0; p < s.players; p++) total += s.hands[p * 5 + r]!;
    expect(total).toBe(19);
  }
  let dev =
    s.deck.reduce((a, b) => a + b, 0) + s.devNew.reduce((a, b) => a + b, 0) + s.played.reduce((a, b) => a + b, 0);
  dev += s.devs.reduce((a, b) => a + b, 0);
  expect(dev).toBe(25);
}

/** Plays one game step by step with uniformly random legal actions, checking invariants at every state. */
function playChecked(seed: number, players: number, config: ReturnType<typeof parseConfig>, garbage: unknown[]) {
  const rng = createRng(seed);
  let s = catanEngine.setup(config, players, rng.fork('map'));
  let steps = 0;
  for (;;) {
    const turn = catanEngine.toAct(s);
    if (turn.kind === 'terminal') break;
    checkViews(s);
    checkConservation(s);
    if (turn.kind === 'chance') {
      s = catanEngine.apply(s, { kind: 'chance', outcome: catanEngine.sampleChance!(s, rng) });
    } else {
      const chosen = new Map<number, CatanAction>();
      for (const seat of turn.seats) {
        const legal = legalActions(s, seat);
        expect(legal.length, `phase ${s.step.phase}`).toBeGreaterThan(0);
        // The bots' cheap rules view lists exactly the true legal actions.
        expect(legalActions(rulesView(observe(s, seat)), seat)).toEqual(legal);
        for (const a of legal) expect(validate(s, seat, a), JSON.stringify(a)).toBeNull();
        expect(validate(s, seat, catanEngine.defaultAction(s, seat))).toBeNull();
        const g = garbage[steps % garbage.length];
        const reason = validate(s, seat, g as CatanAction);
        expect(reason === null || typeof reason === 'string').toBe(true);
        chosen.set(seat, legal[rng.int(0, legal.length - 1)]!);
      }
      s = catanEngine.apply(s, { kind: 'players', actions: chosen });
    }
    steps++;
  }
  return { s, steps };
}

describe('random games', () => {
  it('always end; every legal action and the default action of every state validate (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(3, 4),
        fc.constantFrom('beginner', 'random'),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.oneof(fc.anything(), fc.record({ type: fc.string(), edge: fc.integer(), vertex: fc.integer() })), {
          minLength: 1,
          maxLength: 5,
        }),
        (seed, players, map, offers, garbage) => {
          const config = parseConfig({ map, maxOffersPerTurn: offers });
          const { s } = playChecked(seed, players, config, garbage);
          const res = catanEngine.result(s)!;
          expect(res.scores).toHaveLength(players);
          if (res.winner !== null) expect(res.scores[res.winner]).toBeGreaterThanOrEqual(10);
          else expect(s.turn).toBe(config.maxTurns);
        },
      ),
      { numRuns: 3, seed: 20261204 },
    );
  }, 120_000);

  it('the same seed gives the same game, and replayActions reproduces it hash for hash', async () => {
    const config = catanEngine.defaultConfig();
    const play = () =>
      runMatch({
        engine: catanEngine,
        config,
        players: [0, 1, 2, 3].map(() => createRandomStrategy({ params: {} })),
        seed: 77,
        record: { actions: true, hashes: true, events: true },
      });
    const [a, b] = [await play(), await play()];
    expect(a.hashes).toEqual(b.hashes);
    expect(a.result).toEqual(b.result);
    expect(a.invalid).toEqual([]);
    const replay = replayActions(catanEngine, config, 4, 77, a.actions!, a.hashes);
    expect(replay.ok, replay.message).toBe(true);
    expect(replay.result).toEqual(a.result);
    const other = await runMatch({
      engine: catanEngine,
      config,
      players: [0, 1, 2, 3].map(() => createRandomStrategy({ params: {} })),
      seed: 78,
      record: { hashes: true },
    });
    expect(other.hashes).not.toEqual(a.hashes);
  }, 60_000);

  it('determinize keeps what the seat knows and deals the rest consistently', () => {
    const config = catanEngine.defaultConfig();
    const rng = createRng(9);
    let s = catanEngine.setup(config, 4, rng.fork('map'));
    for (let i = 0; i < 600 && catanEngine.toAct(s).kind !== 'terminal'; i++) {
      const t = catanEngine.toAct(s);
      if (t.kind === 'chance') s = catanEngine.apply(s, { kind: 'chance', outcome: catanEngine.sampleChance!(s, rng) });
      else if (t.kind === 'players') {
        const m = new Map(t.seats.map((seat) => [seat, rng.pick(legalActions(s, seat))] as const));
        s = catanEngine.apply(s, { kind: 'players', actions: m });
      }
    }
    const obs = observe(s, 2);
    const d = determinize(obs, 2, config, createRng(1));
    checkConservation(d);
    checkViews(d);
    expect(d.hands.slice(10, 15)).toEqual(s.hands.slice(10, 15));
    for (let p = 0; p < 4; p++) expect(handSize(d, p)).toBe(handSize(s, p));
    expect(observe(d, 2).known).toEqual(obs.known);
    expect(legalActions(d, s.current)).toBeDefined();
  });
});

describe('pickLegalAction', () => {
  it('returns the index-th of legalActions at every decision of random games, both rule sets, offers on', () => {
    for (const rules of ['base', 'cities-and-knights'] as const) {
      const config = parseConfig({ rules });
      const rng = createRng(`pick-${rules}`);
      let s = catanEngine.setup(config, 4, rng);
      for (let step = 0; step < 1200 && catanEngine.toAct(s).kind !== 'terminal'; step++) {
        const t = catanEngine.toAct(s);
        if (t.kind === 'terminal') break;
        if (t.kind === 'chance') {
          s = catanEngine.apply(s, { kind: 'chance', outcome: catanEngine.sampleChance!(s, rng) });
          continue;
        }
        const chosen = new Map<number, CatanAction>();
        for (let seat = 0; seat < 4; seat++) {
          const legal = legalActions(s, seat);
          if (!t.seats.includes(seat)) {
            expect(pickLegalAction(s, seat, () => 0)).toBe(legal[0]);
            continue;
          }
          if (legal.length === 0) {
            expect(pickLegalAction(s, seat, () => 0)).toBeUndefined();
            chosen.set(seat, catanEngine.defaultAction(s, seat));
            continue;
          }
          const counts: number[] = [];
          for (let i = 0; i < legal.length; i++) {
            const pick = (n: number) => {
              counts.push(n);
              return i;
            };
            expect(pickLegalAction(s, seat, pick)).toEqual(legal[i]);
          }
          expect(new Set(counts)).toEqual(new Set([legal.length]));
          // A pick that itself lists the actions of another position still gets this position's action.
          const other = seat === 0 ? 1 : 0;
          const i = Math.floor(rng.next() * legal.length);
          const nested = () => {
            legalActions(s, other);
            return i;
          };
          expect(pickLegalAction(s, seat, nested)).toEqual(legal[i]);
          chosen.set(seat, legal[i]!);
        }
        s = catanEngine.apply(s, { kind: 'players', actions: chosen });
      }
    }
  });

  it('is undefined for a seat with nothing to do, and catan-random plays the same games as before', async () => {
    const s = catanEngine.setup(parseConfig({}), 4, createRng(3));
    expect(pickLegalAction(s, 1, () => 0)).toBeUndefined();
    // The games of the random bot as it was (a uniform index into legalActions of the rules view).
    const listing = () => ({
      name: 'catan-random-listing',
      decide(obs: ReturnType<typeof observe>, ctx: { seat: number; rng: { next(): number } }) {
        const l = legalActions(rulesView(obs), ctx.seat);
        return l[Math.floor(ctx.rng.next() * l.length)]!;
      },
    });
    const config = parseConfig({ maxOffersPerTurn: 0 });
    for (const seed of [1, 2]) {
      const a = await runMatch({
        engine: catanEngine,
        config,
        players: [0, 1, 2, 3].map(listing),
        seed,
        record: { actions: true },
      });
      const players = [0, 1, 2, 3].map(() => createRandomStrategy({ params: {} }));
      const b = await runMatch({ engine: catanEngine, config, players, seed, record: { actions: true } });
      expect(b.actions).toEqual(a.actions);
    }
  });
});

describe('catan bots', () => {
  it('heuristic beats three random bots clearly', async () => {
    const config = catanEngine.defaultConfig();
    let wins = 0;
    const games = 8;
    for (let g = 0; g < games; g++) {
      const seat = g % 4;
      const players = [0, 1, 2, 3].map((i) =>
        i === seat ? createHeuristicStrategy({ params: {} }) : createRandomStrategy({ params: {} }),
      );
      const out = await runMatch({ engine: catanEngine, config, players, seed: 500 + g });
      expect(out.invalid).toEqual([]);
      if (out.result.winner === seat) wins++;
    }
    expect(wins).toBeGreaterThanOrEqual(7);
  }, 120_000);

  it('resolve by short name and play through `botswarm play catan`', async () => {
    const bots = await resolveBots(['heuristic', 'random'], 'catan');
    expect(bots.map((b) => b.definition.name)).toEqual(['catan-heuristic', 'catan-random']);
    const root = join(import.meta.dirname, '../..');
    const play = spawnSync(
      process.execPath,
      [
        join(root, 'bin/botswarm.js'),
        'play',
        'catan',
        '--bots',
        'heuristic,random,random',
        '--seed',
        '3',
        '--set',
        'map=beginner',
        '--json',
      ],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(play.status, play.stderr).toBe(0);
    const summary = JSON.parse(play.stdout);
    expect(summary.game).toBe('catan');
    expect(summary.invalidActions).toBe(0);
    expect(summary.result.scores).toHaveLength(3);
    const bad = spawnSync(
      process.execPath,
      [join(root, 'bin/botswarm.js'), 'play', 'catan', '--bots', 'random,random,random', '--set', 'rules=seafarers'],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/must be "base" or "cities-and-knights"/);
  }, 120_000);
});
