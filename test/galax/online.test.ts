import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ResolvedBot, resolveBots } from '../../src/bots/resolve.ts';
import { silentLogger } from '../../src/core/log.ts';
import { replayActions, runMatch } from '../../src/core/match.ts';
import { deriveSeed } from '../../src/core/rng.ts';
import type { Strategy } from '../../src/core/strategy.ts';
import {
  type GalaxAction,
  type GalaxEvent,
  type GalaxObservation,
  galaxEngine,
  visibleEvents,
} from '../../src/games/galax/index.ts';
import {
  GalaxAdapter,
  GalaxClient,
  GalaxOnlineGame,
  GalaxReplyError,
  type GalaxServer,
  GalaxSessionError,
  galaxClientProtocol,
  galaxServerProtocol,
  parseServerLine,
  playGalaxOnline,
  type ServerMessage,
  startGalaxServer,
} from '../../src/protocols/galax/index.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(options: Parameters<typeof startGalaxServer>[0]): Promise<GalaxServer> {
  const s = await startGalaxServer(options);
  cleanups.push(() => s.close());
  return s;
}

/** Offline reference: the same seed, config and bots through `runMatch`, plus the final state by replay. */
async function offline(bots: readonly ResolvedBot[], seed: number, raw: Record<string, unknown>) {
  const config = galaxEngine.parseConfig(raw);
  const out = await runMatch({
    engine: galaxEngine,
    config,
    players: bots.map((b) => b.create()),
    seed,
    budget: { iterations: 50 },
    record: { events: true, actions: true },
  });
  const replay = replayActions(galaxEngine, config, bots.length, seed, out.actions!);
  expect(replay.ok).toBe(true);
  return { out, final: replay.finalState };
}

describe('Galax online play equals offline play', () => {
  it('4 bots, full visibility: same winner, result, final planets and event sequence over TCP', async () => {
    const raw = { maxYear: 40 };
    const s = await server({ port: 0, seed: 2024, config: galaxEngine.parseConfig(raw) });
    const bots = await resolveBots(['heuristic', 'random', 'heuristic', 'random'], 'galax');
    // Game 1 on a server seeded 2024 is set up with deriveSeed(2024, 1) (docs/protocols/galax.md).
    const seed = deriveSeed(2024, 1);
    const online = await playGalaxOnline({
      host: '127.0.0.1',
      port: s.port,
      bots,
      seed,
      budget: { iterations: 50 },
      log: silentLogger,
      timeoutMs: 60_000,
      config: raw,
    });
    const { out, final } = await offline(bots, seed, raw);
    expect(online.gameId).toBe(1);
    expect(online.errors).toEqual([]);
    expect(online.result).toEqual(out.result);
    expect(online.planets).toEqual(final.planets);
    expect(online.events).toEqual(out.events);
    expect(out.events!.some((e) => e.kind === 'battle')).toBe(true);
    expect(online.decisions).toEqual(
      [0, 1, 2, 3].map(
        (seat) => out.actions!.filter((st) => st.kind === 'players' && st.actions.some(([x]) => x === seat)).length,
      ),
    );
    expect(s.stats()).toMatchObject({ gamesFinished: 1, years: out.steps, errorsERRM: 0, errorsERRP: 0 });
  });

  it('3 bots under fog with surprise off: same result, and seat 0 gets exactly its visible events', async () => {
    const raw = { maxYear: 30, visibility: 'fog' as const, surprise: false, planets: 10 };
    const s = await server({ port: 0, gameSeed: 77, config: galaxEngine.parseConfig(raw) });
    const bots = await resolveBots(['heuristic', 'heuristic:margin=0.3', 'random'], 'galax');
    const online = await playGalaxOnline({
      host: '127.0.0.1',
      port: s.port,
      bots,
      seed: 77,
      budget: { iterations: 50 },
      log: silentLogger,
      timeoutMs: 60_000,
      config: raw,
    });
    const { out, final } = await offline(bots, 77, raw);
    expect(online.result).toEqual(out.result);
    expect(online.events).toEqual(visibleEvents(out.events as GalaxEvent[], 0, 'fog'));
    // Fog hid something: other players' battles and reinforcements never reached seat 0.
    expect(online.events.length).toBeLessThan(out.events!.length);
    expect(online.planets).toEqual(galaxEngine.observe(final, 0).planets);
  });
});

