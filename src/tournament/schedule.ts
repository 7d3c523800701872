import { createRng, deriveSeed } from '../core/rng.ts';
import type { GameRecord, ScheduledGame, TournamentDefinition } from './types.ts';

/**
 * Which games a tournament plays, in rounds. Every format but Swiss is one round holding every game. Swiss
 * pairs round r from the results of rounds < r only, so the set of games (and their indices and seeds) is
 * the same with any number of workers and after any resume. A game's seed is derived in the parent from
 * (tournament seed, game index).
 */
export interface Schedule {
  readonly total: number;
  readonly rounds: number;
  /** Games of round `round`, given every finished game of the earlier rounds (keyed by index). */
  plan(round: number, finished: ReadonlyMap<number, GameRecord>): ScheduledGame[];
}

/** All k-subsets of [0, n), in lexicographic order. */
export function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick: number[] = [];
  const walk = (start: number) => {
    if (pick.length === k) {
      out.push(pick.slice());
      return;
    }
    for (let i = start; i <= n - (k - pick.length); i++) {
      pick.push(i);
      walk(i + 1);
      pick.pop();
    }
  };
  walk(0);
  return out;
}

/**
 * Game `k` of a pairing seats its bots rotated by k: with two players that alternates both seat orders, with
 * more it is a balanced rotation (every bot of the pairing sits in every seat once per `players` games).
 */
export function rotate<T>(lineup: readonly T[], k: number): T[] {
  const n = lineup.length;
  return lineup.map((_, s) => lineup[(s + k) % n]!);
}

const gameSeed = (definition: TournamentDefinition, index: number) => deriveSeed(definition.seed, index);

/**
 * The cyclic seat orders of a lineup: every order of its seats up to rotation, as the permutations that keep the
 * first entry first, the lineup itself first, then in lexicographic order of the positions ((n − 1)! orders).
 */
export function cyclicOrders<T>(lineup: readonly T[]): T[][] {
  if (lineup.length <= 2) return [lineup.slice()];
  const rest = lineup.slice(1).map((_, i) => i + 1);
  const out: T[][] = [];
  const walk = (picked: number[], left: number[]) => {
    if (left.length === 0) {
      out.push([lineup[0]!, ...picked.map((i) => lineup[i]!)]);
      return;
    }
    for (const i of left)
      walk(
        [...picked, i],
        left.filter((j) => j !== i),
      );
  };
  walk([], rest);
  return out;
}

/**
 * Game k of a pairing (seed k of it) in seat order o has index (pairing × orders + o) × games + k and the seed of
 * the pairing's game k: the orders of one seed are paired games. With one order this is the plain schedule.
 */
function pairingSchedule(definition: TournamentDefinition, pairings: readonly number[][]): Schedule {
  const games: ScheduledGame[] = [];
  pairings.forEach((lineup, pairing) => {
    const orders = definition.seatOrders === 'all' ? cyclicOrders(lineup) : [lineup];
    orders.forEach((order, o) => {
      for (let k = 0; k < definition.games; k++) {
        const index = (pairing * orders.length + o) * definition.games + k;
        const seed = gameSeed(definition, pairing * definition.games + k);
        games.push({ index, seed, round: 0, pairing, seats: rotate(order, k) });
      }
    });
  });
  return { total: games.length, rounds: 1, plan: () => games };
}

/**
 * Free-for-all: the bots are dealt round the table in order, `players` seats per game, so every bot plays
 * equally often (a bot may fill several seats when there are fewer bots than seats), and each game's lineup
 * is rotated by its index so that seats are balanced too.
 */
function ffaSchedule(definition: TournamentDefinition): Schedule {
  const n = definition.bots.length;
  const p = definition.players;
  const games: ScheduledGame[] = [];
  for (let index = 0; index < definition.games; index++) {
    const lineup = Array.from({ length: p }, (_, s) => (index * p + s) % n);
    games.push({ index, seed: gameSeed(definition, index), round: 0, pairing: 0, seats: rotate(lineup, index) });
  }
  return { total: games.length, rounds: 1, plan: () => games };
}

export function defaultSwissRounds(bots: number): number {
  return Math.max(1, Math.ceil(Math.log2(bots)));
}

/** Swiss points of each bot after the given games: 1 per game won, ½ per draw. */
function swissPoints(bots: number, records: Iterable<GameRecord>): number[] {
  const points = new Array<number>(bots).fill(0);
  for (const r of records) {
    r.seats.forEach((bot, seat) => {
      if (r.winner === seat) points[bot]! += 1;
      else if (r.winner === null && r.ranks[seat] === 1) points[bot]! += 0.5;
    });
  }
  return points;
}

