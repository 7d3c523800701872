/**
 * Maps: a Carcassonne "map" is a deck definition, the tile kinds and how many of each, and the kind of the start
 * tile. The same one-line JSON text is what the SE1 server's DOWNLOAD MAP sends, what UPLOAD MAP takes and what
 * `--set deck=<file>` reads, so an offline game and a server game can be played on the same map.
 *
 *   {"start":"D","tiles":{"A":2,"B":4,...}}
 *
 * `tiles` counts every copy of a kind, the start tile included (so the start kind needs at least 1); kinds left
 * out count 0. See docs/protocols/se1.md for the kinds.
 */
import { readFileSync } from 'node:fs';
import { KIND_COUNT, kindIndex, START_KIND, TILE_KINDS } from './tiles.ts';

export interface DeckMap {
  /** The letter of the start tile's kind (placed at 0,0, unrotated). */
  readonly start: string;
  /** Copies per kind letter, the start tile included; in letter order, kinds with 0 left out. */
  readonly tiles: Readonly<Record<string, number>>;
}

/** At most this many tiles in a map (placements are checked within ±this many cells, and a game stays a game). */
export const MAX_MAP_TILES = 300;
/** At most this many copies of one kind. */
export const MAX_KIND_COUNT = 100;

export class MapError extends Error {
  override name = 'MapError';
}

/** The base game's 72 tiles, start tile D. */
export const STANDARD_DECK: DeckMap = {
  start: TILE_KINDS[START_KIND]!.id,
  tiles: Object.fromEntries(TILE_KINDS.map((k) => [k.id, k.count])),
};

const KNOWN = `${TILE_KINDS[0]!.id}..${TILE_KINDS.at(-1)!.id}`;

/**
 * Checks a map (its JSON text or the parsed object) and returns it in canonical form; throws `MapError` with
 * the first problem found.
 */
export function parseDeckMap(input: unknown): DeckMap {
  let raw = input;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch (e) {
      throw new MapError(`not JSON (${(e as Error).message})`);
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new MapError('a map is a JSON object {"start":"<kind>","tiles":{"<kind>":<count>,...}}');
  const obj = raw as Record<string, unknown>;
  for (const k of Object.keys(obj))
    if (k !== 'start' && k !== 'tiles') throw new MapError(`unknown key "${k}" (known: start, tiles)`);
  if (typeof obj.start !== 'string') throw new MapError('"start" must be the letter of a tile kind, e.g. "D"');
  const start = kindIndex(obj.start);
  if (start < 0) throw new MapError(`unknown start tile kind "${obj.start}" (known: ${KNOWN})`);
  const tiles = obj.tiles;
  if (typeof tiles !== 'object' || tiles === null || Array.isArray(tiles))
    throw new MapError('"tiles" must be an object of kind letters to counts, e.g. {"D":4,"U":8}');
  const counts = new Array<number>(KIND_COUNT).fill(0);
  for (const [id, n] of Object.entries(tiles as Record<string, unknown>)) {
    const k = kindIndex(id);
    if (k < 0) throw new MapError(`unknown tile kind "${id}" (known: ${KNOWN})`);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_KIND_COUNT)
      throw new MapError(`count of ${id} must be an integer from 0 to ${MAX_KIND_COUNT}, got ${JSON.stringify(n)}`);
    counts[k] = n;
  }
  if (counts[start]! < 1)
    throw new MapError(`the start tile ${obj.start} is one of the tiles: "tiles" needs ${obj.start} at least 1`);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total < 2) throw new MapError('a map needs at least one tile besides the start tile');
  if (total > MAX_MAP_TILES) throw new MapError(`a map has at most ${MAX_MAP_TILES} tiles, this one has ${total}`);
  return {
    start: TILE_KINDS[start]!.id,
    tiles: Object.fromEntries(counts.flatMap((n, k) => (n > 0 ? [[TILE_KINDS[k]!.id, n]] : []))),
  };
}

/** The map as one line of JSON (what DOWNLOAD MAP sends and UPLOAD MAP takes). */
export const formatDeckMap = (map: DeckMap): string => JSON.stringify({ start: map.start, tiles: map.tiles });

/** The start kind and the drawing deck (per kind, the start tile taken out) of a map. */
export function deckOf(map: DeckMap | undefined): { start: number; deck: number[] } {
  if (!map) {
    const deck = TILE_KINDS.map((k) => k.count);
    deck[START_KIND]!--;
    return { start: START_KIND, deck };
  }
  const start = kindIndex(map.start);
  const deck = TILE_KINDS.map((k) => map.tiles[k.id] ?? 0);
  deck[start]!--;
  return { start, deck };
}

/**
 * The `deck` setting (`--set deck=...`): `standard`, the path of a map file, or the map itself (an object, or
 * its JSON text). Returns the canonical map, or undefined for the standard deck; the file is read here so that
 * a replay stores the deck itself, not a path.
 */
export function resolveDeckSetting(value: unknown): DeckMap | undefined {
  if (value === undefined || value === null || value === 'standard') return undefined;
  if (typeof value === 'string' && !value.trimStart().startsWith('{')) {
    let text: string;
    try {
      text = readFileSync(value, 'utf8');
    } catch (e) {
      throw new MapError(
        `cannot read map file "${value}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); deck is "standard", a map file or the map's JSON`,
      );
    }
    return parseDeckMap(text);
  }
  return parseDeckMap(value);
}
