import type { Command } from 'commander';
import { createLogger } from '../../core/log.ts';
import { loadProtocol, protocolIds } from '../../protocols/registry.ts';
import { CliError, EXIT, parseIntOption } from '../errors.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(`run a reference server (${protocolIds().join(', ')}) until Ctrl-C`)
    .argument('<protocol>', 'which server')
    .option(
      '--port <n>',
      "TCP port (default: the protocol's own; 0 = any free port)",
      parseIntOption('--port', 0, 65535),
    )
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--set <key=value...>', 'protocol setting, repeatable (e.g. --set moveTimeoutMs=2000)')
    .option('--game <id>', 'game to host, for servers of several games (se1: carcassonne; same as --set game=)')
    .option('--db <path>', 'database file of servers that persist state (chat: default chat.db; same as --set db=)')
    .option('--log-level <level>', 'pino level: trace, debug, info, warn, error, silent', 'info')
    .option('--json', 'print the listening address as JSON')
    .action(async (protocolId: string, opts) => {
      let protocol;
      try {
        protocol = await loadProtocol(protocolId);
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      const settings: Record<string, string> = {};
      for (const pair of (opts.set as string[] | undefined) ?? []) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new CliError(`--set expects key=value, got "${pair}"`);
        settings[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      if (opts.db !== undefined) settings.db = String(opts.db);
      if (opts.game !== undefined) settings.game = String(opts.game);
      const log = createLogger({ level: opts.logLevel, name: `${protocol.id}-server` });
      let server;
      try {
        server = await protocol.start({ host: opts.host, port: opts.port ?? protocol.defaultPort, log, settings });
      } catch (error) {
        throw new CliError(`cannot start the ${protocol.id} server: ${(error as Error).message}`, EXIT.failure);
      }
      if (opts.json)
        process.stdout.write(`${JSON.stringify({ protocol: protocol.id, host: server.host, port: server.port })}\n`);
      else process.stdout.write(`${protocol.id} server listening on ${server.host}:${server.port} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      log.info({ stats: server.stats() }, 'server stopped');
    });
}
