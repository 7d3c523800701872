import { Redis, type RedisOptions } from 'ioredis';

/** Every key botswarm writes into Redis starts with this (BullMQ's queues and botswarm's own keys). */
export const KEY_PREFIX = 'botswarm';

/** A `--queue` / `--agents` value that is not a Redis URL. */
export class QueueUrlError extends Error {
  override name = 'QueueUrlError';
}

/** Redis did not answer (wrong address, firewall, auth): said once, clearly, instead of retrying forever. */
export class QueueConnectionError extends Error {
  override name = 'QueueConnectionError';
}

/** The Redis server, parsed from `redis://[user:password@]host[:port][/db]` or `rediss://` (TLS). */
export interface QueueAddress {
  readonly url: string;
  /** The URL without its password, for messages and logs. */
  readonly display: string;
  /** ioredis options (BullMQ takes the same). */
  readonly connection: RedisOptions;
}

export function parseQueueUrl(text: string): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new QueueUrlError(`the queue must be a Redis URL such as redis://host:6379, got "${text}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new QueueUrlError(`the queue must be a redis:// or rediss:// URL, got "${text}"`);
  }
  if (!url.hostname) throw new QueueUrlError(`the queue URL names no host: "${text}"`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) {
    throw new QueueUrlError(`the queue URL's path must be a database number, got "${url.pathname}"`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const connection: QueueAddress['connection'] = {
    host,
    port,
    db: dbText === '' ? 0 : Number(dbText),
    // BullMQ's blocking commands must wait as long as they need; a lost connection is retried by ioredis.
    maxRetriesPerRequest: null,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  };
  const shown = new URL(url.href);
  if (shown.password) shown.password = '***';
  return { url: text, display: shown.href.replace(/\/$/, ''), connection };
}

/**
 * A client for botswarm's own keys, connected and answering: a wrong address, a closed port or a refused
 * password is reported at start (within `timeoutMs`), not as an endless reconnect loop in the log.
 */
export async function openRedis(address: QueueAddress, timeoutMs = 5000): Promise<Redis> {
  const client = new Redis({ ...address.connection, lazyConnect: true });
  // ioredis rejects a refused password as "Connection is closed"; the error event says why.
  let cause: Error | undefined;
  client.on('error', (error: Error) => {
    cause ??= error;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new QueueConnectionError(`cannot reach Redis at ${address.display} within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
    return client;
  } catch (error) {
    client.disconnect();
    if (error instanceof QueueConnectionError) throw error;
    throw new QueueConnectionError(`cannot use Redis at ${address.display}: ${(cause ?? (error as Error)).message}`);
  } finally {
    clearTimeout(timer);
  }
}
