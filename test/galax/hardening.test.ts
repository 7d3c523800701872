import { afterEach, describe, expect, it } from 'vitest';
import { resolveBots } from '../../src/bots/resolve.ts';
import { silentLogger } from '../../src/core/log.ts';
import { galaxEngine } from '../../src/games/galax/index.ts';
import {
  GALAX_VERSION,
  GalaxServer,
  type GalaxServerOptions,
  parseServerSettings,
  playGalaxOnline,
  startGalaxServer,
} from '../../src/protocols/galax/index.ts';
import { botswarm } from '../cli/helpers.ts';
import { Raw } from './raw.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(options: Omit<GalaxServerOptions, 'port'>): Promise<GalaxServer> {
  const s = await startGalaxServer({ port: 0, ...options });
  cleanups.push(() => s.close());
  return s;
}

async function greeted(port: number, name: string): Promise<Raw> {
  const r = await Raw.open(port);
  cleanups.push(() => r.close());
  await r.next('GSRV');
  r.send(`GCLT ${GALAX_VERSION} ${name}`);
  await r.until((l) => l === 'SLCT');
  return r;
}

/** `n` raw players in a new game, player 1 first (it created the game). */
async function table(port: number, n: number): Promise<Raw[]> {
  const first = await greeted(port, 'p1');
  first.send('JOIN 0');
  const id = (await first.next('JNOK')).split(' ')[1];
  const players = [first];
  for (let i = 1; i < n; i++) {
    const r = await greeted(port, `p${i + 1}`);
    r.send(`JOIN ${id}`);
    await r.next(`GPLR ${i + 1}`);
    players.push(r);
  }
  await first.next(`GPLR ${n}`);
  return players;
}

/**
 * The real rules, except that a 3-player game breaks where `failAt` says: a stand-in for an engine bug that only
 * some games hit. Games of other sizes are untouched, so they show the server goes on.
 */
function brokenEngine(failAt: 'setup' | 'apply' | 'final'): typeof galaxEngine {
  return {
    ...galaxEngine,
    setup: (config, players, rng) => {
      if (failAt === 'setup' && players === 3) throw new Error('injected setup failure');
      return galaxEngine.setup(config, players, rng);
    },
    apply: (state, step, events) => {
      if (failAt === 'apply' && state.players === 3) throw new Error('injected apply failure');
      return galaxEngine.apply(state, step, events);
    },
    observe: (state, seat) => {
      if (failAt === 'final' && state.players === 3 && state.winner !== null)
        throw new Error('injected observe failure');
      return galaxEngine.observe(state, seat);
    },
  };
}

/** Plays one 2-bot game over TCP to its end on `port`. */
async function botGame(port: number, maxYear: number) {
  const bots = await resolveBots(['heuristic', 'random'], 'galax');
  return playGalaxOnline({
    host: '127.0.0.1',
    port,
    bots,
    seed: 7,
    budget: { iterations: 20 },
    log: silentLogger,
    timeoutMs: 60_000,
    config: { maxYear },
  });
}

