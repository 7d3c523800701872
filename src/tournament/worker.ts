import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ResolvedBot, resolveBot } from '../bots/resolve.ts';
import type { AnyEngine } from '../core/engine.ts';
import { runMatch } from '../core/match.ts';
import type { Budget } from '../core/strategy.ts';
import { loadGameEngine } from './engine-loader.ts';
import type { GameRecord, ScheduledGame } from './types.ts';

/**
 * A batch of games for one worker thread. Everything in it is plain data (it crosses a thread boundary):
 * bots travel as specs and are resolved again here, by the same `resolveBot` the parent validated them with.
 */
export interface BatchTask {
  readonly game: string;
  readonly engineModule?: string;
  /** The raw config; the engine parses it here exactly as in the parent. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Absolute specs by bot index, and the labels written into results. */
  readonly botSpecs: readonly string[];
  readonly labels: readonly string[];
  readonly baseDir: string;
  readonly budget: Budget;
  /** Directory for replay files (absolute), or null when no game of the batch wants one. */
  readonly replayDir: string | null;
  readonly games: readonly (ScheduledGame & { readonly replay: boolean })[];
}

interface Context {
  readonly engine: AnyEngine;
  readonly config: unknown;
  readonly bots: readonly ResolvedBot[];
}

// A worker serves one tournament at a time; resolving engine and bots once per worker, not per batch.
const contexts = new Map<string, Promise<Context>>();

function contextFor(task: BatchTask): Promise<Context> {
  const key = JSON.stringify([task.game, task.engineModule, task.config, task.botSpecs, task.baseDir]);
  let context = contexts.get(key);
  if (!context) {
    context = (async () => {
      const engine = await loadGameEngine(task.game, task.engineModule);
      const config = engine.parseConfig(task.config);
      const bots = await Promise.all(task.botSpecs.map((spec) => resolveBot(spec, task.game, task.baseDir)));
      return { engine, config, bots };
    })();
    contexts.clear();
    contexts.set(key, context);
  }
  return context;
}

/** The replay writer, loaded by the first game that wants a replay: most runs keep none, and a thread starts sooner. */
let replays: Promise<typeof import('../core/replay.ts')> | undefined;
const replayModule = () => {
  replays ??= import('../core/replay.ts');
  return replays;
};

/** Plays a batch of games, in order, and returns one record per game. Replay files are written here. */
export async function playBatch(task: BatchTask): Promise<GameRecord[]> {
  const { engine, config, bots } = await contextFor(task);
  const records: GameRecord[] = [];
  for (const game of task.games) {
    const wantReplay = game.replay && task.replayDir !== null;
    const labels = game.seats.map((bot) => task.labels[bot]!);
    let outcome: Awaited<ReturnType<typeof runMatch>>;
    try {
      outcome = await runMatch({
        engine,
        config,
        players: game.seats.map((bot) => bots[bot]!.create()),
        seed: game.seed,
        budget: task.budget,
        record: wantReplay ? { actions: true, hashes: true } : {},
      });
    } catch (error) {
      // A bot's fault forfeits its game inside runMatch; what lands here is the engine's (or the host's) own.
      // Named so that the user can re-run exactly this game with `botswarm play --seed`.
      throw new Error(
        `game ${game.index} (seed ${game.seed}, ${labels.join(' vs ')}) failed: ${(error as Error).message}`,
      );
    }
    let replay: string | undefined;
    if (wantReplay) {
      replay = `replays/game-${game.index}.json`;
      const path = join(task.replayDir!, `game-${game.index}.json`);
      const tmp = `${path}.${process.pid}.${game.index}.tmp`;
      const { makeReplay } = await replayModule();
      writeFileSync(tmp, `${JSON.stringify(makeReplay(engine, config, game.seed, labels, outcome))}\n`);
      renameSync(tmp, path);
    }
    const invalid = game.seats.map(() => 0);
    for (const bad of outcome.invalid) invalid[bad.seat]!++;
    records.push({
      index: game.index,
      seed: game.seed,
      round: game.round,
      pairing: game.pairing,
      seats: game.seats,
      bots: labels,
      winner: outcome.result.winner,
      scores: outcome.result.scores,
      ranks: outcome.result.ranks,
      steps: outcome.steps,
      invalidActions: invalid,
      ...(outcome.forfeits.length
        ? { forfeits: outcome.forfeits.map(({ seat, kind, reason }) => ({ seat, kind, reason })) }
        : {}),
      durationMs: Math.round(outcome.durationMs * 1000) / 1000,
      engine: engine.id,
      engineVersion: engine.version,
      ...(replay ? { replay } : {}),
    });
  }
  return records;
}

/**
 * The worker thread's task: the batch's lines of results.jsonl, ready to append. One string crosses the
 * thread boundary for a fraction of what the structured clone of the record objects costs, and the
 * encoding is done here, on the worker's core, instead of in the parent that serves every worker.
 */
export async function playBatchLines(task: BatchTask): Promise<string> {
  let text = '';
  for (const record of await playBatch(task)) text += `${JSON.stringify(record)}\n`;
  return text;
}

export default playBatchLines;
