/**
 * Catan's SE1 object model, written once for both ends: the server flattens each seat's engine observation
 * into `Class@hex` properties (public ones to everyone, the seat's own cards and its knowledge of the others to
 * that seat only), and a client folds the properties it received back into the very same observation. No rule
 * lives here — every value is the engine's `observe`; this file only names and parses them.
 * docs/protocols/se1.md ("Settlers of Catan") lists every object and property.
 */
import {
  type CatanBoard,
  type CatanConfig,
  type CatanObservation,
  type CatanStep,
  type CkObservation,
  PROGRESS,
  parseConfig,
  TERRAIN_NAMES,
  type Terrain,
} from '../../games/catan/index.ts';

/** Resource names on the wire, in the engine's order (brick, lumber, wool, grain, ore). */
export const RESOURCE_NAMES = ['BRICK', 'LUMBER', 'WOOL', 'GRAIN', 'ORE'] as const;
/** Cities & Knights commodities: named so that a TRADE with them gets its own error under rules=base. */
export const COMMODITY_NAMES = ['CLOTH', 'COIN', 'PAPER'] as const;
/**
 * Card kinds on the wire in the engine's order: the five resources, then (Cities & Knights) the commodities
 * paper, cloth, coin. Under rules=base only the first five exist.
 */
export const KIND_NAMES = [...RESOURCE_NAMES, 'PAPER', 'CLOTH', 'COIN'] as const;
/** The improvement tracks (UPGRADE_PROGRESS type, progress decks) in the engine's order. */
export const TRACK_NAMES = ['TRADE', 'POLITICS', 'SCIENCE'] as const;
/** The event die's six faces in the engine's order: three ships, then the politics, science and trade gates. */
export const EVENT_DIE_NAMES = ['SHIP', 'SHIP', 'SHIP', 'POLITICS', 'SCIENCE', 'TRADE'] as const;
/**
 * Progress card names on the wire: the engine's own names in upper snake case (`merchantFleet` is
 * MERCHANT_FLEET), in the engine's order, so that a card kind the engine adds gets its wire name with it.
 */
export const PROGRESS_NAMES: readonly string[] = PROGRESS.map((p) =>
  p.name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase(),
);
/** The number of card kinds a config plays with: 8 under Cities & Knights (commodities), else 5. */
export const kindsOf = (config: Pick<CatanConfig, 'rules'>): number => (config.rules === 'cities-and-knights' ? 8 : 5);

/** Development card names on the wire, in the engine's order. */
export const DEV_CARD_NAMES = ['KNIGHT', 'VICTORY_POINT', 'ROAD_BUILDING', 'YEAR_OF_PLENTY', 'MONOPOLY'] as const;
const TERRAIN_OF = new Map(Object.entries(TERRAIN_NAMES).map(([t, n]) => [n, t as Terrain]));

/** A harbour's name: PORT_3TO1, or PORT_<resource> for a 2:1 harbour. */
export const harbourName = (resource: number): string =>
  resource < 0 ? 'PORT_3TO1' : `PORT_${RESOURCE_NAMES[resource]}`;
const harbourResource = (name: string): number =>
  name === 'PORT_3TO1' ? -1 : (RESOURCE_NAMES as readonly string[]).indexOf(name.slice(5));

/** The ids of one game's objects, by engine index. */
export interface CatanIds {
  readonly game: string;
  /** UserAssets@.. by seat. */
  readonly seats: readonly string[];
  /** Field@.. by hex, Intersection@.. by vertex, Border@.. by edge. */
  readonly fields: readonly string[];
  readonly vertices: readonly string[];
  readonly edges: readonly string[];
  /**
   * Card@.. by card kind (KIND_NAMES order), under Cities & Knights only: the seed's OFFER names the card a
   * Commercial Harbor offers by a `Card@..` id. botswarm keeps hands as counts, so there is one Card object per
   * kind (its `kind` property names it), not one per card.
   */
  readonly cards?: readonly string[];
}

/** Properties as `src prop` → value; an absent key is a null property. */
export type Props = Map<string, string>;

const key = (src: string, prop: string) => `${src} ${prop}`;
const list = (xs: readonly number[]) => xs.join(',');

