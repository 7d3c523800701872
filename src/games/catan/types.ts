/**
 * Settlers of Catan, base game. Resources, development cards and seats are small integers (indices into
 * RESOURCES / DEV_CARDS) so that states stay compact JSON and the hot loops index flat arrays.
 */

/** 0 brick, 1 lumber, 2 wool, 3 grain, 4 ore (see RESOURCES). */
export type Resource = 0 | 1 | 2 | 3 | 4;
/** 0 knight, 1 victory point, 2 road building, 3 year of plenty, 4 monopoly (see DEV_CARDS). */
export type DevCard = 0 | 1 | 2 | 3 | 4;

export type Terrain = 'hills' | 'forest' | 'pasture' | 'fields' | 'mountains' | 'desert';

/** The rule sets: the base game, and Cities & Knights (see ck.ts and docs/rules/catan.md). */
export type CatanRules = 'base' | 'cities-and-knights';
export type CatanMap = 'beginner' | 'random';

export interface CatanConfig {
  readonly rules: CatanRules;
  /** `beginner`: the rulebook's fixed starting board; `random`: seeded terrain, tokens and harbours. */
  readonly map: CatanMap;
  /** Victory points that win (10 in the base game). */
  readonly vpToWin: number;
  /** Turn-limit safety: after this many player turns the game ends and seats are ranked by points. */
  readonly maxTurns: number;
  /** Player-to-player offers the player to move may make per turn (keeps random play finite). */
  readonly maxOffersPerTurn: number;
  /**
   * A full board given in the settings (`board=`: an SS13 map file, `@file`, or the board as JSON), played
   * instead of `map`'s layout; absent otherwise, so that configs without one look as they always did.
   */
  readonly board?: CatanBoard;
}

/** A harbour on a coastal edge: `resource` -1 is a generic 3:1 harbour, 0..4 a 2:1 harbour of that resource. */
export interface Harbour {
  readonly edge: number;
  readonly resource: number;
}

/** One layout: the terrain and number token of each of the 19 land hexes, and the 9 harbours. */
export interface CatanBoard {
  readonly terrain: readonly Terrain[];
  /** Number token per hex, 0 on the desert. */
  readonly numbers: readonly number[];
  readonly harbours: readonly Harbour[];
}

/** A player-to-player offer by the player to move: `give` and `get` are counts per resource. */
export interface TradeOffer {
  readonly give: readonly number[];
  readonly get: readonly number[];
}

/** Where play resumes after the robber (or a road-building card): before or after this turn's roll. */
export type ResumePhase = 'preRoll' | 'main';

/**
 * What the game waits for. A discriminated union, so that the data of a pending decision (the seats that
 * still discard, the victim of a steal, the open offer) exists exactly while it is pending.
 * Chance steps: `dice`, `steal`, `drawDev`.
 */
