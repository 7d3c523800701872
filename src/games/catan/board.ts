import type { Rng } from '../../core/rng.ts';
import {
  EDGE_VERTICES,
  HARBOUR_EDGES,
  HEX_COUNT,
  HEX_NEIGHBOURS,
  HEX_VERTICES,
  VERTEX_COUNT,
  VERTEX_HEXES,
} from './topology.ts';
import type { CatanBoard, Harbour, Terrain } from './types.ts';

export const RESOURCES = ['brick', 'lumber', 'wool', 'grain', 'ore'] as const;
export const DEV_CARDS = ['knight', 'victoryPoint', 'roadBuilding', 'yearOfPlenty', 'monopoly'] as const;
export const KNIGHT = 0;
export const VICTORY_POINT = 1;
export const ROAD_BUILDING = 2;
export const YEAR_OF_PLENTY = 3;
export const MONOPOLY = 4;

/** The 25 development cards of the base game, per kind. */
export const DEV_DECK: readonly number[] = [14, 5, 2, 2, 2];
/** Resource cards of each kind in the bank at the start. */
export const BANK_START = 19;

/** The resource a terrain produces, -1 for the desert. */
export const TERRAIN_RESOURCE: Readonly<Record<Terrain, number>> = {
  hills: 0,
  forest: 1,
  pasture: 2,
  fields: 3,
  mountains: 4,
  desert: -1,
};

/** Ways to roll each sum with two dice, out of 36 ("pips"). */
export const PIPS: readonly number[] = [0, 0, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1];

const TERRAINS: readonly Terrain[] = [
  ...Array<Terrain>(3).fill('hills'),
  ...Array<Terrain>(4).fill('forest'),
  ...Array<Terrain>(4).fill('pasture'),
  ...Array<Terrain>(4).fill('fields'),
  ...Array<Terrain>(3).fill('mountains'),
  'desert',
];
const TOKENS: readonly number[] = [2, 3, 3, 4, 4, 5, 5, 6, 6, 8, 8, 9, 9, 10, 10, 11, 11, 12];
/** Four generic 3:1 harbours and one 2:1 harbour per resource. */
const HARBOUR_KINDS: readonly number[] = [-1, -1, -1, -1, 0, 1, 2, 3, 4];

/**
 * The rulebook's "starting set-up for beginners" (hexes in reading order, rows of 3, 4, 5, 4, 3), transcribed
 * from the illustration of the 4th/5th-edition rules. Harbour kinds clockwise from the west corner.
 */
export const BEGINNER_BOARD: CatanBoard = {
  terrain: [
    'mountains',
    'pasture',
    'forest',
    'fields',
    'hills',
    'pasture',
    'hills',
    'fields',
    'forest',
    'desert',
    'forest',
    'mountains',
    'forest',
    'mountains',
    'fields',
    'pasture',
    'hills',
    'fields',
    'pasture',
  ],
  numbers: [10, 2, 9, 12, 6, 4, 10, 9, 11, 0, 3, 8, 8, 3, 4, 5, 5, 6, 11],
  harbours: [-1, 2, -1, -1, 0, 1, -1, 3, 4].map((resource, i) => ({ edge: HARBOUR_EDGES[i]!, resource })),
};

const isRed = (n: number) => n === 6 || n === 8;

/**
 * A seeded random layout: terrain shuffled, then the number tokens shuffled until no 6 and 8 are neighbours
 * (the rulebook's "fully random set-up", almanac: Set-up, Variable), then the harbour kinds shuffled over the
 * fixed harbour sites. The desert gets no token.
 */