/** The config as the Game object carries it (set once, at START_GAME). */
export function configProps(config: CatanConfig, ids: CatanIds, out: Props): void {
  out.set(key(ids.game, 'rules'), config.rules);
  out.set(key(ids.game, 'layout'), config.map);
  out.set(key(ids.game, 'victoryPoints'), String(config.vpToWin));
  out.set(key(ids.game, 'maxTurns'), String(config.maxTurns));
  out.set(key(ids.game, 'maxOffersPerTurn'), String(config.maxOffersPerTurn));
  // An uploaded map: the config carries the board itself (the Fields and Borders describe it).
  if (config.board) out.set(key(ids.game, 'customBoard'), 'true');
}

/** The board (set once): each Field's type and number, and the harbours on their Borders. */
export function boardProps(board: CatanBoard, ids: CatanIds, out: Props): void {
  for (const [h, f] of ids.fields.entries()) {
    out.set(key(f, 'index'), String(h));
    out.set(key(f, 'type'), TERRAIN_NAMES[board.terrain[h]!]);
    if (board.numbers[h]! > 0) out.set(key(f, 'number'), String(board.numbers[h]));
  }
  for (const [v, id] of ids.vertices.entries()) out.set(key(id, 'index'), String(v));
  for (const [e, id] of ids.edges.entries()) out.set(key(id, 'index'), String(e));
  for (const h of board.harbours) out.set(key(ids.edges[h.edge]!, 'harbour'), harbourName(h.resource));
  out.set(key(ids.game, 'harbours'), board.harbours.map((h) => ids.edges[h.edge]!).join(','));
}

/** The Card objects (set once, Cities & Knights only): each one's `kind`. */
export function cardProps(ids: CatanIds, out: Props): void {
  for (const [i, id] of (ids.cards ?? []).entries()) out.set(key(id, 'kind'), KIND_NAMES[i]!);
}

const seatId = (ids: CatanIds, seat: number) => ids.seats[seat]!;

/** Everything every member may see, from any seat's observation. */
export function publicProps(obs: CatanObservation, ids: CatanIds): Props {
  const out: Props = new Map();
  const g = ids.game;
  const set = (src: string, prop: string, value: string) => out.set(key(src, prop), value);
  set(g, 'current', seatId(ids, obs.current));
  set(g, 'turn', String(obs.turn));
  set(g, 'robber', ids.fields[obs.robber]!);
  // Number tokens move during a game (the Inventor): they are sent as any other public property that changes.
  for (const [h, f] of ids.fields.entries())
    if (obs.board.numbers[h]! > 0) set(f, 'number', String(obs.board.numbers[h]));
  set(g, 'bank', list(obs.bank));
  set(g, 'deckLeft', String(obs.deckLeft));
  set(g, 'played', list(obs.played));
  set(g, 'devPlayed', String(obs.devPlayed));
  set(g, 'offers', String(obs.offers));
  set(g, 'newDevelopmentCards', String(obs.devNewCount));
  if (obs.winner >= 0) set(g, 'winner', seatId(ids, obs.winner));
  if (obs.longestRoad >= 0) set(g, 'longestRoad', seatId(ids, obs.longestRoad));
  if (obs.largestArmy >= 0) set(g, 'largestArmy', seatId(ids, obs.largestArmy));
  stepProps(obs.step, ids, set);
  for (let p = 0; p < obs.players; p++) {
    const u = seatId(ids, p);
    set(u, 'resourceCount', String(obs.handSizes[p]));
    set(u, 'developmentCardCount', String(obs.devCounts[p]));
    set(u, 'knights', String(obs.knights[p]));
    set(u, 'roads', String(obs.pieces[p * 3]));
    set(u, 'settlements', String(obs.pieces[p * 3 + 1]));
    set(u, 'cities', String(obs.pieces[p * 3 + 2]));
    set(u, 'roadLength', String(obs.roadLength[p]));
    set(u, 'points', String(obs.publicPoints[p]));
  }
  for (const [v, b] of obs.buildings.entries()) {
    if (b < 0) continue;
    set(ids.vertices[v]!, 'building', b & 1 ? 'City' : 'Settlement');
    set(ids.vertices[v]!, 'owner', seatId(ids, b >> 1));
  }
  for (const [e, r] of obs.roads.entries()) if (r >= 0) set(ids.edges[e]!, 'owner', seatId(ids, r));
  if (obs.ck) ckPublicProps(obs.ck, obs.players, ids, set);
  return out;
}

