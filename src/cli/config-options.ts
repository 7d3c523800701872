import { ConfigError, parsePairs } from '../game/settings.ts';
import { CliError } from './errors.ts';

/**
 * `--set key=value` pairs as text, for the one settings reader (src/game/settings.ts) to convert by the
 * schema's declared types; a malformed pair is a usage error.
 */
export function parseSettings(pairs: readonly string[] | undefined, flag = '--set'): Record<string, string> {
  try {
    return parsePairs(pairs, flag);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

/** Runs `read`, turning a settings error (unknown key, bad value) into a usage error naming the key. */
export function usageOnConfigError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}
