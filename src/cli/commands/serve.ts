import type { Command } from 'commander';
import { createLogger } from '../../core/log.ts';
import { loadServer, moduleIds } from '../../game/registry.ts';
import { ConfigError } from '../../game/settings.ts';
import { parseSettings } from '../config-options.ts';
import { CliError, EXIT, parseIntOption } from '../errors.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(`run a reference server (${moduleIds().join(', ')}) until Ctrl-C`)
    .argument('<protocol>', 'which server: a game (its server) or a service')
    .option(
      '--port <n>',
      "TCP port (default: the protocol's own; 0 = any free port)",
      parseIntOption('--port', 0, 65535),
    )
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--set <key=value...>', 'protocol setting, repeatable (e.g. --set moveTimeoutMs=2000)')
    .option(
      '--game <id>',
      'game to host, for servers of several games (se1: carcassonne, catan, creepsmash; same as --set game=)',
    )
    .option('--db <path>', 'database file of servers that persist state (chat: default chat.db; same as --set db=)')
    .option(
      '--web <port>',
      'also serve the live spectator page on this HTTP port (0 = any free port): the running games, drawn as they are played',
      parseIntOption('--web', 0, 65535),
    )
    .option('--log-level <level>', 'pino level: trace, debug, info, warn, error, silent', 'info')
    .option('--json', 'print the listening address as JSON')
    .action(async (protocolId: string, opts) => {
      let found;
      try {
        found = await loadServer(protocolId);
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      const { protocol } = found;
      // A game hosted by a service (carcassonne on se1) adds the settings that pick it.
      const settings: Record<string, string> = { ...found.settings, ...parseSettings(opts.set) };
      if (opts.db !== undefined) settings.db = String(opts.db);
      if (opts.game !== undefined) settings.game = String(opts.game);
      const log = createLogger({ level: opts.logLevel, name: `${protocol.id}-server` });
      let spectator: import('../../view/live.ts').LiveSpectator | undefined;
      if (opts.web !== undefined) {
        if (!protocol.hostsGames) throw new CliError(`--web: the ${protocol.id} server hosts no games to watch`);
        const [{ LiveSpectator }, { loadAllViewers }] = await Promise.all([
          import('../../view/live.ts'),
          import('../../view/index.ts'),
        ]);
        spectator = new LiveSpectator({ viewers: await loadAllViewers(), log });
      }
      let server;
      try {
        server = await protocol.start({
          host: opts.host,
          port: opts.port ?? protocol.defaultPort,
          log,
          settings,
          observer: spectator,
        });
      } catch (error) {
        // A bad setting is the user's to fix (exit 2, as `play` refuses it); anything else is a failure.
        if (error instanceof ConfigError) throw new CliError(error.message);
        throw new CliError(`cannot start the ${protocol.id} server: ${(error as Error).message}`, EXIT.failure);
      }
      let web: { url: string; port: number } | undefined;
      if (spectator) {
        try {
          web = await spectator.listen(opts.host, opts.web);
        } catch (error) {
          await server.close();
          throw new CliError(
            `--web: cannot listen on ${opts.host}:${opts.web}: ${(error as Error).message}`,
            EXIT.failure,
          );
        }
      }
      if (opts.json)
        process.stdout.write(
          `${JSON.stringify({ protocol: protocol.id, host: server.host, port: server.port, ...(web ? { web: web.url, webPort: web.port } : {}) })}\n`,
        );
      else {
        process.stdout.write(`${protocol.id} server listening on ${server.host}:${server.port} (Ctrl-C to stop)\n`);
        if (web) process.stdout.write(`live spectator page: ${web.url}\n`);
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await spectator?.close();
      await server.close();
      log.info({ stats: server.stats() }, 'server stopped');
    });
}
