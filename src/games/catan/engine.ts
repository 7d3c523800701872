import type { GameEngine, GameResult, Seat, StepActions, ToAct } from '../../core/engine.ts';
import type { Rng } from '../../core/rng.ts';
import {
  BANK_START,
  BEGINNER_BOARD,
  boardLookups,
  DEV_CARDS,
  DEV_DECK,
  KNIGHT,
  MONOPOLY,
  RESOURCES,
  ROAD_BUILDING,
  randomBoard,
  VICTORY_POINT,
  YEAR_OF_PLENTY,
} from './board.ts';
import { defaultConfig, parseConfig } from './config.ts';
import {
  anyRoadSite,
  CITY_COST,
  canAfford,
  DEV_COST,
  longestRoadOf,
  PIECES,
  ROAD_COST,
  roadSiteOk,
  roadSites,
  SETTLEMENT_COST,
  seatsAtHex,
  settlementSiteOk,
  settlementSites,
  siteFree,
  tradeRatio,
  tradeRatios,
} from './rules.ts';
import { EDGE_COUNT, HEX_COUNT, HEX_VERTICES, VERTEX_COUNT, VERTEX_EDGES, VERTEX_HEXES } from './topology.ts';
import type {
  CatanAction,
  CatanChance,
  CatanConfig,
  CatanEvent,
  CatanObservation,
  CatanState,
  CatanStep,
  ResumePhase,
  TradeOffer,
} from './types.ts';

/** Bumped whenever a rule change could change a game's outcome. */
export const ENGINE_VERSION = '1';

/** More cards than this when a 7 is rolled: discard half, rounded down. */
export const HAND_LIMIT = 7;
const LONGEST_ROAD_MIN = 5;
const LARGEST_ARMY_MIN = 3;

// ---- setup ----------------------------------------------------------------------------------------------

export function setup(config: CatanConfig, players: number, rng: Rng): CatanState {
  const board = config.map === 'beginner' ? BEGINNER_BOARD : randomBoard(rng);
  const n = players;
  return {
    config,
    players: n,
    board,
    buildings: new Array<number>(VERTEX_COUNT).fill(-1),
    roads: new Array<number>(EDGE_COUNT).fill(-1),
    robber: boardLookups(board).desert,
    hands: new Array<number>(n * 5).fill(0),
    bank: new Array<number>(5).fill(BANK_START),
    deck: DEV_DECK.slice(),
    devs: new Array<number>(n * 5).fill(0),
    devNew: [0, 0, 0, 0, 0],
    played: [0, 0, 0, 0, 0],
    knights: new Array<number>(n).fill(0),
    pieces: Array.from({ length: n }, () => PIECES).flat(),
    roadLength: new Array<number>(n).fill(0),
    longestRoad: -1,
    largestArmy: -1,
    views: new Array<number>(n * n * 6).fill(0),
    current: 0,
    step: { phase: 'setupSettlement', round: 0 },
    turn: 0,
    devPlayed: false,
    offers: 0,
    winner: -1,
  };
}

// ---- points ---------------------------------------------------------------------------------------------

/** Points everyone can see: 1 per settlement, 2 per city, 2 for longest road and for largest army. */
export function publicPoints(s: Pick<CatanState, 'pieces' | 'longestRoad' | 'largestArmy'>, seat: number): number {
  const settlements = PIECES[1]! - s.pieces[seat * 3 + 1]!;
  const cities = PIECES[2]! - s.pieces[seat * 3 + 2]!;
  return settlements + 2 * cities + (s.longestRoad === seat ? 2 : 0) + (s.largestArmy === seat ? 2 : 0);
}

/** All of a seat's points, its hidden victory point cards included. */
export function totalPoints(s: CatanState, seat: number): number {
  const vpCards = s.devs[seat * 5 + VICTORY_POINT]! + (seat === s.current ? s.devNew[VICTORY_POINT]! : 0);
  return publicPoints(s, seat) + vpCards;
}

// ---- who acts -------------------------------------------------------------------------------------------

const SEAT_TURNS: ToAct[] = Array.from({ length: 8 }, (_, s) => ({ kind: 'players', seats: [s] }) as const);
/** OTHERS[players][seat]: everyone but `seat` (who answers an offer). */
const OTHERS: ToAct[][] = Array.from({ length: 9 }, (_, n) =>
  Array.from(
    { length: n },
    (_, s) => ({ kind: 'players', seats: Array.from({ length: n }, (_, i) => i).filter((i) => i !== s) }) as const,
  ),
);
const CHANCE: ToAct = { kind: 'chance' };
const TERMINAL: ToAct = { kind: 'terminal' };

export function toAct(s: CatanState): ToAct {
  const step = s.step;
  switch (step.phase) {
    case 'over':
      return TERMINAL;
    case 'dice':
    case 'steal':
    case 'drawDev':
      return CHANCE;
    case 'discard': {
      const seats: number[] = [];
      for (let p = 0; p < s.players; p++) if (step.left[p]! > 0) seats.push(p);
      return { kind: 'players', seats };
    }
    case 'offer':
      return OTHERS[s.players]![s.current]!;
    default:
      return SEAT_TURNS[s.current]!;
  }
}

// ---- legal actions --------------------------------------------------------------------------------------

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const A = {
  settlement: range(VERTEX_COUNT).map((vertex) => ({ type: 'settlement', vertex }) as const),
  city: range(VERTEX_COUNT).map((vertex) => ({ type: 'city', vertex }) as const),
  road: range(EDGE_COUNT).map((edge) => ({ type: 'road', edge }) as const),
  discard: range(5).map((resource) => ({ type: 'discard', resource }) as const),
  monopoly: range(5).map((resource) => ({ type: 'monopoly', resource }) as const),
  bankTrade: range(25).map((i) => ({ type: 'bankTrade', give: Math.floor(i / 5), get: i % 5 }) as const),
  offer: range(25).map((i) => {
    const give = [0, 0, 0, 0, 0];
    const get = [0, 0, 0, 0, 0];
    give[Math.floor(i / 5)] = 1;
    get[i % 5] = 1;
    return { type: 'offer', give, get } as const;
  }),
  yearOfPlenty: range(25)
    .filter((i) => Math.floor(i / 5) <= i % 5)
    .map((i) => ({ type: 'yearOfPlenty', resources: [Math.floor(i / 5), i % 5] as const }) as const),
  confirm: range(8).map((seat) => ({ type: 'confirm', seat }) as const),
  roll: { type: 'roll' } as const,
  end: { type: 'end' } as const,
  buyDev: { type: 'buyDev' } as const,
  knight: { type: 'knight' } as const,
  roadBuilding: { type: 'roadBuilding' } as const,
  accept: { type: 'accept' } as const,
  decline: { type: 'decline' } as const,
  cancel: { type: 'cancel' } as const,
};
const robberActions = range(HEX_COUNT).map((hex) =>
  [null, 0, 1, 2, 3, 4, 5, 6, 7].map((victim) => ({ type: 'robber', hex, victim }) as const),
);

