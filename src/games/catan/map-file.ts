/**
 * The SS13 Cities & Knights map file, as a codec for a full Catan board (docs/protocols/se1.md, "Catan map
 * files", byte for byte): `CREATOR: ..`, `VERSION: ..`, then one line per hex `id;TYPE;rotation;DIR,neighbourId;...;`.
 * The file places hexes only by their neighbour links; the land hexes must form the base game's island, the ports
 * must face its 9 harbour sites. Number tokens are not in SS13 files: botswarm adds them as a `NUMBER,<n>` pair on
 * each land hex (an extension; a file without them is refused, since the board would be incomplete).
 *
 * `parseMapFile` throws only `MapError`, with a message that names the line; `formatMapFile` prints the canonical
 * file, which `parseMapFile` reads back to the same board.
 */
import { checkBoard } from './board.ts';
import { HARBOUR_EDGES, HEX_COUNT, HEX_EDGES, hexCoordinates } from './topology.ts';
import type { CatanBoard, Harbour, Terrain } from './types.ts';

export class MapError extends Error {
  override name = 'MapError';
}

/** Field types as the SS13 map file names them. */
export const TERRAIN_NAMES: Readonly<Record<Terrain, string>> = {
  hills: 'HILL',
  forest: 'FOREST',
  pasture: 'PASTURE',
  fields: 'FIELD',
  mountains: 'MOUNTAIN',
  desert: 'DESERT',
};
const TERRAIN_OF = new Map(Object.entries(TERRAIN_NAMES).map(([t, n]) => [n, t as Terrain]));
/** Harbour resources in the engine's order (brick, lumber, wool, grain, ore); PORT_3TO1 is the generic one. */
const PORT_RESOURCES = ['BRICK', 'LUMBER', 'WOOL', 'GRAIN', 'ORE'] as const;
export const portName = (resource: number): string => (resource < 0 ? 'PORT_3TO1' : `PORT_${PORT_RESOURCES[resource]}`);
/** Sea tiles: no land, no harbour (the barbarian tiles only draw the barbarian track). */
const SEA = new Set(['WATER', 'BARBARIAN_START', 'BARBARIAN_END']);

/**
 * The six neighbour directions of the file's flat-topped hexes, clockwise from north. botswarm's board is the same
 * grid turned 30° clockwise (pointy-topped, topology.ts): direction k of the file is side k of a hex in
 * `HEX_EDGES` order (north-east, east, south-east, south-west, west, north-west).
 */
export const DIRECTIONS = ['N', 'NE', 'SE', 'S', 'SW', 'NW'] as const;
/** Axial (q, r) steps of sides 0..5. */
const STEP: readonly (readonly [number, number])[] = [
  [1, -1],
  [1, 0],
  [0, 1],
  [-1, 1],
  [-1, 0],
  [0, -1],
];

/** A file is at most this long (an SE1 map line is at most 8192 bytes); hexes at most this many. */
export const MAX_MAP_CHARS = 65_536;
const MAX_HEXES = 400;
const ID = /^[A-Za-z0-9_.@-]{1,32}$/;
const HEADER_TEXT = /^[^\u0000-\u001f\u007f|;]{1,64}$/;

export interface MapFile {
  readonly creator: string;
  readonly version: string;
  readonly board: CatanBoard;
}

/**
 * Splits a map into lines: a file's line ends (LF or CRLF), or `|` in the one-line form an SE1 map travels as.
 * Empty lines are skipped.
 */
const linesOf = (text: string) =>
  text
    .split(/\r?\n|\|/)
    .map((l, i) => ({ text: l, no: i + 1 }))
    .filter((l) => l.text.trim() !== '');

interface Hex {
  readonly id: string;
  readonly type: string;
  readonly rotation: number;
  readonly links: (string | undefined)[];
  readonly number: number;
  readonly line: number;
}

/** Reads a map file (multi-line, or one line with `|` between lines) into a board; MapError says why not. */
export function parseMapFile(text: unknown): MapFile {
  if (typeof text !== 'string') throw new MapError('a map file is text');
  if (text.length > MAX_MAP_CHARS) throw new MapError(`a map file is at most ${MAX_MAP_CHARS} characters`);
  const lines = linesOf(text);
  const header = (i: number, name: string): string => {
    const line = lines[i];
    const m = line === undefined ? null : new RegExp(`^${name}: ?(.*)$`).exec(line.text.trimEnd());
    if (!m || !HEADER_TEXT.test(m[1]!))
      throw new MapError(`line ${line?.no ?? i + 1}: expected "${name}: <1 to 64 characters, no ; or |>"`);
    return m[1]!;
  };
  const creator = header(0, 'CREATOR');
  const version = header(1, 'VERSION');
  const hexes = new Map<string, Hex>();
  for (const line of lines.slice(2)) {
    if (hexes.size >= MAX_HEXES) throw new MapError(`a map has at most ${MAX_HEXES} hexes`);
    const hex = parseHexLine(line.text.trim(), line.no);
    if (hexes.has(hex.id)) throw new MapError(`line ${line.no}: hex id ${hex.id} given twice`);
    hexes.set(hex.id, hex);
  }
  if (hexes.size === 0) throw new MapError('the map has no hexes');
  return { creator, version, board: boardOf(hexes) };
}

