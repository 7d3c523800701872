import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { loadProtocol, type RunningServer } from '../../src/protocols/registry.ts';
import { botswarm } from './helpers.ts';

const strategyModule = fileURLToPath(new URL('../../src/core/strategy.ts', import.meta.url));

describe('botswarm CLI', () => {
  it('lists the built-in bots, as a table and as JSON', async () => {
    const table = await botswarm(['bots', '--game', 'galax']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/galax-random/);
    expect(table.stdout).toMatch(/galax-heuristic/);
    const json = await botswarm(['bots', '--json']);
    const names = (JSON.parse(json.stdout) as { name: string }[]).map((b) => b.name);
    expect(names).toEqual(expect.arrayContaining(['galax-random', 'galax-heuristic']));
  });

  it('plays an offline game reproducibly from a seed', async () => {
    const args = ['play', 'galax', '--bots', 'heuristic,random', '--seed', '5', '--set', 'maxYear=40', '--json'];
    const [a, b] = [await botswarm(args), await botswarm(args)];
    expect(a.code).toBe(0);
    const [ra, rb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    expect(ra.result).toEqual(rb.result);
    expect(ra.steps).toBe(rb.steps);
    expect(ra.engineVersion).toBe('0.22.0');
  });

  it("runs a bot writer's own TypeScript module wherever a bot name goes", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'botswarm-userbot-'));
    const file = join(dir, 'lazy-bot.ts');
    writeFileSync(
      file,
      [
        `import type { StrategyFactory } from ${JSON.stringify(strategyModule)};`,
        '// Never moves: the heuristic should beat it.',
        "const lazy: StrategyFactory = () => ({ name: 'lazy', decide: () => [] });",
        'export default lazy;',
      ].join('\n'),
    );
    const run = await botswarm(['play', 'galax', '--bots', `${file},heuristic`, '--seed', '2', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).result.winner).toBe(1);
  });

  it("runs the README's example bot, which beats the random bot", async () => {
    const run = await botswarm([
      'play',
      'galax',
      '--bots',
      'strategies/examples/first-galax-bot.ts,random',
      '--seed',
      '1',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const { result, invalidActions } = JSON.parse(run.stdout);
    expect(invalidActions).toBe(0);
    expect(result.winner).toBe(0);
  });

  it('fails with a clear message and exit code 2 on bad arguments', async () => {
    const unknownBot = await botswarm(['play', 'galax', '--bots', 'nosuchbot,random']);
    expect(unknownBot.code).toBe(2);
    expect(unknownBot.stderr).toMatch(/unknown galax bot "nosuchbot" \(built-in: random, heuristic/);
    const badSetting = await botswarm(['play', 'galax', '--bots', 'random,random', '--set', 'maxYear=-3']);
    expect(badSetting.code).toBe(2);
    expect(badSetting.stderr).toMatch(/maxYear: must be an integer/);
    const unknownGame = await botswarm(['play', 'chess', '--bots', 'random,random']);
    expect(unknownGame.code).toBe(2);
    const badParam = await botswarm(['play', 'galax', '--bots', 'heuristic:nosuch=1,random']);
    expect(badParam.code).toBe(2);
    expect(badParam.stderr).toMatch(/bot galax-heuristic: nosuch: unknown setting \(known: margin, reserve/);
    const missingModule = await botswarm(['play', 'galax', '--bots', './missing.ts,random']);
    expect(missingModule.stderr).toMatch(/bot module not found/);
    const unknownCommand = await botswarm(['frobnicate']);
    expect(unknownCommand.code).toBe(2);
    const unknownProtocol = await botswarm(['serve', 'gopher']);
    expect(unknownProtocol.code).toBe(2);
    expect(unknownProtocol.stderr).toMatch(/unknown game or service "gopher" \(known: galax, /);
    // Eight runs of the CLI one after the other: generous on a loaded machine.
  }, 180_000);
});

describe('botswarm play --connect', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const galax = await loadProtocol('galax');
    server = await galax.start({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger,
      settings: { gameSeed: '9', maxYear: '30' },
    });
  });
  afterAll(() => server.close());

  it('plays the same game over TCP as offline with the same seed and settings', async () => {
    const common = ['--bots', 'heuristic,random,heuristic', '--seed', '9', '--set', 'maxYear=30', '--json'];
    const online = await botswarm(['play', 'galax', ...common, '--connect', `127.0.0.1:${server.port}`]);
    expect(online.stderr).toBe('');
    expect(online.code).toBe(0);
    const offline = await botswarm(['play', 'galax', ...common]);
    expect(JSON.parse(online.stdout).result).toEqual(JSON.parse(offline.stdout).result);
  });

  it('fails with exit 1 and a clear message when nothing listens', async () => {
    const run = await botswarm(['play', 'galax', '--bots', 'random,random', '--connect', '127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/online game failed: .*127\.0\.0\.1:1/);
  });
});

describe('botswarm output to a closed pipe', () => {
  it('stops quietly with exit 0 when the reader goes away (botswarm ... | head -1)', async () => {
    const { spawnSync } = await import('node:child_process');
    const { BIN } = await import('./helpers.ts');
    // `head -1` exits after the first line; the rest of the help text then meets a closed pipe.
    const run = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${BIN}" loadtest --help | head -1 >/dev/null`], {
      encoding: 'utf8',
    });
    expect(run.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(run.stderr).toBe('');
  });
});
