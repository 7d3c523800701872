import { ConfigError, type GameEngine, type GameResult, type Seat, type StepActions } from '../../core/engine.ts';
import type { Rng } from '../../core/rng.ts';
import { readSettings, Setting, settingsSchema } from '../../game/settings.ts';
import { CellTable, Frontier } from './board.ts';
import { deckOf, MAX_MAP_TILES, MapError, resolveDeckSetting } from './deck.ts';
import { DX, DY, edgeCode, FITS, facingPort, KIND_COUNT, ROTATED, SEGMENT_SIDES, TILE_KINDS } from './tiles.ts';
import type {
  CarcassonneAction,
  CarcassonneChance,
  CarcassonneConfig,
  CarcassonneEvent,
  CarcassonneObservation,
  CarcassonneState,
  FeatureType,
  PlacedTile,
} from './types.ts';

/** Bumped whenever a rule change could change a game's outcome. */
export const ENGINE_VERSION = '1';

/** The game's settings: the base game's 7 followers, fields scored, its 72 tiles unless a map is given. */
export const carcassonneSettings = settingsSchema(
  {
    followers: Setting.integer({ min: 0, max: 50, default: 7, help: 'followers (meeples) per player' }),
    farms: Setting.boolean({ default: true, help: 'score fields at the end (3 per completed city next to one)' }),
    deck: Setting.optional(
      Setting.custom({ help: 'the tiles: standard (default), a map file, or the map as JSON (see deck.ts)' }),
    ),
  },
  { title: 'Carcassonne settings' },
);

export function defaultConfig(): CarcassonneConfig {
  return { followers: 7, farms: true };
}

export function parseConfig(raw: unknown): CarcassonneConfig {
  const { followers, farms, deck: deckSetting } = readSettings(carcassonneSettings, raw);
  const config = { followers, farms };
  let deck;
  try {
    deck = resolveDeckSetting(deckSetting);
  } catch (e) {
    if (e instanceof MapError) throw new ConfigError('deck', e.message);
    throw e;
  }
  // The base game's deck is left out, so its configs (and replays) look as they always did.
  return deck ? { ...config, deck } : config;
}

// ---- board lookup -------------------------------------------------------------------------------------

const key = (x: number, y: number): number => (x + 1024) * 4096 + (y + 1024);

/**
 * Derived lookups, cached per tiles array (states are immutable, so the array identifies the board): cell ->
 * tile index, and the frontier, empty cell -> demand byte (see FITS). A state rebuilt from JSON simply gets
 * them rebuilt on first use.
 */
interface Board {
  readonly grid: CellTable;
  readonly frontier: Frontier;
}
const boards = new WeakMap<readonly PlacedTile[], Board>();

function addToFrontier(grid: CellTable, frontier: Frontier, t: PlacedTile) {
  const edges = ROTATED[t.kind * 4 + t.rot]!.edges;
  for (let d = 0; d < 4; d++) {
    const k = key(t.x + DX[d]!, t.y + DY[d]!);
    if (grid.has(k)) continue;
    frontier.demand(k, edgeCode(edges[d]!, (d + 2) & 3));
  }
}

function boardOf(state: CarcassonneState): Board {
  let board = boards.get(state.tiles);
  if (!board) {
    // Every tile of the game is on the board, in the deck, discarded or in hand.
    const total = state.tiles.length + state.deckLeft + state.discarded.length + (state.drawn >= 0 ? 1 : 0);
    const grid = CellTable.forTiles(total);
    const frontier = new Frontier();
    for (const [i, t] of state.tiles.entries()) grid.set(key(t.x, t.y), i);
    for (const t of state.tiles) addToFrontier(grid, frontier, t);
    board = { grid, frontier };
    boards.set(state.tiles, board);
  }
  return board;
}

export const gridOf = (state: CarcassonneState): CellTable => boardOf(state).grid;
const cellX = (k: number) => Math.floor(k / 4096) - 1024;
const cellY = (k: number) => (k % 4096) - 1024;

export function tileAt(state: CarcassonneState, x: number, y: number): PlacedTile | undefined {
  const i = gridOf(state).get(key(x, y));
  return i === undefined ? undefined : state.tiles[i];
}

