/**
 * LEKT 1.0 wire format (docs/protocols/lekt.md): every packet starts `LEKT`, a type byte and a three-byte
 * version; integers are big-endian. Nothing on the wire says how long a packet is, so the frame length is
 * derived from the type (and, for a handshake, from the protocol phase), from a NUL terminator or from the
 * self-sized client objects: `packetLength` is that rule, used by both framers.
 */
import { FrameError, type Framer, lengthFramer } from '../../net/framing.ts';

export const MAGIC = Buffer.from('LEKT', 'latin1');
export const DEFAULT_PORT = 7777;

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly extra: number;
}
export const VERSION: Version = { major: 1, minor: 0, extra: 0 };
export const versionText = (v: Version) => `${v.major}.${v.minor}.${v.extra}`;

/** Connection-method indices; 0 only ever appears in the server's request that ends the setup phase. */
export const METHOD = { end: 0, tcp: 1, udp: 2, relay: 3 } as const;
/** Bytes of information each known method carries (in a client response and in a client object). */
export const METHOD_INFO_SIZE: Readonly<Record<number, number>> = { 1: 2, 2: 2, 3: 0 };
/** Method indices this implementation knows: 0..3. */
export const KNOWN_METHODS = 4;

export type MethodInfo =
  | { readonly method: typeof METHOD.tcp; readonly port: number }
  | { readonly method: typeof METHOD.udp; readonly port: number }
  | { readonly method: typeof METHOD.relay };

export const LIMITS = {
  /** Largest "number of known methods" a handshake may announce (32 bitfield words). */
  maxKnownMethods: 1024,
  /** Method entries in one client object. */
  maxMethodsPerClient: 32,
  /** Largest server→client packet; the server splits updates to stay under it. */
  maxServerPacket: 65_536,
  /** Largest client→server packet (a handshake with 1024 known methods is 140 bytes). */
  maxClientPacket: 1024,
  /** Longest reject message in bytes, without its NUL. */
  maxRejectMessage: 1024,
  /** The 3-byte count field. */
  maxCount: 0xff_ffff,
} as const;

/** Packets a client sends. `hello` is the seed's "client packet" (handshake). */
export type ClientPacket =
  | {
      readonly type: 'hello';
      readonly version: Version;
      /** The "number of known connection methods": bitfield bits 0..known-1 are meaningful. */
      readonly known: number;
      /** Supported method indices (bits set), ascending. */
      readonly supported: readonly number[];
    }
  | { readonly type: 'response'; readonly version: Version; readonly info: MethodInfo }
  | { readonly type: 'heartbeat'; readonly version: Version; readonly timestamp: bigint };

export interface ClientObject {
  /** Dotted IPv4. */
  readonly ip: string;
  readonly methods: readonly MethodInfo[];
}

/** Packets the server sends. `added`/`removed` are the two kinds of update response. */
export type ServerPacket =
  | { readonly type: 'accept'; readonly version: Version }
  | { readonly type: 'reject'; readonly version: Version; readonly message: string }
  | { readonly type: 'request'; readonly version: Version; readonly index: number }
  | {
      readonly type: 'added';
      readonly version: Version;
      readonly timestamp: bigint;
      readonly clients: readonly ClientObject[];
    }
  | {
      readonly type: 'removed';
      readonly version: Version;
      readonly timestamp: bigint;
      readonly ips: readonly string[];
    };

/** A packet that breaks the format; `reason` is the word that opens the reject message (see the doc). */
export class LektError extends Error {
  constructor(
    readonly reason: RejectReason,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'LektError';
  }
}

/** The first word of every reject message, so a program can act on it without parsing prose. */
export type RejectReason =
  | 'magic'
  | 'version'
  | 'malformed'
  | 'limits'
  | 'state'
  | 'address-in-use'
  | 'ipv4-only'
  | 'full'
  | 'timeout'
  | 'shutdown';

// ---- IPv4 -------------------------------------------------------------------------------------------------

export function ipToNumber(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new RangeError(`not an IPv4 address: ${ip}`);
  let n = 0;
  for (const p of parts) {
    const b = Number(p);
    if (!/^\d{1,3}$/.test(p) || b > 255) throw new RangeError(`not an IPv4 address: ${ip}`);
    n = n * 256 + b;
  }
  return n;
}

