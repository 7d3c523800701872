import type { CreepKind, TargetStrategy, TowerKind } from './data.ts';
import type { CreepMap } from './map.ts';

export type { CreepKind, TargetStrategy, TowerKind } from './data.ts';

export interface CreepSmashConfig {
  /** The board every player gets; absent: the default map (map.ts). */
  readonly map?: CreepMap;
  readonly startCredits: number;
  readonly startIncome: number;
  readonly lives: number;
  /** Income is paid every this many ticks, first at this tick; nothing can be built or sent before it. */
  readonly incomeTicks: number;
  /** Lockstep delay: a command submitted at tick t takes effect at tick t + delayTicks. */
  readonly delayTicks: number;
  /** The game ends here at the latest (ranked by lives); 36,000 ticks are 30 minutes at 20 ticks a second. */
  readonly maxTicks: number;
  /** Commands one player may submit in one tick. */
  readonly maxCommands: number;
  /** Real-time length of a tick on a server (the engine itself has no clock). */
  readonly tickMs: number;
}

/** Board positions on the table; creeps travel TL → TR → BR → BL. */
export const TILES = ['TL', 'TR', 'BR', 'BL'] as const;

export type Command =
  /** Before the game: the board position (0 TL, 1 TR, 2 BR, 3 BL). */
  | { readonly kind: 'tile'; readonly tile: number }
  | { readonly kind: 'build'; readonly tower: TowerKind; readonly x: number; readonly y: number }
  /** To the next level; `level`, when given, must be that next level (SE1 UPGRADE_TOWER names it). */
  | { readonly kind: 'upgrade'; readonly x: number; readonly y: number; readonly level?: number }
  | { readonly kind: 'sell'; readonly x: number; readonly y: number }
  | { readonly kind: 'strategy'; readonly x: number; readonly y: number; readonly strategy: TargetStrategy }
  | { readonly kind: 'send'; readonly creep: CreepKind };

/** What a player does in one tick: usually nothing. */
export type CreepSmashAction = readonly Command[];

export interface PlayerState {
  readonly credits: number;
  readonly income: number;
  readonly lives: number;
  readonly alive: boolean;
  /** Board position, 0..3 (TILES). */
  readonly tile: number;
  /** The tick this player's lives ran out, or -1. */
  readonly diedAt: number;
}

/** Towers stand on their owner's board at a cell; a cell holds at most one. */
export interface Tower {
  readonly id: number;
  readonly board: number;
  readonly kind: TowerKind;
  /** 1-based. */
  readonly level: number;
  readonly x: number;
  readonly y: number;
  readonly strategy: TargetStrategy;
  /** The first tick it may fire again. */
  readonly readyAt: number;
  /** Everything paid for it (build and upgrades): a sale refunds 75% of this. */
  readonly paid: number;
}

export interface Creep {
  readonly id: number;
  readonly kind: CreepKind;
  /** The seat whose board it is crossing now. */
  readonly board: number;
  readonly sender: number;
  readonly hp: number;
  /** Steps along the board's path (1000 a cell). */
  readonly progress: number;
  readonly slowRate: number;
  /** Slowed while tick < slowUntil. */
  readonly slowUntil: number;
}

export interface Rocket {
  readonly id: number;
  readonly board: number;
  readonly target: number;
  /** Where the target was when the rocket left: it explodes there if the target is gone. */
  readonly x: number;
  readonly y: number;
  readonly arrives: number;
  readonly damage: number;
  readonly radius: number;
  readonly reduction: number;
}

export interface PendingCommand {
  /** The tick it takes effect. */
  readonly at: number;
  readonly seat: number;
  readonly command: Command;
}

/** Full information: every command is broadcast with the tick it takes effect, so the observation is the state. */
export interface CreepSmashState {
  readonly config: CreepSmashConfig;
  readonly players: number;
  readonly phase: 'choose' | 'play' | 'over';
  /** The next tick to run (0 before the first). */
  readonly tick: number;
  readonly seats: readonly PlayerState[];
  readonly towers: readonly Tower[];
  readonly creeps: readonly Creep[];
  readonly rockets: readonly Rocket[];
  /** Commands waiting for their tick, in the order they were submitted. */
  readonly pending: readonly PendingCommand[];
  readonly nextId: number;
}

export interface CreepSmashObservation {
  readonly seat: number;
  readonly state: CreepSmashState;
}

export type CreepSmashEvent =
  | { readonly type: 'tile'; readonly seat: number; readonly tile: number }
  | { readonly type: 'income'; readonly seat: number; readonly amount: number }
  | {
      readonly type: 'built';
      readonly seat: number;
      readonly tower: number;
      readonly kind: TowerKind;
      readonly x: number;
      readonly y: number;
    }
  | { readonly type: 'upgraded'; readonly seat: number; readonly tower: number; readonly level: number }
  | { readonly type: 'sold'; readonly seat: number; readonly tower: number; readonly refund: number }
  | { readonly type: 'strategy'; readonly seat: number; readonly tower: number; readonly strategy: TargetStrategy }
  | {
      readonly type: 'sent';
      readonly seat: number;
      readonly creep: number;
      readonly kind: CreepKind;
      readonly board: number;
    }
  | { readonly type: 'rejected'; readonly seat: number; readonly command: Command; readonly reason: string }
  | { readonly type: 'shot'; readonly tower: number; readonly creep: number }
  | { readonly type: 'leaked'; readonly creep: number; readonly board: number; readonly lives: number }
  | { readonly type: 'passed'; readonly creep: number; readonly from: number; readonly board: number }
  | { readonly type: 'killed'; readonly creep: number; readonly board: number; readonly bounty: number }
  | { readonly type: 'died'; readonly seat: number }
  | { readonly type: 'over'; readonly tick: number };
