/**
 * A throwing engine injected into each game server, on each path that calls the engine: a request, the round /
 * phase clock, the turn deadline. Each time that game's players are told the protocol's way, a game next to it
 * on the same server plays to its end, and the server still accepts new clients (an uncaught exception would
 * have ended the test process, which vitest reports as a failure).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBots } from '../../src/bots/resolve.ts';
import { silentLogger } from '../../src/core/log.ts';
import { carcassonneEngine } from '../../src/games/carcassonne/index.ts';
import { galaxEngine } from '../../src/games/galax/index.ts';
import { orerushEngine } from '../../src/games/orerush/index.ts';
import { GALAX_VERSION, playGalaxOnline, startGalaxServer } from '../../src/protocols/galax/index.ts';
import { ErrorCode, type Packet, playOreRushOnline, startOreRushServer } from '../../src/protocols/orerush/index.ts';
import { carcassonneSe1Game } from '../../src/protocols/se1/carcassonne.ts';
import { encodeCommand, playOnline, startSe1Server } from '../../src/protocols/se1/index.ts';
import { Raw } from '../galax/raw.ts';
import { type RawClient, rawClient } from '../orerush/helpers.ts';
import { RawLines } from '../se1/helpers.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('Galax: an engine fault aborts that game only', () => {
  /** The real rules, except that a 3-player game's step throws. */
  const broken: typeof galaxEngine = {
    ...galaxEngine,
    apply: (state, step, events) => {
      if (state.players === 3) throw new Error('injected apply failure');
      return galaxEngine.apply(state, step, events);
    },
  };

  async function table(port: number): Promise<Raw[]> {
    const players: Raw[] = [];
    let id = '0';
    for (let i = 0; i < 3; i++) {
      const r = await Raw.open(port);
      cleanups.push(() => r.close());
      await r.next('GSRV');
      r.send(`GCLT ${GALAX_VERSION} p${i + 1}`);
      await r.until((l) => l === 'SLCT');
      r.send(`JOIN ${id}`);
      id = (await r.next('JNOK')).split(' ')[1]!;
      players.push(r);
    }
    await players[0]!.next('GPLR 3');
    return players;
  }

  for (const path of ['request (the last DONE)', 'phase clock (moveTimeoutMs)'] as const) {
    it(`on the ${path} path`, async () => {
      const config = galaxEngine.parseConfig({ maxYear: 6, moveTimeoutMs: 1500 });
      const s = await startGalaxServer({ port: 0, config, engine: broken });
      cleanups.push(() => s.close());
      const doomed = await table(s.port);
      const bots = await resolveBots(['heuristic', 'random'], 'galax');
      const healthy = playGalaxOnline({
        host: '127.0.0.1',
        port: s.port,
        bots,
        seed: 7,
        budget: { iterations: 20 },
        log: silentLogger,
        timeoutMs: 60_000,
        config: { maxYear: 6 },
      });
      doomed[0]!.send('PLAY');
      for (const r of doomed) await r.next('YEAR 0.0');
      if (path.startsWith('request')) for (const r of doomed) r.send('DONE');
      for (const r of doomed) {
        expect(await r.next('ERRJ', 15_000)).toMatch(/^ERRJ game \d+ aborted: internal server error in year 0\.0$/);
        await r.until((l) => l === 'SLCT');
      }
      expect((await healthy).result.scores).toHaveLength(2);
      const fresh = await Raw.open(s.port);
      cleanups.push(() => fresh.close());
      expect(await fresh.next('GSRV')).toMatch(/^GSRV 0\.22 /);
      expect(s.stats()).toMatchObject({ gamesAborted: 1, gamesFinished: 1, gamesRunning: 0 });
    });
  }
});

