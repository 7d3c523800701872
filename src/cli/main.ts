import { Command, CommanderError } from 'commander';
import { registerBots } from './commands/bots.ts';
import { registerLoadtest } from './commands/loadtest.ts';
import { registerMatch } from './commands/match.ts';
import { registerPlay } from './commands/play.ts';
import { registerReplay } from './commands/replay.ts';
import { registerServe } from './commands/serve.ts';
import { registerTournament } from './commands/tournament.ts';
import { registerTune } from './commands/tune.ts';
import { registerView } from './commands/view.ts';
import { CliError, EXIT } from './errors.ts';

const program = new Command();
program
  .name('botswarm')
  .description('Headless bots for games and chat: local engines, reference servers, tournaments and load tests')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)');

// One line per command module: adding a command touches nothing else here.
registerServe(program);
registerBots(program);
registerPlay(program);
registerTournament(program);
registerReplay(program);
registerLoadtest(program);
registerMatch(program);
registerTune(program);
registerView(program);

try {
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
