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
import {
  ACTIVATE_COST,
  type ActionSink,
  actingSeat,
  activeStrength,
  applyCardStep,
  BARBARIAN_TRACK,
  CARD_PHASES,
  type CkHooks,
  COMMODITIES,
  COMMODITY_START,
  ckPhaseActions,
  ckPoints,
  ckRatios,
  ckSetup,
  deckSize,
  EVENT_TRACK,
  handLimit,
  hexesTouching,
  improvementCost,
  isPointCard,
  KNIGHT_COST,
  knightActive,
  knightCode,
  knightOwner,
  knightStrength,
  knightsChanged,
  MEDICINE_COST,
  P,
  PROGRESS,
  PROGRESS_HAND_LIMIT,
  PROGRESS_KINDS,
  progressHeld,
  pushCkMain,
  pushCkPreRoll,
  RESOURCE_COMMODITY,
  revealedTo,
  roadView,
  sameAction,
  TRACK_COMMODITY,
  WALL_COST,
} from './ck.ts';
import { defaultConfig, parseConfig } from './config.ts';
import { Draft } from './draft.ts';
import {
  anyRoadSite,
  CITY_COST,
  canAfford,
  canAffordAll,
  DEV_COST,
  longestRoadAfter,
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
  CkObservation,
  CkState,
  ResumePhase,
  TradeOffer,
} from './types.ts';

/**
 * Bumped whenever a rule change could change a game's outcome, or the state's form changes so that a replay's state
 * hashes no longer match (3: the hidden-hand table counts what an observer cannot account for).
 */
export const ENGINE_VERSION = '3';

/** More cards than this when a 7 is rolled: discard half, rounded down. */
export const HAND_LIMIT = 7;
const LONGEST_ROAD_MIN = 5;
const LARGEST_ARMY_MIN = 3;

// ---- setup ----------------------------------------------------------------------------------------------

export function setup(config: CatanConfig, players: number, rng: Rng): CatanState {
  const board = config.board ?? (config.map === 'beginner' ? BEGINNER_BOARD : randomBoard(rng));
  const n = players;
  const ck = config.rules === 'cities-and-knights';
  const k = ck ? 8 : 5;
  const bank = new Array<number>(k).fill(BANK_START);
  if (ck) bank.fill(COMMODITY_START, 5);
  return {
    config,
    players: n,
    board,
    buildings: new Array<number>(VERTEX_COUNT).fill(-1),
    roads: new Array<number>(EDGE_COUNT).fill(-1),
    robber: boardLookups(board).desert,
    hands: new Array<number>(n * k).fill(0),
    bank,
    deck: DEV_DECK.slice(),
    devs: new Array<number>(n * 5).fill(0),
    devNew: [0, 0, 0, 0, 0],
    played: [0, 0, 0, 0, 0],
    knights: new Array<number>(n).fill(0),
    pieces: Array.from({ length: n }, () => PIECES).flat(),
    roadLength: new Array<number>(n).fill(0),
    longestRoad: -1,
    largestArmy: -1,
    views: new Array<number>(n * n * k).fill(0),
    current: 0,
    step: { phase: 'setupSettlement', round: 0 },
    turn: 0,
    devPlayed: false,
    offers: 0,
    winner: -1,
    ck: ck ? ckSetup(n) : undefined,
  };
}

// ---- points ---------------------------------------------------------------------------------------------

/**
 * Points everyone can see: 1 per settlement, 2 per city, 2 for longest road and for largest army; under Cities &
 * Knights also 2 per metropolis, 1 per Defender of Catan, 1 per Printer or Constitution (all public).
 */
export function publicPoints(
  s: Pick<CatanState, 'pieces' | 'longestRoad' | 'largestArmy'> & Partial<Pick<CatanState, 'ck' | 'buildings'>>,
  seat: number,
): number {
  const settlements = PIECES[1]! - s.pieces[seat * 3 + 1]!;
  const cities = PIECES[2]! - s.pieces[seat * 3 + 2]!;
  const base = settlements + 2 * cities + (s.longestRoad === seat ? 2 : 0) + (s.largestArmy === seat ? 2 : 0);
  return s.ck === undefined || s.buildings === undefined
    ? base
    : base + ckPoints({ buildings: s.buildings, ck: s.ck }, seat);
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
    case 'drawProgress':
      return CHANCE;
    case 'discard': {
      const seats: number[] = [];
      for (let p = 0; p < s.players; p++) if (step.left[p]! > 0) seats.push(p);
      return { kind: 'players', seats };
    }
    case 'pillage':
    case 'defenderDraw':
    case 'aqueduct':
      return { kind: 'players', seats: step.left };
    case 'progressDiscard':
    case 'displaced':
    case 'deserter':
    case 'commercialHarbor':
      return SEAT_TURNS[actingSeat(s)]!;
    case 'offer':
      return OTHERS[s.players]![s.current]!;
    default:
      return SEAT_TURNS[s.current]!;
  }
}

// ---- legal actions --------------------------------------------------------------------------------------

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** The 1-for-1 offers over `k` card kinds, index give * k + get. */
function oneForOne(k: number) {
  return range(k * k).map((i) => {
    const give = new Array<number>(k).fill(0);
    const get = new Array<number>(k).fill(0);
    give[Math.floor(i / k)] = 1;
    get[i % k] = 1;
    return { type: 'offer', give, get } as const;
  });
}
/**
 * Freezes a table of shared action objects, nested arrays included: the same objects go to every game and every
 * strategy of the process, and `validate` trusts one it listed itself by identity, so none may be changed.
 */
function frozen<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) frozen(v);
    Object.freeze(value);
  }
  return value;
}
const A = frozen({
  settlement: range(VERTEX_COUNT).map((vertex) => ({ type: 'settlement', vertex }) as const),
  city: range(VERTEX_COUNT).map((vertex) => ({ type: 'city', vertex }) as const),
  road: range(EDGE_COUNT).map((edge) => ({ type: 'road', edge }) as const),
  discard: range(8).map((resource) => ({ type: 'discard', resource }) as const),
  monopoly: range(5).map((resource) => ({ type: 'monopoly', resource }) as const),
  /** Index give * 8 + get (resources 0..4, commodities 5..7). */
  bankTrade: range(64).map((i) => ({ type: 'bankTrade', give: i >> 3, get: i & 7 }) as const),
  offer: oneForOne(5),
  offerCk: oneForOne(8),
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
});
const robberActions = frozen(
  range(HEX_COUNT).map((hex) =>
    [null, 0, 1, 2, 3, 4, 5, 6, 7].map((victim) => ({ type: 'robber', hex, victim }) as const),
  ),
);

