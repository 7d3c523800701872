import { type Logger, silentLogger } from '../../core/log.ts';
import type { Connection } from '../../net/connection.ts';
import type { FrameError, Framer } from '../../net/framing.ts';
import { TcpServer } from '../../net/server.ts';
import {
  type ClientPhase,
  clientPacketFramer,
  decodeClientPacket,
  encodeAccept,
  encodeClientObject,
  encodeReject,
  encodeRequest,
  ipToNumber,
  ipv4Of,
  KNOWN_METHODS,
  LektError,
  METHOD,
  type MethodInfo,
  type ObjectSpan,
  packAdded,
  type RejectReason,
  splitAdded,
  splitRemoved,
  toLektError,
  withEndOfAnswer,
} from './codec.ts';
import { type LektServerSettings, parseLektSettings } from './settings.ts';

type Phase = 'handshake' | 'setup' | 'live' | 'closed';

interface Session {
  readonly conn: Connection;
  readonly ref: { phase: ClientPhase };
  readonly connectedAt: number;
  phase: Phase;
  ip: number;
  /** Bit i set: the client supports known method i (only these are requested and sent to it). */
  mask: number;
  pending: number[];
  awaiting: number;
  methods: MethodInfo[];
  lastHeartbeat: number;
  /** Absolute log position this session has been told up to; -1 until its snapshot. */
  cursor: number;
  /** This client's object as sent to receivers of a given method mask. */
  readonly objects: Map<number, Buffer>;
}

interface LogEntry {
  readonly ip: number;
  readonly session: Session;
  readonly added: boolean;
}

/** Encoded client objects back to back, object i from `offsets[i]` to `offsets[i + 1]`. */
class ObjectRun {
  bytes = Buffer.allocUnsafe(1024);
  readonly offsets: number[] = [0];
  /** Whose object each is; null for a log entry that is a leave (an empty object, never sent). */
  readonly sessions: (Session | null)[] = [];

  get length(): number {
    return this.sessions.length;
  }

  #reserve(extra: number): void {
    const used = this.offsets[this.offsets.length - 1]!;
    if (used + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, used + extra));
    this.bytes.copy(grown, 0, 0, used);
    this.bytes = grown;
  }

  push(object: Buffer | null, session: Session | null): void {
    const used = this.offsets[this.offsets.length - 1]!;
    if (object) {
      this.#reserve(object.length);
      object.copy(this.bytes, used);
    }
    this.offsets.push(used + (object?.length ?? 0));
    this.sessions.push(session);
  }

  /** Appends objects `from` … `to - 1` of `other` with one copy. */
  pushRange(other: ObjectRun, from: number, to: number): void {
    const start = other.offsets[from]!;
    const bytes = other.offsets[to]! - start;
    this.#reserve(bytes);
    const used = this.offsets[this.offsets.length - 1]!;
    other.bytes.copy(this.bytes, used, start, start + bytes);
    for (let i = from + 1; i <= to; i++) this.offsets.push(used + other.offsets[i]! - start);
    for (let i = from; i < to; i++) this.sessions.push(other.sessions[i]!);
  }

  /** A run without the first `count` objects. */
  without(count: number): ObjectRun {
    const rest = new ObjectRun();
    rest.pushRange(this, count, this.length);
    return rest;
  }
}

/** What is kept encoded for the receivers of one method mask. */
interface MaskCache {
  /** Log entries from absolute position `base` on (`base + log.length` is how far it has been encoded). */
  log: ObjectRun;
  base: number;
  /** The live clients (join order) as of absolute log position `snapshotAt`; null until first needed. */
  snapshot: ObjectRun | null;
  snapshotAt: number;
}

export interface LektServerOptions {
  host?: string;
  port: number;
  log?: Logger;
  settings?: Partial<LektServerSettings>;
}

export class LektServer {
  readonly settings: LektServerSettings;
  readonly log: Logger;
  readonly counters = {
    joined: 0,
    left: 0,
    timedOut: 0,
    rejected: 0,
    heartbeats: 0,
    updatePackets: 0,
    /** Sweeps (or one session's part of a sweep) that threw; each is logged at `error`. */
    sweepFailures: 0,
  };
  readonly #tcp: TcpServer;
  readonly #sessions = new Set<Session>();
  /** Every address in handshake, setup or live: one session per IPv4 address. */
  readonly #byIp = new Map<number, Session>();
  readonly #live = new Set<Session>();
  readonly #phaseOf = new WeakMap<Framer, { phase: ClientPhase }>();
  #log: LogEntry[] = [];
  #logBase = 0;
  /** Absolute log position of the latest leave (-1: none yet): a window after it holds only joins. */
  #lastLeave = -1;
  readonly #masks = new Map<number, MaskCache>();
  #sweep: NodeJS.Timeout | undefined;
  #host = '127.0.0.1';

