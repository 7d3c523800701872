import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import PQueue from 'p-queue';
import type { Piscina } from 'piscina';
import { type Logger, silentLogger } from '../core/log.ts';
import { writeReplayViews } from '../view/index.ts';
import { BatchPlanner } from './batching.ts';
import { canonicalJson, definitionDifferences, type LoadedTournament } from './definition.ts';
import { computeStandings, type Standings } from './ratings.ts';
import { writeStandings } from './report.ts';
import {
  DEFINITION_FILE,
  loadResults,
  RESULTS_FILE,
  ResultsWriter,
  readStoredTournament,
  resultsPath,
  type StoredTournament,
  TOURNAMENT_FORMAT,
  writeStoredTournament,
} from './results.ts';
import { buildSchedule } from './schedule.ts';
import { budgetOf, type GameRecord, type ReplayPolicy, type ScheduledGame, wantsReplay } from './types.ts';
import { type BatchTask, playBatch } from './worker.ts';
import { gameThreads } from './worker-file.ts';

export interface RunOptions {
  readonly outDir: string;
  /** Worker threads; default one per core. 0 plays in this thread (debugging, tiny runs). */
  readonly workers?: number;
  readonly replays?: ReplayPolicy;
  /** Continue the tournament stored in `outDir`: play exactly the games it lacks. */
  readonly resume?: boolean;
  /** Start over even when `outDir` holds an unfinished tournament. */
  readonly force?: boolean;
  /** Stops dispatching: games already running finish and are recorded, then the run returns. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** Games per worker task; by default about 50 ms of play each (timed per lineup), fewer near the end. */
  readonly batchSize?: number;
  /** A module exporting the engine, instead of the registry (tests, out-of-tree games). */
  readonly engineModule?: string;
  readonly log?: Logger;
  /**
   * Plays the batches somewhere else (a job queue over many hosts, src/distributed) instead of this
   * process's worker threads; `slots` batches are handed out at once. The caller opens and closes it.
   */
  readonly executor?: BatchExecutor;
}

/** Plays one batch and returns its lines of results.jsonl (as the worker threads do), replay files written. */
export interface BatchExecutor {
  readonly slots: number;
  /**
   * Play time per batch it wants, ms (default BATCH_TARGET_MS): a job queue's fixed cost per batch is far above a
   * thread's, so it takes longer batches (still cut from the measured play time per lineup, and shorter near the end).
   */
  readonly batchTargetMs?: number;
  /**
   * Play time, ms, below which a batch does not shrink near the end: a batch costs the executor a round trip
   * however small it is, and a thread waits through it when its held batch is shorter (default: no floor).
   */
  readonly minBatchMs?: number;
  /**
   * Into how many shares the games left in a round are cut near its end, each batch taking one (default four per
   * slot, as for local threads). Fewer shares cut the end of a round into fewer batches; `minBatchMs` still bounds
   * them from below.
   */
  readonly tailShares?: number;
  run(task: BatchTask): Promise<string>;
}

export interface Progress {
  /** Finished games, earlier runs included. */
  readonly done: number;
  readonly total: number;
  /** Finished by this run. */
  readonly playedNow: number;
  readonly elapsedMs: number;
}

export interface TournamentRun {
  readonly outDir: string;
  readonly standings: Standings;
  /** Games played by this run (not counting the ones a resume found). */
  readonly played: number;
  /** Games found in the directory by `--resume`. */
  readonly resumed: number;
  readonly interrupted: boolean;
  readonly elapsedMs: number;
}

/** The tournament cannot start in this directory (resume mismatch, unfinished results without --force). */
export class TournamentStateError extends Error {
  override name = 'TournamentStateError';
}

