import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshBuild } from '../../src/core/compiled-build.ts';

// The load generator's and the tournament's worker threads run the compiled build when it is fresh
// (src/load/threads.ts, src/tournament/worker-file.ts): the rule, against a scratch checkout.
describe('freshBuild', () => {
  let root: string;
  const saved = process.env.BOTSWARM_FROM_SOURCE;
  const write = (rel: string, secondsAgo: number) => {
    const file = join(root, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, '');
    const t = Date.now() / 1000 - secondsAgo;
    utimesSync(file, t, t);
  };
  const BUILT = ['dist/src/load/thread-worker.js', 'dist/src/load/thread-entry.js'];
  /** A finished build that started `secondsAgo` (scripts/build.js's stamp) and wrote the files in BUILT. */
  const built = (secondsAgo: number) => {
    for (const f of BUILT) write(f, secondsAgo - 5);
    writeFileSync(join(root, 'dist/build.json'), JSON.stringify({ startedAt: Date.now() - secondsAgo * 1000 }));
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'botswarm-build-'));
    delete process.env.BOTSWARM_FROM_SOURCE;
    write('src/load/thread-worker.ts', 100);
    write('bots/index.ts', 100);
    write('strategies/galax/random.ts', 100);
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    if (saved === undefined) delete process.env.BOTSWARM_FROM_SOURCE;
    else process.env.BOTSWARM_FROM_SOURCE = saved;
  });

  it('gives the built files when the build started after every source was saved', () => {
    built(20);
    expect(freshBuild(BUILT, root)).toEqual(BUILT.map((f) => join(root, f)));
  });

  it('refuses a build that did not finish (no stamp), even with every file newer than the sources', () => {
    for (const f of BUILT) write(f, 10);
    expect(freshBuild(BUILT, root)).toBeUndefined();
    writeFileSync(join(root, 'dist/build.json'), '{"startedAt":');
    expect(freshBuild(BUILT, root)).toBeUndefined();
  });

  it('refuses a build during which a source was saved (newer than its start, older than its output)', () => {
    built(20);
    write('src/load/scenarios/galax.ts', 17);
    expect(freshBuild(BUILT, root)).toBeUndefined();
  });

  it('refuses a build older than a source file (src, bots or strategies)', () => {
    built(20);
    write('strategies/galax/random.ts', 1);
    expect(freshBuild(BUILT, root)).toBeUndefined();
    write('strategies/galax/random.ts', 100);
    write('src/load/scenarios/galax.ts', 1);
    expect(freshBuild(BUILT, root)).toBeUndefined();
  });

  it('refuses a build with a file missing', () => {
    built(20);
    rmSync(join(root, BUILT[1]!));
    expect(freshBuild(BUILT, root)).toBeUndefined();
  });

  it('refuses every build with BOTSWARM_FROM_SOURCE=1', () => {
    built(20);
    process.env.BOTSWARM_FROM_SOURCE = '1';
    expect(freshBuild(BUILT, root)).toBeUndefined();
  });
});
