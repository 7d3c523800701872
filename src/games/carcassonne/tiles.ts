/**
 * The 24 tile kinds of the Carcassonne base game (72 tiles, letters A..X as in the common rule references).
 *
 * A tile's border is cut into 12 ports, clockwise from the north-west corner: north 0 1 2, east 3 4 5,
 * south 6 7 8, west 9 10 11 (the middle port of each side is 1, 4, 7, 10). Each tile is a list of segments
 * (the parts a follower can stand on); a segment owns the ports it touches. Port `p` on side `d` meets
 * port `3 * ((d + 2) % 4) + (2 - p % 3)` of the neighbour on that side. A road owns only middle ports, a
 * city all three ports of its sides, fields the rest. Rotation is clockwise in quarter turns.
 */

export type SegmentType = 'city' | 'road' | 'field' | 'cloister';
export type EdgeType = 'city' | 'road' | 'field';

export interface SegmentDef {
  readonly type: SegmentType;
  readonly ports: readonly number[];
  /** A city with a pennant (coat of arms): 2 more points when completed, 1 more at the end. */
  readonly pennant?: boolean;
  /** For fields: the indexes of the city segments of the same tile this field touches (farm scoring). */
  readonly cities?: readonly number[];
}

export interface TileKind {
  /** Letter A..X. */
  readonly id: string;
  readonly count: number;
  readonly segments: readonly SegmentDef[];
}

const N = [0, 1, 2];
const E = [3, 4, 5];
const S = [6, 7, 8];
const W = [9, 10, 11];

const city = (ports: number[], pennant = false): SegmentDef =>
  pennant ? { type: 'city', ports, pennant } : { type: 'city', ports };
const road = (...ports: number[]): SegmentDef => ({ type: 'road', ports });
const field = (ports: number[], cities: number[] = []): SegmentDef => ({ type: 'field', ports, cities });
const cloister: SegmentDef = { type: 'cloister', ports: [] };

/** The base game, in letter order. Kind D is also the start tile (one of its four copies). */
export const TILE_KINDS: readonly TileKind[] = [
  { id: 'A', count: 2, segments: [cloister, road(7), field([0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11])] },
  { id: 'B', count: 4, segments: [cloister, field([...N, ...E, ...S, ...W])] },
  { id: 'C', count: 1, segments: [city([...N, ...E, ...S, ...W], true)] },
  { id: 'D', count: 4, segments: [city(N), road(4, 10), field([3, 11], [0]), field([5, 6, 7, 8, 9])] },
  { id: 'E', count: 5, segments: [city(N), field([...E, ...S, ...W], [0])] },
  { id: 'F', count: 2, segments: [city([...E, ...W], true), field(N, [0]), field(S, [0])] },
  { id: 'G', count: 1, segments: [city([...N, ...S]), field(E, [0]), field(W, [0])] },
  { id: 'H', count: 3, segments: [city(N), city(S), field([...E, ...W], [0, 1])] },
  { id: 'I', count: 2, segments: [city(N), city(W), field([...E, ...S], [0, 1])] },
  { id: 'J', count: 3, segments: [city(N), road(4, 7), field([5, 6]), field([3, 8, 9, 10, 11], [0])] },
  { id: 'K', count: 3, segments: [city(N), road(10, 7), field([8, 9]), field([3, 4, 5, 6, 11], [0])] },
  {
    id: 'L',
    count: 3,
    segments: [city(N), road(4), road(7), road(10), field([3, 11], [0]), field([5, 6]), field([8, 9])],
  },
  { id: 'M', count: 2, segments: [city([...N, ...W], true), field([...E, ...S], [0])] },
  { id: 'N', count: 3, segments: [city([...N, ...W]), field([...E, ...S], [0])] },
  { id: 'O', count: 2, segments: [city([...N, ...W], true), road(4, 7), field([5, 6]), field([3, 8], [0])] },
  { id: 'P', count: 3, segments: [city([...N, ...W]), road(4, 7), field([5, 6]), field([3, 8], [0])] },
  { id: 'Q', count: 1, segments: [city([...N, ...E, ...W], true), field(S, [0])] },
  { id: 'R', count: 3, segments: [city([...N, ...E, ...W]), field(S, [0])] },
  { id: 'S', count: 2, segments: [city([...N, ...E, ...W], true), road(7), field([6], [0]), field([8], [0])] },
  { id: 'T', count: 1, segments: [city([...N, ...E, ...W]), road(7), field([6], [0]), field([8], [0])] },
  { id: 'U', count: 8, segments: [road(1, 7), field([2, 3, 4, 5, 6]), field([8, 9, 10, 11, 0])] },
  { id: 'V', count: 9, segments: [road(10, 7), field([8, 9]), field([11, 0, 1, 2, 3, 4, 5, 6])] },
  { id: 'W', count: 4, segments: [road(4), road(7), road(10), field([11, 0, 1, 2, 3]), field([5, 6]), field([8, 9])] },
  {
    id: 'X',
    count: 1,
    segments: [road(1), road(4), road(7), road(10), field([2, 3]), field([5, 6]), field([8, 9]), field([11, 0])],
  },
];

