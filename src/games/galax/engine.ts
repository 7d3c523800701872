import type { GameEngine, GameResult, Seat, StepActions, ToAct } from '../../core/engine.ts';
import type { Rng } from '../../core/rng.ts';
import { defaultConfig, parseConfig } from './config.ts';
import { generatePlanets } from './map.ts';
import { checkMove, fight, formatYear, isSurprise, TENTHS, travelTime } from './rules.ts';
import type {
  Fleet,
  GalaxAction,
  GalaxConfig,
  GalaxEvent,
  GalaxObservation,
  GalaxState,
  Move,
  OwnFleet,
  Planet,
  PlayerId,
  Visibility,
  Volley,
} from './types.ts';

/**
 * Galax 0.22 as a pure engine (rules: docs/protocols/galax.md and the "Decision: rules" note). One step is one
 * year: every alive player's moves at once, then the battle phase up to the next year. The wire server is this
 * engine plus the protocol; it never re-implements a rule.
 */

export function setup(config: GalaxConfig, players: number, rng: Rng): GalaxState {
  if (players < 2 || players > 8) throw new RangeError(`galax takes 2 to 8 players, got ${players}`);
  return {
    config,
    players,
    year: 0,
    planets: generatePlanets(config, players, rng),
    fleets: [],
    alive: new Array<boolean>(players).fill(true),
    reports: [],
    winner: null,
  };
}

export function toAct(state: GalaxState): ToAct {
  if (state.winner !== null) return { kind: 'terminal' };
  const seats: Seat[] = [];
  for (let i = 0; i < state.players; i++) if (state.alive[i]) seats.push(i);
  return { kind: 'players', seats };
}

/**
 * null when every move of `action` is legal for `seat` (each checked against the moves before it, so the ships sent
 * from one planet add up), else the first failing move's reason with its wire error prefix (ERRP/ERRM/ERRC).
 * Doing nothing is always legal, even for a player who is out.
 */
export function validate(state: GalaxState, seat: Seat, action: GalaxAction): string | null {
  if (!Array.isArray(action)) return 'ERRC: an action must be an array of moves';
  for (let i = 0; i < action.length; i++) {
    const reason = checkMove(state, seat + 1, action, i, action[i] as Move);
    if (reason !== null) return action.length > 1 ? `${reason} (move ${i + 1} of ${action.length})` : reason;
  }
  return null;
}

const byArrivalThenId = (a: Fleet, b: Fleet) => a.arrival - b.arrival || a.id - b.id;

/**
 * One year. Order of work, every piece deterministic:
 * 1. fleets are created in order of player id, then of that player's moves; ids are consecutive in that order and
 *    above every fleet still in flight (only the relative order of fleets in flight matters, so the counter is
 *    "last id in flight + 1" and needs no extra state); the ships leave their planet at once;
 * 2. every fleet arriving in (Y, Y+1 year] is resolved in order (arrival, fleet id): reinforcement of its owner's
 *    planet (FORT) or a battle alone against the garrison;
 * 3. every player-owned planet adds its production (independents never grow);
 * 4. players with no planet and no fleet in flight are eliminated (ascending id);
 * 5. the game ends when at most one player is left, or when the year reaches maxYear (most ships wins, a tie = 0).
 */
