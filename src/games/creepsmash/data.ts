/**
 * The numbers of the original CreepSmash (HFT Stuttgart, 2008: `common/TowerType.java`, `common/CreepType.java`), as
 * collected in shared/notes/se1-games.md. Every figure the engine uses comes from these two tables; the SE1 enum
 * names (`ROCKET`, `RACING_MAMBA`) are the wire's.
 */

/** How a tower hits: laser and slower hit the target at once; splash variants hit everything near the target. */
export type Weapon = 'laser' | 'slower' | 'slowersplash' | 'splashlaser' | 'projectile';

export const TOWER_KINDS = ['BASIC', 'SLOW', 'SPLASH', 'ROCKET', 'SPEED', 'ULTIMATE'] as const;
export type TowerKind = (typeof TOWER_KINDS)[number];

export interface TowerLevel {
  /** Price of this level (building level 1, or upgrading to this level). */
  readonly price: number;
  /** Range in pixels, centre to centre (a cell is 20 pixels). */
  readonly range: number;
  /** Ticks between two shots. */
  readonly cooldown: number;
  readonly damage: number;
  /** Splash radius in pixels around the target (0: no splash). */
  readonly splashRadius: number;
  /** Share of the damage lost at the splash radius (linear fall-off from the target). */
  readonly splashReduction: number;
  /** Speed lost while slowed (0.3 = 30% slower); 0: no slow. */
  readonly slowRate: number;
  readonly slowTicks: number;
  readonly weapon: Weapon;
}

const level = (
  price: number,
  range: number,
  cooldown: number,
  damage: number,
  weapon: Weapon,
  splashRadius = 0,
  splashReduction = 0,
  slowRate = 0,
  slowTicks = 0,
): TowerLevel => ({ price, range, cooldown, damage, splashRadius, splashReduction, slowRate, slowTicks, weapon });

/** Levels 1..4 (the ultimate tower has 2) of every tower kind. */
export const TOWERS: Readonly<Record<TowerKind, readonly TowerLevel[]>> = {
  BASIC: [
    level(50, 35, 13, 25, 'laser'),
    level(100, 40, 13, 50, 'laser'),
    level(750, 45, 13, 200, 'laser'),
    level(2000, 50, 13, 750, 'laser'),
  ],
  SLOW: [
    level(100, 35, 15, 25, 'slower', 0, 0, 0.3, 40),
    level(200, 45, 16, 50, 'slower', 0, 0, 0.35, 40),
    level(400, 50, 17, 75, 'slower', 0, 0, 0.45, 50),
    level(3000, 55, 18, 100, 'slowersplash', 25, 0.7, 0.5, 50),
  ],
  SPLASH: [
    level(250, 40, 15, 50, 'splashlaser', 35, 0.7),
    level(750, 45, 12, 200, 'splashlaser', 35, 0.7),
    level(3000, 55, 10, 400, 'splashlaser', 35, 0.6),
    level(7500, 60, 10, 1100, 'splashlaser', 35, 0.5),
  ],
  ROCKET: [
    level(1000, 50, 75, 1000, 'projectile', 25, 0.8),
    level(3000, 60, 75, 2500, 'projectile', 25, 0.8),
    level(7500, 70, 65, 7500, 'projectile', 30, 0.7),
    level(15000, 80, 60, 15000, 'projectile', 35, 0.6),
  ],
  SPEED: [
    level(1000, 50, 9, 225, 'laser'),
    level(3000, 55, 7, 450, 'laser'),
    level(7500, 60, 5, 1100, 'laser'),
    level(15000, 65, 3, 1800, 'laser'),
  ],
  ULTIMATE: [level(20000, 100, 100, 25000, 'laser'), level(50000, 150, 50, 40000, 'laser')],
};

export const CREEP_KINDS = [
  'MERCURY',
  'MAKO',
  'FAST_NOVA',
  'LARGE_MANTA',
  'DEMETER',
  'RAY',
  'SPEEDY_RAIDER',
  'BIG_TOUCAN',
  'VULTURE',
  'SHARK',
  'RACING_MAMBA',
  'HUGE_TITAN',
  'ZEUS',
  'PHOENIX',
  'EXPRESS_RAPTOR',
  'FAT_COLOSSUS',
] as const;
export type CreepKind = (typeof CREEP_KINDS)[number];

export interface CreepSpec {
  readonly price: number;
  /** Added to the sender's income for good when the creep is sent. */
  readonly income: number;
  readonly health: number;
  /** Steps per tick; a cell is 1000 steps. */
  readonly speed: number;
  /** Paid to the owner of the board where the creep is killed. */
  readonly bounty: number;
  readonly slowImmune: boolean;
  /** Health regained every tick, up to `health`. */
  readonly regen: number;
}

const creep = (price: number, income: number, health: number, speed: number, slowImmune = false, regen = 0) => ({
  price,
  income,
  health,
  speed,
  bounty: income,
  slowImmune,
  regen,
});

export const CREEPS: Readonly<Record<CreepKind, CreepSpec>> = {
  MERCURY: creep(50, 5, 300, 70),
  MAKO: creep(100, 10, 700, 65),
  FAST_NOVA: creep(250, 25, 1400, 80),
  LARGE_MANTA: creep(500, 50, 3500, 50),
  DEMETER: creep(1000, 90, 7000, 60),
  RAY: creep(2000, 180, 14000, 65, true),
  SPEEDY_RAIDER: creep(4000, 360, 30000, 90),
  BIG_TOUCAN: creep(8000, 720, 80000, 60),
  VULTURE: creep(15000, 1200, 140000, 70),
  SHARK: creep(25000, 2000, 250000, 75, true),
  RACING_MAMBA: creep(40000, 3200, 500000, 100),
  HUGE_TITAN: creep(60000, 4800, 1200000, 65),
  ZEUS: creep(100000, 7000, 1500000, 65, false, 500),
  PHOENIX: creep(200000, 14000, 2500000, 80, true),
  EXPRESS_RAPTOR: creep(400000, 28000, 6000000, 140),
  FAT_COLOSSUS: creep(1000000, 56000, 15000000, 70),
};

export const STRATEGIES = ['CLOSEST', 'FASTEST', 'STRONGEST', 'FARTHEST', 'WEAKEST'] as const;
export type TargetStrategy = (typeof STRATEGIES)[number];

/** Pixels per cell side; ranges and splash radii are in pixels. */
export const CELL_PX = 20;
/** Steps per cell; a creep's speed is in steps per tick. */
export const STEPS_PER_CELL = 1000;
/** Pixels a rocket flies per tick (the original's projectile speed is not in the notes: a decision, documented). */
export const ROCKET_PX_PER_TICK = 10;
/** A seller gets back this share of everything paid for the tower, rounded down. */
export const SELL_SHARE = 0.75;

/** Everything paid for a tower of `kind` at `level` (1-based). */
export function paidFor(kind: TowerKind, level: number): number {
  let sum = 0;
  for (let i = 0; i < level; i++) sum += TOWERS[kind][i]!.price;
  return sum;
}