function pushDevPlays(s: CatanState, seat: number, out: CatanAction[]) {
  if (s.devPlayed) return;
  const o = seat * 5;
  if (s.devs[o + KNIGHT]! > 0) out.push(A.knight);
  if (s.devs[o + ROAD_BUILDING]! > 0 && s.pieces[seat * 3]! > 0 && anyRoadSite(s, seat)) out.push(A.roadBuilding);
  if (s.devs[o + MONOPOLY]! > 0) for (const a of A.monopoly) out.push(a);
  if (s.devs[o + YEAR_OF_PLENTY]! > 0) {
    for (const a of A.yearOfPlenty) {
      const [x, y] = a.resources;
      if (x === y ? s.bank[x]! >= 2 : s.bank[x]! >= 1 && s.bank[y]! >= 1) out.push(a);
    }
  }
}

/** The robber's targets: every other hex, once per seat that could be robbed there (or once with no victim). */
function pushRobberMoves(s: CatanState, seat: number, out: CatanAction[]) {
  for (let h = 0; h < HEX_COUNT; h++) {
    if (h === s.robber) continue;
    let any = false;
    const mask = seatsAtHex(s, h, seat);
    for (let v = 0; mask >> v !== 0; v++) {
      if ((mask >> v) & 1 && handSize(s, v) > 0) {
        out.push(robberActions[h]![v + 1]!);
        any = true;
      }
    }
    if (!any) out.push(robberActions[h]![0]!);
  }
}

export function handSize(s: Pick<CatanState, 'hands'>, seat: number): number {
  const o = seat * 5;
  const h = s.hands;
  return h[o]! + h[o + 1]! + h[o + 2]! + h[o + 3]! + h[o + 4]!;
}

export function legalActions(s: CatanState, seat: Seat): CatanAction[] {
  const step = s.step;
  const out: CatanAction[] = [];
  switch (step.phase) {
    case 'over':
    case 'dice':
    case 'steal':
    case 'drawDev':
      return out;
    case 'discard':
      if (step.left[seat]! > 0) for (let r = 0; r < 5; r++) if (s.hands[seat * 5 + r]! > 0) out.push(A.discard[r]!);
      return out;
    case 'offer':
      if (seat === s.current) return out;
      out.push(A.decline);
      if (canAfford(s.hands, seat * 5, step.offer.get)) out.push(A.accept);
      return out;
    default:
      break;
  }
  if (seat !== s.current) return out;
  switch (step.phase) {
    case 'setupSettlement':
      for (let v = 0; v < VERTEX_COUNT; v++) if (siteFree(s, v)) out.push(A.settlement[v]!);
      return out;
    case 'setupRoad':
      for (const e of VERTEX_EDGES[step.vertex]!) if (s.roads[e] === -1) out.push(A.road[e]!);
      return out;
    case 'preRoll':
      out.push(A.roll);
      pushDevPlays(s, seat, out);
      return out;
    case 'robber':
      pushRobberMoves(s, seat, out);
      return out;
    case 'roadBuilding':
      for (const e of roadSites(s, seat)) out.push(A.road[e]!);
      return out;
    case 'confirm':
      for (const p of step.accepted) out.push(A.confirm[p]!);
      out.push(A.cancel);
      return out;
    case 'main':
      pushMainActions(s, seat, out);
      return out;
  }
}

function pushMainActions(s: CatanState, seat: number, out: CatanAction[]) {
  const o = seat * 5;
  const h = s.hands;
  out.push(A.end);
  if (s.pieces[seat * 3]! > 0 && canAfford(h, o, ROAD_COST)) {
    for (const e of roadSites(s, seat)) out.push(A.road[e]!);
  }
  if (s.pieces[seat * 3 + 1]! > 0 && canAfford(h, o, SETTLEMENT_COST)) {
    for (const v of settlementSites(s, seat)) out.push(A.settlement[v]!);
  }
  if (s.pieces[seat * 3 + 2]! > 0 && canAfford(h, o, CITY_COST)) {
    for (let v = 0; v < VERTEX_COUNT; v++) if (s.buildings[v] === seat * 2) out.push(A.city[v]!);
  }
  if (canAfford(h, o, DEV_COST) && deckLeft(s) > 0) out.push(A.buyDev);
  pushDevPlays(s, seat, out);
  let ratios = -1;
  for (let g = 0; g < 5; g++) {
    const have = h[o + g]!;
    if (have < 2) continue;
    if (ratios < 0) ratios = tradeRatios(s, seat);
    if (have < ((ratios >> (g * 3)) & 7)) continue;
    for (let r = 0; r < 5; r++) if (r !== g && s.bank[r]! > 0) out.push(A.bankTrade[g * 5 + r]!);
  }
  if (s.offers < s.config.maxOffersPerTurn) {
    for (let g = 0; g < 5; g++) {
      if (h[o + g]! === 0) continue;
      for (let r = 0; r < 5; r++) if (r !== g) out.push(A.offer[g * 5 + r]!);
    }
  }
}

export const deckLeft = (s: Pick<CatanState, 'deck'>): number =>
  s.deck[0]! + s.deck[1]! + s.deck[2]! + s.deck[3]! + s.deck[4]!;

// ---- validation -----------------------------------------------------------------------------------------

const isIndex = (x: unknown, n: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < n;

function countsError(x: unknown, name: string): string | null {
  if (!Array.isArray(x) || x.length !== 5) return `${name} must be 5 counts (brick, lumber, wool, grain, ore)`;
  for (const c of x) if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 95) return `${name}: bad count`;
  return null;
}

function devPlayError(s: CatanState, seat: number, card: number): string | null {
  if (s.devPlayed) return 'a development card was already played this turn';
  if (s.devs[seat * 5 + card]! <= 0) {
    return s.devNew[card]! > 0
      ? `a ${DEV_CARDS[card]} card bought this turn cannot be played before the next turn`
      : `no ${DEV_CARDS[card]} card to play`;
  }
  return null;
}

