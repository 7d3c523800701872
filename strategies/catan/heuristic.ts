import type { Rng } from '../../src/core/rng.ts';
import type { StrategyFactory } from '../../src/core/strategy.ts';
import {
  activeStrength,
  apply,
  boardLookups,
  type CatanAction,
  type CatanObservation,
  type CatanState,
  CITY_COST,
  DEV_COST,
  determinize,
  HEX_VERTICES,
  handLimit,
  KNIGHT,
  knightOwner,
  knightStrength,
  legalActions,
  PIPS,
  PROGRESS,
  progressHeld,
  ROAD_COST,
  roadSiteOk,
  rulesView,
  SETTLEMENT_COST,
  settlementSiteOk,
  siteFree,
  TRACK_COMMODITY,
  totalPoints,
  VERTEX_COUNT,
  VERTEX_EDGES,
  vertexPips,
} from '../../src/games/catan/index.ts';

/**
 * A value function over the four things that win Catan, and a one-ply search with it:
 * - points (every point is worth far more than anything else, so a build that scores is always taken);
 * - production: the pips (ways out of 36) of the hexes around own buildings, cities twice, the robbed hex not
 *   counted, plus a bonus per resource kind produced at all (variety is what lets a player build);
 * - expansion: free sites a settlement could go on now, and sites one road away (capped: two open sites are
 *   enough, more roads are waste), and the longest road;
 * - development: cards held, knights played, and how close the hand is to the next city, settlement,
 *   development card and road (fewer missing cards is better), with a penalty for a hand a 7 would halve.
 * Every legal action of the player to move is applied to a state sampled from the observation (`determinize`)
 * and the best value is played; `end` is the baseline, so the bot only trades when the trade brings it closer
 * to a build. Special cases: the robber goes where it hurts the leader most, offers are never made, and an
 * offer is accepted when the hand after it is worth more. Cities & Knights: progress cards whose effect comes in
 * a later decision (Smith, Bishop, Spy, ...) carry a bonus for what they will bring, Alchemist picks the sum that
 * pays the seat best, Bishop moves the robber like a 7, Commercial Harbor gives the most plentiful resource.
 * Parameters: `points`, `production`, `variety`,
 * `expansion`, `development` (weights).
 */
export const createHeuristicStrategy: StrategyFactory<CatanObservation, CatanAction> = (options) => {
  const p = options.params;
  const w = {
    points: Number(p.points ?? 100),
    production: Number(p.production ?? 3),
    variety: Number(p.variety ?? 6),
    expansion: Number(p.expansion ?? 8),
    development: Number(p.development ?? 9),
  };
  return {
    name: 'catan-heuristic',
    decide(obs, ctx) {
      const view = rulesView(obs);
      const actions = legalActions(view, ctx.seat);
      if (actions.length === 1) return actions[0]!;
      const step = obs.step;
      if (step.phase === 'robber' || step.phase === 'bishop') return robberMove(obs, actions);
      if (step.phase === 'commercialHarbor') return harbourChoice(obs, actions);
      if (step.phase === 'offer') return answerOffer(obs, actions);
      if (step.phase === 'confirm') return actions.find((a) => a.type === 'confirm') ?? actions[0]!;
      if (step.phase === 'preRoll') return preRoll(obs, actions);
      if (step.phase === 'pillage' || step.phase === 'aqueduct' || step.phase === 'defenderDraw')
        return ckChoice(obs, actions);
      return bestByValue(obs, ctx.seat, ctx.rng, w, actions);
    },
  };
};

type Weights = { points: number; production: number; variety: number; expansion: number; development: number };

function bestByValue(obs: CatanObservation, seat: number, rng: Rng, w: Weights, actions: readonly CatanAction[]) {
  const state = determinize(obs, seat, obs.config, rng);
  let best = actions[0]!;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (const a of actions) {
    if (a.type === 'offer') continue;
    if (a.type === 'knight' && !knightWorthIt(obs)) continue;
    const bonus = a.type === 'progress' ? cardBonus(obs, a) : 0;
    if (bonus === Number.NEGATIVE_INFINITY) continue;
    const after = apply(state, { kind: 'players', actions: new Map([[seat, a]]) });
    let v = value(after, seat, w) + bonus;
    if (a.type === 'buyDev') v += w.development * 1.5;
    if (v > bestValue + 1e-9) {
      bestValue = v;
      best = a;
    }
  }
  return best;
}

