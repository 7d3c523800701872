/**
 * Equivalence per decision: a seeded game played in-process (`runMatch`) and over TCP against the reference
 * server (the one online seat) gives every seat the same observations and gets the same actions back, decision
 * by decision — with random, heuristic (greedy) and MCTS bots. MCTS reads the forward model's config, so it is
 * the bot that a settings drift between the server and the client would show first.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ResolvedBot, resolveBots } from '../../src/bots/resolve.ts';
import type { GameEngine } from '../../src/core/engine.ts';
import { hashState } from '../../src/core/hash.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runMatch } from '../../src/core/match.ts';
import { carcassonneEngine } from '../../src/games/carcassonne/index.ts';
import { catanEngine } from '../../src/games/catan/index.ts';
import { creepsmashEngine } from '../../src/games/creepsmash/index.ts';
import { galaxEngine } from '../../src/games/galax/index.ts';
import { orerushEngine } from '../../src/games/orerush/index.ts';
import { playGalaxOnline, startGalaxServer } from '../../src/protocols/galax/index.ts';
import { playOreRushOnline, startOreRushServer } from '../../src/protocols/orerush/index.ts';
import { catanSe1 } from '../../src/protocols/se1/catan.ts';
import { playOnline as playCatanOnline } from '../../src/protocols/se1/catan-online.ts';
import {
  carcassonneSe1,
  creepsmashSe1,
  playOnline as playCarcassonneOnline,
  playCreepSmashOnline,
  startSe1Server,
} from '../../src/protocols/se1/index.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Key order is not content: objects are hashed with sorted keys (a decoded observation builds them in wire order). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** `seat → [hash(observation) hash(action)]...`, in decision order. */
function decisions() {
  const bySeat: string[][] = [];
  return {
    bySeat,
    onDecision: (seat: number, observation: unknown, action: unknown) => {
      bySeat[seat] ??= [];
      bySeat[seat].push(`${hashState(canonical(observation))} ${hashState(canonical(action))}`);
    },
  };
}

function expectSameDecisions(offline: string[][], online: string[][]): void {
  expect(online.length).toBe(offline.length);
  for (const [seat, list] of offline.entries()) {
    expect(list.length, `seat ${seat} decided`).toBeGreaterThan(0);
    const other = online[seat] ?? [];
    const first = list.findIndex((h, i) => other[i] !== h);
    expect(first === -1 ? null : { seat, decision: first, offline: list[first], online: other[first] }).toBeNull();
    expect(other.length, `seat ${seat}: decisions online`).toBe(list.length);
  }
}

const BUDGET = { iterations: 12 };
const CATAN_BOTS = ['catan-random', 'catan-heuristic', 'catan-mcts'];

/** The same bots and seed in-process (runMatch), every decision recorded. */
async function playOffline(
  // biome-ignore lint/suspicious/noExplicitAny: any game's engine.
  engine: GameEngine<any, any, any, any, any, any>,
  config: unknown,
  bots: readonly ResolvedBot[],
  seed: string | number,
) {
  const offline = decisions();
  await runMatch({
    engine,
    config,
    players: bots.map((b) => b.create()),
    seed,
    budget: BUDGET,
    onDecision: offline.onDecision,
  });
  return offline;
}

