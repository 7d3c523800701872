import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './errors.ts';

type Registration = (program: Command) => void;

/**
 * One line per command module: adding a command touches nothing else here. Each module is imported only
 * when its command runs (or for `--help`, which lists them all), so `botswarm --version` loads no command and
 * `botswarm bots` does not load the servers, the tournament runner or the load generator.
 */
const commands: Record<string, () => Promise<Registration>> = {
  serve: async () => (await import('./commands/serve.ts')).registerServe,
  bots: async () => (await import('./commands/bots.ts')).registerBots,
  play: async () => (await import('./commands/play.ts')).registerPlay,
  tournament: async () => (await import('./commands/tournament.ts')).registerTournament,
  replay: async () => (await import('./commands/replay.ts')).registerReplay,
  loadtest: async () => (await import('./commands/loadtest.ts')).registerLoadtest,
  init: async () => (await import('./commands/init.ts')).registerInit,
  match: async () => (await import('./commands/match.ts')).registerMatch,
  tune: async () => (await import('./commands/tune.ts')).registerTune,
  view: async () => (await import('./commands/view.ts')).registerView,
  worker: async () => (await import('./commands/worker.ts')).registerWorker,
  agent: async () => (await import('./commands/agent.ts')).registerAgent,
};

/** The command modules this invocation needs: the one named, none for a bare `--version`, else all (help). */
function needed(argv: readonly string[]): string[] {
  const first = argv.find((arg) => !arg.startsWith('-'));
  if (first !== undefined && first in commands) return [first];
  if (first === undefined && argv.length > 0 && argv.every((arg) => arg === '--version' || arg === '-V')) return [];
  return Object.keys(commands);
}

// A reader that goes away (`botswarm ... | head`) is not a failure of ours: stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.ok);
  throw error;
});

const program = new Command();
program
  .name('botswarm')
  .description('Headless bots for games and chat: local engines, reference servers, tournaments and load tests')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)');

try {
  for (const register of await Promise.all(needed(process.argv.slice(2)).map((name) => commands[name]!()))) {
    register(program);
  }
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every other parse error is a usage error, already printed by commander.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof CliError) {
    process.stderr.write(`botswarm: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`botswarm: unexpected error: ${(error as Error).stack ?? error}\n`);
    process.exitCode = EXIT.failure;
  }
}
