import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectFramed } from '../../src/net/client.ts';
import { lineFramer, textLineFramer } from '../../src/net/framing.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A plain server collecting what one peer sends until it closes. */
async function sink(): Promise<{ port: number; received: Promise<string> }> {
  let resolveReceived!: (text: string) => void;
  const received = new Promise<string>((r) => {
    resolveReceived = r;
  });
  const server = createServer((socket: Socket) => {
    let text = '';
    socket.on('data', (d) => {
      text += d.toString();
    });
    socket.on('end', () => {
      resolveReceived(text);
      socket.end();
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { port: address.port, received };
}

describe('Connection output', () => {
  it('writes the frames sent in one tick as one buffer, in order', async () => {
    const { port, received } = await sink();
    const conn = await connectFramed(
      { host: '127.0.0.1', port, framer: lineFramer({ maxLine: 64 }) },
      {
        onFrame: () => {},
      },
    );
    const write = vi.spyOn(conn.socket, 'write');
    for (let i = 0; i < 5; i++) conn.send(`line ${i}`);
    expect(write).not.toHaveBeenCalled();
    await new Promise((r) => setImmediate(r));
    expect(write).toHaveBeenCalledTimes(1);
    conn.send('last');
    conn.close();
    expect(await received).toBe('line 0\r\nline 1\r\nline 2\r\nline 3\r\nline 4\r\nlast\r\n');
    expect(conn.bytesOut).toBe(Buffer.byteLength('line 0\r\n') * 5 + 6);
  });

  it('keeps the order of text and byte frames sent in one tick, and counts UTF-8 bytes', async () => {
    const { port, received } = await sink();
    const conn = await connectFramed(
      { host: '127.0.0.1', port, framer: lineFramer({ maxLine: 64 }) },
      {
        onFrame: () => {},
      },
    );
    const write = vi.spyOn(conn.socket, 'write');
    conn.send('a');
    conn.send(Buffer.from('b'));
    conn.send('été');
    await new Promise((r) => setImmediate(r));
    expect(write).toHaveBeenCalledTimes(1);
    conn.close();
    expect(await received).toBe('a\r\nb\r\nété\r\n');
    expect(conn.bytesOut).toBe(3 + 3 + Buffer.byteLength('été\r\n'));
  });

  it('drops what is queued on destroy, and sends nothing after close', async () => {
    const { port, received } = await sink();
    const conn = await connectFramed(
      { host: '127.0.0.1', port, framer: lineFramer({ maxLine: 64 }) },
      {
        onFrame: () => {},
      },
    );
    conn.send('kept');
    await new Promise((r) => setImmediate(r));
    conn.send('dropped');
    conn.socket.end();
    conn.destroy();
    expect(conn.send('after')).toBe(false);
    expect(await received).toBe('kept\r\n');
  });

  it('reports backpressure and closes as overflow past maxBufferedBytes within one tick', async () => {
    const { port } = await sink();
    const closes: string[] = [];
    const conn = await connectFramed(
      { host: '127.0.0.1', port, framer: lineFramer({ maxLine: 64 * 1024 }), maxBufferedBytes: 100_000 },
      { onFrame: () => {}, onClose: (reason) => closes.push(reason) },
    );
    const line = 'x'.repeat(10_000);
    expect(conn.send(line)).toBe(true);
    expect(conn.send(line)).toBe(false);
    for (let i = 0; i < 10 && !conn.closed; i++) conn.send(line);
    expect(closes).toEqual(['overflow']);
  });
});

describe('Connection input into one reused buffer (a framer that copies what it keeps)', () => {
  /** A server that writes `chunks` to each peer, one write per turn of its loop, then ends. */
  async function talker(chunks: string[]): Promise<number> {
    const server = createServer((socket: Socket) => {
      socket.setNoDelay(true);
      socket.on('error', () => {});
      let i = 0;
      const next = () => {
        if (i === chunks.length) {
          socket.end();
          return;
        }
        socket.write(chunks[i++]!);
        setTimeout(next, 2);
      };
      next();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  it('reads text lines through onread, lines split across reads and connections interleaved, then the end', async () => {
    // Lines cut mid-line and mid-CRLF: what the framer keeps between reads must not be the shared buffer's bytes.
    const chunks = ['GSRV 0.22\r\nPLNT 1 2', ' 3 4 5 6\r', '\nYEAR 10\r\nMV', 'OK 1 2 3 4\r\n'];
    const port = await talker(chunks);
    const runs = Array.from({ length: 4 }, async () => {
      const lines: string[] = [];
      let resolveClosed!: (reason: string) => void;
      const closed = new Promise<string>((r) => {
        resolveClosed = r;
      });
      const conn = await connectFramed(
        { host: '127.0.0.1', port, framer: textLineFramer({ maxLine: 64 }) },
        { onFrame: (line) => lines.push(line), onClose: (reason) => resolveClosed(reason) },
      );
      // The reads bypass the stream: nobody listens for 'data'.
      expect(conn.socket.listenerCount('data')).toBe(0);
      expect(await closed).toBe('remote');
      expect(conn.bytesIn).toBe(chunks.join('').length);
      return lines;
    });
    for (const lines of await Promise.all(runs)) {
      expect(lines).toEqual(['GSRV 0.22', 'PLNT 1 2 3 4 5 6', 'YEAR 10', 'MVOK 1 2 3 4']);
    }
  });

  it('keeps reading byte framers through data events (their frames are views of the chunk)', async () => {
    const port = await talker(['a\n', 'b\n']);
    const frames: string[] = [];
    let resolveClosed!: () => void;
    const closed = new Promise<void>((r) => {
      resolveClosed = r;
    });
    const conn = await connectFramed(
      { host: '127.0.0.1', port, framer: lineFramer({ maxLine: 64 }) },
      { onFrame: (frame) => frames.push(frame.toString()), onClose: () => resolveClosed() },
    );
    expect(conn.socket.listenerCount('data')).toBe(1);
    await closed;
    expect(frames).toEqual(['a', 'b']);
  });
});
