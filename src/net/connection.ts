import type { Socket } from 'node:net';
import { FrameError, type Framer, type FrameSink } from './framing.ts';

export type CloseReason = 'local' | 'remote' | 'idle' | 'error' | 'overflow' | 'protocol';

export interface ConnectionHandlers<F = Buffer> {
  /** A complete frame (without its delimiters): bytes, or text from a decoding framer. */
  onFrame(frame: F): void;
  /** A framing error; the connection stays open unless the error is fatal. Reply with a protocol error here. */
  onFrameError?(error: FrameError): void;
  /** Called once, whatever closed the connection. */
  onClose?(reason: CloseReason, error?: Error): void;
}

export interface ConnectionOptions<F = Buffer> {
  framer: Framer<F>;
  /** Close after this long without receiving a byte; 0 disables. */
  idleTimeoutMs?: number;
  /**
   * Bytes queued for a peer that does not read before the connection is closed as `overflow`: the server
   * protects itself and its other clients from a slow consumer.
   */
  maxBufferedBytes?: number;
  /** How long `close()` waits for the peer to take the last bytes before destroying the socket. */
  closeGraceMs?: number;
  /**
   * The socket was created with `onread` (see `readOptions`): its reads come through `ingest`, not 'data' events.
   */
  externalReads?: boolean;
}

/** The buffer the connections of this thread read into (`readOptions`): one, reused by every read. */
let sharedReadBuffer: Buffer | undefined;
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * `net.connect`'s `onread` for a framer that keeps nothing of a chunk once `push` returned (`Framer.copiesInput`):
 * every read lands in one buffer of the thread and goes straight to the framer, with no Buffer per read and none
 * of the Readable stream's push/emit machinery (a fifth of a load generator's main thread, docs/performance.md).
 * `target.connection` is the Connection the reads are for (created once the socket connected: nothing is read
 * before). An object rather than a function: the callback lives as long as the socket, and a closure over the
 * connecting code kept that code's whole scope (its promise's resolvers, its cleared timer) for as long.
 */
export function readOptions<F>(
  framer: Framer<F>,
  target: { connection?: Connection<F> },
): { buffer: Buffer; callback: (bytes: number, buffer: Buffer) => boolean } | undefined {
  if (!framer.copiesInput) return undefined;
  sharedReadBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
  return {
    buffer: sharedReadBuffer,
    callback: (bytes, buffer) => {
      target.connection?.ingest(buffer.subarray(0, bytes));
      return true;
    },
  };
}

/**
 * One framed connection, used by every client and every reference server. It owns the socket: framing,
 * idle timeout, output backpressure and an orderly close all live here, once.
 */
