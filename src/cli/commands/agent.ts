import type { Command } from 'commander';
import { createLogger } from '../../core/log.ts';
import { runLoadAgent } from '../../distributed/index.ts';
import { parseIntOption } from '../errors.ts';
import { queueAddress, serveUntilStopped } from './queue-host.ts';

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      'run bot sessions of load tests spread over many hosts (botswarm loadtest --agents), one per load host',
    )
    .requiredOption('--queue <url>', 'the Redis server: redis://[user:password@]host[:port][/db], rediss:// for TLS')
    .option('--threads <n>', 'worker threads running bot sessions (default 1)', parseIntOption('--threads', 1, 1024))
    .option('--name <name>', 'name in the coordinator report (default host:pid; unique per Redis)')
    .option('--log-level <level>', 'pino level for the agent log on stderr', 'info')
    .action(async (opts) => {
      const log = createLogger({ level: opts.logLevel, name: 'agent' });
      const address = queueAddress(opts.queue);
      // A signal ends the agent; a run it is in loses it (the coordinator reports it by name).
      const end = await serveUntilStopped('agent stopping', (signal) =>
        runLoadAgent({
          address,
          log,
          signal,
          ...(opts.name !== undefined ? { name: String(opts.name) } : {}),
          ...(opts.threads !== undefined ? { threads: opts.threads as number } : {}),
        }),
      );
      process.stderr.write(`botswarm: agent stopped after ${end.runs} load tests\n`);
    });
}
