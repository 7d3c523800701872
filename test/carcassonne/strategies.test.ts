import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveBots } from '../../src/bots/resolve.ts';
import { runMatch } from '../../src/core/match.ts';
import { carcassonneEngine } from '../../src/games/carcassonne/index.ts';

const root = join(import.meta.dirname, '../..');
const cli = join(root, 'bin/botswarm.js');
const scratch = mkdtempSync(join(tmpdir(), 'botswarm-carcassonne-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('carcassonne bots', () => {
  it('greedy beats random clearly, in both seats', async () => {
    const [greedy, random] = await resolveBots(['greedy', 'random'], 'carcassonne');
    const config = carcassonneEngine.defaultConfig();
    let wins = 0;
    let margin = 0;
    const games = 8;
    for (let g = 0; g < games; g++) {
      const greedySeat = g % 2;
      const players = greedySeat === 0 ? [greedy!.create(), random!.create()] : [random!.create(), greedy!.create()];
      const out = await runMatch({ engine: carcassonneEngine, config, players, seed: 100 + g });
      expect(out.invalid).toEqual([]);
      if (out.result.winner === greedySeat) wins++;
      margin += out.result.scores[greedySeat]! - out.result.scores[1 - greedySeat]!;
    }
    expect(wins).toBeGreaterThanOrEqual(7);
    expect(margin / games).toBeGreaterThan(20);
  }, 60_000);

  it('plays through `botswarm play` and a tiny `botswarm tournament`', () => {
    const play = spawnSync(
      process.execPath,
      [cli, 'play', 'carcassonne', '--bots', 'greedy,random', '--seed', '3', '--json'],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(play.status, play.stderr).toBe(0);
    const summary = JSON.parse(play.stdout);
    expect(summary.game).toBe('carcassonne');
    expect(summary.invalidActions).toBe(0);
    expect(summary.result.scores).toHaveLength(2);

    const out = join(scratch, 'tour');
    const tour = spawnSync(
      process.execPath,
      [
        cli,
        'tournament',
        '--game',
        'carcassonne',
        '--bots',
        'random,greedy',
        '--games',
        '2',
        '--workers',
        '0',
        '--out',
        out,
        '--no-progress',
        '--json',
      ],
      { cwd: root, encoding: 'utf8', timeout: 90_000 },
    );
    expect(tour.status, tour.stderr).toBe(0);
    const standings = JSON.parse(tour.stdout);
    expect(JSON.stringify(standings)).toContain('greedy');
  }, 120_000);
});
