import type { Command } from 'commander';
import type { Static, TObject } from 'typebox';
import { BotSpecError, type ResolvedBot, resolveBot } from '../../bots/resolve.ts';
import type { AnyEngine } from '../../core/engine.ts';
import type { Budget } from '../../core/strategy.ts';
import { ConfigError, readSettings, Setting, settingsSchema } from '../../game/settings.ts';
import { loadEngine } from '../../games/registry.ts';
import {
  createGamePool,
  type MatchDefinition,
  type MatchOutcome,
  type MatchProgress,
  type MatchResult,
  runSprtMatch,
} from '../../match/index.ts';
import { DEFAULT_SPRT, type SprtSettings, sprtSettingsProblem } from '../../stats/index.ts';
import { absoluteSpec } from '../../tournament/index.ts';
import { parseSettings } from '../config-options.ts';
import { CliError, EXIT, parseDuration, parseIntOption } from '../errors.ts';

/**
 * Exit codes of `match` (and of `tune`, whose last step is a match): a script can branch on the verdict.
 * A run that fails (a game crashes) exits 4, not 1, so that it is never read as "H0 accepted".
 */
export const MATCH_EXIT = {
  /** H1 accepted: the new bot is stronger by at least about elo1. */
  h1: 0,
  /** H0 accepted: the new bot is not stronger by elo1 (its Elo difference is elo0 or less). */
  h0: 1,
  usage: EXIT.usage,
  /** --max-games reached with neither hypothesis accepted. */
  inconclusive: 3,
  /** The run failed: a game crashed, a worker died. */
  failure: 4,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

export function matchExitCode(outcome: MatchOutcome): number {
  return {
    H1: MATCH_EXIT.h1,
    H0: MATCH_EXIT.h0,
    inconclusive: MATCH_EXIT.inconclusive,
    interrupted: MATCH_EXIT.interrupted,
  }[outcome];
}

export const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The `--sprt` settings, read by the one settings reader (strict numbers, known keys, ranges). */
const SPRT_SETTINGS = settingsSchema({
  elo0: Setting.number({ min: -799, max: 799, default: DEFAULT_SPRT.elo0, help: 'H0: the Elo difference (logistic)' }),
  elo1: Setting.number({ min: -799, max: 799, default: DEFAULT_SPRT.elo1, help: 'H1: the Elo difference (logistic)' }),
  alpha: Setting.number({
    min: 0,
    max: 0.5,
    default: DEFAULT_SPRT.alpha,
    help: 'chance of accepting H1 when H0 holds',
  }),
  beta: Setting.number({ min: 0, max: 0.5, default: DEFAULT_SPRT.beta, help: 'chance of accepting H0 when H1 holds' }),
});

/** `key=value,...` read by `schema`, as a usage error naming `flag` when it is not. */
export function readOption<S extends TObject>(schema: S, text: string | undefined, flag: string): Static<S> {
  const pairs = parseSettings(text === undefined ? [] : list(text), flag);
  try {
    return readSettings(schema, pairs);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`${flag}: ${error.message}`);
    throw error;
  }
}

/** `elo0=0,elo1=10[,alpha=0.05,beta=0.05]`; missing keys take the defaults. */
export function parseSprtOption(text: string, flag = '--sprt'): SprtSettings {
  const sprt = readOption(SPRT_SETTINGS, text, flag);
  const problem = sprtSettingsProblem(sprt);
  if (problem) throw new CliError(`${flag}: ${problem}`);
  return sprt;
}

