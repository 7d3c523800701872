import { describe, expect, it } from 'vitest';
import { gameThreads, workerExecArgv } from '../../src/tournament/worker-file.ts';

describe('workerExecArgv (the flags a game worker thread starts with)', () => {
  it('drops the flags that load tsx, in every spelling, and keeps the others', () => {
    expect(workerExecArgv(['--import', 'tsx', '--cpu-prof'])).toEqual(['--cpu-prof']);
    expect(workerExecArgv(['--import=tsx', '--max-old-space-size=512'])).toEqual(['--max-old-space-size=512']);
    expect(workerExecArgv(['--require', '/p/node_modules/tsx/dist/cjs/index.cjs'])).toEqual([]);
    expect(workerExecArgv(['-r', 'tsx/cjs', '--loader', 'tsx/esm', '--experimental-loader=tsx'])).toEqual([]);
  });

  it('keeps a loader that is not tsx, and a flag whose value merely starts with tsx', () => {
    expect(workerExecArgv(['--import', './hooks.mjs', '--import', 'tsxish'])).toEqual([
      '--import',
      './hooks.mjs',
      '--import',
      'tsxish',
    ]);
    expect(workerExecArgv([])).toEqual([]);
  });
});

describe('gameThreads', () => {
  it('ignores a thread answering a task the ended pool dropped, and nothing else', async () => {
    const pool = gameThreads(1);
    try {
      // What piscina emits when a thread finishes a task dropped by destroy() or an abort (an SPRT that decided).
      expect(() => pool.emit('error', new Error('Unexpected message from Worker: { taskId: 50 }'))).not.toThrow();
      expect(() => pool.emit('error', new Error('a worker failed'))).toThrow('a worker failed');
    } finally {
      await pool.destroy();
    }
  });
});
