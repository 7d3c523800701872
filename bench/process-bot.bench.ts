/**
 * Decisions per second through a process bot (docs/process-bots.md) against the same bot in-process: the
 * Galax bot of strategies/examples/first-galax-bot.ts and its Python port strategies/examples/galax_bot.py (the
 * same rule, the same moves), each against a bot that passes, in whole default games on one core. Then the
 * Carcassonne Python example, whose requests also carry the legal actions.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBot } from '../src/bots/resolve.ts';
import type { AnyEngine } from '../src/core/engine.ts';
import { runMatch } from '../src/core/match.ts';
import type { Strategy } from '../src/core/strategy.ts';
import { loadEngine } from '../src/games/registry.ts';
import type { Bench, BenchResult } from './harness.ts';

const GROUP = 'Process bots';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Plays whole games for at least `ms` with `make()` in seat 0; returns seat 0's decisions per second. */
async function decisionsPerSecond(engine: AnyEngine, make: () => Strategy, other: () => Strategy, ms: number) {
  let decisions = 0;
  let games = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    const bot = make();
    const counted: Strategy = {
      name: bot.name,
      decide: (o, c) => {
        decisions++;
        return bot.decide(o, c);
      },
      onGameEnd: (r, c) => bot.onGameEnd?.(r, c),
    };
    const out = await runMatch({ engine, config: engine.defaultConfig(), players: [counted, other()], seed: games });
    if (out.forfeits.length > 0) throw new Error(`forfeit: ${out.forfeits[0]!.reason}`);
    games++;
  }
  return { rate: (decisions * 1000) / (performance.now() - started), decisions, games };
}

export const run: Bench = async () => {
  const results: BenchResult[] = [];
  const galax = await loadEngine('galax');
  const pass = (): Strategy => ({ name: 'pass', decide: () => [] });
  const inProcess = await resolveBot(join(root, 'strategies/examples/first-galax-bot.ts'), 'galax');
  const python = await resolveBot('exec:python3 strategies/examples/galax_bot.py', 'galax', root);
  await decisionsPerSecond(galax, () => python.create(), pass, 500); // start the process, warm up
  await decisionsPerSecond(galax, () => inProcess.create(), pass, 500);
  const a = await decisionsPerSecond(galax, () => inProcess.create(), pass, 3000);
  const b = await decisionsPerSecond(galax, () => python.create(), pass, 3000);
  results.push({
    group: GROUP,
    name: 'Galax, first-galax-bot in-process: decisions/s',
    value: Math.round(a.rate),
    unit: 'decisions/s',
    note: `${a.games} games; includes the engine's own steps`,
  });
  results.push({
    group: GROUP,
    name: 'Galax, the same bot as a Python process (galax_bot.py): decisions/s',
    value: Math.round(b.rate),
    unit: 'decisions/s',
    note: `${b.games} games, one process for all of them; each decision is a pipe round trip (two context switches) plus JSON of the observation both ways`,
  });
  results.push({
    group: GROUP,
    name: 'Galax: in-process / process',
    value: Math.round((a.rate / b.rate) * 10) / 10,
    unit: '×',
  });
  const carcassonne = await loadEngine('carcassonne');
  const random = await resolveBot('random', 'carcassonne');
  const pyCarc = await resolveBot('exec:python3 strategies/examples/carcassonne_bot.py', 'carcassonne', root);
  await decisionsPerSecond(
    carcassonne,
    () => pyCarc.create(),
    () => random.create(),
    500,
  );
  const c = await decisionsPerSecond(
    carcassonne,
    () => random.create(),
    () => random.create(),
    3000,
  );
  const d = await decisionsPerSecond(
    carcassonne,
    () => pyCarc.create(),
    () => random.create(),
    3000,
  );
  results.push({
    group: GROUP,
    name: 'Carcassonne, built-in random in-process: decisions/s',
    value: Math.round(c.rate),
    unit: 'decisions/s',
    note: `${c.games} games`,
  });
  results.push({
    group: GROUP,
    name: 'Carcassonne, carcassonne_bot.py as a process: decisions/s',
    value: Math.round(d.rate),
    unit: 'decisions/s',
    note: `${d.games} games; the observation is the whole board (union-find arrays), and the legal actions are enumerated for every request`,
  });
  return results;
};
