/**
 * Framing: turning a byte stream into frames and frames into bytes. One interface, several framings
 * (lines, start/end-delimited packets, length-prefixed binary). A framer never buffers more than its
 * `maxFrame` bytes: an oversized frame is reported once and its bytes are skipped, so a hostile peer cannot
 * make the process grow.
 */

export type FrameErrorKind = 'oversized' | 'garbage' | 'malformed';

export class FrameError extends Error {
  constructor(
    readonly kind: FrameErrorKind,
    message: string,
    /** When true the stream cannot be resynchronised and the connection should be closed. */
    readonly fatal = false,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

/** Receives a framer's frames: bytes (`Buffer`), or text for a framer that decodes (`textLineFramer`). */
export interface FrameSink<F = Buffer> {
  frame(frame: F): void;
  error(error: FrameError): void;
}

export interface Framer<F = Buffer> {
  /** Feeds received bytes; calls `sink.frame` for every complete frame, in order. */
  push(chunk: Buffer, sink: FrameSink<F>): void;
  /** Bytes held for an incomplete frame (for tests and leak checks). */
  readonly buffered: number;
  /** The wire bytes of one frame's payload. */
  encode(payload: Buffer | string): Buffer;
  /**
   * The wire text of one frame whose payload is text (UTF-8 on the wire), for framers of text protocols. A
   * Connection appends a tick's text frames to one string and writes it once: no Buffer per frame.
   */
  encodeText?(payload: string): string;
  /**
   * True when `push` keeps nothing of its chunk after it returns (it decodes or copies what it holds): a
   * connection may then read every chunk into one reused buffer (`readOptions` in connection.ts).
   */
  readonly copiesInput?: boolean;
}

export interface LineFramerOptions {
  /** Longest accepted line in bytes, without its terminator. */
  maxLine: number;
  /** Terminator written by `encode`. Both `\n` and `\r\n` are always accepted on input. */
  eol?: '\r\n' | '\n';
}

/** LF-terminated lines; a trailing CR is stripped, so CRLF and bare LF are both accepted. */
export function lineFramer(options: LineFramerOptions): Framer {
  const { maxLine } = options;
  const eolText = options.eol ?? '\r\n';
  const eol = Buffer.from(eolText);
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let discarding = false;

  const emit = (line: Buffer, sink: FrameSink) => {
    const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
    if (end > maxLine) {
      sink.error(new FrameError('oversized', `line longer than ${maxLine} bytes`));
      return;
    }
    sink.frame(end === line.length ? line : line.subarray(0, end));
  };

  return {
    get buffered() {
      return pendingLength;
    },
    push(chunk, sink) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl === -1) break;
        if (discarding) {
          discarding = false;
        } else if (pendingLength === 0) {
          emit(chunk.subarray(start, nl), sink);
        } else {
          pending.push(chunk.subarray(start, nl));
          const line = Buffer.concat(pending, pendingLength + nl - start);
          pending = [];
          pendingLength = 0;
          emit(line, sink);
        }
        start = nl + 1;
      }
      if (start < chunk.length && !discarding) {
        const rest = chunk.subarray(start);
        // +1 leaves room for the CR of a CRLF split across reads.
        if (pendingLength + rest.length > maxLine + 1) {
          pending = [];
          pendingLength = 0;
          discarding = true;
          sink.error(new FrameError('oversized', `line longer than ${maxLine} bytes`));
        } else {
          // Copy: the socket may reuse the chunk's memory.
          pending.push(Buffer.from(rest));
          pendingLength += rest.length;
        }
      }
    },
    encode(payload) {
      // A string line is encoded once, terminator included: one allocation instead of two.
      if (typeof payload === 'string') return Buffer.from(payload + eolText);
      return Buffer.concat([payload, eol], payload.length + eol.length);
    },
    encodeText: (payload) => payload + eolText,
  };
}

