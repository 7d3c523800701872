/**
 * The chat wire format (seed 002, see docs/protocols/chat.md): one message per line, `<opcode> <arg> <arg>...`,
 * arguments separated by exactly one space. Values that may hold spaces or line breaks (Message, Email) are
 * percent-encoded for exactly four bytes; Media is base64. Both directions are encoded and parsed here, so the
 * server, the client and the tests share one definition.
 */

export const DEFAULT_CHAT_PORT = 12345;

/** Longest accepted line in bytes, without its terminator (enough for the largest media in base64). */
export const MAX_LINE_BYTES = 256 * 1024;
/** Longest message text in bytes (UTF-8, after percent-decoding). */
export const MAX_MESSAGE_BYTES = 4096;
/** Largest media content in bytes (after base64 decoding). */
export const MAX_MEDIA_BYTES = 128 * 1024;
export const MAX_EMAIL_BYTES = 254;
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
/** Passwords are one token: 6 to 128 characters, no whitespace and no control characters. */
export const PASSWORD_PATTERN = /^[^\s\p{Cc}]{6,128}$/u;
export const GENDER_PATTERN = /^[^\s\p{Cc}]{1,16}$/u;

/** Status codes of the seed's Tabelle2, plus 413 (a botswarm extension, see the doc). */
export const Status = {
  OK: 400,
  USERNAME_INVALID: 401,
  PASSWORD_INVALID: 402,
  USERNAME_ALREADY_TAKEN: 403,
  CLIENT_ALREADY_LOGGED_IN: 404,
  USERNAME_ALREADY_LOGGED_IN: 405,
  PASSWORD_WRONG: 406,
  CLIENT_NOT_LOGGED_IN: 407,
  CHAT_NOT_FOUND: 408,
  CHAT_PERMISSION_DENIED: 409,
  CONTACT_NOT_FOUND: 410,
  CONTACT_NOT_CONFIRMED: 411,
  MEDIA_NOT_FOUND: 412,
  VALUE_TOO_LARGE: 413,
} as const;
export type StatusCode = (typeof Status)[keyof typeof Status];
const STATUS_CODES = new Set<number>(Object.values(Status));
export const statusName = (code: number): string =>
  Object.entries(Status).find(([, v]) => v === code)?.[0] ?? `STATUS_${code}`;

/** Client → server opcodes. 116 is a botswarm extension (chat history). */
export const ClientOp = {
  Login: 110,
  Logout: 111,
  RequestChatList: 112,
  ChatCreate: 113,
  ChatDelete: 114,
  MessageSend: 115,
  RequestChatHistory: 116,
  RegisterAccount: 117,
  RequestOwnContactList: 118,
  RequestMedia: 119,
  RequestContactList: 120,
  RequestConfirmContact: 121,
} as const;

/** Server → client opcodes. 221 and 235 are botswarm extensions (chat history). */
export const ServerOp = {
  Unknown: 210,
  Invalid: 211,
  LoginResponse: 212,
  LogoutResponse: 213,
  ChatListBegin: 214,
  ChatListElement: 215,
  ChatListEnd: 216,
  ChatCreateResponse: 217,
  ChatDeleteResponse: 218,
  MessageSendResponse: 219,
  MessageSended: 220,
  ChatHistoryResponse: 221,
  RegisterAccountResponse: 222,
  OwnContactListResponse: 223,
  ContactOwnListBegin: 224,
  ContactOwnListElem: 225,
  ContactOwnListEnd: 226,
  MediaResponse: 227,
  ContactListResponse: 228,
  ContactListBegin: 229,
  ContactListElement: 230,
  ContactListEnd: 231,
  ConfirmContactResponse: 232,
  ConfirmContactAdd: 233,
  RequestConfirmContact: 234,
  ChatHistoryElement: 235,
} as const;