/** A seat's worth in `s` (see the strategy's comment). */
const SITES = [0, 0];

/**
 * The seat's open settlement sites: [where it may build now, free sites one of its roads away]. Written into one
 * reused pair (read it before the next call): the value functions call this at every leaf.
 */
export function openSites(s: CatanState, seat: number): readonly number[] {
  let direct = 0;
  let near = 0;
  for (let v = 0; v < VERTEX_COUNT; v++) {
    if (!siteFree(s, v)) continue;
    if (settlementSiteOk(s, seat, v)) direct++;
    else for (const e of VERTEX_EDGES[v]!) if (roadSiteOk(s, seat, e)) near++;
  }
  SITES[0] = direct;
  SITES[1] = near;
  return SITES;
}

export function value(s: CatanState, seat: number, w: Weights): number {
  if (s.step.phase === 'over') return s.winner === seat ? 1e9 : -1e9;
  const lk = boardLookups(s.board);
  const prod = [0, 0, 0, 0, 0];
  for (let v = 0; v < VERTEX_COUNT; v++) {
    const b = s.buildings[v]!;
    if (b < 0 || b >> 1 !== seat) continue;
    const k = (b & 1) + 1;
    for (const h of lkHexes(v)) {
      if (h === s.robber) continue;
      const r = lk.hexResource[h]!;
      if (r >= 0) prod[r]! += k * PIPS[s.board.numbers[h]!]!;
    }
  }
  let production = 0;
  let variety = 0;
  for (let r = 0; r < 5; r++) {
    production += prod[r]!;
    if (prod[r]! > 0) variety++;
  }
  const k = s.bank.length;
  const o = seat * k;
  const hand = s.hands;
  let cards = 0;
  for (let r = 0; r < k; r++) cards += hand[o + r]!;
  const sites = openSites(s, seat);
  const direct = sites[0]!;
  const near = sites[1]!;
  const expansion = Math.min(direct, 2) * 2 + Math.min(near, 3);
  const hasSettlement = s.pieces[seat * 3 + 1]! < 5;
  const closeness =
    (hasSettlement ? 30 / (1 + missing(hand, o, CITY_COST)) : 0) +
    (direct > 0 ? 30 / (1 + missing(hand, o, SETTLEMENT_COST)) : 0) +
    12 / (1 + missing(hand, o, DEV_COST)) +
    (direct === 0 ? 8 / (1 + missing(hand, o, ROAD_COST)) : 0);
  let devCards = 0;
  for (let c = 0; c < 5; c++) if (c !== 1) devCards += s.devs[seat * 5 + c]! + (seat === s.current ? s.devNew[c]! : 0);
  const limit = handLimit(s.ck, s.buildings, seat);
  const freeRoads = s.step.phase === 'roadBuilding' && s.current === seat ? s.step.roads : 0;
  return (
    w.points * totalPoints(s, seat) +
    w.production * production +
    w.variety * variety +
    w.expansion * expansion +
    w.development * (devCards + 0.5 * s.knights[seat]!) +
    2 * Math.min(s.roadLength[seat]!, 8) +
    6 * freeRoads +
    closeness +
    0.5 * cards -
    (cards > limit ? 3 * (cards - limit) : 0) +
    (s.ck === undefined ? 0 : ckValue(s, seat, w))
  );
}

/**
 * Cities & Knights terms: improvement levels (level 3 abilities and the metropolis race weigh most), active
 * knight strength against the barbarians (more urgent the closer they are), knights on the board, walls,
 * progress cards in hand and commodities towards the next level.
 */
function ckValue(s: CatanState, seat: number, w: Weights): number {
  const ck = s.ck!;
  let levels = 0;
  let nearNext = 0;
  for (let t = 0; t < 3; t++) {
    const level = ck.improvements[seat * 3 + t]!;
    levels += level + (level >= 3 ? 1.5 : 0);
    const have = s.hands[seat * 8 + TRACK_COMMODITY[t]!]!;
    if (level < 5) nearNext += Math.min(have, level + 1) / (level + 1);
  }
  const strength = activeStrength(ck, s.players)[seat]!;
  let knights = 0;
  for (const kn of ck.knights) if (knightOwner(kn) === seat) knights += knightStrength(kn);
  let walls = 0;
  for (let v = 0; v < VERTEX_COUNT; v++) if (ck.walls[v] && s.buildings[v]! >> 1 === seat) walls++;
  const urgency = 1 + ck.barbarian / 3;
  return (
    w.development * (1.2 * levels + 0.8 * progressHeld(ck, seat)) +
    6 * nearNext +
    4 * urgency * strength +
    3 * knights +
    4 * walls
  );
}

