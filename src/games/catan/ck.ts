/**
 * Cities & Knights (`rules=cities-and-knights`): the parts of the rules the base game does not have, as one module
 * beside the base rules. The engine (engine.ts) owns the game loop, the card movements and the base phases; it asks
 * this module for the extra actions, phases and chance steps. Every decision on an uncertain point is in
 * docs/rules/catan.md.
 */
import { boardLookups } from './board.ts';
import type { Draft } from './draft.ts';
import { roadSiteOk } from './rules.ts';
import { EDGE_VERTICES, HEX_VERTICES, otherEnd, VERTEX_COUNT, VERTEX_EDGES, VERTEX_HEXES } from './topology.ts';
import type { CatanAction, CatanBoard, CatanState, CatanStep, CkState } from './types.ts';

export const PAPER = 5;
export const CLOTH = 6;
export const COIN = 7;
export const COMMODITIES = ['paper', 'cloth', 'coin'] as const;
/** Commodity cards of each kind in the supply. */
export const COMMODITY_START = 12;
export const CK_VP_TO_WIN = 13;
/** Tracks: 0 trade, 1 politics, 2 science; the commodity that pays for each. */
export const TRACKS = ['trade', 'politics', 'science'] as const;
export const TRACK_COMMODITY: readonly number[] = [CLOTH, COIN, PAPER];
/** The event die's faces 3..5 open the gate of this track (blue politics, green science, yellow trade). */
export const EVENT_TRACK: readonly number[] = [-1, -1, -1, 1, 2, 0];
/** The commodity a city on a resource's terrain adds: lumber (forest) paper, wool (pasture) cloth, ore coin. */
export const RESOURCE_COMMODITY: readonly number[] = [-1, PAPER, CLOTH, -1, COIN];
export const BARBARIAN_TRACK = 7;
export const MAX_WALLS = 3;
export const PROGRESS_HAND_LIMIT = 4;
/** Knight costs: build and promote 1 wool + 1 ore, activate 1 grain; a wall 2 brick. */
export const KNIGHT_COST: readonly number[] = [0, 0, 1, 0, 1];
export const ACTIVATE_COST: readonly number[] = [0, 0, 0, 1, 0];
export const WALL_COST: readonly number[] = [2, 0, 0, 0, 0];
export const MEDICINE_COST: readonly number[] = [0, 0, 0, 1, 2];

/** The 25 progress card kinds with their official counts: 18 science, 18 trade, 18 politics (54 cards). */
export const PROGRESS = [
  { name: 'alchemist', track: 2, count: 2 },
  { name: 'crane', track: 2, count: 2 },
  { name: 'engineer', track: 2, count: 1 },
  { name: 'inventor', track: 2, count: 2 },
  { name: 'irrigation', track: 2, count: 2 },
  { name: 'medicine', track: 2, count: 2 },
  { name: 'mining', track: 2, count: 2 },
  { name: 'printer', track: 2, count: 1 },
  { name: 'roadBuilding', track: 2, count: 2 },
  { name: 'smith', track: 2, count: 2 },
  { name: 'commercialHarbor', track: 0, count: 2 },
  { name: 'masterMerchant', track: 0, count: 2 },
  { name: 'merchant', track: 0, count: 6 },
  { name: 'merchantFleet', track: 0, count: 2 },
  { name: 'resourceMonopoly', track: 0, count: 4 },
  { name: 'tradeMonopoly', track: 0, count: 2 },
  { name: 'bishop', track: 1, count: 2 },
  { name: 'constitution', track: 1, count: 1 },
  { name: 'deserter', track: 1, count: 2 },
  { name: 'diplomat', track: 1, count: 2 },
  { name: 'intrigue', track: 1, count: 2 },
  { name: 'saboteur', track: 1, count: 2 },
  { name: 'spy', track: 1, count: 3 },
  { name: 'warlord', track: 1, count: 2 },
  { name: 'wedding', track: 1, count: 2 },
] as const;
export const PROGRESS_KINDS = PROGRESS.length;
const card = (name: (typeof PROGRESS)[number]['name']) => PROGRESS.findIndex((p) => p.name === name);
export const P = {
  crane: card('crane'),
  engineer: card('engineer'),
  intrigue: card('intrigue'),
  saboteur: card('saboteur'),
  wedding: card('wedding'),
  irrigation: card('irrigation'),
  medicine: card('medicine'),
  mining: card('mining'),
  printer: card('printer'),
  roadBuilding: card('roadBuilding'),
  merchantFleet: card('merchantFleet'),
  resourceMonopoly: card('resourceMonopoly'),
  tradeMonopoly: card('tradeMonopoly'),
  constitution: card('constitution'),
  warlord: card('warlord'),
  alchemist: card('alchemist'),
  inventor: card('inventor'),
  smith: card('smith'),
  commercialHarbor: card('commercialHarbor'),
  masterMerchant: card('masterMerchant'),
  merchant: card('merchant'),
  bishop: card('bishop'),
  deserter: card('deserter'),
  diplomat: card('diplomat'),
  spy: card('spy'),
};
/** Cards that score at once when drawn (never held, never count against the hand limit). */
export const isPointCard = (c: number) => c === P.printer || c === P.constitution;

