import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The package as a user gets it: `npm pack`, then `npm install <tarball>` into an empty project in a temporary
 * folder outside the checkout (dependencies from the npm cache where it has them), and every command run
 * there with bots written in that folder. One pack and one install serve every test of the file.
 */
const checkout = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'botswarm-package-'));
const project = join(scratch, 'project');
const bin = join(project, 'node_modules', 'botswarm', 'bin', 'botswarm.js');
let tarball = '';
const servers: ChildProcess[] = [];

afterAll(() => {
  for (const server of servers) server.kill();
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the installed CLI in `cwd` (the project by default), as a user would, bounded in time. */
function botswarm(args: readonly string[], cwd = project, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`botswarm ${args.join(' ')} did not finish; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const ok = async (args: readonly string[], cwd?: string): Promise<Run> => {
  const run = await botswarm(args, cwd);
  expect(run.code, `botswarm ${args.join(' ')}\n${run.stderr}`).toBe(0);
  return run;
};

/** `botswarm serve <protocol> --port 0` in the project; resolves with its port once it listens. */
function serve(args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [bin, 'serve', ...args, '--port', '0', '--json', '--log-level', 'warn'], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  servers.push(child);
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) =>
      resolve((JSON.parse(line) as { port: number }).port),
    );
    child.once('exit', (code) => reject(new Error(`serve ${args.join(' ')} exited with ${code}`)));
  });
}

const TS_BOT = `import type { StrategyFactory } from 'botswarm';
import { shipsToConquer } from 'botswarm/galax';
import type { GalaxAction, GalaxObservation, Move } from 'botswarm/galax';

/** Sends half of every planet's ships to the first planet it can take. */
const bot: StrategyFactory<GalaxObservation, GalaxAction> = () => ({
  name: 'outside-bot',
  decide(observation) {
    const moves: Move[] = [];
    for (const home of observation.planets.filter((p) => p.owner === observation.player)) {
      const target = observation.planets.find(
        (p) => p.owner !== observation.player && p.ships >= 0 && shipsToConquer(p.ships, false) < home.ships / 2,
      );
      if (target) moves.push({ from: home.id, to: target.id, ships: Math.floor(home.ships / 2) });
    }
    return moves;
  },
});
export default bot;
`;

beforeAll(() => {
  // The tarball of the current sources: build, then pack without running `prepare` a second time.
  execFileSync('npm', ['run', 'build'], { cwd: checkout, stdio: 'ignore' });
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], {
    cwd: checkout,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  tarball = join(scratch, packed.trim().split('\n').pop()!);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "outside", "private": true, "type": "module" }\n');
  // No install scripts: better-sqlite3 (chat only) would try to download or compile a binary.
  execFileSync(
    'npm',
    // @types/node: for the project `botswarm init --lang ts` writes (its test imports node:test).
    [
      'install',
      '--prefer-offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel',
      'error',
      tarball,
      '@types/node@^20.19.0',
    ],
    { cwd: project, stdio: 'ignore', timeout: 300_000 },
  );
  writeFileSync(join(project, 'my-bot.ts'), TS_BOT);
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        types: [],
        skipLibCheck: true,
      },
      files: ['my-bot.ts'],
    }),
  );
  for (const game of ['galax', 'carcassonne']) {
    cpSync(join(checkout, 'strategies', 'examples', `${game}_bot.py`), join(project, `${game}_bot.py`));
  }
}, 400_000);

// Every test spawns the CLI a few times on a machine that may be busy: generous bounds, each still finite.
describe('the packed package in an empty project outside the checkout', { timeout: 240_000 }, () => {
  it('ships dist with declarations and no sources; --version starts without compiling', async () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(files).toContain('package/dist/src/index.d.ts');
    expect(files).toContain('package/dist/src/games/galax/index.d.ts');
    expect(files).toContain('package/docs/process-bots.md');
    expect(files.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toBe(false);
    const version = JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')).version;
    expect((await ok(['--version'])).stdout.trim()).toBe(version);
  });

  it('a TypeScript bot importing from botswarm typechecks with tsc --noEmit', () => {
    const tsc = join(checkout, 'node_modules', 'typescript', 'bin', 'tsc');
    const out = execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
    expect(out.trim()).toBe('');
  });

  it('the bot file plays offline, in tournaments with 2 and 1 workers, and --resume finds its games', async () => {
    const play = await ok(['play', 'galax', '--bots', './my-bot.ts,random', '--json']);
    expect(JSON.parse(play.stdout)).toMatchObject({ bots: ['./my-bot.ts', 'random'], invalidActions: 0 });
    const two = await ok([
      'tournament',
      '--game',
      'galax',
      '--bots',
      './my-bot.ts,random',
      '--games',
      '3',
      '--workers',
      '2',
      '--out',
      'out/two',
      '--no-progress',
    ]);
    expect(two.stdout).toContain('3 games played');
    const one = await ok([
      'tournament',
      '--game',
      'galax',
      '--bots',
      './my-bot.ts,random',
      '--games',
      '3',
      '--workers',
      '1',
      '--out',
      'out/one',
      '--no-progress',
    ]);
    expect(one.stdout).toContain('3 games played');
    const resumed = await ok(['tournament', '--resume', '--out', 'out/two', '--workers', '2', '--no-progress']);
    expect(resumed.stdout).toContain('0 games played');
    expect(resumed.stdout).toContain('3 found by --resume');
  });

  it('the bot file and a Python process bot play against a server with play --connect', async () => {
    const port = await serve(['galax', '--set', 'maxYear=20']);
    for (const bots of ['./my-bot.ts,random', 'exec:python3 galax_bot.py,random']) {
      const run = await ok([
        'play',
        'galax',
        '--bots',
        bots,
        '--connect',
        `127.0.0.1:${port}`,
        '--set',
        'maxYear=20',
        '--json',
      ]);
      expect(JSON.parse(run.stdout)).toMatchObject({ mode: 'online', bots: bots.split(',') });
    }
  });

  it('Python process bots play Galax and Carcassonne offline and in a tournament with 2 workers', async () => {
    for (const game of ['galax', 'carcassonne']) {
      const run = await ok(['play', game, '--bots', `exec:python3 ${game}_bot.py,random`, '--json']);
      expect(JSON.parse(run.stdout)).toMatchObject({ invalidActions: 0 });
      expect(run.stderr).not.toContain('forfeits');
    }
    const run = await ok([
      'tournament',
      '--game',
      'carcassonne',
      '--bots',
      'exec:python3 carcassonne_bot.py,random',
      '--games',
      '2',
      '--workers',
      '2',
      '--out',
      'out/python',
      '--json',
      '--no-progress',
    ]);
    const standings = JSON.parse(run.stdout);
    expect(standings.gamesPlayed).toBe(2);
    expect(standings.forfeitedGames).toBe(0);
  });

  it('loadtest --param bot= takes the bot file and a process bot', async () => {
    for (const bot of ['./my-bot.ts', 'exec:python3 galax_bot.py']) {
      const run = await ok([
        'loadtest',
        '--protocol',
        'galax',
        '--embedded',
        '--bots',
        '2',
        '--duration',
        '12s',
        '--param',
        `bot=${bot}`,
        '--param',
        'players=2',
        '--json',
      ]);
      const summary = JSON.parse(run.stdout);
      // Decisions taken and answered over the wire (a bot may pass in the first years: no MOVE yet).
      expect(summary.counters.decisions, bot).toBeGreaterThan(0);
    }
  });

  it('botswarm init writes projects whose own tests pass (TypeScript and Python)', async () => {
    for (const lang of ['ts', 'python']) {
      const dir = join(scratch, `init-${lang}`);
      await ok([
        'init',
        dir,
        '--game',
        lang === 'ts' ? 'galax' : 'carcassonne',
        '--lang',
        lang,
        '--botswarm',
        `file:${tarball}`,
      ]);
      expect(readdirSync(dir)).toEqual(expect.arrayContaining(['README.md', 'package.json', 'tournament.json']));
      // The installed package, as `npm install` would lay it out from the same tarball (shared, not copied).
      symlinkSync(join(project, 'node_modules'), join(dir, 'node_modules'), 'dir');
      execFileSync('npm', ['test', '--silent'], { cwd: dir, stdio: 'pipe', timeout: 180_000 });
      const tournament = await ok(
        ['tournament', 'tournament.json', '--games', '1', '--workers', '2', '--no-progress'],
        dir,
      );
      expect(tournament.stdout).toMatch(/games played/);
      if (lang === 'ts') {
        const tsc = join(checkout, 'node_modules', 'typescript', 'bin', 'tsc');
        execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
      }
    }
  });
});
