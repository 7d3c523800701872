import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** How a machine without it gets it (Debian, as .ci/run does). */
export const REDIS_INSTALL = 'sh scripts/install-system-packages.sh (or apt-get install -y redis-server)';

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

function ping(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
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
        // Up either way: NOAUTH is the answer of a server with a password.
        resolve(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
      }
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * A throw-away redis-server on a free port of 127.0.0.1, without persistence (`--port 0` is not supported
 * by redis-server: a port is picked by binding to 0 and closing). Answers PING before this resolves.
 */
export interface RedisStartOptions {
  /** Addresses to listen on (default 127.0.0.1); the URL names the first. */
  readonly bind?: readonly string[];
  /** `requirepass`: clients must give it (in the URL). Needed off loopback (Redis's protected mode). */
  readonly password?: string;
}

export async function startRedis(options: RedisStartOptions = {}): Promise<RedisFixture> {
  const bind = options.bind ?? ['127.0.0.1'];
  const auth = options.password ? ['--requirepass', options.password] : [];
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      'redis-server',
      ['--port', String(port), '--bind', ...bind, '--save', '', '--appendonly', 'no', ...auth],
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
      if (await ping(bind[0]!, port)) {
        return {
          port,
          url: `redis://${options.password ? `:${options.password}@` : ''}${bind[0]}:${port}`,
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
