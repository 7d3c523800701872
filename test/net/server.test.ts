import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectFramed, isLoopback, parseHostPort } from '../../src/net/client.ts';
import type { CloseReason, Connection } from '../../src/net/connection.ts';
import { lineFramer } from '../../src/net/framing.ts';
import { TcpServer } from '../../src/net/server.ts';

const servers: TcpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** An echo server that upper-cases lines, answers framing errors, and throws on the line `boom`. */
async function echoServer(extra: Partial<ConstructorParameters<typeof TcpServer>[0]['connection']> = {}) {
  const closes: CloseReason[] = [];
  const server = new TcpServer({
    port: 0,
    connection: { framer: () => lineFramer({ maxLine: 32 }), ...extra },
    accept: (conn) => ({
      onFrame(frame) {
        const text = frame.toString();
        if (text === 'boom') throw new Error('handler bug');
        conn.send(text.toUpperCase());
      },
      onFrameError: (error) => conn.send(`ERR ${error.kind}`),
      onClose: (reason) => closes.push(reason),
    }),
  });
  servers.push(server);
  const { port } = await server.listen();
  return { server, port, closes };
}

function lineClient(port: number) {
  const lines: string[] = [];
  let closed: CloseReason | undefined;
  const waiters: (() => void)[] = [];
  const notify = () => {
    for (const w of waiters.splice(0)) w();
  };
  const ready = connectFramed(
    { host: '127.0.0.1', port, framer: lineFramer({ maxLine: 1024 }) },
    {
      onFrame: (f) => {
        lines.push(f.toString());
        notify();
      },
      onClose: (reason) => {
        closed = reason;
        notify();
      },
    },
  );
  const until = async (pred: () => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out; lines so far: ${JSON.stringify(lines)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  return { ready, lines, until, closed: () => closed };
}

describe('TcpServer and Connection', () => {
  it('frames requests and replies, and answers framing errors without closing', async () => {
    const { port } = await echoServer();
    const c = lineClient(port);
    const conn: Connection = await c.ready;
    conn.send('hello');
    conn.send('x'.repeat(100));
    conn.send('after');
    await c.until(() => c.lines.length >= 3);
    expect(c.lines).toEqual(['HELLO', 'ERR oversized', 'AFTER']);
    conn.close();
  });

  it('closes only the connection whose handler throws; the others keep being served', async () => {
    const { server, port, closes } = await echoServer();
    const good = lineClient(port);
    const bad = lineClient(port);
    const [g, b] = [await good.ready, await bad.ready];
    b.send('boom');
    await bad.until(() => bad.closed() !== undefined);
    g.send('still');
    await good.until(() => good.lines.includes('STILL'));
    expect(closes).toContain('error');
    expect(server.connections.size).toBe(1);
    g.close();
  });

  it('drops a peer that stays silent past the idle timeout', async () => {
    const { port, closes } = await echoServer({ idleTimeoutMs: 150 });
    const c = lineClient(port);
    await c.ready;
    await c.until(() => c.closed() !== undefined, 5000);
    expect(closes).toEqual(['idle']);
  });

  it('drops a silent peer even while the server keeps writing to it (pings do not count as activity)', async () => {
    const closes: CloseReason[] = [];
    const server = new TcpServer({
      port: 0,
      connection: { framer: () => lineFramer({ maxLine: 32 }), idleTimeoutMs: 300 },
      accept: (conn) => {
        const ping = setInterval(() => conn.send('PING'), 50);
        return {
          onFrame: () => {},
          onClose: (r) => {
            clearInterval(ping);
            closes.push(r);
          },
        };
      },
    });
    servers.push(server);
    const { port } = await server.listen();
    const c = lineClient(port);
    await c.ready;
    await c.until(() => c.closed() !== undefined, 5000);
    expect(closes).toEqual(['idle']);
    expect(c.lines.filter((l) => l === 'PING').length).toBeGreaterThan(1);
  });

  it('keeps a peer that keeps talking past the idle timeout', async () => {
    const { port, closes } = await echoServer({ idleTimeoutMs: 300 });
    const c = lineClient(port);
    const conn = await c.ready;
    for (let i = 0; i < 8; i++) {
      conn.send(`n${i}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(c.closed()).toBeUndefined();
    expect(closes).toEqual([]);
    conn.close();
  });

  it('closes a peer that does not read once too much output is queued', async () => {
    let serverConn: Connection | undefined;
    const closes: CloseReason[] = [];
    const server = new TcpServer({
      port: 0,
      connection: { framer: () => lineFramer({ maxLine: 32 }), maxBufferedBytes: 256 * 1024 },
      accept: (conn) => {
        serverConn = conn;
        return { onFrame: () => {}, onClose: (r) => closes.push(r) };
      },
    });
    servers.push(server);
    const { port } = await server.listen();
    const raw: Socket = connect(port, '127.0.0.1');
    await new Promise((r) => raw.once('connect', r));
    raw.pause();
    const deadline = Date.now() + 10_000;
    while (!serverConn) await new Promise((r) => setTimeout(r, 10));
    const line = 'y'.repeat(16 * 1024);
    while (!serverConn.closed && Date.now() < deadline) {
      for (let i = 0; i < 64 && !serverConn.closed; i++) serverConn.send(line);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(closes).toEqual(['overflow']);
    raw.destroy();
  });

  it('refuses connections beyond maxConnections', async () => {
    const server = new TcpServer({
      port: 0,
      maxConnections: 1,
      connection: { framer: () => lineFramer({ maxLine: 32 }) },
      accept: () => ({ onFrame: () => {} }),
    });
    servers.push(server);
    const { port } = await server.listen();
    const first = lineClient(port);
    await first.ready;
    const second = lineClient(port);
    await second.ready;
    await second.until(() => second.closed() !== undefined);
    expect(server.refused).toBe(1);
  });

  it('rejects a connect to a closed port with a clear message', async () => {
    const { server, port } = await echoServer();
    await server.close();
    servers.length = 0;
    await expect(lineClient(port).ready).rejects.toThrow(`cannot connect to 127.0.0.1:${port}`);
  });
});

describe('addresses', () => {
  it('parses host:port forms and knows loopback', () => {
    expect(parseHostPort('127.0.0.1:42529')).toEqual({ host: '127.0.0.1', port: 42529 });
    expect(parseHostPort('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseHostPort('5000')).toEqual({ host: '127.0.0.1', port: 5000 });
    expect(parseHostPort('localhost', 1038)).toEqual({ host: 'localhost', port: 1038 });
    expect(() => parseHostPort('host:99999')).toThrow(/not a host:port/);
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
    expect(isLoopback('example.com')).toBe(false);
  });
});
