/**
 * Ore Rush packets (docs/protocols/orerush.md): STX, a five-letter type, each field preceded by US, ETX.
 * This module turns a frame body (what the framer hands over, without STX/ETX) into a typed packet and back;
 * what an object field must contain is checked in wire.ts.
 */

export const STX = 0x02;
export const ETX = 0x03;
export const US = 0x1f;
export const DEFAULT_PORT = 1038;
/** Longest packet body (type and fields, without STX/ETX). A full 30 x 15 update is about 4 KiB. */
export const MAX_PACKET = 65_536;
export const MAX_TEXT = 512;
export const MAX_NICK = 32;

export const SUCCESS_TEXT = 'Success';
export const TIMEOUT_TEXT = 'Timeout';
export const AWAKE_TEXT = 'Awake';

/** Error codes of the `error` packet. */
export const ErrorCode = {
  /** Bytes that were not a packet: outside STX..ETX, a packet without ETX, an oversized packet. */
  frame: 1,
  unknownType: 2,
  /** Wrong field count, a number that is not one, text with control characters or not UTF-8, a text too long. */
  fields: 3,
  /** An object field that is not JSON, not a JSON object, or not of the documented shape. */
  json: 4,
  /** Not possible in the current state (not in a game, game not started, already moved, game over). */
  state: 5,
  /** Not allowed for this player (another player's number, settings by a non-creator). */
  denied: 6,
  /** A well-formed move that breaks a rule; the player may send another before the deadline. */
  move: 7,
  /** Cannot join: no such game, already started, full, server busy. */
  join: 8,
  /** Bad game settings; the message names the field. */
  settings: 9,
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export type Packet =
  | { readonly type: 'reqst'; readonly timestamp: number; readonly game: number }
  | { readonly type: 'timeo' }
  | { readonly type: 'succs' }
  | { readonly type: 'awake' }
  | { readonly type: 'close'; readonly timestamp: number; readonly player: number }
  | {
      readonly type: 'updte';
      readonly map: Record<string, unknown>;
      readonly cooldowns: Record<string, unknown>;
      readonly robots: Record<string, unknown>;
      readonly scores: Record<string, unknown>;
    }
  | { readonly type: 'pmove'; readonly player: number; readonly moves: Record<string, unknown> }
  | { readonly type: 'pchat'; readonly player: number; readonly message: string }
  | { readonly type: 'nickn'; readonly player: number; readonly name: string }
  | { readonly type: 'settn'; readonly settings: Record<string, unknown> }
  | { readonly type: 'error'; readonly code: number; readonly message: string };

export type PacketType = Packet['type'];

type FieldKind = 'long' | 'int' | 'text' | 'object' | { readonly constant: string };

/** Field layout per type, in wire order, with the property each field maps to. */
const LAYOUT: Record<PacketType, readonly (readonly [string, FieldKind])[]> = {
  reqst: [
    ['timestamp', 'long'],
    ['game', 'int'],
  ],
  timeo: [['text', { constant: TIMEOUT_TEXT }]],
  succs: [['text', { constant: SUCCESS_TEXT }]],
  awake: [['text', { constant: AWAKE_TEXT }]],
  close: [
    ['timestamp', 'long'],
    ['player', 'int'],
  ],
  updte: [
    ['map', 'object'],
    ['cooldowns', 'object'],
    ['robots', 'object'],
    ['scores', 'object'],
  ],
  pmove: [
    ['player', 'int'],
    ['moves', 'object'],
  ],
  pchat: [
    ['player', 'int'],
    ['message', 'text'],
  ],
  nickn: [
    ['player', 'int'],
    ['name', 'text'],
  ],
  settn: [['settings', 'object']],
  error: [
    ['code', 'int'],
    ['message', 'text'],
  ],
};

export const PACKET_TYPES = Object.keys(LAYOUT) as PacketType[];

/** Packets that answer another one; they are never answered themselves. */
export const ANSWER_TYPES: ReadonlySet<PacketType> = new Set(['succs', 'timeo', 'error']);

export class PacketError extends Error {
  constructor(
    readonly code: ErrorCodeValue,
    message: string,
    /** The packet type, when it was readable: lets a receiver tell which request the error is about. */
    readonly packetType?: string,
  ) {
    super(message);
    this.name = 'PacketError';
  }
}

const CONTROL = /[\u0000-\u001f\u007f]/;
const INT_TEXT = /^-?(0|[1-9][0-9]*)$/;
const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

export function hasControlChars(text: string): boolean {
  return CONTROL.test(text);
}

function encodeField(kind: FieldKind, value: unknown, name: string, type: string): string {
  if (typeof kind === 'object') return kind.constant;
  switch (kind) {
    case 'long':
    case 'int': {
      const n = value as number;
      // Two locals, not a destructured pair: no array per field encoded.
      const min = kind === 'int' ? INT32_MIN : Number.MIN_SAFE_INTEGER;
      const max = kind === 'int' ? INT32_MAX : Number.MAX_SAFE_INTEGER;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
        throw new RangeError(`${type}.${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
      return String(n);
    }
    case 'text': {
      const t = value as string;
      if (typeof t !== 'string') throw new TypeError(`${type}.${name} must be a string`);
      if (hasControlChars(t)) throw new RangeError(`${type}.${name} must not contain control characters`);
      return t;
    }
    case 'object':
      if (!value || typeof value !== 'object' || Array.isArray(value))
        throw new TypeError(`${type}.${name} must be an object`);
      // JSON escapes every character below 0x20, so STX, ETX and US can never appear inside.
      return JSON.stringify(value);
  }
}

/** The frame body of a packet (the framer adds STX and ETX). Throws on a value the format cannot carry. */
export function encodePacket(packet: Packet): Buffer {
  return Buffer.from(encodePacketText(packet), 'utf8');
}

/**
 * The frame body of a packet as text (UTF-8 on the wire): what a Connection appends to the tick's output string
 * through the framer's `encodeText`, with no Buffer per packet. Throws as `encodePacket` does.
 */
export function encodePacketText(packet: Packet): string {
  const type = packet.type;
  const layout = LAYOUT[type];
  if (!layout) throw new TypeError(`unknown packet type ${JSON.stringify((packet as { type: unknown }).type)}`);
  const record = packet as unknown as Record<string, unknown>;
  let text: string = type;
  for (let i = 0; i < layout.length; i++) {
    const field = layout[i]!;
    text += `\u001f${encodeField(field[1], record[field[0]], field[0], type)}`;
  }
  return text;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a frame body; throws `PacketError` with the documented code. */
export function decodePacket(body: Buffer): Packet {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new PacketError(ErrorCode.fields, 'packet is not valid UTF-8');
  }
  const parts = text.split('\u001f');
  const type = parts[0]!;
  const layout = LAYOUT[type as PacketType];
  if (!/^[a-z]{5}$/.test(type) || !layout) {
    throw new PacketError(
      ErrorCode.unknownType,
      `unknown packet type ${JSON.stringify(type.slice(0, 16))} (known: ${PACKET_TYPES.join(', ')})`,
    );
  }
  const fields = parts.length - 1;
  if (fields !== layout.length) {
    throw new PacketError(ErrorCode.fields, `${type} takes ${layout.length} field(s), got ${fields}`, type);
  }
  const out: Record<string, unknown> = { type };
  for (let i = 0; i < layout.length; i++) {
    const [name, kind] = layout[i]!;
    const raw = parts[i + 1]!;
    if (typeof kind === 'object') {
      if (raw !== kind.constant)
        throw new PacketError(ErrorCode.fields, `${type} field 1 must be "${kind.constant}"`, type);
      continue;
    }
    switch (kind) {
      case 'long':
      case 'int': {
        const n = INT_TEXT.test(raw) ? Number(raw) : Number.NaN;
        const [min, max] = kind === 'int' ? [INT32_MIN, INT32_MAX] : [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
        if (!Number.isSafeInteger(n) || n < min || n > max) {
          throw new PacketError(
            ErrorCode.fields,
            `${type} field ${i + 1} (${name}) must be a decimal ${kind === 'int' ? '32-bit' : '64-bit'} integer, got ${JSON.stringify(raw.slice(0, 32))}`,
            type,
          );
        }
        out[name] = n;
        break;
      }
      case 'text':
        if (hasControlChars(raw))
          throw new PacketError(ErrorCode.fields, `${type} field ${i + 1} (${name}) contains control characters`, type);
        out[name] = raw;
        break;
      case 'object': {
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch (error) {
          throw new PacketError(
            ErrorCode.json,
            `${type} field ${i + 1} (${name}) is not JSON: ${(error as Error).message}`,
            type,
          );
        }
        if (!value || typeof value !== 'object' || Array.isArray(value))
          throw new PacketError(ErrorCode.json, `${type} field ${i + 1} (${name}) must be a JSON object`, type);
        out[name] = value;
        break;
      }
    }
  }
  return out as unknown as Packet;
}

export const succs = (): Packet => ({ type: 'succs' });
export const timeo = (): Packet => ({ type: 'timeo' });
export const awake = (): Packet => ({ type: 'awake' });
const CONTROL_GLOBAL = /[\u0000-\u001f\u007f]/g;
export const errorPacket = (code: number, message: string): Packet => ({
  type: 'error',
  code,
  // An error message quotes peer input: keep it printable and bounded.
  message: message.replace(CONTROL_GLOBAL, '?').slice(0, MAX_TEXT),
});

/** Escaped form of a frame (with STX/ETX) for logs and docs: `\x02reqst\x1f...\x03`. */
export function escapeFrame(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    out += b < 0x20 || b === 0x7f ? `\\x${b.toString(16).padStart(2, '0')}` : String.fromCharCode(b);
  }
  return out;
}