export function validate(s: CatanState, seat: Seat, action: CatanAction): string | null {
  if (!action || typeof action !== 'object' || typeof action.type !== 'string') return 'not an action';
  const step = s.step;
  if (step.phase === 'over') return 'the game is over';
  if (step.phase === 'dice' || step.phase === 'steal' || step.phase === 'drawDev') return 'waiting for chance';
  if (!isIndex(seat, s.players)) return 'no such seat';
  if (step.phase === 'discard') {
    if (step.left[seat]! <= 0) return 'this seat has nothing to discard';
    if (action.type !== 'discard') return `seat ${seat} must discard`;
    if (!isIndex(action.resource, 5)) return 'resource must be 0..4';
    return s.hands[seat * 5 + action.resource]! > 0 ? null : `no ${RESOURCES[action.resource]} to discard`;
  }
  if (step.phase === 'offer') {
    if (seat === s.current) return 'the offer is waiting for the other players';
    if (action.type === 'decline') return null;
    if (action.type !== 'accept') return 'answer the offer with accept or decline';
    return canAfford(s.hands, seat * 5, step.offer.get) ? null : 'cannot give what the offer asks for';
  }
  if (seat !== s.current) return `it is seat ${s.current}'s turn`;
  const o = seat * 5;
  switch (step.phase) {
    case 'setupSettlement':
      if (action.type !== 'settlement') return 'place an opening settlement';
      if (!isIndex(action.vertex, VERTEX_COUNT)) return 'vertex must be 0..53';
      return siteFree(s, action.vertex) ? null : `vertex ${action.vertex} is taken or next to a building`;
    case 'setupRoad':
      if (action.type !== 'road') return 'place the opening road';
      if (!isIndex(action.edge, EDGE_COUNT)) return 'edge must be 0..71';
      if (!VERTEX_EDGES[step.vertex]!.includes(action.edge)) return `the road must touch vertex ${step.vertex}`;
      return s.roads[action.edge] === -1 ? null : `edge ${action.edge} is taken`;
    case 'roadBuilding':
      if (action.type !== 'road') return 'place a free road';
      if (!isIndex(action.edge, EDGE_COUNT)) return 'edge must be 0..71';
      return roadSiteOk(s, seat, action.edge) ? null : `no road of seat ${seat} may go on edge ${action.edge}`;
    case 'robber':
      return robberError(s, seat, action);
    case 'confirm':
      if (action.type === 'cancel') return null;
      if (action.type !== 'confirm') return 'confirm a trade partner or cancel';
      return step.accepted.includes(action.seat) ? null : `seat ${action.seat} did not accept`;
    case 'preRoll':
    case 'main':
      break;
  }
  const main = step.phase === 'main';
  switch (action.type) {
    case 'roll':
      return main ? 'the dice were rolled already' : null;
    case 'knight':
      return devPlayError(s, seat, KNIGHT);
    case 'roadBuilding': {
      const err = devPlayError(s, seat, ROAD_BUILDING);
      if (err) return err;
      return s.pieces[seat * 3]! > 0 && anyRoadSite(s, seat) ? null : 'no road can be placed';
    }
    case 'monopoly':
      if (!isIndex(action.resource, 5)) return 'resource must be 0..4';
      return devPlayError(s, seat, MONOPOLY);
    case 'yearOfPlenty': {
      const rs = action.resources;
      if (!Array.isArray(rs) || rs.length !== 2 || !isIndex(rs[0], 5) || !isIndex(rs[1], 5))
        return 'resources must be two of 0..4';
      const err = devPlayError(s, seat, YEAR_OF_PLENTY);
      if (err) return err;
      const need = rs[0] === rs[1] ? 2 : 1;
      return s.bank[rs[0]]! >= need && s.bank[rs[1]]! >= need ? null : 'the bank is out of that resource';
    }
    default:
      break;
  }
  if (!main) return 'roll the dice first (or play a development card)';
  switch (action.type) {
    case 'end':
      return null;
    case 'road':
      if (!isIndex(action.edge, EDGE_COUNT)) return 'edge must be 0..71';
      if (s.pieces[seat * 3]! <= 0) return 'no road left in supply';
      if (!canAfford(s.hands, o, ROAD_COST)) return 'a road costs brick and lumber';
      return roadSiteOk(s, seat, action.edge) ? null : `no road of seat ${seat} may go on edge ${action.edge}`;
    case 'settlement':
      if (!isIndex(action.vertex, VERTEX_COUNT)) return 'vertex must be 0..53';
      if (s.pieces[seat * 3 + 1]! <= 0) return 'no settlement left in supply';
      if (!canAfford(s.hands, o, SETTLEMENT_COST)) return 'a settlement costs brick, lumber, wool and grain';
      return settlementSiteOk(s, seat, action.vertex)
        ? null
        : `vertex ${action.vertex} is taken, next to a building or not on a road of seat ${seat}`;
    case 'city':
      if (!isIndex(action.vertex, VERTEX_COUNT)) return 'vertex must be 0..53';
      if (s.pieces[seat * 3 + 2]! <= 0) return 'no city left in supply';
      if (!canAfford(s.hands, o, CITY_COST)) return 'a city costs 2 grain and 3 ore';
      return s.buildings[action.vertex] === seat * 2
        ? null
        : `no settlement of seat ${seat} on vertex ${action.vertex}`;
    case 'buyDev':
      if (!canAfford(s.hands, o, DEV_COST)) return 'a development card costs wool, grain and ore';
      return deckLeft(s) > 0 ? null : 'the development deck is empty';
    case 'bankTrade': {
      if (!isIndex(action.give, 5) || !isIndex(action.get, 5)) return 'give and get must be 0..4';
      if (action.give === action.get) return 'give and get must differ';
      const ratio = tradeRatio(s, seat, action.give);
      if (s.hands[o + action.give]! < ratio) return `the bank wants ${ratio} ${RESOURCES[action.give]}`;
      return s.bank[action.get]! > 0 ? null : `the bank has no ${RESOURCES[action.get]}`;
    }
    case 'offer': {
      if (s.offers >= s.config.maxOffersPerTurn) return `at most ${s.config.maxOffersPerTurn} offers per turn`;
      const err = countsError(action.give, 'give') ?? countsError(action.get, 'get');
      if (err) return err;
      let gives = 0;
      let gets = 0;
      for (let r = 0; r < 5; r++) {
        gives += action.give[r]!;
        gets += action.get[r]!;
        if (action.give[r]! > 0 && action.get[r]! > 0) return 'a resource cannot be both given and asked for';
      }
      if (gives === 0 || gets === 0) return 'an offer gives and asks for at least one card';
      return canAfford(s.hands, o, action.give) ? null : 'cannot give what the offer gives';
    }
    default:
      return `${action.type} is not possible now`;
  }
}

function robberError(s: CatanState, seat: number, action: CatanAction): string | null {
  if (action.type !== 'robber') return 'move the robber';
  if (!isIndex(action.hex, HEX_COUNT)) return 'hex must be 0..18';
  if (action.hex === s.robber) return 'the robber must move to another hex';
  const mask = seatsAtHex(s, action.hex, seat);
  const robbable = (v: number) => ((mask >> v) & 1) === 1 && handSize(s, v) > 0;
  if (action.victim === null) {
    for (let v = 0; v < s.players; v++) if (robbable(v)) return 'choose a player to rob';
    return null;
  }
  return isIndex(action.victim, s.players) && robbable(action.victim)
    ? null
    : `seat ${action.victim} cannot be robbed there`;
}

export function defaultAction(s: CatanState, seat: Seat): CatanAction {
  const step = s.step;
  if (step.phase === 'main') return A.end;
  if (step.phase === 'preRoll') return A.roll;
  if (step.phase === 'offer') return A.decline;
  if (step.phase === 'confirm') return A.cancel;
  if (step.phase === 'discard') {
    // The most plentiful resource: a seat that lets its time run out keeps its variety.
    let best = 0;
    for (let r = 1; r < 5; r++) if (s.hands[seat * 5 + r]! > s.hands[seat * 5 + best]!) best = r;
    return A.discard[best]!;
  }
  const first = legalActions(s, seat)[0];
  if (!first) throw new Error(`catan: no legal action for seat ${seat} in phase ${step.phase}`);
  return first;
}

// ---- chance ---------------------------------------------------------------------------------------------

function weighted(counts: readonly number[], offset: number, rng: Rng): number {
  let total = 0;
  for (let i = 0; i < 5; i++) total += counts[offset + i]!;
  let r = Math.floor(rng.next() * total);
  for (let i = 0; i < 5; i++) {
    r -= counts[offset + i]!;
    if (r < 0) return i;
  }
  throw new Error('catan: draw from nothing');
}