describe('Ore Rush: an engine fault aborts that game only', () => {
  const FAIL_APPLY = 7;
  const FAIL_VALIDATE = 9;
  const broken: typeof orerushEngine = {
    ...orerushEngine,
    apply(state, step, events) {
      if (state.config.rounds === FAIL_APPLY) throw new TypeError('injected apply failure');
      return orerushEngine.apply(state, step, events);
    },
    validate(state, seat, action) {
      if (state.config.rounds === FAIL_VALIDATE) throw new TypeError('injected validate failure');
      return orerushEngine.validate(state, seat, action);
    },
  };

  async function raw(port: number): Promise<RawClient> {
    const c = await rawClient(port, { answerPings: true });
    cleanups.push(() => c.close());
    return c;
  }
  async function nextOf(c: RawClient, type: Packet['type']): Promise<Packet> {
    for (;;) {
      const p = await c.next({ timeoutMs: 15_000 });
      if (p.type === type) return p;
      if (p.type !== 'nickn' && p.type !== 'settn' && p.type !== 'updte') return p;
    }
  }

  const paths = [
    ['request (a move the engine checks)', FAIL_VALIDATE],
    ['request (the last move closes the round)', FAIL_APPLY],
    ['round deadline', FAIL_APPLY],
  ] as const;
  for (const [path, rounds] of paths) {
    it(`on the ${path} path`, async () => {
      const s = await startOreRushServer({ port: 0, engine: broken });
      cleanups.push(() => s.close());
      const bots = await resolveBots(['random', 'random'], 'orerush');
      const healthy = playOreRushOnline({
        host: '127.0.0.1',
        port: s.port,
        bots,
        seed: 5,
        rules: { rounds: 20 },
        budget: { iterations: 1 },
        log: silentLogger,
        timeoutMs: 60_000,
      });
      const a = await raw(s.port);
      a.send({ type: 'reqst', timestamp: Date.now(), game: 0 });
      expect((await nextOf(a, 'succs')).type).toBe('succs');
      const info = await nextOf(a, 'settn');
      const game = info.type === 'settn' ? (info.settings.game as number) : -1;
      const roundTimeoutMs = path === 'round deadline' ? 300 : 60_000;
      a.send({ type: 'settn', settings: { players: 2, roundTimeoutMs, rules: { rounds } } });
      expect((await nextOf(a, 'succs')).type).toBe('succs');
      const b = await raw(s.port);
      b.send({ type: 'reqst', timestamp: Date.now(), game });
      expect((await nextOf(b, 'succs')).type).toBe('succs');
      if (path.startsWith('request')) {
        for (const [seat, c] of [a, b].entries()) {
          const robots = orerushEngine.defaultConfig().robots;
          const commands = Array.from({ length: robots }, () => ({ type: 'WAIT' }));
          c.send({ type: 'pmove', player: seat, moves: { round: 0, commands } });
        }
        // Moves the engine accepted are answered succs; the last one's step then fails.
        if (rounds === FAIL_APPLY) for (const c of [a, b]) expect((await nextOf(c, 'succs')).type).toBe('succs');
      }
      for (const c of [a, b]) {
        expect(await nextOf(c, 'close')).toMatchObject({ type: 'close', player: -1 });
        expect(c.received.some((p) => p.type === 'updte' && p.map.over === true)).toBe(false);
      }
      if (rounds === FAIL_VALIDATE) {
        // The move that hit the fault is still answered (§2), after the game's close -1.
        expect(await nextOf(a, 'error')).toMatchObject({ type: 'error', code: ErrorCode.state });
      }
      const results = await healthy;
      expect(results.map((r) => r.decisions)).toEqual([20, 20]);
      // Alive and serving: a new client gets its answer.
      const fresh = await raw(s.port);
      fresh.send({ type: 'awake' });
      expect((await nextOf(fresh, 'succs')).type).toBe('succs');
      expect(s.stats()).toMatchObject({ games_aborted: 1, games_finished: 1 });
    });
  }
});

