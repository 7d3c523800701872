/**
 * Ore Rush engine throughput: whole games played in-process by `runMatch` (observe, decide, validate, apply for
 * every seat every round) on one core, default config (30 x 15, 5 robots, 200 rounds), a new seed per game.
 * Also the packet codec: one full `updte` (an observation of the default board) encoded and decoded.
 */
import { createRng } from '../src/core/rng.ts';
import { type OreRushState, orerushEngine } from '../src/games/orerush/index.ts';
import { decodePacket, decodeUpdate, encodePacket, encodeUpdate, type Packet } from '../src/protocols/orerush/index.ts';
import { createHeuristicStrategy, createRandomStrategy } from '../strategies/orerush/index.ts';
import { type Bench, type BenchResult, fullGamesPerSecond, opsPerSecond } from './harness.ts';

const GROUP = 'Ore Rush';

export const run: Bench = async () => {
  const results: BenchResult[] = [];
  const cases = [
    { label: 'random', factory: createRandomStrategy, players: 2, target: '>= 200' },
    { label: 'heuristic', factory: createHeuristicStrategy, players: 2 },
    { label: 'random', factory: createRandomStrategy, players: 4 },
  ] as const;
  for (const c of cases) {
    await fullGamesPerSecond(orerushEngine, c.factory, c.players, 700);
    const { rate, games, cpuRate } = await fullGamesPerSecond(orerushEngine, c.factory, c.players, 3000);
    results.push({
      group: GROUP,
      name: `engine, ${c.players} players, ${c.label} bots: full games/s (1 core)`,
      value: Math.round(rate),
      unit: 'games/s',
      ...('target' in c ? { target: c.target } : {}),
      note: `${games} games of 200 rounds; ${Math.round(cpuRate)} games per CPU-second of this process (wall-clock figure is lower on a shared machine)${
        c.label === 'heuristic' ? "; the heuristic's scan of every cell per robot dominates" : ''
      }`,
    });
  }

  // A mid-game observation with radar vision, as the server sends it every round.
  let state: OreRushState = orerushEngine.setup(orerushEngine.defaultConfig(), 2, createRng('bench'));
  state = {
    ...state,
    radars: [
      { x: 8, y: 7, owner: 0 },
      { x: 18, y: 4, owner: 0 },
    ],
  };
  const obs = orerushEngine.observe(state, 0);
  const packet = encodeUpdate(obs, null);
  const bytes = encodePacket(packet);
  const enc = opsPerSecond(() => {
    for (let i = 0; i < 100; i++) encodePacket(encodeUpdate(obs, null));
    return 100;
  });
  const dec = opsPerSecond(() => {
    for (let i = 0; i < 100; i++) decodeUpdate(decodePacket(bytes) as Extract<Packet, { type: 'updte' }>);
    return 100;
  });
  results.push(
    {
      group: GROUP,
      name: 'codec: updte encode (observation to packet bytes)',
      value: Math.round(enc),
      unit: 'packets/s',
      note: `${bytes.length} bytes per packet (30 x 15 board, JSON arrays)`,
    },
    {
      group: GROUP,
      name: 'codec: updte decode and check (packet bytes to observation)',
      value: Math.round(dec),
      unit: 'packets/s',
    },
  );
  return results;
};
