import type { CatanBoard, CatanEvent, CatanState, CatanStep, CkState } from './types.ts';

/** CkState with writable arrays, as a step edits it. */
export type MutableCk = {
  -readonly [K in keyof CkState]: CkState[K] extends readonly number[] ? number[] : CkState[K];
};

/** A copy-on-write working state: arrays are copied the first time a step writes them. */
export class Draft {
  #buildings: number[] | null = null;
  #roads: number[] | null = null;
  #hands: number[] | null = null;
  #bank: number[] | null = null;
  #deck: number[] | null = null;
  #devs: number[] | null = null;
  #devNew: number[] | null = null;
  #played: number[] | null = null;
  #knights: number[] | null = null;
  #pieces: number[] | null = null;
  #roadLength: number[] | null = null;
  #views: number[] | null = null;
  #ck: MutableCk | null = null;
  /** The layout; only Cities & Knights' Inventor replaces it (two number tokens swapped). */
  board: CatanBoard;
  robber: number;
  longestRoad: number;
  largestArmy: number;
  current: number;
  step: CatanStep;
  turn: number;
  devPlayed: boolean;
  offers: number;
  winner: number;
  readonly n: number;
  /** Card kinds per hand: 5, or 8 under Cities & Knights. */
  readonly k: number;

  constructor(
    readonly s: CatanState,
    readonly events: CatanEvent[] | undefined,
  ) {
    this.n = s.players;
    this.k = s.bank.length;
    this.board = s.board;
    this.robber = s.robber;
    this.longestRoad = s.longestRoad;
    this.largestArmy = s.largestArmy;
    this.current = s.current;
    this.step = s.step;
    this.turn = s.turn;
    this.devPlayed = s.devPlayed;
    this.offers = s.offers;
    this.winner = s.winner;
  }
  buildings(): number[] {
    if (this.#buildings === null) this.#buildings = this.s.buildings.slice();
    return this.#buildings;
  }
  roads(): number[] {
    if (this.#roads === null) this.#roads = this.s.roads.slice();
    return this.#roads;
  }
  hands(): number[] {
    if (this.#hands === null) this.#hands = this.s.hands.slice();
    return this.#hands;
  }
  bank(): number[] {
    if (this.#bank === null) this.#bank = this.s.bank.slice();
    return this.#bank;
  }
  deck(): number[] {
    if (this.#deck === null) this.#deck = this.s.deck.slice();
    return this.#deck;
  }
  devs(): number[] {
    if (this.#devs === null) this.#devs = this.s.devs.slice();
    return this.#devs;
  }
  devNew(): number[] {
    if (this.#devNew === null) this.#devNew = this.s.devNew.slice();
    return this.#devNew;
  }
  played(): number[] {
    if (this.#played === null) this.#played = this.s.played.slice();
    return this.#played;
  }
  knights(): number[] {
    if (this.#knights === null) this.#knights = this.s.knights.slice();
    return this.#knights;
  }
  pieces(): number[] {
    if (this.#pieces === null) this.#pieces = this.s.pieces.slice();
    return this.#pieces;
  }
  roadLength(): number[] {
    if (this.#roadLength === null) this.#roadLength = this.s.roadLength.slice();
    return this.#roadLength;
  }
  views(): number[] {
    if (this.#views === null) this.#views = this.s.views.slice();
    return this.#views;
  }

  /** The Cities & Knights part, copied (every array) on the first write of a step. */
  ck(): MutableCk {
    if (this.#ck === null) {
      const c = this.s.ck;
      if (c === undefined) throw new Error('catan: no Cities & Knights state under the base rules');
      this.#ck = {
        improvements: c.improvements.slice(),
        metropolis: c.metropolis.slice(),
        knights: c.knights.slice(),
        knightTurn: c.knightTurn.slice(),
        walls: c.walls.slice(),
        barbarian: c.barbarian,
        attacks: c.attacks,
        defenders: c.defenders.slice(),
        progress: c.progress.slice(),
        decks: c.decks.slice(),
        progressPlayed: c.progressPlayed.slice(),
        progressPoints: c.progressPoints.slice(),
        draws: c.draws.slice(),
        fleet: c.fleet,
        crane: c.crane,
        pendingRoll: c.pendingRoll,
        merchant: c.merchant,
        merchantOwner: c.merchantOwner,
        harbourUsed: c.harbourUsed,
      };
    }
    return this.#ck;
  }
  ckNow(): CkState | undefined {
    return this.#ck ?? this.s.ck;
  }
  handsNow(): readonly number[] {
    return this.#hands ?? this.s.hands;
  }
  piecesNow(): readonly number[] {
    return this.#pieces ?? this.s.pieces;
  }
  devsNow(): readonly number[] {
    return this.#devs ?? this.s.devs;
  }
  devNewNow(): readonly number[] {
    return this.#devNew ?? this.s.devNew;
  }

  /** The current arrays, read-only (written or not). */
  view(): CatanState {
    const s = this.s;
    return {
      config: s.config,
      players: s.players,
      board: this.board,
      buildings: this.#buildings ?? s.buildings,
      roads: this.#roads ?? s.roads,
      robber: this.robber,
      hands: this.#hands ?? s.hands,
      bank: this.#bank ?? s.bank,
      deck: this.#deck ?? s.deck,
      devs: this.#devs ?? s.devs,
      devNew: this.#devNew ?? s.devNew,
      played: this.#played ?? s.played,
      knights: this.#knights ?? s.knights,
      pieces: this.#pieces ?? s.pieces,
      roadLength: this.#roadLength ?? s.roadLength,
      longestRoad: this.longestRoad,
      largestArmy: this.largestArmy,
      views: this.#views ?? s.views,
      current: this.current,
      step: this.step,
      turn: this.turn,
      devPlayed: this.devPlayed,
      offers: this.offers,
      winner: this.winner,
      ck: this.#ck ?? s.ck,
    };
  }

  // Cards moving between a seat and the bank or another seat, with every observer's knowledge kept.

  /** `seat` receives `k` cards of `r` from the bank, in public (what everyone sees needs no bookkeeping). */
  gain(seat: number, r: number, k: number) {
    if (k === 0) return;
    this.hands()[seat * this.k + r]! += k;
    this.bank()[r]! -= k;
  }
  /** `seat` pays `k` cards of `r` to the bank, in public. */
  pay(seat: number, r: number, k: number) {
    if (k === 0) return;
    this.hands()[seat * this.k + r]! -= k;
    this.bank()[r]! += k;
    this.lost(seat, r);
  }
  payCost(seat: number, cost: readonly number[]) {
    for (let r = 0; r < cost.length; r++) this.pay(seat, r, cost[r]!);
  }
  /**
   * `seat`'s hand has just given up cards of `r` in public (call it after the hand lost them and before it gains
   * any of that kind back). An observer who had not accounted for that many now knows there are none of `r`
   * left it cannot account for: its unaccounted count of `r` is at most what the hand still holds. In the
   * counts of surely-held and unknown cards this is "surely-held cards go first, the rest were unknown ones".
   * The table is copied only when some observer's count changes, which public play rarely does.
   */
  lost(seat: number, r: number) {
    const held = (this.#hands ?? this.s.hands)[seat * this.k + r]!;
    let v = this.#views ?? this.s.views;
    for (let o = 0; o < this.n; o++) {
      if (o === seat) continue;
      const i = (o * this.n + seat) * this.k + r;
      if (v[i]! > held) {
        if (this.#views === null) v = this.views();
        (v as number[])[i] = held;
      }
    }
  }
  emit(e: CatanEvent) {
    this.events?.push(e);
  }

  freeze(): CatanState {
    return this.view();
  }
}