describe('per-decision equivalence, in-process and over TCP', () => {
  it('Galax: random, heuristic and MCTS see the same observations and answer the same actions', async () => {
    const raw = { maxYear: 16, planets: 12 };
    const config = galaxEngine.parseConfig(raw);
    const seed = 4242;
    const server = await startGalaxServer({ port: 0, gameSeed: seed, config });
    cleanups.push(() => server.close());
    const bots = await resolveBots(['random', 'heuristic', 'mcts:iterations=12'], 'galax');
    const offline = await playOffline(galaxEngine, config, bots, seed);
    const online = decisions();
    const out = await playGalaxOnline({
      host: '127.0.0.1',
      port: server.port,
      bots,
      seed,
      budget: BUDGET,
      log: silentLogger,
      timeoutMs: 60_000,
      config: raw,
      onDecision: online.onDecision,
    });
    expect(out.errors).toEqual([]);
    expectSameDecisions(offline.bySeat, online.bySeat);
  }, 60_000);

  it('Ore Rush: random, heuristic and MCTS see the same observations and answer the same actions', async () => {
    const rules = { rounds: 15, width: 16, height: 8, robots: 3 };
    const config = orerushEngine.parseConfig(rules);
    const seed = 'equiv-decisions';
    const server = await startOreRushServer({ port: 0 });
    cleanups.push(() => server.close());
    const bots = await resolveBots(['random', 'heuristic', 'mcts:iterations=12'], 'orerush');
    const offline = await playOffline(orerushEngine, config, bots, seed);
    const online = decisions();
    const seats = await playOreRushOnline({
      host: '127.0.0.1',
      port: server.port,
      bots,
      seed,
      rules,
      budget: BUDGET,
      log: silentLogger,
      timeoutMs: 60_000,
      onDecision: online.onDecision,
    });
    expect(seats.flatMap((s) => s.errors)).toEqual([]);
    expectSameDecisions(offline.bySeat, online.bySeat);
  }, 60_000);

  it('Carcassonne: random, greedy and MCTS see the same observations and answer the same actions', async () => {
    const server = await startSe1Server({
      port: 0,
      game: carcassonneSe1,
      settings: { seed: 'equiv', timeoutMs: 60_000 },
    });
    cleanups.push(() => server.close());
    const seed = 31;
    const bots = await resolveBots(['random', 'greedy', 'mcts:iterations=12'], 'carcassonne');
    const config = carcassonneEngine.defaultConfig();
    const offline = await playOffline(carcassonneEngine, config, bots, seed);
    const online = decisions();
    const out = await playCarcassonneOnline({
      host: server.host,
      port: server.port,
      bots,
      seed,
      budget: BUDGET,
      log: silentLogger,
      timeoutMs: 90_000,
      onDecision: online.onDecision,
    });
    expect(out.errors).toEqual([]);
    expectSameDecisions(offline.bySeat, online.bySeat);
  }, 120_000);

  it('Catan: random, heuristic and MCTS see the same observations (hidden cards included) and answer the same actions', async () => {
    const server = await startSe1Server({ port: 0, game: catanSe1, settings: { seed: 'equiv', timeoutMs: 60_000 } });
    cleanups.push(() => server.close());
    const seed = 57;
    const bots = await resolveBots(CATAN_BOTS, 'catan');
    const config = catanEngine.defaultConfig();
    const offline = await playOffline(catanEngine, config, bots, seed);
    const online = decisions();
    const out = await playCatanOnline({
      host: server.host,
      port: server.port,
      bots,
      seed,
      budget: BUDGET,
      log: silentLogger,
      timeoutMs: 150_000,
      onDecision: online.onDecision,
    });
    expect(out.errors).toEqual([]);
    expectSameDecisions(offline.bySeat, online.bySeat);
  }, 180_000);

  it('Catan, Cities & Knights: random, heuristic and MCTS see the same observations and answer the same actions', async () => {
    const server = await startSe1Server({
      port: 0,
      game: catanSe1,
      settings: { seed: 'equiv', timeoutMs: 60_000, rules: 'rules=cities-and-knights' },
    });
    cleanups.push(() => server.close());
    const seed = 58;
    const bots = await resolveBots(CATAN_BOTS, 'catan');
    const settings = { rules: 'cities-and-knights' };
    const played = new Set<string>();
    const config = catanEngine.parseConfig(settings);
    const offline = await playOffline(catanEngine, config, bots, seed);
    const online = decisions();
    const out = await playCatanOnline({
      host: server.host,
      port: server.port,
      bots,
      seed,
      budget: BUDGET,
      log: silentLogger,
      timeoutMs: 150_000,
      settings,
      onDecision: (seat, observation, action) => {
        played.add((action as { type: string }).type);
        online.onDecision(seat, observation, action);
      },
    });
    expect(out.errors).toEqual([]);
    expectSameDecisions(offline.bySeat, online.bySeat);
    // The game used the Cities & Knights commands, not only the base ones.
    for (const type of ['improve', 'knightBuild', 'knightActivate', 'progress']) expect(played, type).toContain(type);
  }, 180_000);

  it('CreepSmash: random, heuristic and search see the same observation every tick and answer the same actions', async () => {
    // The lockstep room: a tick runs once every player has acknowledged it, so each bot decides on every tick.
    const rules = 'maxTicks=700 delayTicks=10 incomeTicks=100 startCredits=600';
    const server = await startSe1Server({
      port: 0,
      game: creepsmashSe1,
      settings: { seed: 'equiv', timeoutMs: 60_000, tickMs: 1, lockstep: true, rules },
    });
    cleanups.push(() => server.close());
    const config = creepsmashEngine.parseConfig({
      maxTicks: 700,
      delayTicks: 10,
      incomeTicks: 100,
      startCredits: 600,
      tickMs: 1,
    });
    const seed = 77;
    const bots = await resolveBots(['random:every=5', 'heuristic:every=7', 'search:every=100'], 'creepsmash');
    const offline = await playOffline(creepsmashEngine, config, bots, seed);
    const online = decisions();
    let commands = 0;
    const out = await playCreepSmashOnline({
      host: server.host,
      port: server.port,
      bots,
      seed,
      budget: BUDGET,
      log: silentLogger,
      timeoutMs: 90_000,
      onDecision: (seat, observation, action) => {
        commands += action.length;
        online.onDecision(seat, observation, action);
      },
    });
    // The bots did play: towers, creeps, tiles went over the wire and came back in the tick stream.
    expect(commands).toBeGreaterThan(20);
    expect(out.errors).toEqual([]);
    expectSameDecisions(offline.bySeat, online.bySeat);
    expect(offline.bySeat[0]!.length).toBeGreaterThan(600);
  }, 120_000);
});