/**
 * LF-terminated lines delivered as latin1 text (one char per byte, so `maxLine` stays a byte count), CR stripped
 * like `lineFramer`. For ASCII line protocols read as strings (Galax): each read is decoded once and cut with
 * `indexOf`, instead of a Buffer view per line and a decode per line.
 */
export function textLineFramer(options: LineFramerOptions): Framer<string> {
  return new TextLineFramer(options.maxLine, options.eol ?? '\r\n');
}

/**
 * `textLineFramer`'s framer: one object per connection with its methods on the prototype. As an object literal of
 * closures with a getter it cost a connection five closures, their context, a hidden class of its own and a
 * dictionary of properties, about 1 KiB per load bot (docs/performance.md, "Against Locust at 5,000 bots: one
 * object per session").
 */
class TextLineFramer implements Framer<string> {
  /** The incomplete last line of the reads so far. */
  #rest = '';
  #discarding = false;
  // Each chunk is decoded to a string at once; `rest` is a string too.
  readonly copiesInput = true;

  constructor(
    readonly maxLine: number,
    readonly eol: string,
  ) {}

  get buffered(): number {
    return this.#rest.length;
  }

  push(chunk: Buffer, sink: FrameSink<string>): void {
    let text = chunk.toString('latin1');
    if (this.#rest.length > 0) {
      text = this.#rest + text;
      this.#rest = '';
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      if (this.#discarding) this.#discarding = false;
      else this.#emit(text, start, nl, sink);
      start = nl + 1;
    }
    if (start < text.length && !this.#discarding) {
      // +1 leaves room for the CR of a CRLF split across reads.
      if (text.length - start > this.maxLine + 1) {
        this.#discarding = true;
        sink.error(new FrameError('oversized', `line longer than ${this.maxLine} bytes`));
      } else {
        this.#rest = start === 0 ? text : text.slice(start);
      }
    }
  }

  #emit(text: string, start: number, nl: number, sink: FrameSink<string>): void {
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    if (end - start > this.maxLine) sink.error(new FrameError('oversized', `line longer than ${this.maxLine} bytes`));
    else sink.frame(text.slice(start, end));
  }

  encode(payload: Buffer | string): Buffer {
    return typeof payload === 'string'
      ? Buffer.from(payload + this.eol)
      : Buffer.concat([payload, Buffer.from(this.eol)]);
  }

  encodeText(payload: string): string {
    return payload + this.eol;
  }
}

export interface DelimitedFramerOptions {
  /** Byte that opens a frame (e.g. STX 0x02). */
  start: number;
  /** Byte that closes a frame (e.g. ETX 0x03). */
  end: number;
  /** Longest accepted frame body in bytes, between start and end. */
  maxFrame: number;
  /**
   * Frame bodies a protocol receives most (Ore Rush: the success answer, the keep-alive): a frame with exactly
   * these bytes is handed out as this very Buffer, with no copy and no allocation, so the receiver can tell it
   * by identity. Shared: receivers must not modify frames.
   */
  constants?: readonly Buffer[];
  /**
   * Lend frames instead of copying them: a frame that lies whole in one read is handed out as a view of that read,
   * valid only until `sink.frame` returns (the receiver copies what it keeps). Saves a copy and an allocation per
   * frame (an Ore Rush `updte` is about 4 KiB: past Node's buffer pool, its own ArrayBuffer each).
   */
  lends?: boolean;
}

/**
 * The constant among `constants` whose bytes start at chunk[start] and are followed there by `endByte`, or
 * undefined: a whole constant frame told without searching for its end (the constants hold neither delimiter).
 */
function constantFrameAt(
  constants: readonly Buffer[],
  chunk: Buffer,
  start: number,
  endByte: number,
): Buffer | undefined {
  for (let k = 0; k < constants.length; k++) {
    const c = constants[k]!;
    const n = c.length;
    if (start + n >= chunk.length || chunk[start + n] !== endByte) continue;
    let j = 0;
    while (j < n && c[j] === chunk[start + j]) j++;
    if (j === n) return c;
  }
  return undefined;
}