  constructor(options: LektServerOptions) {
    // Settings from code pass the same checks as `--set` text.
    this.settings = parseLektSettings(options.settings ?? {});
    this.log = options.log ?? silentLogger;
    this.#host = options.host ?? '127.0.0.1';
    this.#tcp = new TcpServer({
      host: this.#host,
      port: options.port,
      log: this.log,
      connection: {
        framer: () => {
          // The framer must know whether an 'H' is a handshake or a heartbeat; the session flips this.
          const ref = { phase: 'handshake' as ClientPhase };
          const framer = clientPacketFramer(() => ref.phase);
          this.#phaseOf.set(framer, ref);
          return framer;
        },
        maxBufferedBytes: 8 * 1024 * 1024,
      },
      accept: (conn) => this.#accept(conn),
    });
  }

  async listen(): Promise<{ host: string; port: number }> {
    const address = await this.#tcp.listen();
    const period = Math.max(5, Math.min(this.settings.heartbeatIntervalMs, this.settings.heartbeatTimeoutMs / 4));
    this.#sweep = setInterval(() => this.#sweepGuarded(), period);
    this.#sweep.unref();
    return address;
  }

  get port(): number {
    return this.#tcp.port;
  }

  get host(): string {
    return this.#host;
  }

  /** Open connections, whatever their phase (tests check their framers stay bounded). */
  get connections(): ReadonlySet<Connection> {
    return this.#tcp.connections;
  }

  /** Live clients (setup finished, not yet gone). */
  get liveCount(): number {
    return this.#live.size;
  }

  /** The log entries kept for lagging sessions (bounded by the slowest live client's cursor). */
  get logLength(): number {
    return this.#log.length;
  }

  stats(): Record<string, number> {
    return {
      connections: this.#tcp.connections.size,
      live: this.#live.size,
      ...this.counters,
    };
  }

  async close(): Promise<void> {
    if (this.#sweep) clearInterval(this.#sweep);
    for (const s of [...this.#sessions]) this.#reject(s, new LektError('shutdown', 'server is stopping'));
    await this.#tcp.close();
  }

  #accept(conn: Connection) {
    const ref = this.#phaseOf.get(conn.framer)!;
    const now = performance.now();
    const session: Session = {
      conn,
      ref,
      connectedAt: now,
      phase: 'handshake',
      ip: -1,
      mask: 0,
      pending: [],
      awaiting: -1,
      methods: [],
      lastHeartbeat: now,
      cursor: -1,
      objects: new Map(),
    };
    this.#sessions.add(session);
    return {
      onFrame: (frame: Buffer) => this.#onFrame(session, frame),
      onFrameError: (error: FrameError) => this.#reject(session, toLektError(error)),
      onClose: () => this.#onClose(session),
    };
  }

  #onFrame(s: Session, frame: Buffer): void {
    if (s.phase === 'closed') return;
    let packet: ReturnType<typeof decodeClientPacket>;
    try {
      packet = decodeClientPacket(frame, s.ref.phase);
    } catch (error) {
      this.#reject(s, error instanceof LektError ? error : new LektError('malformed', String(error)));
      return;
    }
    switch (packet.type) {
      case 'hello':
        this.#onHello(s, packet.supported);
        return;
      case 'response': {
        if (s.phase !== 'setup' || packet.info.method !== s.awaiting) {
          const expected = s.phase === 'setup' ? `method ${s.awaiting}` : 'a heartbeat';
          this.#reject(s, new LektError('state', `response for method ${packet.info.method}, expected ${expected}`));
          return;
        }
        s.methods.push(packet.info);
        this.#nextRequest(s);
        return;
      }
      case 'heartbeat': {
        if (s.phase !== 'live') {
          this.#reject(s, new LektError('state', 'heartbeat before setup ended'));
          return;
        }
        s.lastHeartbeat = performance.now();
        this.counters.heartbeats++;
        this.#answer(s, packet.timestamp);
        return;
      }
    }
  }

  #onHello(s: Session, supported: readonly number[]): void {
    s.ref.phase = 'after-handshake';
    const ip = ipv4Of(s.conn.socket.remoteAddress);
    if (!ip) {
      this.#reject(s, new LektError('ipv4-only', `${s.conn.socket.remoteAddress} is not an IPv4 address`));
      return;
    }
    const ipNum = ipToNumber(ip);
    if (this.#byIp.has(ipNum)) {
      this.#reject(s, new LektError('address-in-use', `${ip} already has a session on this server`));
      return;
    }
    if (this.#byIp.size >= this.settings.maxClients) {
      this.#reject(s, new LektError('full', `server holds its maximum of ${this.settings.maxClients} clients`));
      return;
    }
    s.ip = ipNum;
    this.#byIp.set(ipNum, s);
    s.pending = supported.filter((i) => i > 0 && i < KNOWN_METHODS);
    s.mask = s.pending.reduce((m, i) => m | (1 << i), 0);
    s.phase = 'setup';
    s.conn.send(encodeAccept());
    this.#nextRequest(s);
  }

  #nextRequest(s: Session): void {
    const next = s.pending.shift();
    if (next !== undefined) {
      s.awaiting = next;
      s.conn.send(encodeRequest(next));
      return;
    }
    s.awaiting = -1;
    s.conn.send(encodeRequest(METHOD.end));
    s.phase = 'live';
    s.lastHeartbeat = performance.now();
    this.#live.add(s);
    this.#log.push({ ip: s.ip, session: s, added: true });
    this.counters.joined++;
  }

  /**
   * Removes first, then additions, then the end marker (an empty *added* packet, §2.3): never nothing, so that
   * every heartbeat gets an answer, and a client always knows when the answer is complete.
   */
  #answer(s: Session, timestamp: bigint): void {
    const end = this.#logBase + this.#log.length;
    const { maxPacketBytes, maxClientsPerPacket } = this.settings;
    let packets: Buffer[];
    if (s.cursor < 0) {
      // First sync: every live client but itself, straight from the encoded live set.
      const snapshot = this.#snapshot(s.mask, end);
      const self = snapshot.sessions.lastIndexOf(s);
      const spans: ObjectSpan[] =
        self < 0
          ? [[0, snapshot.length]]
          : [
              [0, self],
              [self + 1, snapshot.length],
            ];
      packets = packAdded(timestamp, snapshot.bytes, snapshot.offsets, spans, maxPacketBytes, maxClientsPerPacket);
    } else if (this.#lastLeave < s.cursor) {
      // Only joins since the previous answer: none twice (a second join needs a leave between), none its own
      // (it joined before its first sync), so the answer is that stretch of the encoded log as it stands.
      const cache = this.#encoded(s.mask, end);
      const span: ObjectSpan = [s.cursor - cache.base, end - cache.base];
      packets = packAdded(timestamp, cache.log.bytes, cache.log.offsets, [span], maxPacketBytes, maxClientsPerPacket);
    } else {
      packets = this.#netAnswer(s, timestamp);
    }
    s.cursor = end;
    packets = withEndOfAnswer(timestamp, packets);
    s.conn.socket.cork();
    for (const p of packets) s.conn.send(p);
    s.conn.socket.uncork();
    this.counters.updatePackets += packets.length;
  }

  /** An answer over a window with leaves: the net effect per address, object by object. */
  #netAnswer(s: Session, timestamp: bigint): Buffer[] {
    const removed: number[] = [];
    const added: Session[] = [];
    // Net effect per address over the window: an address that came and went within it is not mentioned.
    const net = new Map<number, { firstAdded: boolean; last: LogEntry }>();
    for (let i = s.cursor - this.#logBase; i < this.#log.length; i++) {
      const e = this.#log[i]!;
      if (e.ip === s.ip) continue;
      const seen = net.get(e.ip);
      if (seen) seen.last = e;
      else net.set(e.ip, { firstAdded: e.added, last: e });
    }
    for (const [ip, { firstAdded, last }] of net) {
      if (last.added) added.push(last.session);
      else if (!firstAdded) removed.push(ip);
    }
    const { maxPacketBytes, maxClientsPerPacket } = this.settings;
    const packets = splitRemoved(timestamp, removed, maxPacketBytes, maxClientsPerPacket);
    if (added.length > 0) {
      const objects = added.map((o) => this.#objectFor(o, s.mask));
      packets.push(...splitAdded(timestamp, objects, maxPacketBytes, maxClientsPerPacket));
    }
    return packets;
  }

  #cache(mask: number): MaskCache {
    let cache = this.#masks.get(mask);
    if (!cache) {
      cache = { log: new ObjectRun(), base: this.#logBase, snapshot: null, snapshotAt: -1 };
      this.#masks.set(mask, cache);
    }
    return cache;
  }

  /** The mask's encoded log, brought up to absolute position `end`. */
  #encoded(mask: number, end: number): MaskCache {
    const cache = this.#cache(mask);
    for (let at = cache.base + cache.log.length; at < end; at++) {
      const e = this.#log[at - this.#logBase]!;
      if (e.added) cache.log.push(this.#objectFor(e.session, mask), e.session);
      else cache.log.push(null, null);
    }
    return cache;
  }

  /** The mask's encoded live set as of absolute position `end`: extended by the joins since, rebuilt after a leave. */
  #snapshot(mask: number, end: number): ObjectRun {
    const cache = this.#cache(mask);
    if (cache.snapshot && cache.snapshotAt >= this.#logBase && this.#lastLeave < cache.snapshotAt) {
      if (cache.snapshotAt < end) {
        this.#encoded(mask, end);
        cache.snapshot.pushRange(cache.log, cache.snapshotAt - cache.base, end - cache.base);
      }
    } else {
      const snapshot = new ObjectRun();
      for (const o of this.#live) snapshot.push(this.#objectFor(o, mask), o);
      cache.snapshot = snapshot;
    }
    cache.snapshotAt = end;
    return cache.snapshot;
  }

  #objectFor(o: Session, mask: number): Buffer {
    let object = o.objects.get(mask);
    if (!object) {
      const ip = `${o.ip >>> 24}.${(o.ip >>> 16) & 255}.${(o.ip >>> 8) & 255}.${o.ip & 255}`;
      object = encodeClientObject({ ip, methods: o.methods.filter((m) => mask & (1 << m.method)) });
      o.objects.set(mask, object);
    }
    return object;
  }

  #reject(s: Session, error: LektError): void {
    if (s.phase === 'closed' || s.conn.closed) return;
    this.counters.rejected++;
    this.log.debug({ peer: s.conn.remote, reason: error.reason, message: error.message }, 'rejecting client');
    s.conn.send(encodeReject(error.message));
    s.conn.close('protocol', error);
  }

  #onClose(s: Session): void {
    const wasLive = s.phase === 'live';
    s.phase = 'closed';
    this.#sessions.delete(s);
    if (s.ip >= 0 && this.#byIp.get(s.ip) === s) this.#byIp.delete(s.ip);
    if (wasLive) {
      this.#live.delete(s);
      this.#lastLeave = this.#logBase + this.#log.length;
      this.#log.push({ ip: s.ip, session: s, added: false });
      this.counters.left++;
    }
  }

  /**
   * The sweep runs from an interval, where nothing else would catch a throw and the whole process would die. A
   * failure while timing out one session closes that session's connection (it then leaves like any other); a
   * failure elsewhere is logged, and the next sweep tries again.
   */
  #sweepGuarded(): void {
    try {
      this.#sweepSessions();
    } catch (error) {
      this.counters.sweepFailures++;
      this.log.error({ err: error }, 'session sweep failed; retrying at the next one');
    }
  }

  #sweepSessions(): void {
    const now = performance.now();
    const { heartbeatTimeoutMs, setupTimeoutMs } = this.settings;
    let minCursor = this.#logBase + this.#log.length;
    for (const s of [...this.#sessions]) {
      try {
        if (s.phase === 'live') {
          if (now - s.lastHeartbeat > heartbeatTimeoutMs) {
            this.counters.timedOut++;
            this.#reject(s, new LektError('timeout', `no heartbeat for ${heartbeatTimeoutMs} ms`));
          } else if (s.cursor >= 0 && s.cursor < minCursor) {
            minCursor = s.cursor;
          }
        } else if (s.phase !== 'closed' && now - s.connectedAt > setupTimeoutMs) {
          this.#reject(s, new LektError('timeout', `handshake and setup not done within ${setupTimeoutMs} ms`));
        }
      } catch (error) {
        this.counters.sweepFailures++;
        this.log.error({ err: error, peer: s.conn.remote }, 'timing out a session failed; closing its connection');
        s.conn.destroy('error');
      }
    }
    // Entries every live session has been told can go: the log stays as long as the slowest client lags.
    const drop = minCursor - this.#logBase;
    if (drop > 0) {
      this.#log = this.#log.slice(drop);
      this.#logBase = minCursor;
      for (const cache of this.#masks.values()) {
        const encodedDrop = minCursor - cache.base;
        cache.log = encodedDrop >= cache.log.length ? new ObjectRun() : cache.log.without(encodedDrop);
        cache.base = minCursor;
      }
    }
  }
}

export function rejectReasonOf(message: string): RejectReason | undefined {
  const word = /^([a-z-]+):/.exec(message)?.[1];
  return word as RejectReason | undefined;
}