export function apply(state: GalaxState, step: StepActions<GalaxAction, never>, events?: GalaxEvent[]): GalaxState {
  if (state.winner !== null) throw new Error('galax: the game is over');
  if (step.kind !== 'players') throw new Error('galax has no chance steps');
  const { config, planets: before, players } = state;
  const year = state.year;
  const next = year + TENTHS;
  const n = before.length;
  const owner: number[] = [];
  const ships: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = before[i]!;
    owner.push(p.owner);
    ships.push(p.ships);
  }

  // 1. New fleets.
  const old = state.fleets;
  let nextId = old.length > 0 ? old[old.length - 1]!.id + 1 : 0;
  let fleets: Fleet[] | null = null;
  for (let seat = 0; seat < players; seat++) {
    if (!state.alive[seat]) continue;
    const action = step.actions.get(seat);
    if (!action || action.length === 0) continue;
    if (fleets === null) fleets = old.slice();
    for (const m of action) {
      ships[m.from] = ships[m.from]! - m.ships;
      fleets.push({
        id: nextId++,
        owner: seat + 1,
        from: m.from,
        to: m.to,
        ships: m.ships,
        arrival: year + travelTime(before[m.from]!, before[m.to]!),
      });
    }
  }
  const all: readonly Fleet[] = fleets ?? old;

  // 2. Arrivals. Every fleet in flight arrives after `year` (trips take at least one tenth).
  let arriving: Fleet[] | null = null;
  let staying: Fleet[] | null = null;
  for (let i = 0; i < all.length; i++) {
    const f = all[i]!;
    if (f.arrival <= next) {
      if (arriving === null) {
        arriving = [];
        staying = all.slice(0, i);
      }
      arriving.push(f);
    } else staying?.push(f);
  }
  const inFlight: readonly Fleet[] = staying ?? all;
  const reports: GalaxEvent[] = [];
  if (arriving !== null) {
    if (arriving.length > 1) arriving.sort(byArrivalThenId);
    for (const f of arriving) {
      const at = f.to;
      const defender = owner[at]!;
      if (defender === f.owner) {
        ships[at] = ships[at]! + f.ships;
        reports.push({ kind: 'fort', planet: at, player: f.owner, ships: ships[at]!, time: f.arrival });
        continue;
      }
      const defShips = ships[at]!;
      const volleys: Volley[] = [];
      const attackerFirst = isSurprise(config.surprise, travelTime(before[f.from]!, before[at]!));
      const left = fight(f.ships, defShips, attackerFirst, volleys);
      const won = left.attShips > 0;
      if (won) owner[at] = f.owner;
      ships[at] = won ? left.attShips : left.defShips;
      reports.push({
        kind: 'battle',
        planet: at,
        time: f.arrival,
        attacker: f.owner,
        attShips: f.ships,
        defender,
        defShips,
        volleys,
        winner: won ? f.owner : defender,
        ships: ships[at]!,
      });
    }
  }

  // 3. Production, and the new planet list (untouched planets keep their object).
  const planets: Planet[] = [];
  // present[id]: player id still owns a planet or a fleet in flight.
  const present: boolean[] = [];
  for (let i = 0; i <= players; i++) present.push(false);
  for (let i = 0; i < inFlight.length; i++) present[inFlight[i]!.owner] = true;
  for (let i = 0; i < n; i++) {
    const p = before[i]!;
    const o = owner[i]!;
    const s = o === 0 ? ships[i]! : ships[i]! + p.production;
    present[o] = true;
    planets.push(
      o === p.owner && s === p.ships ? p : { id: p.id, x: p.x, y: p.y, owner: o, ships: s, production: p.production },
    );
  }

  // 4. Eliminations.
  let alive: readonly boolean[] = state.alive;
  let aliveCount = 0;
  for (let seat = 0; seat < players; seat++) {
    if (!state.alive[seat]) continue;
    const id = seat + 1;
    if (present[id]) {
      aliveCount++;
      continue;
    }
    if (alive === state.alive) alive = state.alive.slice();
    (alive as boolean[])[seat] = false;
    reports.push({ kind: 'kill', player: id });
  }

  // 5. End of the game.
  let winner: PlayerId | null = null;
  if (aliveCount <= 1) {
    winner = aliveCount === 1 ? alive.indexOf(true) + 1 : 0;
  } else if (next >= config.maxYear * TENTHS) {
    winner = mostShips(shipsPerPlayer(players, planets, inFlight));
  }
  if (winner !== null) reports.push({ kind: 'winner', player: winner });
  if (events) for (const e of reports) events.push(e);
  return {
    config,
    players,
    year: next,
    planets,
    fleets: inFlight,
    alive,
    reports,
    winner,
  };
}