function parseHexLine(text: string, no: number): Hex {
  const fail = (why: string): never => {
    throw new MapError(`line ${no}: ${why}`);
  };
  const fields = text.split(';');
  if (fields.at(-1) === '') fields.pop();
  if (fields.length < 3) fail('expected id;TYPE;rotation;DIR,neighbourId;...;');
  const [id, type, rot] = fields as [string, string, string];
  if (!ID.test(id)) fail(`hex id must be 1 to 32 letters, digits, _ . @ -, got ${JSON.stringify(id)}`);
  const port = type.startsWith('PORT_') && (type === 'PORT_3TO1' || PORT_RESOURCES.some((r) => type === `PORT_${r}`));
  if (!TERRAIN_OF.has(type) && !SEA.has(type) && !port)
    fail(
      `unknown type ${JSON.stringify(type)} (WATER, DESERT, FIELD, PASTURE, FOREST, HILL, MOUNTAIN, PORT_3TO1, PORT_<BRICK|LUMBER|WOOL|GRAIN|ORE>, BARBARIAN_START, BARBARIAN_END)`,
    );
  if (!/^[0-5]$/.test(rot)) fail(`rotation must be 0 to 5, got ${JSON.stringify(rot)}`);
  const links: (string | undefined)[] = new Array(6).fill(undefined);
  let number = 0;
  for (const pair of fields.slice(3)) {
    const [dir, value, extra] = pair.split(',');
    if (value === undefined || extra !== undefined) fail(`expected DIR,neighbourId, got ${JSON.stringify(pair)}`);
    if (dir === 'NUMBER') {
      if (number !== 0) fail('NUMBER given twice');
      if (!/^(?:[2-9]|1[0-2])$/.test(value!) || value === '7') fail(`NUMBER must be 2 to 6 or 8 to 12, got ${value}`);
      number = Number(value);
      continue;
    }
    const d = (DIRECTIONS as readonly string[]).indexOf(dir!);
    if (d < 0) fail(`unknown direction ${JSON.stringify(dir)} (N, NE, SE, S, SW, NW, or NUMBER)`);
    if (links[d] !== undefined) fail(`direction ${dir} given twice`);
    if (!ID.test(value!)) fail(`bad neighbour id ${JSON.stringify(value)}`);
    links[d] = value;
  }
  return { id, type, rotation: Number(rot), links, number, line: no };
}

const coordKey = (q: number, r: number) => `${q},${r}`;

/** Places the hexes by their links (from the first one), checks them, and reads off the board. */
function boardOf(hexes: Map<string, Hex>): CatanBoard {
  const first = hexes.values().next().value as Hex;
  const at = new Map<string, readonly [number, number]>([[first.id, [0, 0]]]);
  const byCoord = new Map<string, Hex>([[coordKey(0, 0), first]]);
  const queue = [first];
  while (queue.length > 0) {
    const hex = queue.shift()!;
    const [q, r] = at.get(hex.id)!;
    for (let d = 0; d < 6; d++) {
      const nid = hex.links[d];
      if (nid === undefined) continue;
      const next = hexes.get(nid);
      if (!next) throw new MapError(`line ${hex.line}: neighbour ${nid} is not a hex of this map`);
      const nq = q + STEP[d]![0];
      const nr = r + STEP[d]![1];
      const placed = at.get(nid);
      if (placed) {
        if (placed[0] !== nq || placed[1] !== nr)
          throw new MapError(`line ${hex.line}: ${DIRECTIONS[d]} of ${hex.id} cannot be ${nid}: the links disagree`);
        continue;
      }
      const other = byCoord.get(coordKey(nq, nr));
      if (other) throw new MapError(`line ${hex.line}: ${nid} and ${other.id} would lie on the same place`);
      at.set(nid, [nq, nr]);
      byCoord.set(coordKey(nq, nr), next);
      queue.push(next);
    }
  }
  for (const hex of hexes.values())
    if (!at.has(hex.id)) throw new MapError(`line ${hex.line}: hex ${hex.id} is not linked to the others`);
  // The land must be the base game's island; it is found wherever it lies (the file has no origin).
  const land = [...hexes.values()].filter((h) => TERRAIN_OF.has(h.type));
  if (land.length !== HEX_COUNT) throw new MapError(`the island has ${HEX_COUNT} land hexes, this map ${land.length}`);
  let sq = 0;
  let sr = 0;
  for (const h of land) {
    sq += at.get(h.id)![0];
    sr += at.get(h.id)![1];
  }
  if (sq % HEX_COUNT !== 0 || sr % HEX_COUNT !== 0) throw notIsland();
  const cq = sq / HEX_COUNT;
  const cr = sr / HEX_COUNT;
  const terrain: Terrain[] = [];
  const numbers: number[] = [];
  for (let h = 0; h < HEX_COUNT; h++) {
    const { q, r } = hexCoordinates(h);
    const hex = byCoord.get(coordKey(q + cq, r + cr));
    if (!hex || !TERRAIN_OF.has(hex.type)) throw notIsland();
    terrain.push(TERRAIN_OF.get(hex.type)!);
    if (hex.type === 'DESERT' && hex.number !== 0) throw new MapError(`line ${hex.line}: the desert takes no NUMBER`);
    if (hex.type !== 'DESERT' && hex.number === 0)
      throw new MapError(
        `line ${hex.line}: land hex ${hex.id} has no number token (add NUMBER,<2..12> to its line: SS13 files carry none)`,
      );
    numbers.push(hex.number);
  }
  const landAt = new Map<string, number>();
  for (let h = 0; h < HEX_COUNT; h++) {
    const { q, r } = hexCoordinates(h);
    landAt.set(coordKey(q + cq, r + cr), h);
  }
  const harbours: Harbour[] = [];
  for (const hex of hexes.values()) {
    if (!hex.type.startsWith('PORT_')) continue;
    const [q, r] = at.get(hex.id)!;
    const d = hex.rotation;
    const h = landAt.get(coordKey(q + STEP[d]![0], r + STEP[d]![1]));
    if (h === undefined)
      throw new MapError(`line ${hex.line}: port ${hex.id} faces no land hex (rotation ${d} = ${DIRECTIONS[d]})`);
    const edge = HEX_EDGES[h]![(d + 3) % 6]!;
    const resource = hex.type === 'PORT_3TO1' ? -1 : PORT_RESOURCES.indexOf(hex.type.slice(5) as 'ORE');
    harbours.push({ edge, resource });
  }
  // The engine's order of harbour sites, so that a board reads back exactly as it was printed.
  harbours.sort((a, b) => HARBOUR_EDGES.indexOf(a.edge) - HARBOUR_EDGES.indexOf(b.edge));
  const board: CatanBoard = { terrain, numbers, harbours };
  const problem = checkBoard(board);
  if (problem) throw new MapError(problem);
  return board;
}