function pushDevPlays(s: CatanState, seat: number, out: ActionSink) {
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

/** pushRobberMoves' scratch: per hex, the robbable seats with a building on it. */
const AT_HEX = new Int32Array(HEX_COUNT);

/** The robber's targets: every other hex, once per seat that could be robbed there (or once with no victim). */
function pushRobberMoves(s: CatanState, seat: number, out: ActionSink) {
  // The seats holding cards, once (not once per hex and neighbour), and per hex the other seats with a building
  // on it (seatsAtHex), from one pass over the buildings.
  let holding = 0;
  for (let p = 0; p < s.players; p++) if (p !== seat && handSize(s, p) > 0) holding |= 1 << p;
  const atHex = AT_HEX;
  atHex.fill(0);
  if (holding !== 0) {
    for (let v = 0; v < VERTEX_COUNT; v++) {
      const b = s.buildings[v]!;
      if (b < 0 || ((holding >> (b >> 1)) & 1) === 0) continue;
      for (const h of VERTEX_HEXES[v]!) atHex[h]! |= 1 << (b >> 1);
    }
  }
  for (let h = 0; h < HEX_COUNT; h++) {
    if (h === s.robber) continue;
    const mask = atHex[h]!;
    if (mask === 0) {
      out.push(robberActions[h]![0]!);
      continue;
    }
    for (let v = 0; mask >> v !== 0; v++) if ((mask >> v) & 1) out.push(robberActions[h]![v + 1]!);
  }
}

/** Cards in `seat`'s hand: its resources, and in Cities & Knights its commodities too. */
export function handSize(s: Pick<CatanState, 'hands' | 'bank'>, seat: number): number {
  const k = s.bank.length;
  const o = seat * k;
  const h = s.hands;
  let n = h[o]! + h[o + 1]! + h[o + 2]! + h[o + 3]! + h[o + 4]!;
  for (let r = 5; r < k; r++) n += h[o + r]!;
  return n;
}

/** Card kinds a hand holds: 5 resources, plus 3 commodities under Cities & Knights (the bank's length). */
export const cardKinds = (s: Pick<CatanState, 'bank'>): number => s.bank.length;

/**
 * The legal actions as a list that is the caller's: one exact-size array, filled from the shared sink (a list
 * grown by `push` from empty reallocates its storage two or three times on a main-phase decision).
 */
export function legalActions(s: CatanState, seat: Seat): CatanAction[] {
  const listed = collectActions(s, seat, SINK.clear());
  return listed === SINK ? SINK.toArray() : (listed as CatanAction[]);
}

/**
 * One legal action of `seat`, chosen by `pick` from their number (it returns an index below it), without
 * building their list: what a bot that plays uniformly at random (catan-random) needs. The actions are counted
 * and ordered exactly as `legalActions` lists them, so `pickLegalAction(s, seat, f)` is
 * `legalActions(s, seat)[f(n)]`. Undefined when `seat` has no action.
 */
export function pickLegalAction(s: CatanState, seat: Seat, pick: (count: number) => number): CatanAction | undefined {
  return pickFrom(s, stateItself, seat, pick);
}

const stateItself = (s: CatanState): CatanState => s;

/** `pickLegalAction` over the state that `state(source)` gives, asked again when `pick` itself refilled the sink. */
function pickFrom<T>(
  source: T,
  state: (source: T) => CatanState,
  seat: Seat,
  pick: (count: number) => number,
): CatanAction | undefined {
  let listedOn = state(source);
  const listed = collectActions(listedOn, seat, SINK.clear());
  if (listed !== SINK) {
    const list = listed as CatanAction[];
    return list.length === 0 ? undefined : list[pick(list.length)];
  }
  if (SINK.n === 0) return undefined;
  const epoch = SINK.epoch;
  const i = pick(SINK.n);
  // A `pick` that itself asked for legal actions refilled the sink (and maybe pickObservedAction's scratch): list
  // this position's actions again.
  if (SINK.epoch !== epoch) {
    listedOn = state(source);
    collectActions(listedOn, seat, SINK.clear());
  }
  const action = SINK.at(i);
  picked.state = listedOn;
  picked.seat = seat;
  picked.action = action;
  return action;
}

/**
 * The last action pickFrom took from a listing of the legal actions, with the state and seat it was listed for:
 * `validate` of that very action on that very state answers from here instead of checking it again (every
 * listed action is legal; runMatch validates what catan-random picked on the state it observed). Numbers and
 * references only, overwritten at every pick.
 */
const picked: { state: CatanState | null; seat: number; action: CatanAction | undefined } = {
  state: null,
  seat: -1,
  action: undefined,
};

/**
 * Where the legal-action generators push: a reused array with its own length (an array's `length = 0` drops its
 * storage). The generators never nest, so one sink serves every call.
 */
class ActionList implements ActionSink {
  readonly a: CatanAction[] = [];
  n = 0;
  /** Counts the fills, so that a caller can tell whether the sink was refilled under it. */
  epoch = 0;
  clear(): this {
    this.n = 0;
    this.epoch++;
    return this;
  }
  push(action: CatanAction): void {
    this.a[this.n++] = action;
  }
  at(i: number): CatanAction | undefined {
    return i >= 0 && i < this.n ? this.a[i] : undefined;
  }
  toArray(): CatanAction[] {
    const out = new Array<CatanAction>(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.a[i]!;
    return out;
  }
}
const SINK = new ActionList();

/** Pushes `seat`'s legal actions into `out` and returns it, or returns a list of its own (Cities & Knights phases). */
function collectActions(s: CatanState, seat: Seat, out: ActionList): ActionList | readonly CatanAction[] {
  const step = s.step;
  switch (step.phase) {
    case 'over':
    case 'dice':
    case 'steal':
    case 'drawDev':
    case 'drawProgress':
      return out;
    case 'progressDiscard':
    case 'pillage':
    case 'defenderDraw':
    case 'aqueduct':
    case 'displaced':
    case 'bishop':
    case 'smith':
    case 'deserter':
    case 'deserterPlace':
    case 'diplomat':
    case 'commercialHarbor':
    case 'masterMerchant':
    case 'spy':
      return ckPhaseActions(s, seat);
    case 'discard': {
      const k = cardKinds(s);
      if (step.left[seat]! > 0) for (let r = 0; r < k; r++) if (s.hands[seat * k + r]! > 0) out.push(A.discard[r]!);
      return out;
    }
    case 'offer':
      if (seat === s.current) return out;
      out.push(A.decline);
      if (canAffordAll(s.hands, seat * cardKinds(s), step.offer.get)) out.push(A.accept);
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
      if (s.ck === undefined) pushDevPlays(s, seat, out);
      else pushCkPreRoll(s, seat, out);
      return out;
    case 'robber':
      pushRobberMoves(s, seat, out);
      return out;
    case 'roadBuilding':
      for (const e of roadSites(roadView(s, seat), seat)) out.push(A.road[e]!);
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

function pushMainActions(s: CatanState, seat: number, out: ActionSink) {
  const k = cardKinds(s);
  const o = seat * k;
  const h = s.hands;
  out.push(A.end);
  // The four costs (ROAD_COST, SETTLEMENT_COST, CITY_COST, DEV_COST) written out over the five counts.
  const brick = h[o]!;
  const lumber = h[o + 1]!;
  const wool = h[o + 2]!;
  const grain = h[o + 3]!;
  const ore = h[o + 4]!;
  if (s.pieces[seat * 3]! > 0 && brick >= 1 && lumber >= 1) {
    for (const e of roadSites(roadView(s, seat), seat)) out.push(A.road[e]!);
  }
  if (s.pieces[seat * 3 + 1]! > 0 && brick >= 1 && lumber >= 1 && wool >= 1 && grain >= 1) {
    const knights = s.ck?.knights;
    for (const v of settlementSites(s, seat))
      if (knights === undefined || knights[v] === -1) out.push(A.settlement[v]!);
  }
  if (s.pieces[seat * 3 + 2]! > 0 && grain >= 2 && ore >= 3) {
    for (let v = 0; v < VERTEX_COUNT; v++) if (s.buildings[v] === seat * 2) out.push(A.city[v]!);
  }
  if (s.ck === undefined) {
    if (wool >= 1 && grain >= 1 && ore >= 1 && deckLeft(s) > 0) out.push(A.buyDev);
    pushDevPlays(s, seat, out);
  } else pushCkMain(s, seat, out);
  let ratios = -1;
  for (let g = 0; g < k; g++) {
    const have = h[o + g]!;
    if (have < 2) continue;
    if (ratios < 0) ratios = s.ck === undefined ? tradeRatios(s, seat) : ckRatios(s, seat, tradeRatios(s, seat));
    if (have < ((ratios >> (g * 3)) & 7)) continue;
    for (let r = 0; r < k; r++) if (r !== g && s.bank[r]! > 0) out.push(A.bankTrade[g * 8 + r]!);
  }
  if (s.offers < s.config.maxOffersPerTurn) {
    const offers = k === 5 ? A.offer : A.offerCk;
    for (let g = 0; g < k; g++) {
      if (h[o + g]! === 0) continue;
      for (let r = 0; r < k; r++) if (r !== g) out.push(offers[g * k + r]!);
    }
  }
}

export const deckLeft = (s: Pick<CatanState, 'deck'>): number =>
  s.deck[0]! + s.deck[1]! + s.deck[2]! + s.deck[3]! + s.deck[4]!;

// ---- validation -----------------------------------------------------------------------------------------

/** Names of the card kinds a hand holds (resources, then the commodities of Cities & Knights). */
const CARD_NAMES: readonly string[] = [...RESOURCES, ...COMMODITIES];

/** What the bank wants for one card when `seat` gives `kind` (harbours; C&K: Trading House, Merchant Fleet). */
function bankRatio(s: CatanState, seat: number, kind: number): number {
  return s.ck === undefined ? tradeRatio(s, seat, kind) : (ckRatios(s, seat, tradeRatios(s, seat)) >> (3 * kind)) & 7;
}

const CK_PHASES: ReadonlySet<string> = new Set([
  'progressDiscard',
  'pillage',
  'defenderDraw',
  'aqueduct',
  'displaced',
  ...CARD_PHASES,
]);
const CK_ACTIONS: ReadonlySet<string> = new Set([
  'improve',
  'knightBuild',
  'knightActivate',
  'knightPromote',
  'knightMove',
  'knightChase',
  'wall',
  'relocate',
  'pillage',
  'chooseDeck',
  'aqueduct',
  'progressDiscard',
  'progress',
]);
const DEV_ACTIONS: ReadonlySet<string> = new Set(['buyDev', 'knight', 'roadBuilding', 'yearOfPlenty', 'monopoly']);

/**
 * The Cities & Knights checks: its own phases and actions are legal exactly when they are in the legal list (one
 * generator, so the two cannot disagree); the base game's development cards do not exist; a settlement cannot go
 * where a knight stands. undefined: not a C&K matter, the base checks decide.
 */
function ckValidate(s: CatanState, seat: number, action: CatanAction): string | null | undefined {
  const ck = s.ck!;
  const phase = s.step.phase;
  if (CK_PHASES.has(phase)) {
    return legalActions(s, seat).some((b) => sameAction(action, b))
      ? null
      : `${action.type} is not possible for seat ${seat} in phase ${phase}`;
  }
  if (DEV_ACTIONS.has(action.type)) return 'Cities & Knights has no development cards';
  if (action.type === 'progress' && phase === 'preRoll' && seat === s.current) {
    // Before the roll only Alchemist.
    const out: CatanAction[] = [];
    pushCkPreRoll(s, seat, out);
    return out.some((b) => sameAction(action, b)) ? null : 'before the roll only Alchemist can be played';
  }
  if (CK_ACTIONS.has(action.type)) {
    if (seat !== s.current) return `it is seat ${s.current}'s turn`;
    if (phase !== 'main') return `${action.type} is possible only after the roll, in the main phase`;
    const out: CatanAction[] = [];
    pushCkMain(s, seat, out);
    return out.some((b) => sameAction(action, b)) ? null : `${action.type} is not possible now`;
  }
  if (action.type === 'settlement' && isIndex(action.vertex, VERTEX_COUNT) && ck.knights[action.vertex] !== -1)
    return `a knight stands on vertex ${action.vertex}`;
  return undefined;
}

const isIndex = (x: unknown, n: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < n;

function countsError(x: unknown, name: string, k: number): string | null {
  if (!Array.isArray(x) || x.length !== k)
    return k === 5
      ? `${name} must be 5 counts (brick, lumber, wool, grain, ore)`
      : `${name} must be 8 counts (brick, lumber, wool, grain, ore, paper, cloth, coin)`;
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
  // Only a frozen action (the shared tables above) is trusted by identity: a fresh object could be changed after the pick.
  if (action === picked.action && s === picked.state && seat === picked.seat && Object.isFrozen(action)) return null;
  if (!action || typeof action !== 'object' || typeof action.type !== 'string') return 'not an action';
  const step = s.step;
  if (step.phase === 'over') return 'the game is over';
  if (step.phase === 'dice' || step.phase === 'steal' || step.phase === 'drawDev' || step.phase === 'drawProgress')
    return 'waiting for chance';
  if (!isIndex(seat, s.players)) return 'no such seat';
  const k = cardKinds(s);
  if (step.phase === 'discard') {
    if (step.left[seat]! <= 0) return 'this seat has nothing to discard';
    if (action.type !== 'discard') return `seat ${seat} must discard`;
    if (!isIndex(action.resource, k)) return `resource must be 0..${k - 1}`;
    return s.hands[seat * k + action.resource]! > 0 ? null : `no ${CARD_NAMES[action.resource]} to discard`;
  }
  if (step.phase === 'offer') {
    if (seat === s.current) return 'the offer is waiting for the other players';
    if (action.type === 'decline') return null;
    if (action.type !== 'accept') return 'answer the offer with accept or decline';
    return canAffordAll(s.hands, seat * k, step.offer.get) ? null : 'cannot give what the offer asks for';
  }
  if (s.ck !== undefined) {
    const err = ckValidate(s, seat, action);
    if (err !== undefined) return err;
  }
  if (seat !== s.current) return `it is seat ${s.current}'s turn`;
  const o = seat * k;
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
      return roadSiteOk(roadView(s, seat), seat, action.edge)
        ? null
        : `no road of seat ${seat} may go on edge ${action.edge}`;
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
      return roadSiteOk(roadView(s, seat), seat, action.edge)
        ? null
        : `no road of seat ${seat} may go on edge ${action.edge}`;
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
      if (!isIndex(action.give, k) || !isIndex(action.get, k)) return `give and get must be 0..${k - 1}`;
      if (action.give === action.get) return 'give and get must differ';
      const ratio = bankRatio(s, seat, action.give);
      if (s.hands[o + action.give]! < ratio) return `the bank wants ${ratio} ${CARD_NAMES[action.give]}`;
      return s.bank[action.get]! > 0 ? null : `the bank has no ${CARD_NAMES[action.get]}`;
    }
    case 'offer': {
      if (s.offers >= s.config.maxOffersPerTurn) return `at most ${s.config.maxOffersPerTurn} offers per turn`;
      const err = countsError(action.give, 'give', k) ?? countsError(action.get, 'get', k);
      if (err) return err;
      let gives = 0;
      let gets = 0;
      for (let r = 0; r < k; r++) {
        gives += action.give[r]!;
        gets += action.get[r]!;
        if (action.give[r]! > 0 && action.get[r]! > 0) return 'a resource cannot be both given and asked for';
      }
      if (gives === 0 || gets === 0) return 'an offer gives and asks for at least one card';
      return canAffordAll(s.hands, o, action.give) ? null : 'cannot give what the offer gives';
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
  if (action.victim === null) {
    for (let v = 0; v < s.players; v++) if (robbable(s, mask, v)) return 'choose a player to rob';
    return null;
  }
  return isIndex(action.victim, s.players) && robbable(s, mask, action.victim)
    ? null
    : `seat ${action.victim} cannot be robbed there`;
}

/**
 * Seat `v` is in `mask` (seatsAtHex) and holds a card. A module function, not a closure per call: the TypeScript
 * loader (tsx, as `npm run bench` runs) names every closure bound to a variable, which costs about 1 µs each.
 */
const robbable = (s: CatanState, mask: number, v: number): boolean => ((mask >> v) & 1) === 1 && handSize(s, v) > 0;

export function defaultAction(s: CatanState, seat: Seat): CatanAction {
  const step = s.step;
  if (step.phase === 'main') return A.end;
  if (step.phase === 'preRoll') return A.roll;
  if (step.phase === 'offer') return A.decline;
  if (step.phase === 'confirm') return A.cancel;
  if (step.phase === 'discard') {
    // The most plentiful resource: a seat that lets its time run out keeps its variety.
    const k = cardKinds(s);
    let best = 0;
    for (let r = 1; r < k; r++) if (s.hands[seat * k + r]! > s.hands[seat * k + best]!) best = r;
    return A.discard[best]!;
  }
  const first = legalActions(s, seat)[0];
  if (!first) throw new Error(`catan: no legal action for seat ${seat} in phase ${step.phase}`);
  return first;
}

// ---- chance ---------------------------------------------------------------------------------------------

function weighted(counts: readonly number[], offset: number, rng: Rng, length = 5): number {
  let total = 0;
  for (let i = 0; i < length; i++) total += counts[offset + i]!;
  let r = Math.floor(rng.next() * total);
  for (let i = 0; i < length; i++) {
    r -= counts[offset + i]!;
    if (r < 0) return i;
  }
  throw new Error('catan: draw from nothing');
}

/** The 36 base-game dice outcomes, index d1 * 7 + d2: shared (outcomes are read-only), not one per roll. */
const DICE_OUTCOMES: readonly CatanChance[] = Array.from({ length: 49 }, (_, i) =>
  Object.freeze({ type: 'dice', d1: Math.floor(i / 7), d2: i % 7 } as const),
);

/** The development card drawn and the card kind stolen (commodities included), shared as the dice outcomes are. */
const DEV_OUTCOMES: readonly CatanChance[] = range(5).map((card) => Object.freeze({ type: 'dev' as const, card }));
const STEAL_OUTCOMES: readonly CatanChance[] = range(8).map((resource) =>
  Object.freeze({ type: 'steal' as const, resource }),
);

export function sampleChance(s: CatanState, rng: Rng): CatanChance {
  switch (s.step.phase) {
    case 'dice': {
      const fixed = s.step.fixed;
      if (fixed !== undefined) return { type: 'dice', d1: fixed[0], d2: fixed[1], event: rng.int(0, 5) };
      const d1 = rng.int(1, 6);
      const d2 = rng.int(1, 6);
      // The event die is drawn after the two production dice, so base games draw exactly as before.
      return s.ck === undefined ? DICE_OUTCOMES[d1 * 7 + d2]! : { type: 'dice', d1, d2, event: rng.int(0, 5) };
    }
    case 'drawDev':
      return DEV_OUTCOMES[weighted(s.deck, 0, rng)]!;
    case 'steal': {
      const k = cardKinds(s);
      return STEAL_OUTCOMES[weighted(s.hands, s.step.victim * k, rng, k)]!;
    }
    case 'drawProgress': {
      const ck = s.ck!;
      const track = ck.draws[1]!;
      const counts = ck.decks.map((c, i) => (PROGRESS[i]!.track === track ? c : 0));
      return { type: 'progress', card: weighted(counts, 0, rng, PROGRESS_KINDS) };
    }
    default:
      throw new Error(`catan: no chance step in phase ${s.step.phase}`);
  }
}

// ---- apply ----------------------------------------------------------------------------------------------

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
  if (d.events) d.emit({ type: 'turn', seat: 0, turn: 0 });
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
  // publicPoints' base part, written out: no object built at every turn's end and build.
  const pieces = d.piecesNow();
  let pts =
    PIECES[1]! -
    pieces[seat * 3 + 1]! +
    2 * (PIECES[2]! - pieces[seat * 3 + 2]!) +
    (d.longestRoad === seat ? 2 : 0) +
    (d.largestArmy === seat ? 2 : 0);
  const ck = d.ckNow();
  if (ck !== undefined) pts += ckPoints({ buildings: d.view().buildings, ck }, seat);
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
 * Recomputes the road lengths of `seats` (a bit mask) and hands the Longest Road card on: the holder keeps it
 * while no one is longer (ties keep the holder); otherwise a single longest seat with 5+ takes it; a tie among
 * others, or no one at 5+, sets it aside.
 */
function updateLongestRoad(d: Draft, seats: number, road = -1) {
  const lengths = d.roadLength();
  const view = d.view();
  // One road placed under the base rules: only trails over it are new (see longestRoadAfter).
  if (road >= 0 && view.ck === undefined) {
    const p = 31 - Math.clz32(seats);
    lengths[p] = longestRoadAfter(view, p, road, lengths[p]!);
  } else for (let p = 0; p < d.n; p++) if ((seats >> p) & 1) lengths[p] = longestRoadOf(roadView(view, p), p);
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
    if (d.events) d.emit({ type: 'longestRoad', seat: next, length: next >= 0 ? lengths[next]! : 0 });
  }
}

function placeRoad(d: Draft, seat: number, e: number) {
  d.roads()[e] = seat;
  d.pieces()[seat * 3]!--;
  if (d.events) d.emit({ type: 'built', seat, piece: 'road', at: e });
  updateLongestRoad(d, 1 << seat, e);
}

function placeSettlement(d: Draft, seat: number, v: number) {
  d.buildings()[v] = seat * 2;
  d.pieces()[seat * 3 + 1]!--;
  if (d.events) d.emit({ type: 'built', seat, piece: 'settlement', at: v });
  // A settlement on another seat's road network cuts it.
  const roads = d.view().roads;
  let cut = 0;
  for (const e of VERTEX_EDGES[v]!) {
    const o = roads[e]!;
    if (o >= 0 && o !== seat) cut |= 1 << o;
  }
  if (cut !== 0) updateLongestRoad(d, cut);
}

/** produce's scratch counts (per seat and kind, per kind): it runs at nearly every roll, and never re-enters. */
const OWED = new Int32Array(8 * 8);
const TOTAL = new Int32Array(8);

/**
 * Resources for the dice sum `roll`: 1 per settlement, 2 per city, except under the robber; bank shortage rule.
 * Under Cities & Knights a city on forest, pasture or mountains gives 1 resource and 1 commodity instead.
 * Returns the seats that received something (a bit mask).
 */
function produce(d: Draft, roll: number): number {
  const s = d.s.ck === undefined ? d.s : d.view();
  const k = d.k;
  const owed = OWED;
  if (owedFor(s, d.robber, roll) === 0) return 0;
  let got = 0;
  for (let p = 0; p < d.n; p++) {
    let any = false;
    for (let r = 0; r < k; r++) {
      const n = owed[p * k + r]!;
      if (n > 0) {
        d.gain(p, r, n);
        any = true;
      }
    }
    if (any) {
      got |= 1 << p;
      if (d.events) d.emit({ type: 'produced', seat: p, resources: Array.from(owed.subarray(p * k, p * k + k)) });
    }
  }
  return got;
}

/**
 * What the dice sum `roll` owes each seat, per seat and card kind into OWED (the bank's shortage rule applied),
 * with the robber on hex `robber`; returns whether anything is owed (non-zero) or not (0).
 */
function owedFor(s: CatanState, robber: number, roll: number): number {
  const n = s.players;
  const k = s.bank.length;
  const commodities = s.ck !== undefined;
  const lk = boardLookups(s.board);
  const owed = OWED;
  const total = TOTAL;
  // Cleared by loops: two typed-array `fill` calls cost about 100 ns more at every roll (docs/performance.md).
  for (let i = 0; i < n * k; i++) owed[i] = 0;
  for (let r = 0; r < k; r++) total[r] = 0;
  let any = 0;
  for (const h of lk.hexesByRoll[roll]!) {
    if (h === robber) continue;
    const r = lk.hexResource[h]!;
    for (const v of HEX_VERTICES[h]!) {
      const b = s.buildings[v]!;
      if (b < 0) continue;
      any = 1;
      const o = (b >> 1) * k;
      const c = commodities && (b & 1) === 1 ? RESOURCE_COMMODITY[r]! : -1;
      if (c >= 0) {
        owed[o + r]!++;
        total[r]!++;
        owed[o + c]!++;
        total[c]!++;
        continue;
      }
      const m = (b & 1) + 1;
      owed[o + r]! += m;
      total[r]! += m;
    }
  }
  if (any === 0) return 0;
  const bank = s.bank;
  for (let r = 0; r < k; r++) {
    if (total[r] === 0 || total[r]! <= bank[r]!) continue;
    // The bank cannot pay everyone: no one gets that resource, unless a single seat is owed it (it gets what is left).
    let owedSeats = 0;
    for (let p = 0; p < n; p++) if (owed[p * k + r]! > 0) owedSeats++;
    for (let p = 0; p < n; p++) {
      if (owed[p * k + r]! > 0) owed[p * k + r] = owedSeats === 1 ? bank[r]! : 0;
    }
  }
  return 1;
}

/**
 * A base-game roll of `sum` (not a 7) without a working copy: the hands and the bank copied once if anything is
 * paid (produce's gains, in its order), else only the step changes. The literal is withStep's.
 */
function rollBase(s: CatanState, sum: number, events: CatanEvent[] | undefined): CatanState {
  if (owedFor(s, s.robber, sum) === 0) return withStep(s, MAIN);
  const owed = OWED;
  const n = s.players;
  let hands: number[] | null = null;
  let bank: number[] | null = null;
  for (let p = 0; p < n; p++) {
    let any = false;
    for (let r = 0; r < 5; r++) {
      const m = owed[p * 5 + r]!;
      if (m > 0) {
        if (hands === null) hands = s.hands.slice();
        if (bank === null) bank = s.bank.slice();
        hands[p * 5 + r]! += m;
        bank[r]! -= m;
        any = true;
      }
    }
    if (any && events)
      events.push({ type: 'produced', seat: p, resources: Array.from(owed.subarray(p * 5, p * 5 + 5)) });
  }
  return hands === null || bank === null ? withStep(s, MAIN) : withCards(s, hands, bank, MAIN);
}

/** After a 7: seats over their hand limit discard half; then the robber moves (under C&K only after an attack). */
function seven(d: Draft) {
  const s = d.view();
  const left = new Array<number>(d.n).fill(0);
  let any = false;
  for (let p = 0; p < d.n; p++) {
    const size = handSize(s, p);
    if (size > handLimit(s.ck, s.buildings, p)) {
      left[p] = Math.floor(size / 2);
      any = true;
    }
  }
  d.step = any ? { phase: 'discard', left } : afterDiscards(d);
}

const ROBBER_AFTER_SEVEN: CatanStep = { phase: 'robber', resume: 'main' };
/** Cities & Knights: the robber stays put until the barbarians' first attack. */
const afterDiscards = (d: Draft): CatanStep => {
  const ck = d.ckNow();
  return ck !== undefined && ck.attacks === 0 ? MAIN : ROBBER_AFTER_SEVEN;
};

function applyChance(d: Draft, x: CatanChance) {
  const s = d.s;
  const step = s.step;
  if (step.phase === 'dice') {
    if (x.type !== 'dice' || !isIndex(x.d1 - 1, 6) || !isIndex(x.d2 - 1, 6)) throw new Error('catan: bad dice outcome');
    if (step.fixed !== undefined && (x.d1 !== step.fixed[0] || x.d2 !== step.fixed[1]))
      throw new Error('catan: the Alchemist fixed the production dice');
    if (d.events) d.emit({ type: 'rolled', seat: d.current, d1: x.d1, d2: x.d2 });
    if (s.ck !== undefined) {
      if (!isIndex(x.event, 6)) throw new Error('catan: bad event die outcome');
      ckRoll(d, x.d1, x.d2, x.event);
      return;
    }
    const sum = x.d1 + x.d2;
    if (sum !== 7) {
      produce(d, sum);
      d.step = MAIN;
      return;
    }
    seven(d);
    return;
  }
  if (step.phase === 'drawProgress') {
    if (x.type !== 'progress') throw new Error('catan: bad progress card outcome');
    ckDraw(d, x.card);
    return;
  }
  if (step.phase === 'drawDev') {
    if (x.type !== 'dev' || !isIndex(x.card, 5) || s.deck[x.card]! <= 0) throw new Error('catan: bad card outcome');
    d.deck()[x.card]!--;
    d.devNew()[x.card]!++;
    if (d.events) d.emit({ type: 'boughtDev', seat: d.current, card: x.card });
    d.step = MAIN;
    checkWin(d);
    return;
  }
  if (step.phase === 'steal') {
    const victim = step.victim;
    const r = x.type === 'steal' ? x.resource : -1;
    if (!isIndex(r, d.k) || s.hands[victim * d.k + r]! <= 0) throw new Error('catan: bad steal outcome');
    steal(d, d.current, victim, r);
    const more = step.more;
    d.step =
      more !== undefined && more.length > 0
        ? { phase: 'steal', victim: more[0]!, resume: step.resume, more: more.slice(1) }
        : resumeStep(step.resume);
    return;
  }
  throw new Error(`catan: no chance step in phase ${step.phase}`);
}

/**
 * Moves one card `r` from `victim` to `thief`. The two of them know its kind; everyone else sees an unknown
 * card change hands (unless the victim's hand, as they know it, held one kind only).
 *
 * In `views` terms (cards an observer cannot account for, per kind): the thief's observers count one more card
 * of `r` they cannot account for, unless they knew the victim's whole hand (all one kind, every card known);
 * the victim's count of `r` drops by what the observer cannot see any more, and every kind the observer knew of
 * may be the card that went, so its surely-held count drops by one (its unaccounted count rises by one, up to
 * what the hand holds).
 */
function steal(d: Draft, thief: number, victim: number, r: number) {
  const hands = d.handsNow();
  const v = d.views();
  const n = d.n;
  const K = d.k;
  const vh = victim * K;
  for (let o = 0; o < n; o++) {
    if (o === victim) continue;
    const vb = (o * n + victim) * K;
    if (o === thief) {
      // The thief saw the card: the victim's count of `r` it cannot account for is at most what is left.
      if (v[vb + r]! > hands[vh + r]! - 1) v[vb + r] = hands[vh + r]! - 1;
      continue;
    }
    // Which kinds could the card be? Only one, with every card accounted for -> the observer knows it.
    let kinds = 0;
    let unknown = 0;
    for (let k = 0; k < K; k++) {
      unknown += v[vb + k]!;
      if (hands[vh + k]! - v[vb + k]! > 0) kinds++;
    }
    if (unknown === 0 && kinds === 1) continue;
    // Any surely-held kind may have been taken: each such lower bound drops by one, the rest is unknown.
    for (let k = 0; k < K; k++) {
      const held = k === r ? hands[vh + k]! - 1 : hands[vh + k]!;
      const known = Math.max(0, hands[vh + k]! - v[vb + k]! - 1);
      v[vb + k] = held - known;
    }
    v[(o * n + thief) * K + r]!++;
  }
  d.hands()[victim * K + r]!--;
  d.hands()[thief * K + r]!++;
  if (d.events) d.emit({ type: 'stole', seat: thief, victim, resource: r });
}

function playDev(d: Draft, seat: number, card: number) {
  d.devs()[seat * 5 + card]!--;
  d.played()[card]!++;
  d.devPlayed = true;
  if (d.events) d.emit({ type: 'playedDev', seat, card });
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
  const ck = d.ckNow();
  if (ck !== undefined && (ck.fleet >= 0 || ck.crane || ck.harbourUsed || ck.knightTurn.some((t) => t !== 0))) {
    const c = d.ck();
    c.fleet = -1;
    c.crane = false;
    c.harbourUsed = false;
    c.knightTurn.fill(0);
  }
  d.turn++;
  d.current = (seat + 1) % d.n;
  if (d.turn >= d.s.config.maxTurns) {
    finish(d);
    return;
  }
  if (d.events) d.emit({ type: 'turn', seat: d.current, turn: d.turn });
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
        const more = step.roads === 2 && view.pieces[seat * 3]! > 0 && anyRoadSite(roadView(view, seat), seat);
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
      if (d.events) d.emit({ type: 'built', seat, piece: 'city', at: a.vertex });
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
        if (d.events) d.emit({ type: 'largestArmy', seat, knights: knights[seat]! });
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
      if (d.events) d.emit({ type: 'yearOfPlenty', seat, resources: a.resources });
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
        d.lost(p, r);
      }
      hands[seat * 5 + r]! += sum;
      if (d.events) d.emit({ type: 'monopoly', seat, resource: r, taken });
      return;
    }
    case 'bankTrade': {
      const count = bankRatio(s, seat, a.give);
      d.pay(seat, a.give, count);
      d.gain(seat, a.get, 1);
      if (d.events) d.emit({ type: 'bankTrade', seat, give: a.give, count, get: a.get });
      return;
    }
    case 'offer': {
      d.offers++;
      const offer: TradeOffer = { give: a.give.slice(), get: a.get.slice() };
      d.step = { phase: 'offer', offer };
      if (d.events) d.emit({ type: 'offered', seat, give: offer.give, get: offer.get });
      return;
    }
    case 'confirm': {
      if (step.phase !== 'confirm') throw new Error('catan: confirm outside a trade');
      const { give, get } = step.offer;
      const hands = d.hands();
      const k = d.k;
      // Each side pays first, then receives: `lost` wants the hand between the two.
      for (let r = 0; r < k; r++) {
        if (give[r]! > 0) {
          hands[seat * k + r]! -= give[r]!;
          d.lost(seat, r);
        }
        if (get[r]! > 0) {
          hands[a.seat * k + r]! -= get[r]!;
          d.lost(a.seat, r);
        }
      }
      for (let r = 0; r < k; r++) {
        hands[seat * k + r]! += get[r]!;
        hands[a.seat * k + r]! += give[r]!;
      }
      if (d.events) d.emit({ type: 'traded', seat, partner: a.seat, give, get });
      d.step = MAIN;
      return;
    }
    case 'cancel':
      if (d.events) d.emit({ type: 'offerClosed', seat });
      d.step = MAIN;
      return;
    case 'robber':
      if (step.phase !== 'robber') throw new Error('catan: robber outside its phase');
      d.robber = a.hex;
      if (d.events) d.emit({ type: 'robber', seat, hex: a.hex, victim: a.victim });
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
  // The base game's turn end (a quarter of all player steps) without a working copy, when it only passes the turn.
  if (step.kind === 'players' && state.step.phase === 'main' && state.ck === undefined) {
    const a = step.actions.get(state.current);
    if (a !== undefined && a.type === 'end') {
      const next = passTurn(state, events);
      if (next !== null) return next;
    }
    // A bank trade (a tenth of all steps) changes the hands, the bank and at most the views: no working copy.
    if (a !== undefined && a.type === 'bankTrade') return bankTradeBase(state, state.current, a, events);
  }
  // The base game's production roll (a quarter of all steps) without a working copy, as applyChance does it.
  if (step.kind === 'chance' && state.step.phase === 'dice' && state.ck === undefined) {
    const x = step.outcome;
    if (x.type === 'dice' && isIndex(x.d1 - 1, 6) && isIndex(x.d2 - 1, 6) && x.d1 + x.d2 !== 7) {
      if (events) events.push({ type: 'rolled', seat: state.current, d1: x.d1, d2: x.d2 });
      return rollBase(state, x.d1 + x.d2, events);
    }
  }
  if (step.kind === 'chance') {
    const d = new Draft(state, events);
    applyChance(d, step.outcome);
    return d.freeze();
  }
  const phase = state.step;
  // The base game's roll (a quarter of all steps) changes the phase only, as applyMain's 'roll': no working copy.
  if (phase.phase === 'preRoll' && state.ck === undefined && step.actions.get(state.current)?.type === 'roll')
    return withStep(state, DICE);
  if (state.ck === undefined) {
    const fast = applyBaseStep(state, step.actions, events);
    if (fast !== null) return fast;
  }
  const d = new Draft(state, events);
  if (phase.phase === 'discard') {
    const left = phase.left.slice();
    const to = phase.to;
    for (const [seat, a] of discards(step.actions, state.players)) {
      if (a.type !== 'discard' || left[seat]! <= 0) throw new Error(`catan: seat ${seat} has no discard to make`);
      if (to === undefined) d.pay(seat, a.resource, 1);
      else {
        // Wedding: the card goes to `to`, in the open.
        d.hands()[seat * d.k + a.resource]!--;
        d.lost(seat, a.resource);
        d.hands()[to * d.k + a.resource]!++;
      }
      left[seat]!--;
      if (d.events) d.emit({ type: 'discarded', seat, resource: a.resource });
    }
    if (left.some((k) => k > 0)) {
      d.step =
        phase.resume === undefined
          ? { phase: 'discard', left }
          : to === undefined
            ? { phase: 'discard', left, resume: phase.resume }
            : { phase: 'discard', left, resume: phase.resume, to };
    } else d.step = phase.resume === 'main' ? MAIN : afterDiscards(d);
    return d.freeze();
  }
  if (phase.phase === 'pillage' || phase.phase === 'defenderDraw' || phase.phase === 'aqueduct') {
    ckSimultaneous(d, phase, step.actions);
    return d.freeze();
  }
  if (phase.phase === 'offer') {
    const accepted: number[] = [];
    for (let p = 0; p < state.players; p++) {
      if (p === state.current) continue;
      const a = step.actions.get(p);
      const yes = a?.type === 'accept';
      if (yes) accepted.push(p);
      if (d.events) d.emit({ type: 'answered', seat: p, accept: yes });
    }
    if (accepted.length > 0) d.step = { phase: 'confirm', offer: phase.offer, accepted };
    else {
      if (d.events) d.emit({ type: 'offerClosed', seat: state.current });
      d.step = MAIN;
    }
    return d.freeze();
  }
  const seat = state.ck === undefined ? state.current : actingSeat(state);
  const a = step.actions.get(seat);
  if (!a) throw new Error(`catan: no action for seat ${seat}`);
  if (phase.phase === 'setupSettlement') {
    const vertex = (a as { vertex: number }).vertex;
    placeSettlement(d, seat, vertex);
    if (phase.round === 1 && state.ck !== undefined) {
      // Cities & Knights: the second opening piece is a city.
      d.buildings()[vertex] = seat * 2 + 1;
      d.pieces()[seat * 3 + 1]!++;
      d.pieces()[seat * 3 + 2]!--;
      if (d.events) d.emit({ type: 'built', seat, piece: 'city', at: vertex });
    }
    if (phase.round === 1) {
      // The second opening piece collects one resource from each hex around it.
      const lk = boardLookups(state.board);
      const got = new Array<number>(d.k).fill(0);
      for (const h of VERTEX_HEXES[(a as { vertex: number }).vertex]!) {
        const r = lk.hexResource[h]!;
        if (r >= 0 && d.view().bank[r]! > 0) {
          d.gain(seat, r, 1);
          got[r]!++;
        }
      }
      if (d.events) d.emit({ type: 'produced', seat, resources: got });
    }
    d.step = { phase: 'setupRoad', round: phase.round, vertex: (a as { vertex: number }).vertex };
    return d.freeze();
  }
  if (phase.phase === 'setupRoad') {
    placeRoad(d, seat, (a as { edge: number }).edge);
    nextSetupStep(d);
    return d.freeze();
  }
  if (state.ck !== undefined && applyCk(d, seat, a)) {
    // A knight that came, went or moved cuts or joins roads.
    if (knightsChanged(state.ck, d.ckNow()!)) {
      updateLongestRoad(d, (1 << d.n) - 1);
      if (d.step.phase !== 'over' && d.longestRoad !== state.longestRoad) checkWin(d);
    }
    return d.freeze();
  }
  applyMain(d, seat, a);
  return d.freeze();
}

/**
 * The entries of a discard step's actions. One seat discarding (most discard steps; runMatch then gives a one-entry
 * map) is found by `get` and returned as a one-entry list instead of walking the map's iterator, which allocates
 * a generator and an entry per step; any other map is its own entries.
 */
function discards(actions: ReadonlyMap<Seat, CatanAction>, players: number): Iterable<readonly [Seat, CatanAction]> {
  if (actions.size === 1) {
    for (let p = 0; p < players; p++) {
      const a = actions.get(p);
      if (a !== undefined) return [[p, a]];
    }
  }
  return actions;
}

/**
 * endTurn on a base-game state whose turn end only passes the turn: no card bought this turn to release, not the
 * turn limit, and the next seat does not win at the start of its turn (checkWin). Null when any of these does not
 * hold (endTurn on a working copy does it then). The literal is Draft.view()'s, field for field (see withStep).
 */
function passTurn(s: CatanState, events: CatanEvent[] | undefined): CatanState | null {
  const dn = s.devNew;
  if (dn[0]! + dn[1]! + dn[2]! + dn[3]! + dn[4]! > 0) return null;
  const turn = s.turn + 1;
  if (turn >= s.config.maxTurns) return null;
  const current = (s.current + 1) % s.players;
  // checkWin's count for the next seat (its cards bought this turn: none, see above).
  const pts =
    PIECES[1]! -
    s.pieces[current * 3 + 1]! +
    2 * (PIECES[2]! - s.pieces[current * 3 + 2]!) +
    (s.longestRoad === current ? 2 : 0) +
    (s.largestArmy === current ? 2 : 0) +
    s.devs[current * 5 + VICTORY_POINT]!;
  if (pts >= s.config.vpToWin) return null;
  if (events) events.push({ type: 'turn', seat: current, turn });
  return {
    config: s.config,
    players: s.players,
    board: s.board,
    buildings: s.buildings,
    roads: s.roads,
    robber: s.robber,
    hands: s.hands,
    bank: s.bank,
    deck: s.deck,
    devs: s.devs,
    devNew: s.devNew,
    played: s.played,
    knights: s.knights,
    pieces: s.pieces,
    roadLength: s.roadLength,
    longestRoad: s.longestRoad,
    largestArmy: s.largestArmy,
    views: s.views,
    current,
    step: PRE_ROLL,
    turn,
    devPlayed: false,
    offers: 0,
    winner: s.winner,
    ck: s.ck,
  };
}

/**
 * `s` with another step and nothing else changed. The same literal, field for field and in the same order, as
 * Draft.view() builds, so that every state keeps one shape (see fromObservation).
 */
function withStep(s: CatanState, step: CatanStep): CatanState {
  return withCards(s, s.hands, s.bank, step);
}

/**
 * Two more base-game steps without a working copy, as the general path does them: the robber's move (a step of
 * its own after every 7 and knight) and one seat's discard to the bank after a 7. Null for every other step.
 */
function applyBaseStep(
  s: CatanState,
  actions: ReadonlyMap<Seat, CatanAction>,
  events: CatanEvent[] | undefined,
): CatanState | null {
  const step = s.step;
  if (step.phase === 'robber') {
    const a = actions.get(s.current);
    if (a === undefined || a.type !== 'robber') return null;
    if (events) events.push({ type: 'robber', seat: s.current, hex: a.hex, victim: a.victim });
    const next: CatanStep =
      a.victim === null ? resumeStep(step.resume) : { phase: 'steal', victim: a.victim, resume: step.resume };
    return withCards(s, s.hands, s.bank, next, s.views, a.hex);
  }
  if (step.phase !== 'discard' || step.to !== undefined || actions.size !== 1) return null;
  for (let seat = 0; seat < s.players; seat++) {
    const a = actions.get(seat);
    if (a === undefined) continue;
    if (a.type !== 'discard' || step.left[seat]! <= 0) return null;
    const r = a.resource;
    const hands = s.hands.slice();
    const bank = s.bank.slice();
    hands[seat * 5 + r]!--;
    bank[r]!++;
    const views = lostViews(s, hands, seat, r);
    if (events) events.push({ type: 'discarded', seat, resource: r });
    const left = step.left.slice();
    left[seat]!--;
    let next: CatanStep;
    if (left.some((k) => k > 0))
      next = step.resume === undefined ? { phase: 'discard', left } : { phase: 'discard', left, resume: step.resume };
    else next = step.resume === 'main' ? MAIN : ROBBER_AFTER_SEVEN;
    return withCards(s, hands, bank, next, views);
  }
  return null;
}

/**
 * Draft.lost on a base-game state's views after `seat`'s hand (now `hands`) gave up cards of `r` in public: the
 * same views, or a copy with the observers' unaccounted counts of `r` capped at what the hand still holds.
 */
function lostViews(s: CatanState, hands: readonly number[], seat: number, r: number): readonly number[] {
  const n = s.players;
  const held = hands[seat * 5 + r]!;
  let views = s.views;
  for (let o = 0; o < n; o++) {
    if (o === seat) continue;
    const i = (o * n + seat) * 5 + r;
    if (views[i]! > held) {
      if (views === s.views) views = views.slice();
      (views as number[])[i] = held;
    }
  }
  return views;
}

/**
 * applyMain's bank trade on a base-game state without a working copy: `seat` pays the bank's ratio of `a.give`
 * (Draft.pay, with Draft.lost's bookkeeping of the views) and takes one `a.get`. The literal is withStep's.
 */
function bankTradeBase(
  s: CatanState,
  seat: number,
  a: Extract<CatanAction, { type: 'bankTrade' }>,
  events: CatanEvent[] | undefined,
): CatanState {
  const give = a.give;
  const count = tradeRatio(s, seat, give);
  const hands = s.hands.slice();
  const bank = s.bank.slice();
  hands[seat * 5 + give]! -= count;
  bank[give]! += count;
  const views = lostViews(s, hands, seat, give);
  hands[seat * 5 + a.get]!++;
  bank[a.get]!--;
  if (events) events.push({ type: 'bankTrade', seat, give, count, get: a.get });
  return withCards(s, hands, bank, s.step, views);
}

/** `s` with other hands, bank and step (and views, robber): withStep's literal. */
function withCards(
  s: CatanState,
  hands: readonly number[],
  bank: readonly number[],
  step: CatanStep,
  views: readonly number[] = s.views,
  robber: number = s.robber,
): CatanState {
  return {
    config: s.config,
    players: s.players,
    board: s.board,
    buildings: s.buildings,
    roads: s.roads,
    robber,
    hands,
    bank,
    deck: s.deck,
    devs: s.devs,
    devNew: s.devNew,
    played: s.played,
    knights: s.knights,
    pieces: s.pieces,
    roadLength: s.roadLength,
    longestRoad: s.longestRoad,
    largestArmy: s.largestArmy,
    views,
    current: s.current,
    step,
    turn: s.turn,
    devPlayed: s.devPlayed,
    offers: s.offers,
    winner: s.winner,
    ck: s.ck,
  };
}

// ---- Cities & Knights steps -------------------------------------------------------------------------------

const DRAW_PROGRESS: CatanStep = { phase: 'drawProgress' };
const ckEvent = (d: Draft, seat: number, what: string, detail?: readonly number[]) =>
  d.emit(detail === undefined ? { type: 'ck', seat, what } : { type: 'ck', seat, what, detail });

/** The three dice: the event die first (barbarians or a city gate), then production once that has settled. */
function ckRoll(d: Draft, red: number, yellow: number, event: number) {
  const ck = d.ck();
  ck.pendingRoll = red * 8 + yellow;
  ckEvent(d, d.current, 'event', [event]);
  if (event < 3) {
    ck.barbarian++;
    ckEvent(d, d.current, 'barbarians', [ck.barbarian]);
    if (ck.barbarian >= BARBARIAN_TRACK && barbarianAttack(d)) return;
  } else {
    const track = EVENT_TRACK[event]!;
    // Level n of the gate's track draws on a red die of 1..n+1; the player to move first, then clockwise.
    for (let i = 0; i < d.n; i++) {
      const p = (d.current + i) % d.n;
      const level = ck.improvements[p * 3 + track]!;
      if (level >= 1 && red <= level + 1) ck.draws.push(p, track);
    }
  }
  ckContinue(d);
}

/**
 * The barbarians land: cities (metropolises included) against all active knights. Returns true when a decision
 * (pillage, or the tied defenders' choice of deck) now waits; the roll continues once it is made.
 */
function barbarianAttack(d: Draft): boolean {
  const ck = d.ck();
  const buildings = d.view().buildings;
  ck.barbarian = 0;
  ck.attacks++;
  let strength = 0;
  for (let v = 0; v < VERTEX_COUNT; v++) if (buildings[v]! >= 0 && (buildings[v]! & 1) === 1) strength++;
  const defence = activeStrength(ck, d.n);
  const total = defence.reduce((a, b) => a + b, 0);
  // Every knight goes home after the attack, whatever its outcome.
  for (let v = 0; v < VERTEX_COUNT; v++) if (knightActive(ck.knights[v]!)) ck.knights[v]!--;
  if (strength > total) {
    const exposed: number[] = [];
    for (let p = 0; p < d.n; p++) {
      for (let v = 0; v < VERTEX_COUNT; v++) {
        if (buildings[v] === p * 2 + 1 && !ck.metropolis.includes(v)) {
          exposed.push(p);
          break;
        }
      }
    }
    ckEvent(d, -1, 'attackLost', [strength, total]);
    if (exposed.length === 0) return false;
    const least = Math.min(...exposed.map((p) => defence[p]!));
    const left = exposed.filter((p) => defence[p] === least);
    d.step = { phase: 'pillage', left };
    return true;
  }
  ckEvent(d, -1, 'attackWon', [strength, total]);
  const most = Math.max(...defence);
  // Nobody defended (no active knight at all and no city either): no one is rewarded.
  if (most === 0) return false;
  const top = range(d.n).filter((p) => defence[p] === most);
  if (top.length === 1) {
    ck.defenders[top[0]!]!++;
    ckEvent(d, top[0]!, 'defender');
    return false;
  }
  const left = top.filter(() => [0, 1, 2].some((t) => deckSize(ck, t) > 0));
  if (left.length === 0) return false;
  d.step = { phase: 'defenderDraw', left };
  return true;
}

/** What comes after a finished part of a roll: queued draws, then production (or the 7), then the turn. */
function ckContinue(d: Draft) {
  const ck = d.ck();
  while (ck.draws.length > 0 && deckSize(ck, ck.draws[1]!) === 0) ck.draws.splice(0, 2);
  if (ck.draws.length > 0) {
    d.step = DRAW_PROGRESS;
    return;
  }
  if (ck.pendingRoll >= 0) {
    const sum = (ck.pendingRoll >> 3) + (ck.pendingRoll & 7);
    ck.pendingRoll = -1;
    if (sum === 7) {
      seven(d);
      return;
    }
    const got = produce(d, sum);
    // Aqueduct (science 3): a player who got nothing takes a resource of its choice.
    const bank = d.view().bank;
    const anyResource = bank[0]! + bank[1]! + bank[2]! + bank[3]! + bank[4]! > 0;
    const left = range(d.n).filter((p) => ((got >> p) & 1) === 0 && ck.improvements[p * 3 + 2]! >= 3);
    if (left.length > 0 && anyResource) {
      d.step = { phase: 'aqueduct', left };
      return;
    }
  }
  d.step = MAIN;
  checkWin(d);
}

/** A progress card drawn: Printer and Constitution score at once; a fifth card in hand is given back. */
function ckDraw(d: Draft, card: number) {
  const ck = d.ck();
  const seat = ck.draws[0]!;
  const track = ck.draws[1]!;
  if (!isIndex(card, PROGRESS_KINDS) || PROGRESS[card]!.track !== track || ck.decks[card]! <= 0)
    throw new Error('catan: bad progress card outcome');
  ck.draws.splice(0, 2);
  ck.decks[card]!--;
  if (isPointCard(card)) {
    ck.progressPoints[seat]!++;
    ck.progressPlayed[card]!++;
    ckEvent(d, seat, 'pointCard', [card]);
  } else {
    ck.progress[seat * PROGRESS_KINDS + card]!++;
    ckEvent(d, seat, 'drewProgress', [card]);
    if (progressHeld(ck, seat) > PROGRESS_HAND_LIMIT) {
      d.step = { phase: 'progressDiscard', seat };
      return;
    }
  }
  ckContinue(d);
}

/** Decisions several seats make at once: pillaged cities, the tied defenders' decks, Aqueduct resources. */
function ckSimultaneous(
  d: Draft,
  phase: Extract<CatanStep, { phase: 'pillage' | 'defenderDraw' | 'aqueduct' }>,
  actions: ReadonlyMap<number, CatanAction>,
) {
  const ck = d.ck();
  for (const p of phase.left) {
    const a = actions.get(p);
    if (!a) throw new Error(`catan: no action for seat ${p}`);
    if (phase.phase === 'pillage' && a.type === 'pillage') {
      const pieces = d.pieces();
      ck.walls[a.vertex] = 0;
      pieces[p * 3 + 2]!++;
      // With no settlement left in supply the city is lost altogether.
      if (pieces[p * 3 + 1]! > 0) {
        d.buildings()[a.vertex] = p * 2;
        pieces[p * 3 + 1]!--;
      } else d.buildings()[a.vertex] = -1;
      ckEvent(d, p, 'pillaged', [a.vertex]);
    } else if (phase.phase === 'defenderDraw' && a.type === 'chooseDeck') {
      ck.draws.push(p, a.track);
    } else if (phase.phase === 'aqueduct' && a.type === 'aqueduct') {
      d.gain(p, a.resource, 1);
      ckEvent(d, p, 'aqueduct', [a.resource]);
    } else throw new Error(`catan: ${a.type} in phase ${phase.phase}`);
  }
  if (phase.phase === 'aqueduct') {
    d.step = MAIN;
    checkWin(d);
  } else ckContinue(d);
}

/** The other seats lose `take` (at most) cards of kind `r` to `seat`, in public. */
function takeFromOthers(d: Draft, seat: number, r: number, take: number) {
  const hands = d.view().hands;
  for (let p = 0; p < d.n; p++) {
    if (p === seat) continue;
    const n = Math.min(take, hands[p * d.k + r]!);
    if (n === 0) continue;
    d.hands()[p * d.k + r]! -= n;
    d.lost(p, r);
    d.hands()[seat * d.k + r]! += n;
  }
}

/** The Cities & Knights actions (and phases) of the player to move; false when the base rules handle `a`. */
function applyCk(d: Draft, seat: number, a: CatanAction): boolean {
  if (applyCardStep(d, seat, a, CK_HOOKS)) return true;
  const step = d.s.step;
  if (step.phase === 'progressDiscard' && a.type === 'progressDiscard') {
    const ck = d.ck();
    ck.progress[seat * PROGRESS_KINDS + a.card]!--;
    // Back under its deck, face down.
    ck.decks[a.card]!++;
    ckEvent(d, seat, 'gaveBackProgress', [a.card]);
    ckContinue(d);
    return true;
  }
  if (step.phase === 'displaced' && a.type === 'relocate') {
    const ck = d.ck();
    if (a.vertex === null) ckEvent(d, seat, 'knightLost', [step.knight]);
    else {
      ck.knights[a.vertex] = step.knight;
      ckEvent(d, seat, 'knightRelocated', [a.vertex]);
    }
    d.step = resumeStep(step.resume);
    return true;
  }
  switch (a.type) {
    case 'improve': {
      const ck = d.ck();
      const level = ck.improvements[seat * 3 + a.track]! + 1;
      d.pay(seat, TRACK_COMMODITY[a.track]!, improvementCost(ck, seat, a.track));
      ck.crane = false;
      ck.improvements[seat * 3 + a.track] = level;
      ckEvent(d, seat, 'improved', [a.track, level]);
      if (level >= 4) takeMetropolis(d, seat, a.track, level);
      checkWin(d);
      return true;
    }
    case 'knightBuild': {
      d.payCost(seat, KNIGHT_COST);
      d.ck().knights[a.vertex] = knightCode(seat, 1, false);
      ckEvent(d, seat, 'knightBuilt', [a.vertex]);
      return true;
    }
    case 'knightActivate': {
      d.payCost(seat, ACTIVATE_COST);
      const ck = d.ck();
      ck.knights[a.vertex]! |= 1;
      ck.knightTurn[a.vertex]! |= 1;
      ckEvent(d, seat, 'knightActivated', [a.vertex]);
      return true;
    }
    case 'knightPromote': {
      d.payCost(seat, KNIGHT_COST);
      const ck = d.ck();
      ck.knights[a.vertex]! += 2;
      ck.knightTurn[a.vertex]! |= 2;
      ckEvent(d, seat, 'knightPromoted', [a.vertex, knightStrength(ck.knights[a.vertex]!)]);
      return true;
    }
    case 'knightMove': {
      const ck = d.ck();
      const mover = ck.knights[a.from]!;
      const there = ck.knights[a.to]!;
      ck.knights[a.from] = -1;
      ck.knights[a.to] = mover - 1;
      ck.knightTurn[a.to] = ck.knightTurn[a.from]!;
      ck.knightTurn[a.from] = 0;
      ckEvent(d, seat, 'knightMoved', [a.from, a.to]);
      if (there >= 0) {
        ckEvent(d, knightOwner(there), 'knightDisplaced', [a.to]);
        d.step = { phase: 'displaced', seat: knightOwner(there), knight: there, resume: 'main' };
      }
      return true;
    }
    case 'knightChase': {
      const ck = d.ck();
      ck.knights[a.vertex]!--;
      ckEvent(d, seat, 'robberChased', [a.vertex]);
      d.step = { phase: 'robber', resume: 'main' };
      return true;
    }
    case 'wall':
      d.payCost(seat, WALL_COST);
      d.ck().walls[a.vertex] = 1;
      ckEvent(d, seat, 'wallBuilt', [a.vertex]);
      return true;
    case 'progress':
      playProgress(d, seat, a.card, a.resource ?? -1, a.vertex ?? -1);
      return true;
    default:
      return false;
  }
}

const CK_HOOKS: CkHooks = { checkWin, updateLongestRoad, steal };

/** Level 4 first on a track takes its metropolis; level 5 takes it from a holder still at 4. */
function takeMetropolis(d: Draft, seat: number, track: number, level: number) {
  const ck = d.ck();
  const buildings = d.view().buildings;
  const at = ck.metropolis[track]!;
  const holder = at >= 0 ? buildings[at]! >> 1 : -1;
  if (holder === seat) return;
  if (holder >= 0 && !(level === 5 && ck.improvements[holder * 3 + track]! < 5)) return;
  // On the seat's lowest-numbered city that carries no metropolis yet; without one it cannot take it.
  let city = -1;
  for (let v = 0; v < VERTEX_COUNT && city < 0; v++)
    if (buildings[v] === seat * 2 + 1 && !ck.metropolis.includes(v)) city = v;
  if (city < 0) return;
  ck.metropolis[track] = city;
  ckEvent(d, seat, 'metropolis', [track, city, holder]);
}

function playProgress(d: Draft, seat: number, card: number, resource: number, vertex: number) {
  const ck = d.ck();
  ck.progress[seat * PROGRESS_KINDS + card]!--;
  ck.progressPlayed[card]!++;
  // A played card goes back under its deck.
  ck.decks[card]!++;
  ckEvent(d, seat, 'playedProgress', resource >= 0 ? [card, resource] : vertex >= 0 ? [card, vertex] : [card]);
  const s = d.view();
  switch (card) {
    case P.irrigation:
    case P.mining: {
      const r = card === P.irrigation ? 3 : 4;
      const n = Math.min(2 * hexesTouching(s, s.board, seat, r), s.bank[r]!);
      d.gain(seat, r, n);
      return;
    }
    case P.medicine:
      d.payCost(seat, MEDICINE_COST);
      d.buildings()[vertex] = seat * 2 + 1;
      d.pieces()[seat * 3 + 1]!++;
      d.pieces()[seat * 3 + 2]!--;
      d.emit({ type: 'built', seat, piece: 'city', at: vertex });
      checkWin(d);
      return;
    case P.engineer:
      ck.walls[vertex] = 1;
      ckEvent(d, seat, 'wallBuilt', [vertex]);
      return;
    case P.roadBuilding:
      d.step = { phase: 'roadBuilding', roads: s.pieces[seat * 3]! >= 2 ? 2 : 1, resume: 'main' };
      return;
    case P.merchantFleet:
      ck.fleet = resource;
      return;
    case P.crane:
      ck.crane = true;
      return;
    case P.saboteur:
    case P.wedding: {
      // Saboteur: each seat with at least the player's points discards half its cards (rounded down).
      // Wedding: each seat with more points gives the player 2 cards of its choice (what it has, up to 2).
      const mine = publicPoints(s, seat);
      const left = new Array<number>(d.n).fill(0);
      for (let p = 0; p < d.n; p++) {
        if (p === seat) continue;
        const pts = publicPoints(s, p);
        const size = handSize(s, p);
        if (card === P.saboteur && pts >= mine) left[p] = Math.floor(size / 2);
        if (card === P.wedding && pts > mine) left[p] = Math.min(2, size);
      }
      if (left.some((x) => x > 0))
        d.step =
          card === P.saboteur
            ? { phase: 'discard', left, resume: 'main' }
            : { phase: 'discard', left, resume: 'main', to: seat };
      return;
    }
    case P.intrigue: {
      // The enemy knight is displaced as if by a knight of the seat: its owner moves it (or loses it).
      const there = ck.knights[vertex]!;
      ck.knights[vertex] = -1;
      ck.knightTurn[vertex] = 0;
      ckEvent(d, knightOwner(there), 'knightDisplaced', [vertex]);
      d.step = { phase: 'displaced', seat: knightOwner(there), knight: there, resume: 'main', from: vertex };
      return;
    }
    case P.resourceMonopoly:
      takeFromOthers(d, seat, resource, 2);
      return;
    case P.tradeMonopoly:
      takeFromOthers(d, seat, resource, 1);
      return;
    case P.warlord:
      for (let v = 0; v < VERTEX_COUNT; v++) {
        const kn = ck.knights[v]!;
        if (knightOwner(kn) === seat && !knightActive(kn)) {
          ck.knights[v] = kn | 1;
          ck.knightTurn[v]! |= 1;
        }
      }
      return;
    default:
      throw new Error(`catan: progress card ${PROGRESS[card]?.name ?? card} cannot be played`);
  }
}

// ---- observation ----------------------------------------------------------------------------------------

/**
 * The per-seat public counts of an observation, memoised on the identity of the state arrays they are read from:
 * states are immutable and `apply` copies an array only when a step writes it (draft.ts), so an unchanged array
 * object means unchanged contents, and consecutive observations share the count arrays (they are read-only).
 * One entry each, as the site cache in rules.ts: WeakMap entries per state made garbage collection slow.
 */
// handSizes (from hands), devCounts (from devs, devNew, current), publicPoints (from pieces, the two cards and,
// under Cities & Knights, the C&K part and the buildings): each recomputed only when what it reads changed.
let sizesFrom: readonly number[] | null = null;
let sizes: readonly number[] = [];
let devCountsFrom: readonly number[] | null = null;
let devNewFrom: readonly number[] | null = null;
let devCountsCurrent = -1;
let devCounts: readonly number[] = [];
let devNewCount = 0;
let pointsFrom: readonly number[] | null = null;
let pointsRoad = -2;
let pointsArmy = -2;
let pointsCk: CkState | undefined;
let pointsBuildings: readonly number[] | null = null;
let points: readonly number[] = [];
const NO_CARDS: readonly number[] = Object.freeze([0, 0, 0, 0, 0]);
/** Per seat: the development-card array its last own-cards list was read from, and that list. */
const devsFrom: (readonly number[] | null)[] = [];
const devsOf: (readonly number[])[] = [];

/** `seat`'s development cards held (5 counts), shared between observations while `s.devs` is the same array. */
function ownDevs(s: CatanState, seat: number): readonly number[] {
  const d = s.devs;
  if (devsFrom[seat] !== d) {
    const o = seat * 5;
    devsOf[seat] = [d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!, d[o + 4]!];
    devsFrom[seat] = d;
  }
  return devsOf[seat]!;
}

function handSizes(s: CatanState): readonly number[] {
  if (sizesFrom !== s.hands) {
    sizesFrom = s.hands;
    if (s.players === 4) {
      // A new hands array may hold the same sizes as the last one: the list is kept then.
      const a = handSize(s, 0);
      const b = handSize(s, 1);
      const c = handSize(s, 2);
      const d = handSize(s, 3);
      if (sizes.length !== 4 || sizes[0] !== a || sizes[1] !== b || sizes[2] !== c || sizes[3] !== d)
        sizes = [a, b, c, d];
    } else {
      const out = new Array<number>(s.players);
      for (let p = 0; p < s.players; p++) out[p] = handSize(s, p);
      sizes = out;
    }
  }
  return sizes;
}

/** `p`'s development cards held, this turn's included (devCountsOf; `devNewCount` set first). */
function devCountOf(s: CatanState, p: number): number {
  const o = p * 5;
  const d = s.devs;
  return d[o]! + d[o + 1]! + d[o + 2]! + d[o + 3]! + d[o + 4]! + (p === s.current ? devNewCount : 0);
}

function devCountsOf(s: CatanState): readonly number[] {
  if (devCountsFrom !== s.devs || devNewFrom !== s.devNew || devCountsCurrent !== s.current) {
    const n = s.players;
    devNewCount = s.devNew[0]! + s.devNew[1]! + s.devNew[2]! + s.devNew[3]! + s.devNew[4]!;
    // Recomputed at every turn (the current seat changes) but nearly always the same counts: a new list only
    // when one differs.
    let same = devCounts.length === n;
    for (let p = 0; p < n && same; p++) same = devCounts[p] === devCountOf(s, p);
    if (!same) {
      const out = new Array<number>(n);
      for (let p = 0; p < n; p++) out[p] = devCountOf(s, p);
      devCounts = out;
    }
    devCountsFrom = s.devs;
    devNewFrom = s.devNew;
    devCountsCurrent = s.current;
  }
  return devCounts;
}

function publicPointsOf(s: CatanState): readonly number[] {
  if (
    pointsFrom !== s.pieces ||
    pointsRoad !== s.longestRoad ||
    pointsArmy !== s.largestArmy ||
    pointsCk !== s.ck ||
    (s.ck !== undefined && pointsBuildings !== s.buildings)
  ) {
    const out = new Array<number>(s.players);
    for (let p = 0; p < s.players; p++) out[p] = publicPoints(s, p);
    pointsFrom = s.pieces;
    pointsRoad = s.longestRoad;
    pointsArmy = s.largestArmy;
    pointsCk = s.ck;
    pointsBuildings = s.buildings;
    points = out;
  }
  return points;
}

/** The observer's own row: nothing it cannot account for. */
const NO_VIEWS: readonly number[] = new Array<number>(5).fill(0);

/*
 * observe's counts under the base rules for 3 and 4 seats, as array literals: a literal of numbers is allocated
 * inline and packed, where filling `new Array(n * k)` by index took twice as long (a third of observe's time).
 * Row p of `known` is the hand minus what the observer cannot account for (nothing, for its own row); `unknown`
 * is the sum of the latter.
 */
function known4(h: readonly number[], views: readonly number[], seat: number): number[] {
  const w0 = seat === 0 ? NO_VIEWS : views;
  const b0 = seat === 0 ? 0 : (seat * 4 + 0) * 5;
  const w1 = seat === 1 ? NO_VIEWS : views;
  const b1 = seat === 1 ? 0 : (seat * 4 + 1) * 5;
  const w2 = seat === 2 ? NO_VIEWS : views;
  const b2 = seat === 2 ? 0 : (seat * 4 + 2) * 5;
  const w3 = seat === 3 ? NO_VIEWS : views;
  const b3 = seat === 3 ? 0 : (seat * 4 + 3) * 5;
  return [
    h[0]! - w0[b0]!,
    h[1]! - w0[b0 + 1]!,
    h[2]! - w0[b0 + 2]!,
    h[3]! - w0[b0 + 3]!,
    h[4]! - w0[b0 + 4]!,
    h[5]! - w1[b1]!,
    h[6]! - w1[b1 + 1]!,
    h[7]! - w1[b1 + 2]!,
    h[8]! - w1[b1 + 3]!,
    h[9]! - w1[b1 + 4]!,
    h[10]! - w2[b2]!,
    h[11]! - w2[b2 + 1]!,
    h[12]! - w2[b2 + 2]!,
    h[13]! - w2[b2 + 3]!,
    h[14]! - w2[b2 + 4]!,
    h[15]! - w3[b3]!,
    h[16]! - w3[b3 + 1]!,
    h[17]! - w3[b3 + 2]!,
    h[18]! - w3[b3 + 3]!,
    h[19]! - w3[b3 + 4]!,
  ];
}

/**
 * Four-seat `unknown` lists, interned by their counts (4 bits each): equal counts give the same read-only array,
 * as observations already share the state's arrays. 300 random games held 565 distinct lists over 312,000
 * observations, so nearly every observation takes one from here instead of allocating one. Interning the hand the
 * same way (about 10,000 distinct, direct-mapped) cost more in lookups than it saved (docs/performance.md, Catan
 * engine, eighth pass).
 */
const UNKNOWN4: (number[] | undefined)[] = new Array<number[] | undefined>(1 << 16).fill(undefined);

function unknown4(views: readonly number[], seat: number): number[] {
  const b0 = (seat * 4 + 0) * 5;
  const b1 = (seat * 4 + 1) * 5;
  const b2 = (seat * 4 + 2) * 5;
  const b3 = (seat * 4 + 3) * 5;
  const u0 = seat === 0 ? 0 : views[b0]! + views[b0 + 1]! + views[b0 + 2]! + views[b0 + 3]! + views[b0 + 4]!;
  const u1 = seat === 1 ? 0 : views[b1]! + views[b1 + 1]! + views[b1 + 2]! + views[b1 + 3]! + views[b1 + 4]!;
  const u2 = seat === 2 ? 0 : views[b2]! + views[b2 + 1]! + views[b2 + 2]! + views[b2 + 3]! + views[b2 + 4]!;
  const u3 = seat === 3 ? 0 : views[b3]! + views[b3 + 1]! + views[b3 + 2]! + views[b3 + 3]! + views[b3 + 4]!;
  if ((u0 | u1 | u2 | u3) >= 16) return [u0, u1, u2, u3];
  const key = u0 | (u1 << 4) | (u2 << 8) | (u3 << 12);
  const interned = UNKNOWN4[key];
  if (interned !== undefined) return interned;
  const list = [u0, u1, u2, u3];
  UNKNOWN4[key] = list;
  return list;
}

function known3(h: readonly number[], views: readonly number[], seat: number): number[] {
  const w0 = seat === 0 ? NO_VIEWS : views;
  const b0 = seat === 0 ? 0 : (seat * 3 + 0) * 5;
  const w1 = seat === 1 ? NO_VIEWS : views;
  const b1 = seat === 1 ? 0 : (seat * 3 + 1) * 5;
  const w2 = seat === 2 ? NO_VIEWS : views;
  const b2 = seat === 2 ? 0 : (seat * 3 + 2) * 5;
  return [
    h[0]! - w0[b0]!,
    h[1]! - w0[b0 + 1]!,
    h[2]! - w0[b0 + 2]!,
    h[3]! - w0[b0 + 3]!,
    h[4]! - w0[b0 + 4]!,
    h[5]! - w1[b1]!,
    h[6]! - w1[b1 + 1]!,
    h[7]! - w1[b1 + 2]!,
    h[8]! - w1[b1 + 3]!,
    h[9]! - w1[b1 + 4]!,
    h[10]! - w2[b2]!,
    h[11]! - w2[b2 + 1]!,
    h[12]! - w2[b2 + 2]!,
    h[13]! - w2[b2 + 3]!,
    h[14]! - w2[b2 + 4]!,
  ];
}

function unknown3(views: readonly number[], seat: number): number[] {
  const b0 = (seat * 3 + 0) * 5;
  const b1 = (seat * 3 + 1) * 5;
  const b2 = (seat * 3 + 2) * 5;
  return [
    seat === 0 ? 0 : views[b0]! + views[b0 + 1]! + views[b0 + 2]! + views[b0 + 3]! + views[b0 + 4]!,
    seat === 1 ? 0 : views[b1]! + views[b1 + 1]! + views[b1 + 2]! + views[b1 + 3]! + views[b1 + 4]!,
    seat === 2 ? 0 : views[b2]! + views[b2 + 1]! + views[b2 + 2]! + views[b2 + 3]! + views[b2 + 4]!,
  ];
}

export function observe(s: CatanState, seat: Seat): CatanObservation {
  const n = s.players;
  const k = s.bank.length;
  const hands = s.hands;
  const views = s.views;
  let known: number[];
  let unknown: number[];
  if (k === 5 && (n === 4 || n === 3)) {
    known = n === 4 ? known4(hands, views, seat) : known3(hands, views, seat);
    unknown = n === 4 ? unknown4(views, seat) : unknown3(views, seat);
  } else {
    // Cities & Knights: built by index into presized arrays (`fill` and `slice` cost more at this size).
    known = new Array<number>(n * k);
    unknown = new Array<number>(n);
    for (let p = 0; p < n; p++) {
      const o = p * k;
      if (p === seat) {
        for (let r = 0; r < k; r++) known[o + r] = hands[o + r]!;
        unknown[p] = 0;
      } else {
        const base = (seat * n + p) * k;
        let u = 0;
        for (let r = 0; r < k; r++) {
          known[o + r] = hands[o + r]! - views[base + r]!;
          u += views[base + r]!;
        }
        unknown[p] = u;
      }
    }
  }
  const so = seat * k;
  let hand: number[];
  if (k === 5) hand = [hands[so]!, hands[so + 1]!, hands[so + 2]!, hands[so + 3]!, hands[so + 4]!];
  else {
    hand = new Array<number>(k);
    for (let r = 0; r < k; r++) hand[r] = hands[so + r]!;
  }
  const devs = ownDevs(s, seat);
  const sizesNow = handSizes(s);
  const devCountsNow = devCountsOf(s);
  const obs: CatanObservation = {
    seat,
    players: n,
    config: s.config,
    board: s.board,
    buildings: s.buildings,
    roads: s.roads,
    robber: s.robber,
    bank: s.bank,
    deckLeft: deckLeft(s),
    hand,
    devs,
    devNew: seat === s.current ? s.devNew : NO_CARDS,
    handSizes: sizesNow,
    known,
    unknown,
    devCounts: devCountsNow,
    devNewCount,
    played: s.played,
    knights: s.knights,
    pieces: s.pieces,
    roadLength: s.roadLength,
    longestRoad: s.longestRoad,
    largestArmy: s.largestArmy,
    publicPoints: publicPointsOf(s),
    current: s.current,
    step: s.step,
    turn: s.turn,
    devPlayed: s.devPlayed,
    offers: s.offers,
    winner: s.winner,
    ck: s.ck === undefined ? undefined : observeCk(s.ck, seat, n, revealedTo(s, seat)),
  };
  if (s.ck === undefined) {
    observed.obs = obs;
    observed.state = s;
  }
  return obs;
}

/**
 * The last base-game observation `observe` made and the state it was made of, never handed out: for that
 * observation `pickObservedAction` lists the legal actions on the state itself instead of on a rules view built
 * from the observation. The two listings are the same action for action (the generators read of the hidden part
 * only the seat's own cards, the others' hand sizes and the deck's size, which the view holds exactly), and the
 * state's arrays are the ones the site caches are keyed on. One entry, so a state lives at most until the next
 * observation.
 */
const observed: { obs: CatanObservation | null; state: CatanState | null } = { obs: null, state: null };

function observeCk(ck: CkState, seat: number, n: number, revealed: readonly number[] | undefined): CkObservation {
  const progressCounts = new Array<number>(n);
  for (let p = 0; p < n; p++) progressCounts[p] = progressHeld(ck, p);
  return {
    improvements: ck.improvements,
    metropolis: ck.metropolis,
    knights: ck.knights,
    knightTurn: ck.knightTurn,
    walls: ck.walls,
    barbarian: ck.barbarian,
    attacks: ck.attacks,
    defenders: ck.defenders,
    progress: ck.progress.slice(seat * PROGRESS_KINDS, (seat + 1) * PROGRESS_KINDS),
    progressCounts,
    deckSizes: [deckSize(ck, 0), deckSize(ck, 1), deckSize(ck, 2)],
    progressPlayed: ck.progressPlayed,
    progressPoints: ck.progressPoints,
    draws: ck.draws,
    fleet: ck.fleet,
    crane: ck.crane,
    pendingRoll: ck.pendingRoll,
    merchant: ck.merchant,
    merchantOwner: ck.merchantOwner,
    harbourUsed: ck.harbourUsed,
    ...(revealed === undefined ? {} : { revealed }),
  };
}

/** The C&K state behind an observation, with the given hidden progress cards and decks. */
function ckFromObservation(o: CkObservation, progress: number[], decks: number[]): CkState {
  return {
    improvements: o.improvements,
    metropolis: o.metropolis,
    knights: o.knights,
    knightTurn: o.knightTurn,
    walls: o.walls,
    barbarian: o.barbarian,
    attacks: o.attacks,
    defenders: o.defenders,
    progress,
    decks,
    progressPlayed: o.progressPlayed,
    progressPoints: o.progressPoints,
    draws: o.draws,
    fleet: o.fleet,
    crane: o.crane,
    pendingRoll: o.pendingRoll,
    merchant: o.merchant,
    merchantOwner: o.merchantOwner,
    harbourUsed: o.harbourUsed,
  };
}

/** Progress cards nobody but their holder has seen, dealt to the others' hands and the decks at random. */
function determinizeCk(obs: CatanObservation, seat: number, rng: Rng): CkState {
  const o = obs.ck!;
  const n = obs.players;
  const progress = new Array<number>(n * PROGRESS_KINDS).fill(0);
  for (let c = 0; c < PROGRESS_KINDS; c++) progress[seat * PROGRESS_KINDS + c] = o.progress[c]!;
  // A Spy's victim holds exactly what the spy sees.
  const spied = obs.step.phase === 'spy' && o.revealed !== undefined ? obs.step.victim : -1;
  if (spied >= 0) for (let c = 0; c < PROGRESS_KINDS; c++) progress[spied * PROGRESS_KINDS + c] = o.revealed![c]!;
  const decks = new Array<number>(PROGRESS_KINDS).fill(0);
  const rest: number[] = [];
  for (let t = 0; t < 3; t++) {
    const unseen: number[] = [];
    for (let c = 0; c < PROGRESS_KINDS; c++) {
      const def = PROGRESS[c]!;
      if (def.track !== t) continue;
      const seen = spied >= 0 ? o.revealed![c]! : 0;
      const free = def.count - o.progress[c]! - seen - (isPointCard(c) ? o.progressPlayed[c]! : 0);
      for (let i = 0; i < free; i++) unseen.push(c);
    }
    const shuffled = rng.shuffle(unseen);
    for (let i = 0; i < shuffled.length; i++) {
      if (i < o.deckSizes[t]!) decks[shuffled[i]!]!++;
      else rest.push(shuffled[i]!);
    }
  }
  const dealt = rng.shuffle(rest);
  let next = 0;
  for (let p = 0; p < n; p++) {
    if (p === seat || p === spied) continue;
    for (let i = 0; i < o.progressCounts[p]! && next < dealt.length; i++)
      progress[p * PROGRESS_KINDS + dealt[next++]!]!++;
  }
  return ckFromObservation(o, progress, decks);
}

/**
 * A full state consistent with `obs`: the other seats' unknown cards dealt at random from the resource cards
 * nobody can account for, and their development cards (and the deck's order-free counts) from the cards not
 * yet seen. Other seats' knowledge of one another is reset to "all unknown" (the observer cannot know it).
 */
export function determinize(obs: CatanObservation, seat: Seat, _config: CatanConfig, rng: Rng): CatanState {
  const n = obs.players;
  const k = obs.bank.length;
  const hands = obs.known.slice();
  const pool: number[] = [];
  for (let r = 0; r < k; r++) {
    let free = (r < 5 ? BANK_START : COMMODITY_START) - obs.bank[r]!;
    for (let p = 0; p < n; p++) free -= obs.known[p * k + r]!;
    for (let i = 0; i < free; i++) pool.push(r);
  }
  const shuffled = rng.shuffle(pool);
  let next = 0;
  for (let p = 0; p < n; p++) for (let i = 0; i < obs.unknown[p]!; i++) hands[p * k + shuffled[next++]!]!++;
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
  // The observer cannot account for its dealt cards; the others' knowledge of one another is all unknown.
  const views = new Array<number>(n * n * k).fill(0);
  for (let o = 0; o < n; o++) {
    for (let p = 0; p < n; p++) {
      if (o === p) continue;
      const base = (o * n + p) * k;
      for (let r = 0; r < k; r++) views[base + r] = hands[p * k + r]! - (o === seat ? obs.known[p * k + r]! : 0);
    }
  }
  const ck = obs.ck === undefined ? undefined : determinizeCk(obs, seat, rng);
  return fromObservation(obs, { hands, deck, devs, devNew, views, ck });
}

/**
 * The observation as a state for the rule functions (`legalActions`, `validate`) of the observing seat: its own
 * cards are exact; another seat's hand is its size only (all counted as brick) and the deck its size only
 * (all counted as knights). Those functions read no more than that for the observer, so the bots call them
 * on this cheap view instead of a sampled `determinize`. Not a plausible state: never apply to it.
 */
/**
 * The hands as the rules view holds them: the seat's own cards, and for every other seat its hand size in the
 * first slot (what the rules may ask of a hidden hand) with the rest zero.
 */
function writeObservedHands(obs: CatanObservation, hands: number[]): void {
  const k = obs.bank.length;
  for (let p = 0; p < obs.players; p++) {
    const o = p * k;
    if (p === obs.seat) for (let r = 0; r < k; r++) hands[o + r] = obs.hand[r]!;
    else {
      hands[o] = obs.handSizes[p]!;
      for (let r = 1; r < k; r++) hands[o + r] = 0;
    }
  }
}

export function rulesView(obs: CatanObservation): CatanState {
  const n = obs.players;
  const k = obs.bank.length;
  const seat = obs.seat;
  const hands = new Array<number>(n * k);
  writeObservedHands(obs, hands);
  const devs = new Array<number>(n * 5);
  for (let i = 0; i < n * 5; i++) devs[i] = 0;
  for (let r = 0; r < 5; r++) devs[seat * 5 + r] = obs.devs[r]!;
  let ck: CkState | undefined;
  if (obs.ck !== undefined) {
    // Own cards exact; each deck's size held on its track's first kind (the rules only read the sizes).
    const progress = new Array<number>(n * PROGRESS_KINDS).fill(0);
    for (let c = 0; c < PROGRESS_KINDS; c++) progress[obs.seat * PROGRESS_KINDS + c] = obs.ck.progress[c]!;
    const decks = new Array<number>(PROGRESS_KINDS).fill(0);
    for (let t = 0; t < 3; t++) decks[PROGRESS.findIndex((p) => p.track === t)] = obs.ck.deckSizes[t]!;
    // What a Master Merchant or a Spy sees of its victim, exact.
    const seen = obs.ck.revealed;
    if (seen !== undefined && obs.step.phase === 'masterMerchant')
      for (let r = 0; r < k; r++) hands[obs.step.victim * k + r] = seen[r]!;
    if (seen !== undefined && obs.step.phase === 'spy')
      for (let c = 0; c < PROGRESS_KINDS; c++) progress[obs.step.victim * PROGRESS_KINDS + c] = seen[c]!;
    ck = ckFromObservation(obs.ck, progress, decks);
  }
  const deck = DECK_OF_SIZE[obs.deckLeft] ?? [obs.deckLeft, 0, 0, 0, 0];
  return fromObservation(obs, { hands, deck, devs, devNew: obs.devNew, views: EMPTY, ck });
}
/**
 * `pickLegalAction(rulesView(obs), obs.seat, pick)` with less building: under the base rules the view's hands
 * and development cards (the two arrays it makes, 40 counts for four seats) are written into reused scratch arrays,
 * so a uniformly random decision (catan-random) allocates only the view's own object beyond its observation. The
 * scratch never leaves this function; Cities & Knights builds a fresh view as before.
 */
export function pickObservedAction(obs: CatanObservation, pick: (count: number) => number): CatanAction | undefined {
  if (obs.ck !== undefined) return pickLegalAction(rulesView(obs), obs.seat, pick);
  if (obs === observed.obs) return pickFrom(observed.state!, stateItself, obs.seat, pick);
  return pickFrom(obs, scratchRulesView, obs.seat, pick);
}

/** The scratch behind pickObservedAction: the rules view's hands and development cards, rewritten each time. */
let scratchHands: number[] = [];
let scratchDevs: number[] = [];

/** rulesView(obs) of a base-game observation, its two count arrays written into the scratch ones. */
function scratchRulesView(obs: CatanObservation): CatanState {
  const n = obs.players;
  const k = obs.bank.length;
  const seat = obs.seat;
  if (scratchHands.length !== n * k) scratchHands = new Array<number>(n * k).fill(0);
  if (scratchDevs.length !== n * 5) scratchDevs = new Array<number>(n * 5).fill(0);
  const hands = scratchHands;
  writeObservedHands(obs, hands);
  const devs = scratchDevs;
  for (let i = 0; i < n * 5; i++) devs[i] = 0;
  for (let r = 0; r < 5; r++) devs[seat * 5 + r] = obs.devs[r]!;
  const deck = DECK_OF_SIZE[obs.deckLeft] ?? [obs.deckLeft, 0, 0, 0, 0];
  // A new state object each time (a young object is cheap to make), over the two long-lived count arrays: storing
  // numbers into those needs no write barrier, storing the observation's young arrays into a long-lived object
  // would need one per field.
  return fromObservation(obs, { hands, deck, devs, devNew: obs.devNew, views: EMPTY, ck: undefined });
}

/** The deck as `rulesView` holds it, per size: all its cards counted as knights. */
const DECK_OF_SIZE: readonly (readonly number[])[] = Array.from({ length: 26 }, (_, size) =>
  Object.freeze([size, 0, 0, 0, 0]),
);
const EMPTY: readonly number[] = [];

/**
 * A state from the public fields of `obs` and the given hidden ones: what `determinize` and `rulesView` build.
 * One object literal in the state's own field order, so that every state the rule functions see has one shape
 * (a spread here made the rule functions' property loads polymorphic and cost 20x in random games).
 */
function fromObservation(
  obs: CatanObservation,
  hidden: Pick<CatanState, 'hands' | 'deck' | 'devs' | 'devNew' | 'views' | 'ck'>,
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
    ck: hidden.ck,
  };
}

/** Events as `seat` learns them: another pair's stolen card and another seat's drawn card are hidden (-1). */
export function visibleEvents(events: readonly CatanEvent[], seat: Seat): CatanEvent[] {
  return events.map((e) => {
    if (e.type === 'stole' && e.seat !== seat && e.victim !== seat) return { ...e, resource: -1 };
    if (e.type === 'boughtDev' && e.seat !== seat) return { ...e, card: -1 };
    if (e.type === 'ck' && e.seat !== seat && (e.what === 'drewProgress' || e.what === 'gaveBackProgress'))
      return { ...e, detail: [-1] };
    // Spy: the card taken is known to the spy and its victim.
    if (e.type === 'ck' && e.what === 'tookProgress' && e.seat !== seat && e.detail?.[1] !== seat)
      return { ...e, detail: [-1, e.detail![1]!] };
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
    .map((c, r) => (c > 0 ? `${c} ${CARD_NAMES[r]}` : ''))
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
    case 'ck':
      return formatCkEvent(e);
    case 'end':
      return `game over, ${e.winner < 0 ? 'turn limit reached' : `seat ${e.winner} wins`}; points ${e.points.join(' : ')}`;
  }
}

/** Cities & Knights events in words. */
function formatCkEvent(e: Extract<CatanEvent, { type: 'ck' }>): string {
  const x = e.detail ?? [];
  const card = (c: number | undefined) => (c === undefined || c < 0 ? 'a card' : PROGRESS[c]!.name);
  switch (e.what) {
    case 'event':
      return `event die: ${x[0]! < 3 ? 'barbarian ship' : `${TRACK_NAMES[EVENT_TRACK[x[0]!]!]} gate`}`;
    case 'barbarians':
      return `the barbarians advance to ${x[0]} of ${BARBARIAN_TRACK}`;
    case 'attackLost':
      return `the barbarians (${x[0]}) beat the knights (${x[1]})`;
    case 'attackWon':
      return `the knights (${x[1]}) beat the barbarians (${x[0]})`;
    case 'improved':
      return `seat ${e.seat} raises ${TRACK_NAMES[x[0]!]} to level ${x[1]}`;
    case 'metropolis':
      return `seat ${e.seat} takes the ${TRACK_NAMES[x[0]!]} metropolis (vertex ${x[1]})`;
    case 'drewProgress':
    case 'pointCard':
    case 'gaveBackProgress':
    case 'playedProgress':
      return `seat ${e.seat} ${e.what === 'drewProgress' ? 'draws' : e.what === 'pointCard' ? 'scores' : e.what === 'playedProgress' ? 'plays' : 'gives back'} ${card(x[0])}`;
    default:
      return `seat ${e.seat}: ${e.what}${x.length > 0 ? ` ${x.join(' ')}` : ''}`;
  }
}
const TRACK_NAMES = ['trade', 'politics', 'science'] as const;

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
