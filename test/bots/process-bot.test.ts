import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitCommandLine } from '../../src/bots/process-bot.ts';
import { BotSpecError, resolveBot } from '../../src/bots/resolve.ts';
import { runMatch } from '../../src/core/match.ts';
import { loadEngine } from '../../src/games/registry.ts';
import { loadTournament, runTournament } from '../../src/tournament/index.ts';
import { engine as nim } from '../tournament/fixtures/nim.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
const root = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'botswarm-process-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A spec running the Node fixture: `exec:<node> misbehaving-bot.mjs <mode> [log]`. */
const nodeBot = (mode: string, log?: string) =>
  `exec:${process.execPath} ${join(fixtures, 'misbehaving-bot.mjs')} ${mode}${log ? ` ${log}` : ''}`;

const nimConfig = nim.parseConfig({ minTarget: 40, maxTarget: 40 });
const playNim = async (spec: string, seed = 1, decisionLimitMs?: number) => {
  const bot = await resolveBot(spec, 'nim', fixtures);
  const opponent = { name: 'one', decide: () => 1 };
  return runMatch({
    engine: nim,
    config: nimConfig,
    players: [bot.create(), opponent],
    seed,
    ...(decisionLimitMs ? { decisionLimitMs } : {}),
  });
};

describe('process bots (exec:)', () => {
  it('splits a command line like a shell would, without running one', () => {
    expect(splitCommandLine(`python3 "my bot.py" --name 'a b' c\\ d`)).toEqual([
      'python3',
      'my bot.py',
      '--name',
      'a b',
      'c d',
    ]);
    expect(() => splitCommandLine('python3 "open')).toThrow(/unclosed/);
  });

  it('refuses an empty command as a bad bot spec', async () => {
    await expect(resolveBot('exec:  ', 'nim')).rejects.toThrow(BotSpecError);
  });

  it('plays whole games; one process serves game after game, with a hello for each', async () => {
    const log = join(scratch, 'hellos.log');
    const spec = nodeBot('play', log);
    const bot = await resolveBot(spec, 'nim', fixtures);
    for (const seed of [1, 2, 3]) {
      const out = await runMatch({
        engine: nim,
        config: nimConfig,
        players: [bot.create(), { name: 'one', decide: () => 1 }],
        seed,
      });
      expect(out.forfeits).toEqual([]);
      expect(out.invalid).toEqual([]);
    }
    const hellos = readFileSync(log, 'utf8').trim().split('\n');
    expect(hellos).toHaveLength(3);
    expect(new Set(hellos.map((h) => h.split(' ')[1])).size).toBe(1);
  });

  it('a crash, invalid JSON, a timeout or illegal actions forfeit the game with the reason', async () => {
    const crash = await playNim(nodeBot('crash'));
    expect(crash.forfeits).toEqual([
      { seat: 0, step: 0, kind: 'error', reason: 'error: process exited with code 3 (stderr: about to crash)' },
    ]);
    const garbage = await playNim(nodeBot('garbage'));
    expect(garbage.forfeits).toEqual([
      { seat: 0, step: 0, kind: 'error', reason: 'error: invalid JSON on stdout: this is not json' },
    ]);
    const hang = await playNim(nodeBot('hang'), 1, 1500);
    expect(hang.forfeits).toEqual([{ seat: 0, step: 0, kind: 'timeout', reason: 'timeout: no action within 1500 ms' }]);
    const illegal = await playNim(nodeBot('illegal'));
    expect(illegal.forfeits).toMatchObject([{ seat: 0, kind: 'illegal' }]);
    expect(illegal.forfeits[0]!.reason).toBe('illegal: more than 10 illegal actions (last: cannot add 99)');
    const missing = await playNim('exec:/nonexistent/botswarm-no-such-command');
    expect(missing.forfeits[0]!.reason).toMatch(/^error: cannot run \/nonexistent\/botswarm-no-such-command: .*ENOENT/);
    for (const out of [crash, garbage, hang, illegal, missing]) expect(out.result.ranks).toEqual([2, 1]);
  });

  it('the Python examples play Galax and Carcassonne within the rules', async () => {
    for (const game of ['galax', 'carcassonne']) {
      const engine = await loadEngine(game);
      const bot = await resolveBot(`exec:python3 strategies/examples/${game}_bot.py`, game, root);
      const opponent = await resolveBot('random', game);
      const out = await runMatch({
        engine,
        config: engine.parseConfig(game === 'galax' ? { maxYear: 30 } : {}),
        players: [bot.create(), opponent.create()],
        seed: 5,
      });
      expect(out.forfeits).toEqual([]);
      expect(out.invalid).toEqual([]);
    }
  });

  it('a tournament with 2 workers finishes around misbehaving process bots and counts their forfeits', async () => {
    const loaded = await loadTournament(
      {
        source: 'test',
        baseDir: root,
        raw: {
          game: 'carcassonne',
          bots: [
            'exec:python3 strategies/examples/carcassonne_bot.py',
            'random',
            'exec:python3 -c "import sys; sys.exit(2)"',
          ],
          games: 1,
          seed: 3,
        },
      },
      {},
    );
    const run = await runTournament(loaded, { outDir: join(scratch, 'tournament'), workers: 2 });
    expect(run.played).toBe(3);
    const row = (bot: string) => run.standings.bots.find((b) => b.bot === bot)!;
    expect(row('exec:python3 strategies/examples/carcassonne_bot.py').forfeits).toBe(0);
    expect(row('exec:python3 -c "import sys; sys.exit(2)"').forfeits).toBe(2);
    expect(run.standings.forfeits).toEqual([
      {
        kind: 'error',
        games: 2,
        reasons: [
          { bot: 'exec:python3 -c "import sys; sys.exit(2)"', reason: 'error: process exited with code 2', count: 2 },
        ],
      },
    ]);
  });
});
