import { describe, expect, it } from 'vitest';
import { runLoadTest } from '../../src/load/index.ts';
import { chatConverseScenario } from '../../src/load/scenarios/chat.ts';
import { startTestServer } from './helpers.ts';

const SESSIONS = 1000;
const MESSAGES = 5;

describe('chat-converse load test', () => {
  it(`${SESSIONS} concurrent chat bots on loopback: every message delivered exactly once`, async () => {
    // The lowest scrypt cost: 2,000 password hashes would otherwise dominate a test about message delivery.
    const server = await startTestServer({ scryptCost: 16 });
    const stop = new AbortController();
    try {
      const result = await runLoadTest({
        scenario: chatConverseScenario,
        host: server.host,
        port: server.port,
        // Open model: 1000 arrivals in the first second (the rate ramps from 2000/s to 0), then no more;
        // the run is ended as soon as every session has left.
        workload: {
          kind: 'open',
          start: 2 * SESSIONS,
          stages: [
            { durationMs: 1000, rate: 0 },
            { durationMs: 90_000, rate: 0 },
          ],
          maxSessions: SESSIONS,
        },
        thinkTimeMs: 0,
        requestTimeoutMs: 30_000,
        params: { messages: MESSAGES, rate: 10, pairTimeoutMs: 60_000, drainTimeoutMs: 60_000 },
        seed: 'chat-load-test',
        thresholds: [],
        signal: stop.signal,
        stopGraceMs: 10_000,
        serverStats: () => server.stats(),
        onTick: (_point, recorder) => {
          if (recorder.sessionsStarted >= SESSIONS && recorder.activeSessions === 0) stop.abort();
        },
      });
      const { summary } = result;
      expect(summary.sessions.started).toBe(SESSIONS);
      expect(summary.sessions.maxActive).toBeGreaterThan(SESSIONS / 2);
      expect(summary.errors.byKind).toEqual({});
      expect(summary.counters.messages_sent).toBe(SESSIONS * MESSAGES);
      expect(summary.counters.messages_delivered).toBe(SESSIONS * MESSAGES);
      expect(summary.latency.delivery?.corrected.count ?? summary.latency.delivery).toBeTruthy();
      expect(summary.latency.send_rtt).toBeDefined();
      const stats = server.stats();
      expect(stats.messagesSent).toBe(SESSIONS * MESSAGES);
      expect(stats.messagesDelivered).toBe(SESSIONS * MESSAGES);
      const undelivered = server.store.db.prepare('SELECT count(*) AS n FROM messages WHERE delivered = 0').get() as {
        n: number;
      };
      expect(undelivered.n).toBe(0);
    } finally {
      stop.abort();
      await server.close();
    }
  }, 120_000);
});