export const ipFromNumber = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** The IPv4 address of a socket peer (`1.2.3.4` or IPv4-mapped `::ffff:1.2.3.4`), else null. */
export function ipv4Of(address: string | undefined): string | null {
  if (!address) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1]! : address;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) ? ip : null;
}

// ---- encoding -----------------------------------------------------------------------------------------------

function header(type: string, size: number, version: Version = VERSION): Buffer {
  const out = Buffer.alloc(size);
  MAGIC.copy(out, 0);
  out[4] = type.charCodeAt(0);
  out[5] = version.major;
  out[6] = version.minor;
  out[7] = version.extra;
  return out;
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`port must be 1..65535, got ${port}`);
}

function writeMethodInfo(out: Buffer, offset: number, info: MethodInfo): number {
  if (info.method === METHOD.tcp || info.method === METHOD.udp) {
    checkPort(info.port);
    out.writeUInt16BE(info.port, offset);
    return offset + 2;
  }
  return offset;
}

export function encodeHello(supported: readonly number[], known = KNOWN_METHODS, version: Version = VERSION): Buffer {
  if (!Number.isInteger(known) || known < 0 || known > LIMITS.maxKnownMethods)
    throw new RangeError(`known methods must be 0..${LIMITS.maxKnownMethods}`);
  const words = Math.ceil(known / 32);
  const out = header('H', 12 + 4 * words, version);
  out.writeUInt32BE(known, 8);
  for (const index of supported) {
    if (!Number.isInteger(index) || index < 1 || index >= known)
      throw new RangeError(`method ${index} not in 1..${known - 1}`);
    const at = 12 + 4 * Math.floor(index / 32);
    out.writeUInt32BE((out.readUInt32BE(at) | (1 << (index % 32))) >>> 0, at);
  }
  return out;
}

export function encodeAccept(version: Version = VERSION): Buffer {
  return header('A', 8, version);
}

export function encodeReject(message: string, version: Version = VERSION): Buffer {
  // A NUL inside would end the message early on the other side.
  const text = Buffer.from(message.replaceAll('\0', ' '), 'utf8').subarray(0, LIMITS.maxRejectMessage);
  const out = header('R', 8 + text.length + 1, version);
  text.copy(out, 8);
  return out;
}

export function encodeRequest(index: number, version: Version = VERSION): Buffer {
  const out = header('T', 12, version);
  out.writeUInt32BE(index, 8);
  return out;
}

export function encodeResponse(info: MethodInfo, version: Version = VERSION): Buffer {
  const out = header('T', 12 + METHOD_INFO_SIZE[info.method]!, version);
  out.writeUInt32BE(info.method, 8);
  writeMethodInfo(out, 12, info);
  return out;
}

export function encodeHeartbeat(timestamp: bigint, version: Version = VERSION): Buffer {
  const out = header('H', 16, version);
  out.writeBigInt64BE(timestamp, 8);
  return out;
}

/** One client object of an `added` update: size (u32, the whole object), IPv4, then method entries. */
export function encodeClientObject(client: ClientObject): Buffer {
  if (client.methods.length > LIMITS.maxMethodsPerClient) throw new RangeError('too many methods in a client object');
  let size = 8;
  for (const m of client.methods) size += 4 + METHOD_INFO_SIZE[m.method]!;
  const out = Buffer.alloc(size);
  out.writeUInt32BE(size, 0);
  out.writeUInt32BE(ipToNumber(client.ip), 4);
  let at = 8;
  for (const m of client.methods) {
    out.writeUInt32BE(m.method, at);
    at = writeMethodInfo(out, at + 4, m);
  }
  return out;
}

function updateHeader(kind: 'A' | 'R', timestamp: bigint, count: number, size: number, version: Version): Buffer {
  const out = header('H', size, version);
  out.writeBigInt64BE(timestamp, 8);
  out[16] = kind.charCodeAt(0);
  out.writeUIntBE(count, 17, 3);
  return out;
}

/** One `added` packet from already-encoded client objects (the server caches them). */
export function encodeAddedRaw(timestamp: bigint, objects: readonly Buffer[], version: Version = VERSION): Buffer {
  if (objects.length > LIMITS.maxCount) throw new RangeError('more clients than a 3-byte count holds');
  let size = 20;
  for (const o of objects) size += o.length;
  const out = updateHeader('A', timestamp, objects.length, size, version);
  let at = 20;
  for (const o of objects) at += o.copy(out, at);
  return out;
}

