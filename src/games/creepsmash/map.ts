/**
 * CreepSmash maps: one board layout that every player's board uses (docs/rules/creepsmash.md, "Maps"). A map is
 * text, so the SE1 server can take it through `UPLOAD MAP` and a tournament file can name it:
 *
 * ```
 * creepsmash-map 1
 * name Serpent
 * size 16 16
 * path 0,2 13,2 13,6 2,6 2,10 13,10 13,13 0,13
 * blocked 15,0 15,1
 * ```
 *
 * `path` lists waypoints; consecutive waypoints share a row or a column and the path runs through every cell
 * between them. Lines starting with `#` and blank lines are ignored. Everything not on the path or blocked is
 * buildable.
 */
import { CELL_PX, STEPS_PER_CELL } from './data.ts';

export class MapError extends Error {
  override name = 'MapError';
}

export interface CreepMap {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** The path, cell by cell, from entry to exit. */
  readonly path: readonly (readonly [number, number])[];
  readonly blocked: readonly (readonly [number, number])[];
}

/** Limits a map must stay within (a map arrives from a client through UPLOAD MAP). */
export const MAP_LIMITS = { maxSide: 64, maxText: 16_384 } as const;

export const DEFAULT_MAP_TEXT = `creepsmash-map 1
name Serpent
size 16 16
# enters on the left, winds down the board in four lanes, leaves on the left
path 0,2 13,2 13,6 2,6 2,10 13,10 13,13 0,13
blocked 15,0 15,1 14,15 15,15 0,15 1,15
`;

const PAIR = /^(\d{1,3}),(\d{1,3})$/;

function parsePair(text: string, line: number): [number, number] {
  const m = PAIR.exec(text);
  if (!m) throw new MapError(`line ${line}: "${text.slice(0, 20)}" is not x,y`);
  return [Number(m[1]), Number(m[2])];
}

/** Parses and checks a map file; throws `MapError` naming the line. */
export function parseMap(text: string): CreepMap {
  if (text.length > MAP_LIMITS.maxText) throw new MapError(`a map is at most ${MAP_LIMITS.maxText} characters`);
  const lines = text.split(/\r?\n/);
  let name = '';
  let size: [number, number] | null = null;
  let waypoints: [number, number][] | null = null;
  const blocked: [number, number][] = [];
  let header = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const no = i + 1;
    if (line === '' || line.startsWith('#')) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (!header) {
      if (key !== 'creepsmash-map' || rest[0] !== '1')
        throw new MapError(`line ${no}: a map starts with "creepsmash-map 1"`);
      header = true;
      continue;
    }
    switch (key) {
      case 'name':
        name = rest.join(' ').slice(0, 64);
        break;
      case 'size': {
        const [w, h] = rest.map(Number);
        if (
          rest.length !== 2 ||
          !Number.isInteger(w) ||
          !Number.isInteger(h) ||
          w! < 2 ||
          h! < 2 ||
          w! > MAP_LIMITS.maxSide ||
          h! > MAP_LIMITS.maxSide
        )
          throw new MapError(`line ${no}: size is two integers from 2 to ${MAP_LIMITS.maxSide}`);
        size = [w!, h!];
        break;
      }
      case 'path':
        waypoints = rest.map((p) => parsePair(p, no));
        break;
      case 'blocked':
        for (const p of rest) blocked.push(parsePair(p, no));
        break;
      default:
        throw new MapError(`line ${no}: unknown key "${key?.slice(0, 20)}" (name, size, path, blocked)`);
    }
  }
  if (!header) throw new MapError('empty map');
  if (!size) throw new MapError('no size line');
  if (!waypoints || waypoints.length < 2) throw new MapError('path needs at least two waypoints');
  const [width, height] = size;
  const inside = ([x, y]: readonly [number, number]) => x < width && y < height;
  const path: [number, number][] = [];
  for (let i = 0; i < waypoints.length; i++) {
    const w = waypoints[i]!;
    if (!inside(w)) throw new MapError(`path waypoint ${w} is outside the ${width} x ${height} board`);
    if (i === 0) {
      path.push(w);
      continue;
    }
    const [px, py] = waypoints[i - 1]!;
    if (px !== w[0] && py !== w[1]) throw new MapError(`path waypoints ${px},${py} and ${w} share no row or column`);
    const dx = Math.sign(w[0] - px);
    const dy = Math.sign(w[1] - py);
    if (dx === 0 && dy === 0) throw new MapError(`path waypoint ${w} repeats the one before it`);
    let [x, y] = [px, py];
    while (x !== w[0] || y !== w[1]) {
      x += dx;
      y += dy;
      path.push([x, y]);
    }
  }
  const seen = new Set<number>();
  for (const [x, y] of path) {
    const k = y * width + x;
    if (seen.has(k)) throw new MapError(`the path crosses itself at ${x},${y}`);
    seen.add(k);
  }
  for (const b of blocked) {
    if (!inside(b)) throw new MapError(`blocked cell ${b} is outside the board`);
    if (seen.has(b[1] * width + b[0])) throw new MapError(`blocked cell ${b} is on the path`);
  }
  return { name: name || 'unnamed', width, height, path, blocked };
}

