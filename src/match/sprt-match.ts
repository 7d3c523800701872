import { deriveSeed } from '../core/rng.ts';
import type { Budget } from '../core/strategy.ts';
import { type EloEstimate, eloEstimate, groupOutcome, Sprt, type SprtSettings } from '../stats/sprt.ts';
import { groupGames, headToHead, playGroups } from './groups.ts';
import type { GamePool } from './pool.ts';

/** What a match plays: everything that decides its games and its result (workers do not). */
export interface MatchDefinition {
  readonly game: string;
  /** A module exporting the engine, instead of the registry (tests, out-of-tree games). */
  readonly engineModule?: string;
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * Bot specs, absolute where they are paths: the new bot, the old bot, then any bots that fill the other
   * seats of a game for more than two players. Every game seats all of them.
   */
  readonly botSpecs: readonly string[];
  /** The specs as the user wrote them, for results. */
  readonly labels: readonly string[];
  readonly baseDir: string;
  readonly budget: Budget;
  readonly seed: string | number;
  readonly sprt: SprtSettings;
  /** Stop undecided after this many games (whole groups). */
  readonly maxGames: number;
}

export type MatchOutcome = 'H1' | 'H0' | 'inconclusive' | 'interrupted';

export interface MatchProgress {
  /** Groups (pairs, for two players) counted, in order. */
  readonly pairs: number;
  readonly games: number;
  /** Group outcome counts: for pairs the pentanomial [0, ½, 1, 1½, 2 points of the new bot]. */
  readonly counts: readonly number[];
  readonly llr: number;
  readonly lower: number;
  readonly upper: number;
  readonly elo: EloEstimate;
}

export interface MatchResult extends MatchProgress {
  readonly outcome: MatchOutcome;
  readonly elapsedMs: number;
}

export interface MatchRunOptions {
  readonly pool: GamePool;
  /** Stops dispatching; running games finish and are counted (in order), then the match returns. */
  readonly signal?: AbortSignal;
  /** After every counted group. */
  readonly onProgress?: (progress: MatchProgress) => void;
}

/** Seed of group g of a match: both games of a pair share it. */
export const matchGroupSeed = (seed: string | number, group: number) => deriveSeed(seed, 'pair', group);

/**
 * Plays groups of the new bot (spec 0) against the old one (spec 1) until the SPRT accepts a hypothesis or
 * `maxGames` are played. Groups are counted in index order, so the games counted, the decision and every
 * figure are the same for any number of workers; games that finish past the deciding group are not counted.
 */
export async function runSprtMatch(definition: MatchDefinition, options: MatchRunOptions): Promise<MatchResult> {
  const started = performance.now();
  const players = definition.botSpecs.length;
  if (players < 2) throw new RangeError('a match needs the new and the old bot');
  const lineup = Array.from({ length: players }, (_, i) => i);
  const sprt = new Sprt(definition.sprt, players);
  const maxGroups = Math.floor(definition.maxGames / players);
  let pairs = 0;
  const progress = (): MatchProgress => {
    const status = sprt.status();
    return {
      pairs,
      games: pairs * players,
      counts: status.counts,
      llr: status.llr,
      lower: status.lower,
      upper: status.upper,
      elo: eloEstimate(status.counts),
    };
  };
  const end = await playGroups(
    {
      task: {
        game: definition.game,
        ...(definition.engineModule ? { engineModule: definition.engineModule } : {}),
        config: definition.config,
        botSpecs: definition.botSpecs,
        labels: definition.labels,
        baseDir: definition.baseDir,
        budget: definition.budget,
      },
      groups: maxGroups,
      gamesOf: (g) => groupGames(g, lineup, matchGroupSeed(definition.seed, g)),
      onGroup: (_, records) => {
        const decision = sprt.add(groupOutcome(records.map((r) => headToHead(r, 0, 1))));
        pairs++;
        options.onProgress?.(progress());
        return decision !== null;
      },
      ...(options.signal ? { signal: options.signal } : {}),
    },
    options.pool,
  );
  const decision = sprt.status().decision;
  const outcome: MatchOutcome = decision ?? (end === 'interrupted' ? 'interrupted' : 'inconclusive');
  return { ...progress(), outcome, elapsedMs: performance.now() - started };
}