describe('Galax server: a failing game step ends that game only', () => {
  it('a throw at a phase end (from DONE and from the move timer) aborts the game; a concurrent game finishes', async () => {
    // Long enough that a bot on a loaded machine answers every year in time, short enough for the silent game.
    const config = galaxEngine.parseConfig({ maxYear: 8, moveTimeoutMs: 1500 });
    const s = await server({ config, engine: brokenEngine('apply') });

    // Game 1: every player sends DONE, so the phase ends inside the last DONE (a request).
    const quick = await table(s.port, 3);
    quick[0]!.send('PLAY');
    for (const r of quick) await r.next('YEAR 0.0');
    for (const r of quick) r.send('DONE');
    for (const r of quick) {
      expect(await r.next('ERRJ')).toBe('ERRJ game 1 aborted: internal server error in year 0.0');
      expect((await r.until((l) => l === 'SLCT')).every((l) => l === 'SLCT' || l.startsWith('GAME '))).toBe(true);
    }

    // Game 2: nobody sends DONE, so the move-phase timer ends the phase; a bot game runs next to it.
    const silent = await table(s.port, 3);
    silent[0]!.send('PLAY');
    const bots = botGame(s.port, 8);
    for (const r of silent) {
      await r.next('YEAR 0.0');
      expect(await r.next('ERRJ', 15_000)).toMatch(/^ERRJ game 2 aborted: internal server error in year 0\.0$/);
      await r.until((l) => l === 'SLCT');
    }
    const outcome = await bots;
    expect(outcome.result.scores).toHaveLength(2);

    // The aborted players are in the lobby: they can start over; a command of the old game is refused.
    quick[1]!.send('DONE');
    expect(await quick[1]!.next('ERRC')).toMatch(/only valid in a running game \(state: in the lobby/);
    quick[1]!.send('JOIN 0');
    expect(await quick[1]!.next('JNOK')).toMatch(/^JNOK \d+$/);
    expect(s.stats()).toMatchObject({ gamesAborted: 2, gamesFinished: 1, gamesRunning: 0, errorsERRJ: 6 });
  });

  it('playGalaxOnline fails at once when the server aborts its game (it does not wait for its timeout)', async () => {
    const s = await server({ config: galaxEngine.parseConfig({ maxYear: 8 }), engine: brokenEngine('apply') });
    const started = performance.now();
    const game = playGalaxOnline({
      host: '127.0.0.1',
      port: s.port,
      bots: await resolveBots(['random', 'random', 'random'], 'galax'),
      seed: 7,
      budget: { iterations: 20 },
      log: silentLogger,
      timeoutMs: 60_000,
    });
    await expect(game).rejects.toThrow(/the server aborted the game \(game 1 aborted: internal server error/);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('a throw while starting a game answers PLAY with ERRJ and the lobby, for every player of it', async () => {
    const s = await server({ config: galaxEngine.parseConfig({ maxYear: 5 }), engine: brokenEngine('setup') });
    const players = await table(s.port, 3);
    players[0]!.send('PLAY');
    for (const r of players) {
      expect(await r.next('ERRJ')).toBe('ERRJ game 1 aborted: internal server error at its start');
      await r.until((l) => l === 'SLCT');
    }
    // Not listed as joinable any more, and the server still hosts games of other sizes.
    const outcome = await botGame(s.port, 5);
    expect(outcome.gameId).toBe(2);
    expect(s.stats()).toMatchObject({ gamesAborted: 1, gamesFinished: 1, gamesStarted: 1 });
  });
  it('a throw while building the final lines still aborts the game, leaving no player stranded in it', async () => {
    const s = await server({ config: galaxEngine.parseConfig({ maxYear: 2 }), engine: brokenEngine('final') });
    const players = await table(s.port, 3);
    players[0]!.send('PLAY');
    for (const year of ['0.0', '1.0']) {
      for (const r of players) await r.next(`YEAR ${year}`);
      for (const r of players) r.send('DONE');
    }
    for (const r of players) {
      const lines = await r.until((l) => l.startsWith('ERRJ'));
      expect(lines.some((l) => l.startsWith('WINN'))).toBe(false);
      expect(lines.at(-1)).toBe('ERRJ game 1 aborted: internal server error in year 2.0');
      await r.until((l) => l === 'SLCT');
    }
    players[2]!.send('JOIN 0');
    expect(await players[2]!.next('JNOK')).toBe('JNOK 2');
    expect(s.stats()).toMatchObject({ gamesAborted: 1, gamesFinished: 0, gamesRunning: 0 });
  });
});

describe('Galax server settings: strict values with ranges', () => {
  it('refuses integer text that Number() would take, naming the setting and its range', () => {
    for (const bad of ['1e3', ' 12', '0x10', '', '1.0', '12abc']) {
      expect(() => parseServerSettings({ maxGames: bad })).toThrow(
        `maxGames: must be an integer from 1 to 1000000, got ${JSON.stringify(bad)}`,
      );
      // Engine settings too: the engine names the field and its range.
      expect(() => parseServerSettings({ moveTimeoutMs: bad })).toThrow(
        /^moveTimeoutMs: must be an integer from 1 to 86400000/,
      );
    }
    expect(parseServerSettings({ maxGames: '007', moveTimeoutMs: '250' })).toMatchObject({
      maxGames: 7,
      config: { moveTimeoutMs: 250 },
    });
  });

  it('bounds every millisecond setting below the 2^31 ms that Node turns into 1 ms', () => {
    expect(() => parseServerSettings({ idleTimeoutMs: String(2 ** 31) })).toThrow(
      'idleTimeoutMs: must be an integer from 0 to 86400000, got "2147483648"',
    );
    expect(() => parseServerSettings({ moveTimeoutMs: '86400001' })).toThrow(/moveTimeoutMs/);
    expect(() => new GalaxServer({ port: 0, idleTimeoutMs: 2 ** 31 })).toThrow(/idleTimeoutMs: must be an integer/);
    expect(() => new GalaxServer({ port: 0, maxGames: 0 })).toThrow(/maxGames: must be an integer from 1/);
    expect(parseServerSettings({ idleTimeoutMs: '86400000' }).idleTimeoutMs).toBe(86_400_000);
  });

  it('checks booleans, names and seeds, and lists the known keys for a typo', () => {
    expect(() => parseServerSettings({ surprise: 'yes' })).toThrow('surprise: must be true or false, got "yes"');
    expect(() => parseServerSettings({ name: 'x'.repeat(65) })).toThrow(/name: must be at most 64 characters/);
    expect(() => parseServerSettings({ name: 'tab\there' })).toThrow(/name: must not contain control characters/);
    expect(() => parseServerSettings({ widht: '5' })).toThrow(/^widht: unknown setting \(known: seed, gameSeed, /);
    expect(parseServerSettings({ seed: 'abc', gameSeed: '12', name: 'my server' })).toMatchObject({
      seed: 'abc',
      gameSeed: 12,
      name: 'my server',
    });
  });

  it('`botswarm serve galax --set` with a bad value exits non-zero with that message', async () => {
    const run = await botswarm(['serve', 'galax', '--port', '0', '--set', 'maxGames=1e3']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('maxGames: must be an integer from 1 to 1000000, got "1e3"');
    expect(run.stdout).toBe('');
  });
});
