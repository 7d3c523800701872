/**
 * The end of a run, as cheap as it can be made without changing what is measured (docs/performance.md, "Against
 * Locust at 5,000 bots: where the CPU went"): every bot's signal is aborted with one shared reason (no DOMException
 * and stack trace per bot), and a client closed twice (by the run's end, then by its session's own `finally`)
 * builds no second error and keeps the first reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ClosedBots, SESSION_STOPPED } from '../../src/load/session.ts';
import { GalaxClient, startGalaxServer } from '../../src/protocols/galax/index.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('stopping sessions', () => {
  it('aborts every bot of a ramp-down with the one shared reason', async () => {
    const ending = new AbortController();
    const signals: AbortSignal[] = [];
    const loops: Promise<void>[] = [];
    const bots = new ClosedBots({
      runSession: (signal) => {
        signals.push(signal);
        return new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(false)));
      },
      spawn: (loop) => {
        loops.push(loop());
      },
      thinkTimeMs: 0,
      ending: ending.signal,
    });
    bots.setTarget(3);
    await Promise.resolve();
    expect(signals).toHaveLength(3);
    bots.setTarget(0);
    await Promise.all(loops);
    for (const s of signals) {
      expect(s.aborted).toBe(true);
      expect(s.reason).toBe(SESSION_STOPPED);
    }
    // No stack was captured for it: it is built once, for a reason nothing reads.
    expect(SESSION_STOPPED.stack ?? '').not.toMatch(/\n\s+at /);
  });

  it('starts no bot once the run is ending (a bot whose loop ends at once leaves the list inside spawn)', async () => {
    const ending = new AbortController();
    let spawned = 0;
    const bots = new ClosedBots({
      runSession: async () => false,
      spawn: (loop) => {
        // Bounded: the old growth loop never reached its target here and spun.
        if (++spawned > 10) throw new Error('setTarget kept spawning bots after the run ended');
        void loop();
      },
      thinkTimeMs: 0,
      ending: ending.signal,
    });
    ending.abort();
    bots.setTarget(3);
    expect(spawned).toBe(0);
  });

  it('a Galax client closed twice keeps the first reason and builds no second error', async () => {
    const server = await startGalaxServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => server.close());
    const client = await GalaxClient.connect({ host: '127.0.0.1', port: server.port, name: 'twice' });
    const reason = new Error('the run ended');
    client.close(reason);
    client.close();
    expect(client.closed).toBe(true);
    expect(await client.whenClosed()).toBe(reason);
    await expect(client.join(0)).rejects.toBe(reason);
  });
});
