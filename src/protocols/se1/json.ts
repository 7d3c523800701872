/**
 * The SE1 JSON layer: a small JSON reader that keeps duplicate keys (old SE1 clients wrote several `"entry"`
 * keys in one object, which `JSON.parse` silently collapses to the last), command decoding in all three
 * `entry` forms, and event encoding.
 */

/** A JSON value whose objects keep every key, in order, duplicates included. */
export type JsonNode =
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, JsonNode])[] }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' };

export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
}

const MAX_DEPTH = 32;

/** Parses one JSON text (RFC 8259), keeping duplicate object keys. Throws JsonSyntaxError with the offset. */
export function parseJsonNode(text: string): JsonNode {
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const str = (): string => {
    // i is at the opening quote.
    i++;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 32) fail('control character in string');
      if (c === 92) {
        out += text.slice(start, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
            out += String.fromCharCode(Number.parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            i -= 2;
            fail('bad escape');
        }
        start = i;
        continue;
      }
      i++;
    }
  };
  const value = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, JsonNode][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { kind: 'object', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        entries.push([k, value(depth + 1)]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { kind: 'object', entries };
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { kind: 'array', items };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { kind: 'array', items };
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return { kind: 'string', value: str() };
    if (text.startsWith('true', i)) {
      i += 4;
      return { kind: 'boolean', value: true };
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return { kind: 'boolean', value: false };
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return { kind: 'null' };
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (m) {
      i += m[0].length;
      return { kind: 'number', value: Number(m[0]) };
    }
    return fail('unexpected character');
  };
  const node = value(0);
  ws();
  if (i !== text.length) fail('trailing characters');
  return node;
}

/** A command from a client: `@action`, the optional `@id`, and the properties as ordered key/value pairs. */
export interface Se1Command {
  readonly action: string;
  readonly id?: string;
  /** Every `entry`, in order; a key given twice appears twice. */
  readonly properties: readonly (readonly [string, string])[];
}

export class CommandError extends Error {
  override name = 'CommandError';
}

const scalar = (n: JsonNode): string | undefined =>
  n.kind === 'string' ? n.value : n.kind === 'number' || n.kind === 'boolean' ? String(n.value) : undefined;

function entryPair(n: JsonNode): [string, string] {
  if (n.kind !== 'object') throw new CommandError('an entry must be an object {"key":..,"value":..}');
  let key: string | undefined;
  let value: string | undefined;
  for (const [k, v] of n.entries) {
    if (k === 'key') key = scalar(v);
    else if (k === 'value') value = v.kind === 'null' ? '' : scalar(v);
  }
  if (key === undefined) throw new CommandError('an entry without a "key"');
  return [key, value ?? ''];
}

/**
 * Decodes one command line. `properties.entry` may be one object, an array of objects, or (the old form)
 * several `"entry"` keys in the same object; all three give the same ordered pairs.
 */
export function decodeCommand(line: string): Se1Command {
  let root: JsonNode;
  try {
    root = parseJsonNode(line);
  } catch (error) {
    throw new CommandError(`broken JSON: ${(error as Error).message}`);
  }
  if (root.kind !== 'object') throw new CommandError('a command must be a JSON object');
  let action: string | undefined;
  let id: string | undefined;
  const properties: [string, string][] = [];
  for (const [k, v] of root.entries) {
    if (k === '@action') action = scalar(v);
    else if (k === '@id') id = scalar(v);
    else if (k === 'properties') {
      if (v.kind === 'null') continue;
      if (v.kind !== 'object') throw new CommandError('"properties" must be an object');
      for (const [pk, pv] of v.entries) {
        if (pk !== 'entry') continue;
        if (pv.kind === 'array') for (const item of pv.items) properties.push(entryPair(item));
        else properties.push(entryPair(pv));
      }
    }
  }
  if (!action) throw new CommandError('missing "@action"');
  return id === undefined ? { action, properties } : { action, id, properties };
}

/** The first value of `key`, or undefined. */
export const prop = (c: Se1Command, key: string): string | undefined => c.properties.find(([k]) => k === key)?.[1];

/** Encodes a command in the array form (what botswarm's client sends). */
export function encodeCommand(action: string, properties: readonly (readonly [string, string])[] = []): string {
  if (properties.length === 0) return JSON.stringify({ '@action': action });
  return JSON.stringify({
    '@action': action,
    properties: { entry: properties.map(([key, value]) => ({ key, value })) },
  });
}

/** A server event. Null values are left out, as the SE1 server does. */
export interface Se1Event {
  readonly ts: string;
  readonly src: string;
  readonly prop: string;
  readonly nv?: string;
  readonly ov?: string;
}

export function encodeEvent(e: Se1Event): string {
  const o: Record<string, string> = { '@ts': e.ts, '@src': e.src, '@prop': e.prop };
  if (e.nv !== undefined) o['@nv'] = e.nv;
  if (e.ov !== undefined) o['@ov'] = e.ov;
  return JSON.stringify(o);
}

export function decodeEvent(line: string): Se1Event {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (error) {
    throw new CommandError(`broken event JSON: ${(error as Error).message}`);
  }
  if (!o || typeof o !== 'object') throw new CommandError('an event must be a JSON object');
  const r = o as Record<string, unknown>;
  const str = (k: string) => (typeof r[k] === 'string' ? (r[k] as string) : undefined);
  const ts = str('@ts');
  const src = str('@src');
  const p = str('@prop');
  if (ts === undefined || src === undefined || p === undefined)
    throw new CommandError('an event needs @ts, @src, @prop');
  const nv = str('@nv');
  const ov = str('@ov');
  return { ts, src, prop: p, ...(nv !== undefined ? { nv } : {}), ...(ov !== undefined ? { ov } : {}) };
}

/** `OK - <type>` / `ERROR: <type> - <message>` notices from the server. */
export type Notice =
  | { readonly kind: 'ok'; readonly type: string; readonly message?: string }
  | { readonly kind: 'error'; readonly type: string; readonly message?: string };

export function parseNotice(e: Se1Event): Notice | undefined {
  if (e.src !== 'SERVER' || e.prop !== 'USER_MESSAGE' || e.nv === undefined) return undefined;
  const ok = /^OK - ([^ ]+)(?: - (.*))?$/s.exec(e.nv);
  if (ok) return { kind: 'ok', type: ok[1]!, ...(ok[2] !== undefined ? { message: ok[2] } : {}) };
  const err = /^ERROR: ([^ ]+)(?: - (.*))?$/s.exec(e.nv);
  if (err) return { kind: 'error', type: err[1]!, ...(err[2] !== undefined ? { message: err[2] } : {}) };
  return undefined;
}

/**
 * Times each command from its sending to the notice that answers it (the `OK`/`ERROR` of its type), oldest first
 * per type, for a seat adapter's `onAnswer`. Without a listener it keeps nothing.
 */
export class AnswerTimer {
  readonly #sent = new Map<string, number[]>();
  constructor(readonly onAnswer?: (kind: string, micros: number, ok: boolean) => void) {}

  /** A command of this type went out now. */
  sent(type: string): void {
    if (!this.onAnswer) return;
    const queue = this.#sent.get(type);
    if (queue) queue.push(performance.now());
    else this.#sent.set(type, [performance.now()]);
  }

  /** The notice of an event, if it is one; an answer to a command sent is timed. */
  notice(e: Se1Event): Notice | undefined {
    const n = parseNotice(e);
    if (!n || !this.onAnswer) return n;
    const sent = this.#sent.get(n.type)?.shift();
    if (sent !== undefined)
      this.onAnswer(n.type.toLowerCase(), Math.round((performance.now() - sent) * 1000), n.kind === 'ok');
    return n;
  }
}
