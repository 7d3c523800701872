/**
 * Fits catan-mcts's leaf value (`leaf-value.ts`) to game outcomes, and writes `leaf-weights.ts`.
 *
 *   npx tsx strategies/catan/fit-leaf-value.ts [games=3000] [seed=1]
 *
 * Plays seeded 3-player base games (half catan-heuristic ×3, half two catan-heuristic and a catan-random in a
 * rotating seat), samples positions before a roll (each with probability 0.5), and records every seat's features
 * and the winner. Only before a roll: at a position in the middle of a turn, a hand that holds a city's cards is
 * one catan-heuristic is about to spend, so a fit over such positions priced cards in hand as high as what they
 * buy, and a search on it ended turns with full hands instead of building (38.3% against catan-heuristic in a
 * 60-game screen). Before a roll every hand is one carried over a turn. The model is a softmax over the seats of a linear score (a conditional logit:
 * features every seat shares cancel out), fitted by gradient descent with a small L2 penalty; the script
 * prints the held-out log-loss and accuracy beside those of catan-heuristic's value through the same softmax.
 */
import { writeFileSync } from 'node:fs';
import { createRng } from '../../src/core/rng.ts';
import type { Strategy } from '../../src/core/strategy.ts';
import {
  type CatanAction,
  type CatanObservation,
  type CatanState,
  catanEngine,
  observe,
} from '../../src/games/catan/index.ts';
import { createHeuristicStrategy, value } from './heuristic.ts';
import { FEATURE_COUNT, FEATURES, seatFeatures } from './leaf-value.ts';
import { createRandomStrategy } from './random.ts';

const games = Number(process.argv[2] ?? 3000);
const seed = Number(process.argv[3] ?? 1);
const N = 3;
const HEURISTIC_W = { points: 100, production: 3, variety: 6, expansion: 8, development: 9 };

interface Sample {
  f: Float64Array; // N * FEATURE_COUNT
  h: number[]; // heuristic values
  winner: number;
  game: number;
}

const samples: Sample[] = [];
let noWinner = 0;
const t0 = Date.now();
for (let g = 0; g < games; g++) {
  const rng = createRng(`fit-leaf/${seed}/${g}`);
  const config = catanEngine.defaultConfig();
  let state: CatanState = catanEngine.setup(config, N, rng.fork('setup'));
  const withRandom = g % 2 === 1;
  const randomSeat = withRandom ? Math.floor(g / 2) % N : -1;
  const players: Strategy<CatanObservation, CatanAction>[] = [];
  for (let p = 0; p < N; p++)
    players.push(
      (p === randomSeat ? createRandomStrategy({ params: {} }) : createHeuristicStrategy({ params: {} })) as Strategy<
        CatanObservation,
        CatanAction
      >,
    );
  const bots = players.map((_, p) => rng.fork(`bot/${p}`));
  const chance = rng.fork('chance');
  const pick = rng.fork('pick');
  const picked: CatanState[] = [];
  for (let steps = 0; steps < 20000; steps++) {
    const to = catanEngine.toAct(state);
    if (to.kind === 'terminal') break;
    if (to.kind === 'chance') {
      state = catanEngine.apply(state, { kind: 'chance', outcome: catanEngine.sampleChance!(state, chance) });
      continue;
    }
    const phase = state.step.phase;
    if (phase === 'preRoll' && pick.next() < 0.5) picked.push(state);
    const actions = new Map<number, CatanAction>();
    for (const seat of to.seats) {
      const obs = observe(state, seat);
      const ctx = { seat, rng: bots[seat]!, budget: {}, log: undefined } as never;
      actions.set(seat, (await players[seat]!.decide(obs, ctx)) as CatanAction);
    }
    state = catanEngine.apply(state, { kind: 'players', actions });
  }
  if (state.winner < 0) {
    noWinner++;
    continue;
  }
  for (const s of picked) {
    const f = new Float64Array(N * FEATURE_COUNT);
    const h: number[] = [];
    for (let p = 0; p < N; p++) {
      seatFeatures(s, p, f, p * FEATURE_COUNT);
      h.push(value(s, p, HEURISTIC_W));
    }
    samples.push({ f, h, winner: state.winner, game: g });
  }
  if ((g + 1) % 500 === 0) console.error(`${g + 1} games, ${samples.length} samples, ${(Date.now() - t0) / 1000}s`);
}
console.error(`${games} games (${noWinner} without a winner), ${samples.length} samples`);

// Held out: every fifth game.
const train = samples.filter((s) => s.game % 5 !== 0);
const test = samples.filter((s) => s.game % 5 === 0);

// Standardise features for the fit (weights are mapped back to raw units at the end).
const mean = new Float64Array(FEATURE_COUNT);
const sd = new Float64Array(FEATURE_COUNT);
for (const s of train)
  for (let p = 0; p < N; p++) for (let i = 0; i < FEATURE_COUNT; i++) mean[i]! += s.f[p * FEATURE_COUNT + i]!;
