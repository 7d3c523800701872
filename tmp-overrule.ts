import { runMatch } from './src/core/match.ts';
import type { Strategy } from './src/core/strategy.ts';
import { type CatanAction, type CatanObservation, catanEngine } from './src/games/catan/index.ts';
import { createHeuristicStrategy } from './strategies/catan/heuristic.ts';
import { createRandomStrategy } from './strategies/catan/random.ts';
import { catanMctsBot } from './strategies/catan/mcts.ts';
import { createRng } from './src/core/rng.ts';
const params = JSON.parse(process.argv[2] ?? '{}');
const counts: Record<string, number> = {};
let wins = 0;
for (let g = 0; g < Number(process.argv[3] ?? 3); g++) {
  const mcts = catanMctsBot.create({ params });
  const h = createHeuristicStrategy({ params: {} });
  const wrapped: Strategy<CatanObservation, CatanAction> = {
    name: 'x',
    decide(obs, ctx) {
      const a = mcts.decide(obs, ctx) as CatanAction;
      const b = h.decide(obs, { ...ctx, rng: createRng(1) }) as CatanAction;
      const k = `${obs.step.phase}:${JSON.stringify(b).slice(0, 20)}->${a.type}`;
      if (JSON.stringify(a) !== JSON.stringify(b)) counts[k] = (counts[k] ?? 0) + 1;
      counts[`all:${obs.step.phase}`] = (counts[`all:${obs.step.phase}`] ?? 0) + 1;
      return a;
    },
  };
  const out = await runMatch({
    engine: catanEngine,
    config: catanEngine.defaultConfig(),
    players: [wrapped, createHeuristicStrategy({ params: {} }), createRandomStrategy({ params: {} })] as never,
    seed: `ov/${g}`,
  });
  if (out.result.ranks[0] === 0) wins++;
  console.log(g, out.result.ranks);
}
console.log(wins, Object.entries(counts).sort((a, b) => b[1] - a[1]));
