import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LoadRecorder } from '../../src/load/metrics.ts';
import { formatTimeseriesCsv } from '../../src/load/summary.ts';
import { connectFramed } from '../../src/net/client.ts';
import { lineFramer } from '../../src/net/framing.ts';

describe('LoadRecorder', () => {
  it('closes one-second intervals and folds them into the run totals', () => {
    const r = new LoadRecorder();
    const t0 = r.startedAt;
    for (let i = 0; i < 10; i++) r.latency('move_rtt', 1000);
    r.count('moves', 10);
    const first = r.tick(t0 + 1000);
    expect(first.latency.move_rtt).toMatchObject({ count: 10, p50: 1000 });
    expect(first.counters.moves).toBe(10);
    for (let i = 0; i < 10; i++) r.latency('move_rtt', 3000, 2000);
    r.error('timeout');
    const second = r.tick(t0 + 2000);
    expect(second.latency.move_rtt!.count).toBe(10);
    expect(second.latency.move_rtt!.p50).toBeGreaterThanOrEqual(2999);
    expect(second.latency.move_rtt!.p99Uncorrected).toBeLessThanOrEqual(2002);
    expect(second.counters.moves).toBeUndefined();
    expect(second.errors).toBe(1);
    const total = r.latencySummary('move_rtt')!;
    expect(total.corrected.count).toBe(20);
    expect(total.scheduled).toBe(true);
    expect(total.corrected.max).toBeGreaterThanOrEqual(2999);
    expect(total.uncorrected.max).toBeLessThanOrEqual(2002);
    expect(r.errors()).toEqual({ timeout: 1 });
    const csv = formatTimeseriesCsv(r.points).trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[0]).toContain('move_rtt_p99_ms');
    r.end();
  });

  it('marks a session errored only through its own view', () => {
    const r = new LoadRecorder();
    const a = r.session();
    const b = r.session();
    a.error('disconnect');
    expect(a.errored).toBe(true);
    expect(b.errored).toBe(false);
    expect(r.errorTotal).toBe(1);
    r.end();
  });

  it('counts the bytes and frames of tracked connections both ways', async () => {
    const server = createServer((socket) => socket.on('data', (d) => socket.write(d)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const r = new LoadRecorder();
    let frames = 0;
    const conn = await connectFramed(
      { host: '127.0.0.1', port, framer: lineFramer({ maxLine: 100, eol: '\n' }) },
      { onFrame: () => frames++ },
    );
    r.track(conn);
    for (let i = 0; i < 5; i++) conn.send('hello');
    const deadline = Date.now() + 5000;
    while (frames < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const point = r.tick(r.startedAt + 1000);
    expect(r.messagesOut).toBe(5);
    expect(r.messagesIn).toBe(5);
    expect(r.bytesOut).toBe(30);
    expect(r.bytesIn).toBe(30);
    expect(point.messagesOutPerSec).toBe(5);
    conn.destroy();
    await new Promise((resolve) => server.close(resolve));
    r.tick();
    r.end();
  });
});