export function encodeAdded(timestamp: bigint, clients: readonly ClientObject[], version: Version = VERSION): Buffer {
  return encodeAddedRaw(timestamp, clients.map(encodeClientObject), version);
}

/**
 * The end of an answer (§2.3): an *added* packet with count 0. Every answer ends with exactly one, and no other
 * packet of an answer is empty, so a client knows an answer is complete without a length or a second packet.
 */
export function encodeEndOfAnswer(timestamp: bigint, version: Version = VERSION): Buffer {
  return encodeAddedRaw(timestamp, [], version);
}

/** Whether a whole server packet (as the stream decoder frames it) is an end of answer: `H`, kind `A`, count 0. */
export function isEndOfAnswer(frame: Buffer): boolean {
  return (
    frame.length === 20 && frame[4] === 0x48 /* H */ && frame[16] === 0x41 /* A */ && frame.readUIntBE(17, 3) === 0
  );
}

/** `packets` (removed ones, then added ones, of one answer) with the end marker appended unless it is there. */
export function withEndOfAnswer(timestamp: bigint, packets: Buffer[]): Buffer[] {
  const last = packets[packets.length - 1];
  if (!last || !isEndOfAnswer(last)) packets.push(encodeEndOfAnswer(timestamp));
  return packets;
}

export function encodeRemovedRaw(timestamp: bigint, ips: readonly number[], version: Version = VERSION): Buffer {
  if (ips.length > LIMITS.maxCount) throw new RangeError('more clients than a 3-byte count holds');
  const out = updateHeader('R', timestamp, ips.length, 20 + 4 * ips.length, version);
  for (let i = 0; i < ips.length; i++) out.writeUInt32BE(ips[i]!, 20 + 4 * i);
  return out;
}

export function encodeRemoved(timestamp: bigint, ips: readonly string[], version: Version = VERSION): Buffer {
  return encodeRemovedRaw(timestamp, ips.map(ipToNumber), version);
}

/**
 * Splits an update into packets of at most `maxPacket` bytes and `maxClients` clients each. An empty list
 * still gives one (empty) packet: every heartbeat is answered.
 */
export function splitAdded(
  timestamp: bigint,
  objects: readonly Buffer[],
  maxPacket: number = LIMITS.maxServerPacket,
  maxClients: number = LIMITS.maxCount,
): Buffer[] {
  const packets: Buffer[] = [];
  let start = 0;
  while (start < objects.length || packets.length === 0) {
    let size = 20;
    let end = start;
    while (end < objects.length && end - start < maxClients && size + objects[end]!.length <= maxPacket) {
      size += objects[end]!.length;
      end++;
    }
    if (end === start && start < objects.length) throw new RangeError('a client object does not fit in a packet');
    packets.push(encodeAddedRaw(timestamp, objects.slice(start, end)));
    start = end;
  }
  return packets;
}

/** Index ranges `[from, to)` into a run of encoded client objects. */
export type ObjectSpan = readonly [from: number, to: number];

/**
 * The packets `splitAdded` would make, built from client objects that already lie back to back in `bytes`
 * (object i spans `offsets[i]` to `offsets[i + 1]`, every object at least 8 bytes), taking the objects of
 * `spans` in order. A packet is one allocation and one copy per span it covers instead of one per object:
 * the server answers a first sync of a 10,000-client swarm with a few dozen copies.
 */
