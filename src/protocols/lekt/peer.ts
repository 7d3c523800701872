/**
 * A LEKT client: connects, handshakes, answers the server's method requests, then heartbeats and keeps an
 * up-to-date list of the other peers from the update packets.
 */
import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import { connectFramed } from '../../net/client.ts';
import type { Connection } from '../../net/connection.ts';
import {
  decodeServerPacket,
  encodeHeartbeat,
  encodeHello,
  encodeResponse,
  forEachClientObject,
  ipFromNumber,
  isEndOfAnswer,
  KNOWN_METHODS,
  METHOD,
  type MethodInfo,
  readClientMethods,
  serverPacketFramer,
  toLektError,
  VERSION,
} from './codec.ts';

export interface PeerEntry {
  /** Dotted IPv4. */
  readonly ip: string;
  /** The methods the server told us, limited to those this peer announced it supports. */
  readonly methods: readonly MethodInfo[];
}

export type PeerChangeKind = 'added' | 'removed';

export interface LektPeerOptions {
  host: string;
  port: number;
  /** Source address to bind: on one host, give each peer its own 127.x.y.z (the server keys clients by IP). */
  localAddress?: string;
  /** How this peer can be reached; their indices are announced as supported. */
  methods?: readonly MethodInfo[];
  /** Method indices to announce as supported; default: those of `methods`. */
  supported?: readonly number[];
  /** Which peers to keep in `peers` (all by default); a swarm of thousands in one process keeps few. */
  keep?: (ip: number) => boolean;
  /** Told of every change the server reports, in order, whether the peer is kept or not. */
  onChange?: (kind: PeerChangeKind, ip: number) => void;
  /** Called once when the session ends, for whatever reason. */
  onClose?: (reason: PeerCloseReason) => void;
  /** TCP connect plus handshake plus setup must end within this long. */
  setupTimeoutMs?: number;
  /** Heartbeat timestamps (ms since the Unix epoch); injectable for tests. */
  clock?: () => number;
  log?: Logger;
}

export interface PeerCloseReason {
  /** `left`/`vanished` by this side's choice; `rejected` by the server (message says why); else the transport. */
  readonly kind: 'left' | 'vanished' | 'rejected' | 'disconnected' | 'protocol';
  readonly message?: string;
}

export class LektPeerError extends Error {
  override name = 'LektPeerError';
}

interface PendingHeartbeat {
  readonly timestamp: bigint;
  readonly sentAt: number;
  resolve(rttMs: number): void;
  reject(error: Error): void;
}

export class LektPeer {
  /** The other live peers by IPv4 as a 32-bit number (only those `keep` accepts). */
  readonly peers = new Map<number, PeerEntry>();
  readonly connection: Connection;
  /** This peer's address as the server sees it (its bound source address). */
  readonly address: string;
  readonly timings: { readonly connectMs: number; readonly handshakeMs: number };
  /** True once the first heartbeat's answer is complete: `peers` then holds the whole swarm. */
  synced = false;
  heartbeatsAnswered = 0;
  closeReason: PeerCloseReason | null = null;
  readonly closed: Promise<PeerCloseReason>;
  #options: LektPeerOptions;
  #pending: PendingHeartbeat[] = [];
  #lastTimestamp = 0n;
  #timer: NodeJS.Timeout | undefined;
  #resolveClosed!: (reason: PeerCloseReason) => void;

