/**
 * Rule predicates shared by the engine, its validation and the bots: what may be built where, what a seat can
 * afford, the trade ratio it gets, its longest road. All read a state (or an observation: they only need the
 * public board fields) and allocate nothing.
 */
import { boardLookups } from './board.ts';
import {
  EDGE_COUNT,
  EDGE_VERTICES,
  HEX_VERTICES,
  otherEnd,
  VERTEX_COUNT,
  VERTEX_EDGES,
  VERTEX_NEIGHBOURS,
} from './topology.ts';
import type { CatanBoard } from './types.ts';

export const ROAD_COST: readonly number[] = [1, 1, 0, 0, 0];
export const SETTLEMENT_COST: readonly number[] = [1, 1, 1, 1, 0];
export const CITY_COST: readonly number[] = [0, 0, 0, 2, 3];
export const DEV_COST: readonly number[] = [0, 0, 1, 1, 1];

/** Roads, settlements and cities each player has at the start. */
export const PIECES: readonly number[] = [15, 5, 4];

/** The board fields the placement rules read; both a state and an observation have them. */
export interface BoardView {
  readonly board: CatanBoard;
  readonly buildings: readonly number[];
  readonly roads: readonly number[];
  readonly players: number;
}

export const ownerOf = (building: number): number => (building < 0 ? -1 : building >> 1);
export const isCity = (building: number): boolean => building >= 0 && (building & 1) === 1;

/** `cost` is affordable from the 5 cards at hand[offset ..]. */
export function canAfford(hand: readonly number[], offset: number, cost: readonly number[]): boolean {
  for (let r = 0; r < 5; r++) if (hand[offset + r]! < cost[r]!) return false;
  return true;
}

/** Every count of `cost` (any length: 5 resources, or 8 kinds with commodities) is in hand[offset ..]. */
export function canAffordAll(hand: readonly number[], offset: number, cost: readonly number[]): boolean {
  for (let r = 0; r < cost.length; r++) if (hand[offset + r]! < cost[r]!) return false;
  return true;
}

/** The distance rule: vertex `v` is empty and so are all its neighbours. */
export function siteFree(s: BoardView, v: number): boolean {
  if (s.buildings[v] !== -1) return false;
  for (const n of VERTEX_NEIGHBOURS[v]!) if (s.buildings[n] !== -1) return false;
  return true;
}

/** A settlement of `seat` may stand on `v` after the opening: a free site touched by one of its roads. */
export function settlementSiteOk(s: BoardView, seat: number, v: number): boolean {
  if (!siteFree(s, v)) return false;
  for (const e of VERTEX_EDGES[v]!) if (s.roads[e] === seat) return true;
  return false;
}

/**
 * A road of `seat` may go on `e`: empty, and touching the seat's building, or one of its roads at a vertex no
 * enemy building occupies (an enemy settlement cuts a network).
 */
export function roadSiteOk(s: BoardView, seat: number, e: number): boolean {
  if (s.roads[e] !== -1) return false;
  for (const v of EDGE_VERTICES[e]!) {
    const b = s.buildings[v]!;
    if (b >= 0) {
      if (b >> 1 === seat) return true;
      continue;
    }
    for (const f of VERTEX_EDGES[v]!) if (f !== e && s.roads[f] === seat) return true;
  }
  return false;
}

/**
 * Buildable spots per seat, cached per board position. States are immutable and `apply` copies the roads and
 * buildings arrays only when a piece is placed, so the pair of array objects identifies the position: the road
 * and settlement sites are computed once per seat and position instead of at every decision (and validation)
 * between two builds. An observation and `rulesView` share the state's arrays, so bots hit the same entry. One
 * entry (the last position) rather than a WeakMap per position: WeakMap entries made garbage collection slow, and
 * consecutive decisions are nearly always on one position.
 */
interface SiteCache {
  readonly board: CatanBoard | null;
  readonly buildings: readonly number[];
  readonly roads: (readonly number[] | undefined)[];
  readonly settlements: (readonly number[] | undefined)[];
  /** tradeRatios per seat (they depend on the buildings only). */
  readonly ratios: (number | undefined)[];
}

let lastSites: SiteCache = { board: null, buildings: [], roads: [], settlements: [], ratios: [] };
let lastRoads: readonly number[] = [];

function siteCache(s: BoardView): SiteCache {
  if (lastRoads !== s.roads || lastSites.buildings !== s.buildings || lastSites.board !== s.board) {
    lastRoads = s.roads;
    lastSites = { board: s.board, buildings: s.buildings, roads: [], settlements: [], ratios: [] };
  }
  return lastSites;
}

