import { BatchPlanner } from '../tournament/batching.ts';
import { rotate } from '../tournament/schedule.ts';
import type { GameRecord, ScheduledGame } from '../tournament/types.ts';
import type { BatchTask } from '../tournament/worker.ts';
import type { GamePool } from './pool.ts';

/**
 * A group: one lineup on one seed, once in each seat rotation (two players: a pair with the seats swapped).
 * Its games get indices group·n + r, and `pairing` = the group, so records find their group again.
 */
export function groupGames(group: number, lineup: readonly number[], seed: number): ScheduledGame[] {
  return lineup.map((_, r) => ({
    index: group * lineup.length + r,
    seed,
    round: 0,
    pairing: group,
    seats: rotate(lineup, r),
  }));
}

/** Score of bot `a` against bot `b` (indices into the task's bots) in a finished game: by rank, ½ when tied. */
export function headToHead(record: Pick<GameRecord, 'seats' | 'ranks'>, a: number, b: number): 0 | 0.5 | 1 {
  const sa = record.seats.indexOf(a);
  const sb = record.seats.indexOf(b);
  if (sa < 0 || sb < 0) throw new Error(`bots ${a} and ${b} did not both play game ${JSON.stringify(record.seats)}`);
  const ra = record.ranks[sa]!;
  const rb = record.ranks[sb]!;
  return ra < rb ? 1 : ra > rb ? 0 : 0.5;
}

export interface GroupRun {
  /** Every game of a group runs with the same bots and settings: the task without its games. */
  readonly task: Omit<BatchTask, 'games' | 'replayDir'>;
  readonly groups: number;
  gamesOf(group: number): ScheduledGame[];
  /**
   * Called once per group, in group order, whatever order the games finish in (that is what keeps a run
   * independent of the number of workers). Returning true stops the run: no group after it is looked at.
   */
  onGroup(group: number, records: readonly GameRecord[]): boolean;
  readonly signal?: AbortSignal;
}

/** How a run of groups ended: every group handed over, stopped by `onGroup`, or interrupted by the signal. */
export type GroupRunEnd = 'complete' | 'stopped' | 'interrupted';

/**
 * Plays groups on the pool, several tasks at a time, and hands them to `onGroup` in order. Tasks are cut by
 * the tournament's batch planner (about 50 ms of play each) in whole groups. On a stop, tasks still running
 * are left to the pool (closing it drops them); on an abort, running tasks finish and their groups are
 * handed over in order before the run returns.
 */
export async function playGroups(run: GroupRun, pool: GamePool): Promise<GroupRunEnd> {
  const planner = new BatchPlanner();
  const finished = new Map<number, GameRecord[]>();
  const partial = new Map<number, GameRecord[]>();
  const sizes = new Map<number, number>();
  const inFlight = new Set<Promise<void>>();
  let failure: Error | undefined;
  let next = 0;
  let handed = 0;
  const aborted = () => run.signal?.aborted === true;

  const dispatch = () => {
    const left = run.groups - next;
    const cap = Math.max(1, Math.min(32, Math.ceil(left / (pool.parallel * 2))));
    const upcoming: ScheduledGame[] = [];
    for (let g = next; g < next + Math.min(cap, left); g++) {
      const games = run.gamesOf(g);
      sizes.set(g, games.length);
      upcoming.push(...games);
    }
    // Whole groups: the planner's game count, rounded up to the group that game belongs to.
    const count = planner.size(upcoming, 0, upcoming.length);
    const lastGroup = upcoming[count - 1]!.pairing;
    const games = upcoming.filter((game) => game.pairing <= lastGroup).map((game) => ({ ...game, replay: false }));
    for (let g = lastGroup + 1; g < next + Math.min(cap, left); g++) sizes.delete(g);
    next = lastGroup + 1;
    const task: BatchTask = { ...run.task, replayDir: null, games };
    const playing: Promise<void> = pool.play(task).then(
      (records) => {
        for (const record of records) {
          planner.observe(record);
          const group = record.pairing;
          const list = partial.get(group) ?? [];
          list.push(record);
          if (list.length === sizes.get(group)) {
            partial.delete(group);
            finished.set(
              group,
              list.sort((x, y) => x.index - y.index),
            );
          } else {
            partial.set(group, list);
          }
        }
      },
      (error: unknown) => {
        failure ??= error instanceof Error ? error : new Error(String(error));
      },
    );
    const tracked = playing.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  for (;;) {
    // Hand over before dispatching more: a stop then leaves no needless task behind.
    while (finished.has(handed)) {
      const records = finished.get(handed)!;
      finished.delete(handed);
      if (run.onGroup(handed, records)) return 'stopped';
      handed++;
    }
    if (failure) {
      await Promise.all(inFlight);
      throw failure;
    }
    if (handed >= run.groups) return 'complete';
    while (!aborted() && next < run.groups && inFlight.size < pool.parallel) dispatch();
    if (inFlight.size === 0) return 'interrupted';
    await Promise.race(inFlight);
  }
}
