/**
 * Cities & Knights (`rules=cities-and-knights`): the parts of the rules the base game does not have, as one module
 * beside the base rules. The engine (engine.ts) owns the game loop, the card movements and the base phases; it asks
 * this module for the extra actions, phases and chance steps. Every decision on an uncertain point is in
 * docs/rules/catan.md.
 */
import { boardLookups } from './board.ts';
import { roadSiteOk } from './rules.ts';
import { EDGE_VERTICES, HEX_VERTICES, otherEnd, VERTEX_COUNT, VERTEX_EDGES, VERTEX_HEXES } from './topology.ts';
import type { CatanAction, CatanBoard, CatanState, CkState } from './types.ts';

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

/**
 * The 25 progress card kinds with their official counts (54 cards). `implemented` kinds are in the decks; the
 * others are left out of the decks entirely (so no card is ever held that cannot be played) and are listed as
 * missing in docs/rules/catan.md.
 */
export const PROGRESS = [
  { name: 'alchemist', track: 2, count: 2, implemented: false },
  { name: 'crane', track: 2, count: 2, implemented: true },
  { name: 'engineer', track: 2, count: 1, implemented: true },
  { name: 'inventor', track: 2, count: 2, implemented: false },
  { name: 'irrigation', track: 2, count: 2, implemented: true },
  { name: 'medicine', track: 2, count: 2, implemented: true },
  { name: 'mining', track: 2, count: 2, implemented: true },
  { name: 'printer', track: 2, count: 1, implemented: true },
  { name: 'roadBuilding', track: 2, count: 2, implemented: true },
  { name: 'smith', track: 2, count: 2, implemented: false },
  { name: 'commercialHarbor', track: 0, count: 2, implemented: false },
  { name: 'masterMerchant', track: 0, count: 2, implemented: false },
  { name: 'merchant', track: 0, count: 6, implemented: false },
  { name: 'merchantFleet', track: 0, count: 2, implemented: true },
  { name: 'resourceMonopoly', track: 0, count: 4, implemented: true },
  { name: 'tradeMonopoly', track: 0, count: 2, implemented: true },
  { name: 'bishop', track: 1, count: 2, implemented: false },
  { name: 'constitution', track: 1, count: 1, implemented: true },
  { name: 'deserter', track: 1, count: 2, implemented: false },
  { name: 'diplomat', track: 1, count: 2, implemented: false },
  { name: 'intrigue', track: 1, count: 2, implemented: true },
  { name: 'saboteur', track: 1, count: 2, implemented: true },
  { name: 'spy', track: 1, count: 3, implemented: false },
  { name: 'warlord', track: 1, count: 2, implemented: true },
  { name: 'wedding', track: 1, count: 2, implemented: true },
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
    decks: PROGRESS.map((p) => (p.implemented ? p.count : 0)),
    progressPlayed: new Array<number>(PROGRESS_KINDS).fill(0),
    progressPoints: new Array<number>(players).fill(0),
    draws: [],
    fleet: -1,
    crane: false,
    pendingRoll: -1,
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
  let pts = ck.defenders[seat]! + ck.progressPoints[seat]!;
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
  for (let r = 0; r < 8; r++) {
    let ratio = r < 5 ? (base >> (3 * r)) & 7 : commodity;
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
export function pushCkMain(s: CatanState, seat: number, out: CatanAction[]) {
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

function pushProgressPlays(s: CatanState, seat: number, out: CatanAction[]) {
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
    let any = false;
    for (let e = 0; e < EDGE_VERTICES.length && !any; e++) any = roadSiteOk(s, seat, e);
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
};

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

/** Same action (the fields that identify it), for validation by membership in the legal list. */
export function sameAction(a: CatanAction, b: CatanAction): boolean {
  if (a.type !== b.type) return false;
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  for (const key of ['vertex', 'track', 'from', 'to', 'resource', 'card']) if (x[key] !== y[key]) return false;
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
