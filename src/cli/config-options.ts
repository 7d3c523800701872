import { CliError } from './errors.ts';

/** `--set key=value` pairs into a config object; values that parse as JSON (numbers, booleans) become them. */
export function parseSettings(pairs: readonly string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--set expects key=value, got "${pair}"`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: keep the text (e.g. --set visibility=fog).
    }
    out[pair.slice(0, eq)] = value;
  }
  return out;
}
