import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Setting, settingsSchema } from '../../game/settings.ts';
import {
  createGamePool,
  loadTuneState,
  runTuning,
  specWith,
  type TuneDefinition,
  type TuneIteration,
  TuneStateError,
} from '../../match/index.ts';
import { defaultGains, gainsProblem, paramProblem, type SpsaGains, type SpsaParam } from '../../stats/index.ts';
import { absoluteSpec } from '../../tournament/index.ts';
import { CliError, parseIntOption } from '../errors.ts';
import {
  budgetFrom,
  checkBot,
  list,
  loadGameConfig,
  MATCH_EXIT,
  matchExitCode,
  parseSprtOption,
  playMatchWithOutput,
  readOption,
} from './match.ts';

const NUMBER = String.raw`-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?`;
const PARAM = new RegExp(`^([A-Za-z_$][\\w$.-]*)=(${NUMBER})\\.\\.(${NUMBER})(?::(${NUMBER}))?$`, 'i');

/**
 * `name=min..max[:step]`. Without a step a parameter is continuous, except one whose default and bounds are
 * all integers: it moves in steps of 1, since a bot written for whole numbers may not expect 2.37.
 */
export function parseParamOption(text: string, defaults: Readonly<Record<string, unknown>>, bot: string): SpsaParam {
  const m = PARAM.exec(text.trim());
  if (!m)
    throw new CliError(`--param expects name=min..max[:step], e.g. margin=0.05..0.4 or reserve=0..5:1, got "${text}"`);
  const name = m[1]!;
  if (!(name in defaults)) {
    const accepted = Object.keys(defaults);
    throw new CliError(
      `--param: bot ${bot} has no parameter "${name}"${accepted.length ? ` (it has: ${accepted.join(', ')})` : ' (it declares none)'}`,
    );
  }
  if (typeof defaults[name] !== 'number') {
    throw new CliError(
      `--param: ${bot}'s parameter "${name}" is not numeric (default ${JSON.stringify(defaults[name])})`,
    );
  }
  const min = Number(m[2]);
  const max = Number(m[3]);
  const whole = Number.isInteger(defaults[name]) && Number.isInteger(min) && Number.isInteger(max);
  const step = m[4] !== undefined ? Number(m[4]) : whole ? 1 : 0;
  const param: SpsaParam = { name, min, max, step };
  const problem = paramProblem(param);
  if (problem) throw new CliError(`--param ${problem}`);
  return param;
}

/** `--spsa`: each gain a number ≥ 0; absent ones take their defaults (which depend on the iterations). */
const GAIN_SETTINGS = settingsSchema({
  a: Setting.optional(Setting.number({ min: 0, max: 1e9, help: 'step size numerator' })),
  c: Setting.optional(Setting.number({ min: 0, max: 1, help: 'perturbation at k = 0, share of each range' })),
  A: Setting.optional(Setting.number({ min: 0, max: 1e9, help: 'stability constant' })),
  alpha: Setting.optional(Setting.number({ min: 0, max: 10, help: 'step size decay exponent' })),
  gamma: Setting.optional(Setting.number({ min: 0, max: 10, help: 'perturbation decay exponent' })),
});

function parseGainsOption(text: string | undefined, iterations: number): SpsaGains {
  const overrides = readOption(GAIN_SETTINGS, text, '--spsa');
  const gains = defaultGains(iterations, overrides);
  const problem = gainsProblem(gains);
  if (problem) throw new CliError(`--spsa: ${problem}`);
  return gains;
}

const show = (params: readonly SpsaParam[], values: readonly number[]) =>
  params.map((p, i) => `${p.name}=${values[i]}`).join(' ');