/** The edges a road of `seat` may go on now (see roadSiteOk), ascending. */
export function roadSites(s: BoardView, seat: number): readonly number[] {
  const c = siteCache(s);
  let sites = c.roads[seat];
  if (sites === undefined) c.roads[seat] = sites = computeRoadSites(s, seat);
  return sites;
}

/** Per edge: a road of the seat at hand may go there if it is free (computeRoadSites' marks). */
const nearSeat = new Uint8Array(EDGE_COUNT);

/**
 * The edges that pass roadSiteOk, ascending, from the seat's pieces outwards rather than by testing every edge:
 * the edges at its buildings, and at the ends of its roads where no enemy building stands, that are free.
 */
function computeRoadSites(s: BoardView, seat: number): number[] {
  nearSeat.fill(0);
  const buildings = s.buildings;
  const roads = s.roads;
  for (let v = 0; v < VERTEX_COUNT; v++) {
    const b = buildings[v]!;
    if (b >= 0 && b >> 1 === seat) for (const f of VERTEX_EDGES[v]!) nearSeat[f] = 1;
  }
  for (let e = 0; e < EDGE_COUNT; e++) {
    if (roads[e] !== seat) continue;
    for (const v of EDGE_VERTICES[e]!) {
      const b = buildings[v]!;
      if (b >= 0) continue; // an own building marked its edges above; an enemy one cuts the road
      for (const f of VERTEX_EDGES[v]!) nearSeat[f] = 1;
    }
  }
  const out: number[] = [];
  for (let e = 0; e < EDGE_COUNT; e++) if (nearSeat[e] === 1 && roads[e] === -1) out.push(e);
  return out;
}

/** The vertices a settlement of `seat` may go on after the opening (see settlementSiteOk), ascending. */
export function settlementSites(s: BoardView, seat: number): readonly number[] {
  const c = siteCache(s);
  let sites = c.settlements[seat];
  if (sites === undefined) {
    const out: number[] = [];
    for (let v = 0; v < VERTEX_COUNT; v++) if (settlementSiteOk(s, seat, v)) out.push(v);
    c.settlements[seat] = sites = out;
  }
  return sites;
}

export function anyRoadSite(s: BoardView, seat: number): boolean {
  const known = siteCache(s).roads[seat];
  if (known !== undefined) return known.length > 0;
  for (let e = 0; e < EDGE_COUNT; e++) if (roadSiteOk(s, seat, e)) return true;
  return false;
}

/** The bank ratio `seat` gets when giving `resource`: 2 with that resource's harbour, 3 with a generic one, else 4. */
export function tradeRatio(s: BoardView, seat: number, resource: number): number {
  const { harbourVertices, harbourKinds } = boardLookups(s.board);
  let ratio = 4;
  for (let i = 0; i < harbourVertices.length; i++) {
    const b = s.buildings[harbourVertices[i]!]!;
    if (b < 0 || b >> 1 !== seat) continue;
    const h = harbourKinds[i]!;
    if (h === resource) return 2;
    if (h === -1) ratio = 3;
  }
  return ratio;
}

/**
 * All five bank ratios of `seat` in one pass over the harbours, packed 3 bits per resource (resource r's ratio is
 * `(x >> (3 * r)) & 7`): the legal-action generator wants all five at once.
 */
export function tradeRatios(s: BoardView, seat: number): number {
  const c = siteCache(s);
  let packed = c.ratios[seat];
  if (packed === undefined) c.ratios[seat] = packed = computeTradeRatios(s, seat);
  return packed;
}

function computeTradeRatios(s: BoardView, seat: number): number {
  const { harbourVertices, harbourKinds } = boardLookups(s.board);
  let generic = false;
  let own = 0;
  for (let i = 0; i < harbourVertices.length; i++) {
    const b = s.buildings[harbourVertices[i]!]!;
    if (b < 0 || b >> 1 !== seat) continue;
    const h = harbourKinds[i]!;
    if (h === -1) generic = true;
    else own |= 1 << h;
  }
  const base = generic ? 3 : 4;
  let packed = 0;
  for (let r = 0; r < 5; r++) packed |= ((own >> r) & 1 ? 2 : base) << (3 * r);
  return packed;
}

/** Seats other than `seat` with a building on a corner of `hex`, as a bit mask (bit p set for seat p). */
export function seatsAtHex(s: BoardView, hex: number, seat: number): number {
  let mask = 0;
  for (const v of HEX_VERTICES[hex]!) {
    const b = s.buildings[v]!;
    if (b >= 0 && b >> 1 !== seat) mask |= 1 << (b >> 1);
  }
  return mask;
}