export class Connection<F = Buffer> {
  readonly socket: Socket;
  readonly framer: Framer<F>;
  bytesIn = 0;
  bytesOut = 0;
  framesIn = 0;
  framesOut = 0;
  /** performance.now() of the last received bytes (or of the connection's start). */
  lastReceivedAt = performance.now();
  #closed = false;
  #handlers: ConnectionHandlers<F>;
  #maxBuffered: number;
  #closeGraceMs: number;
  #sink: FrameSink<F>;
  #drainWaiters: (() => void)[] = [];
  /** Frames sent this tick, written together at its end (see `send`): bytes, then the text frames after them. */
  #out: Buffer[] = [];
  #outBytes = 0;
  /** Text frames sent this tick after the last Buffer frame, as one string (framers with `encodeText`). */
  #outText = '';
  readonly #flush = () => {
    const text = this.#outText;
    const out = this.#out;
    if (text.length === 0 && out.length === 0) return;
    if (text.length > 0) {
      this.#outText = '';
      // Counted here, once per tick: exact for any UTF-8, and no byteLength per frame.
      const textBytes = Buffer.byteLength(text);
      this.bytesOut += textBytes;
      if (out.length === 0) {
        if (!this.#closed) this.socket.write(text);
        return;
      }
      out.push(Buffer.from(text));
      this.#outBytes += textBytes;
    }
    const bytes = this.#outBytes;
    this.#out = [];
    this.#outBytes = 0;
    if (this.#closed) return;
    this.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out, bytes));
  };

  constructor(socket: Socket, handlers: ConnectionHandlers<F>, options: ConnectionOptions<F>) {
    this.socket = socket;
    this.framer = options.framer;
    this.#handlers = handlers;
    this.#maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.#closeGraceMs = options.closeGraceMs ?? 1000;
    socket.setNoDelay(true);
    this.#sink = {
      frame: (frame) => {
        if (this.#closed) return;
        this.framesIn++;
        this.#handlers.onFrame(frame);
      },
      error: (error) => {
        if (this.#closed) return;
        this.#handlers.onFrameError?.(error);
        if (error.fatal) this.close('protocol', error);
      },
    };
    if (!options.externalReads) socket.on('data', (chunk: Buffer) => this.ingest(chunk));
    socket.on('end', () => this.#finish('remote'));
    socket.on('close', () => this.#finish('remote'));
    socket.on('error', (error) => this.#finish('error', error));
    socket.on('drain', () => {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const w of waiters) w();
    });
    if (options.idleTimeoutMs && options.idleTimeoutMs > 0) this.#armIdle(options.idleTimeoutMs);
  }

  /**
   * Idle means nothing *received*: the socket's own timeout also counts our writes as activity, so a server
   * that pings would never drop a silent client. One timer per connection, re-armed at most once per period.
   */
  #armIdle(idleMs: number): void {
    const check = () => {
      if (this.#closed) return;
      const silentFor = performance.now() - this.lastReceivedAt;
      if (silentFor >= idleMs) {
        this.destroy('idle');
        return;
      }
      const timer = setTimeout(check, idleMs - silentFor);
      timer.unref();
    };
    const timer = setTimeout(check, idleMs);
    timer.unref();
  }

  /** Received bytes, from the socket's 'data' events or its `onread` callback (`readOptions`). */
  ingest(chunk: Buffer): void {
    if (this.#closed) return;
    this.bytesIn += chunk.length;
    this.lastReceivedAt = performance.now();
    try {
      this.framer.push(chunk, this.#sink);
    } catch (error) {
      // A handler threw: that is a bug in botswarm, not the peer's fault, but it must not take the process down.
      this.destroy('error', error as Error);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  get remote(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  /**
   * Sends one frame. Returns false when the output buffer is above the socket's high-water mark (await
   * `drained()` before sending more); closes the connection as `overflow` past `maxBufferedBytes`.
   */
  send(payload: Buffer | string): boolean {
    if (this.#closed) return false;
    this.framesOut++;
    // Frames sent in the same tick (a reply per pipelined request, a request per reply just read, a phase's lines
    // to every player) leave in one write: one syscall and one packet instead of one each, and cheaper than
    // corking the socket (a writev of many small chunks cost more than the copy). Text frames are appended to one
    // string, written as it is (no Buffer per frame). The flush runs before any I/O callback, so no frame waits
    // for the network.
    if (this.#out.length === 0 && this.#outText.length === 0) process.nextTick(this.#flush);
    // Called on the framer: a framer may be a class instance.
    const framer = this.framer;
    if (typeof payload === 'string' && framer.encodeText) {
      this.#outText += framer.encodeText(payload);
    } else {
      const bytes = framer.encode(payload);
      if (this.#outText.length > 0) {
        // Keep the order: the text frames before this one become bytes first.
        const text = Buffer.from(this.#outText);
        this.#outText = '';
        this.bytesOut += text.length;
        this.#out.push(text);
        this.#outBytes += text.length;
      }
      this.bytesOut += bytes.length;
      this.#out.push(bytes);
      this.#outBytes += bytes.length;
    }
    // The text's length in chars stands for its bytes here (equal for ASCII; close enough for a limit).
    const queued = this.socket.writableLength + this.#outBytes + this.#outText.length;
    if (queued > this.#maxBuffered) {
      this.destroy('overflow', new Error(`peer is not reading: ${queued} bytes queued`));
      return false;
    }
    return queued < this.socket.writableHighWaterMark;
  }

  /** Resolves when the output buffer has drained (at once if it is not full). */
  drained(): Promise<void> {
    // This tick's frames count too: hand them to the socket now so that its own drain tells.
    this.#flush();
    if (this.#closed || !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Orderly close: sends what is queued, half-closes, and destroys the socket after a grace period. */
  close(reason: CloseReason = 'local', error?: Error): void {
    if (this.#closed) return;
    this.#flush();
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), this.#closeGraceMs);
    timer.unref();
    this.#finish(reason, error);
  }

  /** Immediate close, dropping anything queued. */
  destroy(reason: CloseReason = 'local', error?: Error): void {
    if (this.#closed) return;
    this.socket.destroy();
    this.#finish(reason, error);
  }

  #finish(reason: CloseReason, error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#out = [];
    this.#outBytes = 0;
    this.#outText = '';
    if (reason === 'remote' && !this.socket.destroyed) this.socket.destroy();
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w();
    this.#handlers.onClose?.(reason, error);
  }
}

export { FrameError };