export function packAdded(
  timestamp: bigint,
  bytes: Buffer,
  offsets: ArrayLike<number>,
  spans: readonly ObjectSpan[],
  maxPacket: number = LIMITS.maxServerPacket,
  maxClients: number = LIMITS.maxCount,
): Buffer[] {
  const packets: Buffer[] = [];
  const parts: number[] = [];
  let size = 20;
  let count = 0;
  const flush = () => {
    const out = Buffer.allocUnsafe(size);
    MAGIC.copy(out, 0);
    out[4] = 0x48; /* H */
    out[5] = VERSION.major;
    out[6] = VERSION.minor;
    out[7] = VERSION.extra;
    out.writeBigInt64BE(timestamp, 8);
    out[16] = 0x41; /* A */
    out.writeUIntBE(count, 17, 3);
    let at = 20;
    for (let k = 0; k < parts.length; k += 2) at += bytes.copy(out, at, parts[k]!, parts[k + 1]!);
    packets.push(out);
    parts.length = 0;
    size = 20;
    count = 0;
  };
  for (const [from, to] of spans) {
    let i = from;
    while (i < to) {
      // The furthest j such that objects i .. j-1 still fit the packet being filled (offsets only grow).
      const start = offsets[i]!;
      const room = maxPacket - size;
      let lo = i;
      let hi = Math.min(to, i + (maxClients - count));
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (offsets[mid]! - start <= room) lo = mid;
        else hi = mid - 1;
      }
      if (lo === i) {
        if (count === 0) throw new RangeError('a client object does not fit in a packet');
        flush();
        continue;
      }
      parts.push(start, offsets[lo]!);
      size += offsets[lo]! - start;
      count += lo - i;
      i = lo;
      if (i < to) flush();
    }
  }
  if (count > 0 || packets.length === 0) flush();
  return packets;
}

export function splitRemoved(
  timestamp: bigint,
  ips: readonly number[],
  maxPacket: number = LIMITS.maxServerPacket,
  maxClients: number = LIMITS.maxCount,
): Buffer[] {
  const per = Math.max(1, Math.min(maxClients, Math.floor((maxPacket - 20) / 4)));
  const packets: Buffer[] = [];
  for (let i = 0; i < ips.length; i += per) packets.push(encodeRemovedRaw(timestamp, ips.slice(i, i + per)));
  return packets;
}

export function encodeClientPacket(p: ClientPacket): Buffer {
  switch (p.type) {
    case 'hello':
      return encodeHello(p.supported, p.known, p.version);
    case 'response':
      return encodeResponse(p.info, p.version);
    case 'heartbeat':
      return encodeHeartbeat(p.timestamp, p.version);
  }
}

export function encodeServerPacket(p: ServerPacket): Buffer {
  switch (p.type) {
    case 'accept':
      return encodeAccept(p.version);
    case 'reject':
      return encodeReject(p.message, p.version);
    case 'request':
      return encodeRequest(p.index, p.version);
    case 'added':
      return encodeAdded(p.timestamp, p.clients, p.version);
    case 'removed':
      return encodeRemoved(p.timestamp, p.ips, p.version);
  }
}

/**
 * Big-endian u32 at `at`, which the caller has bounds-checked: the per-object reads of a big swarm's updates
 * (10^8 objects as 10,000 peers sync) skip `readUInt32BE`'s argument validation.
 */
const u32 = (b: Buffer, at: number): number =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

// ---- framing ------------------------------------------------------------------------------------------------

/** What the receiver expects an `H` from a client to be: the handshake, or a heartbeat after setup. */
export type ClientPhase = 'handshake' | 'after-handshake';
export type Direction = { readonly from: 'client'; readonly phase: () => ClientPhase } | { readonly from: 'server' };

const typeName = (b: number) => (b >= 0x21 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `0x${b.toString(16)}`);

/**
 * Length of the packet at the start of `bytes` (at least 8 of them), `undefined` when more bytes are needed
 * to tell, or the error that makes the stream unreadable. Checks magic and major version first: with another
 * major version the lengths themselves could differ.
 */