export type ClientMessage =
  | { readonly op: 110; readonly username: string; readonly password: string }
  | { readonly op: 111 }
  | { readonly op: 112 }
  | { readonly op: 113; readonly contact: string }
  | { readonly op: 114; readonly chatId: number }
  | { readonly op: 115; readonly chatId: number; readonly text: string; readonly media?: Buffer }
  | { readonly op: 116; readonly chatId: number }
  | {
      readonly op: 117;
      readonly username: string;
      readonly password: string;
      readonly email: string;
      readonly gender: string;
    }
  | { readonly op: 118 }
  | { readonly op: 119; readonly mediaId: number }
  | { readonly op: 120 }
  | { readonly op: 121; readonly username: string };

export type ServerMessage =
  | { readonly op: 210; readonly reason?: string }
  | { readonly op: 211; readonly reason?: string }
  | { readonly op: 212; readonly status: number; readonly username: string }
  | { readonly op: 213; readonly status: number }
  | { readonly op: 214; readonly count: number }
  | { readonly op: 215; readonly chatId: number; readonly user1: string; readonly user2: string }
  | { readonly op: 216 }
  | { readonly op: 217; readonly status: number; readonly chatId?: number }
  | { readonly op: 218; readonly status: number }
  | { readonly op: 219; readonly status: number; readonly messageId?: number }
  | {
      readonly op: 220;
      readonly chatId: number;
      readonly timestamp: number;
      readonly text: string;
      readonly mediaId?: number;
    }
  | { readonly op: 221; readonly status: number; readonly count?: number }
  | { readonly op: 222; readonly status: number }
  | { readonly op: 223; readonly status: number }
  | { readonly op: 224; readonly count: number }
  | { readonly op: 225; readonly contact: string; readonly since: number }
  | { readonly op: 226 }
  | { readonly op: 227; readonly status: number; readonly media?: Buffer }
  | { readonly op: 228; readonly status: number }
  | { readonly op: 229; readonly count: number }
  | { readonly op: 230; readonly contact: string }
  | { readonly op: 231 }
  | { readonly op: 232; readonly status: number }
  | { readonly op: 233; readonly username: string }
  | { readonly op: 234; readonly username: string }
  | {
      readonly op: 235;
      readonly chatId: number;
      readonly timestamp: number;
      readonly sender: string;
      readonly text: string;
      readonly mediaId?: number;
    };

export type ParseResult<M> =
  | { readonly ok: true; readonly message: M }
  /** `unknown`: a well-formed opcode this side does not know (answer 210); `invalid`: anything else (211). */
  | { readonly ok: false; readonly error: 'unknown' | 'invalid'; readonly reason: string };

// --- values -------------------------------------------------------------------------------------------------

/** Percent-encodes exactly `%`, space, CR and LF; every other character stays as it is. */
export function encodeText(value: string): string {
  return value.replace(/[% \r\n]/g, (c) => (c === '%' ? '%25' : c === ' ' ? '%20' : c === '\r' ? '%0D' : '%0A'));
}

/**
 * Reverses `encodeText`; null when the value holds a `%` not followed by one of the four codes (upper-case hex),
 * a raw space, or a control character other than TAB (which the encoded form never contains).
 */
