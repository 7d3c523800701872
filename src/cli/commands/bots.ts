import type { Command } from 'commander';
import { listBots } from '../../bots/resolve.ts';
import { moduleIds } from '../../game/registry.ts';
import { settingsTable } from '../../game/settings.ts';
import { CliError } from '../errors.ts';

export function registerBots(program: Command): void {
  program
    .command('bots')
    .description('list the built-in bots and their parameters (any path to a .ts/.js strategy module works too)')
    .option('--game <id>', `only the bots of this game or service (${moduleIds().join(', ')})`)
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      let bots;
      try {
        bots = await listBots(opts.game);
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      if (opts.json) {
        const rows = bots.map((b) => ({
          name: b.name,
          game: b.game,
          description: b.description,
          params: b.params ? settingsTable(b.params) : [],
        }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const width = Math.max(4, ...bots.map((b) => b.name.length));
      const gameWidth = Math.max(4, ...bots.map((b) => b.game.length));
      process.stdout.write(`${'NAME'.padEnd(width)}  ${'GAME'.padEnd(gameWidth)}  DESCRIPTION\n`);
      for (const b of bots) {
        process.stdout.write(`${b.name.padEnd(width)}  ${b.game.padEnd(gameWidth)}  ${b.description}\n`);
        const rows = b.params ? settingsTable(b.params) : [];
        const paramWidth = Math.max(0, ...rows.map((r) => `${r.name}=${r.default}`.length));
        for (const r of rows) {
          const range = r.range === 'text' ? '' : ` (${r.range})`;
          process.stdout.write(
            `${''.padEnd(width + 2)}${`${r.name}=${r.default}`.padEnd(paramWidth)}  ${r.help}${range}\n`,
          );
        }
      }
    });
}