export function ckSetup(players: number): CkState {
  return {
    improvements: new Array<number>(players * 3).fill(0),
    metropolis: [-1, -1, -1],
    knights: new Array<number>(VERTEX_COUNT).fill(-1),
    knightTurn: new Array<number>(VERTEX_COUNT).fill(0),
    walls: new Array<number>(VERTEX_COUNT).fill(0),
    barbarian: 0,
    attacks: 0,
    defenders: new Array<number>(players).fill(0),
    progress: new Array<number>(players * PROGRESS_KINDS).fill(0),
    decks: PROGRESS.map((p) => p.count),
    progressPlayed: new Array<number>(PROGRESS_KINDS).fill(0),
    progressPoints: new Array<number>(players).fill(0),
    draws: [],
    fleet: -1,
    crane: false,
    pendingRoll: -1,
    merchant: -1,
    merchantOwner: -1,
    harbourUsed: false,
  };
}

// ---- knights ----------------------------------------------------------------------------------------------

export const knightOwner = (k: number) => (k < 0 ? -1 : k >> 3);
export const knightStrength = (k: number) => (k < 0 ? 0 : (k >> 1) & 3);
export const knightActive = (k: number) => k >= 0 && (k & 1) === 1;
export const knightCode = (seat: number, strength: number, active: boolean) =>
  seat * 8 + strength * 2 + (active ? 1 : 0);

/** Active knight strength per seat (its defence against the barbarians). */
export function activeStrength(ck: CkState, players: number): number[] {
  const out = new Array<number>(players).fill(0);
  for (const k of ck.knights) if (knightActive(k)) out[knightOwner(k)]! += knightStrength(k);
  return out;
}

type Board = Pick<CatanState, 'buildings' | 'roads' | 'board' | 'players'>;

/** A vertex with neither a building nor a knight. */
const vertexEmpty = (s: Board, ck: CkState, v: number) => s.buildings[v] === -1 && ck.knights[v] === -1;

/** `v` touches one of `seat`'s roads. */
function onOwnRoad(s: Board, seat: number, v: number): boolean {
  for (const e of VERTEX_EDGES[v]!) if (s.roads[e] === seat) return true;
  return false;
}

/**
 * Vertices reachable from `from` along `seat`'s roads without passing another piece (a building or a knight of
 * anyone blocks the way; the end vertex is returned whatever stands there).
 */
export function reachable(s: Board, ck: CkState, seat: number, from: number): number[] {
  const seen = new Uint8Array(VERTEX_COUNT);
  seen[from] = 1;
  const stack = [from];
  const out: number[] = [];
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (const e of VERTEX_EDGES[v]!) {
      if (s.roads[e] !== seat) continue;
      const w = otherEnd(e, v);
      if (seen[w]) continue;
      seen[w] = 1;
      out.push(w);
      if (vertexEmpty(s, ck, w)) stack.push(w);
    }
  }
  return out.sort((a, b) => a - b);
}

/** Free vertices on `seat`'s roads where a displaced knight of `seat` may go (`except` is where it stood). */
export function relocationSites(s: Board, ck: CkState, seat: number, except: number): number[] {
  const out: number[] = [];
  for (let v = 0; v < VERTEX_COUNT; v++)
    if (v !== except && vertexEmpty(s, ck, v) && onOwnRoad(s, seat, v)) out.push(v);
  return out;
}

// ---- points -----------------------------------------------------------------------------------------------

/** Points from Cities & Knights pieces and cards: metropolises 2 each, defenders, Printer and Constitution. */
export function ckPoints(s: Pick<CatanState, 'buildings'> & { readonly ck?: CkState }, seat: number): number {
  const ck = s.ck;
  if (ck === undefined) return 0;
  let pts = ck.defenders[seat]! + ck.progressPoints[seat]! + (ck.merchantOwner === seat ? 1 : 0);
  for (const v of ck.metropolis) if (v >= 0 && s.buildings[v]! >> 1 === seat) pts += 2;
  return pts;
}

/** The hand limit on a 7: 7, plus 2 per city wall. */
export function handLimit(ck: CkState | undefined, buildings: readonly number[], seat: number): number {
  if (ck === undefined) return 7;
  let walls = 0;
  for (let v = 0; v < VERTEX_COUNT; v++) if (ck.walls[v] && buildings[v]! >> 1 === seat) walls++;
  return 7 + 2 * walls;
}

/** Bank ratios for all 8 kinds, 3 bits each (see rules.ts tradeRatios): harbours, Trading House, Merchant Fleet. */
export function ckRatios(s: CatanState, seat: number, base: number): number {
  const ck = s.ck!;
  let packed = 0;
  const commodity = ck.improvements[seat * 3]! >= 3 ? 2 : hasGenericHarbour(s, seat) ? 3 : 4;
  // The merchant: its owner trades the resource of the merchant's hex 2:1, like a harbour of it.
  const merchant = ck.merchantOwner === seat ? boardLookups(s.board).hexResource[ck.merchant]! : -1;
  for (let r = 0; r < 8; r++) {
    let ratio = r < 5 ? (base >> (3 * r)) & 7 : commodity;
    if (r === merchant) ratio = 2;
    if (ck.fleet === r && s.current === seat) ratio = 2;
    packed |= ratio << (3 * r);
  }
  return packed;
}

function hasGenericHarbour(s: CatanState, seat: number): boolean {
  const { harbourVertices, harbourKinds } = boardLookups(s.board);
  for (let i = 0; i < harbourVertices.length; i++) {
    const b = s.buildings[harbourVertices[i]!]!;
    if (b >= 0 && b >> 1 === seat && harbourKinds[i] === -1) return true;
  }
  return false;
}

// ---- legal actions ----------------------------------------------------------------------------------------

const canPay = (hand: readonly number[], o: number, cost: readonly number[]) => {
  for (let r = 0; r < cost.length; r++) if (hand[o + r]! < cost[r]!) return false;
  return true;
};

