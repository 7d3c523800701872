import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ReplayError } from '../../core/replay.ts';
import { replayPage, ViewError } from '../../view/index.ts';
import { CliError, EXIT } from '../errors.ts';

/** `game.json` → `game.html` beside it (any other name gets `.html` appended). */
export const defaultViewPath = (replay: string) =>
  replay.endsWith('.json') ? `${replay.slice(0, -'.json'.length)}.html` : `${replay}.html`;

export function registerView(program: Command): void {
  program
    .command('view')
    .description('draw a replay step by step in one self-contained HTML page (open it in any browser, offline)')
    .argument('<replay>', 'a replay file (botswarm play --replay, or a tournament run with --replays)')
    .option('--out <file>', 'where to write the page (default: the replay file name with .html)')
    .action(async (file: string, opts: { out?: string }) => {
      let html: string;
      try {
        html = await replayPage(file);
      } catch (error) {
        // An unreadable file or a game without a viewer is the user's input; a replay that does not re-run is not.
        if (error instanceof ReplayError || /unknown game|no viewer/.test((error as Error).message))
          throw new CliError((error as Error).message, EXIT.usage);
        const message = error instanceof ViewError ? error.message : `cannot re-run: ${(error as Error).message}`;
        throw new CliError(`${file}: ${message}`, EXIT.failure);
      }
      const out = opts.out ?? defaultViewPath(file);
      try {
        writeFileSync(out, html);
      } catch (error) {
        throw new CliError(`cannot write ${out}: ${(error as Error).message}`, EXIT.failure);
      }
      process.stdout.write(`${out}\n`);
    });
}