export function decodeText(value: string): string | null {
  if (/[\u0000-\u0008\u000a-\u001f\u007f ]/.test(value)) return null;
  let bad = false;
  const out = value.replace(/%(..)?/g, (_m, code: string | undefined) => {
    switch (code) {
      case '25':
        return '%';
      case '20':
        return ' ';
      case '0D':
        return '\r';
      case '0A':
        return '\n';
      default:
        bad = true;
        return '';
    }
  });
  return bad ? null : out;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 with padding; null for anything else (Node's decoder silently skips bad input). */
export function decodeBase64(value: string): Buffer | null {
  if (value.length === 0 || value.length % 4 !== 0 || !BASE64.test(value)) return null;
  const bytes = Buffer.from(value, 'base64');
  // Reject non-canonical padding bits, so that one media has exactly one encoding.
  return bytes.toString('base64') === value ? bytes : null;
}

const ID = /^(?:0|[1-9][0-9]{0,15})$/;
/** A Long on the wire: decimal, no sign, no leading zero; within JavaScript's safe integers. */
function parseLong(token: string): number | null {
  if (!ID.test(token)) return null;
  const n = Number(token);
  return Number.isSafeInteger(n) ? n : null;
}

function isToken(value: string): boolean {
  return value.length > 0 && !/[\s\p{Cc}]/u.test(value);
}

// --- lines ------------------------------------------------------------------------------------------------

function line(op: number, ...args: (string | number | undefined)[]): string {
  let out = String(op);
  for (const a of args) if (a !== undefined) out += ` ${a}`;
  return out;
}

function checkToken(name: string, value: string): string {
  if (!isToken(value)) throw new RangeError(`${name} must be one token without spaces or control characters`);
  return value;
}

function checkText(name: string, value: string): string {
  if (value.length === 0) throw new RangeError(`${name} must not be empty`);
  return encodeText(value);
}

/** Encodes a client request. Throws a RangeError for a value the wire cannot carry (empty, spaces in a token). */
export function encodeClient(m: ClientMessage): string {
  switch (m.op) {
    case 110:
      return line(m.op, checkToken('username', m.username), checkToken('password', m.password));
    case 111:
    case 112:
    case 118:
    case 120:
      return line(m.op);
    case 113:
      return line(m.op, checkToken('contact', m.contact));
    case 114:
    case 116:
      return line(m.op, m.chatId);
    case 115:
      if (m.media !== undefined && m.media.length === 0) throw new RangeError('media must not be empty');
      return line(m.op, m.chatId, checkText('text', m.text), m.media?.toString('base64'));
    case 117:
      return line(
        m.op,
        checkToken('username', m.username),
        checkToken('password', m.password),
        checkText('email', m.email),
        checkToken('gender', m.gender),
      );
    case 119:
      return line(m.op, m.mediaId);
    case 121:
      return line(m.op, checkToken('username', m.username));
  }
}

export function encodeServer(m: ServerMessage): string {
  switch (m.op) {
    case 210:
    case 211:
      return line(m.op, m.reason === undefined || m.reason === '' ? undefined : encodeText(m.reason));
    case 212:
      return line(m.op, m.status, m.username);
    case 213:
    case 218:
    case 222:
    case 223:
    case 228:
    case 232:
      return line(m.op, m.status);
    case 214:
    case 224:
    case 229:
      return line(m.op, m.count);
    case 215:
      return line(m.op, m.chatId, m.user1, m.user2);
    case 216:
    case 226:
    case 231:
      return line(m.op);
    case 217:
      return line(m.op, m.status, m.chatId);
    case 219:
      return line(m.op, m.status, m.messageId);
    case 220:
      return line(m.op, m.chatId, m.timestamp, encodeText(m.text), m.mediaId);
    case 221:
      return line(m.op, m.status, m.count);
    case 225:
      return line(m.op, m.contact, m.since);
    case 227:
      return line(m.op, m.status, m.media?.toString('base64'));
    case 230:
      return line(m.op, m.contact);
    case 233:
    case 234:
      return line(m.op, m.username);
    case 235:
      return line(m.op, m.chatId, m.timestamp, m.sender, encodeText(m.text), m.mediaId);
  }
}

type Fail = { ok: false; error: 'unknown' | 'invalid'; reason: string };
const invalid = (reason: string): Fail => ({ ok: false, error: 'invalid', reason });

/** Splits a line into opcode and arguments; `invalid` for empty tokens (two spaces, a leading or trailing space). */
function split(text: string): { op: number; args: string[] } | Fail {
  if (text.length === 0) return invalid('empty line');
  const tokens = text.split(' ');
  if (tokens.some((t) => t.length === 0)) return invalid('arguments are separated by exactly one space');
  const head = tokens[0]!;
  if (!/^[0-9]{3}$/.test(head)) return invalid(`not an opcode: ${JSON.stringify(head.slice(0, 16))}`);
  return { op: Number(head), args: tokens.slice(1) };
}

function arity(args: string[], min: number, max = min): Fail | null {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    return invalid(`expected ${want} argument${max === 1 ? '' : 's'}, got ${args.length}`);
  }
  return null;
}

/** Lines are UTF-8; a byte sequence that is not is invalid rather than silently replaced. */
export function decodeLine(bytes: Buffer): string | null {
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(bytes)) return null;
  return text;
}

