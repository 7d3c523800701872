import { createChurnPeer } from '../../../bots/lekt.ts';
import { isLoopback } from '../../net/client.ts';
import { runPeerBot } from '../../protocols/lekt/bot.ts';
import { ipFromNumber, ipToNumber, METHOD } from '../../protocols/lekt/codec.ts';
import { LektPeer } from '../../protocols/lekt/peer.ts';
import { PropagationTracker } from '../../protocols/lekt/propagation.ts';
import { numParam, sleep } from '../scenario-kit.ts';
import type { LoadScenario, SessionContext } from '../types.ts';

export interface LektChurnShared {
  readonly tracker: PropagationTracker;
  /** Each session binds its own loopback address: the server keys clients by IPv4 address. */
  readonly bind: boolean;
  readonly base: number;
}

/**
 * Every session is one peer: it joins (handshake and setup), heartbeats every `heartbeatMs`, and after
 * `minTicks` heartbeats leaves with probability `leave` or vanishes (goes silent, socket open) with
 * probability `vanish` per tick, drawn from its own seeded stream (the `lekt-churn` bot). Metrics: `connect`,
 * `handshake`, `heartbeat_rtt`, `propagation` (join or leave until every other peer lists it or not) and
 * `vanish_propagation` (silence until every peer saw the removal: includes the server's heartbeat timeout).
 */
export const lektChurnScenario: LoadScenario<LektChurnShared> = {
  id: 'lekt-churn',
  protocol: 'lekt',
  description: 'peers join, heartbeat, then leave or vanish at random; measures handshake, heartbeat RTT, propagation',
  params: {
    heartbeatMs: 1000,
    leave: 0.05,
    vanish: 0.02,
    minTicks: 3,
    vanishHoldMs: 8000,
    bind: 'auto',
    addressBase: '127.10.0.0',
  },
  threads: {
    refused:
      "its propagation metric compares every peer's view in one in-process tracker, so all sessions must run in one thread (use --threads 1)",
  },
  async prepare({ host, params }) {
    const bindParam = params.bind ?? 'auto';
    const bind = bindParam === 'auto' ? isLoopback(host) : bindParam === true || bindParam === 'true';
    return {
      tracker: new PropagationTracker(),
      bind,
      base: ipToNumber(String(params.addressBase ?? '127.10.0.0')),
    };
  },
  async runSession(ctx: SessionContext<LektChurnShared>): Promise<void> {
    const { metrics, signal, params, shared } = ctx;
    const { tracker } = shared;
    signal.addEventListener('abort', () => tracker.stop(), { once: true });
    const heartbeatMs = Math.max(1, numParam(params.heartbeatMs, 1000));
    // Without distinct source addresses the server would see one client; propagation is then not tracked.
    const me = shared.bind ? shared.base + ctx.index : -1;
    if (me >= 0) tracker.change('join', me);
    let peer: LektPeer;
    try {
      peer = await LektPeer.connect({
        host: ctx.host,
        port: ctx.port,
        ...(me >= 0 ? { localAddress: ipFromNumber(me) } : {}),
        methods: [
          { method: METHOD.tcp, port: 20_000 + (ctx.index % 40_000) },
          { method: METHOD.udp, port: 20_000 + (ctx.index % 40_000) },
        ],
        setupTimeoutMs: ctx.requestTimeoutMs,
        log: ctx.log,
        onChange: (kind, ip) => {
          if (me < 0) return;
          const done = tracker.seen(me, kind, ip);
          if (done) metrics.latency(done.metric, done.micros);
        },
      });
    } catch (error) {
      if (me >= 0) tracker.forget(me);
      const message = (error as Error).message;
      const reason = /^rejected: ([a-z-]+):/.exec(message)?.[1];
      metrics.error(reason ? `reject_${reason}` : /within/.test(message) ? 'timeout' : 'connect_failed');
      return;
    }
    metrics.latency('connect', Math.round(peer.timings.connectMs * 1000));
    metrics.latency('handshake', Math.round(peer.timings.handshakeMs * 1000));
    metrics.track(peer.connection, peer);
    metrics.count('joins');
    const record = (done: readonly { metric: string; micros: number }[]) => {
      for (const d of done) metrics.latency(d.metric, d.micros);
    };
    try {
      const rtt = await peer.heartbeat();
      metrics.latency('heartbeat_rtt', Math.round(rtt * 1000));
      if (me >= 0) tracker.addObserver(me, peer);
    } catch {
      metrics.error('disconnect');
      if (me >= 0) tracker.forget(me);
      peer.destroy();
      return;
    }
    const end = await runPeerBot(peer, createChurnPeer({ params }), {
      intervalMs: heartbeatMs,
      rng: ctx.rng,
      index: ctx.index,
      log: ctx.log,
      signal,
      heartbeatTimeoutMs: ctx.requestTimeoutMs,
      onRtt: (ms) => metrics.latency('heartbeat_rtt', Math.round(ms * 1000)),
      onDeparture: (kind) => {
        if (me < 0) return;
        record(tracker.removeObserver(me));
        tracker.change(kind, me);
      },
    });
    if (me >= 0 && end !== 'left' && end !== 'vanished') record(tracker.removeObserver(me));
    switch (end) {
      case 'left':
        metrics.count('leaves');
        return;
      case 'vanished':
        metrics.count('vanishes');
        // Stay silent with the socket open until the server drops us: closing would be an orderly leave.
        await Promise.race([peer.closed, sleep(numParam(params.vanishHoldMs, 8000), signal)]);
        peer.destroy();
        return;
      case 'timeout':
        metrics.error('timeout');
        peer.destroy();
        return;
      case 'closed': {
        const reason = peer.closeReason;
        const word = reason?.kind === 'rejected' ? /^([a-z-]+):/.exec(reason.message ?? '')?.[1] : undefined;
        metrics.error(word ? `reject_${word}` : 'disconnect');
        return;
      }
      default:
        return;
    }
  },
};