export function sampleChance(s: CatanState, rng: Rng): CatanChance {
  switch (s.step.phase) {
    case 'dice':
      return { type: 'dice', d1: rng.int(1, 6), d2: rng.int(1, 6) };
    case 'drawDev':
      return { type: 'dev', card: weighted(s.deck, 0, rng) };
    case 'steal':
      return { type: 'steal', resource: weighted(s.hands, s.step.victim * 5, rng) };
    default:
      throw new Error(`catan: no chance step in phase ${s.step.phase}`);
  }
}

// ---- apply ----------------------------------------------------------------------------------------------

/** A copy-on-write working state: arrays are copied the first time a step writes them. */
class Draft {
  #buildings: number[] | null = null;
  #roads: number[] | null = null;
  #hands: number[] | null = null;
  #bank: number[] | null = null;
  #deck: number[] | null = null;
  #devs: number[] | null = null;
  #devNew: number[] | null = null;
  #played: number[] | null = null;
  #knights: number[] | null = null;
  #pieces: number[] | null = null;
  #roadLength: number[] | null = null;
  #views: number[] | null = null;
  robber: number;
  longestRoad: number;
  largestArmy: number;
  current: number;
  step: CatanStep;
  turn: number;
  devPlayed: boolean;
  offers: number;
  winner: number;
  readonly n: number;