export type CatanStep =
  | { readonly phase: 'setupSettlement'; readonly round: 0 | 1 }
  | { readonly phase: 'setupRoad'; readonly round: 0 | 1; readonly vertex: number }
  | { readonly phase: 'preRoll' }
  /** Cities & Knights Alchemist: `fixed` holds the production dice [red, yellow] chosen; only the event die rolls. */
  | { readonly phase: 'dice'; readonly fixed?: readonly [number, number] }
  /**
   * Seats give up cards one at a time, all at once. After a 7 they go to the bank and the robber follows.
   * Cities & Knights progress cards: Saboteur (`resume: 'main'`, to the bank) and Wedding (`to`: the cards go to
   * that seat, then the main phase).
   */
  | { readonly phase: 'discard'; readonly left: readonly number[]; readonly resume?: 'main'; readonly to?: number }
  | { readonly phase: 'robber'; readonly resume: ResumePhase }
  /** `more`: Cities & Knights Bishop, the seats robbed after this one (one random card each, in order). */
  | {
      readonly phase: 'steal';
      readonly victim: number;
      readonly resume: ResumePhase;
      readonly more?: readonly number[];
    }
  | { readonly phase: 'main' }
  | { readonly phase: 'drawDev' }
  | { readonly phase: 'roadBuilding'; readonly roads: 1 | 2; readonly resume: ResumePhase }
  | { readonly phase: 'offer'; readonly offer: TradeOffer }
  | { readonly phase: 'confirm'; readonly offer: TradeOffer; readonly accepted: readonly number[] }
  | { readonly phase: 'over' }
  // Cities & Knights only:
  /** Chance: the next queued progress card draw (see CkState.draws). */
  | { readonly phase: 'drawProgress' }
  /** A seat holding more progress cards than the limit gives one back (to the bottom of its deck). */
  | { readonly phase: 'progressDiscard'; readonly seat: number }
  /** Barbarians won: these seats each reduce one city (not a metropolis) to a settlement, in seat order. */
  | { readonly phase: 'pillage'; readonly left: readonly number[] }
  /** Barbarians beaten with a tie for the top: these seats each pick the deck they draw a progress card from. */
  | { readonly phase: 'defenderDraw'; readonly left: readonly number[] }
  /** Aqueduct: these seats got nothing from a non-7 roll and each take one resource of their choice. */
  | { readonly phase: 'aqueduct'; readonly left: readonly number[] }
  /** A displaced knight's owner moves it to a free vertex on its own roads (or loses it if there is none). */
  | {
      readonly phase: 'displaced';
      readonly seat: number;
      readonly knight: number;
      readonly resume: ResumePhase;
      /** Where it stood, when that vertex is free now (Intrigue): it may not go back there. */
      readonly from?: number;
    }
  /** Bishop: the player moves the robber (action `robber`, victim null) and robs every seat at the new hex. */
  | { readonly phase: 'bishop' }
  /** Smith: the player promotes up to `left` more knights for free (`knightPromote`), or stops (`cancel`). */
  | { readonly phase: 'smith'; readonly left: 1 | 2 }
  /** Deserter: `victim` takes one of its knights off the board (`removeKnight`). */
  | { readonly phase: 'deserter'; readonly victim: number }
  /** Deserter: the player may place a knight of this strength and status for free (`placeKnight`). */
  | { readonly phase: 'deserterPlace'; readonly strength: number; readonly active: boolean }
  /** Diplomat removed the player's own road from edge `removed`: it may go elsewhere for free (`road`) or not (`cancel`). */
  | { readonly phase: 'diplomat'; readonly removed: number }
  /**
   * Commercial Harbor: the player offers `left[0]` a resource (`harbourOffer`, null to skip that seat); once
   * `offered` is set, `left[0]` answers with a commodity of its choice (`harbourAnswer`).
   */
  | { readonly phase: 'commercialHarbor'; readonly left: readonly number[]; readonly offered?: number }
  /** Master Merchant: the player, who has seen `victim`'s hand, takes `left` more cards of its choice (`takeCard`). */
  | { readonly phase: 'masterMerchant'; readonly victim: number; readonly left: 1 | 2 }
  /** Spy: the player, who sees `victim`'s progress cards, takes one (`takeProgress`) or none. */
  | { readonly phase: 'spy'; readonly victim: number };

export type CatanPhase = CatanStep['phase'];

/**
 * The whole game. Flat arrays indexed by seat * 5 + resource (hands, dev cards) or by vertex / edge id
 * (see topology.ts). States are immutable: `apply` copies only the arrays a step changes.
 */
export interface CatanState {
  readonly config: CatanConfig;
  readonly players: number;
  readonly board: CatanBoard;
  /** Per vertex: -1 empty, else seat * 2 + (1 for a city, 0 for a settlement). */
  readonly buildings: readonly number[];
  /** Per edge: -1 empty, else the seat owning the road. */
  readonly roads: readonly number[];
  /** The hex the robber stands on. */
  readonly robber: number;
  /** Resource cards per seat (seat * 5 + resource). */
  readonly hands: readonly number[];
  readonly bank: readonly number[];
  /** Development cards left in the deck, per kind (the order is not held: a draw is a chance step). */
  readonly deck: readonly number[];
  /** Development cards held per seat (seat * 5 + card), not counting those bought this turn. */
  readonly devs: readonly number[];
  /** Cards the player to move bought this turn (not playable before the next turn; VP cards count at once). */
  readonly devNew: readonly number[];
  /** Development cards played so far, per kind (public). */
  readonly played: readonly number[];
  /** Knights played per seat. */
  readonly knights: readonly number[];
  /** Pieces in supply per seat: seat * 3 + 0 roads, + 1 settlements, + 2 cities. */
  readonly pieces: readonly number[];
  /** Length of each seat's longest road (trail of its own roads not passing an enemy building). */
  readonly roadLength: readonly number[];
  readonly longestRoad: number;
  readonly largestArmy: number;
  /**
   * What each seat cannot account for in each other seat's hand, from public events only: (observer * players +
   * seat) * kinds + kind is how many of the cards of that kind the seat holds the observer has not seen go in (a
   * steal it was not party to, a hand it never saw). So the observer surely knows hand - this of each kind, and
   * holds the sum as cards of unknown kind (`observe`'s known and unknown). Kept for observer != seat. Counting
   * the unaccounted cards, not the known ones, means a public gain or payment seldom changes the table (it is
   * copied only when it does).
   */
  readonly views: readonly number[];
  readonly current: number;
  readonly step: CatanStep;
  /** Player turns completed after the opening. */
  readonly turn: number;
  readonly devPlayed: boolean;
  readonly offers: number;
  /** The seat that reached the winning points, or -1 (none yet, or the game hit the turn limit). */
  readonly winner: number;
  /** The Cities & Knights part; undefined under the base rules (so base states hash as before). */
  readonly ck?: CkState;
}