  private constructor(connection: Connection, options: LektPeerOptions, timings: LektPeer['timings']) {
    this.connection = connection;
    this.#options = options;
    this.timings = timings;
    this.address = connection.socket.localAddress ?? '';
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /** Connects and runs the handshake and setup; resolves in the heartbeat phase, rejects with the reason. */
  static async connect(options: LektPeerOptions): Promise<LektPeer> {
    const log = options.log ?? silentLogger;
    const started = performance.now();
    const setupTimeoutMs = options.setupTimeoutMs ?? 10_000;
    // Where frames and the close go changes as the session moves from setup to the heartbeat phase.
    const early: Buffer[] = [];
    let onFrame: (frame: Buffer) => void = (frame) => void early.push(frame);
    let onClose = (_reason: PeerCloseReason) => {};
    let frameError: PeerCloseReason | undefined;
    const connection = await connectFramed(
      {
        host: options.host,
        port: options.port,
        framer: serverPacketFramer(),
        connectTimeoutMs: setupTimeoutMs,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      {
        onFrame: (frame) => onFrame(frame),
        onFrameError: (error) => {
          frameError = { kind: 'protocol', message: toLektError(error).message };
        },
        onClose: (reason, error) => onClose(frameError ?? { kind: 'disconnected', message: error?.message ?? reason }),
      },
    );
    const connectedAt = performance.now();
    const methods = options.methods ?? [];
    const supported = options.supported ?? methods.map((m) => m.method);
    return new Promise<LektPeer>((resolve, reject) => {
      let done = false;
      const fail = (message: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        connection.destroy('local');
        reject(new LektPeerError(message));
      };
      const timer = setTimeout(() => fail(`setup not finished within ${setupTimeoutMs} ms`), setupTimeoutMs);
      let accepted = false;
      onClose = (reason) => fail(`connection closed during setup: ${reason.message ?? reason.kind}`);
      onFrame = (frame: Buffer) => {
        if (done) return;
        let packet: ReturnType<typeof decodeServerPacket>;
        try {
          packet = decodeServerPacket(frame);
        } catch (error) {
          return fail(`bad packet during setup: ${(error as Error).message}`);
        }
        if (packet.type === 'reject') return fail(`rejected: ${packet.message}`);
        if (packet.type === 'accept' && !accepted) {
          accepted = true;
          return;
        }
        if (packet.type !== 'request' || !accepted) return fail(`unexpected ${packet.type} packet during setup`);
        if (packet.index === METHOD.end) {
          done = true;
          clearTimeout(timer);
          const peer = new LektPeer(connection, options, {
            connectMs: connectedAt - started,
            handshakeMs: performance.now() - connectedAt,
          });
          onFrame = (f) => peer.#onLivePacket(f);
          onClose = (reason) => peer.#closedBy(reason);
          resolve(peer);
          return;
        }
        const info = methods.find((m) => m.method === packet.index);
        if (!info) return fail(`server asked for method ${packet.index}, which this peer did not announce`);
        connection.send(encodeResponse(info));
      };
      log.debug({ supported }, 'lekt handshake');
      connection.send(encodeHello(supported, Math.max(KNOWN_METHODS, ...supported.map((i) => i + 1))));
      for (const frame of early.splice(0)) onFrame(frame);
      if (connection.closed) fail(`connection closed during setup: ${frameError?.message ?? 'by the server'}`);
    });
  }

  /**
   * Heartbeats every `intervalMs` until stopped, left or closed; answers update `peers`. A callback that throws
   * is logged and the heartbeats go on: from a timer, its throw would otherwise end the whole process.
   */
  startHeartbeats(intervalMs: number, onRtt?: (rttMs: number) => void, onError?: (error: Error) => void): void {
    this.stopHeartbeats();
    this.#timer = setInterval(() => {
      this.heartbeat()
        .then(onRtt, (error: Error) => {
          if (!this.closeReason) onError?.(error);
        })
        .catch((error: unknown) => {
          (this.#options.log ?? silentLogger).error({ err: error, peer: this.address }, 'heartbeat callback failed');
        });
    }, intervalMs);
  }

  stopHeartbeats(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Heartbeats sent and not yet answered (a load test counts them in flight when its run cuts the session off). */
  get requestsInFlight(): number {
    return this.#pending.length;
  }

  /** Sends one heartbeat; resolves with the round trip (ms) when its whole answer arrived (its end marker). */
  heartbeat(): Promise<number> {
    if (this.closeReason || this.connection.closed)
      return Promise.reject(new LektPeerError(`session closed (${this.closeReason?.kind ?? 'disconnected'})`));
    // Strictly increasing, so that an answer names exactly one heartbeat.
    let ts = BigInt(Math.floor((this.#options.clock ?? Date.now)()));
    if (ts <= this.#lastTimestamp) ts = this.#lastTimestamp + 1n;
    this.#lastTimestamp = ts;
    return new Promise((resolve, reject) => {
      this.#pending.push({ timestamp: ts, sentAt: performance.now(), resolve, reject });
      this.connection.send(encodeHeartbeat(ts));
    });
  }

  /** Orderly leave: the server removes this peer at once and reports it to the others. */
  leave(): Promise<void> {
    this.#setCloseReason({ kind: 'left' });
    this.stopHeartbeats();
    this.connection.close('local');
    return this.closed.then(() => undefined);
  }

  /**
   * Goes silent without closing: no heartbeats, nothing read, the socket left open, as a crashed host or a
   * cut cable would. The server notices only by the missing heartbeats. Call `destroy()` later to free it.
   */
  vanish(): void {
    this.#setCloseReason({ kind: 'vanished' });
    this.stopHeartbeats();
    this.connection.socket.pause();
    this.#failPending(new LektPeerError('peer vanished'));
  }

  destroy(): void {
    this.stopHeartbeats();
    this.connection.destroy('local');
  }

  has(ip: number): boolean {
    return this.peers.has(ip);
  }

  /** Dotted addresses of the kept peers, sorted (for comparisons in tests and tools). */
  list(): string[] {
    return [...this.peers.keys()].sort((a, b) => a - b).map(ipFromNumber);
  }

  #onLivePacket(frame: Buffer): void {
    if (frame[4] !== 0x48 /* H */) {
      let message = `unexpected packet type ${String.fromCharCode(frame[4]!)} in the heartbeat phase`;
      try {
        const packet = decodeServerPacket(frame);
        if (packet.type === 'reject') message = packet.message;
        this.#setCloseReason({ kind: packet.type === 'reject' ? 'rejected' : 'protocol', message });
      } catch (error) {
        this.#setCloseReason({ kind: 'protocol', message: (error as Error).message });
      }
      this.connection.close('protocol');
      return;
    }
    if (this.closeReason?.kind === 'vanished') return;
    const keep = this.#options.keep;
    const onChange = this.#options.onChange;
    if (frame[16] === 0x52 /* R */) {
      const count = frame.readUIntBE(17, 3);
      for (let i = 0; i < count; i++) {
        const ip = frame.readUInt32BE(20 + 4 * i);
        this.peers.delete(ip);
        onChange?.('removed', ip);
      }
      return;
    }
    if (!isEndOfAnswer(frame)) {
      forEachClientObject(frame, (ip, start, end) => {
        if (!keep || keep(ip))
          this.peers.set(ip, { ip: ipFromNumber(ip), methods: readClientMethods(frame, start, end) });
        onChange?.('added', ip);
      });
      return;
    }
    // The end of an answer (§2.3): only now does `peers` reflect the heartbeat, however many packets it took.
    const head = this.#pending[0];
    if (head && head.timestamp === frame.readBigInt64BE(8)) {
      this.#pending.shift();
      this.heartbeatsAnswered++;
      this.synced = true;
      head.resolve(performance.now() - head.sentAt);
    }
  }

  #setCloseReason(reason: PeerCloseReason): void {
    this.closeReason ??= reason;
  }

  #failPending(error: Error): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) p.reject(error);
  }

  #closedBy(reason: PeerCloseReason): void {
    this.stopHeartbeats();
    this.#setCloseReason(reason);
    this.#failPending(new LektPeerError(`session closed: ${this.closeReason!.message ?? this.closeReason!.kind}`));
    this.#options.onClose?.(this.closeReason!);
    this.#resolveClosed(this.closeReason!);
  }
}

export { VERSION };
