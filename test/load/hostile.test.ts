import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario, runLoadTest } from '../../src/load/index.ts';

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A TCP server whose sessions misbehave as `onSocket` says. */
async function hostile(onSocket: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function load(port: number, durationMs = 1500) {
  const started = performance.now();
  const result = await runLoadTest({
    scenario: await loadScenario('galax-play'),
    host: '127.0.0.1',
    port,
    workload: { kind: 'closed', start: 4, stages: [{ durationMs, target: 4 }] },
    thinkTimeMs: 0,
    requestTimeoutMs: 300,
    stopGraceMs: 2000,
    params: { players: 2, lobbyTimeoutMs: 300 },
    seed: 'hostile',
    thresholds: [],
  });
  return { ...result, wallMs: performance.now() - started };
}

describe('hostile servers show up as errors, never as a hang', { timeout: 60_000 }, () => {
  it('a server that accepts and never answers: handshake timeouts', async () => {
    const port = await hostile(() => {});
    const { summary, status, wallMs } = await load(port);
    expect(status).toBe('completed');
    expect(summary.errors.byKind.timeout).toBeGreaterThanOrEqual(4);
    // Every session failed, except those the end of the run caught mid-handshake (one per bot at most).
    expect(summary.sessions.errored).toBeGreaterThanOrEqual(Math.max(4, summary.sessions.completed - 4));
    expect(summary.latency.connect?.corrected.count).toBeGreaterThanOrEqual(4);
    expect(summary.latency.handshake).toBeUndefined();
    expect(summary.errors.rate).toBeGreaterThan(0);
    // Bounded: the duration, one request timeout and the stop grace, with room for a loaded machine.
    expect(wallMs).toBeLessThan(20_000);
  });

  it('a server that drops every connection: disconnects', async () => {
    const port = await hostile((socket) => socket.destroy());
    const { summary, status } = await load(port);
    expect(status).toBe('completed');
    expect(summary.errors.byKind.disconnect).toBeGreaterThanOrEqual(4);
    expect(summary.errors.byKind.timeout ?? 0).toBe(0);
  });

  it('a server that greets, then stalls after the lobby: timeouts on JOIN', async () => {
    const port = await hostile((socket) => {
      socket.write('GSRV 0.22 sulky\r\n');
      socket.on('data', (data) => {
        if (data.toString().startsWith('GCLT')) socket.write('CLOK\r\nSLCT\r\n');
        // JOIN is never answered.
      });
    });
    const { summary } = await load(port);
    expect(summary.latency.handshake?.corrected.count).toBeGreaterThanOrEqual(4);
    expect(summary.errors.byKind.timeout).toBeGreaterThanOrEqual(4);
  });

  it('a server that drops players mid-game: disconnects, and the run still ends', async () => {
    const port = await hostile((socket) => {
      socket.write('GSRV 0.22 flaky\r\n');
      socket.on('data', (data) => {
        const text = data.toString();
        if (text.startsWith('GCLT')) socket.write('CLOK\r\nSLCT\r\n');
        else if (text.startsWith('JOIN')) {
          socket.write('JNOK 1\r\nGPLR 1 someone\r\n');
          setTimeout(() => socket.destroy(), 20);
        }
      });
    });
    const { summary, status } = await load(port);
    expect(status).toBe('completed');
    expect(summary.latency.join_rtt?.corrected.count).toBeGreaterThanOrEqual(4);
    expect(summary.errors.byKind.disconnect).toBeGreaterThanOrEqual(4);
  });

  it('a target nobody listens on fails before the run', async () => {
    const port = await hostile(() => {});
    await new Promise((resolve) => servers.pop()!.close(resolve));
    await expect(load(port)).rejects.toThrow(/cannot connect/);
  });
});