/** Ships per seat: on its planets plus in its fleets in flight. */
export function shipsPerPlayer(players: number, planets: readonly Planet[], fleets: readonly Fleet[]): number[] {
  const total = new Array<number>(players).fill(0);
  for (const p of planets) if (p.owner > 0) total[p.owner - 1]! += p.ships;
  for (const f of fleets) total[f.owner - 1]! += f.ships;
  return total;
}

/** The player id with strictly the most ships, or 0 when the most is shared (a draw). */
function mostShips(total: readonly number[]): PlayerId {
  let best = -1;
  let who = 0;
  for (let i = 0; i < total.length; i++) {
    if (total[i]! > best) {
      best = total[i]!;
      who = i + 1;
    } else if (total[i] === best) who = 0;
  }
  return who;
}

/**
 * Scores are ships per seat at the end; ranks order alive players above eliminated ones, then by ships, tied seats
 * sharing a rank (1 + the number of seats strictly better).
 */
export function result(state: GalaxState): GameResult | null {
  if (state.winner === null) return null;
  const scores = shipsPerPlayer(state.players, state.planets, state.fleets);
  const key = scores.map((s, i) => (state.alive[i] ? 1 : 0) * 1e12 + s);
  const ranks = key.map((k) => 1 + key.filter((other) => other > k).length);
  return { scores, ranks, winner: state.winner === 0 ? null : state.winner - 1 };
}

/**
 * Events `seat` is told about. Full visibility: all. Fog: battles it attacked or defended, its own
 * reinforcements, and every KILL and WINN.
 */
export function visibleEvents(events: readonly GalaxEvent[], seat: Seat, visibility: Visibility): GalaxEvent[] {
  if (visibility === 'full') return events as GalaxEvent[];
  const id = seat + 1;
  return events.filter((e) => {
    switch (e.kind) {
      case 'battle':
        return e.attacker === id || e.defender === id;
      case 'fort':
        return e.player === id;
      default:
        return true;
    }
  });
}

/**
 * What player `seat + 1` sees. Owner and position of every planet are public; with fog, ships and production of
 * planets it does not own are -1 (as on the wire). Only its own fleets, in the order sent. The arrays may be the
 * state's own (states are immutable), which keeps observing allocation-free in the common case.
 */
export function observe(state: GalaxState, seat: Seat): GalaxObservation {
  const id = seat + 1;
  const fog = state.config.visibility === 'fog';
  const planets = fog
    ? state.planets.map((p) =>
        p.owner === id ? p : { id: p.id, x: p.x, y: p.y, owner: p.owner, ships: -1, production: -1 },
      )
    : state.planets;
  const fleets: OwnFleet[] = [];
  const all = state.fleets;
  for (let i = 0; i < all.length; i++) {
    const f = all[i]!;
    if (f.owner === id) fleets.push({ from: f.from, to: f.to, ships: f.ships, arrival: f.arrival });
  }
  return {
    player: id,
    players: state.players,
    width: state.config.width,
    height: state.config.height,
    year: state.year,
    planets,
    fleets,
    events: visibleEvents(state.reports, seat, state.config.visibility),
  };
}

/**
 * A full state consistent with `observation`, for search bots. Reads the observation, the config and `rng` only.
 * Unknown ships and production are sampled within the config ranges: an independent as at set-up (it never grows);
 * another player's planet production as a home (planet id < players) or an independent, its ships anywhere from
 * the independent minimum to the independent maximum plus a home's start. Other players' fleets are unknown and
 * left out; the viewer's fleets get ids in the order sent. A player counts as alive when it owns a planet (or is
 * the viewer with fleets in flight).
 */