/** The public part of the Cities & Knights state: barbarians, metropolises, knights, walls, progress counts. */
function ckPublicProps(
  ck: CkObservation,
  players: number,
  ids: CatanIds,
  set: (src: string, prop: string, value: string) => void,
): void {
  const g = ids.game;
  set(g, 'barbarian', String(ck.barbarian));
  set(g, 'attacks', String(ck.attacks));
  set(g, 'metropolis', ck.metropolis.map((v) => (v < 0 ? 'NONE' : ids.vertices[v]!)).join(','));
  set(g, 'progressDecks', list(ck.deckSizes));
  set(g, 'progressPlayed', list(ck.progressPlayed));
  const draws: string[] = [];
  for (let i = 0; i + 1 < ck.draws.length; i += 2)
    draws.push(`${seatId(ids, ck.draws[i]!)}:${TRACK_NAMES[ck.draws[i + 1]!]}`);
  if (draws.length > 0) set(g, 'progressDraws', draws.join(','));
  if (ck.fleet >= 0) set(g, 'merchantFleet', KIND_NAMES[ck.fleet]!);
  set(g, 'crane', String(ck.crane));
  if (ck.pendingRoll >= 0) set(g, 'pendingDice', `${ck.pendingRoll >> 3},${ck.pendingRoll & 7}`);
  if (ck.merchant >= 0) set(g, 'merchant', ids.fields[ck.merchant]!);
  if (ck.merchantOwner >= 0) set(g, 'merchantOwner', seatId(ids, ck.merchantOwner));
  set(g, 'commercialHarborUsed', String(ck.harbourUsed));
  for (let p = 0; p < players; p++) {
    const u = seatId(ids, p);
    set(u, 'improvements', list(ck.improvements.slice(p * 3, p * 3 + 3)));
    set(u, 'defenders', String(ck.defenders[p]));
    set(u, 'progressCardCount', String(ck.progressCounts[p]));
    set(u, 'progressPoints', String(ck.progressPoints[p]));
  }
  for (const [v, id] of ids.vertices.entries()) {
    const k = ck.knights[v]!;
    if (k >= 0) {
      set(id, 'knight', seatId(ids, k >> 3));
      set(id, 'knightStrength', String((k >> 1) & 3));
      set(id, 'knightActive', String((k & 1) === 1));
    }
    if (ck.knightTurn[v]! !== 0) set(id, 'knightTurn', String(ck.knightTurn[v]));
    if (ck.walls[v]! !== 0) set(id, 'wall', 'true');
  }
}

/** The pending decision (the engine's `step`) as Game properties; only those of the current phase are set. */
function stepProps(step: CatanStep, ids: CatanIds, set: (src: string, prop: string, value: string) => void): void {
  const g = ids.game;
  set(g, 'phase', step.phase);
  switch (step.phase) {
    case 'setupSettlement':
      set(g, 'setupRound', String(step.round));
      return;
    case 'setupRoad':
      set(g, 'setupRound', String(step.round));
      set(g, 'setupVertex', ids.vertices[step.vertex]!);
      return;
    case 'discard':
      set(g, 'discardLeft', list(step.left));
      if (step.resume !== undefined) set(g, 'resume', step.resume);
      if (step.to !== undefined) set(g, 'discardTo', seatId(ids, step.to));
      return;
    case 'robber':
      set(g, 'resume', step.resume);
      return;
    case 'steal':
      set(g, 'victim', seatId(ids, step.victim));
      set(g, 'resume', step.resume);
      return;
    case 'roadBuilding':
      set(g, 'freeRoads', String(step.roads));
      set(g, 'resume', step.resume);
      return;
    case 'offer':
      set(g, 'offerGive', list(step.offer.give));
      set(g, 'offerTake', list(step.offer.get));
      return;
    case 'confirm':
      set(g, 'offerGive', list(step.offer.give));
      set(g, 'offerTake', list(step.offer.get));
      set(g, 'accepted', step.accepted.map((s) => seatId(ids, s)).join(','));
      return;
    case 'preRoll':
    case 'dice':
    case 'main':
    case 'drawDev':
    case 'over':
      return;
    default:
      // Every other phase (those of Cities & Knights, and any the engine adds) travels whole as JSON: seats are
      // UserAssets.seat numbers, vertices Intersection.index numbers, as the engine counts them.
      if (Object.keys(step).length > 1) set(g, 'step', JSON.stringify(step));
      return;
  }
}

