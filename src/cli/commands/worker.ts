import type { Command } from 'commander';
import { createLogger } from '../../core/log.ts';
import { describeStamp, runQueueWorker } from '../../distributed/index.ts';
import { CliError, EXIT, parseIntOption } from '../errors.ts';
import { queueAddress, serveUntilStopped } from './queue-host.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('play tournament batches from a Redis queue (botswarm tournament --queue), on any number of hosts')
    .requiredOption('--queue <url>', 'the Redis server: redis://[user:password@]host[:port][/db], rediss:// for TLS')
    .option('--threads <n>', 'threads playing games (default: one per core)', parseIntOption('--threads', 1, 1024))
    .option('--name <name>', 'name in the coordinator log (default host:pid)')
    .option(
      '--lock-duration <ms>',
      'a taken batch is given to another worker when this one has not renewed its lock for this long (default 30000)',
      parseIntOption('--lock-duration', 1000),
    )
    .option('--log-level <level>', 'pino level for the worker log on stderr', 'info')
    .action(async (opts) => {
      const log = createLogger({ level: opts.logLevel, name: 'worker' });
      const address = queueAddress(opts.queue);
      // First signal: finish and deliver the batches in hand, then leave. Second: leave now (BullMQ gives
      // the batches in hand to another worker once their lock runs out).
      const end = await serveUntilStopped('worker finishing the batches in hand (again to quit now)', (signal) =>
        runQueueWorker({
          address,
          log,
          signal,
          ...(opts.name !== undefined ? { name: String(opts.name) } : {}),
          ...(opts.threads !== undefined ? { threads: opts.threads as number } : {}),
          ...(opts.lockDuration !== undefined ? { lockDurationMs: opts.lockDuration as number } : {}),
        }),
      );
      if (end.kind === 'refused') {
        throw new CliError(
          `worker ${end.refusal.worker} refused a batch: the coordinator runs ${describeStamp(end.refusal.coordinator)}, ` +
            `this worker ${describeStamp(end.refusal.mine)}; install the coordinator's version here`,
          EXIT.failure,
        );
      }
      process.stderr.write(`botswarm: worker stopped after ${end.batches} batches\n`);
    });
}
