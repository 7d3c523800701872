import { join } from 'node:path';
import type { Command } from 'commander';
import { createLogger, type Logger } from '../../core/log.ts';
import type { QueueCoordinator } from '../../distributed/index.ts';
import { readSetting } from '../../game/settings.ts';
import {
  createProgressReporter,
  FORMATS,
  formatStandingsText,
  type LoadedTournament,
  loadTournament,
  type ReplayPolicy,
  ResultsError,
  readStoredTournament,
  readTournamentFile,
  runTournament,
  TournamentDefinitionError,
  type TournamentInput,
  TournamentStateError,
} from '../../tournament/index.ts';
import { TournamentSchema } from '../../tournament/schema.ts';
import { parseSettings, usageOnConfigError } from '../config-options.ts';
import { CliError, EXIT, parseDuration, parseIntOption } from '../errors.ts';

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
const EXIT_INTERRUPTED = 130;

function parseReplays(text: string): ReplayPolicy {
  if (text === 'all' || text === 'none') return text;
  if (/^\d+$/.test(text)) return Number(text);
  throw new CliError(`--replays must be all, none or a number of games, got "${text}"`);
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The tournament from a file, from flags, or (with --resume and no file) from the stored definition. */
function tournamentInput(file: string | undefined, opts: Record<string, unknown>): TournamentInput {
  let input: TournamentInput;
  if (file) {
    input = readTournamentFile(file);
  } else if (opts.game || opts.bots) {
    input = { source: 'command line', baseDir: process.cwd(), raw: {} };
  } else if (opts.resume && opts.out) {
    const stored = readStoredTournament(String(opts.out));
    if (!stored) throw new CliError(`--resume: ${opts.out} holds no tournament.json`);
    input = {
      source: join(String(opts.out), 'tournament.json'),
      baseDir: stored.baseDir,
      raw: { ...stored.definition } as Record<string, unknown>,
    };
  } else {
    throw new CliError('give a tournament file, or --game and --bots (see --help)');
  }
  // Flags override the file, field by field; --set adds to the file's config.
  const raw: Record<string, unknown> = { ...input.raw };
  const flag = (key: string, value: unknown) => {
    if (value !== undefined) raw[key] = value;
  };
  flag('name', opts.name);
  flag('game', opts.game);
  flag('format', opts.format);
  flag('bots', opts.bots === undefined ? undefined : list(String(opts.bots)));
  flag('challenger', opts.challenger);
  flag('seatOrders', opts.seatOrders);
  // Number flags are read with the file's schema: one range for `--games` and `"games"` (and the same strict text).
  const fromSchema = (key: 'players' | 'games' | 'rounds' | 'seed' | 'iterations') => {
    const text = opts[key];
    if (text === undefined) return;
    raw[key] = usageOnConfigError(() => readSetting(TournamentSchema.properties[key], `--${key}`, String(text)));
  };
  fromSchema('players');
  fromSchema('games');
  fromSchema('rounds');
  fromSchema('seed');
  fromSchema('iterations');
  flag('timeLimitMs', opts.timeLimit === undefined ? undefined : parseDuration(String(opts.timeLimit)));
  if (opts.set) {
    const base = typeof raw.config === 'object' && raw.config !== null ? raw.config : {};
    raw.config = { ...base, ...parseSettings(opts.set as string[]) };
  }
  if (!raw.game && file === undefined) throw new CliError('--game is required without a tournament file');
  return { ...input, raw };
}

/**
 * `--queue`: the coordinator of a tournament played by `botswarm worker` hosts. Loaded only then (BullMQ,
 * ioredis). With --resume, the batches a killed coordinator left finished in the queue are collected first.
 */
async function openQueue(
  url: string,
  loaded: LoadedTournament,
  outDir: string,
  opts: Record<string, unknown>,
  log: Logger,
): Promise<QueueCoordinator> {
  const { parseQueueUrl, QueueConnectionError, QueueCoordinator, QueueUrlError, describeStamp } = await import(
    '../../distributed/index.ts'
  );
  let coordinator: QueueCoordinator;
  try {
    const address = parseQueueUrl(url);
    coordinator = await QueueCoordinator.open({
      address,
      outDir,
      game: loaded.definition.game,
      log,
      ...(opts.queueBatches !== undefined ? { queued: opts.queueBatches as number } : {}),
      onRefusal: (refusal) =>
        process.stderr.write(
          `botswarm: worker ${refusal.worker} refused: it runs ${describeStamp(refusal.mine)}, ` +
            `this coordinator ${describeStamp(refusal.coordinator)}\n`,
        ),
      onNoWorkers: () =>
        process.stderr.write(
          `botswarm: no worker has taken a batch yet: start \`botswarm worker --queue ${address.display}\` on each host\n`,
        ),
    });
  } catch (error) {
    if (error instanceof QueueUrlError) throw new CliError(error.message, EXIT.usage);
    if (error instanceof QueueConnectionError) throw new CliError(error.message, EXIT.failure);
    throw error;
  }
  if (opts.resume) {
    try {
      await coordinator.harvest();
    } catch (error) {
      await coordinator.close();
      if (error instanceof ResultsError) throw new CliError(error.message, EXIT.failure);
      throw error;
    }
  }
  return coordinator;
}

export function registerTournament(program: Command): void {
  program
    .command('tournament')
    .description('play many seeded games between bots in parallel; writes results, ratings and tables')
    .argument('[file]', 'tournament file (JSON, see simulations/schema.json); flags override its fields')
    .option('--game <id>', 'game id, e.g. galax')
    .option('--bots <list>', 'comma-separated bot specs (built-in names or paths to .ts/.js modules)')
    .option('--format <format>', `${FORMATS.join(', ')} (default round-robin)`)
    .option('--challenger <bot>', 'gauntlet: the bot that meets the field (default the first bot)')
    .option('--players <n>', 'seats per game (default 2; ffa: the number of bots)')
    .option('--games <n>', 'games per pairing (ffa: in total; default 10)')
    .option('--rounds <n>', 'swiss: rounds (default ceil(log2(bots)))')
    .option('--seat-orders <all>', 'round-robin, gauntlet: play every game seed in each cyclic seat order')
    .option('--seed <seed>', 'tournament seed; game seeds derive from it (default 1)')
    .option('--iterations <n>', 'iteration budget per decision (default 1000)')
    .option('--time-limit <duration>', 'wall-clock limit per decision, e.g. 50ms (results become non-deterministic)')
    .option('--set <key=value...>', 'game setting, repeatable (e.g. --set maxYear=100)')
    .option('--name <name>', 'tournament name (default: the file name); the default out dir is out/<name>')
    .option('--out <dir>', 'output directory (default out/<name>)')
    .option(
      '--workers <n>',
      'worker threads (default: one per core; 0 = in this thread)',
      parseIntOption('--workers', 0),
    )
    .option('--batch <n>', 'games per worker task (default: adaptive, at most 16)', parseIntOption('--batch', 1))
    .option('--replays <policy>', 'write replay files: all, none or N (the first N games)')
    .option(
      '--queue <url>',
      'play the batches on `botswarm worker` hosts through this Redis server (redis://host:port)',
    )
    .option(
      '--queue-batches <n>',
      'with --queue: batches in the queue at once (default: three per thread of the live workers)',
      parseIntOption('--queue-batches', 2, 100_000),
    )
    .option('--resume', 'continue the tournament in the output directory: play exactly the missing games')
    .option('--force', 'start over even if the output directory holds an unfinished tournament')
    .option('--no-progress', 'no progress output on stderr')
    .option('--json', 'print the standings as JSON on stdout instead of the table')
    .option('--log-level <level>', 'pino level for the runner log on stderr', 'warn')
    .action(async (file: string | undefined, opts) => {
      const log = createLogger({ level: opts.logLevel, name: 'tournament' });
      let loaded: LoadedTournament;
      try {
        loaded = await loadTournament(tournamentInput(file, opts));
      } catch (error) {
        if (error instanceof TournamentDefinitionError) throw new CliError(error.message, EXIT.usage);
        throw error;
      }
      const { definition } = loaded;
      const outDir = (opts.out as string | undefined) ?? join('out', definition.name);
      const replays = opts.replays !== undefined ? parseReplays(String(opts.replays)) : (loaded.replays ?? 'none');
      if (definition.timeLimitMs !== undefined) {
        process.stderr.write(
          `botswarm: a wall-clock limit of ${definition.timeLimitMs} ms per decision makes the results non-deterministic\n`,
        );
      }

      // First Ctrl-C: stop dispatching, let running games finish and be recorded. Second: quit at once
      // (every recorded line is whole, so --resume still works).
      const stop = new AbortController();
      const onSigint = () => {
        if (stop.signal.aborted) {
          process.stderr.write('\nbotswarm: stopped at once; --resume plays the missing games\n');
          process.exit(EXIT_INTERRUPTED);
        }
        process.stderr.write('\nbotswarm: stopping after the running games (Ctrl-C again to quit now)\n');
        stop.abort();
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      const progress = opts.progress === false ? undefined : createProgressReporter(process.stderr);
      const queue =
        opts.queue === undefined ? undefined : await openQueue(String(opts.queue), loaded, outDir, opts, log);
      let run;
      try {
        run = await runTournament(loaded, {
          ...(queue ? { executor: queue } : {}),
          outDir,
          ...(opts.workers !== undefined ? { workers: opts.workers as number } : {}),
          ...(opts.batch !== undefined ? { batchSize: opts.batch as number } : {}),
          replays,
          resume: Boolean(opts.resume),
          force: Boolean(opts.force),
          signal: stop.signal,
          log,
          ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
        });
      } catch (error) {
        if (error instanceof TournamentStateError) throw new CliError(error.message, EXIT.usage);
        if (error instanceof ResultsError) throw new CliError(error.message, EXIT.failure);
        throw new CliError(`tournament failed: ${(error as Error).message}`, EXIT.failure);
      } finally {
        await queue?.close();
        progress?.finish();
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(run.standings)}\n`);
      } else {
        process.stdout.write(formatStandingsText(run.standings));
        const resumed = run.resumed ? `, ${run.resumed} found by --resume` : '';
        process.stdout.write(
          `\n${run.played} games played in ${(run.elapsedMs / 1000).toFixed(1)} s${resumed}; results in ${outDir}\n`,
        );
      }
      if (run.interrupted) {
        process.stderr.write(
          `botswarm: interrupted with ${run.standings.gamesPlayed} of ${run.standings.gamesTotal} games; ` +
            `continue with --resume --out ${outDir}\n`,
        );
        process.exitCode = EXIT_INTERRUPTED;
      }
    });
}