function prepareDirectory(
  loaded: LoadedTournament,
  outDir: string,
  totalGames: number,
  options: RunOptions,
): { records: Map<number, GameRecord>; stored: StoredTournament } {
  mkdirSync(outDir, { recursive: true });
  const { definition, engine } = loaded;
  const log = options.log ?? silentLogger;
  const existing = readStoredTournament(outDir);
  const fresh: StoredTournament = {
    format: TOURNAMENT_FORMAT,
    definition,
    engine: { id: engine.id, version: engine.version },
    totalGames,
    baseDir: loaded.baseDir,
    deterministic: definition.timeLimitMs === undefined,
    createdAt: new Date().toISOString(),
  };
  if (options.resume && existing) {
    const differences = definitionDifferences(existing.definition, definition);
    if (differences.length > 0) {
      throw new TournamentStateError(
        `cannot resume ${outDir}: the tournament definition differs in ${differences.join(', ')} ` +
          `(stored in ${join(outDir, DEFINITION_FILE)})`,
      );
    }
    if (existing.engine.version !== engine.version) {
      throw new TournamentStateError(
        `cannot resume ${outDir}: its games were played with ${engine.id} ${existing.engine.version}, this is ${engine.version}`,
      );
    }
    const loadedResults = loadResults(outDir, totalGames);
    if (loadedResults.truncatedTornLine) log.warn('results.jsonl ended in a torn line (a killed run): cut off');
    if (loadedResults.duplicates > 0) log.warn({ duplicates: loadedResults.duplicates }, 'duplicate games ignored');
    return { records: loadedResults.records, stored: existing };
  }
  if (existing && !options.force) {
    const { records } = loadResults(outDir, Math.max(existing.totalGames, 1));
    const sameDefinition = canonicalJson(existing.definition) === canonicalJson(definition);
    if (records.size > 0 && records.size < existing.totalGames) {
      throw new TournamentStateError(
        `${outDir} holds an unfinished tournament (${records.size} of ${existing.totalGames} games): ` +
          `--resume continues it${sameDefinition ? '' : ' (with its own definition)'}, --force starts over`,
      );
    }
  }
  // Starting over: the old run's files go, so that no result of another definition mixes in.
  for (const file of [RESULTS_FILE, DEFINITION_FILE, 'standings.json', 'standings.csv', 'standings.md']) {
    rmSync(join(outDir, file), { force: true });
  }
  rmSync(join(outDir, 'replays'), { recursive: true, force: true });
  writeStoredTournament(outDir, fresh);
  return { records: new Map(), stored: fresh };
}

/**
 * Runs (or resumes) a tournament into `outDir`: results.jsonl (one line per finished game, appended as
 * results arrive), tournament.json, standings.{json,csv,md} and, if asked, replays/game-<index>.json.
 */
