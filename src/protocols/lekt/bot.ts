/**
 * Peers as bots of the runtime: a strategy sees what a peer knows and picks its next move (heartbeat, leave,
 * vanish); `runPeerBot` carries the move out on a live session. The strategy never touches the socket, so
 * the same bot drives a peer in a test, the load scenario and the benchmark.
 */
import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import type { Rng } from '../../core/rng.ts';
import type { BotContext, Strategy } from '../../core/strategy.ts';
import type { LektPeer } from './peer.ts';

export type PeerAction = 'heartbeat' | 'leave' | 'vanish';

export interface PeerObservation {
  /** Ticks done so far (one decision per tick). */
  readonly tick: number;
  readonly elapsedMs: number;
  /** Peers in this peer's list. */
  readonly peers: number;
  /** Round trip of the previous heartbeat, ms (null before the first). */
  readonly lastRttMs: number | null;
}

/** A peer has no game to simulate: its context carries no forward model. */
export type PeerStrategy = Strategy<PeerObservation, PeerAction, BotContext>;

export interface PeerBotOptions {
  readonly intervalMs: number;
  readonly rng: Rng;
  /** Index of this peer (its "seat"). */
  readonly index?: number;
  readonly log?: Logger;
  readonly signal?: AbortSignal;
  /** Stops (leaving) after this many ticks; default unbounded (until the strategy or `signal` ends it). */
  readonly maxTicks?: number;
  /** Whether the peer leaves when `maxTicks` is reached (default) or stays connected for the caller. */
  readonly leaveAtEnd?: boolean;
  /** A heartbeat unanswered this long ends the run as `timeout`. */
  readonly heartbeatTimeoutMs?: number;
  onRtt?(rttMs: number): void;
  /** Called just before the peer leaves or vanishes by its own choice (not on abort). */
  onDeparture?(kind: 'leave' | 'vanish'): void;
}

export type PeerBotEnd = 'left' | 'vanished' | 'aborted' | 'closed' | 'timeout' | 'done';

/** Runs one peer bot until it leaves, vanishes, is closed, times out, or `signal` aborts (then it leaves). */
export async function runPeerBot(peer: LektPeer, strategy: PeerStrategy, options: PeerBotOptions): Promise<PeerBotEnd> {
  const ctx: BotContext = {
    seat: options.index ?? 0,
    rng: options.rng,
    budget: { iterations: 1 },
    log: options.log ?? silentLogger,
  };
  const started = performance.now();
  let lastRttMs: number | null = null;
  const maxTicks = options.maxTicks ?? Number.POSITIVE_INFINITY;
  for (let tick = 0; tick < maxTicks; tick++) {
    if (options.signal?.aborted) {
      await peer.leave();
      return 'aborted';
    }
    if (peer.closeReason) return 'closed';
    const action = await strategy.decide(
      { tick, elapsedMs: performance.now() - started, peers: peer.peers.size, lastRttMs },
      ctx,
    );
    if (action === 'leave') {
      options.onDeparture?.('leave');
      await peer.leave();
      return 'left';
    }
    if (action === 'vanish') {
      options.onDeparture?.('vanish');
      peer.vanish();
      return 'vanished';
    }
    const tickStart = performance.now();
    const rtt = await withTimeout(peer.heartbeat(), options.heartbeatTimeoutMs ?? 30_000);
    if (rtt === 'timeout') return 'timeout';
    if (rtt === 'closed') return 'closed';
    lastRttMs = rtt;
    options.onRtt?.(rtt);
    const wait = options.intervalMs - (performance.now() - tickStart);
    if (wait > 0 && !(await sleep(wait, options.signal))) continue;
  }
  if (options.leaveAtEnd !== false) await peer.leave();
  return 'done';
}

async function withTimeout(p: Promise<number>, ms: number): Promise<number | 'timeout' | 'closed'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.catch(() => 'closed' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves true after `ms`, false at once when `signal` aborts first. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
