/**
 * Strict readers for server settings (`botswarm serve <protocol> --set key=value`), shared by every reference
 * server so that one spelling is accepted everywhere. Values arrive as text from the command line, or already
 * typed from code and tests; `Number()` is deliberately not used on text because it accepts `1e3`, ` 12`,
 * `0x10`, and the empty string as 0. A bad value throws `ConfigError` (`<key>: must be ...`) naming the setting and what it
 * accepts, so the CLI can print it as is.
 */
import { ConfigError } from '../core/engine.ts';

export type SettingValue = string | number | boolean | undefined;
export type RawSettings = Readonly<Record<string, SettingValue>>;

/** Optional sign, decimal digits, nothing else. Leading zeros are accepted (`007` is 7). */
const INTEGER_TEXT = /^-?[0-9]+$/;

const shown = (value: SettingValue) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** Text that is a decimal integer, as a number; undefined for anything else (`1e3`, ` 12`, `0x10`, `1.0`). */
export function parseStrictInt(text: string): number | undefined {
  if (!INTEGER_TEXT.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** An integer setting within [min, max]; `fallback` when the key is absent. */
export function intSetting(settings: RawSettings, key: string, fallback: number, min: number, max: number): number {
  const value = settings[key];
  if (value === undefined) return fallback;
  let n: number | undefined;
  if (typeof value === 'number') n = Number.isSafeInteger(value) ? value : undefined;
  else if (typeof value === 'string') n = parseStrictInt(value);
  if (n === undefined || n < min || n > max)
    throw new ConfigError(key, `must be an integer from ${min} to ${max}, got ${shown(value)}`);
  return n;
}

/** `true` or `false` (text or boolean); `fallback` when the key is absent. */
export function boolSetting(settings: RawSettings, key: string, fallback: boolean): boolean {
  const value = settings[key];
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ConfigError(key, `must be true or false, got ${shown(value)}`);
}

export interface StringSettingOptions {
  /** Length limit in characters (default 1024). */
  readonly maxLength?: number;
  /** Accept the empty string (default false: `--set db=` is more often a mistake than a wish). */
  readonly allowEmpty?: boolean;
  /** The only values accepted, e.g. `['fog', 'full']`. */
  readonly oneOf?: readonly string[];
  /** A pattern the whole value must match; `patternHint` says what it means in the error. */
  readonly pattern?: RegExp;
  readonly patternHint?: string;
}

/** A text setting (a number given from code is taken as its text); `fallback` when the key is absent. */
export function stringSetting(
  settings: RawSettings,
  key: string,
  fallback: string,
  options: StringSettingOptions = {},
): string {
  const value = settings[key];
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') throw new ConfigError(key, `must be text, got ${value}`);
  const text = String(value);
  const { maxLength = 1024, allowEmpty = false, oneOf, pattern } = options;
  if (oneOf) {
    if (!oneOf.includes(text)) throw new ConfigError(key, `must be one of ${oneOf.join(', ')}, got ${shown(text)}`);
    return text;
  }
  if (text.length === 0 && !allowEmpty) throw new ConfigError(key, 'must not be empty');
  if (text.length > maxLength)
    throw new ConfigError(key, `must be at most ${maxLength} characters, got ${text.length}`);
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new ConfigError(key, 'must not contain control characters');
  if (pattern && !pattern.test(text))
    throw new ConfigError(key, `must be ${options.patternHint ?? `text matching ${pattern}`}, got ${shown(text)}`);
  return text;
}

/**
 * Refuses keys outside `allowed`, naming every unknown one and listing the known ones, so that a typo
 * (`--set widht=40`) is an error instead of a silently ignored setting. Returns `settings` for chaining.
 */
export function knownSettings<T extends RawSettings>(settings: T, allowed: readonly string[]): T {
  const unknown = Object.keys(settings).filter((key) => settings[key] !== undefined && !allowed.includes(key));
  if (unknown.length > 0)
    throw new ConfigError(
      unknown.join(', '),
      `unknown setting${unknown.length > 1 ? 's' : ''} (known: ${allowed.join(', ')})`,
    );
  return settings;
}