/** The engine and the raw config (checked by the engine, as workers will parse it again). */
export async function loadGameConfig(
  game: string,
  set: readonly string[] | undefined,
): Promise<{ engine: AnyEngine; config: Record<string, unknown> }> {
  let engine: AnyEngine;
  try {
    engine = await loadEngine(game);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const config = parseSettings(set);
  try {
    engine.parseConfig(config);
  } catch (error) {
    throw new CliError(`--set: ${(error as Error).message}`);
  }
  return { engine, config };
}

export async function checkBot(spec: string, game: string, flag: string): Promise<ResolvedBot> {
  try {
    return await resolveBot(absoluteSpec(spec, process.cwd()), game, process.cwd());
  } catch (error) {
    if (error instanceof BotSpecError) throw new CliError(`${flag}: ${error.message}`);
    throw new CliError(`${flag}: cannot load ${spec}: ${(error as Error).message}`);
  }
}

export function budgetFrom(opts: { iterations: number; timeLimit?: string }): Budget {
  if (opts.timeLimit === undefined) return { iterations: opts.iterations };
  process.stderr.write(
    'botswarm: a wall-clock limit per decision makes the games, and the verdict, non-deterministic\n',
  );
  return { iterations: opts.iterations, timeMs: parseDuration(opts.timeLimit) };
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;

/** `pairs 40 (80 games)  LLR 1.23 [-2.94, 2.94]  Elo +35.1 [+2.0, +69.9]  pentanomial 1 5 12 14 8`. */
export function describeMatchProgress(p: MatchProgress, players: number): string {
  const name = players === 2 ? 'pentanomial' : `${2 * players + 1}-nomial`;
  return (
    `${players === 2 ? 'pairs' : 'groups'} ${p.pairs} (${p.games} games)  LLR ${p.llr.toFixed(2)} ` +
    `[${p.lower.toFixed(2)}, ${p.upper.toFixed(2)}]  Elo ${signed(p.elo.elo)} [${signed(p.elo.eloLow)}, ${signed(p.elo.eloHigh)}]  ` +
    `${name} ${p.counts.join(' ')}`
  );
}

function verdict(result: MatchResult, labels: readonly string[], sprt: SprtSettings, limitFlag: string): string {
  const [fresh, old] = labels;
  switch (result.outcome) {
    case 'H1':
      return `H1 accepted: ${fresh} is stronger than ${old} (by ${sprt.elo1} Elo or more, at these error rates)`;
    case 'H0':
      return `H0 accepted: ${fresh} is not ${sprt.elo1} Elo stronger than ${old} (at most ${sprt.elo0} Elo)`;
    case 'inconclusive':
      return `inconclusive: neither hypothesis accepted within ${result.games} games (raise ${limitFlag})`;
    case 'interrupted':
      return `interrupted after ${result.games} games, undecided`;
  }
}

export interface MatchRunFlags {
  readonly workers?: number;
  readonly json?: boolean;
  /** The option that sets the game limit, for the inconclusive verdict's advice. */
  readonly limitFlag?: string;
}

/**
 * Runs a match with progress on stdout (a line a second; NDJSON events with --json) and prints the verdict.
 * Ctrl-C stops after the running games and reports what was counted.
 */
export async function playMatchWithOutput(definition: MatchDefinition, flags: MatchRunFlags): Promise<MatchResult> {
  const players = definition.botSpecs.length;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const header = {
    game: definition.game,
    bots: definition.labels,
    seed: definition.seed,
    sprt: definition.sprt,
    eloModel: 'logistic',
    maxGames: definition.maxGames,
  };
  if (flags.json) out(JSON.stringify({ event: 'start', ...header }));
  else {
    const { elo0, elo1, alpha, beta } = definition.sprt;
    out(
      `SPRT ${definition.labels[0]} vs ${definition.labels[1]} on ${definition.game}: ` +
        `elo0=${elo0} elo1=${elo1} alpha=${alpha} beta=${beta} (logistic Elo), at most ${definition.maxGames} games`,
    );
  }
  let last = performance.now();
  let shown = 0;
  const onProgress = (p: MatchProgress) => {
    const now = performance.now();
    if (now - last < 1000) return;
    last = now;
    shown = p.pairs;
    out(flags.json ? JSON.stringify({ event: 'progress', ...p }) : describeMatchProgress(p, players));
  };
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(MATCH_EXIT.interrupted);
    process.stderr.write('\nbotswarm: stopping after the running games (Ctrl-C again to quit now)\n');
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const pool = createGamePool(flags.workers);
  let result: MatchResult;
  try {
    result = await runSprtMatch(definition, { pool, signal: stop.signal, onProgress });
  } catch (error) {
    throw new CliError(`match failed: ${(error as Error).message}`, MATCH_EXIT.failure);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await pool.close();
  }
  if (flags.json) {
    out(JSON.stringify({ event: 'result', ...header, ...result, exitCode: matchExitCode(result.outcome) }));
  } else {
    if (shown !== result.pairs || result.pairs === 0) out(describeMatchProgress(result, players));
    out(verdict(result, definition.labels, definition.sprt, flags.limitFlag ?? '--max-games'));
    const e = result.elo;
    out(
      `Elo ${signed(e.elo)} (95%: ${signed(e.eloLow)} to ${signed(e.eloHigh)})  LOS ${(e.los * 100).toFixed(1)}%  ` +
        `score ${(e.score * 100).toFixed(1)}%  games ${result.games}  ${(result.elapsedMs / 1000).toFixed(1)} s`,
    );
  }
  return result;
}

export function registerMatch(program: Command): void {
  program
    .command('match')
    .description('is my bot better? plays seat-swapped game pairs until an SPRT decides (exit 0 = new is stronger)')
    .requiredOption('--game <id>', 'game id, e.g. galax')
    .requiredOption('--bots <new,old>', 'the new bot, the old bot (then, for more players, bots for the other seats)')
    .option('--sprt <spec>', 'elo0=E0,elo1=E1[,alpha=A,beta=B] in logistic Elo', 'elo0=0,elo1=10,alpha=0.05,beta=0.05')
    .option('--max-games <n>', 'stop undecided after this many games (exit 3)', parseIntOption('--max-games', 2), 20000)
    .option('--seed <seed>', 'match seed; pair seeds derive from it', '1')
    .option('--iterations <n>', 'iteration budget per decision', parseIntOption('--iterations', 1), 1000)
    .option(
      '--time-limit <duration>',
      'wall-clock limit per decision, e.g. 50ms (the verdict becomes non-deterministic)',
    )
    .option('--set <key=value...>', 'game setting, repeatable (e.g. --set maxYear=100)')
    .option(
      '--workers <n>',
      'worker threads (default: one per core; 0 = in this thread)',
      parseIntOption('--workers', 0),
    )
    .option('--json', 'NDJSON on stdout: start, progress events, and the result')
    .addHelpText(
      'after',
      '\nExit codes: 0 H1 accepted (new is stronger), 1 H0 accepted, 2 usage error, 3 inconclusive at --max-games,\n' +
        '4 the run failed, 130 interrupted. See docs/match.md.',
    )
    .action(async (opts) => {
      const labels = list(String(opts.bots));
      if (labels.length < 2) throw new CliError('--bots needs the new and the old bot: --bots <new>,<old>');
      const sprt = parseSprtOption(String(opts.sprt));
      const game = String(opts.game);
      const { engine, config } = await loadGameConfig(game, opts.set as string[] | undefined);
      if (labels.length < engine.minPlayers || labels.length > engine.maxPlayers) {
        throw new CliError(
          `--bots: ${game} takes ${engine.minPlayers} to ${engine.maxPlayers} players, every game seats all ${labels.length} bots`,
        );
      }
      for (const spec of labels) await checkBot(spec, game, '--bots');
      if (opts.maxGames < labels.length)
        throw new CliError(`--max-games must allow one group of ${labels.length} games`);
      const seed = /^\d+$/.test(String(opts.seed)) ? Number(opts.seed) : String(opts.seed);
      const result = await playMatchWithOutput(
        {
          game,
          config,
          botSpecs: labels.map((spec) => absoluteSpec(spec, process.cwd())),
          labels,
          baseDir: process.cwd(),
          budget: budgetFrom(opts),
          seed,
          sprt,
          maxGames: opts.maxGames as number,
        },
        { ...(opts.workers !== undefined ? { workers: opts.workers as number } : {}), json: Boolean(opts.json) },
      );
      process.exitCode = matchExitCode(result.outcome);
    });
}