/** The map as text again (waypoints at every turn), so that a parsed map round-trips. */
export function formatMap(map: CreepMap): string {
  const turns: (readonly [number, number])[] = [map.path[0]!];
  for (let i = 1; i < map.path.length - 1; i++) {
    const [ax, ay] = map.path[i - 1]!;
    const [bx, by] = map.path[i]!;
    const [cx, cy] = map.path[i + 1]!;
    if (bx - ax !== cx - bx || by - ay !== cy - by) turns.push(map.path[i]!);
  }
  turns.push(map.path[map.path.length - 1]!);
  const lines = ['creepsmash-map 1', `name ${map.name}`, `size ${map.width} ${map.height}`];
  lines.push(`path ${turns.map(([x, y]) => `${x},${y}`).join(' ')}`);
  if (map.blocked.length) lines.push(`blocked ${map.blocked.map(([x, y]) => `${x},${y}`).join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * What the engine needs of a map, computed once per map: cell kinds, the pixel centre of every path cell, and the
 * path's length in steps. Shared (never copied) by every state of every game on that map.
 */
export interface Geometry {
  readonly map: CreepMap;
  /** Per cell (y * width + x): 0 free (buildable), 1 path, 2 blocked. */
  readonly cells: Uint8Array;
  readonly pathX: Float64Array;
  readonly pathY: Float64Array;
  /** Steps from entry to the centre of the last path cell: a creep at or past it has crossed the board. */
  readonly endSteps: number;
}

const geometries = new Map<string, Geometry>();
/** States share their config object, so most look-ups end here without formatting the map. */
const byObject = new WeakMap<CreepMap, Geometry>();

export function geometryOf(map: CreepMap): Geometry {
  const known = byObject.get(map);
  if (known) return known;
  const key = formatMap(map);
  const cached = geometries.get(key);
  if (cached) {
    byObject.set(map, cached);
    return cached;
  }
  const cells = new Uint8Array(map.width * map.height);
  for (const [x, y] of map.path) cells[y * map.width + x] = 1;
  for (const [x, y] of map.blocked) cells[y * map.width + x] = 2;
  const pathX = new Float64Array(map.path.length);
  const pathY = new Float64Array(map.path.length);
  map.path.forEach(([x, y], i) => {
    pathX[i] = x * CELL_PX + CELL_PX / 2;
    pathY[i] = y * CELL_PX + CELL_PX / 2;
  });
  const geometry = { map, cells, pathX, pathY, endSteps: (map.path.length - 1) * STEPS_PER_CELL };
  if (geometries.size < 64) geometries.set(key, geometry);
  byObject.set(map, geometry);
  return geometry;
}

/** Pixel position of a creep `progress` steps along the path. */
export function positionAt(g: Geometry, progress: number): [number, number] {
  const i = Math.min(Math.floor(progress / STEPS_PER_CELL), g.pathX.length - 1);
  if (i >= g.pathX.length - 1) return [g.pathX[i]!, g.pathY[i]!];
  const f = (progress - i * STEPS_PER_CELL) / STEPS_PER_CELL;
  return [g.pathX[i]! + f * (g.pathX[i + 1]! - g.pathX[i]!), g.pathY[i]! + f * (g.pathY[i + 1]! - g.pathY[i]!)];
}

export const DEFAULT_MAP: CreepMap = parseMap(DEFAULT_MAP_TEXT);