/** The constant among `constants` with the bytes of chunk[start, end), or undefined. */
function constantAt(constants: readonly Buffer[], chunk: Buffer, start: number, end: number): Buffer | undefined {
  const n = end - start;
  for (let k = 0; k < constants.length; k++) {
    const c = constants[k]!;
    if (c.length !== n) continue;
    let j = 0;
    while (j < n && c[j] === chunk[start + j]) j++;
    if (j === n) return c;
  }
  return undefined;
}

/**
 * A copy of chunk[start, end) (the socket may reuse a chunk's memory). A short frame (an answer, a keep-alive) is
 * copied by a loop into a pooled Buffer: cheaper than `Buffer.from(subarray)`, a view and a native copy each.
 */
function copyOf(chunk: Buffer, start: number, end: number): Buffer {
  const n = end - start;
  const out = Buffer.allocUnsafe(n);
  if (n <= 64) for (let j = 0; j < n; j++) out[j] = chunk[start + j]!;
  else chunk.copy(out, 0, start, end);
  return out;
}

/**
 * Start/end-delimited frames (Ore Rush: STX ... ETX). Bytes outside a frame are reported once per run as
 * `garbage`; a start byte inside an open frame means the previous frame lost its end byte: it is reported
 * as `malformed` and the new frame begins.
 */
export function delimitedFramer(options: DelimitedFramerOptions): Framer {
  const { start: startByte, end: endByte, maxFrame } = options;
  const lends = options.lends === true;
  // A constant holding a delimiter could never arrive whole; one longer than maxFrame never at all.
  const constants = (options.constants ?? []).filter(
    (c) => c.length <= maxFrame && !c.includes(startByte) && !c.includes(endByte),
  );
  const startText = String.fromCharCode(startByte);
  const endText = String.fromCharCode(endByte);
  let inFrame = false;
  let discarding = false;
  let garbageReported = false;
  let pending: Buffer[] = [];
  let pendingLength = 0;

  const reset = () => {
    pending = [];
    pendingLength = 0;
  };

  return {
    get buffered() {
      return pendingLength;
    },
    push(chunk, sink) {
      let i = 0;
      // The next start byte at or after `i` as last searched (-2: not searched in this chunk yet; -1: none left).
      // A frame's search for its end also finds the next frame's start: it is reused instead of searched again
      // (two searches per frame instead of three).
      let nextStart = -2;
      const startAt = (from: number): number => {
        if (nextStart === -1 || (nextStart >= from && nextStart !== -2)) return nextStart;
        nextStart = chunk.indexOf(startByte, from);
        return nextStart;
      };
      while (i < chunk.length) {
        if (!inFrame) {
          // Frames back to back (the usual case): the next one starts right here, no search.
          const s = chunk[i] === startByte ? i : startAt(i);
          const gapEnd = s === -1 ? chunk.length : s;
          if (gapEnd > i && !garbageReported) {
            garbageReported = true;
            sink.error(new FrameError('garbage', 'bytes outside a frame were ignored'));
          }
          if (s === -1) return;
          inFrame = true;
          discarding = false;
          garbageReported = false;
          reset();
          i = s + 1;
          continue;
        }
        if (pendingLength === 0 && !discarding && constants.length > 0) {
          // A constant frame (an answer, a keep-alive) whole in this read: told by its bytes and the end byte
          // after them, with no search (the two native indexOf calls a frame took cost more than this compare).
          const c = constantFrameAt(constants, chunk, i, endByte);
          if (c) {
            inFrame = false;
            sink.frame(c);
            i += c.length + 1;
            continue;
          }
        }
        // Inside a frame: find whichever comes first, the end byte or a new start byte.
        const e = chunk.indexOf(endByte, i);
        const s = startAt(i);
        const stop = e === -1 ? s : s === -1 ? e : Math.min(e, s);
        const bodyEnd = stop === -1 ? chunk.length : stop;
        if (e !== -1 && stop === e && pendingLength === 0 && !discarding && e - i <= maxFrame) {
          // The whole frame lies in this read (the usual case): one copy, or none for a constant.
          inFrame = false;
          sink.frame(constantAt(constants, chunk, i, e) ?? (lends ? chunk.subarray(i, e) : copyOf(chunk, i, e)));
          i = e + 1;
          continue;
        }
        if (!discarding) {
          if (pendingLength + (bodyEnd - i) > maxFrame) {
            discarding = true;
            reset();
            sink.error(new FrameError('oversized', `frame longer than ${maxFrame} bytes`));
          } else if (bodyEnd > i) {
            pending.push(copyOf(chunk, i, bodyEnd));
            pendingLength += bodyEnd - i;
          }
        }
        if (stop === -1) return;
        if (stop === s && s !== e) {
          if (!discarding) sink.error(new FrameError('malformed', 'frame without its end byte'));
          reset();
          discarding = false;
          i = s + 1;
          continue;
        }
        inFrame = false;
        if (!discarding) {
          const body = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingLength);
          reset();
          sink.frame(body);
        }
        discarding = false;
        i = e + 1;
      }
    },
    encode(payload) {
      const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
      const out = Buffer.allocUnsafe(body.length + 2);
      out[0] = startByte;
      body.copy(out, 1);
      out[out.length - 1] = endByte;
      return out;
    },
    encodeText: (payload) => startText + payload + endText,
    // Every frame handed out is a copy or one of the constants, and `pending` holds copies.
    copiesInput: true,
  };
}