for (let i = 0; i < FEATURE_COUNT; i++) mean[i]! /= train.length * N;
for (const s of train)
  for (let p = 0; p < N; p++)
    for (let i = 0; i < FEATURE_COUNT; i++) sd[i]! += (s.f[p * FEATURE_COUNT + i]! - mean[i]!) ** 2;
for (let i = 0; i < FEATURE_COUNT; i++) sd[i] = Math.sqrt(sd[i]! / (train.length * N)) || 1;

const probs = (s: Sample, w: Float64Array): number[] => {
  const z: number[] = [];
  for (let p = 0; p < N; p++) {
    let v = 0;
    for (let i = 0; i < FEATURE_COUNT; i++) v += w[i]! * ((s.f[p * FEATURE_COUNT + i]! - mean[i]!) / sd[i]!);
    z.push(v);
  }
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const t = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / t);
};

const w = new Float64Array(FEATURE_COUNT);
const L2 = 1e-4;
// Adam on the full batch.
const m1 = new Float64Array(FEATURE_COUNT);
const m2 = new Float64Array(FEATURE_COUNT);
for (let it = 1; it <= 600; it++) {
  const grad = new Float64Array(FEATURE_COUNT);
  for (const s of train) {
    const pr = probs(s, w);
    for (let p = 0; p < N; p++) {
      const d = pr[p]! - (p === s.winner ? 1 : 0);
      for (let i = 0; i < FEATURE_COUNT; i++) grad[i]! += d * ((s.f[p * FEATURE_COUNT + i]! - mean[i]!) / sd[i]!);
    }
  }
  for (let i = 0; i < FEATURE_COUNT; i++) {
    const g = grad[i]! / train.length + L2 * w[i]!;
    m1[i] = 0.9 * m1[i]! + 0.1 * g;
    m2[i] = 0.999 * m2[i]! + 0.001 * g * g;
    const mh = m1[i]! / (1 - 0.9 ** it);
    const vh = m2[i]! / (1 - 0.999 ** it);
    w[i]! -= (0.05 * mh) / (Math.sqrt(vh) + 1e-8);
  }
}

const evaluate = (set: Sample[], pr: (s: Sample) => number[]) => {
  let loss = 0;
  let right = 0;
  for (const s of set) {
    const p = pr(s);
    loss -= Math.log(Math.max(1e-12, p[s.winner]!));
    if (p.indexOf(Math.max(...p)) === s.winner) right++;
  }
  return { logLoss: loss / set.length, accuracy: right / set.length };
};
// catan-heuristic's value through a softmax at its best single scale, for comparison.
let bestH = { scale: 0, logLoss: Number.POSITIVE_INFINITY, accuracy: 0 };
for (const scale of [30, 50, 75, 100, 150, 200, 300]) {
  const r = evaluate(train, (s) => {
    const m = Math.max(...s.h);
    const e = s.h.map((v) => Math.exp((v - m) / scale));
    const t = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / t);
  });
  if (r.logLoss < bestH.logLoss) bestH = { scale, ...r };
}
const hTest = evaluate(test, (s) => {
  const m = Math.max(...s.h);
  const e = s.h.map((v) => Math.exp((v - m) / bestH.scale));
  const t = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / t);
});
const fit = { train: evaluate(train, (s) => probs(s, w)), test: evaluate(test, (s) => probs(s, w)) };
console.log(
  JSON.stringify(
    {
      samples: samples.length,
      train: train.length,
      test: test.length,
      fit,
      heuristic: { scale: bestH.scale, test: hTest },
    },
    null,
    1,
  ),
);

// Raw-unit weights: the mean shift is the same for every seat and cancels in the softmax.
const raw = Array.from(w, (v, i) => v / sd[i]!);
const lines = FEATURES.map((name, i) => `  ${Number(raw[i]!.toPrecision(4))}, // ${name}`);
writeFileSync(
  new URL('./leaf-weights.ts', import.meta.url),
  `/**
 * catan-mcts's leaf weights, one per feature of \`leaf-value.ts\`: written by \`npx tsx strategies/catan/fit-leaf-value.ts ${games} ${seed}\`
 * (${samples.length} positions from ${games - noWinner} won games; held-out log-loss ${fit.test.logLoss.toFixed(4)}, accuracy ${(100 * fit.test.accuracy).toFixed(1)}%;
 * catan-heuristic's value through the same softmax, at its best scale ${bestH.scale}: ${hTest.logLoss.toFixed(4)}, ${(100 * hTest.accuracy).toFixed(1)}%).
 */
export const LEAF_WEIGHTS: readonly number[] = [
${lines.join('\n')}
];
`,
);
