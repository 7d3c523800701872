import { describe, expect, it } from 'vitest';
import { resolveBot } from '../../src/bots/resolve.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runMatch } from '../../src/core/match.ts';
import { createRng } from '../../src/core/rng.ts';
import type { DecisionContext, Strategy } from '../../src/core/strategy.ts';
import {
  galaxEngine as engine,
  type GalaxAction,
  type GalaxObservation,
  type GalaxState,
  parseConfig,
  shipsToConquer,
} from '../../src/games/galax/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../../strategies/galax/index.ts';

const heuristic = () => createHeuristicStrategy({ params: {} });
const random = () => createRandomStrategy({ params: {} });

function context(seat: number, config = parseConfig({})): DecisionContext {
  return {
    seat,
    rng: createRng(`ctx/${seat}`),
    budget: { iterations: 1 },
    model: { engine, config },
    log: silentLogger,
  };
}

/** A state from planets [x, y, owner, ships, production]. */
function state(planets: [number, number, number, number, number][]): GalaxState {
  return {
    config: parseConfig({}),
    players: 2,
    year: 0,
    planets: planets.map(([x, y, owner, ships, production], id) => ({ id, x, y, owner, ships, production })),
    fleets: [],
    alive: [true, true],
    reports: [],
    winner: null,
  };
}

const decide = (s: Strategy<GalaxObservation, GalaxAction>, st: GalaxState, seat = 0) =>
  s.decide(engine.observe(st, seat), context(seat)) as GalaxAction;

describe('galax strategies', () => {
  it('heuristic beats random clearly: at least 17 of 20 seeded 2-player games', async () => {
    const config = parseConfig({});
    let wins = 0;
    for (let game = 0; game < 20; game++) {
      const seat = game % 2;
      const players = seat === 0 ? [heuristic(), random()] : [random(), heuristic()];
      const out = await runMatch({ engine, config, players, seed: `hr${game}` });
      expect(out.invalid).toEqual([]);
      if (out.result.winner === seat) wins++;
    }
    expect(wins).toBeGreaterThanOrEqual(17);
  });

  it('never sends an invalid move, with 2 to 8 players, full and fog', async () => {
    for (const [players, visibility] of [
      [2, 'fog'],
      [3, 'full'],
      [5, 'fog'],
      [8, 'full'],
    ] as const) {
      const config = parseConfig({ visibility, maxYear: 120, planets: Math.max(12, players * 2) });
      const bots = Array.from({ length: players }, (_, i) => (i % 2 === 0 ? heuristic() : random()));
      const out = await runMatch({ engine, config, players: bots, seed: `valid/${players}/${visibility}` });
      expect(out.invalid).toEqual([]);
      expect(out.result.scores).toHaveLength(players);
    }
  });

  it('heuristic decides well under a millisecond', async () => {
    // Timed inside one 4-player game; the average is far below the bound on a loaded machine too.
    let total = 0;
    let calls = 0;
    const timed = (): Strategy<GalaxObservation, GalaxAction> => {
      const inner = heuristic();
      return {
        name: inner.name,
        decide(obs, ctx) {
          const started = performance.now();
          const action = inner.decide(obs, ctx);
          total += performance.now() - started;
          calls++;
          return action;
        },
      };
    };
    const config = parseConfig({});
    await runMatch({ engine, config, players: [timed(), timed(), timed(), timed()], seed: 'timing' });
    expect(calls).toBeGreaterThan(20);
    expect(total / calls).toBeLessThan(1);
  });

  it('heuristic takes a cheap close productive planet with enough ships, and never overdraws', () => {
    // Home (0,0) 30 ships; independent 2 at (2,0): 5 ships, production 5; independent 3 at (4,0): 40 ships.
    const st = state([
      [0, 0, 1, 30, 10],
      [15, 15, 2, 10, 10],
      [2, 0, 0, 5, 5],
      [4, 0, 0, 40, 1],
    ]);
    const moves = decide(heuristic(), st);
    expect(engine.validate(st, 0, moves)).toBeNull();
    const attack = moves.find((m) => m.to === 2);
    // Trip 10 tenths: no surprise, so at least shipsToConquer(5, false) ships.
    expect(attack?.ships).toBeGreaterThanOrEqual(shipsToConquer(5, false));
    expect(moves.some((m) => m.to === 3)).toBe(false);
  });

  it('heuristic does not attack what it cannot take', () => {
    const st = state([
      [0, 0, 1, 4, 10],
      [15, 15, 2, 30, 10],
      [2, 0, 0, 20, 5],
    ]);
    const moves = decide(heuristic(), st);
    expect(moves).toEqual([]);
  });

  it('random plays legal moves and only from its own planets', () => {
    const st = state([
      [0, 0, 1, 30, 10],
      [15, 15, 2, 10, 10],
      [2, 0, 1, 1, 5],
      [4, 0, 0, 40, 1],
    ]);
    const s = createRandomStrategy({ params: { activity: 1 } });
    const ctx = context(0);
    let sent = 0;
    for (let i = 0; i < 200; i++) {
      const moves = s.decide(engine.observe(st, 0), ctx) as GalaxAction;
      expect(engine.validate(st, 0, moves)).toBeNull();
      sent += moves.length;
    }
    expect(sent).toBeGreaterThan(100);
  });

  it('the bots resolve by short and full name, with their parameters', async () => {
    const h = await resolveBot('heuristic:margin=0.3', 'galax');
    expect(h.definition.name).toBe('galax-heuristic');
    expect(h.params).toMatchObject({ margin: 0.3, reserve: 1 });
    expect(h.create().name).toBe('galax-heuristic');
    const r = await resolveBot('galax-random', 'galax');
    expect(r.create().name).toBe('galax-random');
    await expect(resolveBot('heuristic:bogus=1', 'galax')).rejects.toThrow(/bogus: unknown setting \(known: margin/);
  });
});
