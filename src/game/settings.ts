/**
 * The one reader of settings: `--set key=value` on every command, bot parameters (`heuristic:reserve=1.2`),
 * server settings, tournament and load files, and every engine's config. A settings schema is a TypeBox object
 * schema, which is plain JSON Schema: the same object validates input, documents the settings (names, types,
 * ranges, defaults, help) and is written into `simulations/schema.json` and checked against the docs tables.
 *
 * Text (from a command line) is converted by the type the schema declares, strictly: an integer is decimal
 * digits with an optional minus sign (`1e1`, `0x10`, ` 12`, `1.0` and the empty string are refused, where
 * `Number()` would take them); a number is a plain decimal; a boolean is `true` or `false`; anything else is a
 * value of an enum, or text. Typed values (from JSON files or from code) are checked as they are. Every
 * problem throws a `ConfigError` naming the key and what it accepts.
 */

import { createRequire } from 'node:module';
import type {
  Static,
  TArray,
  TBoolean,
  TEnum,
  TInteger,
  TNumber,
  TObject,
  TOptional,
  TProperties,
  TSchema,
  TString,
  TUnion,
  TUnknown,
} from 'typebox';
import { ConfigError } from '../core/engine.ts';

export { ConfigError };

const require = createRequire(import.meta.url);
let validator: typeof import('typebox/value')['Value'] | undefined;

/**
 * TypeBox's validator takes about a quarter of a second to load, more than the rest of a command's start-up:
 * it is loaded (synchronously, Node >= 20.19 loads an ES module by `require`) the first time a given value is
 * checked, so a command that only takes defaults never pays for it.
 */
function check(schema: TSchema, value: unknown): boolean {
  const plain = plainCheck(schema, value);
  if (plain !== undefined) return plain;
  validator ??= (require('typebox/value') as typeof import('typebox/value')).Value;
  return validator.Check(schema, value);
}

/** The keywords `plainCheck` reads; a schema with any other (enumerable) key goes to TypeBox. */
const PLAIN_KEYS = new Set(['type', 'minimum', 'maximum', 'description', 'default', 'title', 'examples']);
/** The same for an array of plain items (`Setting.integers`). */
const PLAIN_ARRAY_KEYS = new Set([
  'type',
  'items',
  'minItems',
  'maxItems',
  'description',
  'default',
  'title',
  'examples',
]);

/**
 * The verdict on a plain number, integer or boolean schema (a type and at most a range: most settings, and
 * every `--param` of a load test), or an array of such items with a count, without loading TypeBox's validator (a quarter of a CPU-second of start-up);
 * undefined for any other schema, which TypeBox checks. The same JSON Schema rules: an integer is a number with
 * no fraction, the bounds are inclusive.
 */
function plainCheck(schema: TSchema, value: unknown): boolean | undefined {
  const s = schema as unknown as Record<string, unknown>;
  const type = s.type;
  // An array of plain items, counted (Ore Rush's `oreValues`): read by every load-test session's seat, where
  // loading TypeBox stalled each generator thread for 0.2 s in the middle of its ramp.
  if (type === 'array') {
    const items = s.items;
    if (typeof items !== 'object' || items === null) return undefined;
    for (const key in s) if (!PLAIN_ARRAY_KEYS.has(key)) return undefined;
    if (!Array.isArray(value)) return false;
    if (typeof s.minItems === 'number' && value.length < s.minItems) return false;
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) return false;
    let verdict = true;
    for (const item of value) {
      const one = plainCheck(items as TSchema, item);
      if (one === undefined) return undefined;
      verdict &&= one;
    }
    // An empty array says nothing of its items' schema: that it is plain is still asked.
    if (value.length === 0 && plainCheck(items as TSchema, 0) === undefined) return undefined;
    return verdict;
  }
  if (type !== 'number' && type !== 'integer' && type !== 'boolean') return undefined;
  for (const key in s) if (!PLAIN_KEYS.has(key)) return undefined;
  if (type === 'boolean') return typeof value === 'boolean';
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (type === 'integer' && !Number.isInteger(value)) return false;
  if (typeof s.minimum === 'number' && value < s.minimum) return false;
  if (typeof s.maximum === 'number' && value > s.maximum) return false;
  return true;
}

/** A settings schema: an object schema with no additional properties, one property per setting. */
export type SettingsSchema<P extends TProperties = TProperties> = TObject<P>;
export type SettingsOf<S extends TSchema> = Static<S>;

/** A value as it may arrive: text from a command line, or typed from a file or from code. */
export type SettingInput = unknown;

// ---- declaring settings ---------------------------------------------------------------------------------

interface Common<T> {
  /** One line of help for `--help`, `botswarm bots` and the docs tables. */
  readonly help: string;
  readonly default?: T;
}