/** Decisions several seats make at once (no one-ply search there): the least productive city is pillaged, the
 * Aqueduct takes the scarcest resource, a tied defender draws science first (most cards are production). */
function ckChoice(obs: CatanObservation, actions: readonly CatanAction[]): CatanAction {
  const pipsOf = (v: number) => {
    const out = vertexPips(obs.board, v);
    return out.reduce((a, b) => a + b, 0);
  };
  let best = actions[0]!;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const a of actions) {
    let score = 0;
    if (a.type === 'pillage') score = -pipsOf(a.vertex);
    else if (a.type === 'aqueduct') score = -obs.hand[a.resource]!;
    else if (a.type === 'chooseDeck') score = [1, 0, 2][a.track]!;
    if (score > bestScore) {
      bestScore = score;
      best = a;
    }
  }
  return best;
}

const lkHexes = (v: number) => VERTEX_HEX_LIST[v]!;
const VERTEX_HEX_LIST: readonly (readonly number[])[] = Array.from({ length: VERTEX_COUNT }, (_, v) =>
  HEX_VERTICES.map((vs, h) => (vs.includes(v) ? h : -1)).filter((h) => h >= 0),
);

function missing(hand: readonly number[], o: number, cost: readonly number[]): number {
  let m = 0;
  for (let r = 0; r < 5; r++) m += Math.max(0, cost[r]! - hand[o + r]!);
  return m;
}

/** Plays a knight when the robber sits on one of its own hexes, or when it takes or nears the largest army. */
function knightWorthIt(obs: CatanObservation): boolean {
  if (obs.devs[KNIGHT]! === 0 || obs.devPlayed) return false;
  for (const v of HEX_VERTICES[obs.robber]!)
    if (obs.buildings[v]! >= 0 && obs.buildings[v]! >> 1 === obs.seat) return true;
  const mine = obs.knights[obs.seat]! + 1;
  const holder = obs.largestArmy;
  return mine >= 3 && (holder < 0 || (holder !== obs.seat && mine > obs.knights[holder]!));
}

function preRoll(obs: CatanObservation, actions: readonly CatanAction[]): CatanAction {
  const knight = actions.find((a) => a.type === 'knight');
  if (knight && knightWorthIt(obs)) return knight;
  const alchemist = alchemistChoice(obs, actions);
  if (alchemist) return alchemist;
  return actions.find((a) => a.type === 'roll')!;
}

/** Cards each seat would collect on the dice sum `sum` (a settlement 1, a city 2, not under the robber). */
function yieldOf(obs: CatanObservation, sum: number): number[] {
  const out = new Array<number>(obs.players).fill(0);
  for (let h = 0; h < obs.board.numbers.length; h++) {
    if (obs.board.numbers[h] !== sum || h === obs.robber) continue;
    for (const v of HEX_VERTICES[h]!) {
      const b = obs.buildings[v]!;
      if (b >= 0) out[b >> 1]! += (b & 1) + 1;
    }
  }
  return out;
}

/**
 * Alchemist: the sum that gives the seat the most cards against its best-served opponent (never a 7), with the
 * lowest red die (a low red draws progress cards at the city gates); played when it brings 2 cards or more.
 */
function alchemistChoice(obs: CatanObservation, actions: readonly CatanAction[]): CatanAction | undefined {
  let best: CatanAction | undefined;
  let bestScore = 1.5;
  for (const a of actions) {
    if (a.type !== 'progress' || a.dice === undefined) continue;
    const [red, yellow] = a.dice;
    if (red + yellow === 7) continue;
    const got = yieldOf(obs, red + yellow);
    let other = 0;
    for (let p = 0; p < obs.players; p++) if (p !== obs.seat) other = Math.max(other, got[p]!);
    const score = got[obs.seat]! - 0.5 * other - red * 0.01;
    if (got[obs.seat]! >= 2 && score > bestScore) {
      bestScore = score;
      best = a;
    }
  }
  return best;
}

/**
 * What a progress card whose effect comes in a later decision is worth now (the one-ply value only sees the card
 * leave the hand): -Infinity for a play that would only hurt the seat.
 */
