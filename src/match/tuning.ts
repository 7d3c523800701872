import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRng, deriveSeed } from '../core/rng.ts';
import type { Budget } from '../core/strategy.ts';
import {
  perturbationDirection,
  probe,
  type SpsaGains,
  type SpsaParam,
  toNormalized,
  toValue,
  update,
} from '../stats/spsa.ts';
import { canonicalJson } from '../tournament/definition.ts';
import { groupGames, headToHead, playGroups } from './groups.ts';
import type { GamePool } from './pool.ts';

/** Everything that decides a tuning run's games and values. A state file resumes only the same definition. */
export interface TuneDefinition {
  readonly game: string;
  readonly engineModule?: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** The tuned bot's spec (absolute if a path), without the tuned parameters. */
  readonly bot: string;
  readonly params: readonly SpsaParam[];
  /** Start values, in bot units (the bot's defaults). */
  readonly start: readonly number[];
  /** Opponent specs (absolute if paths). */
  readonly against: readonly string[];
  /** Game pairs per opponent, for each of θ+ and θ−, per iteration. */
  readonly pairs: number;
  readonly iterations: number;
  readonly gains: SpsaGains;
  readonly seed: string | number;
  readonly budget: Budget;
  readonly baseDir: string;
}

export interface TuneIteration {
  readonly iteration: number;
  readonly plus: readonly number[];
  readonly minus: readonly number[];
  /** Mean score per game of θ+ and θ− against the opponents, on the same seeds. */
  readonly yPlus: number;
  readonly yMinus: number;
  /** Values after the update (bot units). */
  readonly values: readonly number[];
}

export const TUNE_STATE_FORMAT = 'botswarm-tune/1';

/** The state file: the definition, θ after `iteration` iterations (normalized), and what each one did. */
export interface TuneState {
  readonly format: typeof TUNE_STATE_FORMAT;
  readonly definition: TuneDefinition;
  readonly iteration: number;
  readonly theta: readonly number[];
  readonly history: readonly TuneIteration[];
}

/** A state file that cannot be resumed here (another definition, not a state file). */
export class TuneStateError extends Error {
  override name = 'TuneStateError';
}

/** The bot spec with these values: `heuristic:margin=0.2:reserve=2`. */
export function specWith(bot: string, params: readonly SpsaParam[], values: readonly number[]): string {
  return [bot, ...params.map((p, i) => `${p.name}=${values[i]}`)].join(':');
}

export function valuesOf(definition: TuneDefinition, theta: readonly number[]): number[] {
  return definition.params.map((p, i) => toValue(p, theta[i]!));
}

function freshState(definition: TuneDefinition): TuneState {
  return {
    format: TUNE_STATE_FORMAT,
    definition,
    iteration: 0,
    theta: definition.params.map((p, i) => toNormalized(p, definition.start[i]!)),
    history: [],
  };
}

/** Reads `path` if it exists and holds this definition's run; a fresh state if there is no file. */
export function loadTuneState(path: string | undefined, definition: TuneDefinition): TuneState {
  if (!path || !existsSync(path)) return freshState(definition);
  let stored: TuneState;
  try {
    stored = JSON.parse(readFileSync(path, 'utf8')) as TuneState;
  } catch (error) {
    throw new TuneStateError(`${path}: not a tuning state file (${(error as Error).message})`);
  }
  if (stored?.format !== TUNE_STATE_FORMAT || !Array.isArray(stored.theta) || !stored.definition) {
    throw new TuneStateError(`${path}: not a ${TUNE_STATE_FORMAT} state file`);
  }
  const a = stored.definition as unknown as Record<string, unknown>;
  const b = definition as unknown as Record<string, unknown>;
  const differing = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]))
    .sort();
  if (differing.length > 0) {
    throw new TuneStateError(
      `${path} holds a tuning run that differs in ${differing.join(', ')}: use another --state file, or delete it to start over`,
    );
  }
  return stored;
}

function saveState(path: string, state: TuneState): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

export interface TuneRunOptions {
  readonly pool: GamePool;
  /** Written after every iteration; a run finds its place there again. */
  readonly statePath?: string;
  /** Stops after the running iteration's games: that iteration is not counted, and a resume replays it. */
  readonly signal?: AbortSignal;
  readonly onIteration?: (step: TuneIteration, state: TuneState) => void;
}

export interface TuneRun {
  readonly state: TuneState;
  readonly values: readonly number[];
  readonly interrupted: boolean;
}

/** Seed of pair j against opponent o in iteration k: θ+ and θ− play it alike (common random numbers). */
const pairSeed = (definition: TuneDefinition, k: number, o: number, j: number) =>
  deriveSeed(definition.seed, 'tune', k, o, j);

/**
 * SPSA over a bot's parameters: each iteration, θ+ and θ− each play `pairs` seat-swapped pairs against every
 * opponent on the same seeds, their mean scores give the gradient estimate, and θ moves. Everything random
 * derives from (seed, iteration), so a run resumed from its state file ends on the same values as one that
 * never stopped.
 */
export async function runTuning(initial: TuneState, options: TuneRunOptions): Promise<TuneRun> {
  const { definition } = initial;
  let state = initial;
  const n = definition.params.length;
  const opponents = definition.against.length;
  while (state.iteration < definition.iterations) {
    if (options.signal?.aborted) return { state, values: valuesOf(definition, state.theta), interrupted: true };
    const k = state.iteration;
    const delta = perturbationDirection(createRng(`${definition.seed}/spsa/${k}`), n);
    const measured = probe(definition.params, definition.gains, state.theta, k, delta);
    const botSpecs = [
      specWith(definition.bot, definition.params, measured.plus),
      specWith(definition.bot, definition.params, measured.minus),
      ...definition.against,
    ];
    // Group g: side g % 2 (θ+ or θ−), pair ⌊g/2⌋ % pairs, opponent ⌊g/2/pairs⌋.
    const groups = 2 * opponents * definition.pairs;
    const score = [0, 0];
    const games = [0, 0];
    const end = await playGroups(
      {
        task: {
          game: definition.game,
          ...(definition.engineModule ? { engineModule: definition.engineModule } : {}),
          config: definition.config,
          botSpecs,
          labels: botSpecs,
          baseDir: definition.baseDir,
          budget: definition.budget,
        },
        groups,
        gamesOf: (g) => {
          const side = g % 2;
          const pair = Math.floor(g / 2) % definition.pairs;
          const opponent = Math.floor(g / 2 / definition.pairs);
          return groupGames(g, [side, 2 + opponent], pairSeed(definition, k, opponent, pair));
        },
        onGroup: (g, records) => {
          const side = g % 2;
          for (const record of records) {
            score[side]! += headToHead(record, side, record.seats.find((b) => b >= 2)!);
            games[side]!++;
          }
          return false;
        },
        ...(options.signal ? { signal: options.signal } : {}),
      },
      options.pool,
    );
    if (end !== 'complete') return { state, values: valuesOf(definition, state.theta), interrupted: true };
    const yPlus = score[0]! / games[0]!;
    const yMinus = score[1]! / games[1]!;
    const theta = update(definition.params, definition.gains, state.theta, k, measured, yPlus, yMinus);
    const step: TuneIteration = {
      iteration: k,
      plus: measured.plus,
      minus: measured.minus,
      yPlus,
      yMinus,
      values: valuesOf(definition, theta),
    };
    state = { ...state, iteration: k + 1, theta, history: [...state.history, step] };
    if (options.statePath) saveState(options.statePath, state);
    options.onIteration?.(step, state);
  }
  return { state, values: valuesOf(definition, state.theta), interrupted: false };
}