export function randomBoard(rng: Rng): CatanBoard {
  const terrain = rng.shuffle(TERRAINS);
  const land: number[] = [];
  for (let h = 0; h < HEX_COUNT; h++) if (terrain[h] !== 'desert') land.push(h);
  // Whether a layout is allowed depends only on where the four red tokens lie: draw those places until no two
  // touch (rejection keeps every allowed layout equally likely), then deal the other tokens on the rest.
  let places: number[];
  for (;;) {
    places = rng.shuffle(land);
    let ok = true;
    for (let i = 0; i < 4 && ok; i++) {
      for (let j = i + 1; j < 4 && ok; j++) if (HEX_NEIGHBOURS[places[i]!]!.includes(places[j]!)) ok = false;
    }
    if (ok) break;
  }
  const numbers = new Array<number>(HEX_COUNT).fill(0);
  const reds = rng.shuffle(TOKENS.filter(isRed));
  const others = rng.shuffle(TOKENS.filter((t) => !isRed(t)));
  for (let i = 0; i < places.length; i++) numbers[places[i]!] = i < 4 ? reds[i]! : others[i - 4]!;
  const kinds = rng.shuffle(HARBOUR_KINDS);
  return { terrain, numbers, harbours: kinds.map((resource, i) => ({ edge: HARBOUR_EDGES[i]!, resource })) };
}

/** What the rules look up on a layout, computed once per board object. */
export interface BoardLookups {
  /** Per hex: its resource, -1 on the desert. */
  readonly hexResource: readonly number[];
  /** Per dice sum 0..12: the hexes with that token. */
  readonly hexesByRoll: readonly (readonly number[])[];
  /** Per vertex: -2 no harbour, -1 a 3:1 harbour, 0..4 a 2:1 harbour of that resource. */
  readonly vertexHarbour: readonly number[];
  /** The 18 vertices that give harbour access, with the harbour's kind (-1 generic, 0..4 a resource). */
  readonly harbourVertices: readonly number[];
  readonly harbourKinds: readonly number[];
  /** Per vertex * 5 + resource: pips (ways out of 36) of the hexes around it. */
  readonly vertexPips: readonly number[];
  readonly desert: number;
}

const lookups = new WeakMap<CatanBoard, BoardLookups>();

// The last board looked up: a game asks for its one board at every roll and bank trade, and a WeakMap lookup
// each time showed in profiles.
let lastBoard: CatanBoard | null = null;
let lastLookups: BoardLookups | null = null;

export function boardLookups(board: CatanBoard): BoardLookups {
  if (board === lastBoard) return lastLookups!;
  let l = lookups.get(board);
  if (l) {
    lastBoard = board;
    lastLookups = l;
    return l;
  }
  const hexResource = board.terrain.map((t) => TERRAIN_RESOURCE[t]);
  const hexesByRoll: number[][] = Array.from({ length: 13 }, () => []);
  for (let h = 0; h < HEX_COUNT; h++) if (board.numbers[h]! > 0) hexesByRoll[board.numbers[h]!]!.push(h);
  const vertexHarbour = new Array<number>(VERTEX_COUNT).fill(-2);
  for (const hb of board.harbours) for (const v of EDGE_VERTICES[hb.edge]!) vertexHarbour[v] = hb.resource;
  const harbourVertices: number[] = [];
  const harbourKinds: number[] = [];
  for (let v = 0; v < VERTEX_COUNT; v++) {
    if (vertexHarbour[v] === -2) continue;
    harbourVertices.push(v);
    harbourKinds.push(vertexHarbour[v]!);
  }
  const vertexPips = new Array<number>(VERTEX_COUNT * 5).fill(0);
  for (let v = 0; v < VERTEX_COUNT; v++) {
    for (const h of VERTEX_HEXES[v]!) {
      const r = hexResource[h]!;
      if (r >= 0) vertexPips[v * 5 + r]! += PIPS[board.numbers[h]!]!;
    }
  }
  const desert = board.terrain.indexOf('desert');
  l = { hexResource, hexesByRoll, vertexHarbour, harbourVertices, harbourKinds, vertexPips, desert };
  lookups.set(board, l);
  lastBoard = board;
  lastLookups = l;
  return l;
}

/** Checks a layout's shape (used when a board comes from outside, e.g. a replay file). */
export function boardError(board: CatanBoard): string | null {
  if (board.terrain.length !== HEX_COUNT || board.numbers.length !== HEX_COUNT) return 'a board has 19 hexes';
  if (board.harbours.length !== 9) return 'a board has 9 harbours';
  if (board.terrain.filter((t) => t === 'desert').length !== 1) return 'a board has one desert';
  return HEX_VERTICES.length === HEX_COUNT ? null : 'topology mismatch';
}

