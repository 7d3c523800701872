import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { botswarm } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'botswarm-init-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The projects' own tests run against the packed package in test/package/tarball.test.ts.
describe('botswarm init', () => {
  it('writes a bot, its test, a tournament file and a README for each language', async () => {
    for (const [lang, game, bot, test] of [
      ['ts', 'galax', 'bot.ts', 'test/bot.test.ts'],
      ['js', 'orerush', 'bot.js', 'test/bot.test.js'],
      ['python', 'carcassonne', 'bot.py', 'test_bot.py'],
    ] as const) {
      const dir = join(scratch, lang);
      const run = await botswarm(['init', dir, '--game', game, '--lang', lang]);
      expect(run.code, run.stderr).toBe(0);
      for (const file of [bot, test, 'package.json', 'tournament.json', 'README.md']) {
        expect(existsSync(join(dir, file)), file).toBe(true);
      }
      const tournament = JSON.parse(readFileSync(join(dir, 'tournament.json'), 'utf8'));
      expect(tournament).toMatchObject({
        game,
        bots: [lang === 'python' ? 'exec:python3 bot.py' : `./${bot}`, 'random', expect.any(String)],
      });
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      expect(readme).toContain('--connect 127.0.0.1:');
      expect(readme).toContain('npx botswarm tournament tournament.json');
    }
  });

  it('refuses a non-empty folder, an unknown game or language, and a Python project without an example', async () => {
    const cases = [
      [['init', join(scratch, 'ts'), '--game', 'galax'], /exists and is not empty/],
      [['init', join(scratch, 'x'), '--game', 'chess'], /unknown game "chess"/],
      [['init', join(scratch, 'y'), '--game', 'galax', '--lang', 'rust'], /--lang must be one of ts, js, python/],
      [['init', join(scratch, 'z'), '--game', 'orerush', '--lang', 'python'], /no Python example for orerush/],
    ] as const;
    for (const [args, message] of cases) {
      const run = await botswarm(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