/** The three improvement tracks: 0 trade (paid in cloth), 1 politics (coin), 2 science (paper). */
export type Track = 0 | 1 | 2;

/**
 * Cities & Knights state. Card kinds in `hands`/`bank` become 8: resources 0..4, then 5 paper, 6 cloth, 7 coin.
 * Knights are per vertex: -1 none, else seat * 8 + strength (1 basic, 2 strong, 3 mighty) * 2 + (1 if active).
 */
export interface CkState {
  /** Per seat * 3 + track: improvement level 0..5. */
  readonly improvements: readonly number[];
  /** Per track: the vertex of its metropolis, or -1. */
  readonly metropolis: readonly number[];
  readonly knights: readonly number[];
  /** Per vertex: bit 1 the knight there was activated this turn, bit 2 it was promoted this turn. */
  readonly knightTurn: readonly number[];
  /** Per vertex: 1 where a city wall stands. */
  readonly walls: readonly number[];
  /** Barbarian ship's position 0..6; the 7th advance attacks. */
  readonly barbarian: number;
  /** Barbarian attacks so far; the robber stays on the desert until the first one. */
  readonly attacks: number;
  /** Defender of Catan cards (1 VP each) per seat. */
  readonly defenders: readonly number[];
  /** Progress cards held per seat * PROGRESS_KINDS + card (hidden from the others, except the count). */
  readonly progress: readonly number[];
  /** Cards left per kind in the three decks (the order is not held: a draw is a chance step). */
  readonly decks: readonly number[];
  /** Progress cards played so far, per kind (public). */
  readonly progressPlayed: readonly number[];
  /** Victory points from Printer and Constitution per seat. */
  readonly progressPoints: readonly number[];
  /** Queued progress card draws, [seat, track, seat, track, ...], drawn in order by `drawProgress` steps. */
  readonly draws: readonly number[];
  /** Merchant Fleet of the player to move this turn: the card kind it trades 2:1, or -1. */
  readonly fleet: number;
  /** Crane played this turn: the next improvement costs one commodity less. */
  readonly crane: boolean;
  /** The production dice (red * 8 + yellow) waiting for the event die's consequences to finish, or -1. */
  readonly pendingRoll: number;
  /** The hex the merchant stands on, or -1 (not yet played). */
  readonly merchant: number;
  /** The seat that controls the merchant (1 point, 2:1 on the hex's resource), or -1. */
  readonly merchantOwner: number;
  /** Commercial Harbor was played this turn (its forced trade happens once per turn). */
  readonly harbourUsed: boolean;
}

