/**
 * Measures how long a change takes to reach the whole swarm: from a peer joining (its handshake) or leaving
 * (closing, or going silent) until every other peer that should hear of it has. Shared by every peer of one
 * process (the load scenario's `prepare` makes one; the benchmark too).
 */

export type SwarmChange = 'join' | 'leave' | 'vanish';

/** What the tracker needs of an observing peer: whether it currently lists an address. */
export interface Observer {
  has(ip: number): boolean;
}

export interface Completion {
  /** `propagation` for joins and leaves; `vanish_propagation` for a silent peer (includes the server's timeout). */
  readonly metric: 'propagation' | 'vanish_propagation';
  readonly kind: SwarmChange;
  readonly micros: number;
}

interface Pending {
  readonly kind: SwarmChange;
  readonly t0: number;
  readonly expected: Set<number>;
  last: number;
}

const keyOf = (wire: 'added' | 'removed', ip: number) => `${wire}:${ip}`;

export class PropagationTracker {
  readonly #observers = new Map<number, Observer>();
  readonly #pending = new Map<string, Pending>();
  readonly #sample: (ip: number) => boolean;
  /** Changes that can no longer be seen by all (the peer left before everyone heard of its join). */
  cancelled = 0;
  #stopped = false;

  /** `sample` picks whose changes are measured (all by default; a big swarm measures a few). */
  constructor(sample: (ip: number) => boolean = () => true) {
    this.#sample = sample;
  }

  get pending(): number {
    return this.#pending.size;
  }

  get observers(): number {
    return this.#observers.size;
  }

  /** Ends measuring (the run is over: the leaves that follow are not churn). */
  stop(): void {
    this.#stopped = true;
    this.#pending.clear();
  }

  /**
   * A peer joined (call before its handshake, so that no sighting comes before the change) or left. Expected
   * to see a join: every current observer; a leave: every observer that lists the peer now.
   */
  change(kind: SwarmChange, ip: number, at = performance.now()): void {
    if (this.#stopped || !this.#sample(ip)) return;
    const wire = kind === 'join' ? 'added' : 'removed';
    if (wire === 'removed' && this.#pending.delete(keyOf('added', ip))) this.cancelled++;
    const expected = new Set<number>();
    for (const [o, observer] of this.#observers) {
      if (o !== ip && (kind === 'join' || observer.has(ip))) expected.add(o);
    }
    if (expected.size > 0) this.#pending.set(keyOf(wire, ip), { kind, t0: at, expected, last: at });
  }

  /** Drops whatever is pending about `ip` (its join failed, say). */
  forget(ip: number): void {
    for (const wire of ['added', 'removed'] as const) if (this.#pending.delete(keyOf(wire, ip))) this.cancelled++;
  }

  /** A peer now has the whole list (its first heartbeat was answered) and hears of every later change. */
  addObserver(ip: number, observer: Observer): void {
    if (!this.#stopped) this.#observers.set(ip, observer);
  }

  /** A peer is going away: it is no longer waited for. May complete changes it was the last one missing. */
  removeObserver(ip: number): Completion[] {
    this.#observers.delete(ip);
    const done: Completion[] = [];
    for (const [key, p] of this.#pending) {
      if (!p.expected.delete(ip) || p.expected.size > 0) continue;
      this.#pending.delete(key);
      if (p.last > p.t0) done.push(this.#completion(p, p.last));
      else this.cancelled++;
    }
    return done;
  }

  /** `observer` was told `kind` about `ip`; returns the completion if it was the last one missing. */
  seen(observer: number, wire: 'added' | 'removed', ip: number, at?: number): Completion | null {
    // Called for every update entry of every peer (10^8 times as a 10,000-peer swarm syncs): cheap when nothing
    // is being measured, and the clock is read only for a sighting that counts.
    if (this.#stopped || this.#pending.size === 0) return null;
    const key = keyOf(wire, ip);
    const p = this.#pending.get(key);
    if (!p?.expected.delete(observer)) return null;
    const now = at ?? performance.now();
    p.last = now;
    if (p.expected.size > 0) return null;
    this.#pending.delete(key);
    return this.#completion(p, now);
  }

  #completion(p: Pending, at: number): Completion {
    return {
      metric: p.kind === 'vanish' ? 'vanish_propagation' : 'propagation',
      kind: p.kind,
      micros: Math.round((at - p.t0) * 1000),
    };
  }
}
