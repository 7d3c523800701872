import { describe, expect, it } from 'vitest';
import { createProgressReporter, describeProgress } from '../../src/tournament/index.ts';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return {
    chunks,
    stream: Object.assign(
      {
        write: (chunk: string) => {
          chunks.push(chunk);
          return true;
        },
      } as unknown as NodeJS.WritableStream,
      { isTTY, columns: 100 },
    ),
  };
}

describe('progress', () => {
  it('describes done/total, rate and ETA', () => {
    expect(describeProgress({ done: 30, total: 100, playedNow: 20, elapsedMs: 2000 })).toBe(
      '30/100 games  10.0 games/s  ETA 7s',
    );
    expect(describeProgress({ done: 100, total: 100, playedNow: 100, elapsedMs: 1000 })).toMatch(/ETA 0s$/);
    expect(describeProgress({ done: 0, total: 10, playedNow: 0, elapsedMs: 0 })).toMatch(/ETA \?$/);
  });

  it('redraws one line on a terminal and ends it', () => {
    const { chunks, stream } = sink(true);
    const bar = createProgressReporter(stream, { intervalMs: 0 });
    bar.update({ done: 5, total: 10, playedNow: 5, elapsedMs: 1000 });
    bar.update({ done: 10, total: 10, playedNow: 10, elapsedMs: 2000 });
    bar.finish();
    expect(chunks[0]).toMatch(/^\r\[#+\.+\] 5\/10 games/);
    expect(chunks.at(-2)).toMatch(/^\r\[#+\] 10\/10 games/);
    expect(chunks.at(-1)).toBe('\n');
  });

  it('prints plain lines, at most one per interval, and the final count', () => {
    const { chunks, stream } = sink(false);
    const log = createProgressReporter(stream, { intervalMs: 60_000 });
    for (let done = 1; done <= 50; done++) log.update({ done, total: 50, playedNow: done, elapsedMs: done * 10 });
    log.finish();
    expect(chunks).toEqual([expect.stringMatching(/^tournament: 50\/50 games .*\n$/)]);
  });
});
