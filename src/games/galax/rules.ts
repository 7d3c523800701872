/**
 * The Galax 0.22 rules that the engine, the wire server and the strategies all share: travel time, the volley
 * formula and MOVE validation. Everything is integer arithmetic on tenths of a year, so that no float rounding
 * can ever decide a result and every implementation of the protocol can reproduce it exactly.
 */
import type { GalaxState, Move, Planet, PlayerId, Volley } from './types.ts';

/** Tenths of a year per year (time unit of the whole engine). */
export const TENTHS = 10;

/**
 * Trip duration in tenths of a year between two positions: the smallest n >= 1 with (2n)^2 >= 100*(dx^2+dy^2),
 * i.e. ceil(distance / speed) at speed 2 per year, computed without a square root so that it is exact. A fleet
 * never arrives in the same instant it leaves (n >= 1), even between planets on the same cell.
 */
export function travelTenths(dx: number, dy: number): number {
  const target = 100 * (dx * dx + dy * dy);
  // A float square root lands on n or one off; the two integer loops make the answer exact for any input.
  let n = Math.max(1, Math.ceil(Math.sqrt(target) / 2));
  while (n > 1 && 4 * (n - 1) * (n - 1) >= target) n--;
  while (4 * n * n < target) n++;
  return n;
}

/** Trip duration in tenths of a year from planet `a` to planet `b`. */
export function travelTime(a: Pick<Planet, 'x' | 'y'>, b: Pick<Planet, 'x' | 'y'>): number {
  return travelTenths(a.x - b.x, a.y - b.y);
}

/**
 * A trip shorter than one year is a surprise attack when the config's `surprise` rule is on: the attacker then
 * fires first. Exactly one year (10 tenths) is not a surprise.
 */
export function isSurprise(surpriseRule: boolean, tripTenths: number): boolean {
  return surpriseRule && tripTenths < TENTHS;
}

/** Ships a side of `n` ships destroys in one volley against `enemy` ships: min(enemy, max(1, floor(n/2))). */
export function volleyKills(n: number, enemy: number): number {
  const k = n >> 1 || 1;
  return Math.min(k, enemy);
}

/**
 * Runs a battle between `att` arriving ships and a garrison of `def` ships. Volleys alternate, the defender first
 * unless `attackerFirst`. Returns the survivors of each side (exactly one is 0, unless both started at 0);
 * `volleys`, when given, receives each volley with the counts after it. A garrison of 0 means no volley at all.
 */
export function fight(
  att: number,
  def: number,
  attackerFirst: boolean,
  volleys?: Volley[],
): { attShips: number; defShips: number } {
  let a = att;
  let d = def;
  let attackerTurn = attackerFirst;
  while (a > 0 && d > 0) {
    if (attackerTurn) {
      const killed = volleyKills(a, d);
      d -= killed;
      volleys?.push({ who: 1, surprise: attackerFirst, killed, attShips: a, defShips: d });
    } else {
      const killed = volleyKills(d, a);
      a -= killed;
      volleys?.push({ who: 0, surprise: attackerFirst, killed, attShips: a, defShips: d });
    }
    attackerTurn = !attackerTurn;
  }
  return { attShips: a, defShips: d };
}

/**
 * Survivors on the attacker's side of a battle (0 = the attack fails), without recording volleys. Strategies use
 * it to size attacks; it is the same loop as `fight`, so the estimate is the rule.
 */
export function attackSurvivors(att: number, def: number, attackerFirst: boolean): number {
  return fight(att, def, attackerFirst).attShips;
}

/** The smallest fleet that takes a garrison of `def` ships (and keeps at least one survivor). */
export function shipsToConquer(def: number, attackerFirst: boolean): number {
  if (def <= 0) return 1;
  // Survivors grow monotonically with the attacking force, so a binary search over [1, 4*def+2] is exact:
  // 4*def+2 ships always win (the defender can at most halve them before they wipe it out).
  let lo = 1;
  let hi = 4 * def + 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (attackSurvivors(mid, def, attackerFirst) > 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const isIndex = (value: unknown, length: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < length;

/**
 * Checks one MOVE of `player` against the state and the moves of this phase it has already had accepted
 * (`count` first entries of `accepted`). Returns null when legal, else a reason prefixed with the wire error
 * class: `ERRP:` the player may not do that (dead, game over, someone else's planet); `ERRM:` the move itself is
 * wrong (no such planet, from = to, ships not a whole number >= 1, not enough ships left on the planet).
 * `ERRC:` only for a value that is not a move object at all, which the wire codec rejects before this is reached.
 */
export function checkMove(
  state: GalaxState,
  player: PlayerId,
  accepted: readonly Move[],
  count: number,
  move: Move,
): string | null {
  if (state.winner !== null) return 'ERRP: the game is over';
  if (!(player >= 1 && player <= state.players) || !state.alive[player - 1]) {
    return `ERRP: player ${player} is not alive in this game`;
  }
  if (typeof move !== 'object' || move === null) return 'ERRC: a move must be an object {from, to, ships}';
  const { from, to, ships } = move;
  const planets = state.planets;
  if (!isIndex(from, planets.length))
    return `ERRM: no such planet ${String(from)} (planets are 0..${planets.length - 1})`;
  const source = planets[from]!;
  if (source.owner !== player) return `ERRP: planet ${from} is not yours`;
  if (!isIndex(to, planets.length)) return `ERRM: no such planet ${String(to)} (planets are 0..${planets.length - 1})`;
  if (from === to) return `ERRM: from and to are the same planet ${from}`;
  if (typeof ships !== 'number' || !Number.isInteger(ships) || ships < 1) {
    return `ERRM: ships must be a whole number of at least 1, got ${String(ships)}`;
  }
  let sent = 0;
  for (let i = 0; i < count; i++) {
    const m = accepted[i]!;
    if (m.from === from) sent += m.ships;
  }
  if (sent + ships > source.ships) {
    return sent > 0
      ? `ERRM: not enough ships on planet ${from}: ${source.ships} there, ${sent} already sent, ${ships} asked`
      : `ERRM: not enough ships on planet ${from}: ${source.ships} there, ${ships} asked`;
  }
  return null;
}

/**
 * The check the wire server runs for each MOVE line, and the engine's `validate` runs for each move of an
 * action: one rule, one place. `alreadyAccepted` are this player's moves accepted earlier in the same phase.
 */
export function validateMove(
  state: GalaxState,
  player: PlayerId,
  alreadyAccepted: readonly Move[],
  move: Move,
): string | null {
  return checkMove(state, player, alreadyAccepted, alreadyAccepted.length, move);
}

/** `YEAR`-style time: tenths to a float with one decimal, e.g. 45 -> "4.5" (as on the wire). */
export function formatYear(tenths: number): string {
  const sign = tenths < 0 ? '-' : '';
  const t = Math.abs(tenths);
  return `${sign}${Math.floor(t / TENTHS)}.${t % TENTHS}`;
}
