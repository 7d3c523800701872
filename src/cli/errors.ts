/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  /** The run itself failed (cannot connect, a server crashed, a file cannot be written). */
  failure: 1,
  /** Bad arguments or a bad input file. */
  usage: 2,
  /** A load-test threshold did not hold (k6 uses 99 too). */
  thresholds: 99,
} as const;

/** An error meant for the user: printed as one line, no stack, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function parseIntOption(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new CliError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

/** `30s`, `500ms`, `2m`, `1h` or a bare number of seconds, in milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new CliError(`not a duration: "${text}" (examples: 500ms, 30s, 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
}