const TERRAIN_LIST = Object.keys(TERRAIN_RESOURCE) as Terrain[];
const countOf = <T>(xs: readonly T[], x: T) => xs.filter((y) => y === x).length;
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

/**
 * Checks a board from outside (`board=` setting, an uploaded map, a replay) strictly against the base game: 19
 * hexes with the base game's terrain counts (3 hills, 4 forest, 4 pasture, 4 fields, 3 mountains, 1 desert), the
 * 18 number tokens on the land and none on the desert, no 6 or 8 next to a 6 or 8, and the 9 harbours (four 3:1,
 * one 2:1 per resource) on the 9 harbour sites (`HARBOUR_EDGES`), each once. The robber starts on the desert.
 * Returns what is wrong, in words, or null.
 */
export function checkBoard(board: unknown): string | null {
  if (!board || typeof board !== 'object' || Array.isArray(board))
    return 'a board is an object {terrain, numbers, harbours}';
  const b = board as Record<string, unknown>;
  const extra = Object.keys(b).filter((k) => k !== 'terrain' && k !== 'numbers' && k !== 'harbours');
  if (extra.length > 0) return `a board has terrain, numbers and harbours, not ${extra.join(', ')}`;
  const { terrain, numbers, harbours } = b;
  if (!Array.isArray(terrain) || terrain.length !== HEX_COUNT) return `terrain: a list of ${HEX_COUNT} terrains`;
  for (const t of terrain)
    if (!TERRAIN_LIST.includes(t as Terrain))
      return `terrain: ${JSON.stringify(t)} is not one of ${TERRAIN_LIST.join(', ')}`;
  for (const t of TERRAIN_LIST) {
    const want = countOf(TERRAINS, t);
    const got = countOf(terrain, t);
    if (got !== want) return `terrain: ${got} × ${t}, the base game has ${want}`;
  }
  if (!Array.isArray(numbers) || numbers.length !== HEX_COUNT || !numbers.every(isInt))
    return `numbers: a list of ${HEX_COUNT} integers (0 on the desert)`;
  const desert = terrain.indexOf('desert');
  if (numbers[desert] !== 0) return `numbers: the desert (hex ${desert}) takes no token, got ${numbers[desert]}`;
  const tokens = numbers.filter((_, h) => h !== desert).sort((x, y) => x - y);
  if (tokens.join(',') !== TOKENS.join(','))
    return `numbers: the land takes the tokens ${TOKENS.join(',')}, got ${tokens.join(',')}`;
  for (let h = 0; h < HEX_COUNT; h++)
    for (const g of HEX_NEIGHBOURS[h]!)
      if (g > h && isRed(numbers[h]!) && isRed(numbers[g]!))
        return `numbers: hexes ${h} and ${g} are neighbours with ${numbers[h]} and ${numbers[g]} (no 6 or 8 next to a 6 or 8)`;
  if (!Array.isArray(harbours) || harbours.length !== HARBOUR_EDGES.length)
    return `harbours: a list of ${HARBOUR_EDGES.length} {edge, resource}`;
  const seen = new Set<number>();
  for (const hb of harbours) {
    const h = hb as Record<string, unknown> | null;
    if (!h || typeof h !== 'object' || !isInt(h.edge) || !isInt(h.resource) || Object.keys(h).length !== 2)
      return `harbours: each is {edge, resource}, got ${JSON.stringify(hb)}`;
    if (!HARBOUR_EDGES.includes(h.edge))
      return `harbours: edge ${h.edge} is not a harbour site (the sites: ${HARBOUR_EDGES.join(', ')})`;
    if (seen.has(h.edge)) return `harbours: edge ${h.edge} has two harbours`;
    seen.add(h.edge);
    if (h.resource < -1 || h.resource > 4) return `harbours: resource ${h.resource} is not -1 (3:1) or 0..4`;
  }
  const kinds = harbours.map((h) => (h as Harbour).resource).sort((x, y) => x - y);
  if (kinds.join(',') !== [...HARBOUR_KINDS].sort((x, y) => x - y).join(','))
    return 'harbours: four 3:1 harbours and one 2:1 harbour of each resource';
  return null;
}
