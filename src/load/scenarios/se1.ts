import { Se1Client, Se1Error } from '../../protocols/se1/client.ts';
import { numParam, sleep } from '../scenario-kit.ts';
import type { LoadScenario, SessionContext } from '../types.ts';

const REQUESTS = ['NOOP', 'LIST GAMES', 'LIST USERS', 'ID'] as const;

/**
 * Lobby round trips on an SE1 server: each session connects (greeting), creates a test player, logs in, then
 * sends `requests` lobby commands (NOOP, LIST GAMES, LIST USERS, ID, drawn from its stream) one at a time,
 * timing each reply block (`lobby_rtt`, and per command `<command>_rtt`), and logs out.
 */
export const se1LobbyScenario: LoadScenario = {
  id: 'se1-lobby',
  protocol: 'se1',
  description: 'SE1 lobby round trips: CREATE TESTPLAYER, LOGIN, then NOOP / LIST GAMES / LIST USERS / ID',
  params: { requests: 20 },
  // Independent sessions, nothing shared.
  threads: {},
  async runSession(ctx: SessionContext) {
    const { metrics, rng, signal } = ctx;
    const requests = numParam(ctx.params.requests, 20);
    const started = performance.now();
    const arrival = ctx.scheduledAt ?? started;
    let client: Se1Client | undefined;
    const timed = async (name: string, line: string) => {
      const t0 = performance.now();
      const reply = await client!.request(line);
      const micros = Math.round((performance.now() - t0) * 1000);
      metrics.latency(`${name}_rtt`, micros);
      return reply;
    };
    try {
      client = await Se1Client.connect({ host: ctx.host, port: ctx.port, requestTimeoutMs: ctx.requestTimeoutMs });
      // From the arrival time (open model: corrected for a late start) and from the actual start.
      const now = performance.now();
      metrics.latency('connect', Math.round((now - arrival) * 1000), Math.round((now - started) * 1000));
      metrics.track(client.connection, client);
      const created = await timed('testplayer', 'CREATE TESTPLAYER');
      const f = Se1Client.fields(created.lines[0] ?? '');
      await timed('login', `LOGIN ${f.NICK} ${f.PASSWORD}`);
      // With a think time the requests follow a schedule the server cannot move (each due a drawn pause after the
      // previous one was due, not after its reply): lobby_rtt counts from when a request was due, as wrk2 does.
      let due = performance.now();
      for (let i = 0; i < requests && !signal.aborted; i++) {
        const line = rng.pick(REQUESTS);
        const t0 = performance.now();
        await timed(line.toLowerCase().replace(' ', '_'), line);
        const end = performance.now();
        if (ctx.thinkTimeMs > 0) {
          metrics.latency('lobby_rtt', Math.round((end - due) * 1000), Math.round((end - t0) * 1000));
        } else metrics.latency('lobby_rtt', Math.round((end - t0) * 1000));
        metrics.count('requests');
        if (ctx.thinkTimeMs > 0) {
          due += rng.int(0, 2 * ctx.thinkTimeMs);
          await sleep(due - performance.now(), signal);
        }
      }
      await client.request('LOGOUT').catch(() => undefined);
      metrics.count('sessions');
    } catch (error) {
      if (signal.aborted) return;
      const message = (error as Error).message;
      if (/within \d+ ms/.test(message)) metrics.error('timeout');
      else if (/closed/.test(message)) metrics.error('disconnect');
      else if (error instanceof Se1Error) metrics.error('ERROR');
      else metrics.error('connect_failed');
    } finally {
      client?.close();
    }
  },
};
