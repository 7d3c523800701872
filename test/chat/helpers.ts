import { connect, type Socket } from 'node:net';
import { ChatClient } from '../../src/protocols/chat/client.ts';
import { Status } from '../../src/protocols/chat/codec.ts';
import { type ChatServer, type ChatServerOptions, startChatServer } from '../../src/protocols/chat/server.ts';

/** Tests hash with a low scrypt cost: the algorithm is the same, only cheaper. */
export const TEST_SCRYPT_COST = 1024;

export function startTestServer(options: Partial<ChatServerOptions> = {}): Promise<ChatServer> {
  return startChatServer({ port: 0, db: ':memory:', scryptCost: TEST_SCRYPT_COST, ...options });
}

export function client(server: { port: number }, requestTimeoutMs = 20_000): Promise<ChatClient> {
  return ChatClient.connect({ port: server.port, requestTimeoutMs });
}

/** A registered, logged-in user. */
export async function user(server: { port: number }, name: string, password = `${name}-pw1`): Promise<ChatClient> {
  const c = await client(server);
  const registered = await c.register(name, password, `${name}@example.org`, 'd');
  if (registered !== Status.OK) throw new Error(`register ${name}: ${registered}`);
  const login = await c.login(name, password);
  if (login !== Status.OK) throw new Error(`login ${name}: ${login}`);
  return c;
}

/** Makes `a` and `b` confirmed contacts. */
export async function befriendPair(a: ChatClient, b: ChatClient): Promise<void> {
  const confirmed = a.next('contactConfirmed', (u) => u === b.username);
  if ((await a.requestContact(b.username!)) !== Status.OK) throw new Error('request');
  if ((await b.requestContact(a.username!)) !== Status.OK) throw new Error('confirm');
  await confirmed;
}

/** A bare socket speaking lines, to check exact wire text. */
export class RawLines {
  readonly socket: Socket;
  #buffer = '';
  #lines: string[] = [];
  #waiters: ((line: string) => void)[] = [];
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      for (;;) {
        const nl = this.#buffer.indexOf('\n');
        if (nl === -1) break;
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        const waiter = this.#waiters.shift();
        if (waiter) waiter(line);
        else this.#lines.push(line);
      }
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<RawLines> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new RawLines(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  next(timeoutMs = 10_000): Promise<string> {
    const ready = this.#lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no line in time')), timeoutMs);
      this.#waiters.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  }

  /** Sends one line and returns the next `n` lines. */
  async ask(line: string, n = 1): Promise<string[]> {
    this.write(`${line}\n`);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next());
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}
