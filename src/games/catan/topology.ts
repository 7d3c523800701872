/**
 * The geometry of the base-game island, computed once when the module loads: 19 land hexes, 54 vertices
 * (intersections), 72 edges (paths) and every adjacency the rules need. The shape is the same for every
 * layout; only terrain, tokens and harbour kinds change (board.ts).
 *
 * Hexes are pointy-topped in axial coordinates (q, r), rows r = -2..2 of 3, 4, 5, 4, 3 hexes, numbered row by
 * row from the top left. Corners live on an integer grid: a hex's centre is (2q + r, 3r) and its corners are
 * (0,-2) N, (1,-1) NE, (1,1) SE, (0,2) S, (-1,1) SW, (-1,-1) NW away from it (x in units of sqrt(3)/2, y in
 * units of 1/2, y pointing down). Vertices and edges are numbered in reading order (top to bottom, left to
 * right), so ids are stable and printable.
 */

export const HEX_COUNT = 19;
export const VERTEX_COUNT = 54;
export const EDGE_COUNT = 72;

const CORNERS: readonly (readonly [number, number])[] = [
  [0, -2],
  [1, -1],
  [1, 1],
  [0, 2],
  [-1, 1],
  [-1, -1],
];

const hexQ: number[] = [];
const hexR: number[] = [];
for (let r = -2; r <= 2; r++) {
  for (let q = Math.max(-2, -2 - r); q <= Math.min(2, 2 - r); q++) {
    hexQ.push(q);
    hexR.push(r);
  }
}

const cornerPoints = hexQ.map((q, h) => {
  const r = hexR[h]!;
  const cx = 2 * q + r;
  const cy = 3 * r;
  return CORNERS.map(([dx, dy]) => [cx + dx, cy + dy] as const);
});

const pointKey = (x: number, y: number) => `${x},${y}`;
const points = new Map<string, readonly [number, number]>();
for (const corners of cornerPoints) for (const [x, y] of corners) points.set(pointKey(x, y), [x, y]);
const vertexPoints = [...points.values()].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
const vertexId = new Map(vertexPoints.map(([x, y], i) => [pointKey(x, y), i]));

/** Per hex: its 6 vertices clockwise from the north corner. */
export const HEX_VERTICES: readonly (readonly number[])[] = cornerPoints.map((corners) =>
  corners.map(([x, y]) => vertexId.get(pointKey(x, y))!),
);

const edgeKeys = new Map<string, readonly [number, number]>();
for (const vs of HEX_VERTICES) {
  for (let i = 0; i < 6; i++) {
    const a = Math.min(vs[i]!, vs[(i + 1) % 6]!);
    const b = Math.max(vs[i]!, vs[(i + 1) % 6]!);
    edgeKeys.set(`${a}-${b}`, [a, b]);
  }
}
const edgeList = [...edgeKeys.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
const edgeId = new Map(edgeList.map(([a, b], i) => [`${a}-${b}`, i]));

/** Per edge: its two vertices, lower id first. */
export const EDGE_VERTICES: readonly (readonly [number, number])[] = edgeList;
/** Per hex: its 6 edges clockwise from the north-east side. */
export const HEX_EDGES: readonly (readonly number[])[] = HEX_VERTICES.map((vs) =>
  vs.map((v, i) => {
    const w = vs[(i + 1) % 6]!;
    return edgeId.get(`${Math.min(v, w)}-${Math.max(v, w)}`)!;
  }),
);

function collect(count: number, fill: (out: number[][]) => void): readonly (readonly number[])[] {
  const out = Array.from({ length: count }, () => [] as number[]);
  fill(out);
  return out.map((l) => [...new Set(l)].sort((a, b) => a - b));
}

/** Per vertex: the land hexes it touches (1 to 3). */
export const VERTEX_HEXES = collect(VERTEX_COUNT, (out) =>
  HEX_VERTICES.forEach((vs, h) => {
    for (const v of vs) out[v]!.push(h);
  }),
);
/** Per vertex: the edges that end there (2 or 3). */
export const VERTEX_EDGES = collect(VERTEX_COUNT, (out) =>
  EDGE_VERTICES.forEach(([a, b], e) => {
    out[a]!.push(e);
    out[b]!.push(e);
  }),
);
/** Per vertex: the vertices one edge away (the distance rule forbids buildings on them). */
export const VERTEX_NEIGHBOURS = collect(VERTEX_COUNT, (out) =>
  EDGE_VERTICES.forEach(([a, b]) => {
    out[a]!.push(b);
    out[b]!.push(a);
  }),
);
/** Per hex: the land hexes that share a side with it. */
export const HEX_NEIGHBOURS = collect(HEX_COUNT, (out) => {
  for (let h = 0; h < HEX_COUNT; h++) {
    for (let g = 0; g < HEX_COUNT; g++) {
      const dq = hexQ[g]! - hexQ[h]!;
      const dr = hexR[g]! - hexR[h]!;
      if (Math.max(Math.abs(dq), Math.abs(dr), Math.abs(dq + dr)) === 1) out[h]!.push(g);
    }
  }
});

/** The other end of edge `e` from vertex `v`. */
export const otherEnd = (e: number, v: number): number => {
  const ends = EDGE_VERTICES[e]!;
  return ends[0] === v ? ends[1] : ends[0];
};

/** Edges that lie on one land hex only, clockwise round the island starting at the west corner. */
export const COAST_EDGES: readonly number[] = (() => {
  const count = new Array<number>(EDGE_COUNT).fill(0);
  for (const es of HEX_EDGES) for (const e of es) count[e]!++;
  const angle = (e: number) => {
    const [a, b] = EDGE_VERTICES[e]!;
    const [ax, ay] = vertexPoints[a]!;
    const [bx, by] = vertexPoints[b]!;
    // Screen coordinates (y down): a growing atan2 angle turns clockwise. West is +-pi; start just past it.
    const t = Math.atan2((ay + by) / 2, ((ax + bx) / 2) * Math.sqrt(3));
    return t < -Math.PI + 1e-9 ? t + 2 * Math.PI : t;
  };
  return count
    .map((c, e) => ({ c, e }))
    .filter(({ c }) => c === 1)
    .map(({ e }) => e)
    .sort((x, y) => angle(x) - angle(y));
})();

/**
 * The 9 harbour sites: coastal edges spaced 3, 3, 4, 3, 3, 4, 3, 3, 4 edges apart round the 30-edge coast, so
 * that no two harbours share a vertex. This models the printed frame's spacing (every other sea hex carries
 * a harbour); see docs/rules/catan.md.
 */
export const HARBOUR_EDGES: readonly number[] = (() => {
  const gaps = [3, 3, 4, 3, 3, 4, 3, 3, 4];
  const out: number[] = [];
  let i = 1;
  for (const g of gaps) {
    out.push(COAST_EDGES[i]!);
    i += g;
  }
  return out;
})();

export const hexCoordinates = (h: number): { q: number; r: number } => ({ q: hexQ[h]!, r: hexR[h]! });