function findRoot(parent: readonly number[], s: number): number {
  let r = s;
  while (parent[r] !== r) r = parent[r]!;
  return r;
}

/** The feature (union-find root) a segment belongs to. */
export const featureOf = (state: CarcassonneState, segment: number): number => findRoot(state.parent, segment);

export function segmentType(state: CarcassonneState, segment: number): FeatureType {
  const t = state.tiles[state.segTile[segment]!]!;
  return TILE_KINDS[t.kind]!.segments[segment - t.seg0]!.type;
}

// ---- setup ----------------------------------------------------------------------------------------------

export function setup(config: CarcassonneConfig, players: number, _rng?: Rng): CarcassonneState {
  const { start, deck } = deckOf(config.deck);
  const empty: CarcassonneState = {
    config,
    players,
    deck,
    deckLeft: deck.reduce((a, b) => a + b, 0),
    tiles: [],
    parent: [],
    open: [],
    occ: [],
    owner: [],
    segTile: [],
    scores: new Array(players).fill(0),
    followers: new Array(players).fill(config.followers),
    current: 0,
    drawn: start,
    discarded: [],
    turn: 0,
    over: false,
  };
  // The start tile is fixed (the map's start kind, D in the base game, at 0,0, unrotated) and belongs to nobody.
  const m = mutable(empty);
  placeTile(m, 0, 0, start, 0);
  return freeze(empty, m, { current: 0, drawn: -1, turn: 0, over: false });
}

// ---- placement legality ----------------------------------------------------------------------------------

export interface Placement {
  readonly x: number;
  readonly y: number;
  readonly rot: number;
}

/** Every legal (cell, rotation) for `kind`; rotations that give the same tile are listed once. */
export function legalPlacements(state: CarcassonneState, kind = state.drawn): Placement[] {
  if (kind < 0) return [];
  const out: Placement[] = [];
  const base = kind * 256;
  const pairs = boardOf(state).frontier.pairs;
  for (let i = 0; i < pairs.length; i += 2) {
    const k = pairs[i]!;
    const rots = FITS[base + pairs[i + 1]!]!;
    if (rots.length === 0) continue;
    const x = cellX(k);
    const y = cellY(k);
    for (const rot of rots) out.push({ x, y, rot });
  }
  return out;
}

/**
 * A uniformly random legal placement of the drawn tile, without building the list (random playouts and the
 * random bot call this every turn).
 */
export function randomPlacement(state: CarcassonneState, rng: Rng): Placement {
  const pairs = boardOf(state).frontier.pairs;
  const base = state.drawn * 256;
  let total = 0;
  for (let i = 1; i < pairs.length; i += 2) total += FITS[base + pairs[i]!]!.length;
  if (total === 0) throw new Error('carcassonne: no legal placement');
  let r = Math.floor(rng.next() * total);
  for (let i = 0; i < pairs.length; i += 2) {
    const rots = FITS[base + pairs[i + 1]!]!;
    if (r < rots.length) return { x: cellX(pairs[i]!), y: cellY(pairs[i]!), rot: rots[r]! };
    r -= rots.length;
  }
  throw new Error('unreachable');
}

/** Whether `kind` fits anywhere (a drawn tile that does not is discarded). */
export function canPlaceAnywhere(state: CarcassonneState, kind: number): boolean {
  const base = kind * 256;
  const pairs = boardOf(state).frontier.pairs;
  for (let i = 1; i < pairs.length; i += 2) if (FITS[base + pairs[i]!]!.length > 0) return true;
  return false;
}

export function placementError(state: CarcassonneState, x: number, y: number, rot: number): string | null {
  if (state.drawn < 0) return 'no tile drawn';
  // No chain of a map's tiles reaches further than its tile count from the start tile at 0,0.
  if (!Number.isInteger(x) || !Number.isInteger(y) || Math.abs(x) > MAX_MAP_TILES || Math.abs(y) > MAX_MAP_TILES)
    return `coordinates must be integers from -${MAX_MAP_TILES} to ${MAX_MAP_TILES}`;
  if (!Number.isInteger(rot) || rot < 0 || rot > 3) return 'rotation must be 0..3';
  const grid = gridOf(state);
  if (grid.has(key(x, y))) return `cell ${x},${y} is taken`;
  const edges = ROTATED[state.drawn * 4 + rot]!.edges;
  let neighbours = 0;
  for (let d = 0; d < 4; d++) {
    const n = tileAt(state, x + DX[d]!, y + DY[d]!);
    if (!n) continue;
    neighbours++;
    const theirs = ROTATED[n.kind * 4 + n.rot]!.edges[(d + 2) & 3];
    if (theirs !== edges[d]) return `the ${['north', 'east', 'south', 'west'][d]} side (${edges[d]}) meets ${theirs}`;
  }
  return neighbours === 0 ? `cell ${x},${y} touches no tile` : null;
}

