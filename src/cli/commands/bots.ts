import type { Command } from 'commander';
import { listBots } from '../../bots/resolve.ts';

export function registerBots(program: Command): void {
  program
    .command('bots')
    .description('list the built-in bots (any path to a .ts/.js strategy module works as a bot too)')
    .option('--game <id>', 'only the bots of this game')
    .option('--json', 'machine-readable output')
    .action((opts) => {
      const bots = listBots(opts.game);
      if (opts.json) {
        const rows = bots.map((b) => ({
          name: b.name,
          game: b.game,
          description: b.description,
          params: b.params ?? {},
        }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const width = Math.max(4, ...bots.map((b) => b.name.length));
      const gameWidth = Math.max(4, ...bots.map((b) => b.game.length));
      process.stdout.write(`${'NAME'.padEnd(width)}  ${'GAME'.padEnd(gameWidth)}  DESCRIPTION\n`);
      for (const b of bots) {
        const params =
          b.params && Object.keys(b.params).length
            ? ` [${Object.entries(b.params)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')}]`
            : '';
        process.stdout.write(`${b.name.padEnd(width)}  ${b.game.padEnd(gameWidth)}  ${b.description}${params}\n`);
      }
    });
}