export function registerTune(program: Command): void {
  program
    .command('tune')
    .description("SPSA over a bot's numeric parameters, then an SPRT match of the tuned bot against the untuned one")
    .requiredOption('--game <id>', 'game id, e.g. galax')
    .requiredOption('--bot <spec>', 'the bot to tune (built-in name or module path; fixed parameters may follow)')
    .requiredOption('--param <range...>', 'a parameter to tune: name=min..max[:step], repeatable')
    .option('--against <list>', 'opponents, comma-separated (default: the untuned bot itself)')
    .option('--games <n>', 'games in all for the tuning (the final match is extra)', parseIntOption('--games', 1), 400)
    .option(
      '--pairs <n>',
      'seat-swapped pairs per opponent for each of θ+ and θ− per iteration',
      parseIntOption('--pairs', 1),
      1,
    )
    .option('--spsa <spec>', 'a=..,c=..,A=..,alpha=..,gamma=.. (defaults: see docs/match.md)')
    .option('--state <file>', 'state file, written after every iteration; the same command resumes from it')
    .option(
      '--sprt <spec>',
      'the final match: elo0=..,elo1=..[,alpha=..,beta=..]',
      'elo0=0,elo1=10,alpha=0.05,beta=0.05',
    )
    .option(
      '--sprt-max-games <n>',
      'the final match stops undecided after this many games',
      parseIntOption('--sprt-max-games', 2),
      2000,
    )
    .option('--no-sprt', 'skip the final match (exit 0)')
    .option('--seed <seed>', 'tuning seed; perturbations and game seeds derive from it', '1')
    .option('--iterations <n>', 'iteration budget per decision', parseIntOption('--iterations', 1), 1000)
    .option('--time-limit <duration>', 'wall-clock limit per decision (results become non-deterministic)')
    .option('--set <key=value...>', 'game setting, repeatable')
    .option(
      '--workers <n>',
      'worker threads (default: one per core; 0 = in this thread)',
      parseIntOption('--workers', 0),
    )
    .option('--json', 'NDJSON on stdout: iteration events, the tuned values, then the match events')
    .addHelpText(
      'after',
      '\nExit codes: those of the final match (0 = tuned is stronger, 1 = not, 3 = inconclusive), 0 with --no-sprt.',
    )
    .action(async (opts) => {
      const game = String(opts.game);
      const { engine, config } = await loadGameConfig(game, opts.set as string[] | undefined);
      if (engine.minPlayers > 2 || engine.maxPlayers < 2)
        throw new CliError(`tune plays two-player games; ${game} cannot`);
      const botSpec = String(opts.bot).trim();
      const bot = await checkBot(botSpec, game, '--bot');
      const params = (opts.param as string[]).map((text) => parseParamOption(text, bot.params, bot.definition.name));
      const names = params.map((p) => p.name);
      const twice = names.find((name, i) => names.indexOf(name) !== i);
      if (twice) throw new CliError(`--param: ${twice} is given twice`);
      const against = opts.against === undefined ? [botSpec] : list(String(opts.against));
      if (against.length === 0) throw new CliError('--against needs at least one bot');
      for (const spec of against) await checkBot(spec, game, '--against');
      const pairs = opts.pairs as number;
      const perIteration = 2 * against.length * pairs * 2;
      const iterations = Math.floor((opts.games as number) / perIteration);
      if (iterations < 1) {
        throw new CliError(
          `--games ${opts.games} is less than one iteration: ${perIteration} games (θ+ and θ−, ${against.length} opponent(s), ${pairs} pair(s))`,
        );
      }
      const sprt = opts.sprt === false ? null : parseSprtOption(String(opts.sprt));
      const definition: TuneDefinition = {
        game,
        config,
        bot: absoluteSpec(botSpec, process.cwd()),
        params,
        start: params.map((p) => bot.params[p.name] as number),
        against: against.map((spec) => absoluteSpec(spec, process.cwd())),
        pairs,
        iterations,
        gains: parseGainsOption(opts.spsa as string | undefined, iterations),
        seed: /^\d+$/.test(String(opts.seed)) ? Number(opts.seed) : String(opts.seed),
        budget: budgetFrom(opts),
        baseDir: process.cwd(),
      };
      const statePath = opts.state === undefined ? undefined : resolve(String(opts.state));
      let state;
      try {
        state = loadTuneState(statePath, definition);
      } catch (error) {
        if (error instanceof TuneStateError) throw new CliError(error.message);
        throw error;
      }
      const out = (line: string) => process.stdout.write(`${line}\n`);
      const json = Boolean(opts.json);
      if (json) {
        out(
          JSON.stringify({
            event: 'tune',
            game,
            bot: botSpec,
            params,
            start: definition.start,
            against,
            iterations,
            gamesPerIteration: perIteration,
            gains: definition.gains,
            resumedAfter: state.iteration,
          }),
        );
      } else {
        if (state.iteration > 0) out(`resuming ${statePath} after iteration ${state.iteration} of ${iterations}`);
        out(
          `SPSA on ${botSpec} (${game}): ${iterations} iterations of ${perIteration} games, ` +
            `a=${definition.gains.a.toPrecision(4)} c=${definition.gains.c} A=${definition.gains.A} ` +
            `alpha=${definition.gains.alpha} gamma=${definition.gains.gamma}; start ${show(params, definition.start)}`,
        );
      }
      const onIteration = (step: TuneIteration) => {
        if (json) out(JSON.stringify({ event: 'iteration', iterations, ...step }));
        else {
          out(
            `iteration ${step.iteration + 1}/${iterations}  ${show(params, step.values)}  ` +
              `θ+ ${step.yPlus.toFixed(3)} θ− ${step.yMinus.toFixed(3)}`,
          );
        }
      };
      const stop = new AbortController();
      const onSigint = () => {
        if (stop.signal.aborted) process.exit(MATCH_EXIT.interrupted);
        process.stderr.write('\nbotswarm: stopping after the running iteration (Ctrl-C again to quit now)\n');
        stop.abort();
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      const workers = opts.workers as number | undefined;
      const pool = createGamePool(workers);
      let run;
      try {
        run = await runTuning(state, {
          pool,
          ...(statePath ? { statePath } : {}),
          signal: stop.signal,
          onIteration,
        });
      } catch (error) {
        throw new CliError(`tuning failed: ${(error as Error).message}`, MATCH_EXIT.failure);
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
        await pool.close();
      }
      if (run.interrupted) {
        process.stderr.write(
          `botswarm: interrupted after iteration ${run.state.iteration} of ${iterations}` +
            (statePath
              ? `; the same command with --state ${opts.state} resumes\n`
              : ' (no --state file: nothing kept)\n'),
        );
        process.exitCode = MATCH_EXIT.interrupted;
        return;
      }
      const tunedSpec = specWith(botSpec, params, run.values);
      if (json)
        out(
          JSON.stringify({
            event: 'tuned',
            values: Object.fromEntries(names.map((n, i) => [n, run.values[i]])),
            spec: tunedSpec,
          }),
        );
      else out(`tuned: ${show(params, run.values)}  (bot spec: ${tunedSpec})`);
      if (!sprt) return;
      const result = await playMatchWithOutput(
        {
          game,
          config,
          botSpecs: [specWith(definition.bot, params, run.values), definition.bot],
          labels: [tunedSpec, botSpec],
          baseDir: process.cwd(),
          budget: definition.budget,
          seed: `${definition.seed}/verify`,
          sprt,
          maxGames: opts.sprtMaxGames as number,
        },
        { ...(workers !== undefined ? { workers } : {}), json, limitFlag: '--sprt-max-games' },
      );
      process.exitCode = matchExitCode(result.outcome);
    });
}