const usedEdge = new Uint8Array(EDGE_COUNT);
/** Edges some walk of the current longestRoadOf call went along. */
const reached = new Uint8Array(EDGE_COUNT);
/** Per vertex: the seat's roads that end there (longestRoadOf). */
const degree = new Uint8Array(VERTEX_COUNT);

function walk(s: BoardView, seat: number, v: number, length: number): number {
  let best = length;
  // A trail may end at an enemy building but not pass through it.
  if (length > 0) {
    const b = s.buildings[v]!;
    if (b >= 0 && b >> 1 !== seat) return best;
  }
  for (const e of VERTEX_EDGES[v]!) {
    if (usedEdge[e] || s.roads[e] !== seat) continue;
    usedEdge[e] = 1;
    reached[e] = 1;
    const l = walk(s, seat, otherEnd(e, v), length + 1);
    usedEdge[e] = 0;
    if (l > best) best = l;
  }
  return best;
}

/**
 * The longest trail of `seat`'s roads (each road once, vertices may repeat), cut by enemy buildings.
 *
 * Trails are walked only from the ends and forks of the network (a vertex with 1 or 3 of the seat's roads, or
 * an enemy building, which splits a vertex into one end per road): a longest trail starting at a vertex with
 * two roads would either extend over the other road, or come back through it and close a cycle, and a closed
 * trail can start at any of its vertices, a fork if it has one. A network part with neither (a plain cycle) is
 * walked from any of its roads afterwards. This gives the same length as walking from every vertex.
 */
export function longestRoadOf(s: BoardView, seat: number): number {
  let best = 0;
  let any = false;
  reached.fill(0);
  degree.fill(0);
  for (let e = 0; e < EDGE_COUNT; e++) {
    if (s.roads[e] !== seat) continue;
    const ends = EDGE_VERTICES[e]!;
    degree[ends[0]]!++;
    degree[ends[1]]!++;
    any = true;
  }
  if (!any) return 0;
  for (let v = 0; v < VERTEX_COUNT; v++) {
    const d = degree[v]!;
    if (d === 0) continue;
    const b = s.buildings[v]!;
    if (d === 2 && !(b >= 0 && b >> 1 !== seat)) continue;
    const l = walk(s, seat, v, 0);
    if (l > best) best = l;
  }
  for (let e = 0; e < EDGE_COUNT; e++) {
    if (reached[e] || s.roads[e] !== seat) continue;
    const l = walk(s, seat, EDGE_VERTICES[e]![0], 0);
    if (l > best) best = l;
  }
  return best;
}

/**
 * `longestRoadOf(s, seat)` right after `seat` placed a road on edge `e`, given `before`, its longest road without
 * that edge. When one end of `e` touches no other road of the seat (nearly every road placed), every trail over
 * `e` starts at that end, and every other trail was there before: the longest is the longer of `before` and one
 * walk from that end. Otherwise (the road joins two of the seat's roads) it is counted again in full.
 */
export function longestRoadAfter(s: BoardView, seat: number, e: number, before: number): number {
  const ends = EDGE_VERTICES[e]!;
  const a = ends[0];
  const b = ends[1];
  const atA = hasOtherRoad(s, seat, a, e);
  if (atA && hasOtherRoad(s, seat, b, e)) return longestRoadOf(s, seat);
  const l = walk(s, seat, atA ? b : a, 0);
  return Math.max(l, before);
}

function hasOtherRoad(s: BoardView, seat: number, v: number, e: number): boolean {
  for (const f of VERTEX_EDGES[v]!) if (f !== e && s.roads[f] === seat) return true;
  return false;
}

/** The longest trail of `seat`'s roads walked from every vertex: the definition, kept to test longestRoadOf. */
export function longestRoadByDefinition(s: BoardView, seat: number): number {
  let best = 0;
  for (let v = 0; v < VERTEX_COUNT; v++) {
    let touches = false;
    for (const e of VERTEX_EDGES[v]!) if (s.roads[e] === seat) touches = true;
    if (!touches) continue;
    const l = walk(s, seat, v, 0);
    if (l > best) best = l;
  }
  return best;
}

/** Pips (ways out of 36) per resource that a building on `v` would collect, robber ignored. */
export function vertexPips(board: CatanBoard, v: number, out: number[] = [0, 0, 0, 0, 0]): number[] {
  const pips = boardLookups(board).vertexPips;
  for (let r = 0; r < 5; r++) out[r]! += pips[v * 5 + r]!;
  return out;
}