/** Cost of the next level on `track` for `seat`: level n costs n commodities of the track's kind, one less with Crane. */
export const improvementCost = (ck: CkState, seat: number, track: number) =>
  ck.improvements[seat * 3 + track]! + (ck.crane ? 0 : 1);

const hasCity = (s: Board, seat: number) => {
  for (let v = 0; v < VERTEX_COUNT; v++) if (s.buildings[v] === seat * 2 + 1) return true;
  return false;
};

/** The Cities & Knights actions of the player to move in the main phase, appended to `out` in a fixed order. */
export function pushCkMain(s: CatanState, seat: number, out: ActionSink) {
  const ck = s.ck!;
  const o = seat * 8;
  const h = s.hands;
  // City improvements: need a city; level 4 and 5 need one that can carry the metropolis... any city will do.
  if (hasCity(s, seat)) {
    for (let t = 0; t < 3; t++) {
      const level = ck.improvements[seat * 3 + t]!;
      if (level < 5 && h[o + TRACK_COMMODITY[t]!]! >= improvementCost(ck, seat, t)) out.push(ACT.improve[t]!);
    }
  }
  // Knights.
  const strengthCount = [0, 0, 0, 0];
  for (const k of ck.knights) if (knightOwner(k) === seat) strengthCount[knightStrength(k)]!++;
  if (canPay(h, o, KNIGHT_COST) && strengthCount[1]! < 2) {
    for (let v = 0; v < VERTEX_COUNT; v++)
      if (vertexEmpty(s, ck, v) && onOwnRoad(s, seat, v)) out.push(ACT.knightBuild[v]!);
  }
  for (let v = 0; v < VERTEX_COUNT; v++) {
    const k = ck.knights[v]!;
    if (knightOwner(k) !== seat) continue;
    const strength = knightStrength(k);
    if (!knightActive(k) && canPay(h, o, ACTIVATE_COST)) out.push(ACT.knightActivate[v]!);
    if (
      strength < 3 &&
      (ck.knightTurn[v]! & 2) === 0 &&
      canPay(h, o, KNIGHT_COST) &&
      strengthCount[strength + 1]! < 2 &&
      (strength < 2 || ck.improvements[seat * 3 + 1]! >= 3)
    )
      out.push(ACT.knightPromote[v]!);
    if (knightActive(k) && (ck.knightTurn[v]! & 1) === 0) {
      for (const w of reachable(s, ck, seat, v)) {
        if (s.buildings[w] !== -1) continue;
        const other = ck.knights[w]!;
        if (other === -1 || (knightOwner(other) !== seat && knightStrength(other) < strength))
          out.push({ type: 'knightMove', from: v, to: w });
      }
      if (ck.attacks > 0 && VERTEX_HEXES[v]!.includes(s.robber)) out.push(ACT.knightChase[v]!);
    }
  }
  // City walls.
  if (canPay(h, o, WALL_COST)) {
    let walls = 0;
    for (let v = 0; v < VERTEX_COUNT; v++) if (ck.walls[v] && s.buildings[v]! >> 1 === seat) walls++;
    if (walls < MAX_WALLS)
      for (let v = 0; v < VERTEX_COUNT; v++)
        if (s.buildings[v] === seat * 2 + 1 && !ck.walls[v]) out.push(ACT.wall[v]!);
  }
  pushProgressPlays(s, seat, out);
}

