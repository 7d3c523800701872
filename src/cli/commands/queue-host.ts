/**
 * What the two commands that serve a Redis queue from a host (`botswarm worker`, `botswarm agent`) share: the
 * `--queue` URL read as a usage error when malformed, a Redis that cannot be reached as a failure, and Ctrl-C.
 */
import { parseQueueUrl, QueueConnectionError, QueueUrlError } from '../../distributed/index.ts';
import { CliError, EXIT } from '../errors.ts';

/** The `--queue` option as an address; a malformed URL is a usage error (exit 2). */
export function queueAddress(url: unknown): ReturnType<typeof parseQueueUrl> {
  try {
    return parseQueueUrl(String(url));
  } catch (error) {
    if (error instanceof QueueUrlError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

/**
 * Serves until `serve` returns: the first SIGINT or SIGTERM prints `stopping` and aborts the signal it is given,
 * a second one exits at once (130). A Redis that cannot be reached is a failure (exit 1) with its message.
 */
export async function serveUntilStopped<T>(stopping: string, serve: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write(`botswarm: ${stopping}\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await serve(stop.signal);
  } catch (error) {
    if (error instanceof QueueConnectionError) throw new CliError(error.message, EXIT.failure);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