function cardBonus(obs: CatanObservation, a: Extract<CatanAction, { type: 'progress' }>): number {
  const ck = obs.ck!;
  const card = PROGRESS[a.card]!.name;
  switch (card) {
    case 'smith': {
      let knights = 0;
      for (const k of ck.knights) if (knightOwner(k) === obs.seat && knightStrength(k) < 3) knights++;
      return 8 * Math.min(2, knights);
    }
    case 'commercialHarbor': {
      let resources = 0;
      for (let r = 0; r < 5; r++) resources += obs.hand[r]!;
      return resources > 0 ? 5 * Math.min(resources, obs.players - 1) : Number.NEGATIVE_INFINITY;
    }
    case 'masterMerchant':
      return 14;
    case 'bishop':
      return 10;
    case 'deserter':
      return 12;
    case 'spy':
      return ck.progressCounts[a.seat!]! > 0 ? 9 : Number.NEGATIVE_INFINITY;
    case 'diplomat': {
      const owner = obs.roads[a.edge!]!;
      if (owner === obs.seat) return Number.NEGATIVE_INFINITY;
      return owner === obs.longestRoad ? 16 : 2;
    }
    default:
      return 0;
  }
}

/**
 * Commercial Harbor: offer the resource the seat holds most of (a commodity is worth more to it than a spare
 * resource); answer with the commodity it holds most of, the one that least slows its next improvement.
 */
function harbourChoice(obs: CatanObservation, actions: readonly CatanAction[]): CatanAction {
  let best = actions[0]!;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const a of actions) {
    let score = Number.NEGATIVE_INFINITY;
    if (a.type === 'harbourOffer') score = a.resource === null ? 0.5 : obs.hand[a.resource]!;
    else if (a.type === 'harbourAnswer') score = obs.hand[a.resource]!;
    if (score > bestScore) {
      bestScore = score;
      best = a;
    }
  }
  return best;
}

/** The robber goes where it blocks the most pips of the strongest opponents, never on an own building. */
function robberMove(obs: CatanObservation, actions: readonly CatanAction[]): CatanAction {
  let best = actions[0]!;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const a of actions) {
    if (a.type !== 'robber') continue;
    const score = robberScore(obs, obs.seat, obs.publicPoints, obs.handSizes, a);
    if (score > bestScore) {
      bestScore = score;
      best = a;
    }
  }
  return best;
}

/**
 * How much moving the robber as `a` hurts `seat`'s opponents: the pips it blocks, weighted by their points, and
 * the steal, by the victim's hand and points; an own building next to the hex costs 100.
 */
export function robberScore(
  s: Pick<CatanObservation, 'board' | 'buildings'>,
  seat: number,
  points: readonly number[],
  handSizes: readonly number[],
  a: Extract<CatanAction, { type: 'robber' }>,
): number {
  const pips = PIPS[s.board.numbers[a.hex]!]!;
  let score = 0;
  for (const v of HEX_VERTICES[a.hex]!) {
    const b = s.buildings[v]!;
    if (b < 0) continue;
    const owner = b >> 1;
    const k = (b & 1) + 1;
    if (owner === seat) score -= 100;
    else score += k * pips * (1 + points[owner]! / 4);
  }
  if (a.victim !== null) score += 1 + handSizes[a.victim]! / 4 + points[a.victim]! / 2;
  return score;
}

/** Accepts an offer when the hand after it is closer to a build. */
function answerOffer(obs: CatanObservation, actions: readonly CatanAction[]): CatanAction {
  const accept = actions.find((a) => a.type === 'accept');
  if (!accept || obs.step.phase !== 'offer') return actions.find((a) => a.type === 'decline')!;
  const { give, get } = obs.step.offer;
  const before = obs.hand;
  const after = before.map((c, r) => c + give[r]! - get[r]!);
  // Never help the leader to a win.
  if (obs.publicPoints[obs.current]! >= obs.config.vpToWin - 2) return actions.find((a) => a.type === 'decline')!;
  const score = (h: readonly number[]) =>
    30 / (1 + missing(h, 0, CITY_COST)) +
    30 / (1 + missing(h, 0, SETTLEMENT_COST)) +
    12 / (1 + missing(h, 0, DEV_COST));
  return score(after) > score(before) + 1 ? accept : actions.find((a) => a.type === 'decline')!;
}