/**
 * Segments of the drawn tile, placed at (x, y, rot), that may take a follower: those whose feature (joined
 * with the neighbours') has no follower yet. Empty when the player has no follower left.
 */
export function meepleOptions(state: CarcassonneState, x: number, y: number, rot: number): number[] {
  if (state.followers[state.current]! <= 0 || state.drawn < 0) return [];
  const kind = TILE_KINDS[state.drawn]!;
  const rt = ROTATED[state.drawn * 4 + rot]!;
  const grid = gridOf(state);
  const busy = new Array<boolean>(kind.segments.length).fill(false);
  for (let d = 0; d < 4; d++) {
    const i = grid.get(key(x + DX[d]!, y + DY[d]!));
    if (i === undefined) continue;
    const n = state.tiles[i]!;
    const nrt = ROTATED[n.kind * 4 + n.rot]!;
    for (let j = 0; j < 3; j++) {
      const p = d * 3 + j;
      const seg = rt.portSeg[p]!;
      if (busy[seg]) continue;
      const theirs = n.seg0 + nrt.portSeg[facingPort(p)]!;
      if (state.occ[findRoot(state.parent, theirs)]! > 0) busy[seg] = true;
    }
  }
  const out: number[] = [];
  for (let s = 0; s < busy.length; s++) if (!busy[s]) out.push(s);
  return out;
}

export function legalActions(state: CarcassonneState, seat: Seat): CarcassonneAction[] {
  if (state.over || state.drawn < 0 || seat !== state.current) return [];
  const out: CarcassonneAction[] = [];
  for (const p of legalPlacements(state)) {
    out.push({ x: p.x, y: p.y, rot: p.rot, meeple: null });
    for (const m of meepleOptions(state, p.x, p.y, p.rot)) out.push({ x: p.x, y: p.y, rot: p.rot, meeple: m });
  }
  return out;
}

export function validate(state: CarcassonneState, seat: Seat, action: CarcassonneAction): string | null {
  if (state.over) return 'the game is over';
  if (state.drawn < 0) return 'no tile drawn yet';
  if (seat !== state.current) return `it is seat ${state.current}'s turn`;
  if (!action || typeof action !== 'object') return 'not an action';
  const err = placementError(state, action.x, action.y, action.rot);
  if (err) return err;
  if (action.meeple !== null) {
    if (!Number.isInteger(action.meeple)) return 'meeple must be a segment index or null';
    if (state.followers[seat]! <= 0) return 'no follower left';
    if (!meepleOptions(state, action.x, action.y, action.rot).includes(action.meeple))
      return `segment ${action.meeple} cannot take a follower (missing or feature occupied)`;
  }
  return null;
}

export function defaultAction(state: CarcassonneState, _seat: Seat): CarcassonneAction {
  const p = legalPlacements(state)[0];
  if (!p) throw new Error('carcassonne: a drawn tile with no legal placement (should have been discarded)');
  return { ...p, meeple: null };
}

export function toAct(state: CarcassonneState) {
  if (state.over) return { kind: 'terminal' } as const;
  if (state.drawn < 0) return { kind: 'chance' } as const;
  return { kind: 'players', seats: [state.current] } as const;
}

/** Draws one tile, weighted by what is left of each kind. */
export function sampleChance(state: CarcassonneState, rng: Rng): CarcassonneChance {
  let r = Math.floor(rng.next() * state.deckLeft);
  for (let k = 0; k < KIND_COUNT; k++) {
    r -= state.deck[k]!;
    if (r < 0) return k;
  }
  throw new Error('carcassonne: draw from an empty deck');
}