const notIsland = () =>
  new MapError('the land hexes do not form the base island (rows of 3, 4, 5, 4, 3 hexes, flat-topped in the file)');

/**
 * The canonical file of a board: `CREATOR: <creator>`, `VERSION: <version>`, the 19 land hexes (ids 0..18, the
 * engine's hex numbers, reading order) then the 18 sea hexes round them (ids 19..36, reading order; a port where
 * a harbour is), each `id;TYPE;rotation;DIR,id;...;` with the neighbours present in N, NE, SE, S, SW, NW order and
 * `NUMBER,<n>;` last on land hexes with a token. Lines end with `\n` (`separator` `|` gives the one-line form).
 */
export function formatMapFile(board: CatanBoard, creator = 'botswarm', version = '1', separator = '\n'): string {
  const coords: [number, number][] = [];
  for (let h = 0; h < HEX_COUNT; h++) {
    const { q, r } = hexCoordinates(h);
    coords.push([q, r]);
  }
  const ring: [number, number][] = [];
  for (let r = -3; r <= 3; r++)
    for (let q = -3; q <= 3; q++) if (Math.max(Math.abs(q), Math.abs(r), Math.abs(q + r)) === 3) ring.push([q, r]);
  const all = [...coords, ...ring];
  const idAt = new Map(all.map(([q, r], i) => [coordKey(q, r), i]));
  const ports = new Map<number, { resource: number; rotation: number }>();
  for (const hb of board.harbours) {
    for (let h = 0; h < HEX_COUNT; h++) {
      const side = HEX_EDGES[h]!.indexOf(hb.edge);
      if (side < 0) continue;
      const [q, r] = coords[h]!;
      const sea = idAt.get(coordKey(q + STEP[side]![0], r + STEP[side]![1]));
      if (sea !== undefined && sea >= HEX_COUNT) ports.set(sea, { resource: hb.resource, rotation: (side + 3) % 6 });
    }
  }
  const out = [`CREATOR: ${creator}`, `VERSION: ${version}`];
  for (const [i, [q, r]] of all.entries()) {
    const port = ports.get(i);
    const type = i < HEX_COUNT ? TERRAIN_NAMES[board.terrain[i]!] : port ? portName(port.resource) : 'WATER';
    let line = `${i};${type};${port?.rotation ?? 0};`;
    for (let d = 0; d < 6; d++) {
      const n = idAt.get(coordKey(q + STEP[d]![0], r + STEP[d]![1]));
      if (n !== undefined) line += `${DIRECTIONS[d]},${n};`;
    }
    if (i < HEX_COUNT && board.numbers[i]! > 0) line += `NUMBER,${board.numbers[i]};`;
    out.push(line);
  }
  return out.join(separator) + (separator === '\n' ? '\n' : '');
}