export function determinize(observation: GalaxObservation, seat: Seat, config: GalaxConfig, rng: Rng): GalaxState {
  const id = seat + 1;
  const players = observation.players;
  const planets: Planet[] = observation.planets.map((p) => {
    if (p.ships >= 0 && p.production >= 0) return p;
    const production =
      p.production >= 0
        ? p.production
        : p.owner !== 0 && p.id < players
          ? config.homeProduction
          : rng.int(config.neutralProductionMin, config.neutralProductionMax);
    const ships =
      p.ships >= 0
        ? p.ships
        : p.owner === 0
          ? rng.int(config.neutralShipsMin, config.neutralShipsMax)
          : rng.int(config.neutralShipsMin, config.neutralShipsMax + config.homeShips);
    return { id: p.id, x: p.x, y: p.y, owner: p.owner, ships, production };
  });
  const fleets: Fleet[] = observation.fleets.map((f, i) => ({
    id: i,
    owner: id,
    from: f.from,
    to: f.to,
    ships: f.ships,
    arrival: f.arrival,
  }));
  const alive = new Array<boolean>(players).fill(false);
  for (const p of planets) if (p.owner > 0) alive[p.owner - 1] = true;
  if (fleets.length > 0) alive[seat] = true;
  let winner: PlayerId | null = null;
  for (const e of observation.events) if (e.kind === 'winner') winner = e.player;
  return {
    config,
    players,
    year: observation.year,
    planets,
    fleets,
    alive,
    reports: observation.events,
    winner,
  };
}

/** botswarm numbers players by 0-based seat everywhere (Galax player id k on the wire is seat k - 1). */
const who = (player: PlayerId) => (player === 0 ? 'independent' : `seat ${player - 1}`);

/** Readable lines for `botswarm replay`: the moves of the year, then each report of its battle phase. */
export function describeStep(
  before: GalaxState,
  step: StepActions<GalaxAction, never>,
  events: readonly GalaxEvent[],
  _after: GalaxState,
): string[] {
  const lines: string[] = [];
  const at = `year ${formatYear(before.year)}:`;
  if (step.kind === 'players') {
    const seats = [...step.actions.keys()].sort((a, b) => a - b);
    for (const seat of seats) {
      for (const m of step.actions.get(seat)!) {
        const arrival = before.year + travelTime(before.planets[m.from]!, before.planets[m.to]!);
        lines.push(
          `${at} seat ${seat} sends ${m.ships} ship${m.ships === 1 ? '' : 's'} ${m.from} -> ${m.to} (arrives ${formatYear(arrival)})`,
        );
      }
    }
  }
  for (const e of events) {
    switch (e.kind) {
      case 'battle': {
        const surprise = e.volleys[0]?.surprise ? ' (surprise)' : '';
        const outcome =
          e.winner === e.attacker
            ? `${who(e.attacker)} takes it with ${e.ships}`
            : `${who(e.defender)} holds it with ${e.ships}`;
        lines.push(
          `year ${formatYear(e.time)}: battle at planet ${e.planet}${surprise}: ${who(e.attacker)} ${e.attShips} vs ${who(e.defender)} ${e.defShips} -> ${outcome}`,
        );
        break;
      }
      case 'fort':
        lines.push(`year ${formatYear(e.time)}: ${who(e.player)} reinforces planet ${e.planet} to ${e.ships}`);
        break;
      case 'kill':
        lines.push(`${who(e.player)} eliminated`);
        break;
      case 'winner':
        lines.push(e.player === 0 ? 'draw' : `${who(e.player)} wins`);
        break;
    }
  }
  return lines;
}

export const galaxEngine: GameEngine<GalaxState, GalaxAction, GalaxObservation, GalaxConfig, never, GalaxEvent> = {
  id: 'galax',
  version: '0.22.0',
  minPlayers: 2,
  maxPlayers: 8,
  defaultConfig,
  parseConfig,
  setup,
  toAct,
  validate,
  defaultAction: () => [],
  apply,
  observe,
  // No `visibleEvents` member: the interface's form has no config to tell fog from full visibility; the exported
  // `visibleEvents(events, seat, visibility)` is the one to use, and `observe` applies it.
  result,
  determinize,
  describeStep,
};
