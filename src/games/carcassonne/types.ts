import type { DeckMap } from './deck.ts';

export interface CarcassonneConfig {
  /** Followers (meeples) per player; 7 in the base game. */
  readonly followers: number;
  /** Score fields at the end (3 per completed city next to a field); the base game does. */
  readonly farms: boolean;
  /** The tiles (a map, see deck.ts); absent for the base game's 72. */
  readonly deck?: DeckMap;
}

/** A tile on the board. Its segments have the global ids `seg0 .. seg0 + segments - 1`. */
export interface PlacedTile {
  readonly x: number;
  readonly y: number;
  /** Index into TILE_KINDS. */
  readonly kind: number;
  /** Quarter turns clockwise, 0..3. */
  readonly rot: number;
  readonly seg0: number;
}

/**
 * The whole game. Features are a union-find over every segment on the board (parallel arrays indexed by
 * segment id): `open` counts a city's or road's open sides (0 = completed), `occ` its followers; both are
 * kept at the root only. Everything is public in Carcassonne except the order of the deck, and the deck is
 * held as counts per kind (a draw is a chance step), so the observation is the state itself.
 */
export interface CarcassonneState {
  readonly config: CarcassonneConfig;
  readonly players: number;
  /** Tiles left in the deck, per kind. */
  readonly deck: readonly number[];
  readonly deckLeft: number;
  readonly tiles: readonly PlacedTile[];
  readonly parent: readonly number[];
  readonly open: readonly number[];
  readonly occ: readonly number[];
  /** The seat of the follower standing on each segment, or -1. */
  readonly owner: readonly number[];
  /** The tile index each segment belongs to. */
  readonly segTile: readonly number[];
  readonly scores: readonly number[];
  /** Followers in each player's supply. */
  readonly followers: readonly number[];
  /** The seat whose turn it is. */
  readonly current: number;
  /** The kind drawn for this turn, or -1 before the draw. */
  readonly drawn: number;
  /** Kinds drawn that fitted nowhere and were put out of the game, in draw order. */
  readonly discarded: readonly number[];
  /** Turns completed (tiles placed by players). */
  readonly turn: number;
  readonly over: boolean;
}

export type CarcassonneObservation = CarcassonneState;

/** One turn: where the drawn tile goes and, optionally, the segment of it that gets a follower. */
export interface CarcassonneAction {
  readonly x: number;
  readonly y: number;
  readonly rot: number;
  /** Segment index on the placed tile (see TILE_KINDS), or null for no follower. */
  readonly meeple: number | null;
}

/** A chance step draws one tile: the kind index. */
export type CarcassonneChance = number;

export type FeatureType = 'city' | 'road' | 'cloister' | 'field';

export type CarcassonneEvent =
  | { readonly type: 'drawn'; readonly seat: number; readonly kind: number }
  | { readonly type: 'discarded'; readonly seat: number; readonly kind: number }
  | {
      readonly type: 'placed';
      readonly seat: number;
      readonly x: number;
      readonly y: number;
      readonly kind: number;
      readonly rot: number;
      readonly meeple: number | null;
    }
  | {
      readonly type: 'scored';
      readonly feature: FeatureType;
      /** True for end-of-game scoring of an incomplete feature or a field. */
      readonly final: boolean;
      readonly tiles: number;
      readonly points: number;
      /** Seats with the most followers on it; each gets `points`. */
      readonly seats: readonly number[];
      /** Followers that went back to their owners' supply, per seat. */
      readonly returned: readonly number[];
    }
  | { readonly type: 'end'; readonly scores: readonly number[] };
