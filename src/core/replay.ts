import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AnyEngine, GameResult } from './engine.ts';
import type { Forfeit, LoggedStep, MatchOutcome, ReplayCheck } from './match.ts';
import { forfeitedResult, replayActions } from './match.ts';

export const REPLAY_FORMAT = 'botswarm-replay/1';

/** Everything needed to re-run a game exactly: seed, config, bots, actions, a state hash per step. */
export interface ReplayFile {
  readonly format: typeof REPLAY_FORMAT;
  readonly game: string;
  readonly engineVersion: string;
  readonly seed: string | number;
  readonly config: unknown;
  /** Bot labels by seat. */
  readonly bots: readonly string[];
  readonly actions: readonly LoggedStep<unknown, unknown>[];
  /** hashes[0] is the initial state, hashes[i] the state after step i. */
  readonly hashes: readonly string[];
  readonly result: GameResult;
  /** Seats that forfeited (absent when none did): the re-run result ranks them last, as the game did. */
  readonly forfeits?: readonly Forfeit[];
}

export function makeReplay(
  engine: AnyEngine,
  config: unknown,
  seed: string | number,
  bots: readonly string[],
  outcome: MatchOutcome<unknown, unknown, unknown>,
): ReplayFile {
  if (!outcome.actions || !outcome.hashes)
    throw new Error('makeReplay needs a match run with record.actions and record.hashes');
  return {
    format: REPLAY_FORMAT,
    game: engine.id,
    engineVersion: engine.version,
    seed,
    config,
    bots,
    actions: outcome.actions,
    hashes: outcome.hashes,
    result: outcome.result,
    ...(outcome.forfeits?.length ? { forfeits: outcome.forfeits } : {}),
  };
}

/** Writes a replay, making its directory (the default `out/replays/` is git-ignored) where it is missing. */
export function writeReplay(path: string, replay: ReplayFile): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(replay)}\n`);
}

export class ReplayError extends Error {
  override name = 'ReplayError';
}

export function readReplay(path: string): ReplayFile {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ReplayError(`cannot read replay ${path}: ${(error as Error).message}`);
  }
  const r = data as Partial<ReplayFile>;
  if (!r || typeof r !== 'object' || r.format !== REPLAY_FORMAT) {
    throw new ReplayError(`${path} is not a botswarm replay (format must be "${REPLAY_FORMAT}")`);
  }
  for (const field of ['game', 'engineVersion', 'seed', 'bots', 'actions', 'hashes', 'result'] as const) {
    if (r[field] === undefined) throw new ReplayError(`${path}: field "${field}" is missing`);
  }
  return r as ReplayFile;
}

export interface VerifiedReplay extends ReplayCheck<unknown, unknown> {
  /** Readable account of the game, one line per event or action, when the engine can describe steps. */
  readonly account: string[];
}

/**
 * Re-runs a replay and checks every state hash. An engine-version mismatch fails before anything runs:
 * the same seed under different rules proves nothing.
 */
export function verifyReplay(engine: AnyEngine, replay: ReplayFile): VerifiedReplay {
  if (replay.game !== engine.id) throw new ReplayError(`replay is of ${replay.game}, not ${engine.id}`);
  if (replay.engineVersion !== engine.version) {
    return {
      ok: false,
      message: `engine version mismatch: replay was recorded with ${engine.id} ${replay.engineVersion}, this is ${engine.version}`,
      mismatchAt: 0,
      finalState: null,
      result: null,
      events: [],
      account: [],
    };
  }
  const config = engine.parseConfig(replay.config);
  const lines: string[] = [];
  const describe = engine.describeStep?.bind(engine);
  const check = replayActions(
    engine,
    config,
    replay.bots.length,
    replay.seed,
    replay.actions,
    replay.hashes,
    describe && ((_, before, step, events, after) => lines.push(...describe(before, step, events, after))),
  );
  // The account of a replay that does not re-run would stop at its first bad step: it is not given.
  const account = check.ok ? lines : [];
  const rerun = check.result && forfeitedResult(check.result, new Set(replay.forfeits?.map((f) => f.seat)));
  if (check.ok && JSON.stringify(rerun) !== JSON.stringify(replay.result)) {
    return { ...check, ok: false, message: 'the re-run result differs from the recorded result', account };
  }
  return { ...check, account };
}
