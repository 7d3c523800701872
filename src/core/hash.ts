import { createHash } from 'node:crypto';

/** A short, stable digest of a JSON-serialisable value (state hashes in replays). */
export function hashState(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
