import { ordinal, rate, rating } from 'openskill';
import type { GameRecord, TournamentDefinition } from './types.ts';

export interface BotStanding {
  /** 1 = best, by ordinal (μ − 3σ). */
  readonly rank: number;
  readonly bot: string;
  readonly ordinal: number;
  readonly mu: number;
  readonly sigma: number;
  readonly games: number;
  readonly wins: number;
  readonly draws: number;
  readonly losses: number;
  /** (wins + ½ draws) / games. */
  readonly scoreRate: number;
  readonly avgScore: number;
  readonly avgRank: number;
  readonly invalidActions: number;
  /** Games this bot forfeited (each counted as a loss below every other seat). */
  readonly forfeits: number;
}

/** Forfeited games of a kind, with a few of their reasons as written. */
export interface ForfeitSummary {
  readonly kind: 'error' | 'timeout' | 'illegal';
  readonly games: number;
  /** Distinct reasons, at most five, each with how many forfeits gave it. */
  readonly reasons: readonly { readonly bot: string; readonly reason: string; readonly count: number }[];
}

/** Head-to-head of two bots over every game where both sat (in a multi-player game: who ranked better). */
export interface PairStanding {
  readonly a: string;
  readonly b: string;
  readonly games: number;
  readonly aWins: number;
  readonly draws: number;
  readonly bWins: number;
  /** a's score rate (wins + ½ draws) / games, with its Wilson 95% interval. */
  readonly aScoreRate: number;
  readonly aScoreRateLow: number;
  readonly aScoreRateHigh: number;
  readonly aAvgScore: number;
  readonly bAvgScore: number;
}

export interface Standings {
  readonly tournament: TournamentDefinition;
  readonly deterministic: boolean;
  readonly gamesPlayed: number;
  readonly gamesTotal: number;
  readonly complete: boolean;
  readonly bots: readonly BotStanding[];
  readonly pairs: readonly PairStanding[];
  /** Games in which a seat forfeited. */
  readonly forfeitedGames: number;
  /** Forfeits by kind, for the summary under the table. */
  readonly forfeits: readonly ForfeitSummary[];
}