/** Parses a client request. Value limits (username rules, sizes) are the server's to check, not the syntax's. */
export function parseClient(text: string): ParseResult<ClientMessage> {
  const parts = split(text);
  if ('ok' in parts) return parts;
  const { op, args } = parts;
  const ok = (message: ClientMessage): ParseResult<ClientMessage> => ({ ok: true, message });
  let bad: Fail | null;
  switch (op) {
    case 110: {
      bad = arity(args, 2);
      if (bad) return bad;
      const [username, password] = args as [string, string];
      if (!isToken(username) || !isToken(password)) return invalid('control characters in a token');
      return ok({ op, username, password });
    }
    case 111:
    case 112:
    case 118:
    case 120:
      bad = arity(args, 0);
      if (bad) return bad;
      return ok({ op });
    case 113:
    case 121: {
      bad = arity(args, 1);
      if (bad) return bad;
      const name = args[0]!;
      if (!isToken(name)) return invalid('control characters in a token');
      return ok(op === 113 ? { op, contact: name } : { op, username: name });
    }
    case 114:
    case 116: {
      bad = arity(args, 1);
      if (bad) return bad;
      const chatId = parseLong(args[0]!);
      if (chatId === null) return invalid('ChatID must be a decimal Long');
      return ok({ op, chatId });
    }
    case 115: {
      bad = arity(args, 2, 3);
      if (bad) return bad;
      const chatId = parseLong(args[0]!);
      if (chatId === null) return invalid('ChatID must be a decimal Long');
      const messageText = decodeText(args[1]!);
      if (messageText === null) return invalid('Message is not correctly percent-encoded');
      if (args.length === 2) return ok({ op, chatId, text: messageText });
      const media = decodeBase64(args[2]!);
      if (media === null) return invalid('Media is not base64');
      return ok({ op, chatId, text: messageText, media });
    }
    case 117: {
      bad = arity(args, 4);
      if (bad) return bad;
      const [username, password, emailRaw, gender] = args as [string, string, string, string];
      const email = decodeText(emailRaw);
      if (email === null) return invalid('Email is not correctly percent-encoded');
      if (!isToken(username) || !isToken(password) || !isToken(gender)) return invalid('control characters in a token');
      return ok({ op, username, password, email, gender });
    }
    case 119: {
      bad = arity(args, 1);
      if (bad) return bad;
      const mediaId = parseLong(args[0]!);
      if (mediaId === null) return invalid('MediaID must be a decimal Long');
      return ok({ op, mediaId });
    }
    default:
      return { ok: false, error: 'unknown', reason: `unknown opcode ${op}` };
  }
}

function status(token: string | undefined): number | null {
  const n = token === undefined ? null : parseLong(token);
  return n !== null && STATUS_CODES.has(n) ? n : null;
}