// ---- apply ----------------------------------------------------------------------------------------------

interface Mutable {
  deck: number[];
  deckLeft: number;
  tiles: PlacedTile[];
  parent: number[];
  open: number[];
  occ: number[];
  owner: number[];
  segTile: number[];
  scores: number[];
  followers: number[];
  discarded: number[];
  grid: CellTable;
  frontier: Frontier;
}

function mutable(s: CarcassonneState): Mutable {
  const board = boardOf(s);
  return {
    // Only a draw changes the deck, and a draw copies it itself.
    deck: s.deck as number[],
    deckLeft: s.deckLeft,
    tiles: s.tiles.slice(),
    parent: s.parent.slice(),
    open: s.open.slice(),
    occ: s.occ.slice(),
    owner: s.owner.slice(),
    segTile: s.segTile.slice(),
    scores: s.scores.slice(),
    followers: s.followers.slice(),
    discarded: s.discarded as number[],
    grid: board.grid.clone(),
    frontier: board.frontier.clone(),
  };
}

type Turn = Pick<CarcassonneState, 'current' | 'drawn' | 'turn' | 'over'>;

/** The next state from a mutable copy; one object literal so that every state has the same shape. */
function freeze(base: CarcassonneState, m: Mutable, t: Turn): CarcassonneState {
  boards.set(m.tiles, { grid: m.grid, frontier: m.frontier });
  return {
    config: base.config,
    players: base.players,
    deck: m.deck,
    deckLeft: m.deckLeft,
    tiles: m.tiles,
    parent: m.parent,
    open: m.open,
    occ: m.occ,
    owner: m.owner,
    segTile: m.segTile,
    scores: m.scores,
    followers: m.followers,
    current: t.current,
    drawn: t.drawn,
    discarded: m.discarded,
    turn: t.turn,
    over: t.over,
  };
}

/** A state that differs only in its turn fields and deck (a draw), sharing the board arrays. */
function withTurn(s: CarcassonneState, t: Turn, deck = s.deck, deckLeft = s.deckLeft, discarded = s.discarded) {
  const next: CarcassonneState = {
    config: s.config,
    players: s.players,
    deck,
    deckLeft,
    tiles: s.tiles,
    parent: s.parent,
    open: s.open,
    occ: s.occ,
    owner: s.owner,
    segTile: s.segTile,
    scores: s.scores,
    followers: s.followers,
    current: t.current,
    drawn: t.drawn,
    discarded,
    turn: t.turn,
    over: t.over,
  };
  return next;
}

function find(parent: number[], s: number): number {
  let r = s;
  while (parent[r] !== r) r = parent[r]!;
  // Path compression on this state's own copy.
  while (parent[s] !== r) {
    const next = parent[s]!;
    parent[s] = r;
    s = next;
  }
  return r;
}

/** Puts a tile on the board and joins its segments with the neighbours'. Returns its tile index. */
function placeTile(m: Mutable, x: number, y: number, kind: number, rot: number): number {
  const def = TILE_KINDS[kind]!;
  const rt = ROTATED[kind * 4 + rot]!;
  const base = m.parent.length;
  const index = m.tiles.length;
  const sides = SEGMENT_SIDES[kind]!;
  for (let i = 0; i < def.segments.length; i++) {
    const type = def.segments[i]!.type;
    m.parent.push(base + i);
    m.open.push(type === 'city' || type === 'road' ? sides[i]! : 0);
    m.occ.push(0);
    m.owner.push(-1);
    m.segTile.push(index);
  }
  m.tiles.push({ x, y, kind, rot, seg0: base });
  m.grid.set(key(x, y), index);
  m.frontier.delete(key(x, y));
  addToFrontier(m.grid, m.frontier, m.tiles[index]!);
  const { parent, open, occ } = m;
  for (let d = 0; d < 4; d++) {
    const ni = m.grid.get(key(x + DX[d]!, y + DY[d]!));
    if (ni === undefined) continue;
    const n = m.tiles[ni]!;
    const nrt = ROTATED[n.kind * 4 + n.rot]!;
    const edge = rt.edges[d];
    for (let j = 0; j < 3; j++) {
      const p = d * 3 + j;
      const a = find(parent, base + rt.portSeg[p]!);
      const b = find(parent, n.seg0 + nrt.portSeg[facingPort(p)]!);
      // A city or road side that meets its match closes one open side on each tile.
      if (j === 1 && edge !== 'field') {
        open[a]!--;
        open[b]!--;
      }
      if (a !== b) {
        parent[b] = a;
        open[a]! += open[b]!;
        occ[a]! += occ[b]!;
      }
    }
  }
  return index;
}