/** What only `obs.seat` may see: its own cards, and what it knows of each other seat's hand. */
export function privateProps(obs: CatanObservation, ids: CatanIds): Props {
  const out: Props = new Map();
  const me = seatId(ids, obs.seat);
  const k = obs.hand.length;
  out.set(key(me, 'resources'), list(obs.hand));
  out.set(key(me, 'developmentCards'), list(obs.devs));
  out.set(key(me, 'boughtThisTurn'), list(obs.devNew));
  if (obs.ck) out.set(key(me, 'progressCards'), list(obs.ck.progress));
  if (obs.ck?.revealed) out.set(key(me, 'revealed'), list(obs.ck.revealed));
  for (let p = 0; p < obs.players; p++) {
    if (p === obs.seat) continue;
    const u = seatId(ids, p);
    out.set(key(u, 'known'), list(obs.known.slice(p * k, p * k + k)));
    out.set(key(u, 'unknown'), String(obs.unknown[p]));
  }
  return out;
}

/** One property change: `nv` undefined clears it (`ov` is the value it had). */
export interface PropChange {
  readonly src: string;
  readonly prop: string;
  readonly nv?: string;
  readonly ov?: string;
}

/** The changes that turn `before` into `after`; `before` is updated to `after`. Sets first, then clears. */
export function diffProps(before: Props, after: Props): PropChange[] {
  const out: PropChange[] = [];
  for (const [k, nv] of after) {
    const ov = before.get(k);
    if (ov === nv) continue;
    const i = k.indexOf(' ');
    out.push({ src: k.slice(0, i), prop: k.slice(i + 1), nv, ...(ov !== undefined ? { ov } : {}) });
    before.set(k, nv);
  }
  for (const [k, ov] of before) {
    if (after.has(k)) continue;
    const i = k.indexOf(' ');
    out.push({ src: k.slice(0, i), prop: k.slice(i + 1), ov });
    before.delete(k);
  }
  return out;
}

// ---- the client's side: properties back into an observation ----------------------------------------------

/** The part of the SE1 model a Catan client reads: scalar properties by object. */
export interface CatanModelView {
  get(id: string, prop: string): string | undefined;
  ofClass(cls: string): readonly string[];
  list(id: string, prop: string): readonly string[];
}

export class CatanWireError extends Error {
  override name = 'CatanWireError';
}

const counts = (text: string | undefined, n: number, what: string): number[] => {
  const xs = (text ?? '').split(',').map(Number);
  if (text === undefined || xs.length !== n || xs.some((x) => !Number.isInteger(x)))
    throw new CatanWireError(`${what}: expected ${n} integers, got ${JSON.stringify(text)}`);
  return xs;
};

const int = (text: string | undefined, what: string): number => {
  const x = Number(text);
  if (text === undefined || !Number.isInteger(x)) throw new CatanWireError(`${what}: not an integer (${text})`);
  return x;
};

/** Indices of the game's objects, read once the board is known (after START_GAME). */
export class CatanIndex {
  readonly game: string;
  readonly seats: string[];
  readonly seatOf = new Map<string, number>();
  readonly fields: string[] = [];
  readonly vertices: string[] = [];
  readonly edges: string[] = [];
  /** Card@.. by card kind (Cities & Knights; empty under rules=base). */
  readonly cards: string[] = [];
  readonly #indexOf = new Map<string, number>();

  constructor(model: CatanModelView) {
    const game = model.ofClass('SettlersOfCatanGame')[0];
    if (!game) throw new CatanWireError('no SettlersOfCatanGame object');
    this.game = game;
    this.seats = [...model.list(game, 'users')];
    for (const u of this.seats) this.seatOf.set(u, int(model.get(u, 'seat'), `${u} seat`));
    this.seats.sort((a, b) => this.seatOf.get(a)! - this.seatOf.get(b)!);
    for (const [cls, into] of [
      ['Field', this.fields],
      ['Intersection', this.vertices],
      ['Border', this.edges],
    ] as const) {
      for (const id of model.ofClass(cls)) {
        const i = int(model.get(id, 'index'), `${id} index`);
        into[i] = id;
        this.#indexOf.set(id, i);
      }
    }
    for (const id of model.ofClass('Card')) {
      const kind = (KIND_NAMES as readonly string[]).indexOf(model.get(id, 'kind') ?? '');
      if (kind < 0) throw new CatanWireError(`${id}: unknown kind ${model.get(id, 'kind')}`);
      this.cards[kind] = id;
    }
  }