describe('SE1 Carcassonne: an engine fault aborts that game only', () => {
  /** The real rules, except that every step of a 3-player game throws (a draw, a turn). */
  const broken: typeof carcassonneEngine = {
    ...carcassonneEngine,
    apply(state, step, events) {
      if (state.scores.length === 3) throw new Error('injected apply failure');
      return carcassonneEngine.apply(state, step, events);
    },
  };

  async function player(port: number): Promise<RawLines> {
    const raw = await RawLines.open(port);
    cleanups.push(() => raw.close());
    await raw.until((l) => l.length >= 1);
    const reply = await raw.request('CREATE TESTPLAYER');
    const m = /NICK=(\S+) PASSWORD=(\S+)/.exec(reply[0] ?? '');
    expect(await raw.request(`LOGIN ${m![1]} ${m![2]}`)).toContain('OK');
    return raw;
  }

  const notices = (raw: RawLines) =>
    raw
      .events()
      .filter((e) => e['@prop'] === 'USER_MESSAGE' && e['@src'] === 'SERVER')
      .map((e) => e['@nv']!);

  it('a bot playing over SE1 (play --connect) gives up at once when its game is aborted', async () => {
    const s = await startSe1Server({ port: 0, game: carcassonneSe1Game(broken), settings: { seed: 'faults' } });
    cleanups.push(() => s.close());
    const bots = await resolveBots(['random', 'random', 'random'], 'carcassonne');
    const started = performance.now();
    const online = playOnline({
      host: s.host,
      port: s.port,
      bots,
      seed: 4,
      budget: { iterations: 1 },
      log: silentLogger,
      timeoutMs: 120_000,
    });
    await expect(online).rejects.toThrow(/aborted/);
    // Not the 120 s timeout: the ABORTED status event ends it.
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 120_000);

  for (const path of ['request (DRAW_CARD)', 'turn deadline', 'leave (the server plays the leaver’s turn)'] as const) {
    it(`on the ${path} path`, async () => {
      const s = await startSe1Server({
        port: 0,
        game: carcassonneSe1Game(broken),
        settings: { seed: 'faults', turnTimeoutMs: path === 'turn deadline' ? 1000 : 60_000 },
      });
      cleanups.push(() => s.close());
      const bots = await resolveBots(['random', 'random'], 'carcassonne');
      const healthy = playOnline({
        host: s.host,
        port: s.port,
        bots,
        seed: 4,
        budget: { iterations: 1 },
        log: silentLogger,
        timeoutMs: 60_000,
      });
      const doomed = [await player(s.port), await player(s.port), await player(s.port)];
      expect(await doomed[0]!.request('CREATE GAME doomed -maxPlayers 3 -testgame')).toEqual(['OK']);
      for (const raw of doomed) expect(await raw.request('JOIN GAME doomed')).toContain('OK');
      doomed[0]!.send(encodeCommand('START_GAME'));
      await doomed[0]!.until(() => notices(doomed[0]!).includes('OK - drawCard'));
      if (path.startsWith('request')) doomed[0]!.send(encodeCommand('DRAW_CARD'));
      if (path.startsWith('leave')) doomed[0]!.send(encodeCommand('LEAVE_GAME'));
      const stayed = path.startsWith('leave') ? doomed.slice(1) : doomed;
      for (const raw of stayed) {
        await raw.until(() => notices(raw).includes('ERROR: GAME - game doomed aborted: internal server error'));
        expect(raw.events().some((e) => e['@prop'] === 'status' && e['@nv'] === 'ABORTED')).toBe(true);
      }
      // The game refuses commands, then a LEAVE_GAME brings its player back to the lobby.
      stayed[0]!.send(encodeCommand('END_TURN'));
      await stayed[0]!.until(() => notices(stayed[0]!).includes('ERROR: END_TURN - the game is aborted'));
      stayed[0]!.send(encodeCommand('LEAVE_GAME'));
      await stayed[0]!.until((l) => l.at(-1) === 'OK');
      expect((await stayed[0]!.request('LIST GAMES')).some((l) => l.includes('STATUS=ABORTED'))).toBe(true);
      const outcome = await healthy;
      expect(outcome.result.scores).toHaveLength(2);
      expect(s.stats()).toMatchObject({ gamesAborted: 1 });
      const fresh = await RawLines.open(s.port);
      cleanups.push(() => fresh.close());
      await fresh.until((l) => l.some((x) => x.startsWith('SE1 ')));
    }, 60_000);
  }
});