interface FeatureSummary {
  readonly type: FeatureType;
  readonly segments: number[];
}

/** Every segment of the feature whose root is `root`. */
function segmentsOf(m: { parent: number[] }, root: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < m.parent.length; s++) if (find(m.parent, s) === root) out.push(s);
  return out;
}

function majority(owner: readonly number[], segments: readonly number[], players: number) {
  const counts = new Array<number>(players).fill(0);
  for (const s of segments) if (owner[s]! >= 0) counts[owner[s]!]!++;
  const best = Math.max(...counts);
  const seats: number[] = [];
  if (best > 0) for (let p = 0; p < players; p++) if (counts[p] === best) seats.push(p);
  return { seats, returned: counts };
}

function distinctTiles(segTile: readonly number[], segments: readonly number[]): number {
  const set = new Set<number>();
  for (const s of segments) set.add(segTile[s]!);
  return set.size;
}

function pennants(m: { tiles: readonly PlacedTile[]; segTile: readonly number[] }, segments: readonly number[]) {
  let n = 0;
  for (const s of segments) {
    const t = m.tiles[m.segTile[s]!]!;
    if (TILE_KINDS[t.kind]!.segments[s - t.seg0]!.pennant) n++;
  }
  return n;
}

function neighbourCount(grid: CellTable, x: number, y: number): number {
  let n = 0;
  for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) if (grid.has(key(x + dx, y + dy))) n++;
  return n;
}

/** Awards a feature's points to its majority and returns its followers. */
function award(
  m: Mutable,
  players: number,
  f: FeatureSummary,
  points: number,
  tiles: number,
  final: boolean,
  events?: CarcassonneEvent[],
) {
  const { seats, returned } = majority(m.owner, f.segments, players);
  for (const p of seats) m.scores[p]! += points;
  for (const s of f.segments) {
    if (m.owner[s]! >= 0) {
      m.followers[m.owner[s]!]!++;
      m.owner[s] = -1;
    }
  }
  m.occ[find(m.parent, f.segments[0]!)] = 0;
  events?.push({ type: 'scored', feature: f.type, final, tiles, points: seats.length ? points : 0, seats, returned });
}

function scoreCompleted(m: Mutable, players: number, tileIndex: number, events?: CarcassonneEvent[]) {
  const t = m.tiles[tileIndex]!;
  const def = TILE_KINDS[t.kind]!;
  const done = new Set<number>();
  for (let i = 0; i < def.segments.length; i++) {
    const type = def.segments[i]!.type;
    if (type !== 'city' && type !== 'road') continue;
    const root = find(m.parent, t.seg0 + i);
    if (m.open[root] !== 0 || done.has(root)) continue;
    done.add(root);
    const segments = segmentsOf(m, root);
    const tiles = distinctTiles(m.segTile, segments);
    const points = type === 'city' ? 2 * tiles + 2 * pennants(m, segments) : tiles;
    award(m, players, { type, segments }, points, tiles, false, events);
  }
  // Cloisters on this tile or around it that are now surrounded.
  for (let dx = -1; dx <= 1; dx++) {
    for (let dy = -1; dy <= 1; dy++) {
      const ci = m.grid.get(key(t.x + dx, t.y + dy));
      if (ci === undefined) continue;
      const c = m.tiles[ci]!;
      if (TILE_KINDS[c.kind]!.segments[0]!.type !== 'cloister') continue;
      if (m.owner[c.seg0]! < 0 || neighbourCount(m.grid, c.x, c.y) !== 9) continue;
      award(m, players, { type: 'cloister', segments: [c.seg0] }, 9, 9, false, events);
    }
  }
}

/**
 * What end-of-game scoring would award now, per seat (incomplete cities 1 per tile and pennant, roads 1 per
 * tile, cloisters 1 + neighbours, fields 3 per adjacent completed city). With `commit`, followers go home
 * and events are written: this is the final scoring itself.
 */