describe('Galax client', () => {
  it('plays through the registry entries (serve settings, playOnline) and reports timings per request', async () => {
    const running = await galaxServerProtocol.start({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger,
      settings: { gameSeed: '5', maxYear: '12', moveTimeoutMs: '5000' },
    });
    cleanups.push(() => running.close());
    const bots = await resolveBots(['random', 'random:activity=1'], 'galax');
    const out = await galaxClientProtocol.playOnline({
      host: running.host,
      port: running.port,
      bots,
      seed: 5,
      budget: { iterations: 10 },
      log: silentLogger,
      timeoutMs: 30_000,
    });
    expect(out.decisions).toEqual([12, 12]);
    expect(out.events.at(-1)).toMatchObject({ kind: 'winner' });
    const stats = running.stats();
    expect(stats).toMatchObject({ gamesCreated: 1, gamesStarted: 1, gamesFinished: 1, errorsERRM: 0 });
    expect(stats.movesAccepted).toBeGreaterThan(0);

    const timings: string[] = [];
    const client = await GalaxClient.connect({
      host: running.host,
      port: running.port,
      onTiming: (kind, micros, ok) => {
        expect(micros).toBeGreaterThanOrEqual(0);
        timings.push(`${kind}:${ok}`);
      },
    });
    cleanups.push(() => client.close());
    expect(client.serverVersion).toBe('0.22');
    await expect(client.join(42)).rejects.toThrow(new GalaxReplyError('ERRJ', 'no game 42', 'JOIN 42'));
    expect(await client.join(0)).toBe(2);
    await expect(client.start()).rejects.toMatchObject({ code: 'ERRP' });
    expect(timings).toEqual(['join:false', 'join:true', 'play:false']);
  });

  it('keeps the lobby list unless told not to (a load bot never reads it)', async () => {
    const s = await server({ port: 0, gameSeed: 1 });
    const a = await GalaxClient.connect({ host: '127.0.0.1', port: s.port });
    cleanups.push(() => a.close());
    const game = await a.join(0);
    const seen: ServerMessage[] = [];
    const kept = await GalaxClient.connect({ host: '127.0.0.1', port: s.port });
    const dropped = await GalaxClient.connect({
      host: '127.0.0.1',
      port: s.port,
      keepLobby: false,
      onMessage: (m) => seen.push(m),
    });
    cleanups.push(
      () => kept.close(),
      () => dropped.close(),
    );
    expect(kept.games).toEqual([{ game, players: 1 }]);
    expect(dropped.games).toEqual([]);
    // The GAME line still reached the caller.
    expect(seen.filter((m) => m.cmd === 'GAME')).toEqual([{ cmd: 'GAME', game, players: 1 }]);
  });

  it('moves() pipelines MOVEs and DONE and returns each MVOK or refusal', async () => {
    const s = await server({ port: 0, gameSeed: 1 });
    const seen: ServerMessage[] = [];
    const a = await GalaxClient.connect({ host: '127.0.0.1', port: s.port, onMessage: (m) => seen.push(m) });
    const b = await GalaxClient.connect({ host: '127.0.0.1', port: s.port });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const game = await a.join(0);
    await b.join(game);
    const field = await a.start();
    expect(field).toMatchObject({ cmd: 'GFLD', players: 2, you: 1 });
    const replies = await a.moves([
      { from: 0, to: 3, ships: 6 },
      { from: 0, to: 4, ships: 6 },
      { from: 1, to: 4, ships: 1 },
    ]);
    expect(replies[0]).toMatchObject({ cmd: 'MVOK', from: 0, to: 3, ships: 6 });
    expect(replies[1]).toMatchObject({ code: 'ERRM' });
    expect(replies[2]).toMatchObject({ code: 'ERRP', serverMessage: 'planet 1 is not yours' });
    expect(seen.filter((m) => m.cmd === 'MVOK')).toHaveLength(1);
    expect(seen.some((m) => m.cmd === 'YEAR')).toBe(true);
  });

  it("the seat adapter's act sends the year's MOVEs and DONE with nothing to wait for, and reports each refusal", async () => {
    const s = await server({ port: 0, gameSeed: 1 });
    let game: GalaxOnlineGame | undefined;
    const a = await GalaxClient.connect({ host: '127.0.0.1', port: s.port, onMessage: (m) => game?.onMessage(m) });
    const b = await GalaxClient.connect({ host: '127.0.0.1', port: s.port });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    await b.join(await a.join(0));
    game = new GalaxOnlineGame(a);
    const refused: string[] = [];
    let twoRefusals!: () => void;
    const done = new Promise<void>((resolve) => {
      twoRefusals = resolve;
    });
    const fail = (error: Error) => {
      throw error;
    };
    game.attach({
      started() {},
      served() {},
      waiting() {},
      observe() {},
      end() {},
      fail,
      refused(kind, message) {
        refused.push(`${kind} ${message}`);
        if (refused.length === 2) twoRefusals();
      },
    });
    await a.start();
    const sent = game.act({} as GalaxObservation, [
      { from: 0, to: 3, ships: 6 },
      { from: 0, to: 4, ships: 6 },
      { from: 1, to: 4, ships: 1 },
    ]);
    expect(sent).toBeUndefined();
    await done;
    expect(refused[0]).toMatch(/^ERRM /);
    expect(refused[1]).toBe('ERRP planet 1 is not yours');
    expect(game.adapter.fleets).toHaveLength(1);
    // A session already closed: the act fails with its error, as the seat expects of a send that cannot be made.
    a.close();
    await expect(game.act({} as GalaxObservation, [{ from: 0, to: 3, ships: 1 }])).rejects.toBeInstanceOf(
      GalaxSessionError,
    );
  });

  it('sendMove completes through its callback: the MVOK, a refusal, or the end of the session', async () => {
    const s = await server({ port: 0, gameSeed: 1 });
    const a = await GalaxClient.connect({ host: '127.0.0.1', port: s.port });
    const b = await GalaxClient.connect({ host: '127.0.0.1', port: s.port });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    await b.join(await a.join(0));
    await a.start();
    const sent = (from: number, to: number, ships: number) =>
      new Promise<[Error | null, unknown]>((resolve) => {
        let sync = true;
        a.sendMove(from, to, ships, (error, reply) => {
          expect(sync).toBe(false);
          resolve([error, reply]);
        });
        sync = false;
      });
    const [okError, ok] = await sent(0, 3, 6);
    expect(okError).toBeNull();
    expect(ok).toMatchObject({ cmd: 'MVOK', from: 0, to: 3, ships: 6 });
    const [refused, none] = await sent(1, 4, 1);
    expect(refused).toMatchObject({ name: 'GalaxReplyError', code: 'ERRP' });
    expect(none).toBeNull();
    a.close();
    const [closed] = await sent(0, 4, 1);
    expect(closed).toBeInstanceOf(GalaxSessionError);
  });

  it('moves() rejects once, with the session error, when the session ends before the replies', async () => {
    const port = await fakeServer((socket) => {
      socket.write('GSRV 0.22 mute\r\nCLOK\r\nSLCT\r\n');
      socket.on('data', () => socket.destroy());
    });
    const client = await GalaxClient.connect({ host: '127.0.0.1', port });
    cleanups.push(() => client.close());
    await expect(
      client.moves([
        { from: 0, to: 1, ships: 1 },
        { from: 0, to: 2, ships: 1 },
      ]),
    ).rejects.toBeInstanceOf(GalaxSessionError);
    expect(await client.moves([])).toEqual([]);
  });

  it('a request without reply fails with a clear timeout, never a hang', async () => {
    const port = await fakeServer((socket) => socket.write('GSRV 0.22 mute\r\nCLOK\r\nSLCT\r\n'));
    const client = await GalaxClient.connect({ host: '127.0.0.1', port, requestTimeoutMs: 300 });
    cleanups.push(() => client.close());
    await expect(client.join(0)).rejects.toThrow(new GalaxSessionError('no reply to "JOIN 0" within 300 ms'));
    expect(client.closed).toBe(true);
  });

  it("the request timeout runs from each request's own send, also after earlier replies", async () => {
    // Answers the first MOVE after 300 ms (its deadline is at 1500 ms) and never the second, sent 700 ms after the
    // first. Margins of more than a second each way: a busy machine only makes timers late, never early.
    const port = await fakeServer((socket) => {
      socket.write('GSRV 0.22 slow\r\nCLOK\r\nSLCT\r\n');
      let answered = false;
      socket.on('data', () => {
        if (answered) return;
        answered = true;
        setTimeout(() => socket.write('MVOK 0 1 1 1.5\r\n'), 300);
      });
    });
    const client = await GalaxClient.connect({ host: '127.0.0.1', port, requestTimeoutMs: 1500 });
    cleanups.push(() => client.close());
    const first = client.move(0, 1, 1);
    first.catch(() => {});
    await new Promise((r) => setTimeout(r, 700));
    const sentAt = performance.now();
    const second = client.move(0, 2, 1);
    second.catch(() => {});
    await expect(first).resolves.toMatchObject({ cmd: 'MVOK', from: 0, to: 1 });
    await expect(second).rejects.toThrow(new GalaxSessionError('no reply to "MOVE 0 2 1" within 1500 ms'));
    // Not failed when the first request's deadline passed (at most 800 ms after the second was sent).
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(1490);
    expect(client.closed).toBe(true);
  });

  it('a server that hangs up or never greets is a clear error', async () => {
    const hangup = await fakeServer((socket) => {
      socket.write('GSRV 0.22 rude\r\nCLOK\r\nSLCT\r\n');
      socket.on('data', () => socket.destroy());
    });
    const client = await GalaxClient.connect({ host: '127.0.0.1', port: hangup });
    await expect(client.join(0)).rejects.toThrow(/connection to 127\.0\.0\.1:\d+ closed \(remote\)/);

    const silent = await fakeServer(() => {});
    await expect(GalaxClient.connect({ host: '127.0.0.1', port: silent, requestTimeoutMs: 200 })).rejects.toThrow(
      /handshake: no CLOK within 200 ms/,
    );
    const wrong = await fakeServer((socket) => socket.write('HELO\r\nWINN 1\r\n'));
    await expect(GalaxClient.connect({ host: '127.0.0.1', port: wrong })).rejects.toThrow(
      /handshake: expected GSRV, got WINN/,
    );
  });

  it('close(reason) fails pending requests and whenClosed with that reason, not an error of its own', async () => {
    const mute = await fakeServer((socket) => socket.write('GSRV 0.22 mute\r\nCLOK\r\nSLCT\r\n'));
    const client = await GalaxClient.connect({ host: '127.0.0.1', port: mute });
    const pending = client.join(0);
    const reason = new Error('the run ended');
    client.close(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(client.whenClosed()).resolves.toBe(reason);
    const other = await GalaxClient.connect({ host: '127.0.0.1', port: mute });
    const join = other.join(0);
    other.close();
    await expect(join).rejects.toThrow(/closed \(local\)/);
  });

  it('onClose: told once of the end of a connected session, with the error whenClosed gives; not of a failed connect', async () => {
    const hangup = await fakeServer((socket) => {
      socket.write('GSRV 0.22 rude\r\nCLOK\r\nSLCT\r\n');
      socket.on('data', () => socket.destroy());
    });
    const ends: Error[] = [];
    const client = await GalaxClient.connect({ host: '127.0.0.1', port: hangup, onClose: (e) => ends.push(e) });
    expect(ends).toEqual([]);
    await expect(client.join(0)).rejects.toThrow(/closed \(remote\)/);
    client.close();
    expect(ends).toHaveLength(1);
    await expect(client.whenClosed()).resolves.toBe(ends[0]);

    const wrong = await fakeServer((socket) => socket.write('HELO\r\nWINN 1\r\n'));
    const failed: Error[] = [];
    await expect(
      GalaxClient.connect({ host: '127.0.0.1', port: wrong, onClose: (e) => failed.push(e) }),
    ).rejects.toThrow(/handshake/);
    expect(failed).toEqual([]);
  });

  it('playOnline fails clearly when the server goes away mid-game', async () => {
    const s = await startGalaxServer({ port: 0, config: galaxEngine.parseConfig({ maxYear: 50 }) });
    let closed = false;
    const quitter: Strategy<GalaxObservation, GalaxAction> = {
      name: 'quitter',
      decide(obs) {
        if (obs.year >= 30 && !closed) {
          closed = true;
          void s.close();
        }
        return [];
      },
    };
    const bot: ResolvedBot = {
      label: 'quitter',
      definition: { name: 'quitter', game: 'galax', description: 'closes the server', create: () => quitter },
      params: {},
      source: 'test',
      create: () => quitter,
    };
    const [random] = await resolveBots(['random'], 'galax');
    const started = Date.now();
    await expect(
      playGalaxOnline({
        host: '127.0.0.1',
        port: s.port,
        bots: [bot, random!],
        seed: 1,
        budget: { iterations: 1 },
        log: silentLogger,
        timeoutMs: 20_000,
      }),
    ).rejects.toThrow(/seat \d: connection to 127\.0\.0\.1:\d+ closed/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('gives up a game that does not end within timeoutMs', async () => {
    const s = await server({ port: 0, config: galaxEngine.parseConfig({ maxYear: 1000, moveTimeoutMs: 60_000 }) });
    const sleeper: Strategy<GalaxObservation, GalaxAction> = {
      name: 'sleeper',
      decide: () => new Promise<GalaxAction>((resolve) => setTimeout(() => resolve([]), 2000)),
    };
    const bot: ResolvedBot = {
      label: 'sleeper',
      definition: { name: 'sleeper', game: 'galax', description: 'slow', create: () => sleeper },
      params: {},
      source: 'test',
      create: () => sleeper,
    };
    await expect(
      playGalaxOnline({
        host: '127.0.0.1',
        port: s.port,
        bots: [bot, bot],
        seed: 1,
        budget: { iterations: 1 },
        log: silentLogger,
        timeoutMs: 500,
      }),
    ).rejects.toThrow(/did not end within 500 ms/);
  });

  it('the adapter rebuilds battles (also one without volleys), forts, kills and fleets from lines', () => {
    const a = new GalaxAdapter();
    const feed = (...lines: string[]) =>
      lines.map((l) => {
        const m = parseServerLine(l);
        if ('code' in m) throw new Error(m.message);
        return a.onMessage(m);
      });
    feed('GFLD 8 8 3 2 1', 'PLNT 0 0 0 1 10 10', 'PLNT 1 7 7 2 10 10', 'PLNT 2 3 3 0 0 1');
    expect(feed('YEAR 0.0')).toEqual(['year']);
    expect(a.observation()).toEqual({
      player: 1,
      players: 2,
      width: 8,
      height: 8,
      year: 0,
      planets: [
        { id: 0, x: 0, y: 0, owner: 1, ships: 10, production: 10 },
        { id: 1, x: 7, y: 7, owner: 2, ships: 10, production: 10 },
        { id: 2, x: 3, y: 3, owner: 0, ships: 0, production: 1 },
      ],
      fleets: [],
      events: [],
    });
    feed('MVOK 0 2 4 2.2', 'MVOK 0 1 5 5.0');
    feed('BATT 2 2.2 1 4 0 0', 'BWIN 2 1 4', 'FORT 0 1 7 0.5', 'BATT 1 0.9 1 3 2 10', 'ATTK 1 1 1 3 9');
    feed('ATTK 0 1 3 0 9', 'BWIN 1 2 9', 'KILL 2', 'PLNT 0 0 0 1 1 10', 'PLNT 1 7 7 2 9 10', 'PLNT 2 3 3 1 4 1');
    expect(feed('YEAR 3.0')).toEqual(['year']);
    const obs = a.observation();
    expect(obs.year).toBe(30);
    expect(obs.fleets).toEqual([{ from: 0, to: 1, ships: 5, arrival: 50 }]);
    expect(obs.events).toEqual([
      {
        kind: 'battle',
        planet: 2,
        time: 22,
        attacker: 1,
        attShips: 4,
        defender: 0,
        defShips: 0,
        volleys: [],
        winner: 1,
        ships: 4,
      },
      { kind: 'fort', planet: 0, player: 1, ships: 7, time: 5 },
      {
        kind: 'battle',
        planet: 1,
        time: 9,
        attacker: 1,
        attShips: 3,
        defender: 2,
        defShips: 10,
        volleys: [
          { who: 1, surprise: true, killed: 1, attShips: 3, defShips: 9 },
          { who: 0, surprise: true, killed: 3, attShips: 0, defShips: 9 },
        ],
        winner: 2,
        ships: 9,
      },
      { kind: 'kill', player: 2 },
    ]);
    expect(a.killed.has(2)).toBe(true);
    expect(a.observation().events).toEqual([]); // events belong to one observation
    expect(feed('WINN 1')).toEqual(['over']);
    expect(a.winner).toBe(1);
    expect(a.year).toBe(40);
    expect(a.alive).toBe(false);
  });

  it("a turn's observation, built later, is the observation the adapter gives when the phase opens", () => {
    const eager = new GalaxAdapter();
    const lazy = new GalaxAdapter({ keepHistory: false });
    const lines = [
      'GFLD 8 8 3 2 1',
      'PLNT 0 0 0 1 10 10',
      'PLNT 1 7 7 2 10 10',
      'PLNT 2 3 3 0 0 1',
      'YEAR 0.0',
      'MVOK 0 2 4 2.2',
      'MVOK 0 1 5 5.0',
      'BATT 2 2.2 1 4 0 0',
      'BWIN 2 1 4',
      'FORT 0 1 7 0.5',
      'PLNT 0 0 0 1 1 10',
      'PLNT 1 7 7 2 9 10',
      'PLNT 2 3 3 1 4 1',
      'YEAR 3.0',
      'YEAR 4.0',
    ];
    const observations: unknown[] = [];
    const turns: { observation(): unknown }[] = [];
    for (const line of lines) {
      const m = parseServerLine(line);
      if ('code' in m) throw new Error(m.message);
      if (eager.onMessage(m) === 'year') observations.push(eager.observation());
      if (lazy.onMessage(m) === 'year') turns.push(lazy.turn());
    }
    // Built after the later phases came: each turn still has its own phase's planets, fleets and events.
    expect(turns.map((t) => t.observation())).toEqual(observations);
    expect(turns).toHaveLength(3);
    expect(lazy.planets).toEqual(eager.planets);
    // Without history the adapter keeps no event past its phase; with it, every one.
    expect(lazy.history).toEqual([]);
    expect(eager.history).toHaveLength(2);
  });
});

async function fakeServer(onConnection: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  );
  const address = srv.address();
  return typeof address === 'object' && address ? address.port : 0;
}
