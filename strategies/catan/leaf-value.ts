import {
  boardLookups,
  type CatanState,
  CITY_COST,
  DEV_COST,
  HEX_VERTICES,
  PIPS,
  ROAD_COST,
  SETTLEMENT_COST,
  totalPoints,
  VERTEX_COUNT,
} from '../../src/games/catan/index.ts';
import { openSites } from './heuristic.ts';
import { LEAF_WEIGHTS } from './leaf-weights.ts';

/**
 * catan-mcts's leaf value: each seat's chance to win the game, a softmax over the seats of a linear score of
 * the features below, whose weights (`leaf-weights.ts`) were fitted by `fit-leaf-value.ts` to who won
 * thousands of seeded games between catan-heuristic bots (and catan-random). catan-heuristic's own value
 * was tuned for one-ply play and never fitted to outcomes; this one prices what wins a game from where it
 * stands: points (and how close to the finish), production per resource, harbours, cards, the turn order.
 */
export const FEATURES = [
  'points',
  'points²/10',
  'brick pips',
  'lumber pips',
  'wool pips',
  'grain pips',
  'ore pips',
  'resource kinds produced',
  'pips under the robber',
  '3:1 harbour',
  'pips of resources with an own 2:1 harbour',
  'resource cards',
  'cards over the hand limit',
  'development cards held',
  'knights played',
  'longest road (capped at 10)',
  'settlement sites reachable now (capped at 3)',
  'sites one road away (capped at 4)',
  'cities',
  'city: 1/(1 + cards missing)',
  'settlement: 1/(1 + cards missing)',
  'development card: 1/(1 + cards missing)',
  'road: 1/(1 + cards missing)',
  'moves next',
  'moves last',
] as const;

export const FEATURE_COUNT = FEATURES.length;

function missing(hands: readonly number[], o: number, cost: readonly number[]): number {
  let m = 0;
  for (let r = 0; r < 5; r++) m += Math.max(0, cost[r]! - hands[o + r]!);
  return m;
}

/** Writes `seat`'s features in `s` (base rules) to `out` from `at`. */
export function seatFeatures(s: CatanState, seat: number, out: Float64Array | number[], at = 0): void {
  const lk = boardLookups(s.board);
  const prod = [0, 0, 0, 0, 0];
  let robbed = 0;
  let generic = 0;
  let cities = 0;
  const special = [0, 0, 0, 0, 0];
  for (let v = 0; v < VERTEX_COUNT; v++) {
    const b = s.buildings[v]!;
    if (b < 0 || b >> 1 !== seat) continue;
    const k = (b & 1) + 1;
    cities += b & 1;
    for (let r = 0; r < 5; r++) prod[r]! += k * lk.vertexPips[v * 5 + r]!;
    const h = lk.vertexHarbour[v]!;
    if (h === -1) generic = 1;
    else if (h >= 0) special[h] = 1;
  }
  if (lk.hexResource[s.robber]! >= 0) {
    const pips = PIPS[s.board.numbers[s.robber]!]!;
    for (const v of HEX_VERTICES[s.robber]!) {
      const b = s.buildings[v]!;
      if (b >= 0 && b >> 1 === seat) robbed += ((b & 1) + 1) * pips;
    }
  }
  let kinds = 0;
  let harboured = 0;
  for (let r = 0; r < 5; r++) {
    if (prod[r]! > 0) kinds++;
    if (special[r]) harboured += prod[r]!;
  }
  const k = s.bank.length;
  const o = seat * k;
  let cards = 0;
  for (let r = 0; r < k; r++) cards += s.hands[o + r]!;
  const sites = openSites(s, seat);
  const direct = sites[0]!;
  const near = sites[1]!;
  let devCards = 0;
  for (let c = 0; c < 5; c++) if (c !== 1) devCards += s.devs[seat * 5 + c]! + (seat === s.current ? s.devNew[c]! : 0);
  const points = totalPoints(s, seat);
  const offset = (seat - s.current + s.players) % s.players;
  const values = [
    points,
    (points * points) / 10,
    prod[0]!,
    prod[1]!,
    prod[2]!,
    prod[3]!,
    prod[4]!,
    kinds,
    robbed,
    generic,
    harboured,
    cards,
    Math.max(0, cards - 7),
    devCards,
    s.knights[seat]!,
    Math.min(s.roadLength[seat]!, 10),
    Math.min(direct, 3),
    Math.min(near, 4),
    cities,
    1 / (1 + missing(s.hands, o, CITY_COST)),
    1 / (1 + missing(s.hands, o, SETTLEMENT_COST)),
    1 / (1 + missing(s.hands, o, DEV_COST)),
    1 / (1 + missing(s.hands, o, ROAD_COST)),
    offset === 1 ? 1 : 0,
    offset === 2 ? 1 : 0,
  ];
  for (let i = 0; i < values.length; i++) out[at + i] = values[i]!;
}

/** Every seat's chance to win by the fitted model (sums to 1 over the seats); a finished game gives 1 to its winner. */
export function leafValues(s: CatanState, weights: readonly number[] = LEAF_WEIGHTS): number[] {
  const n = s.players;
  if (s.step.phase === 'over') {
    const out = new Array<number>(n).fill(s.winner < 0 ? 1 / n : 0);
    if (s.winner >= 0) out[s.winner] = 1;
    return out;
  }
  const f = new Float64Array(FEATURE_COUNT);
  const scores: number[] = [];
  let max = Number.NEGATIVE_INFINITY;
  for (let p = 0; p < n; p++) {
    seatFeatures(s, p, f);
    let z = 0;
    for (let i = 0; i < FEATURE_COUNT; i++) z += weights[i]! * f[i]!;
    scores.push(z);
    if (z > max) max = z;
  }
  let sum = 0;
  for (let p = 0; p < n; p++) {
    scores[p] = Math.exp(scores[p]! - max);
    sum += scores[p]!;
  }
  return scores.map((e) => e / sum);
}
