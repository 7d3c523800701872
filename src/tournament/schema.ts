import { readFileSync } from 'node:fs';

/**
 * The subset of JSON Schema (2020-12) that `simulations/schema.json` uses, validated without a dependency:
 * type, enum, anyOf, minimum/maximum, minLength/maxLength, pattern, minItems/maxItems, items, properties,
 * required, additionalProperties. Annotations ($schema, $id, title, description, default) are ignored.
 * Every error names the field by its path (`bots[1]`, `config.maxYear`).
 */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
}

export interface SchemaError {
  /** `games`, `bots[1]`, `config`; empty for the document itself. */
  readonly path: string;
  readonly message: string;
}

const KNOWN_KEYWORDS = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'default',
  'examples',
  'type',
  'enum',
  'anyOf',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'items',
  'properties',
  'required',
  'additionalProperties',
]);

/** Refuses a schema using a keyword this validator would silently skip. */
export function checkSchemaSubset(schema: unknown, path = '#'): void {
  if (typeof schema !== 'object' || schema === null) throw new Error(`${path}: a schema must be an object`);
  for (const [key, value] of Object.entries(schema)) {
    if (!KNOWN_KEYWORDS.has(key)) throw new Error(`${path}: keyword "${key}" is not supported by the validator`);
    if (key === 'properties') {
      for (const [name, sub] of Object.entries(value as object)) checkSchemaSubset(sub, `${path}/properties/${name}`);
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      checkSchemaSubset(value, `${path}/${key}`);
    } else if (key === 'anyOf') {
      (value as unknown[]).forEach((sub, i) => {
        checkSchemaSubset(sub, `${path}/anyOf/${i}`);
      });
    }
  }
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/** "must be an integer >= 1", "must be a string", "must be one of ...". */
function describe(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(', ');
  if (schema.anyOf) return schema.anyOf.map(describe).join(' or ');
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  let text = types.length ? types.map(article).join(' or ') : 'a value';
  const bounds: string[] = [];
  if (schema.minimum !== undefined) bounds.push(`>= ${schema.minimum}`);
  if (schema.maximum !== undefined) bounds.push(`<= ${schema.maximum}`);
  if (bounds.length) text += ` ${bounds.join(' and ')}`;
  return text;
}

const at = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

export function validateSchema(schema: JsonSchema, value: unknown, path = ''): SchemaError[] {
  const errors: SchemaError[] = [];
  const fail = (message: string) => errors.push({ path, message });
  if (schema.anyOf) {
    if (!schema.anyOf.some((sub) => validateSchema(sub, value, path).length === 0)) {
      fail(`must be ${describe(schema)}, got ${JSON.stringify(value)}`);
    }
    return errors;
  }
  if (schema.enum && !schema.enum.some((v) => v === value)) {
    fail(`must be one of ${describe(schema)}, got ${JSON.stringify(value)}`);
    return errors;
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type as string];
    if (!types.some((t) => matchesType(value, t))) {
      fail(`must be ${describe(schema)}, got ${JSON.stringify(value)}`);
      return errors;
    }
  }
  if (typeof value === 'number') {
    // Name only the bound that failed: "games: must be an integer >= 1, got 0".
    const kind = describe({ ...(schema.type !== undefined ? { type: schema.type } : {}) });
    if (schema.minimum !== undefined && value < schema.minimum)
      fail(`must be ${kind} >= ${schema.minimum}, got ${value}`);
    else if (schema.maximum !== undefined && value > schema.maximum) {
      fail(`must be ${kind} <= ${schema.maximum}, got ${value}`);
    }
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      fail(schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters long`);
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      fail(`must be at most ${schema.maxLength} characters long`);
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      fail(`must match ${schema.pattern}, got ${JSON.stringify(value)}`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      fail(`must have at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      fail(`must have at most ${schema.maxItems} items`);
    }
    if (schema.items) {
      value.forEach((item, i) => {
        errors.push(...validateSchema(schema.items!, item, at(path, i)));
      });
    }
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (object[name] === undefined) errors.push({ path: at(path, name), message: 'is required' });
    }
    for (const [name, item] of Object.entries(object)) {
      const sub = schema.properties?.[name];
      if (sub) errors.push(...validateSchema(sub, item, at(path, name)));
      else if (schema.additionalProperties === false) {
        const known = Object.keys(schema.properties ?? {}).filter((k) => !k.startsWith('$'));
        errors.push({ path: at(path, name), message: `unknown field (known: ${known.join(', ')})` });
      } else if (typeof schema.additionalProperties === 'object') {
        errors.push(...validateSchema(schema.additionalProperties, item, at(path, name)));
      }
    }
  }
  return errors;
}

let cached: JsonSchema | undefined;

/** `simulations/schema.json`, the one definition of a tournament file's shape (editors use it too). */
export function tournamentSchema(): JsonSchema {
  if (!cached) {
    const raw: unknown = JSON.parse(readFileSync(new URL('../../simulations/schema.json', import.meta.url), 'utf8'));
    checkSchemaSubset(raw);
    cached = raw as JsonSchema;
  }
  return cached;
}