/** Parses a server line (the client's side); strict, so that a conformance test catches any drift. */
export function parseServer(text: string): ParseResult<ServerMessage> {
  const parts = split(text);
  if ('ok' in parts) return parts;
  const { op, args } = parts;
  const ok = (message: ServerMessage): ParseResult<ServerMessage> => ({ ok: true, message });
  let bad: Fail | null;
  const long = (i: number) => parseLong(args[i] ?? '');
  switch (op) {
    case 210:
    case 211: {
      bad = arity(args, 0, 1);
      if (bad) return bad;
      if (args.length === 0) return ok({ op });
      const reason = decodeText(args[0]!);
      if (reason === null) return invalid('reason is not percent-encoded');
      return ok({ op, reason });
    }
    case 212: {
      bad = arity(args, 2);
      if (bad) return bad;
      const s = status(args[0]);
      if (s === null) return invalid('bad status');
      return ok({ op, status: s, username: args[1]! });
    }
    case 213:
    case 218:
    case 222:
    case 223:
    case 228:
    case 232: {
      bad = arity(args, 1);
      if (bad) return bad;
      const s = status(args[0]);
      if (s === null) return invalid('bad status');
      return ok({ op, status: s });
    }
    case 214:
    case 224:
    case 229: {
      bad = arity(args, 1);
      if (bad) return bad;
      const count = long(0);
      if (count === null) return invalid('bad count');
      return ok({ op, count });
    }
    case 215: {
      bad = arity(args, 3);
      if (bad) return bad;
      const chatId = long(0);
      if (chatId === null) return invalid('bad ChatID');
      return ok({ op, chatId, user1: args[1]!, user2: args[2]! });
    }
    case 216:
    case 226:
    case 231:
      bad = arity(args, 0);
      if (bad) return bad;
      return ok({ op });
    case 217:
    case 219:
    case 221: {
      bad = arity(args, 1, 2);
      if (bad) return bad;
      const s = status(args[0]);
      if (s === null) return invalid('bad status');
      if (args.length === 1) return ok({ op, status: s });
      const n = long(1);
      if (n === null) return invalid('bad number');
      if (op === 217) return ok({ op, status: s, chatId: n });
      if (op === 219) return ok({ op, status: s, messageId: n });
      return ok({ op, status: s, count: n });
    }
    case 220: {
      bad = arity(args, 3, 4);
      if (bad) return bad;
      const chatId = long(0);
      const timestamp = long(1);
      const messageText = decodeText(args[2]!);
      if (chatId === null || timestamp === null || messageText === null) return invalid('bad MessageSended');
      if (args.length === 3) return ok({ op, chatId, timestamp, text: messageText });
      const mediaId = long(3);
      if (mediaId === null) return invalid('bad MediaID');
      return ok({ op, chatId, timestamp, text: messageText, mediaId });
    }
    case 225: {
      bad = arity(args, 2);
      if (bad) return bad;
      const since = long(1);
      if (since === null) return invalid('bad ContactSince');
      return ok({ op, contact: args[0]!, since });
    }
    case 227: {
      bad = arity(args, 1, 2);
      if (bad) return bad;
      const s = status(args[0]);
      if (s === null) return invalid('bad status');
      if (args.length === 1) return ok({ op, status: s });
      const media = decodeBase64(args[1]!);
      if (media === null) return invalid('Media is not base64');
      return ok({ op, status: s, media });
    }
    case 230:
    case 233:
    case 234: {
      bad = arity(args, 1);
      if (bad) return bad;
      return ok(op === 230 ? { op, contact: args[0]! } : { op, username: args[0]! });
    }
    case 235: {
      bad = arity(args, 4, 5);
      if (bad) return bad;
      const chatId = long(0);
      const timestamp = long(1);
      const messageText = decodeText(args[3]!);
      if (chatId === null || timestamp === null || messageText === null) return invalid('bad ChatHistoryElement');
      const base = { op, chatId, timestamp, sender: args[2]!, text: messageText } as const;
      if (args.length === 4) return ok(base);
      const mediaId = long(4);
      if (mediaId === null) return invalid('bad MediaID');
      return ok({ ...base, mediaId });
    }
    default:
      return { ok: false, error: 'unknown', reason: `unknown opcode ${op}` };
  }
}
