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