const annotate = <T>(o: Common<T>) => ({
  description: o.help,
  ...(o.default !== undefined ? { default: o.default } : {}),
});

/**
 * A schema object exactly as TypeBox's `Type.*` builds it (its JSON Schema fields, and TypeBox's non-enumerable
 * `~kind` marker), built here because importing TypeBox's builders costs about a quarter of a second of every
 * command's start-up. TypeBox stays the library: its types give `Static<>`, and its validator checks the values.
 */
function made<T>(kind: string, fields: Record<string, unknown>, optional = false): T {
  const out = { ...fields };
  Object.defineProperty(out, '~kind', { value: kind, writable: true, enumerable: false, configurable: true });
  if (optional)
    Object.defineProperty(out, '~optional', { value: true, writable: true, enumerable: false, configurable: true });
  return out as T;
}

const kindOf = (s: TSchema): string => (s as unknown as { '~kind': string })['~kind'];
const isOptional = (s: TSchema): boolean => (s as unknown as { '~optional'?: boolean })['~optional'] === true;
const integer = (fields: Record<string, unknown>) => made<TInteger>('Integer', { type: 'integer', ...fields });
const text = (fields: Record<string, unknown>) => made<TString>('String', { type: 'string', ...fields });

/** Builders for the settings of a schema; each setting carries its help text, default and range. */
export const Setting = {
  integer: (o: Common<number> & { readonly min: number; readonly max: number }) =>
    integer({ minimum: o.min, maximum: o.max, ...annotate(o) }),
  number: (o: Common<number> & { readonly min: number; readonly max: number }) =>
    made<TNumber>('Number', { type: 'number', minimum: o.min, maximum: o.max, ...annotate(o) }),
  boolean: (o: Common<boolean>) => made<TBoolean>('Boolean', { type: 'boolean', ...annotate(o) }),
  oneOf: <const V extends readonly string[]>(values: V, o: Common<V[number]>) =>
    made<TEnum<V[number][]>>('Enum', { enum: [...values], ...annotate(o) }),
  text: (
    o: Common<string> & {
      readonly maxLength?: number;
      readonly minLength?: number;
      /** A pattern the whole value must match (JSON Schema `pattern`); `patternHint` says it in words. */
      readonly pattern?: string;
      readonly patternHint?: string;
    },
  ) =>
    text({
      minLength: o.minLength ?? 1,
      maxLength: o.maxLength ?? 1024,
      ...(o.pattern !== undefined ? { pattern: o.pattern } : {}),
      ...(o.patternHint !== undefined ? { patternHint: o.patternHint } : {}),
      ...annotate(o),
    }),
  /** A fixed number of integers; on a command line, separated by commas (`--set oreValues=1,2,4,6,9`). */
  integers: (o: Common<number[]> & { readonly count: number; readonly min: number; readonly max: number }) =>
    made<TArray<TInteger>>('Array', {
      type: 'array',
      items: integer({ minimum: o.min, maximum: o.max }),
      minItems: o.count,
      maxItems: o.count,
      ...annotate(o),
    }),
  /** A seed: a decimal integer becomes a number (as `--seed` takes it), any other text stays text. */
  seed: (o: Common<number | string>) =>
    made<TUnion<[TInteger, TString]>>('Union', {
      anyOf: [integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), text({ maxLength: 256 })],
      ...annotate(o),
    }),
  /** A value the owner checks itself (a map given as a file name or as JSON); text is passed on as it is. */
  custom: (o: Common<unknown>) => made<TUnknown>('Unknown', annotate(o)),
  optional: <T extends TSchema>(schema: T) =>
    made<TOptional<T>>(kindOf(schema), { ...(schema as unknown as Record<string, unknown>) }, true),
};

/** An object schema of settings; unknown keys are refused. */
export function settingsSchema<P extends TProperties>(properties: P, options: { title?: string } = {}): TObject<P> {
  const required = Object.keys(properties).filter((key) => !isOptional(properties[key] as TSchema));
  return made<TObject<P>>('Object', {
    type: 'object',
    required,
    properties,
    additionalProperties: false,
    ...options,
  });
}

// ---- reading settings -----------------------------------------------------------------------------------

type Json = Record<string, unknown>;
/** A schema's keywords as plain data (a TypeBox schema is a JSON Schema object). */
export const schemaOf = (s: TSchema): Json => s as unknown as Json;

const shown = (value: unknown) => JSON.stringify(value) ?? String(value);

const INTEGER_TEXT = /^-?[0-9]+$/;
const NUMBER_TEXT = /^-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)$/;

