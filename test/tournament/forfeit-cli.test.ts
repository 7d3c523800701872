import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { botswarm } from '../cli/helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'botswarm-forfeit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('botswarm tournament with a bot that throws', () => {
  it('finishes, exits 0, prints how many games were forfeited and why, and records the reason', {
    timeout: 150_000,
  }, async () => {
    // A TypeScript bot in a folder of its own, outside the checkout.
    writeFileSync(
      join(scratch, 'thrower.ts'),
      "const bot = () => ({ name: 'thrower', decide(): never { throw new Error('kaboom'); } });\nexport default bot;\n",
    );
    const out = join(scratch, 'out');
    const run = await botswarm(
      [
        'tournament',
        '--game',
        'galax',
        '--bots',
        'random,./thrower.ts',
        '--games',
        '2',
        '--workers',
        '1',
        '--set',
        'maxYear=10',
        '--out',
        out,
        '--no-progress',
      ],
      { cwd: scratch, timeoutMs: 120_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('2 of 2 games forfeited:');
    expect(run.stdout).toMatch(/error: 2 games\n\s+2× \.\/thrower\.ts: error: kaboom/);
    const records = readFileSync(join(out, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const record of records) {
      const seat = record.bots.indexOf('./thrower.ts');
      expect(record.forfeits).toEqual([{ seat, kind: 'error', reason: 'error: kaboom' }]);
      expect(record.winner).toBe(1 - seat);
    }
    const standings = JSON.parse(readFileSync(join(out, 'standings.json'), 'utf8'));
    expect(standings.bots.find((b: { bot: string }) => b.bot === './thrower.ts').forfeits).toBe(2);
  });
});