  constructor(
    readonly s: CatanState,
    readonly events: CatanEvent[] | undefined,
  ) {
    this.n = s.players;
    this.robber = s.robber;
    this.longestRoad = s.longestRoad;
    this.largestArmy = s.largestArmy;
    this.current = s.current;
    this.step = s.step;
    this.turn = s.turn;
    this.devPlayed = s.devPlayed;
    this.offers = s.offers;
    this.winner = s.winner;
  }
  buildings(): number[] {
    if (this.#buildings === null) this.#buildings = this.s.buildings.slice();
    return this.#buildings;
  }
  roads(): number[] {
    if (this.#roads === null) this.#roads = this.s.roads.slice();
    return this.#roads;
  }
  hands(): number[] {
    if (this.#hands === null) this.#hands = this.s.hands.slice();
    return this.#hands;
  }
  bank(): number[] {
    if (this.#bank === null) this.#bank = this.s.bank.slice();
    return this.#bank;
  }
  deck(): number[] {
    if (this.#deck === null) this.#deck = this.s.deck.slice();
    return this.#deck;
  }
  devs(): number[] {
    if (this.#devs === null) this.#devs = this.s.devs.slice();
    return this.#devs;
  }
  devNew(): number[] {
    if (this.#devNew === null) this.#devNew = this.s.devNew.slice();
    return this.#devNew;
  }
  played(): number[] {
    if (this.#played === null) this.#played = this.s.played.slice();
    return this.#played;
  }
  knights(): number[] {
    if (this.#knights === null) this.#knights = this.s.knights.slice();
    return this.#knights;
  }
  pieces(): number[] {
    if (this.#pieces === null) this.#pieces = this.s.pieces.slice();
    return this.#pieces;
  }
  roadLength(): number[] {
    if (this.#roadLength === null) this.#roadLength = this.s.roadLength.slice();
    return this.#roadLength;
  }
  views(): number[] {
    if (this.#views === null) this.#views = this.s.views.slice();
    return this.#views;
  }

  piecesNow(): readonly number[] {
    return this.#pieces ?? this.s.pieces;
  }
  devsNow(): readonly number[] {
    return this.#devs ?? this.s.devs;
  }
  devNewNow(): readonly number[] {
    return this.#devNew ?? this.s.devNew;
  }

  /** The current arrays, read-only (written or not). */
  view(): CatanState {
    const s = this.s;
    return {
      config: s.config,
      players: s.players,
      board: s.board,
      buildings: this.#buildings ?? s.buildings,
      roads: this.#roads ?? s.roads,
      robber: this.robber,
      hands: this.#hands ?? s.hands,
      bank: this.#bank ?? s.bank,
      deck: this.#deck ?? s.deck,
      devs: this.#devs ?? s.devs,
      devNew: this.#devNew ?? s.devNew,
      played: this.#played ?? s.played,
      knights: this.#knights ?? s.knights,
      pieces: this.#pieces ?? s.pieces,
      roadLength: this.#roadLength ?? s.roadLength,
      longestRoad: this.longestRoad,
      largestArmy: this.largestArmy,
      views: this.#views ?? s.views,
      current: this.current,
      step: this.step,
      turn: this.turn,
      devPlayed: this.devPlayed,
      offers: this.offers,
      winner: this.winner,
    };
  }

  // Cards moving between a seat and the bank or another seat, with every observer's knowledge kept.

  /** `seat` receives `k` cards of `r` from the bank, in public. */
  gain(seat: number, r: number, k: number) {
    if (k === 0) return;
    this.hands()[seat * 5 + r]! += k;
    this.bank()[r]! -= k;
    this.seen(seat, r, k);
  }
  /** `seat` pays `k` cards of `r` to the bank, in public. */
  pay(seat: number, r: number, k: number) {
    if (k === 0) return;
    this.hands()[seat * 5 + r]! -= k;
    this.bank()[r]! += k;
    this.lost(seat, r, k);
  }
  payCost(seat: number, cost: readonly number[]) {
    for (let r = 0; r < 5; r++) this.pay(seat, r, cost[r]!);
  }
  /** Every other seat sees `seat` take `k` of `r`. */
  seen(seat: number, r: number, k: number) {
    const v = this.views();
    for (let o = 0; o < this.n; o++) if (o !== seat) v[(o * this.n + seat) * 6 + r]! += k;
  }
  /** Every other seat sees `seat` give up `k` of `r`: surely-held cards first, the rest were unknown ones. */
  lost(seat: number, r: number, k: number) {
    const v = this.views();
    for (let o = 0; o < this.n; o++) {
      if (o === seat) continue;
      const base = (o * this.n + seat) * 6;
      const take = Math.min(v[base + r]!, k);
      v[base + r]! -= take;
      v[base + 5]! -= k - take;
    }
  }

  emit(e: CatanEvent) {
    this.events?.push(e);
  }

  freeze(): CatanState {
    return this.view();
  }
}

function nextSetupStep(d: Draft) {
  const step = d.step as Extract<CatanStep, { phase: 'setupRoad' }>;
  if (step.round === 0) {
    if (d.current < d.n - 1) {
      d.current++;
      d.step = { phase: 'setupSettlement', round: 0 };
    } else d.step = { phase: 'setupSettlement', round: 1 };
    return;
  }
  if (d.current > 0) {
    d.current--;
    d.step = { phase: 'setupSettlement', round: 1 };
    return;
  }
  d.step = PRE_ROLL;
  d.emit({ type: 'turn', seat: 0, turn: 0 });
}

const PRE_ROLL: CatanStep = { phase: 'preRoll' };
const MAIN: CatanStep = { phase: 'main' };
const DICE: CatanStep = { phase: 'dice' };
const DRAW_DEV: CatanStep = { phase: 'drawDev' };
const OVER: CatanStep = { phase: 'over' };
const resumeStep = (r: ResumePhase): CatanStep => (r === 'main' ? MAIN : PRE_ROLL);

/** Ends the game if the player to move has reached the winning points (only on one's own turn). */
function checkWin(d: Draft): boolean {
  const seat = d.current;
  const vpCards = d.devsNow()[seat * 5 + VICTORY_POINT]! + d.devNewNow()[VICTORY_POINT]!;
  const pts = publicPoints({ pieces: d.piecesNow(), longestRoad: d.longestRoad, largestArmy: d.largestArmy }, seat);
  if (pts + vpCards < d.s.config.vpToWin) return false;
  d.winner = d.current;
  finish(d);
  return true;
}

function finish(d: Draft) {
  d.step = OVER;
  if (d.events) {
    const s = d.view();
    d.emit({ type: 'end', winner: d.winner, points: range(d.n).map((p) => totalPoints(s, p)) });
  }
}

/**
 * Recomputes the road lengths of `seats` and hands the Longest Road card on: the holder keeps it while no one is
 * longer (ties keep the holder); otherwise a single longest seat with 5+ takes it; a tie among others, or no
 * one at 5+, sets it aside.
 */
function updateLongestRoad(d: Draft, seats: readonly number[]) {
  const lengths = d.roadLength();
  const view = d.view();
  for (const p of seats) lengths[p] = longestRoadOf(view, p);
  let max = 0;
  for (let p = 0; p < d.n; p++) if (lengths[p]! > max) max = lengths[p]!;
  const holder = d.longestRoad;
  let next = -1;
  if (max >= LONGEST_ROAD_MIN) {
    if (holder >= 0 && lengths[holder] === max) next = holder;
    else {
      let count = 0;
      for (let p = 0; p < d.n; p++) {
        if (lengths[p] === max) {
          count++;
          next = p;
        }
      }
      if (count > 1) next = -1;
    }
  }
  if (next !== holder) {
    d.longestRoad = next;
    d.emit({ type: 'longestRoad', seat: next, length: next >= 0 ? lengths[next]! : 0 });
  }
}

function placeRoad(d: Draft, seat: number, e: number) {
  d.roads()[e] = seat;
  d.pieces()[seat * 3]!--;
  d.emit({ type: 'built', seat, piece: 'road', at: e });
  updateLongestRoad(d, [seat]);
}

function placeSettlement(d: Draft, seat: number, v: number) {
  d.buildings()[v] = seat * 2;
  d.pieces()[seat * 3 + 1]!--;
  d.emit({ type: 'built', seat, piece: 'settlement', at: v });
  // A settlement on another seat's road network cuts it.
  const roads = d.roads();
  const cut: number[] = [];
  for (const e of VERTEX_EDGES[v]!) {
    const o = roads[e]!;
    if (o >= 0 && o !== seat && !cut.includes(o)) cut.push(o);
  }
  if (cut.length > 0) updateLongestRoad(d, cut);
}

/** Resources for the dice sum `roll`: 1 per settlement, 2 per city, except under the robber; bank shortage rule. */
function produce(d: Draft, roll: number) {
  const s = d.s;
  const lk = boardLookups(s.board);
  const owed = new Array<number>(d.n * 5).fill(0);
  const total = [0, 0, 0, 0, 0];
  for (const h of lk.hexesByRoll[roll]!) {
    if (h === d.robber) continue;
    const r = lk.hexResource[h]!;
    for (const v of HEX_VERTICES[h]!) {
      const b = s.buildings[v]!;
      if (b < 0) continue;
      const k = (b & 1) + 1;
      owed[(b >> 1) * 5 + r]! += k;
      total[r]! += k;
    }
  }
  const bank = s.bank;
  for (let r = 0; r < 5; r++) {
    if (total[r] === 0 || total[r]! <= bank[r]!) continue;
    // The bank cannot pay everyone: no one gets that resource, unless a single seat is owed it (it gets what is left).
    let owedSeats = 0;
    for (let p = 0; p < d.n; p++) if (owed[p * 5 + r]! > 0) owedSeats++;
    for (let p = 0; p < d.n; p++) {
      if (owed[p * 5 + r]! > 0) owed[p * 5 + r] = owedSeats === 1 ? bank[r]! : 0;
    }
  }
  for (let p = 0; p < d.n; p++) {
    let any = false;
    for (let r = 0; r < 5; r++) {
      const k = owed[p * 5 + r]!;
      if (k > 0) {
        d.gain(p, r, k);
        any = true;
      }
    }
    if (any) d.emit({ type: 'produced', seat: p, resources: owed.slice(p * 5, p * 5 + 5) });
  }
}

function applyChance(d: Draft, x: CatanChance) {
  const s = d.s;
  const step = s.step;
  if (step.phase === 'dice') {
    if (x.type !== 'dice' || !isIndex(x.d1 - 1, 6) || !isIndex(x.d2 - 1, 6)) throw new Error('catan: bad dice outcome');
    d.emit({ type: 'rolled', seat: d.current, d1: x.d1, d2: x.d2 });
    const sum = x.d1 + x.d2;
    if (sum !== 7) {
      produce(d, sum);
      d.step = MAIN;
      return;
    }
    const left = new Array<number>(d.n).fill(0);
    let any = false;
    for (let p = 0; p < d.n; p++) {
      const size = handSize(s, p);
      if (size > HAND_LIMIT) {
        left[p] = Math.floor(size / 2);
        any = true;
      }
    }
    d.step = any ? { phase: 'discard', left } : { phase: 'robber', resume: 'main' };
    return;
  }
  if (step.phase === 'drawDev') {
    if (x.type !== 'dev' || !isIndex(x.card, 5) || s.deck[x.card]! <= 0) throw new Error('catan: bad card outcome');
    d.deck()[x.card]!--;
    d.devNew()[x.card]!++;
    d.emit({ type: 'boughtDev', seat: d.current, card: x.card });
    d.step = MAIN;
    checkWin(d);
    return;
  }
  if (step.phase === 'steal') {
    const victim = step.victim;
    const r = x.type === 'steal' ? x.resource : -1;
    if (!isIndex(r, 5) || s.hands[victim * 5 + r]! <= 0) throw new Error('catan: bad steal outcome');
    steal(d, d.current, victim, r);
    d.step = resumeStep(step.resume);
    return;
  }
  throw new Error(`catan: no chance step in phase ${step.phase}`);
}

/**
 * Moves one card `r` from `victim` to `thief`. The two of them know its kind; everyone else sees an unknown
 * card change hands (unless the victim's hand, as they know it, held one kind only).
 */
function steal(d: Draft, thief: number, victim: number, r: number) {
  const before = d.s.views;
  const v = d.views();
  const n = d.n;
  for (let o = 0; o < n; o++) {
    const vb = (o * n + victim) * 6;
    const tb = (o * n + thief) * 6;
    if (o === thief || o === victim) {
      if (o !== victim) {
        const take = Math.min(v[vb + r]!, 1);
        v[vb + r]! -= take;
        v[vb + 5]! -= 1 - take;
      }
      if (o !== thief) v[tb + r]!++;
      continue;
    }
    // Which kinds could the card be? Only one -> it is known.
    let kinds = 0;
    let kind = -1;
    for (let k = 0; k < 5; k++) {
      if (before[vb + k]! > 0) {
        kinds++;
        kind = k;
      }
    }
    const unknownBefore = before[vb + 5]!;
    if (unknownBefore === 0 && kinds === 1) {
      v[vb + kind]!--;
      v[tb + kind]!++;
      continue;
    }
    // Any surely-held kind may have been taken: each such lower bound drops by one, the rest is unknown.
    let size = unknownBefore;
    let known = 0;
    for (let k = 0; k < 5; k++) {
      size += before[vb + k]!;
      const lower = Math.max(0, before[vb + k]! - 1);
      v[vb + k] = lower;
      known += lower;
    }
    v[vb + 5] = size - 1 - known;
    v[tb + 5]!++;
  }
  d.hands()[victim * 5 + r]!--;
  d.hands()[thief * 5 + r]!++;
  d.emit({ type: 'stole', seat: thief, victim, resource: r });
}

function playDev(d: Draft, seat: number, card: number) {
  d.devs()[seat * 5 + card]!--;
  d.played()[card]!++;
  d.devPlayed = true;
  d.emit({ type: 'playedDev', seat, card });
}

function endTurn(d: Draft) {
  const seat = d.current;
  const devNew = d.s.devNew;
  if (devNew[0]! + devNew[1]! + devNew[2]! + devNew[3]! + devNew[4]! > 0) {
    const devs = d.devs();
    for (let c = 0; c < 5; c++) devs[seat * 5 + c]! += devNew[c]!;
    d.devNew().fill(0);
  }
  d.devPlayed = false;
  d.offers = 0;
  d.turn++;
  d.current = (seat + 1) % d.n;
  if (d.turn >= d.s.config.maxTurns) {
    finish(d);
    return;
  }
  d.emit({ type: 'turn', seat: d.current, turn: d.turn });
  d.step = PRE_ROLL;
  // Points gained on someone else's turn (a longest road passed on by a cut) win at the start of one's own.
  checkWin(d);
}

function applyMain(d: Draft, seat: number, a: CatanAction) {
  const s = d.s;
  const step = s.step;
  switch (a.type) {
    case 'roll':
      d.step = DICE;
      return;
    case 'end':
      endTurn(d);
      return;
    case 'road':
      if (step.phase === 'roadBuilding') {
        placeRoad(d, seat, a.edge);
        if (checkWin(d)) return;
        const view = d.view();
        const more = step.roads === 2 && view.pieces[seat * 3]! > 0 && anyRoadSite(view, seat);
        d.step = more ? { phase: 'roadBuilding', roads: 1, resume: step.resume } : resumeStep(step.resume);
        return;
      }
      d.payCost(seat, ROAD_COST);
      placeRoad(d, seat, a.edge);
      checkWin(d);
      return;
    case 'settlement':
      d.payCost(seat, SETTLEMENT_COST);
      placeSettlement(d, seat, a.vertex);
      checkWin(d);
      return;
    case 'city':
      d.payCost(seat, CITY_COST);
      d.buildings()[a.vertex] = seat * 2 + 1;
      d.pieces()[seat * 3 + 1]!++;
      d.pieces()[seat * 3 + 2]!--;
      d.emit({ type: 'built', seat, piece: 'city', at: a.vertex });
      checkWin(d);
      return;
    case 'buyDev':
      d.payCost(seat, DEV_COST);
      d.step = DRAW_DEV;
      return;
    case 'knight': {
      playDev(d, seat, KNIGHT);
      const knights = d.knights();
      knights[seat]!++;
      const holder = d.largestArmy;
      if (holder !== seat && knights[seat]! >= LARGEST_ARMY_MIN && (holder < 0 || knights[seat]! > knights[holder]!)) {
        d.largestArmy = seat;
        d.emit({ type: 'largestArmy', seat, knights: knights[seat]! });
      }
      d.step = { phase: 'robber', resume: step.phase === 'main' ? 'main' : 'preRoll' };
      checkWin(d);
      return;
    }
    case 'roadBuilding': {
      playDev(d, seat, ROAD_BUILDING);
      const roads = s.pieces[seat * 3]! >= 2 ? 2 : 1;
      d.step = { phase: 'roadBuilding', roads, resume: step.phase === 'main' ? 'main' : 'preRoll' };
      return;
    }
    case 'yearOfPlenty':
      playDev(d, seat, YEAR_OF_PLENTY);
      d.gain(seat, a.resources[0], 1);
      d.gain(seat, a.resources[1], 1);
      d.emit({ type: 'yearOfPlenty', seat, resources: a.resources });
      return;
    case 'monopoly': {
      playDev(d, seat, MONOPOLY);
      const r = a.resource;
      const taken = new Array<number>(d.n).fill(0);
      const hands = d.hands();
      let sum = 0;
      for (let p = 0; p < d.n; p++) {
        if (p === seat || hands[p * 5 + r] === 0) continue;
        taken[p] = hands[p * 5 + r]!;
        sum += taken[p]!;
        hands[p * 5 + r] = 0;
        d.lost(p, r, taken[p]!);
      }
      hands[seat * 5 + r]! += sum;
      d.seen(seat, r, sum);
      d.emit({ type: 'monopoly', seat, resource: r, taken });
      return;
    }
    case 'bankTrade': {
      const count = tradeRatio(s, seat, a.give);
      d.pay(seat, a.give, count);
      d.gain(seat, a.get, 1);
      d.emit({ type: 'bankTrade', seat, give: a.give, count, get: a.get });
      return;
    }
    case 'offer': {
      d.offers++;
      const offer: TradeOffer = { give: a.give.slice(), get: a.get.slice() };
      d.step = { phase: 'offer', offer };
      d.emit({ type: 'offered', seat, give: offer.give, get: offer.get });
      return;
    }
    case 'confirm': {
      if (step.phase !== 'confirm') throw new Error('catan: confirm outside a trade');
      const { give, get } = step.offer;
      const hands = d.hands();
      for (let r = 0; r < 5; r++) {
        hands[seat * 5 + r]! += get[r]! - give[r]!;
        hands[a.seat * 5 + r]! += give[r]! - get[r]!;
        if (give[r]! > 0) {
          d.lost(seat, r, give[r]!);
          d.seen(a.seat, r, give[r]!);
        }
        if (get[r]! > 0) {
          d.lost(a.seat, r, get[r]!);
          d.seen(seat, r, get[r]!);
        }
      }
      d.emit({ type: 'traded', seat, partner: a.seat, give, get });
      d.step = MAIN;
      return;
    }
    case 'cancel':
      d.emit({ type: 'offerClosed', seat });
      d.step = MAIN;
      return;
    case 'robber':
      if (step.phase !== 'robber') throw new Error('catan: robber outside its phase');
      d.robber = a.hex;
      d.emit({ type: 'robber', seat, hex: a.hex, victim: a.victim });
      d.step = a.victim === null ? resumeStep(step.resume) : { phase: 'steal', victim: a.victim, resume: step.resume };
      return;
    default:
      throw new Error(`catan: ${a.type} cannot be applied in phase ${step.phase}`);
  }
}

export function apply(
  state: CatanState,
  step: StepActions<CatanAction, CatanChance>,
  events?: CatanEvent[],
): CatanState {
  const d = new Draft(state, events);
  if (step.kind === 'chance') {
    applyChance(d, step.outcome);
    return d.freeze();
  }
  const phase = state.step;
  if (phase.phase === 'discard') {
    const left = phase.left.slice();
    for (const [seat, a] of step.actions) {
      if (a.type !== 'discard' || left[seat]! <= 0) throw new Error(`catan: seat ${seat} has no discard to make`);
      d.pay(seat, a.resource, 1);
      left[seat]!--;
      d.emit({ type: 'discarded', seat, resource: a.resource });
    }
    d.step = left.some((k) => k > 0) ? { phase: 'discard', left } : { phase: 'robber', resume: 'main' };
    return d.freeze();
  }
  if (phase.phase === 'offer') {
    const accepted: number[] = [];
    for (let p = 0; p < state.players; p++) {
      if (p === state.current) continue;
      const a = step.actions.get(p);
      const yes = a?.type === 'accept';
      if (yes) accepted.push(p);
      d.emit({ type: 'answered', seat: p, accept: yes });
    }
    if (accepted.length > 0) d.step = { phase: 'confirm', offer: phase.offer, accepted };
    else {
      d.emit({ type: 'offerClosed', seat: state.current });
      d.step = MAIN;
    }
    return d.freeze();
  }
  const seat = state.current;
  const a = step.actions.get(seat);
  if (!a) throw new Error(`catan: no action for seat ${seat}`);
  if (phase.phase === 'setupSettlement') {
    placeSettlement(d, seat, (a as { vertex: number }).vertex);
    if (phase.round === 1) {
      // The second opening settlement collects one card from each hex around it.
      const lk = boardLookups(state.board);
      const got = [0, 0, 0, 0, 0];
      for (const h of VERTEX_HEXES[(a as { vertex: number }).vertex]!) {
        const r = lk.hexResource[h]!;
        if (r >= 0 && d.view().bank[r]! > 0) {
          d.gain(seat, r, 1);
          got[r]!++;
        }
      }
      d.emit({ type: 'produced', seat, resources: got });
    }
    d.step = { phase: 'setupRoad', round: phase.round, vertex: (a as { vertex: number }).vertex };
    return d.freeze();
  }
  if (phase.phase === 'setupRoad') {
    placeRoad(d, seat, (a as { edge: number }).edge);
    nextSetupStep(d);
    return d.freeze();
  }
  applyMain(d, seat, a);
  return d.freeze();
}

// ---- observation ----------------------------------------------------------------------------------------

/** The per-seat public counts of a state: the same for every observer, so computed once per state. */
interface PublicCounts {
  readonly handSizes: readonly number[];
  readonly devCounts: readonly number[];
  readonly publicPoints: readonly number[];
  readonly devNewCount: number;
}
// The last state counted: consecutive observations of one state (the three seats answering an offer) share it.
// A one-entry memo rather than a WeakMap: a WeakMap entry per state made garbage collection twice as slow.
let lastCounted: CatanState | null = null;
let lastCounts: PublicCounts | null = null;
const NO_CARDS: readonly number[] = Object.freeze([0, 0, 0, 0, 0]);

function publicCounts(s: CatanState): PublicCounts {
  if (lastCounted === s) return lastCounts!;
  const n = s.players;
  const handSizes = new Array<number>(n);
  const devCounts = new Array<number>(n);
  const publicPts = new Array<number>(n);
  const devNewCount = s.devNew[0]! + s.devNew[1]! + s.devNew[2]! + s.devNew[3]! + s.devNew[4]!;
  for (let p = 0; p < n; p++) {
    handSizes[p] = handSize(s, p);
    const o = p * 5;
    devCounts[p] =
      s.devs[o]! +
      s.devs[o + 1]! +
      s.devs[o + 2]! +
      s.devs[o + 3]! +
      s.devs[o + 4]! +
      (p === s.current ? devNewCount : 0);
    publicPts[p] = publicPoints(s, p);
  }
  lastCounted = s;
  lastCounts = { handSizes, devCounts, publicPoints: publicPts, devNewCount };
  return lastCounts;
}

export function observe(s: CatanState, seat: Seat): CatanObservation {
  const n = s.players;
  const known = new Array<number>(n * 5);
  const unknown = new Array<number>(n).fill(0);
  const { handSizes, devCounts, publicPoints: publicPts, devNewCount } = publicCounts(s);
  for (let p = 0; p < n; p++) {
    const o = p * 5;
    if (p === seat) {
      for (let r = 0; r < 5; r++) known[o + r] = s.hands[o + r]!;
    } else {
      const base = (seat * n + p) * 6;
      for (let r = 0; r < 5; r++) known[o + r] = s.views[base + r]!;
      unknown[p] = s.views[base + 5]!;
    }
  }
  return {
    seat,
    players: n,
    config: s.config,
    board: s.board,
    buildings: s.buildings,
    roads: s.roads,
    robber: s.robber,
    bank: s.bank,
    deckLeft: deckLeft(s),
    hand: s.hands.slice(seat * 5, seat * 5 + 5),
    devs: s.devs.slice(seat * 5, seat * 5 + 5),
    devNew: seat === s.current ? s.devNew : NO_CARDS,
    handSizes,
    known,
    unknown,
    devCounts,
    devNewCount,
    played: s.played,
    knights: s.knights,
    pieces: s.pieces,
    roadLength: s.roadLength,
    longestRoad: s.longestRoad,
    largestArmy: s.largestArmy,
    publicPoints: publicPts,
    current: s.current,
    step: s.step,
    turn: s.turn,
    devPlayed: s.devPlayed,
    offers: s.offers,
    winner: s.winner,
  };
}

/**
 * A full state consistent with `obs`: the other seats' unknown cards dealt at random from the resource cards
 * nobody can account for, and their development cards (and the deck's order-free counts) from the cards not
 * yet seen. Other seats' knowledge of one another is reset to "all unknown" (the observer cannot know it).
 */
export function determinize(obs: CatanObservation, seat: Seat, _config: CatanConfig, rng: Rng): CatanState {
  const n = obs.players;
  const hands = obs.known.slice();
  const pool: number[] = [];
  for (let r = 0; r < 5; r++) {
    let free = BANK_START - obs.bank[r]!;
    for (let p = 0; p < n; p++) free -= obs.known[p * 5 + r]!;
    for (let i = 0; i < free; i++) pool.push(r);
  }
  const shuffled = rng.shuffle(pool);
  let next = 0;
  for (let p = 0; p < n; p++) for (let i = 0; i < obs.unknown[p]!; i++) hands[p * 5 + shuffled[next++]!]!++;
  const unseenDev: number[] = [];
  for (let c = 0; c < 5; c++) {
    const free = DEV_DECK[c]! - obs.played[c]! - obs.devs[c]! - obs.devNew[c]!;
    for (let i = 0; i < free; i++) unseenDev.push(c);
  }
  const devCards = rng.shuffle(unseenDev);
  let dn = 0;
  const devs = new Array<number>(n * 5).fill(0);
  const devNew = seat === obs.current ? obs.devNew.slice() : [0, 0, 0, 0, 0];
  for (let p = 0; p < n; p++) {
    if (p === seat) {
      for (let c = 0; c < 5; c++) devs[p * 5 + c] = obs.devs[c]!;
      continue;
    }
    const fresh = p === obs.current ? obs.devNewCount : 0;
    for (let i = 0; i < obs.devCounts[p]!; i++) {
      const c = devCards[dn++]!;
      if (i < fresh) devNew[c]!++;
      else devs[p * 5 + c]!++;
    }
  }
  const deck = [0, 0, 0, 0, 0];
  for (; dn < devCards.length; dn++) deck[devCards[dn]!]!++;
  const views = new Array<number>(n * n * 6).fill(0);
  for (let o = 0; o < n; o++) {
    for (let p = 0; p < n; p++) {
      if (o === p) continue;
      const base = (o * n + p) * 6;
      if (o === seat) {
        for (let r = 0; r < 5; r++) views[base + r] = obs.known[p * 5 + r]!;
        views[base + 5] = obs.unknown[p]!;
      } else views[base + 5] = obs.handSizes[p]!;
    }
  }
  return fromObservation(obs, { hands, deck, devs, devNew, views });
}

/**
 * The observation as a state for the rule functions (`legalActions`, `validate`) of the observing seat: its own
 * cards are exact; another seat's hand is its size only (all counted as brick) and the deck its size only
 * (all counted as knights). Those functions read no more than that for the observer, so the bots call them
 * on this cheap view instead of a sampled `determinize`. Not a plausible state: never apply to it.
 */
export function rulesView(obs: CatanObservation): CatanState {
  const n = obs.players;
  const hands = new Array<number>(n * 5).fill(0);
  const devs = new Array<number>(n * 5).fill(0);
  for (let p = 0; p < n; p++) hands[p * 5] = obs.handSizes[p]!;
  for (let r = 0; r < 5; r++) {
    hands[obs.seat * 5 + r] = obs.hand[r]!;
    devs[obs.seat * 5 + r] = obs.devs[r]!;
  }
  return fromObservation(obs, { hands, deck: [obs.deckLeft, 0, 0, 0, 0], devs, devNew: obs.devNew, views: EMPTY });
}
const EMPTY: readonly number[] = [];

/**
 * A state from the public fields of `obs` and the given hidden ones: what `determinize` and `rulesView` build.
 * One object literal in the state's own field order, so that every state the rule functions see has one shape
 * (a spread here made the rule functions' property loads polymorphic and cost 20x in random games).
 */
function fromObservation(
  obs: CatanObservation,
  hidden: Pick<CatanState, 'hands' | 'deck' | 'devs' | 'devNew' | 'views'>,
): CatanState {
  return {
    config: obs.config,
    players: obs.players,
    board: obs.board,
    buildings: obs.buildings,
    roads: obs.roads,
    robber: obs.robber,
    hands: hidden.hands,
    bank: obs.bank,
    deck: hidden.deck,
    devs: hidden.devs,
    devNew: hidden.devNew,
    played: obs.played,
    knights: obs.knights,
    pieces: obs.pieces,
    roadLength: obs.roadLength,
    longestRoad: obs.longestRoad,
    largestArmy: obs.largestArmy,
    views: hidden.views,
    current: obs.current,
    step: obs.step,
    turn: obs.turn,
    devPlayed: obs.devPlayed,
    offers: obs.offers,
    winner: obs.winner,
  };
}

/** Events as `seat` learns them: another pair's stolen card and another seat's drawn card are hidden (-1). */
export function visibleEvents(events: readonly CatanEvent[], seat: Seat): CatanEvent[] {
  return events.map((e) => {
    if (e.type === 'stole' && e.seat !== seat && e.victim !== seat) return { ...e, resource: -1 };
    if (e.type === 'boughtDev' && e.seat !== seat) return { ...e, card: -1 };
    return e;
  });
}

// ---- result and text ------------------------------------------------------------------------------------

export function result(s: CatanState): GameResult | null {
  if (s.step.phase !== 'over') return null;
  const scores = range(s.players).map((p) => totalPoints(s, p));
  const ranks = scores.map((x) => 1 + scores.filter((o) => o > x).length);
  return { scores, ranks, winner: s.winner >= 0 ? s.winner : null };
}

const cards = (counts: readonly number[]) =>
  counts
    .map((c, r) => (c > 0 ? `${c} ${RESOURCES[r]}` : ''))
    .filter(Boolean)
    .join(', ') || 'nothing';

export function formatEvent(e: CatanEvent): string {
  switch (e.type) {
    case 'built':
      return `seat ${e.seat} builds a ${e.piece} on ${e.piece === 'road' ? 'edge' : 'vertex'} ${e.at}`;
    case 'rolled':
      return `seat ${e.seat} rolls ${e.d1} + ${e.d2} = ${e.d1 + e.d2}`;
    case 'produced':
      return `seat ${e.seat} receives ${cards(e.resources)}`;
    case 'discarded':
      return `seat ${e.seat} discards 1 ${RESOURCES[e.resource]}`;
    case 'robber':
      return `seat ${e.seat} moves the robber to hex ${e.hex}${e.victim === null ? '' : `, robbing seat ${e.victim}`}`;
    case 'stole':
      return `seat ${e.seat} steals ${e.resource < 0 ? 'a card' : `1 ${RESOURCES[e.resource]}`} from seat ${e.victim}`;
    case 'boughtDev':
      return `seat ${e.seat} buys a development card${e.card < 0 ? '' : ` (${DEV_CARDS[e.card]})`}`;
    case 'playedDev':
      return `seat ${e.seat} plays ${DEV_CARDS[e.card]}`;
    case 'monopoly':
      return `seat ${e.seat} takes every ${RESOURCES[e.resource]} (${e.taken.reduce((a, b) => a + b, 0)} cards)`;
    case 'yearOfPlenty':
      return `seat ${e.seat} takes ${e.resources.map((r) => RESOURCES[r]).join(' and ')} from the bank`;
    case 'bankTrade':
      return `seat ${e.seat} trades ${e.count} ${RESOURCES[e.give]} for 1 ${RESOURCES[e.get]} with the bank`;
    case 'offered':
      return `seat ${e.seat} offers ${cards(e.give)} for ${cards(e.get)}`;
    case 'answered':
      return `seat ${e.seat} ${e.accept ? 'accepts' : 'declines'}`;
    case 'traded':
      return `seat ${e.seat} gives ${cards(e.give)} to seat ${e.partner} for ${cards(e.get)}`;
    case 'offerClosed':
      return `seat ${e.seat}'s offer is withdrawn`;
    case 'longestRoad':
      return e.seat < 0 ? 'the longest road card is set aside' : `seat ${e.seat} holds the longest road (${e.length})`;
    case 'largestArmy':
      return `seat ${e.seat} holds the largest army (${e.knights} knights)`;
    case 'turn':
      return `turn ${e.turn}: seat ${e.seat}`;
    case 'end':
      return `game over, ${e.winner < 0 ? 'turn limit reached' : `seat ${e.winner} wins`}; points ${e.points.join(' : ')}`;
  }
}

export function describeStep(
  before: CatanState,
  step: StepActions<CatanAction, CatanChance>,
  events: readonly CatanEvent[],
): string[] {
  const lines = events.map(formatEvent);
  if (lines.length === 0 && step.kind === 'players') {
    for (const [seat, a] of step.actions) lines.push(`seat ${seat}: ${a.type}`);
  }
  if (lines.length === 0) lines.push(`${before.step.phase}`);
  return lines;
}

export const catanEngine: GameEngine<CatanState, CatanAction, CatanObservation, CatanConfig, CatanChance, CatanEvent> =
  {
    id: 'catan',
    version: ENGINE_VERSION,
    minPlayers: 3,
    maxPlayers: 4,
    defaultConfig,
    parseConfig,
    setup,
    toAct,
    legalActions,
    validate,
    defaultAction,
    sampleChance,
    apply,
    observe,
    visibleEvents,
    result,
    determinize,
    describeStep: (before, step, events) => describeStep(before, step, events),
  };