/** Text that is a decimal integer, as a number; undefined for anything else (`1e3`, ` 12`, `0x10`, `1.0`). */
export function parseStrictInt(text: string): number | undefined {
  if (!INTEGER_TEXT.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** What a setting accepts, in words: "an integer from 1 to 100000", "true or false", "one of full, fog". */
export function describeSetting(schema: TSchema): string {
  const s = schemaOf(schema);
  if (Array.isArray(s.enum)) return `one of ${(s.enum as unknown[]).join(', ')}`;
  if (Array.isArray(s.anyOf)) return (s.anyOf as TSchema[]).map(describeSetting).join(' or ');
  switch (s.type) {
    case 'integer':
      return `an integer from ${s.minimum} to ${s.maximum}`;
    case 'number':
      return `a number from ${s.minimum} to ${s.maximum}`;
    case 'boolean':
      return 'true or false';
    case 'string': {
      const hint = s.patternHint ?? (s.pattern !== undefined ? `text matching ${s.pattern}` : 'text');
      return `${hint} of ${s.minLength ?? 0} to ${s.maxLength ?? 'any number of'} characters`;
    }
    case 'array': {
      const items = schemaOf(s.items as TSchema);
      return `${s.minItems} integers from ${items.minimum} to ${items.maximum}, separated by commas`;
    }
    default:
      return 'a value';
  }
}

/** The [minimum, maximum] a number setting declares. */
export function numberBounds(schema: TSchema): readonly [number, number] {
  const s = schemaOf(schema);
  return [s.minimum as number, s.maximum as number];
}

/** The range column of the docs tables: `1 to 100000`, `true, false`, `full, fog`, `text`. */
export function rangeOf(schema: TSchema): string {
  const s = schemaOf(schema);
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).join(', ');
  if (s.type === 'integer' || s.type === 'number') return `${s.minimum} to ${s.maximum}`;
  if (s.type === 'boolean') return 'true, false';
  if (s.type === 'array') {
    const items = schemaOf(s.items as TSchema);
    return `${s.minItems} × ${items.minimum} to ${items.maximum}`;
  }
  return 'text';
}

/** Text from a command line as the type `schema` declares; a ConfigError when it is not one. */
function fromText(schema: TSchema, key: string, text: string): unknown {
  const s = schemaOf(schema);
  const refuse = (): never => {
    throw new ConfigError(key, `must be ${describeSetting(schema)}, got ${shown(text)}`);
  };
  if (Array.isArray(s.anyOf)) {
    for (const branch of s.anyOf as TSchema[]) {
      try {
        const value = fromText(branch, key, text);
        if (check(branch, value)) return value;
      } catch {
        // The next branch may take it.
      }
    }
    return refuse();
  }
  switch (s.type) {
    case 'integer':
      return parseStrictInt(text) ?? refuse();
    case 'number':
      return NUMBER_TEXT.test(text) ? Number(text) : refuse();
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : refuse();
    case 'array': {
      const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
      return inner.split(',').map((part) => parseStrictInt(part) ?? refuse());
    }
    default:
      return text;
  }
}

/** Text against its length limits and pattern, with a message for each (the usual mistakes, said plainly). */
function checkText(s: Json, key: string, text: string): void {
  const min = (s.minLength as number | undefined) ?? 0;
  const max = s.maxLength as number | undefined;
  if (text.length < min)
    throw new ConfigError(key, min === 1 ? 'must not be empty' : `must be at least ${min} characters long`);
  if (max !== undefined && text.length > max)
    throw new ConfigError(key, `must be at most ${max} characters, got ${text.length}`);
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new ConfigError(key, 'must not contain control characters');
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(text))
    throw new ConfigError(key, `must be ${s.patternHint ?? `text matching ${s.pattern}`}, got ${shown(text)}`);
}

/** One setting's value, converted from text where it is text, and checked against its schema. */
export function readSetting(schema: TSchema, key: string, input: SettingInput): unknown {
  const s = schemaOf(schema);
  const value = typeof input === 'string' && s.type !== 'string' ? fromText(schema, key, input) : input;
  if (typeof value === 'string' && s.type === 'string') checkText(s, key, value);
  // The value as the user wrote it: `got "0"` for text, `got 0` from a JSON file.
  if (!check(schema, value)) throw new ConfigError(key, `must be ${describeSetting(schema)}, got ${shown(input)}`);
  return value;
}

/** Refuses keys the schema does not declare, naming every unknown one and listing the known ones. */
export function checkKnownKeys(raw: Readonly<Record<string, unknown>>, known: readonly string[]): void {
  const unknown = Object.keys(raw).filter((key) => raw[key] !== undefined && !known.includes(key));
  if (unknown.length > 0)
    throw new ConfigError(
      unknown.join(', '),
      `unknown setting${unknown.length > 1 ? 's' : ''} (known: ${known.join(', ') || 'none'})`,
    );
}

/**
 * Settings over the schema's defaults: every key known, every value converted (from text) and checked. Absent
 * settings take their default; one with no default stays absent. Throws ConfigError naming the key.
 */