function pushProgressPlays(s: CatanState, seat: number, out: ActionSink) {
  const ck = s.ck!;
  const held = (c: number) => ck.progress[seat * PROGRESS_KINDS + c]! > 0;
  const o = seat * 8;
  if (held(P.crane) && !ck.crane) out.push({ type: 'progress', card: P.crane });
  if (held(P.intrigue)) {
    for (let v = 0; v < VERTEX_COUNT; v++) {
      const k = ck.knights[v]!;
      if (k >= 0 && knightOwner(k) !== seat && onOwnRoad(s, seat, v))
        out.push({ type: 'progress', card: P.intrigue, vertex: v });
    }
  }
  if (held(P.irrigation)) out.push({ type: 'progress', card: P.irrigation });
  if (held(P.saboteur)) out.push({ type: 'progress', card: P.saboteur });
  if (held(P.wedding)) out.push({ type: 'progress', card: P.wedding });
  if (held(P.mining)) out.push({ type: 'progress', card: P.mining });
  if (held(P.medicine) && s.pieces[seat * 3 + 2]! > 0 && canPay(s.hands, o, MEDICINE_COST)) {
    for (let v = 0; v < VERTEX_COUNT; v++)
      if (s.buildings[v] === seat * 2) out.push({ type: 'progress', card: P.medicine, vertex: v });
  }
  if (held(P.engineer)) {
    let walls = 0;
    for (let v = 0; v < VERTEX_COUNT; v++) if (ck.walls[v] && s.buildings[v]! >> 1 === seat) walls++;
    if (walls < MAX_WALLS)
      for (let v = 0; v < VERTEX_COUNT; v++)
        if (s.buildings[v] === seat * 2 + 1 && !ck.walls[v])
          out.push({ type: 'progress', card: P.engineer, vertex: v });
  }
  if (held(P.roadBuilding) && s.pieces[seat * 3]! > 0) {
    const rv = roadView(s, seat);
    let any = false;
    for (let e = 0; e < EDGE_VERTICES.length && !any; e++) any = roadSiteOk(rv, seat, e);
    if (any) out.push({ type: 'progress', card: P.roadBuilding });
  }
  if (held(P.merchantFleet) && ck.fleet < 0) for (let r = 0; r < 8; r++) out.push(ACT.fleet[r]!);
  if (held(P.resourceMonopoly)) for (let r = 0; r < 5; r++) out.push(ACT.resourceMonopoly[r]!);
  if (held(P.tradeMonopoly)) for (let r = 5; r < 8; r++) out.push(ACT.tradeMonopoly[r]!);
  if (held(P.warlord)) {
    for (const k of ck.knights) {
      if (knightOwner(k) === seat && !knightActive(k)) {
        out.push({ type: 'progress', card: P.warlord });
        break;
      }
    }
  }
  if (held(P.inventor))
    for (const hexes of inventorPairs(s.board)) out.push({ type: 'progress', card: P.inventor, hexes });
  if (held(P.smith) && promotable(s, seat).length > 0) out.push({ type: 'progress', card: P.smith });
  if (held(P.commercialHarbor) && !ck.harbourUsed) out.push({ type: 'progress', card: P.commercialHarbor });
  if (held(P.masterMerchant)) {
    const mine = ckPublicPoints(s, seat);
    for (let p = 0; p < s.players; p++)
      if (p !== seat && ckPublicPoints(s, p) > mine && cardsIn(s, p) > 0)
        out.push({ type: 'progress', card: P.masterMerchant, seat: p });
  }
  if (held(P.merchant)) {
    const lk = boardLookups(s.board);
    for (let h = 0; h < HEX_VERTICES.length; h++) {
      if (lk.hexResource[h]! < 0) continue;
      if (HEX_VERTICES[h]!.some((v) => s.buildings[v]! >= 0 && s.buildings[v]! >> 1 === seat))
        out.push({ type: 'progress', card: P.merchant, hex: h });
    }
  }
  if (held(P.bishop) && ck.attacks > 0) out.push({ type: 'progress', card: P.bishop });
  if (held(P.deserter)) {
    for (let p = 0; p < s.players; p++)
      if (p !== seat && ck.knights.some((k) => knightOwner(k) === p))
        out.push({ type: 'progress', card: P.deserter, seat: p });
  }
  if (held(P.diplomat)) for (const edge of openRoads(s, ck)) out.push({ type: 'progress', card: P.diplomat, edge });
  // Spy: any other seat (how many progress cards it holds is public, which ones is not).
  if (held(P.spy))
    for (let p = 0; p < s.players; p++) if (p !== seat) out.push({ type: 'progress', card: P.spy, seat: p });
}