/** What one seat sees: the board and everything public, its own cards, and what it can infer of the others. */
export interface CatanObservation {
  readonly seat: number;
  readonly players: number;
  readonly config: CatanConfig;
  readonly board: CatanBoard;
  readonly buildings: readonly number[];
  readonly roads: readonly number[];
  readonly robber: number;
  readonly bank: readonly number[];
  readonly deckLeft: number;
  /** Own resource cards, per resource. */
  readonly hand: readonly number[];
  /** Own development cards held from earlier turns, and bought this turn. */
  readonly devs: readonly number[];
  readonly devNew: readonly number[];
  /** Per seat: resource cards held (public count). */
  readonly handSizes: readonly number[];
  /** Per seat * 5 + resource: cards surely held (own seat: exact). */
  readonly known: readonly number[];
  /** Per seat: cards of unknown kind (0 for the own seat). */
  readonly unknown: readonly number[];
  /** Per seat: development cards held, bought this turn included (public count). */
  readonly devCounts: readonly number[];
  /** Development cards the player to move bought this turn (public count). */
  readonly devNewCount: number;
  readonly played: readonly number[];
  readonly knights: readonly number[];
  readonly pieces: readonly number[];
  readonly roadLength: readonly number[];
  readonly longestRoad: number;
  readonly largestArmy: number;
  /** Points everyone can see (buildings, longest road, largest army); own VP cards are in `devs`. */
  readonly publicPoints: readonly number[];
  readonly current: number;
  readonly step: CatanStep;
  readonly turn: number;
  readonly devPlayed: boolean;
  readonly offers: number;
  readonly winner: number;
  /** Cities & Knights: everything public of CkState, the own progress cards, the others' counts. */
  readonly ck?: CkObservation;
}

export interface CkObservation {
  readonly improvements: readonly number[];
  readonly metropolis: readonly number[];
  readonly knights: readonly number[];
  readonly knightTurn: readonly number[];
  readonly walls: readonly number[];
  readonly barbarian: number;
  readonly attacks: number;
  readonly defenders: readonly number[];
  /** Own progress cards per kind. */
  readonly progress: readonly number[];
  /** Progress cards held per seat (public count). */
  readonly progressCounts: readonly number[];
  /** Cards left per deck (track). */
  readonly deckSizes: readonly number[];
  readonly progressPlayed: readonly number[];
  readonly progressPoints: readonly number[];
  readonly draws: readonly number[];
  readonly fleet: number;
  readonly crane: boolean;
  readonly pendingRoll: number;
  readonly merchant: number;
  readonly merchantOwner: number;
  readonly harbourUsed: boolean;
  /**
   * What the seat to move sees during a card's decision and no one else: Master Merchant, the victim's 8 card
   * counts; Spy, the victim's progress cards per kind. Absent otherwise.
   */
  readonly revealed?: readonly number[];
}

export type CatanAction =
  | { readonly type: 'settlement'; readonly vertex: number }
  | { readonly type: 'city'; readonly vertex: number }
  | { readonly type: 'road'; readonly edge: number }
  | { readonly type: 'roll' }
  | { readonly type: 'discard'; readonly resource: number }
  | { readonly type: 'robber'; readonly hex: number; readonly victim: number | null }
  | { readonly type: 'buyDev' }
  | { readonly type: 'knight' }
  | { readonly type: 'roadBuilding' }
  | { readonly type: 'yearOfPlenty'; readonly resources: readonly [number, number] }
  | { readonly type: 'monopoly'; readonly resource: number }
  | { readonly type: 'bankTrade'; readonly give: number; readonly get: number }
  | { readonly type: 'offer'; readonly give: readonly number[]; readonly get: readonly number[] }
  | { readonly type: 'accept' }
  | { readonly type: 'decline' }
  | { readonly type: 'confirm'; readonly seat: number }
  | { readonly type: 'cancel' }
  | { readonly type: 'end' }
  // Cities & Knights only:
  | { readonly type: 'improve'; readonly track: number }
  | { readonly type: 'knightBuild'; readonly vertex: number }
  | { readonly type: 'knightActivate'; readonly vertex: number }
  | { readonly type: 'knightPromote'; readonly vertex: number }
  /** Move an active knight along own roads to a free vertex, or onto a weaker enemy knight (displace). */
  | { readonly type: 'knightMove'; readonly from: number; readonly to: number }
  /** An active knight next to the robber's hex chases it away (then the robber moves as after a 7). */
  | { readonly type: 'knightChase'; readonly vertex: number }
  | { readonly type: 'wall'; readonly vertex: number }
  /** A displaced knight's new vertex, or null to take it off the board when there is none. */
  | { readonly type: 'relocate'; readonly vertex: number | null }
  | { readonly type: 'pillage'; readonly vertex: number }
  | { readonly type: 'chooseDeck'; readonly track: number }
  | { readonly type: 'aqueduct'; readonly resource: number }
  | { readonly type: 'progressDiscard'; readonly card: number }
  /**
   * Plays progress card `card`. Where the card wants a target: `resource` a card kind, `vertex`, `edge` (Diplomat),
   * `hex` (Merchant), `seat` (Master Merchant, Deserter, Spy), `hexes` (Inventor: the two hexes whose number
   * tokens swap), `dice` (Alchemist, before the roll: [red, yellow]).
   */
  | {
      readonly type: 'progress';
      readonly card: number;
      readonly resource?: number;
      readonly vertex?: number;
      readonly edge?: number;
      readonly hex?: number;
      readonly seat?: number;
      readonly hexes?: readonly [number, number];
      readonly dice?: readonly [number, number];
    }
  /** Deserter: the victim's knight to take off the board. */
  | { readonly type: 'removeKnight'; readonly vertex: number }
  /** Deserter: where the player's free knight goes, or null for none. */
  | { readonly type: 'placeKnight'; readonly vertex: number | null }
  /** Commercial Harbor: the resource offered to the next seat, or null to leave that seat out. */
  | { readonly type: 'harbourOffer'; readonly resource: number | null }
  /** Commercial Harbor: the commodity (5..7) given back for the offered resource. */
  | { readonly type: 'harbourAnswer'; readonly resource: number }
  /** Master Merchant: a card kind taken from the victim's hand. */
  | { readonly type: 'takeCard'; readonly resource: number }
  /** Spy: the progress card taken from the victim, or null for none. */
  | { readonly type: 'takeProgress'; readonly card: number | null };