export function packetLength(bytes: Buffer, direction: Direction): number | undefined | LektError {
  if (bytes.length < 8) return undefined;
  if (bytes.compare(MAGIC, 0, 4, 0, 4) !== 0)
    return new LektError('magic', `packet does not start with "LEKT" (got ${bytes.subarray(0, 4).toString('hex')})`);
  if (bytes[5] !== VERSION.major) {
    const v = { major: bytes[5]!, minor: bytes[6]!, extra: bytes[7]! };
    return new LektError(
      'version',
      `version ${versionText(v)} is not supported (this side speaks ${versionText(VERSION)})`,
    );
  }
  const type = bytes[4]!;
  if (direction.from === 'client') {
    if (type === 0x48 /* H */) {
      if (direction.phase() === 'after-handshake') return 16;
      if (bytes.length < 12) return undefined;
      const known = bytes.readUInt32BE(8);
      if (known > LIMITS.maxKnownMethods)
        return new LektError('limits', `${known} known methods announced (at most ${LIMITS.maxKnownMethods})`);
      return 12 + 4 * Math.ceil(known / 32);
    }
    if (type === 0x54 /* T */) {
      if (bytes.length < 12) return undefined;
      const index = bytes.readUInt32BE(8);
      const size = METHOD_INFO_SIZE[index];
      if (size === undefined) return new LektError('malformed', `response for unknown method index ${index}`);
      return 12 + size;
    }
    return new LektError('malformed', `unknown client packet type ${typeName(type)}`);
  }
  switch (type) {
    case 0x41 /* A */:
      return 8;
    case 0x54 /* T */:
      return 12;
    case 0x52 /* R */:
      {
        const nul = bytes.indexOf(0, 8);
        return nul === -1 ? undefined : nul + 1;
      }
    case 0x48 /* H */:
      {
        if (bytes.length < 20) return undefined;
        const kind = bytes[16]!;
        const count = bytes.readUIntBE(17, 3);
        if (kind === 0x52 /* R */) return 20 + 4 * count;
        if (kind !== 0x41 /* A */) return new LektError('malformed', `unknown update kind ${typeName(kind)}`);
        let at = 20;
        for (let i = 0; i < count; i++) {
          // Past the limit already: say so now rather than wait for bytes that will never be accepted.
          if (at > LIMITS.maxServerPacket) return at;
          if (at + 4 > bytes.length) return undefined;
          const size = u32(bytes, at);
          if (size < 8) return new LektError('malformed', `client object of ${size} bytes (at least 8)`);
          at += size;
        }
        return at;
      }
    default:
      return new LektError('malformed', `unknown server packet type ${typeName(type)}`);
  }
}

function framer(direction: Direction, maxFrame: number): Framer {
  return lengthFramer({
    headerSize: 8,
    maxFrame,
    frameLength: (bytes) => {
      const length = packetLength(bytes, direction);
      return length instanceof LektError ? new FrameError('malformed', length.message, true) : length;
    },
  });
}

/** Frames what a client sends; `phase` tells whether an `H` is the handshake or a heartbeat. */
export const clientPacketFramer = (phase: () => ClientPhase) =>
  framer({ from: 'client', phase }, LIMITS.maxClientPacket);
export const serverPacketFramer = () => framer({ from: 'server' }, LIMITS.maxServerPacket);

// ---- decoding -----------------------------------------------------------------------------------------------

const versionAt = (b: Buffer): Version => ({ major: b[5]!, minor: b[6]!, extra: b[7]! });

function readMethodInfo(b: Buffer, at: number, index: number): MethodInfo {
  if (index === METHOD.tcp || index === METHOD.udp) {
    const port = b.readUInt16BE(at);
    if (port === 0) throw new LektError('malformed', `method ${index} with port 0`);
    return { method: index, port };
  }
  return { method: METHOD.relay };
}

function expectLength(frame: Buffer, direction: Direction): void {
  const length = packetLength(frame, direction);
  if (length instanceof LektError) throw length;
  if (length !== frame.length)
    throw new LektError('malformed', `packet of ${frame.length} bytes, its fields say ${length ?? 'more'}`);
}

/** Decodes one complete frame from a client; throws LektError. */
export function decodeClientPacket(frame: Buffer, phase: ClientPhase): ClientPacket {
  expectLength(frame, { from: 'client', phase: () => phase });
  const version = versionAt(frame);
  if (frame[4] === 0x54) {
    const index = frame.readUInt32BE(8);
    if (index === METHOD.end) throw new LektError('malformed', 'response for method index 0');
    return { type: 'response', version, info: readMethodInfo(frame, 12, index) };
  }
  if (phase === 'after-handshake') return { type: 'heartbeat', version, timestamp: frame.readBigInt64BE(8) };
  const known = frame.readUInt32BE(8);
  const supported: number[] = [];
  for (let i = 1; i < known; i++) {
    if ((frame.readUInt32BE(12 + 4 * Math.floor(i / 32)) >>> (i % 32)) & 1) supported.push(i);
  }
  return { type: 'hello', version, known, supported };
}

/**
 * Calls `visit` for each client object of an `added` packet without building objects (the cheap path for
 * peers that watch only some addresses). `end` is where the object ends.
 */