/** Before the roll only Alchemist can be played: it fixes both production dice (36 choices, 7 included). */
export function pushCkPreRoll(s: CatanState, seat: number, out: ActionSink) {
  if (s.ck!.progress[seat * PROGRESS_KINDS + P.alchemist]! > 0) for (const a of ACT.alchemist) out.push(a);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const ACT = {
  improve: range(3).map((track) => ({ type: 'improve', track }) as const),
  knightBuild: range(VERTEX_COUNT).map((vertex) => ({ type: 'knightBuild', vertex }) as const),
  knightActivate: range(VERTEX_COUNT).map((vertex) => ({ type: 'knightActivate', vertex }) as const),
  knightPromote: range(VERTEX_COUNT).map((vertex) => ({ type: 'knightPromote', vertex }) as const),
  knightChase: range(VERTEX_COUNT).map((vertex) => ({ type: 'knightChase', vertex }) as const),
  wall: range(VERTEX_COUNT).map((vertex) => ({ type: 'wall', vertex }) as const),
  pillage: range(VERTEX_COUNT).map((vertex) => ({ type: 'pillage', vertex }) as const),
  relocate: range(VERTEX_COUNT).map((vertex) => ({ type: 'relocate', vertex }) as const),
  chooseDeck: range(3).map((track) => ({ type: 'chooseDeck', track }) as const),
  aqueduct: range(5).map((resource) => ({ type: 'aqueduct', resource }) as const),
  progressDiscard: range(PROGRESS_KINDS).map((card) => ({ type: 'progressDiscard', card }) as const),
  fleet: range(8).map((resource) => ({ type: 'progress', card: P.merchantFleet, resource }) as const),
  resourceMonopoly: range(5).map((resource) => ({ type: 'progress', card: P.resourceMonopoly, resource }) as const),
  tradeMonopoly: range(8).map((resource) => ({ type: 'progress', card: P.tradeMonopoly, resource }) as const),
  alchemist: range(36).map(
    (i) => ({ type: 'progress', card: P.alchemist, dice: [Math.floor(i / 6) + 1, (i % 6) + 1] as const }) as const,
  ),
  robber: range(19).map((hex) => ({ type: 'robber', hex, victim: null }) as const),
  takeCard: range(8).map((resource) => ({ type: 'takeCard', resource }) as const),
  harbourOffer: range(5).map((resource) => ({ type: 'harbourOffer', resource }) as const),
  harbourAnswer: range(8).map((resource) => ({ type: 'harbourAnswer', resource }) as const),
  removeKnight: range(VERTEX_COUNT).map((vertex) => ({ type: 'removeKnight', vertex }) as const),
  placeKnight: range(VERTEX_COUNT).map((vertex) => ({ type: 'placeKnight', vertex }) as const),
  road: range(EDGE_VERTICES.length).map((edge) => ({ type: 'road', edge }) as const),
  takeProgress: range(PROGRESS_KINDS).map((card) => ({ type: 'takeProgress', card }) as const),
};
const CANCEL = { type: 'cancel' } as const;
const NO_KNIGHT = { type: 'placeKnight', vertex: null } as const;
const NO_OFFER = { type: 'harbourOffer', resource: null } as const;
const NO_PROGRESS = { type: 'takeProgress', card: null } as const;

/** Where the legal-action generators put the actions they find (an array, or engine.ts's reused list). */
export interface ActionSink {
  push(action: CatanAction): void;
}

/** Legal actions of `seat` in a Cities & Knights decision phase (the phases the base game does not have). */
export function ckPhaseActions(s: CatanState, seat: number): CatanAction[] {
  const ck = s.ck!;
  const step = s.step;
  const out: CatanAction[] = [];
  switch (step.phase) {
    case 'progressDiscard':
      if (seat !== step.seat) return out;
      for (let c = 0; c < PROGRESS_KINDS; c++)
        if (ck.progress[seat * PROGRESS_KINDS + c]! > 0) out.push(ACT.progressDiscard[c]!);
      return out;
    case 'pillage':
      if (!step.left.includes(seat)) return out;
      for (let v = 0; v < VERTEX_COUNT; v++)
        if (s.buildings[v] === seat * 2 + 1 && !ck.metropolis.includes(v)) out.push(ACT.pillage[v]!);
      return out;
    case 'defenderDraw':
      if (!step.left.includes(seat)) return out;
      for (let t = 0; t < 3; t++) if (deckSize(ck, t) > 0) out.push(ACT.chooseDeck[t]!);
      return out;
    case 'aqueduct':
      if (!step.left.includes(seat)) return out;
      for (let r = 0; r < 5; r++) if (s.bank[r]! > 0) out.push(ACT.aqueduct[r]!);
      return out;
    case 'displaced': {
      if (seat !== step.seat) return out;
      const sites = relocationSites(s, ck, seat, step.from ?? -1);
      for (const v of sites) out.push(ACT.relocate[v]!);
      if (sites.length === 0) out.push({ type: 'relocate', vertex: null });
      return out;
    }
    case 'deserter':
      if (seat !== step.victim) return out;
      for (let v = 0; v < VERTEX_COUNT; v++) if (knightOwner(ck.knights[v]!) === seat) out.push(ACT.removeKnight[v]!);
      return out;
    case 'commercialHarbor': {
      if (step.offered === undefined) {
        if (seat !== s.current) return out;
        out.push(NO_OFFER);
        for (let r = 0; r < 5; r++) if (s.hands[seat * 8 + r]! > 0) out.push(ACT.harbourOffer[r]!);
        return out;
      }
      if (seat !== step.left[0]) return out;
      for (let r = 5; r < 8; r++) if (s.hands[seat * 8 + r]! > 0) out.push(ACT.harbourAnswer[r]!);
      return out;
    }
    default:
      break;
  }
  if (seat !== s.current) return out;
  switch (step.phase) {
    case 'bishop':
      for (let h = 0; h < ACT.robber.length; h++) if (h !== s.robber) out.push(ACT.robber[h]!);
      return out;
    case 'smith':
      out.push(CANCEL);
      for (const v of promotable(s, seat)) out.push({ type: 'knightPromote', vertex: v });
      return out;
    case 'deserterPlace':
      out.push(NO_KNIGHT);
      for (const v of relocationSites(s, ck, seat, -1)) out.push(ACT.placeKnight[v]!);
      return out;
    case 'diplomat': {
      out.push(CANCEL);
      const rv = roadView(s, seat);
      for (let e = 0; e < EDGE_VERTICES.length; e++)
        if (e !== step.removed && roadSiteOk(rv, seat, e)) out.push(ACT.road[e]!);
      return out;
    }
    case 'masterMerchant':
      for (let r = 0; r < 8; r++) if (s.hands[step.victim * 8 + r]! > 0) out.push(ACT.takeCard[r]!);
      return out;
    case 'spy':
      out.push(NO_PROGRESS);
      for (let c = 0; c < PROGRESS_KINDS; c++)
        if (ck.progress[step.victim * PROGRESS_KINDS + c]! > 0) out.push(ACT.takeProgress[c]!);
      return out;
    default:
      return out;
  }
}

export function deckSize(ck: CkState, track: number): number {
  let n = 0;
  for (let c = 0; c < PROGRESS_KINDS; c++) if (PROGRESS[c]!.track === track) n += ck.decks[c]!;
  return n;
}

/** Progress cards `seat` holds (Printer and Constitution are never held). */
export function progressHeld(ck: Pick<CkState, 'progress'>, seat: number): number {
  let n = 0;
  for (let c = 0; c < PROGRESS_KINDS; c++) n += ck.progress[seat * PROGRESS_KINDS + c]!;
  return n;
}

const ACTION_KEYS = ['vertex', 'track', 'from', 'to', 'resource', 'card', 'seat', 'edge', 'hex', 'victim'];
/** Same action (the fields that identify it), for validation by membership in the legal list. */
export function sameAction(a: CatanAction, b: CatanAction): boolean {
  if (a.type !== b.type) return false;
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  for (const key of ACTION_KEYS) if (x[key] !== y[key]) return false;
  for (const key of ['hexes', 'dice']) {
    const p = x[key];
    const q = y[key];
    if (p === q) continue;
    if (!Array.isArray(p) || !Array.isArray(q) || p.length !== 2 || q.length !== 2) return false;
    if (p[0] !== q[0] || p[1] !== q[1]) return false;
  }
  return true;
}

/** Hexes of a terrain resource touching one of `seat`'s buildings, each once (Irrigation, Mining). */
export function hexesTouching(s: Board, board: CatanBoard, seat: number, resource: number): number {
  const lk = boardLookups(board);
  let n = 0;
  for (let h = 0; h < HEX_VERTICES.length; h++) {
    if (lk.hexResource[h] !== resource) continue;
    if (HEX_VERTICES[h]!.some((v) => s.buildings[v]! >= 0 && s.buildings[v]! >> 1 === seat)) n++;
  }
  return n;
}

// ---- the knights' hold on roads -----------------------------------------------------------------------------

/**
 * `s` as `seat`'s roads see it: every other seat's knight counts as a building of its owner, so it cuts `seat`'s
 * road for the longest road and stops `seat` building a road past it, as an enemy settlement does. The same
 * object when nothing changes (base rules, or no enemy knight).
 */
export function roadView<S extends Pick<CatanState, 'buildings'> & { readonly ck?: CkState }>(s: S, seat: number): S {
  const ck = s.ck;
  if (ck === undefined) return s;
  let buildings: number[] | null = null;
  for (let v = 0; v < VERTEX_COUNT; v++) {
    const k = ck.knights[v]!;
    if (k < 0 || knightOwner(k) === seat || s.buildings[v] !== -1) continue;
    if (buildings === null) buildings = s.buildings.slice();
    buildings[v] = knightOwner(k) * 2;
  }
  return buildings === null ? s : { ...s, buildings };
}

/** True when a knight appeared, left or moved (the road lengths must be counted again). */
export function knightsChanged(a: CkState, b: CkState): boolean {
  if (a.knights === b.knights) return false;
  for (let v = 0; v < VERTEX_COUNT; v++) if (knightOwner(a.knights[v]!) !== knightOwner(b.knights[v]!)) return true;
  return false;
}

// ---- helpers of the cards ----------------------------------------------------------------------------------

/** Cards (resources and commodities) in `seat`'s hand. */
const cardsIn = (s: Pick<CatanState, 'hands'>, seat: number) => {
  let n = 0;
  for (let r = 0; r < 8; r++) n += s.hands[seat * 8 + r]!;
  return n;
};

/** Points everyone sees under Cities & Knights (no hidden points exist there). */
export function ckPublicPoints(s: CatanState, seat: number): number {
  let pts = s.longestRoad === seat ? 2 : 0;
  for (let v = 0; v < VERTEX_COUNT; v++) {
    const b = s.buildings[v]!;
    if (b >= 0 && b >> 1 === seat) pts += (b & 1) + 1;
  }
  return pts + ckPoints(s, seat);
}

/** Number tokens the Inventor may not move. */
const FIXED_TOKENS = new Set([2, 6, 8, 12]);
/** Inventor: every pair of hexes (ascending) with different movable number tokens. */
export function inventorPairs(board: CatanBoard): [number, number][] {
  const out: [number, number][] = [];
  const n = board.numbers;
  for (let a = 0; a < n.length; a++) {
    if (n[a]! === 0 || FIXED_TOKENS.has(n[a]!)) continue;
    for (let b = a + 1; b < n.length; b++)
      if (n[b]! !== 0 && !FIXED_TOKENS.has(n[b]!) && n[b] !== n[a]) out.push([a, b]);
  }
  return out;
}

/** `seat`'s knights a promotion may raise now (as a paid one, without the cost): Smith. */
export function promotable(s: CatanState, seat: number): number[] {
  const ck = s.ck!;
  const count = [0, 0, 0, 0];
  for (const k of ck.knights) if (knightOwner(k) === seat) count[knightStrength(k)]!++;
  const out: number[] = [];
  for (let v = 0; v < VERTEX_COUNT; v++) {
    const k = ck.knights[v]!;
    if (knightOwner(k) !== seat) continue;
    const strength = knightStrength(k);
    if (strength >= 3 || (ck.knightTurn[v]! & 2) !== 0 || count[strength + 1]! >= 2) continue;
    if (strength === 2 && ck.improvements[seat * 3 + 1]! < 3) continue;
    out.push(v);
  }
  return out;
}

/**
 * Diplomat: the open roads, any seat's. A road is open when one of its ends touches nothing else of its owner:
 * no other road, no building, no knight (catan.com FAQ "Diplomat - when is a road open?").
 */
export function openRoads(s: Board, ck: CkState): number[] {
  const out: number[] = [];
  for (let e = 0; e < EDGE_VERTICES.length; e++) {
    const q = s.roads[e]!;
    if (q < 0) continue;
    const open = EDGE_VERTICES[e]!.some((v) => {
      const b = s.buildings[v]!;
      if ((b >= 0 && b >> 1 === q) || knightOwner(ck.knights[v]!) === q) return false;
      for (const f of VERTEX_EDGES[v]!) if (f !== e && s.roads[f] === q) return false;
      return true;
    });
    if (open) out.push(e);
  }
  return out;
}

/** The seat a Cities & Knights decision waits for (the player to move unless the step names another). */
export function actingSeat(s: CatanState): number {
  const step = s.step;
  switch (step.phase) {
    case 'progressDiscard':
    case 'displaced':
      return step.seat;
    case 'deserter':
      return step.victim;
    case 'commercialHarbor':
      return step.offered === undefined ? s.current : step.left[0]!;
    default:
      return s.current;
  }
}

/** What only `seat` sees now: the hand a Master Merchant looks at, the progress cards a Spy looks at. */
export function revealedTo(s: CatanState, seat: number): readonly number[] | undefined {
  const step = s.step;
  if (seat !== s.current) return undefined;
  if (step.phase === 'masterMerchant') return s.hands.slice(step.victim * 8, step.victim * 8 + 8);
  if (step.phase === 'spy')
    return s.ck!.progress.slice(step.victim * PROGRESS_KINDS, (step.victim + 1) * PROGRESS_KINDS);
  return undefined;
}

// ---- the cards' steps ----------------------------------------------------------------------------------------

/** The engine's steps the cards use (engine.ts passes them in; ck.ts does not import the engine). */
export interface CkHooks {
  /** Ends the game when the player to move has won; true if it did. */
  readonly checkWin: (d: Draft) => boolean;
  /** `seats`: a bit mask of the seats whose roads are counted again. */
  readonly updateLongestRoad: (d: Draft, seats: number) => void;
  /** One card `r` from `victim` to `thief`, known to the two of them only. */
  readonly steal: (d: Draft, thief: number, victim: number, r: number) => void;
}

/** The progress cards whose steps live here (the others are in engine.ts). */
const HERE: ReadonlySet<number> = new Set([
  P.alchemist,
  P.inventor,
  P.smith,
  P.commercialHarbor,
  P.masterMerchant,
  P.merchant,
  P.bishop,
  P.deserter,
  P.diplomat,
  P.spy,
]);
const HERE_PHASES: ReadonlySet<string> = new Set([
  'bishop',
  'smith',
  'deserter',
  'deserterPlace',
  'diplomat',
  'commercialHarbor',
  'masterMerchant',
  'spy',
]);
/** The Cities & Knights decision phases of the cards handled here. */
export const CARD_PHASES = HERE_PHASES;
const MAIN: CatanStep = { phase: 'main' };
const emitCk = (d: Draft, seat: number, what: string, detail: readonly number[]) =>
  d.emit({ type: 'ck', seat, what, detail });

/**
 * Applies `a` when it is one of the cards handled here or a decision of their phases; false otherwise (the
 * engine's own C&K and base steps take it).
 */
export function applyCardStep(d: Draft, seat: number, a: CatanAction, hooks: CkHooks): boolean {
  const step = d.s.step;
  if (a.type === 'progress' && HERE.has(a.card) && !HERE_PHASES.has(step.phase)) {
    playCard(d, seat, a, hooks);
    return true;
  }
  if (!HERE_PHASES.has(step.phase)) return false;
  const s = d.s;
  const ck = d.ck();
  switch (step.phase) {
    case 'bishop': {
      if (a.type !== 'robber') break;
      d.robber = a.hex;
      d.emit({ type: 'robber', seat, hex: a.hex, victim: null });
      const victims: number[] = [];
      for (const v of HEX_VERTICES[a.hex]!) {
        const b = s.buildings[v]!;
        if (b >= 0 && b >> 1 !== seat && !victims.includes(b >> 1) && cardsIn(s, b >> 1) > 0) victims.push(b >> 1);
      }
      victims.sort((x, y) => x - y);
      d.step =
        victims.length === 0 ? MAIN : { phase: 'steal', victim: victims[0]!, resume: 'main', more: victims.slice(1) };
      return true;
    }
    case 'smith': {
      if (a.type === 'cancel') {
        d.step = MAIN;
        return true;
      }
      if (a.type !== 'knightPromote') break;
      ck.knights[a.vertex]! += 2;
      ck.knightTurn[a.vertex]! |= 2;
      emitCk(d, seat, 'knightPromoted', [a.vertex, knightStrength(ck.knights[a.vertex]!)]);
      d.step = step.left === 2 && promotable(d.view(), seat).length > 0 ? { phase: 'smith', left: 1 } : MAIN;
      return true;
    }
    case 'deserter': {
      if (a.type !== 'removeKnight') break;
      const gone = ck.knights[a.vertex]!;
      ck.knights[a.vertex] = -1;
      ck.knightTurn[a.vertex] = 0;
      emitCk(d, seat, 'knightDeserted', [a.vertex]);
      // The player places a knight of the same strength and status; a basic one when it has none of that
      // strength left (ultraboardgames' almanac text); a mighty one even without the Fortress.
      const count = [0, 0, 0, 0];
      for (const k of ck.knights) if (knightOwner(k) === d.current) count[knightStrength(k)]!++;
      let strength = knightStrength(gone);
      if (count[strength]! >= 2) strength = count[1]! < 2 ? 1 : 0;
      const sites = strength > 0 ? relocationSites(d.view(), ck, d.current, -1) : [];
      d.step = sites.length > 0 ? { phase: 'deserterPlace', strength, active: knightActive(gone) } : MAIN;
      return true;
    }
    case 'deserterPlace': {
      if (a.type !== 'placeKnight') break;
      if (a.vertex !== null) {
        ck.knights[a.vertex] = knightCode(seat, step.strength, step.active);
        // Placed active, it counts as activated this turn (it cannot act before the next).
        if (step.active) ck.knightTurn[a.vertex]! |= 1;
        emitCk(d, seat, 'knightBuilt', [a.vertex]);
      }
      d.step = MAIN;
      return true;
    }
    case 'diplomat': {
      if (a.type === 'cancel') {
        d.step = MAIN;
        return true;
      }
      if (a.type !== 'road') break;
      d.roads()[a.edge] = seat;
      d.pieces()[seat * 3]!--;
      d.emit({ type: 'built', seat, piece: 'road', at: a.edge });
      hooks.updateLongestRoad(d, 1 << seat);
      d.step = MAIN;
      hooks.checkWin(d);
      return true;
    }
    case 'commercialHarbor': {
      const target = step.left[0]!;
      const rest = step.left.slice(1);
      if (step.offered === undefined && a.type === 'harbourOffer') {
        if (a.resource !== null) {
          let commodities = 0;
          for (let r = 5; r < 8; r++) commodities += s.hands[target * 8 + r]!;
          if (commodities > 0) {
            d.step = { phase: 'commercialHarbor', left: step.left, offered: a.resource };
            return true;
          }
          // No commodity: the offer is void, the player keeps its resource.
          emitCk(d, seat, 'harbourVoid', [target]);
        }
      } else if (step.offered !== undefined && a.type === 'harbourAnswer') {
        const me = d.current;
        const hands = d.hands();
        hands[me * 8 + step.offered]!--;
        d.lost(me, step.offered);
        hands[target * 8 + step.offered]!++;
        hands[target * 8 + a.resource]!--;
        d.lost(target, a.resource);
        hands[me * 8 + a.resource]!++;
        emitCk(d, me, 'harbourTrade', [target, step.offered, a.resource]);
      } else break;
      d.step = rest.length > 0 ? { phase: 'commercialHarbor', left: rest } : MAIN;
      return true;
    }
    case 'masterMerchant': {
      if (a.type !== 'takeCard') break;
      hooks.steal(d, seat, step.victim, a.resource);
      d.step = step.left === 2 && cardsIn(d.view(), step.victim) > 0 ? { ...step, left: 1 } : MAIN;
      return true;
    }
    case 'spy': {
      if (a.type !== 'takeProgress') break;
      if (a.card !== null) {
        ck.progress[step.victim * PROGRESS_KINDS + a.card]!--;
        ck.progress[seat * PROGRESS_KINDS + a.card]!++;
        emitCk(d, seat, 'tookProgress', [a.card, step.victim]);
        if (progressHeld(ck, seat) > PROGRESS_HAND_LIMIT) {
          d.step = { phase: 'progressDiscard', seat };
          return true;
        }
      }
      d.step = MAIN;
      return true;
    }
    default:
      break;
  }
  throw new Error(`catan: ${a.type} cannot be applied in phase ${step.phase}`);
}

/** Plays one of the cards handled here: the card goes back under its deck, then its effect. */
function playCard(d: Draft, seat: number, a: Extract<CatanAction, { type: 'progress' }>, hooks: CkHooks) {
  const ck = d.ck();
  const card = a.card;
  ck.progress[seat * PROGRESS_KINDS + card]!--;
  ck.progressPlayed[card]!++;
  ck.decks[card]!++;
  const target = a.seat ?? a.hex ?? a.edge ?? -1;
  emitCk(
    d,
    seat,
    'playedProgress',
    target >= 0 ? [card, target] : (a.hexes ?? a.dice) ? [card, ...(a.hexes ?? a.dice)!] : [card],
  );
  const s = d.view();
  switch (card) {
    case P.alchemist:
      d.step = { phase: 'dice', fixed: [a.dice![0], a.dice![1]] };
      return;
    case P.inventor: {
      const [x, y] = a.hexes!;
      const numbers = s.board.numbers.slice();
      numbers[x] = s.board.numbers[y]!;
      numbers[y] = s.board.numbers[x]!;
      d.board = { terrain: s.board.terrain, numbers, harbours: s.board.harbours };
      return;
    }
    case P.smith:
      d.step = { phase: 'smith', left: 2 };
      return;
    case P.commercialHarbor: {
      ck.harbourUsed = true;
      const left: number[] = [];
      for (let i = 1; i < d.n; i++) left.push((seat + i) % d.n);
      d.step = { phase: 'commercialHarbor', left };
      return;
    }
    case P.masterMerchant: {
      const victim = a.seat!;
      // The player looks at the victim's hand: from now on it knows every card there.
      const views = d.views();
      const base = (seat * d.n + victim) * 8;
      for (let r = 0; r < 8; r++) views[base + r] = 0;
      d.step = { phase: 'masterMerchant', victim, left: cardsIn(s, victim) >= 2 ? 2 : 1 };
      return;
    }
    case P.merchant:
      ck.merchant = a.hex!;
      ck.merchantOwner = seat;
      emitCk(d, seat, 'merchant', [a.hex!]);
      hooks.checkWin(d);
      return;
    case P.bishop:
      d.step = { phase: 'bishop' };
      return;
    case P.deserter:
      d.step = { phase: 'deserter', victim: a.seat! };
      return;
    case P.diplomat: {
      const e = a.edge!;
      const owner = s.roads[e]!;
      d.roads()[e] = -1;
      d.pieces()[owner * 3]!++;
      emitCk(d, seat, 'roadRemoved', [e, owner]);
      hooks.updateLongestRoad(d, (1 << d.n) - 1);
      if (owner === seat) {
        const v = d.view();
        const rv = roadView(v, seat);
        let any = false;
        for (let f = 0; f < EDGE_VERTICES.length && !any; f++) any = f !== e && roadSiteOk(rv, seat, f);
        if (any) d.step = { phase: 'diplomat', removed: e };
      }
      // A Longest Road card passed on by the removal may win the game at once.
      if (d.step.phase === 'main') hooks.checkWin(d);
      return;
    }
    case P.spy:
      d.step = { phase: 'spy', victim: a.seat! };
      return;
    default:
      throw new Error(`catan: progress card ${PROGRESS[card]?.name ?? card} is not handled here`);
  }
}