  index(id: string | undefined, what: string): number {
    const i = id === undefined ? undefined : (this.#indexOf.get(id) ?? this.seatOf.get(id));
    if (i === undefined) throw new CatanWireError(`${what}: unknown object ${id}`);
    return i;
  }

  ids(): CatanIds {
    return {
      game: this.game,
      seats: this.seats,
      fields: this.fields,
      vertices: this.vertices,
      edges: this.edges,
      ...(this.cards.length > 0 ? { cards: this.cards } : {}),
    };
  }
}

/** The config the Game object announced; `board` (from `readBoard`) is its board when the map was uploaded. */
export function readConfig(model: CatanModelView, game: string, board?: CatanBoard): CatanConfig {
  const custom = model.get(game, 'customBoard') === 'true';
  if (custom && !board) throw new CatanWireError('customBoard: the config needs the board (readBoard)');
  return parseConfig({
    rules: model.get(game, 'rules'),
    map: model.get(game, 'layout'),
    vpToWin: model.get(game, 'victoryPoints'),
    maxTurns: model.get(game, 'maxTurns'),
    maxOffersPerTurn: model.get(game, 'maxOffersPerTurn'),
    ...(custom ? { board } : {}),
  });
}

/** The board the Field and Border objects describe. */
export function readBoard(model: CatanModelView, ix: CatanIndex): CatanBoard {
  const terrain = ix.fields.map((f) => {
    const t = TERRAIN_OF.get(model.get(f, 'type') ?? '');
    if (!t) throw new CatanWireError(`${f}: unknown type ${model.get(f, 'type')}`);
    return t;
  });
  const numbers = ix.fields.map((f) => Number(model.get(f, 'number') ?? 0));
  const harbourList = model.get(ix.game, 'harbours');
  const harbours = (harbourList ? harbourList.split(',') : []).map((b) => ({
    edge: ix.index(b, 'harbour'),
    resource: harbourResource(model.get(b, 'harbour') ?? ''),
  }));
  return { terrain, numbers, harbours };
}

function readStep(model: CatanModelView, ix: CatanIndex, players: number, k: number): CatanStep {
  const g = ix.game;
  const phase = model.get(g, 'phase');
  const round = () => int(model.get(g, 'setupRound'), 'setupRound') as 0 | 1;
  const resume = () => {
    const r = model.get(g, 'resume');
    if (r !== 'preRoll' && r !== 'main') throw new CatanWireError(`resume: ${r}`);
    return r;
  };
  const offer = () => ({
    give: counts(model.get(g, 'offerGive'), k, 'offerGive'),
    get: counts(model.get(g, 'offerTake'), k, 'offerTake'),
  });
  switch (phase) {
    case 'setupSettlement':
      return { phase, round: round() };
    case 'setupRoad':
      return { phase, round: round(), vertex: ix.index(model.get(g, 'setupVertex'), 'setupVertex') };
    case 'discard': {
      const left = counts(model.get(g, 'discardLeft'), players, 'discardLeft');
      const to = model.get(g, 'discardTo');
      return {
        phase,
        left,
        ...(model.get(g, 'resume') !== undefined ? { resume: resume() as 'main' } : {}),
        ...(to !== undefined ? { to: ix.index(to, 'discardTo') } : {}),
      };
    }
    case 'robber':
      return { phase, resume: resume() };
    case 'steal':
      return { phase, victim: ix.index(model.get(g, 'victim'), 'victim'), resume: resume() };
    case 'roadBuilding':
      return { phase, roads: int(model.get(g, 'freeRoads'), 'freeRoads') as 1 | 2, resume: resume() };
    case 'offer':
      return { phase, offer: offer() };
    case 'confirm':
      return {
        phase,
        offer: offer(),
        accepted: (model.get(g, 'accepted') ?? '').split(',').map((u) => ix.index(u, 'accepted')),
      };
    case 'preRoll':
    case 'dice':
    case 'main':
    case 'drawDev':
    case 'over':
      return { phase };
    default: {
      if (phase === undefined || !/^[a-zA-Z]+$/.test(phase)) throw new CatanWireError(`unknown phase ${phase}`);
      const text = model.get(g, 'step');
      if (text === undefined) return { phase } as CatanStep;
      let step: unknown;
      try {
        step = JSON.parse(text);
      } catch {
        throw new CatanWireError(`step: not JSON (${text})`);
      }
      if (!step || typeof step !== 'object' || (step as { phase?: unknown }).phase !== phase)
        throw new CatanWireError(`step: not the ${phase} phase (${text})`);
      return step as CatanStep;
    }
  }
}

/** The Cities & Knights part of `seat`'s observation: the inverse of `ckPublicProps` and `progressCards`. */
function readCk(model: CatanModelView, ix: CatanIndex, me: string): CkObservation {
  const g = ix.game;
  const per = (prop: string) => ix.seats.map((u) => int(model.get(u, prop), `${u} ${prop}`));
  const draws: number[] = [];
  for (const pair of (model.get(g, 'progressDraws') ?? '').split(',')) {
    if (pair === '') continue;
    const [u, track] = pair.split(':');
    const t = (TRACK_NAMES as readonly string[]).indexOf(track ?? '');
    if (t < 0) throw new CatanWireError(`progressDraws: bad entry ${pair}`);
    draws.push(ix.index(u, 'progressDraws'), t);
  }
  const fleet = model.get(g, 'merchantFleet');
  const merchant = model.get(g, 'merchant');
  const merchantOwner = model.get(g, 'merchantOwner');
  const revealed = model.get(me, 'revealed');
  const dice = model.get(g, 'pendingDice');
  const [red, yellow] = dice === undefined ? [] : counts(dice, 2, 'pendingDice');
  return {
    improvements: ix.seats.flatMap((u) => counts(model.get(u, 'improvements'), 3, `${u} improvements`)),
    metropolis: (model.get(g, 'metropolis') ?? '')
      .split(',')
      .map((v) => (v === 'NONE' ? -1 : ix.index(v, 'metropolis'))),
    knights: ix.vertices.map((v) => {
      const owner = model.get(v, 'knight');
      if (owner === undefined) return -1;
      const strength = int(model.get(v, 'knightStrength'), `${v} knightStrength`);
      return ix.index(owner, `${v} knight`) * 8 + strength * 2 + (model.get(v, 'knightActive') === 'true' ? 1 : 0);
    }),
    knightTurn: ix.vertices.map((v) => {
      const t = model.get(v, 'knightTurn');
      return t === undefined ? 0 : int(t, `${v} knightTurn`);
    }),
    walls: ix.vertices.map((v) => (model.get(v, 'wall') === 'true' ? 1 : 0)),
    barbarian: int(model.get(g, 'barbarian'), 'barbarian'),
    attacks: int(model.get(g, 'attacks'), 'attacks'),
    defenders: per('defenders'),
    progress: counts(model.get(me, 'progressCards'), PROGRESS_NAMES.length, 'progressCards'),
    progressCounts: per('progressCardCount'),
    deckSizes: counts(model.get(g, 'progressDecks'), 3, 'progressDecks'),
    progressPlayed: counts(model.get(g, 'progressPlayed'), PROGRESS_NAMES.length, 'progressPlayed'),
    progressPoints: per('progressPoints'),
    draws,
    fleet: fleet === undefined ? -1 : (KIND_NAMES as readonly string[]).indexOf(fleet),
    crane: model.get(g, 'crane') === 'true',
    pendingRoll: red === undefined ? -1 : red * 8 + yellow!,
    merchant: merchant === undefined ? -1 : ix.index(merchant, 'merchant'),
    merchantOwner: merchantOwner === undefined ? -1 : ix.index(merchantOwner, 'merchantOwner'),
    harbourUsed: model.get(g, 'commercialHarborUsed') === 'true',
    ...(revealed === undefined
      ? {}
      : { revealed: revealed === '' ? [] : revealed.split(',').map((v) => int(v, 'revealed')) }),
  };
}

/** The observation of `seat` from the model: the inverse of `publicProps` + `privateProps`. */
export function readObservation(
  model: CatanModelView,
  ix: CatanIndex,
  seat: number,
  config: CatanConfig,
  board: CatanBoard,
): CatanObservation {
  const g = ix.game;
  const n = ix.seats.length;
  const optSeat = (prop: string) => {
    const id = model.get(g, prop);
    return id === undefined ? -1 : ix.index(id, prop);
  };
  const per = <T>(f: (u: string, p: number) => T): T[] => ix.seats.map(f);
  const perInt = (prop: string) => per((u) => int(model.get(u, prop), `${u} ${prop}`));
  const me = ix.seats[seat]!;
  const k = kindsOf(config);
  const hand = counts(model.get(me, 'resources'), k, 'resources');
  const known: number[] = [];
  const unknown: number[] = [];
  for (const [p, u] of ix.seats.entries()) {
    if (p === seat) {
      known.push(...hand);
      unknown.push(0);
    } else {
      known.push(...counts(model.get(u, 'known'), k, `${u} known`));
      unknown.push(int(model.get(u, 'unknown'), `${u} unknown`));
    }
  }
  const pieces: number[] = [];
  for (const u of ix.seats)
    for (const prop of ['roads', 'settlements', 'cities']) pieces.push(int(model.get(u, prop), `${u} ${prop}`));
  const buildings = ix.vertices.map((v) => {
    const b = model.get(v, 'building');
    if (b === undefined) return -1;
    return ix.index(model.get(v, 'owner'), `${v} owner`) * 2 + (b === 'City' ? 1 : 0);
  });
  const roads = ix.edges.map((e) => {
    const o = model.get(e, 'owner');
    return o === undefined ? -1 : ix.index(o, `${e} owner`);
  });
  return {
    seat,
    players: n,
    config,
    // The tokens as they stand now (the Inventor swaps two); the terrain and harbours never change.
    board: { ...board, numbers: ix.fields.map((f) => Number(model.get(f, 'number') ?? 0)) },
    buildings,
    roads,
    robber: ix.index(model.get(g, 'robber'), 'robber'),
    bank: counts(model.get(g, 'bank'), k, 'bank'),
    deckLeft: int(model.get(g, 'deckLeft'), 'deckLeft'),
    hand,
    devs: counts(model.get(me, 'developmentCards'), 5, 'developmentCards'),
    devNew: counts(model.get(me, 'boughtThisTurn'), 5, 'boughtThisTurn'),
    handSizes: perInt('resourceCount'),
    known,
    unknown,
    devCounts: perInt('developmentCardCount'),
    devNewCount: int(model.get(g, 'newDevelopmentCards'), 'newDevelopmentCards'),
    played: counts(model.get(g, 'played'), 5, 'played'),
    knights: perInt('knights'),
    pieces,
    roadLength: perInt('roadLength'),
    longestRoad: optSeat('longestRoad'),
    largestArmy: optSeat('largestArmy'),
    publicPoints: perInt('points'),
    current: ix.index(model.get(g, 'current'), 'current'),
    step: readStep(model, ix, n, k),
    turn: int(model.get(g, 'turn'), 'turn'),
    devPlayed: model.get(g, 'devPlayed') === 'true',
    offers: int(model.get(g, 'offers'), 'offers'),
    winner: optSeat('winner'),
    ...(config.rules === 'cities-and-knights' ? { ck: readCk(model, ix, me) } : {}),
  };
}

/**
 * A card list on the wire (`BRICK,BRICK,ORE`; under Cities & Knights also PAPER, CLOTH, COIN) as counts per
 * kind (`kinds` of them: 5, or 8 with the commodities); null when a name is unknown.
 */
export function parseResources(text: string, kinds = 5): number[] | null {
  const out = new Array<number>(kinds).fill(0);
  if (text.trim() === '') return out;
  const names = KIND_NAMES.slice(0, kinds) as readonly string[];
  for (const name of text.split(',')) {
    const r = names.indexOf(name.trim().toUpperCase());
    if (r < 0) return null;
    out[r]!++;
  }
  return out;
}

/** Counts per kind as a wire list (`BRICK,BRICK,ORE`). */
export const formatResources = (counts: readonly number[]): string =>
  counts.flatMap((c, r) => Array.from({ length: c }, () => KIND_NAMES[r]!)).join(',');

// ---- action fields: one table for the Cities & Knights commands (PLAY's card fields, CHOOSE's answers) -----

/** The object or name an action field travels as, by the field's name in the engine's action. */
export type FieldKind =
  | 'Intersection'
  | 'Border'
  | 'Field'
  | 'UserAssets'
  | 'Resource'
  | 'Track'
  | 'ProgressCard'
  | 'Number';
export const FIELD_KINDS: Readonly<Record<string, FieldKind>> = {
  vertex: 'Intersection',
  from: 'Intersection',
  to: 'Intersection',
  edge: 'Border',
  hex: 'Field',
  /** Inventor: the two Fields whose number tokens swap (`Field@..+Field@..`). */
  hexes: 'Field',
  /** Alchemist: the red and the yellow die (`3+5`). */
  dice: 'Number',
  seat: 'UserAssets',
  victim: 'UserAssets',
  resource: 'Resource',
  track: 'Track',
  card: 'ProgressCard',
};

/**
 * An action field's value on the wire: an object id (Intersection, Border, Field, UserAssets), a card kind,
 * track or progress card name, `NONE` for null, a decimal number for a field the table does not name, and
 * a list of any of these joined by `+`.
 */
export function encodeField(field: string, value: unknown, ids: CatanIds): string {
  if (value === null || value === undefined) return 'NONE';
  if (Array.isArray(value)) return value.map((v) => encodeField(field, v, ids)).join('+');
  const n = value as number;
  switch (FIELD_KINDS[field]) {
    case 'Intersection':
      return ids.vertices[n] ?? String(n);
    case 'Border':
      return ids.edges[n] ?? String(n);
    case 'Field':
      return ids.fields[n] ?? String(n);
    case 'UserAssets':
      return ids.seats[n] ?? String(n);
    case 'Resource':
      return KIND_NAMES[n] ?? String(n);
    case 'Track':
      return TRACK_NAMES[n] ?? String(n);
    case 'ProgressCard':
      return PROGRESS_NAMES[n] ?? String(n);
    default:
      return String(value);
  }
}

/** The inverse of `encodeField` for one value (no lists): the engine's number, null, or why it is not one. */
export function decodeField(field: string, text: string, ids: CatanIds): number | null | { error: string } {
  if (text === 'NONE') return null;
  const kind = FIELD_KINDS[field];
  const among = (names: readonly string[], what: string) => {
    const i = names.indexOf(
      kind === 'Resource' || kind === 'Track' || kind === 'ProgressCard' ? text.toUpperCase() : text,
    );
    return i >= 0 ? i : { error: `${field}: ${text} is not ${what}` };
  };
  switch (kind) {
    case 'Intersection':
      return among(ids.vertices, "one of this game's Intersections");
    case 'Border':
      return among(ids.edges, "one of this game's Borders");
    case 'Field':
      return among(ids.fields, "one of this game's Fields");
    case 'UserAssets':
      return among(ids.seats, "one of this game's UserAssets");
    case 'Resource':
      return among(KIND_NAMES, `a card kind (${KIND_NAMES.join(', ')})`);
    case 'Track':
      return among(TRACK_NAMES, `a track (${TRACK_NAMES.join(', ')})`);
    case 'ProgressCard':
      return among(PROGRESS_NAMES, 'a progress card');
    default:
      return /^-?\d{1,9}$/.test(text) ? Number(text) : { error: `${field}: ${text} is not a number` };
  }
}

/**
 * An action as the answer to a `choose(Type:Values)` prompt of a Cities & Knights phase: its one field encoded
 * (several joined by `+` in the order of their names), or its type in upper snake case when it has none; `kind`
 * is the prompt's Type (the first field's).
 */
export function choiceOf(action: object, ids: CatanIds): { kind: string; value: string } {
  // Fields in the order of their names: a bot may build an action with its keys in any order.
  const fields = Object.entries(action)
    .filter(([k]) => k !== 'type')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (fields.length === 0) {
    const type = (action as { type: string }).type;
    return { kind: 'Action', value: type.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase() };
  }
  return {
    kind: FIELD_KINDS[fields[0]![0]] ?? 'Value',
    value: fields.map(([k, v]) => encodeField(k, v, ids)).join('+'),
  };
}

/** Commands of the base game (the room accepts them; the seat adapter reads their confirmations). */
export const CATAN_ACTIONS = [
  'START_GAME',
  'ROLL_DIES',
  'BUILD',
  'TRADE',
  'OFFER',
  'PLAY',
  'CHOOSE',
  'END_TURN',
] as const;
/** Commands of the seed that only Cities & Knights gives a meaning; refused in a rules=base game. */
export const CATAN_KNIGHTS_ACTIONS = [
  'ACTIVATE_KNIGHT',
  'UPGRADE_KNIGHT',
  'USE_KNIGHT',
  'UPGRADE_PROGRESS',
  'END_PLAY',
] as const;
