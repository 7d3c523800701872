import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AnswerTimeoutError, encodeMoves, OreRushClient } from '../../src/protocols/orerush/index.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A raw server whose `answer(n)` gives the packet body (without STX/ETX) for the n-th packet, or null for none. */
async function scripted(answer: (n: number) => string | null): Promise<number> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let n = 0;
    let rest = '';
    socket.on('data', (d) => {
      const packets = (rest + d.toString('latin1')).split('\x03');
      rest = packets.pop()!;
      for (const _ of packets) {
        const body = answer(n++);
        if (body !== null) socket.write(`\x02${body}\x03`);
      }
    });
    socket.on('error', () => {});
  });
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

const WAIT = [{ type: 'WAIT' as const }];

describe('OreRushClient answers', () => {
  it('matches success, timeout and error answers to requests in order', async () => {
    const port = await scripted((n) => ['succs\x1fSuccess', 'timeo\x1fTimeout', 'error\x1f7\x1fno such cell'][n % 3]!);
    const client = await OreRushClient.connect({ host: '127.0.0.1', port });
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => client.request(encodeMoves(0, i, WAIT))));
    expect(answers.map((a) => a.kind)).toEqual(['success', 'timeout', 'error', 'success', 'timeout', 'error']);
    expect(answers[2]).toEqual({ kind: 'error', code: 7, message: 'no such cell' });
    client.close();
  });

  it('fails an unanswered request after answerTimeoutMs, even behind answered ones, and closes', async () => {
    const port = await scripted((n) => (n < 3 ? 'succs\x1fSuccess' : null));
    const client = await OreRushClient.connect({ host: '127.0.0.1', port, answerTimeoutMs: 300 });
    for (let i = 0; i < 3; i++) expect((await client.request(encodeMoves(0, i, WAIT))).kind).toBe('success');
    const started = performance.now();
    const late = client.request(encodeMoves(0, 3, WAIT));
    const behind = client.request(encodeMoves(0, 4, WAIT));
    await expect(late).rejects.toBeInstanceOf(AnswerTimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    await expect(behind).rejects.toThrow(/connection closed/);
    expect(client.closed).toBe(true);
  });

  it('answers the keep-alive and pushed packets with succs, without taking a pending answer', async () => {
    let received = '';
    let gotAll!: () => void;
    const all = new Promise<void>((r) => {
      gotAll = r;
    });
    const server = createServer((socket) => {
      socket.write('\x02awake\x1fAwake\x03\x02nickn\x1f1\x1fbob\x03\x02awake\x1fAwake\x03');
      socket.on('data', (d) => {
        received += d.toString('latin1');
        if (received.split('\x03').length > 3) gotAll();
      });
      socket.on('error', () => {});
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const nicks: string[] = [];
    const client = await OreRushClient.connect(
      { host: '127.0.0.1', port: (server.address() as { port: number }).port },
      { onNick: (_, name) => nicks.push(name) },
    );
    await all;
    expect(received).toBe('\x02succs\x1fSuccess\x03'.repeat(3));
    expect(nicks).toEqual(['bob']);
    expect(client.protocolErrors).toEqual([]);
    client.close();
  });
});

/** A server that sends `first` on connect and records what the client sends; `writes` counts the client's writes. */
async function recording(first: string) {
  let received = '';
  const server = createServer((socket) => {
    socket.write(first);
    socket.on('data', (d) => {
      received += d.toString('latin1');
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, received: () => received };
}

/** Counts the socket writes of a client from now on. */
function countWrites(client: OreRushClient): () => number {
  const socket = client.connection.socket;
  const write = socket.write.bind(socket);
  let n = 0;
  socket.write = ((...args: Parameters<typeof write>) => {
    n++;
    return write(...args);
  }) as typeof socket.write;
  return () => n;
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const SUCCS = '\x02succs\x1fSuccess\x03';

describe('OreRushClient holdAnswersMs', () => {
  it('holds the answers to awake and sends them, in order, in the one write of the next request', async () => {
    const pings = '\x02awake\x1fAwake\x03\x02awake\x1fAwake\x03';
    const server = await recording(pings);
    const client = await OreRushClient.connect({ host: '127.0.0.1', port: server.port, holdAnswersMs: 4000 });
    const writes = countWrites(client);
    // The two pings are read (and held) once the framer has seen them: a request after that carries both answers.
    // (Counted by the connection: the client reads through `onread`, without 'data' events.)
    await until(() => client.connection.bytesIn >= pings.length);
    await new Promise((r) => setTimeout(r, 20));
    expect(server.received()).toBe('');
    client.send(encodeMoves(0, 1, WAIT), () => {});
    await until(() => server.received().length > 0);
    await until(() => server.received().split('\x03').length > 3);
    expect(server.received()).toBe(`${SUCCS}${SUCCS}\x02pmove\x1f0\x1f{"round":1,"commands":[{"type":"WAIT"}]}\x03`);
    expect(writes()).toBe(1);
    client.close();
  });

  it('sends held answers by themselves within holdAnswersMs when no request comes', async () => {
    const server = await recording('\x02awake\x1fAwake\x03');
    const client = await OreRushClient.connect({ host: '127.0.0.1', port: server.port, holdAnswersMs: 300 });
    const t0 = performance.now();
    await until(() => server.received() === SUCCS);
    // Held at least half of holdAnswersMs (the sweep's period), long before the protocol's 10 s.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    client.close();
  });

  it('sends held answers before an answer that leaves at once, and before closing', async () => {
    const server = await recording('\x02awake\x1fAwake\x03\x02nickn\x1f1\x1fbob\x03\x02awake\x1fAwake\x03');
    const nicks: string[] = [];
    const client = await OreRushClient.connect(
      { host: '127.0.0.1', port: server.port, holdAnswersMs: 8000 },
      { onNick: (_, name) => nicks.push(name) },
    );
    // The nickn is answered at once, behind the first awake's held answer; the second awake's answer is held.
    await until(() => server.received() === SUCCS.repeat(2));
    expect(nicks).toEqual(['bob']);
    client.close();
    await until(() => server.received() === SUCCS.repeat(3));
  });
});