export type CatanActionType = CatanAction['type'];

/** Chance outcomes: the two dice, the development card drawn, the resource stolen. */
export type CatanChance =
  /** d1 is the red die; `event` (Cities & Knights) 0..2 a ship, 3 politics, 4 science, 5 trade gate. */
  | { readonly type: 'dice'; readonly d1: number; readonly d2: number; readonly event?: number }
  | { readonly type: 'progress'; readonly card: number }
  | { readonly type: 'dev'; readonly card: number }
  | { readonly type: 'steal'; readonly resource: number };

/** What happened, in order. A hidden detail (stolen resource, drawn card) is -1 in another seat's copy. */
export type CatanEvent =
  | {
      readonly type: 'built';
      readonly seat: number;
      readonly piece: 'settlement' | 'city' | 'road';
      readonly at: number;
    }
  | { readonly type: 'rolled'; readonly seat: number; readonly d1: number; readonly d2: number }
  | { readonly type: 'produced'; readonly seat: number; readonly resources: readonly number[] }
  | { readonly type: 'discarded'; readonly seat: number; readonly resource: number }
  | { readonly type: 'robber'; readonly seat: number; readonly hex: number; readonly victim: number | null }
  | { readonly type: 'stole'; readonly seat: number; readonly victim: number; readonly resource: number }
  | { readonly type: 'boughtDev'; readonly seat: number; readonly card: number }
  | { readonly type: 'playedDev'; readonly seat: number; readonly card: number }
  | { readonly type: 'monopoly'; readonly seat: number; readonly resource: number; readonly taken: readonly number[] }
  | { readonly type: 'yearOfPlenty'; readonly seat: number; readonly resources: readonly number[] }
  | {
      readonly type: 'bankTrade';
      readonly seat: number;
      readonly give: number;
      readonly count: number;
      readonly get: number;
    }
  | {
      readonly type: 'offered';
      readonly seat: number;
      readonly give: readonly number[];
      readonly get: readonly number[];
    }
  | { readonly type: 'answered'; readonly seat: number; readonly accept: boolean }
  | {
      readonly type: 'traded';
      readonly seat: number;
      readonly partner: number;
      readonly give: readonly number[];
      readonly get: readonly number[];
    }
  | { readonly type: 'offerClosed'; readonly seat: number }
  | { readonly type: 'longestRoad'; readonly seat: number; readonly length: number }
  | { readonly type: 'largestArmy'; readonly seat: number; readonly knights: number }
  | { readonly type: 'turn'; readonly seat: number; readonly turn: number }
  | { readonly type: 'ck'; readonly seat: number; readonly what: string; readonly detail?: readonly number[] }
  | { readonly type: 'end'; readonly winner: number; readonly points: readonly number[] };
