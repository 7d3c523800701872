import { CliError } from './errors.ts';

/**
 * `--set key=value` pairs into a config object; values that parse as JSON (numbers, booleans) become them.
 * `flag` names the option in messages (`--sprt elo0=0,elo1=10` is split on commas and parsed here too).
 */
export function parseSettings(pairs: readonly string[] | undefined, flag = '--set'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`${flag} expects key=value, got "${pair}"`);
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
