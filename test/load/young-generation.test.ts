import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { YOUNG_CAP_SESSIONS } from '../../src/load/young-generation.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A fresh process (the cap is a process-wide V8 flag, not for the test runner's own process): allocates a few
 * hundred MiB of short-lived objects with some survivors, as a generator does, and prints its young generation's
 * size in MiB before and after, with the cap applied first or not. (Loading the test's TypeScript through tsx
 * has grown it somewhat already: what counts is that it grows no further.)
 */
function youngAfterWork(
  cap: boolean,
  env: NodeJS.ProcessEnv = {},
  sessions = 0,
): { before: number; after: number; applied: boolean; lifted: boolean[] } {
  const script = `
    import { capYoungGeneration, sessionsRunning, youngGenerationBytes } from './src/load/young-generation.ts';
    const applied = ${cap} ? capYoungGeneration() : false;
    // The session counts a thread reports, one at a time up to ${sessions}: whether each call lifted the cap.
    const lifted = [];
    for (let n = 1; n <= ${sessions}; n++) if (sessionsRunning(n)) lifted.push(n);
    const before = youngGenerationBytes() / 1048576;
    const keep = [];
    for (let r = 0; r < 6000; r++) {
      const a = [];
      for (let i = 0; i < 2000; i++) a.push({ i, s: 'x' + i });
      keep.push(a[r % 2000]);
      if (keep.length > 20000) keep.splice(0, 1000);
    }
    console.log(JSON.stringify({ before, after: youngGenerationBytes() / 1048576, applied, lifted }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('capYoungGeneration', () => {
  it('stops the young generation from growing, where it would otherwise grow', () => {
    const grown = youngAfterWork(false);
    const capped = youngAfterWork(true);
    expect(capped.applied).toBe(true);
    expect(capped.after).toBeLessThanOrEqual(capped.before);
    expect(grown.after).toBeGreaterThan(grown.before);
  }, 120_000);

  it('stays capped below YOUNG_CAP_SESSIONS sessions and lets V8 grow it again from there, once', () => {
    const below = youngAfterWork(true, {}, YOUNG_CAP_SESSIONS - 1);
    expect(below.lifted).toEqual([]);
    expect(below.after).toBeLessThanOrEqual(below.before);
    const at = youngAfterWork(true, {}, YOUNG_CAP_SESSIONS + 5);
    expect(at.lifted).toEqual([YOUNG_CAP_SESSIONS]);
    expect(at.after).toBeGreaterThan(at.before);
  }, 120_000);

  it('lifts nothing on a thread that set no cap', () => {
    expect(youngAfterWork(false, {}, YOUNG_CAP_SESSIONS + 5).lifted).toEqual([]);
  }, 120_000);

  it("leaves a young generation the user sized with node's own flags alone", () => {
    const theirs = youngAfterWork(true, { NODE_OPTIONS: '--max-semi-space-size=8' });
    expect(theirs.applied).toBe(false);
    expect(theirs.after).toBeGreaterThan(theirs.before);
  }, 120_000);
});
