/**
 * Galax 0.22 types shared by the engine (src/games/galax) and the wire adapter (src/protocols/galax).
 * Player ids are Galax's own, 1-based (seat = player id - 1); owner 0 is an independent planet.
 * Time is held in tenths of a year as an integer (YEAR 3.0 = 30), so no float ever decides a result.
 */

export type PlayerId = number;

export type Visibility = 'full' | 'fog';

export interface GalaxConfig {
  readonly width: number;
  readonly height: number;
  /** Total planets, home planets included (one per player). */
  readonly planets: number;
  /** The game ends when the year reaches this value. */
  readonly maxYear: number;
  /** Server only: a move phase ends after this long for players that have not sent DONE. */
  readonly moveTimeoutMs: number;
  /** When true, a fleet whose trip took under one year fires first (`issurprise=1`). */
  readonly surprise: boolean;
  /** `full`: every planet's ships and production are shown; `fog`: only for the viewer's own planets. */
  readonly visibility: Visibility;
  readonly homeShips: number;
  readonly homeProduction: number;
  readonly neutralShipsMin: number;
  readonly neutralShipsMax: number;
  readonly neutralProductionMin: number;
  readonly neutralProductionMax: number;
}

export interface Planet {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly owner: PlayerId;
  readonly ships: number;
  readonly production: number;
}

/** A planet as one player sees it: ships and production are -1 where unknown (as on the wire). */
export type PlanetView = Planet;

export interface Fleet {
  /** Order of resolution among fleets arriving at the same time: (player id, order of that player's MOVEs). */
  readonly id: number;
  readonly owner: PlayerId;
  readonly from: number;
  readonly to: number;
  readonly ships: number;
  /** Arrival time in tenths of a year. */
  readonly arrival: number;
}

export type OwnFleet = Pick<Fleet, 'from' | 'to' | 'ships' | 'arrival'>;

export interface Move {
  readonly from: number;
  readonly to: number;
  readonly ships: number;
}

/** One player's whole move phase: the MOVEs it sends before DONE (empty = DONE at once). */
export type GalaxAction = readonly Move[];

export interface Volley {
  /** 1 = the attacker fires, 0 = the defender fires. */
  readonly who: 0 | 1;
  readonly surprise: boolean;
  readonly killed: number;
  /** Ships left on each side after this volley. */
  readonly attShips: number;
  readonly defShips: number;
}

/** What the battle phase reports, in order; each maps to wire lines (BATT+ATTK*+BWIN, FORT, KILL, WINN). */
export type GalaxEvent =
  | {
      readonly kind: 'battle';
      readonly planet: number;
      readonly time: number;
      readonly attacker: PlayerId;
      readonly attShips: number;
      readonly defender: PlayerId;
      readonly defShips: number;
      readonly volleys: readonly Volley[];
      readonly winner: PlayerId;
      readonly ships: number;
    }
  | {
      readonly kind: 'fort';
      readonly planet: number;
      readonly player: PlayerId;
      readonly ships: number;
      readonly time: number;
    }
  | { readonly kind: 'kill'; readonly player: PlayerId }
  | { readonly kind: 'winner'; readonly player: PlayerId };

export interface GalaxState {
  readonly config: GalaxConfig;
  readonly players: number;
  /** Current year in tenths; a move phase is open at this time unless the game is over. */
  readonly year: number;
  readonly planets: readonly Planet[];
  readonly fleets: readonly Fleet[];
  /** alive[i] for player id i+1. */
  readonly alive: readonly boolean[];
  /** The events of the last battle phase (all of them; observations filter by visibility). */
  readonly reports: readonly GalaxEvent[];
  /** null while playing; the WINN id once over (0 = draw). */
  readonly winner: PlayerId | null;
}

export interface GalaxObservation {
  readonly player: PlayerId;
  readonly players: number;
  readonly width: number;
  readonly height: number;
  readonly year: number;
  readonly planets: readonly PlanetView[];
  /**
   * The viewer's own fleets in flight, in the order it sent them (it learnt them from MVOK; fleet ids are
   * not on the wire); other players' fleets are hidden.
   */
  readonly fleets: readonly OwnFleet[];
  /** Events of the last battle phase that this player was told about. */
  readonly events: readonly GalaxEvent[];
}
