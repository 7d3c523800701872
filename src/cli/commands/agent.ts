import type { Command } from 'commander';
import { createLogger } from '../../core/log.ts';
import { parseQueueUrl, QueueConnectionError, QueueUrlError, runLoadAgent } from '../../distributed/index.ts';
import { CliError, EXIT, parseIntOption } from '../errors.ts';

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
      let address: ReturnType<typeof parseQueueUrl>;
      try {
        address = parseQueueUrl(String(opts.queue));
      } catch (error) {
        if (error instanceof QueueUrlError) throw new CliError(error.message, EXIT.usage);
        throw error;
      }
      // A signal ends the agent; a run it is in loses it (the coordinator reports it by name).
      const stop = new AbortController();
      const onSignal = () => {
        if (stop.signal.aborted) process.exit(130);
        process.stderr.write('botswarm: agent stopping\n');
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const end = await runLoadAgent({
          address,
          log,
          signal: stop.signal,
          ...(opts.name !== undefined ? { name: String(opts.name) } : {}),
          ...(opts.threads !== undefined ? { threads: opts.threads as number } : {}),
        });
        process.stderr.write(`botswarm: agent stopped after ${end.runs} load tests\n`);
      } catch (error) {
        if (error instanceof QueueConnectionError) throw new CliError(error.message, EXIT.failure);
        throw error;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