/** Index of kind D, the start tile. */
export const START_KIND = 3;
export const KIND_COUNT = TILE_KINDS.length;
export const TOTAL_TILES = TILE_KINDS.reduce((n, k) => n + k.count, 0);

/** Side deltas: north is y - 1 (rows grow southwards, as on a screen). */
export const DX = [0, 1, 0, -1] as const;
export const DY = [-1, 0, 1, 0] as const;
export const SIDE_NAMES = ['NORTH', 'EAST', 'SOUTH', 'WEST'] as const;

/** The port of the neighbour that port `p` touches. */
export const facingPort = (p: number): number => ((3 * (((p / 3) | 0) + 2)) % 12) + (2 - (p % 3));

/** Per kind and rotation: which segment owns each of the 12 ports, and the type of each side. */
export interface RotatedTile {
  readonly portSeg: Int8Array;
  readonly edges: readonly EdgeType[];
}

function rotate(kind: TileKind, rot: number): RotatedTile {
  const portSeg = new Int8Array(12).fill(-1);
  for (const [i, seg] of kind.segments.entries()) {
    for (const p of seg.ports) portSeg[(p + 3 * rot) % 12] = i;
  }
  const edges: EdgeType[] = [];
  for (let d = 0; d < 4; d++) {
    const seg = kind.segments[portSeg[d * 3 + 1]!]!;
    edges.push(seg.type === 'city' ? 'city' : seg.type === 'road' ? 'road' : 'field');
  }
  return { portSeg, edges };
}

/** ROTATED[kind * 4 + rot]. */
export const ROTATED: readonly RotatedTile[] = TILE_KINDS.flatMap((k) => [0, 1, 2, 3].map((r) => rotate(k, r)));

/** Number of sides a segment touches (its open ends when the tile stands alone). */
export const SEGMENT_SIDES: readonly (readonly number[])[] = TILE_KINDS.map((k) =>
  k.segments.map((s) => new Set(s.ports.map((p) => (p / 3) | 0)).size),
);

/** Rotations that give distinct tiles (C, B and X look the same in every rotation; U and others in two). */
export const DISTINCT_ROTATIONS: readonly (readonly number[])[] = TILE_KINDS.map((_, k) => {
  const seen = new Set<string>();
  const out: number[] = [];
  for (let r = 0; r < 4; r++) {
    const rt = ROTATED[k * 4 + r]!;
    // Two rotations are the same tile when every port maps to the same segment.
    const sig = Array.from(rt.portSeg).join(',');
    if (!seen.has(sig)) {
      seen.add(sig);
      out.push(r);
    }
  }
  return out;
});

const EDGE_CODE: Record<EdgeType, number> = { city: 1, road: 2, field: 3 };

/**
 * Sides as a byte, two bits per side (bits 2d, 2d+1 for side d): 0 = nothing there, 1 city, 2 road,
 * 3 field. A tile's code has every side set; an empty cell's code says what its neighbours demand.
 */
export const edgeCode = (type: EdgeType, side: number): number => EDGE_CODE[type] << (2 * side);

/** TILE_CODE[kind * 4 + rot]: the tile's four sides as a byte. */
export const TILE_CODE: readonly number[] = ROTATED.map((rt) =>
  rt.edges.reduce((code, e, d) => code | edgeCode(e, d), 0),
);

function maskOf(demand: number): number {
  let mask = 0;
  for (let d = 0; d < 4; d++) if ((demand >> (2 * d)) & 3) mask |= 3 << (2 * d);
  return mask;
}

/**
 * FITS[kind * 256 + demand]: the distinct rotations of `kind` that satisfy a cell's demand byte. Placement
 * legality is then one table lookup per frontier cell.
 */
export const FITS: readonly (readonly number[])[] = (() => {
  const out: number[][] = [];
  for (let k = 0; k < TILE_KINDS.length; k++) {
    for (let demand = 0; demand < 256; demand++) {
      const mask = maskOf(demand);
      out.push(demand === 0 ? [] : DISTINCT_ROTATIONS[k]!.filter((r) => (TILE_CODE[k * 4 + r]! & mask) === demand));
    }
  }
  return out;
})();

export const kindIndex = (id: string): number => TILE_KINDS.findIndex((k) => k.id === id);