export function forEachClientObject(frame: Buffer, visit: (ip: number, start: number, end: number) => void): void {
  const count = frame.readUIntBE(17, 3);
  let at = 20;
  for (let i = 0; i < count; i++) {
    if (at + 8 > frame.length) throw new RangeError(`client object ${i} runs past the packet`);
    const size = u32(frame, at);
    visit(u32(frame, at + 4), at, at + size);
    at += size;
  }
}

/**
 * The methods of one client object. An index this side does not know ends the walk (its information length
 * is unknown); the object's own size still lets the reader go on to the next object.
 */
export function readClientMethods(frame: Buffer, start: number, end: number): MethodInfo[] {
  const methods: MethodInfo[] = [];
  let at = start + 8;
  while (at + 4 <= end && methods.length < LIMITS.maxMethodsPerClient) {
    const index = frame.readUInt32BE(at);
    const size = METHOD_INFO_SIZE[index];
    if (size === undefined || index === METHOD.end || at + 4 + size > end) break;
    methods.push(readMethodInfo(frame, at + 4, index));
    at += 4 + size;
  }
  return methods;
}

/** Decodes one complete frame from the server; throws LektError. */
export function decodeServerPacket(frame: Buffer): ServerPacket {
  expectLength(frame, { from: 'server' });
  const version = versionAt(frame);
  switch (frame[4]) {
    case 0x41:
      return { type: 'accept', version };
    case 0x52:
      return { type: 'reject', version, message: frame.toString('utf8', 8, frame.length - 1) };
    case 0x54:
      return { type: 'request', version, index: frame.readUInt32BE(8) };
  }
  const timestamp = frame.readBigInt64BE(8);
  const count = frame.readUIntBE(17, 3);
  if (frame[16] === 0x52) {
    const ips: string[] = [];
    for (let i = 0; i < count; i++) ips.push(ipFromNumber(frame.readUInt32BE(20 + 4 * i)));
    return { type: 'removed', version, timestamp, ips };
  }
  const clients: ClientObject[] = [];
  forEachClientObject(frame, (ip, start, end) =>
    clients.push({ ip: ipFromNumber(ip), methods: readClientMethods(frame, start, end) }),
  );
  return { type: 'added', version, timestamp, clients };
}

/**
 * Streaming decoder: feed socket chunks, get whole packets, whatever the split. After an error the stream is
 * dead (a binary stream cannot resynchronise) and `error` says why.
 */
export class LektStreamDecoder<P> {
  readonly #framer: Framer;
  readonly #decode: (frame: Buffer) => P;
  error: LektError | null = null;

  private constructor(framer: Framer, decode: (frame: Buffer) => P) {
    this.#framer = framer;
    this.#decode = decode;
  }

  static fromServer(): LektStreamDecoder<ServerPacket> {
    return new LektStreamDecoder(serverPacketFramer(), decodeServerPacket);
  }

  /** Client packets; the phase advances by itself once a handshake has been decoded. */
  static fromClient(): LektStreamDecoder<ClientPacket> {
    let phase: ClientPhase = 'handshake';
    return new LektStreamDecoder(
      clientPacketFramer(() => phase),
      (frame) => {
        const p = decodeClientPacket(frame, phase);
        phase = 'after-handshake';
        return p;
      },
    );
  }

  get buffered(): number {
    return this.#framer.buffered;
  }

  push(chunk: Buffer): P[] {
    const out: P[] = [];
    if (this.error) return out;
    this.#framer.push(chunk, {
      frame: (frame) => {
        if (this.error) return;
        try {
          out.push(this.#decode(frame));
        } catch (error) {
          this.error = error instanceof LektError ? error : new LektError('malformed', (error as Error).message);
        }
      },
      error: (error) => {
        this.error ??= toLektError(error);
      },
    });
    return out;
  }
}

/** A framing error back to the reject reason it was made from (the reason opens its message). */
export function toLektError(error: FrameError): LektError {
  const m = /^([a-z-]+): (.*)$/s.exec(error.message);
  const reasons: readonly string[] = ['magic', 'version', 'malformed', 'limits'];
  if (m && reasons.includes(m[1]!)) return new LektError(m[1] as RejectReason, m[2]!);
  return new LektError(error.kind === 'oversized' ? 'limits' : 'malformed', error.message);
}