/**
 * Pairs `order` (best first) into tables of two, avoiding rematches where possible: a depth-first search over
 * partners in standings order, bounded; if it finds nothing, rematches are allowed (greedy).
 */
export function pairSwiss(order: readonly number[], played: ReadonlySet<string>): [number, number][] {
  const key = (a: number, b: number) => (a < b ? `${a}/${b}` : `${b}/${a}`);
  let budget = 100_000;
  const search = (left: readonly number[]): [number, number][] | null => {
    if (left.length === 0) return [];
    const [first, ...rest] = left as [number, ...number[]];
    for (let i = 0; i < rest.length; i++) {
      if (--budget < 0) return null;
      const partner = rest[i]!;
      if (played.has(key(first, partner))) continue;
      const tail = search(rest.filter((_, j) => j !== i));
      if (tail) return [[first, partner], ...tail];
    }
    return null;
  };
  const found = search(order);
  if (found) return found;
  const greedy: [number, number][] = [];
  for (let i = 0; i + 1 < order.length; i += 2) greedy.push([order[i]!, order[i + 1]!]);
  return greedy;
}

function swissSchedule(definition: TournamentDefinition): Schedule {
  const n = definition.bots.length;
  const rounds = definition.rounds ?? defaultSwissRounds(n);
  const tables = Math.floor(n / 2);
  const perRound = tables * definition.games;
  // Ties in the standings (all of round 0) are broken by a seeded draw, the same in every run.
  const tieBreak = createRng(`${definition.seed}/swiss`).shuffle(Array.from({ length: n }, (_, i) => i));
  const tiePosition = new Array<number>(n);
  tieBreak.forEach((bot, position) => {
    tiePosition[bot] = position;
  });

  const plan = (round: number, finished: ReadonlyMap<number, GameRecord>): ScheduledGame[] => {
    const earlier: GameRecord[] = [];
    for (let i = 0; i < round * perRound; i++) {
      const r = finished.get(i);
      if (!r) throw new Error(`swiss round ${round} cannot be paired: game ${i} of an earlier round is missing`);
      earlier.push(r);
    }
    const points = swissPoints(n, earlier);
    const played = new Set<string>();
    for (const r of earlier) {
      const [a, b] = [r.seats[0]!, r.seats[1]!];
      played.add(a < b ? `${a}/${b}` : `${b}/${a}`);
    }
    // A bye is worth a won pairing; who had one follows from the pairings of the earlier rounds.
    const byes = new Set<number>();
    for (let r = 0; r < round; r++) {
      const seated = new Set(earlier.slice(r * perRound, (r + 1) * perRound).flatMap((g) => g.seats));
      for (let bot = 0; bot < n; bot++) {
        if (!seated.has(bot)) {
          byes.add(bot);
          points[bot]! += definition.games;
        }
      }
    }
    let order = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => points[b]! - points[a]! || tiePosition[a]! - tiePosition[b]!,
    );
    if (n % 2 === 1) {
      const candidates = order.filter((bot) => !byes.has(bot));
      const bye = candidates.length ? candidates[candidates.length - 1]! : order[order.length - 1]!;
      order = order.filter((bot) => bot !== bye);
    }
    const pairs = pairSwiss(order, played);
    const games: ScheduledGame[] = [];
    pairs.forEach((pair, table) => {
      for (let k = 0; k < definition.games; k++) {
        const index = round * perRound + table * definition.games + k;
        games.push({ index, seed: gameSeed(definition, index), round, pairing: table, seats: rotate(pair, k) });
      }
    });
    return games;
  };
  return { total: rounds * perRound, rounds, plan };
}

/** The schedule of a validated definition. */
export function buildSchedule(definition: TournamentDefinition): Schedule {
  const n = definition.bots.length;
  switch (definition.format) {
    case 'round-robin':
      return pairingSchedule(definition, combinations(n, definition.players));
    case 'gauntlet': {
      const challenger = definition.bots.indexOf(definition.challenger ?? definition.bots[0]!);
      return pairingSchedule(
        definition,
        combinations(n, definition.players).filter((c) => c.includes(challenger)),
      );
    }
    case 'ffa':
      return ffaSchedule(definition);
    case 'swiss':
      return swissSchedule(definition);
  }
}