export async function runTournament(loaded: LoadedTournament, options: RunOptions): Promise<TournamentRun> {
  const started = performance.now();
  const { definition } = loaded;
  const outDir = resolve(options.outDir);
  const workers = options.workers ?? os.availableParallelism();
  // The threads start first: they load Node, the worker and its modules on their own cores while this thread
  // derives the schedule's seeds and prepares the directory, instead of after it.
  const pool = workers > 0 && !options.executor ? gameThreads(workers) : null;
  let schedule: ReturnType<typeof buildSchedule>;
  let records: Map<number, GameRecord>;
  let writer: ResultsWriter;
  const replays = options.replays ?? 'none';
  const replayDir = replays === 'none' ? null : join(outDir, 'replays');
  try {
    schedule = buildSchedule(definition);
    ({ records } = prepareDirectory(loaded, outDir, schedule.total, options));
    if (replayDir) mkdirSync(replayDir, { recursive: true });
    writer = new ResultsWriter(resultsPath(outDir));
  } catch (error) {
    await pool?.destroy();
    throw error;
  }
  const resumed = records.size;
  const base = {
    game: definition.game,
    ...(options.engineModule ? { engineModule: options.engineModule } : {}),
    config: definition.config,
    botSpecs: loaded.botSpecs,
    labels: definition.bots,
    baseDir: loaded.baseDir,
    budget: budgetOf(definition),
    replayDir,
  };
  let playedNow = 0;
  const report = () =>
    options.onProgress?.({
      done: records.size,
      total: schedule.total,
      playedNow,
      elapsedMs: performance.now() - started,
    });
  const stopped = () => options.signal?.aborted === true;
  let failure: Error | undefined;
  const planner = new BatchPlanner();
  for (const record of records.values()) planner.observe(record);

  /** A finished batch: its new games go to the file in one write, then into the tables. */
  const recordBatch = (lines: readonly string[], batch: readonly GameRecord[]) => {
    let text = '';
    const fresh: GameRecord[] = [];
    for (const [i, record] of batch.entries()) {
      if (records.has(record.index)) continue;
      text += `${lines[i]}\n`;
      fresh.push(record);
    }
    writer.appendLines(text);
    for (const record of fresh) {
      records.set(record.index, record);
      planner.observe(record);
    }
    playedNow += fresh.length;
    report();
  };

  const playBatchHere = async (task: BatchTask) => {
    const batch = await playBatch(task);
    recordBatch(
      batch.map((record) => JSON.stringify(record)),
      batch,
    );
  };
  const playBatchInPool = async (task: BatchTask, threads: BatchExecutor | Piscina<BatchTask, string>) => {
    const lines = (await threads.run(task)).split('\n');
    lines.pop();
    recordBatch(
      lines,
      lines.map((line) => JSON.parse(line) as GameRecord),
    );
  };

  const playRound = async (missing: ScheduledGame[]) => {
    // An executor's slots may change during a round (workers joining a queue): read again for every batch.
    const slots = () => options.executor?.slots ?? Math.max(1, workers);
    // Two tasks per worker: the one it plays and the one it holds; the producer waits for a free slot, so
    // batches are cut (and a stop takes effect) as late as possible, with the freshest timings.
    const queue = new PQueue({ concurrency: slots() * 2 });
    let next = 0;
    while (next < missing.length && !stopped() && !failure) {
      const parallel = slots();
      queue.concurrency = parallel * 2;
      const left = missing.length - next;
      // Near the end batches shrink, so that the threads finish together (an executor's down to its floor).
      // Before any game is timed a local thread gets one game: the first result (and the first timing) is back
      // after one cold game, not several.
      const floor = options.executor?.minBatchMs;
      const floorGames = floor ? planner.size(missing, next, left, floor) : 1;
      const shares = options.executor?.tailShares ?? parallel * 4;
      const cap = Math.max(Math.ceil(left / shares), floorGames);
      let size =
        options.batchSize ??
        (!planner.timed && !options.executor ? 1 : planner.size(missing, next, cap, options.executor?.batchTargetMs));
      // Above a floor, what a batch would leave behind below it goes with it (up to the planner's bound on a
      // batch), not into one more batch of a few games.
      if (floor && planner.timed && options.batchSize === undefined && left - size < floorGames) {
        size = planner.size(missing, next, left, Number.POSITIVE_INFINITY);
      }
      const games = missing.slice(next, next + size).map((g) => ({ ...g, replay: wantsReplay(replays, g.index) }));
      next += games.length;
      const task: BatchTask = { ...base, replayDir: games.some((g) => g.replay) ? replayDir : null, games };
      void queue.add(async () => {
        try {
          const threads = options.executor ?? pool;
          await (threads ? playBatchInPool(task, threads) : playBatchHere(task));
        } catch (error) {
          failure ??= error instanceof Error ? error : new Error(String(error));
        }
      });
      await queue.onSizeLessThan(1);
    }
    await queue.onIdle();
  };

  report();
  try {
    for (let round = 0; round < schedule.rounds && !stopped() && !failure; round++) {
      const planned = schedule.plan(round, records);
      for (const game of planned) {
        const recorded = records.get(game.index);
        if (recorded && (recorded.seed !== game.seed || canonicalJson(recorded.seats) !== canonicalJson(game.seats))) {
          throw new TournamentStateError(
            `${resultsPath(outDir)}: game ${game.index} does not match the schedule (seed or seats differ)`,
          );
        }
      }
      await playRound(planned.filter((g) => !records.has(g.index)));
    }
  } finally {
    writer.close();
    await pool?.destroy();
  }
  const standings = computeStandings(definition, records.values(), schedule.total);
  if (replayDir) await writeReplayViews(outDir, records.values());
  writeStandings(outDir, standings);
  if (failure) throw failure;
  return {
    outDir,
    standings,
    played: playedNow,
    resumed,
    interrupted: !standings.complete,
    elapsedMs: performance.now() - started,
  };
}