function endScoring(m: Mutable, state: CarcassonneState, commit: boolean, events?: CarcassonneEvent[]): number[] {
  const gained = new Array<number>(state.players).fill(0);
  const groups = new Map<number, number[]>();
  for (let s = 0; s < m.parent.length; s++) {
    if (m.owner[s]! < 0) continue;
    const r = find(m.parent, s);
    if (!groups.has(r)) groups.set(r, segmentsOf(m, r));
  }
  for (const [root, segments] of groups) {
    const t = m.tiles[m.segTile[root]!]!;
    const type = TILE_KINDS[t.kind]!.segments[root - t.seg0]!.type;
    let points = 0;
    let tiles = distinctTiles(m.segTile, segments);
    if (type === 'city') points = tiles + pennants(m, segments);
    else if (type === 'road') points = tiles;
    else if (type === 'cloister') {
      tiles = neighbourCount(m.grid, t.x, t.y);
      points = tiles;
    } else {
      if (!state.config.farms) continue;
      const cities = new Set<number>();
      for (const s of segments) {
        const ft = m.tiles[m.segTile[s]!]!;
        for (const c of TILE_KINDS[ft.kind]!.segments[s - ft.seg0]!.cities ?? []) {
          const cr = find(m.parent, ft.seg0 + c);
          if (m.open[cr] === 0) cities.add(cr);
        }
      }
      points = 3 * cities.size;
    }
    if (commit) {
      const before = m.scores.slice();
      award(m, state.players, { type, segments }, points, tiles, true, events);
      for (let p = 0; p < state.players; p++) gained[p]! += m.scores[p]! - before[p]!;
    } else {
      for (const p of majority(m.owner, segments, state.players).seats) gained[p]! += points;
    }
  }
  return gained;
}

/** Points each seat would get from end-of-game scoring if the game ended now (for evaluation). */
export function pendingScores(state: CarcassonneState): number[] {
  const m = mutable(state);
  return endScoring(m, state, false);
}

function finish(m: Mutable, state: CarcassonneState, events?: CarcassonneEvent[]) {
  endScoring(m, state, true, events);
  events?.push({ type: 'end', scores: m.scores.slice() });
}

export function apply(
  state: CarcassonneState,
  step: StepActions<CarcassonneAction, CarcassonneChance>,
  events?: CarcassonneEvent[],
): CarcassonneState {
  if (step.kind === 'chance') {
    const kind = step.outcome;
    const deck = state.deck.slice();
    deck[kind]!--;
    const deckLeft = state.deckLeft - 1;
    const turn = { current: state.current, drawn: -1, turn: state.turn, over: false };
    if (canPlaceAnywhere(state, kind)) {
      events?.push({ type: 'drawn', seat: state.current, kind });
      return withTurn(state, { ...turn, drawn: kind }, deck, deckLeft);
    }
    events?.push({ type: 'discarded', seat: state.current, kind });
    const next = withTurn(state, turn, deck, deckLeft, [...state.discarded, kind]);
    if (deckLeft > 0) return next;
    const m = mutable(next);
    finish(m, next, events);
    return freeze(next, m, { ...turn, over: true });
  }
  const seat = state.current;
  const action = step.actions.get(seat);
  if (!action) throw new Error(`carcassonne: no action for seat ${seat}`);
  const m = mutable(state);
  const index = placeTile(m, action.x, action.y, state.drawn, action.rot);
  events?.push({
    type: 'placed',
    seat,
    x: action.x,
    y: action.y,
    kind: state.drawn,
    rot: action.rot,
    meeple: action.meeple,
  });
  if (action.meeple !== null) {
    const s = m.tiles[index]!.seg0 + action.meeple;
    m.owner[s] = seat;
    m.occ[find(m.parent, s)]!++;
    m.followers[seat]!--;
  }
  scoreCompleted(m, state.players, index, events);
  const turn = { current: (seat + 1) % state.players, drawn: -1, turn: state.turn + 1, over: m.deckLeft === 0 };
  if (turn.over) finish(m, state, events);
  return freeze(state, m, turn);
}

