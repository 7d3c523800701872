import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** How a machine without it gets it (Debian, as .ci/run does). */
export const REDIS_INSTALL = 'apt-get install -y redis-server';

/**
 * Whether the tests that need a Redis server can run here. Under CI they must: there a missing
 * redis-server is a failure (the spawn below reports it), not a skipped test.
 */
export const hasRedis: boolean =
  process.env.CI === 'true' || spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

export interface RedisFixture {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      reply += data;
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * A throw-away redis-server on a free port of 127.0.0.1, without persistence (`--port 0` is not supported
 * by redis-server: a port is picked by binding to 0 and closing). Answers PING before this resolves.
 */
export async function startRedis(): Promise<RedisFixture> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let dead = false;
    let failure: Error | undefined;
    child.once('error', (error) => {
      dead = true;
      failure = error;
    });
    void exited.then(() => {
      dead = true;
    });
    const deadline = Date.now() + 10_000;
    while (!dead && Date.now() < deadline) {
      if (await ping(port)) {
        return {
          port,
          url: `redis://127.0.0.1:${port}`,
          stop: async () => {
            child.kill('SIGKILL');
            await exited;
          },
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    if (failure) throw new Error(`cannot start redis-server (${REDIS_INSTALL}): ${failure.message}`);
    if (attempt >= 2) throw new Error(`redis-server did not answer on port ${port} (${REDIS_INSTALL})`);
  }
}
