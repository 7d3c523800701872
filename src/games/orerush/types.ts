/**
 * Ore Rush types shared by the engine (src/games/orerush), the wire adapter (src/protocols/orerush) and the
 * strategies. Cells are addressed (x, y) with x the column (0 = headquarters) and y the row; flat arrays hold
 * cell (x, y) at index y * width + x. Everything is plain JSON so states hash and clone cheaply.
 */

export const ORE_KINDS = ['copper', 'iron', 'gold', 'platinum', 'indium'] as const;
export type OreKind = (typeof ORE_KINDS)[number];

/** What a robot holds: nothing, one unit of ore (by kind index 0..4), a radar or a trap. */
export type Item = null | 'radar' | 'trap' | OreKind;

export type Equipment = 'radar' | 'trap';

export interface OreRushConfig {
  readonly width: number;
  readonly height: number;
  readonly robots: number;
  readonly rounds: number;
  /** Points per unit of copper, iron, gold, platinum, indium. */
  readonly oreValues: readonly number[];
  readonly veins: number;
  readonly veinSizeMin: number;
  readonly veinSizeMax: number;
  /** Units of ore per vein cell, drawn uniformly from [oreMin, oreMax]. */
  readonly oreMin: number;
  readonly oreMax: number;
  /** Manhattan cells a robot moves per round at most. */
  readonly moveRange: number;
  /** Manhattan distance from a robot to a cell it can dig. */
  readonly digRange: number;
  readonly radarRange: number;
  readonly radarCooldown: number;
  readonly trapCooldown: number;
  /** A dig within this distance of a trap sets it off. */
  readonly trapTrigger: number;
  /** Robots, radars and traps within this distance of an exploding trap are destroyed. */
  readonly trapBlast: number;
  /** Traps within this distance of an exploding trap explode too (chain reaction). */
  readonly trapChain: number;
}

export interface Robot {
  readonly owner: number;
  /** 0-based index among its owner's robots. */
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly item: Item;
  readonly alive: boolean;
}

export interface Placed {
  readonly x: number;
  readonly y: number;
  readonly owner: number;
}

export interface Cooldowns {
  readonly radar: number;
  readonly trap: number;
}

export type Command =
  | { readonly type: 'WAIT' }
  | { readonly type: 'MOVE'; readonly x: number; readonly y: number }
  | { readonly type: 'DIG'; readonly x: number; readonly y: number }
  | { readonly type: 'REQUEST'; readonly item: Equipment };

/** One player's round: one command per own robot, by robot id (destroyed robots' commands are ignored). */
export type OreRushAction = readonly Command[];

export type OreRushEvent =
  | { readonly kind: 'explosion'; readonly x: number; readonly y: number; readonly owner: number }
  | {
      readonly kind: 'destroyed';
      readonly seat: number;
      readonly robot: number;
      readonly x: number;
      readonly y: number;
    }
  | { readonly kind: 'radarLost'; readonly seat: number; readonly x: number; readonly y: number }
  | {
      readonly kind: 'dig';
      readonly seat: number;
      readonly robot: number;
      readonly x: number;
      readonly y: number;
      readonly buried: Equipment | null;
      readonly ore: OreKind | null;
    }
  | { readonly kind: 'request'; readonly seat: number; readonly robot: number; readonly item: Equipment }
  | { readonly kind: 'blocked'; readonly seat: number; readonly robot: number; readonly x: number; readonly y: number }
  | {
      readonly kind: 'score';
      readonly seat: number;
      readonly robot: number;
      readonly ore: OreKind;
      readonly points: number;
    };

export interface OreRushState {
  readonly config: OreRushConfig;
  readonly players: number;
  /** Rounds played so far; the game is over at `config.rounds` (or when every robot is destroyed). */
  readonly round: number;
  /** Units of ore left per cell. */
  readonly ore: readonly number[];
  /** Ore kind index per cell (-1 = no vein). Never changes after setup. */
  readonly kinds: readonly number[];
  /** Bit p set when player p has dug the cell (a hole is visible to everyone, who dug it only to the digger). */
  readonly dug: readonly number[];
  /** All robots, player by player, robot by robot: robots[owner * config.robots + id]. */
  readonly robots: readonly Robot[];
  readonly radars: readonly Placed[];
  readonly traps: readonly Placed[];
  readonly cooldowns: readonly Cooldowns[];
  readonly scores: readonly number[];
  /** Everything that happened in the last round (observations filter it per player). */
  readonly events: readonly OreRushEvent[];
}

export interface EnemyView {
  readonly owner: number;
  readonly id: number;
  readonly x: number;
  readonly y: number;
}

/** What one player knows. Identical whether built by the engine or decoded from an `updte` packet. */
export interface OreRushObservation {
  readonly seat: number;
  readonly players: number;
  readonly round: number;
  readonly rounds: number;
  readonly width: number;
  readonly height: number;
  /** True once the game is over (this is the final observation). */
  readonly over: boolean;
  /** Units of ore per cell, -1 where the player has no radar vision. */
  readonly ore: readonly number[];
  /** Ore kind index per cell, -1 where unknown or where no vein is. */
  readonly kinds: readonly number[];
  /** 0 no hole, 1 a hole this player never dug (someone else did: it may hide a trap), 2 a hole it dug. */
  readonly holes: readonly number[];
  readonly radars: readonly { readonly x: number; readonly y: number }[];
  readonly traps: readonly { readonly x: number; readonly y: number }[];
  readonly cooldowns: Cooldowns;
  /** Own robots, by id (destroyed ones too, `alive: false`). */
  readonly robots: readonly Robot[];
  /** Enemy robots within the player's radar vision. */
  readonly enemies: readonly EnemyView[];
  readonly scores: readonly number[];
  /** Robots still alive per player (destructions are public). */
  readonly alive: readonly number[];
  /** The events of the last round this player was told about. */
  readonly events: readonly OreRushEvent[];
}
