import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs `body` in a fresh Node (with tsx) with `log` = createLogger(options); answers its stderr lines and stdout. */
function inChild(options: string, body: string) {
  const script = `
    import { createRequire } from 'node:module';
    import { createLogger } from './src/core/log.ts';
    const pinoLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => /node_modules[\\\\/]pino[\\\\/]/.test(k));
    const log = createLogger(${options});
    ${body}
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, BOTSWARM_LOG: '' },
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const lines = run.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, stdout: run.stdout.trim() };
}

describe('createLogger (pino created on the first line written)', () => {
  it('loads no pino while every call is below the level, and writes pino JSON lines from the first one above', () => {
    const { lines, stdout } = inChild(
      `{ level: 'warn', name: 'probe', pretty: false }`,
      `
      log.info('dropped');
      log.debug({ a: 1 }, 'dropped');
      const child = log.child({ thread: 3 });
      child.info('dropped');
      const before = pinoLoaded();
      const enabled = [log.isLevelEnabled('info'), log.isLevelEnabled('warn'), log.isLevelEnabled('error')];
      log.warn({ k: 'v' }, 'first');
      child.error('second');
      console.log(JSON.stringify({ before, after: pinoLoaded(), enabled, level: log.level }));
      log.flush();
    `,
    );
    expect(JSON.parse(stdout)).toEqual({ before: false, after: true, enabled: [false, true, true], level: 'warn' });
    expect(lines.map((l) => [l.level, l.msg, l.name, l.k, l.thread])).toEqual([
      [40, 'first', 'probe', 'v', undefined],
      [50, 'second', 'probe', undefined, 3],
    ]);
  });

  it('an unknown level is refused at once, by pino as before', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { createLogger } from './src/core/log.ts'; createLogger({ level: 'loud', pretty: false });`,
      ],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/level:loud/);
  });
});