/**
 * Ends the game now, as if the deck had run out: end-of-game scoring and a terminal state. For tests and
 * analysis of positions; play never needs it.
 */
export function finishNow(state: CarcassonneState, events?: CarcassonneEvent[]): CarcassonneState {
  if (state.over) return state;
  const m = mutable(state);
  finish(m, state, events);
  return freeze(state, m, { current: state.current, drawn: -1, turn: state.turn, over: true });
}

export function observe(state: CarcassonneState, _seat: Seat): CarcassonneObservation {
  return state;
}

export function result(state: CarcassonneState): GameResult | null {
  if (!state.over) return null;
  const scores = state.scores.slice();
  const ranks = scores.map((s) => 1 + scores.filter((o) => o > s).length);
  const best = Math.max(...scores);
  const leaders = scores.filter((s) => s === best).length;
  return { scores, ranks, winner: leaders === 1 ? scores.indexOf(best) : null };
}

export function determinize(observation: CarcassonneObservation): CarcassonneState {
  // Nothing is hidden but the deck order, and the deck is counts: the observation is the state.
  return observation;
}

export const kindName = (kind: number): string => TILE_KINDS[kind]?.id ?? `?${kind}`;

export function formatEvent(e: CarcassonneEvent): string {
  switch (e.type) {
    case 'drawn':
      return `seat ${e.seat} draws ${kindName(e.kind)}`;
    case 'discarded':
      return `seat ${e.seat} draws ${kindName(e.kind)}, which fits nowhere: discarded`;
    case 'placed':
      return `seat ${e.seat} places ${kindName(e.kind)} at ${e.x},${e.y} R${e.rot * 90}${e.meeple === null ? '' : ` with a follower on segment ${e.meeple}`}`;
    case 'scored':
      return `${e.final ? 'end: ' : ''}${e.feature} of ${e.tiles} tiles: ${e.seats.length ? `${e.points} to seat ${e.seats.join(', ')}` : 'no one'}`;
    case 'end':
      return `game over, scores ${e.scores.join(' : ')}`;
  }
}

export function describeStep(
  before: CarcassonneState,
  _step: StepActions<CarcassonneAction, CarcassonneChance>,
  events: readonly CarcassonneEvent[],
  after: CarcassonneState,
): string[] {
  const lines = events.map(formatEvent);
  if (events.some((e) => e.type === 'scored')) lines.push(`  scores ${after.scores.join(' : ')}`);
  if (lines.length === 0) lines.push(`turn ${before.turn + 1}`);
  return lines;
}

/**
 * The state after a list of public facts (what a network client learns from the event stream): the tiles
 * placed after the start tile, in order, with their followers, and the discards. Scores are recomputed by
 * the rules, so a client can check them against what the server says.
 */
export function rebuildState(
  config: CarcassonneConfig,
  players: number,
  history: readonly (
    | {
        readonly type: 'placed';
        readonly x: number;
        readonly y: number;
        readonly kind: number;
        readonly rot: number;
        readonly meeple: number | null;
      }
    | { readonly type: 'discarded'; readonly kind: number }
  )[],
): CarcassonneState {
  let state = setup(config, players);
  for (const h of history) {
    if (state.over) throw new Error('carcassonne: history goes on after the end of the game');
    state = apply(state, { kind: 'chance', outcome: h.kind });
    if (h.type === 'discarded') {
      if (state.drawn >= 0) throw new Error(`carcassonne: tile ${kindName(h.kind)} was discarded but fits`);
      continue;
    }
    const action = { x: h.x, y: h.y, rot: h.rot, meeple: h.meeple };
    const reason = validate(state, state.current, action);
    if (reason) throw new Error(`carcassonne: history has an illegal placement: ${reason}`);
    state = apply(state, { kind: 'players', actions: new Map([[state.current, action]]) });
  }
  return state;
}

export const carcassonneEngine: GameEngine<
  CarcassonneState,
  CarcassonneAction,
  CarcassonneObservation,
  CarcassonneConfig,
  CarcassonneChance,
  CarcassonneEvent
> = {
  id: 'carcassonne',
  version: ENGINE_VERSION,
  minPlayers: 2,
  maxPlayers: 5,
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
  result,
  determinize: (obs) => determinize(obs),
  describeStep,
};

export { ConfigError };
