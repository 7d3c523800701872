import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openRedis, parseQueueUrl, QueueConnectionError, QueueUrlError } from '../../src/distributed/index.ts';

describe('parseQueueUrl', () => {
  it('reads host, port, database, credentials and TLS from a Redis URL, and hides the password', () => {
    const plain = parseQueueUrl('redis://10.0.0.5');
    expect(plain.connection).toMatchObject({ host: '10.0.0.5', port: 6379, db: 0 });
    expect(plain.connection.tls).toBeUndefined();
    const full = parseQueueUrl('rediss://bots:s%40cret@redis.example:6380/2');
    expect(full.connection).toMatchObject({
      host: 'redis.example',
      port: 6380,
      db: 2,
      username: 'bots',
      password: 's@cret',
      tls: { servername: 'redis.example' },
    });
    expect(full.display).toBe('rediss://bots:***@redis.example:6380/2');
    expect(full.display).not.toContain('cret');
  });

  it('refuses what is not a Redis URL, in one line', () => {
    for (const bad of ['localhost:6379', 'http://host:6379', 'redis://host/abc', 'redis://']) {
      expect(() => parseQueueUrl(bad)).toThrow(QueueUrlError);
    }
    expect(() => parseQueueUrl('http://host:6379')).toThrow('redis:// or rediss://');
  });
});

describe('openRedis', () => {
  it('says at once that nothing answers on a closed port, instead of reconnecting forever', async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    await new Promise((resolve) => server.close(resolve));
    const started = Date.now();
    const error = await openRedis(parseQueueUrl(`redis://127.0.0.1:${port}`), 5000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueConnectionError);
    expect((error as Error).message).toMatch(new RegExp(`Redis at redis://127\\.0\\.0\\.1:${port}`));
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('gives up after the timeout on a port that accepts and never answers', async () => {
    const server = createServer(() => {});
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    try {
      await expect(openRedis(parseQueueUrl(`redis://127.0.0.1:${port}`), 300)).rejects.toThrow(/within 300 ms/);
    } finally {
      server.close();
    }
  });
});