export interface LengthFramerOptions {
  /** Bytes needed before the frame length can be read. */
  headerSize: number;
  /**
   * Total frame length (header included) read from the buffered bytes of the frame (at least `headerSize`, maybe
   * more), or a FrameError when the header is invalid (wrong magic, say). Errors from here are fatal: a binary
   * stream cannot resynchronise. `undefined` means these bytes do not tell yet (a NUL-terminated string, a list
   * of self-sized records): it is asked again when more bytes arrive, up to `maxFrame`.
   */
  frameLength(header: Buffer): number | FrameError | undefined;
  /** Longest accepted frame, header included. */
  maxFrame: number;
}

/** Length-prefixed binary frames; the frame's own header says how long it is. `encode` passes bytes through. */
export function lengthFramer(options: LengthFramerOptions): Framer {
  const { headerSize, maxFrame } = options;
  let buffer: Buffer = Buffer.alloc(0);
  let dead = false;
  return {
    get buffered() {
      return buffer.length;
    },
    push(chunk, sink) {
      if (dead) return;
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      let offset = 0;
      while (buffer.length - offset >= headerSize) {
        const length = options.frameLength(buffer.subarray(offset));
        if (length === undefined) {
          if (buffer.length - offset <= maxFrame) break;
          dead = true;
          buffer = Buffer.alloc(0);
          sink.error(new FrameError('oversized', `frame longer than ${maxFrame} bytes`, true));
          return;
        }
        if (length instanceof FrameError) {
          dead = true;
          buffer = Buffer.alloc(0);
          sink.error(length);
          return;
        }
        if (length < headerSize || length > maxFrame) {
          dead = true;
          buffer = Buffer.alloc(0);
          sink.error(new FrameError('oversized', `frame length ${length} outside ${headerSize}..${maxFrame}`, true));
          return;
        }
        if (buffer.length - offset < length) break;
        sink.frame(Buffer.from(buffer.subarray(offset, offset + length)));
        offset += length;
      }
      // Keep only the incomplete tail, copied so the socket's chunk can be released.
      buffer = offset === buffer.length ? Buffer.alloc(0) : Buffer.from(buffer.subarray(offset));
    },
    encode(payload) {
      return typeof payload === 'string' ? Buffer.from(payload) : payload;
    },
  };
}