/** Wilson score interval for a proportion p̂ over n trials (z = 1.96 for 95%). */
export function wilson(successes: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const round = (x: number, digits = 4) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/**
 * Ratings and tables from the finished games, taken in game-index order so that they are the same whatever
 * the number of workers and the order results arrived in. Each seat is a one-player team for openskill; a
 * bot filling several seats of one game (free-for-all with fewer bots than seats) gets the mean of its
 * seats' updated ratings.
 */
export function computeStandings(
  definition: TournamentDefinition,
  records: Iterable<GameRecord>,
  totalGames: number,
  deterministic = definition.timeLimitMs === undefined,
  /** Called after each game's rating update (in game-index order) with every bot's rating: the rating history. */
  onRated?: (gamesRated: number, ratings: readonly { readonly mu: number; readonly sigma: number }[]) => void,
): Standings {
  const games = [...records].sort((x, y) => x.index - y.index);
  const n = definition.bots.length;
  let ratings = definition.bots.map(() => rating());
  const tally = definition.bots.map(() => ({
    games: 0,
    wins: 0,
    draws: 0,
    losses: 0,
    score: 0,
    rank: 0,
    seats: 0,
    invalid: 0,
    forfeits: 0,
  }));
  let forfeitedGames = 0;
  const forfeitKinds = new Map<ForfeitSummary['kind'], { games: Set<number>; reasons: Map<string, number> }>();
  const pair = new Map<
    string,
    { games: number; aWins: number; draws: number; bWins: number; aS: number; bS: number }
  >();

  let rated = 0;
  for (const g of games) {
    if (g.forfeits?.length) forfeitedGames++;
    for (const f of g.forfeits ?? []) {
      const bot = g.seats[f.seat]!;
      tally[bot]!.forfeits++;
      const kind = forfeitKinds.get(f.kind) ?? { games: new Set(), reasons: new Map() };
      kind.games.add(g.index);
      const key = JSON.stringify([definition.bots[bot], f.reason]);
      kind.reasons.set(key, (kind.reasons.get(key) ?? 0) + 1);
      forfeitKinds.set(f.kind, kind);
    }
    const teams = g.seats.map((bot) => [ratings[bot]!]);
    const updated = rate(teams, { rank: [...g.ranks] });
    const sums = new Map<number, { mu: number; sigma: number; k: number }>();
    g.seats.forEach((bot, seat) => {
      const r = updated[seat]![0]!;
      const s = sums.get(bot) ?? { mu: 0, sigma: 0, k: 0 };
      sums.set(bot, { mu: s.mu + r.mu, sigma: s.sigma + r.sigma, k: s.k + 1 });
    });
    ratings = ratings.map((r, bot) => {
      const s = sums.get(bot);
      return s ? rating({ mu: s.mu / s.k, sigma: s.sigma / s.k }) : r;
    });
    onRated?.(++rated, ratings);

    for (const bot of new Set(g.seats)) {
      const t = tally[bot]!;
      const mySeats = g.seats.flatMap((b, seat) => (b === bot ? [seat] : []));
      t.games++;
      if (g.winner !== null && mySeats.includes(g.winner)) t.wins++;
      else if (g.winner === null && mySeats.some((s) => g.ranks[s] === 1)) t.draws++;
      else t.losses++;
      for (const s of mySeats) {
        t.score += g.scores[s]!;
        t.rank += g.ranks[s]!;
        t.invalid += g.invalidActions[s] ?? 0;
        t.seats++;
      }
    }
    // Head-to-head: every two seats of different bots, the better rank wins.
    for (let s1 = 0; s1 < g.seats.length; s1++) {
      for (let s2 = s1 + 1; s2 < g.seats.length; s2++) {
        let a = g.seats[s1]!;
        let b = g.seats[s2]!;
        if (a === b) continue;
        let [sa, sb] = [s1, s2];
        if (a > b) {
          [a, b] = [b, a];
          [sa, sb] = [sb, sa];
        }
        const key = `${a}/${b}`;
        const p = pair.get(key) ?? { games: 0, aWins: 0, draws: 0, bWins: 0, aS: 0, bS: 0 };
        p.games++;
        const ra = g.ranks[sa]!;
        const rb = g.ranks[sb]!;
        if (ra < rb) p.aWins++;
        else if (rb < ra) p.bWins++;
        else p.draws++;
        p.aS += g.scores[sa]!;
        p.bS += g.scores[sb]!;
        pair.set(key, p);
      }
    }
  }
  const rows = definition.bots.map((bot, i) => {
    const t = tally[i]!;
    const r = ratings[i]!;
    return {
      bot,
      ordinal: round(ordinal(r)),
      mu: round(r.mu),
      sigma: round(r.sigma),
      games: t.games,
      wins: t.wins,
      draws: t.draws,
      losses: t.losses,
      scoreRate: t.games ? round((t.wins + t.draws / 2) / t.games) : 0,
      avgScore: t.seats ? round(t.score / t.seats, 2) : 0,
      avgRank: t.seats ? round(t.rank / t.seats, 2) : 0,
      invalidActions: t.invalid,
      forfeits: t.forfeits,
    };
  });
  const order = rows
    .map((row, i) => ({ row, i }))
    .sort((x, y) => y.row.ordinal - x.row.ordinal || x.i - y.i)
    .map(({ row }, position) => ({ rank: position + 1, ...row }));

  const pairs: PairStanding[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const p = pair.get(`${a}/${b}`);
      if (!p) continue;
      const [lo, hi] = wilson(p.aWins + p.draws / 2, p.games);
      pairs.push({
        a: definition.bots[a]!,
        b: definition.bots[b]!,
        games: p.games,
        aWins: p.aWins,
        draws: p.draws,
        bWins: p.bWins,
        aScoreRate: round((p.aWins + p.draws / 2) / p.games),
        aScoreRateLow: round(lo),
        aScoreRateHigh: round(hi),
        aAvgScore: round(p.aS / p.games, 2),
        bAvgScore: round(p.bS / p.games, 2),
      });
    }
  }
  return {
    tournament: definition,
    deterministic,
    gamesPlayed: games.length,
    gamesTotal: totalGames,
    complete: games.length === totalGames,
    bots: order,
    pairs,
    forfeitedGames,
    forfeits: [...forfeitKinds.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, { games: ids, reasons }]) => ({
        kind,
        games: ids.size,
        reasons: [...reasons.entries()]
          .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
          .slice(0, 5)
          .map(([key, count]) => {
            const [bot, reason] = JSON.parse(key) as [string, string];
            return { bot, reason, count };
          }),
      })),
  };
}