export function readSettings<S extends TObject>(schema: S, raw: SettingInput): Static<S> {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('config', 'must be an object');
  const input = raw as Record<string, unknown>;
  const properties = schema.properties as Record<string, TSchema>;
  checkKnownKeys(input, Object.keys(properties));
  const out: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(properties)) {
    const value = input[key];
    if (value !== undefined) out[key] = readSetting(property, key, value);
    else {
      const fallback = schemaOf(property).default;
      if (fallback !== undefined) out[key] = structuredClone(fallback);
    }
  }
  return out as Static<S>;
}

/** The defaults a schema declares. */
export function settingsDefaults<S extends TObject>(schema: S): Static<S> {
  return readSettings(schema, {});
}

/** The names of a schema's settings, in declaration order. */
export const settingNames = (schema: TObject): string[] => Object.keys(schema.properties);

/**
 * `key=value` pairs as text (`--set`, `--param`); `what` names the flag in errors. A pair without `=` or with
 * an empty key is refused; a key given twice keeps its last value, as flags usually do.
 */
export function parsePairs(pairs: readonly string[] | undefined, what = '--set'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(what, `expects key=value, got ${JSON.stringify(pair)}`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** The rows of a settings table (docs, `--help`): name, default, range, help. */
export function settingsTable(schema: TObject): { name: string; default: string; range: string; help: string }[] {
  return Object.entries(schema.properties as Record<string, TSchema>).map(([name, property]) => {
    const s = schemaOf(property);
    const fallback = s.default;
    return {
      name,
      default: fallback === undefined ? '' : Array.isArray(fallback) ? fallback.join(',') : String(fallback),
      range: rangeOf(property),
      help: String(s.description ?? ''),
    };
  });
}

/**
 * A schema for parameters declared only by their defaults (load scenarios, a user's bot module): the default's
 * type is the parameter's type, so text is converted as strictly as any setting. An integer default takes
 * integers, any other number takes decimals; neither may be negative.
 */
export function schemaFromDefaults(defaults: Readonly<Record<string, string | number | boolean>>): TObject {
  const properties: Record<string, TSchema> = {};
  for (const [key, value] of Object.entries(defaults)) {
    const help = `(default ${value})`;
    if (typeof value === 'boolean') properties[key] = Setting.boolean({ default: value, help });
    else if (typeof value === 'number')
      properties[key] = (Number.isInteger(value) ? Setting.integer : Setting.number)({
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        default: value,
        help,
      });
    else properties[key] = Setting.text({ minLength: 0, default: value, help });
  }
  return settingsSchema(properties);
}

// ---- documents (tournament and load files) ----------------------------------------------------------------

export interface SchemaError {
  /** `games`, `bots[1]`, `config`; empty for the document itself. */
  readonly path: string;
  readonly message: string;
}

const at = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * Checks `value` against an object, array or scalar schema, with messages in the words every setting uses
 * ("must be an integer from 1 to 10000000, got 0"). Returns every problem, in document order.
 */
export function validateDocument(schema: TSchema, value: unknown, path = ''): SchemaError[] {
  const s = schemaOf(schema);
  const errors: SchemaError[] = [];
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (s.type === 'object' && s.properties) {
    if (!isObject) return [{ path, message: 'must be an object' }];
    const properties = s.properties as Record<string, TSchema>;
    const object = value as Json;
    for (const name of (s.required as string[] | undefined) ?? []) {
      if (object[name] === undefined) errors.push({ path: at(path, name), message: 'is required' });
    }
    for (const [name, item] of Object.entries(object)) {
      const sub = properties[name];
      if (sub) errors.push(...validateDocument(sub, item, at(path, name)));
      else {
        const known = Object.keys(properties).filter((k) => !k.startsWith('$'));
        errors.push({ path: at(path, name), message: `unknown field (known: ${known.join(', ')})` });
      }
    }
    return errors;
  }
  if (s.type === 'object') {
    return isObject ? [] : [{ path, message: 'must be an object' }];
  }
  if (s.type === 'array') {
    if (!Array.isArray(value)) return [{ path, message: 'must be a list' }];
    const min = s.minItems as number | undefined;
    const max = s.maxItems as number | undefined;
    if (min !== undefined && value.length < min)
      errors.push({ path, message: `must have at least ${min} item${min === 1 ? '' : 's'}` });
    if (max !== undefined && value.length > max) errors.push({ path, message: `must have at most ${max} items` });
    value.forEach((item, i) => {
      errors.push(...validateDocument(s.items as TSchema, item, at(path, i)));
    });
    return errors;
  }
  if (!check(schema, value))
    errors.push({ path, message: `must be ${describeSetting(schema)}, got ${JSON.stringify(value)}` });
  return errors;
}
