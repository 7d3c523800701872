import { describe, expect, it } from 'vitest';
import { type BatchOutcome, packLines, unpackLines } from '../../src/distributed/tournament-jobs.ts';

/** Result lines as a Galax batch has them: about 235 bytes a game, most of it the same keys. */
const lines = Array.from(
  { length: 500 },
  (_, i) =>
    `{"index":${i},"seed":${(i * 2654435761) % 4294967296},"round":0,"pairing":0,"seats":[${i % 2},${1 - (i % 2)}],` +
    `"bots":["random","heuristic"],"winner":${i % 3 === 0 ? 'null' : i % 2},"scores":[${i % 7},${(i * 37) % 1500}],` +
    `"ranks":[2,1],"steps":${40 + (i % 60)},"invalidActions":[0,0],"durationMs":${(0.3 + (i % 11) / 7).toFixed(3)},` +
    '"engine":"galax","engineVersion":"0.22.0"}\n',
).join('');

describe("a finished batch's return value", () => {
  it('carries the lines packed, a small part of their size as JSON, and gives them back unchanged', () => {
    const outcome: BatchOutcome = { packed: packLines(lines), replays: {}, worker: 'w' };
    // What the job hash and the event stream hold: BullMQ stores the return value as JSON.
    const stored = JSON.stringify(outcome);
    expect(stored.length).toBeLessThan(JSON.stringify({ lines, replays: {}, worker: 'w' }).length / 4);
    expect(unpackLines(JSON.parse(stored) as BatchOutcome)).toBe(lines);
  });

  it('reads the plain lines of a job finished by an earlier worker, and nothing from a job without lines', () => {
    expect(unpackLines({ lines, replays: {}, worker: 'old' })).toBe(lines);
    expect(unpackLines({ replays: {}, worker: 'w' })).toBeUndefined();
    expect(unpackLines(null)).toBeUndefined();
  });
});
