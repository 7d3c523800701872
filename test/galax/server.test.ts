import { Server } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveBots } from '../../src/bots/resolve.ts';
import { galaxEngine, travelTime } from '../../src/games/galax/index.ts';
import {
  GALAX_VERSION,
  type GalaxServer,
  isParseError,
  parseClientLine,
  parseServerSettings,
  playGalaxOnline,
  startGalaxServer,
} from '../../src/protocols/galax/index.ts';
import { Raw } from './raw.ts';

const servers: GalaxServer[] = [];
const raws: Raw[] = [];
afterEach(async () => {
  for (const r of raws.splice(0)) r.close();
  for (const s of servers.splice(0)) await s.close();
});

async function server(settings: Record<string, string> = {}) {
  const s = await startGalaxServer({ port: 0, ...parseServerSettings(settings) });
  servers.push(s);
  return s;
}

async function raw(port: number) {
  const r = await Raw.open(port);
  raws.push(r);
  return r;
}

/** Connects and completes the handshake; returns the client and the lobby lines. */
async function greeted(port: number, name = 'tester') {
  const r = await raw(port);
  expect(await r.next('GSRV')).toMatch(/^GSRV 0\.22 /);
  r.send(`GCLT ${GALAX_VERSION} ${name}`);
  const lobby = await r.until((l) => l === 'SLCT');
  expect(lobby[0]).toBe('CLOK');
  return { r, lobby: lobby.slice(1, -1) };
}

/** Players `a` and `b` in game 1 (a created it): the usual start of a two-player scenario. */
async function twoInGame1(port: number) {
  const { r: a } = await greeted(port, 'a');
  a.send('JOIN 0');
  await a.next('GPLR 1');
  const { r: b } = await greeted(port, 'b');
  b.send('JOIN 1');
  await b.next('GPLR 2');
  return [a, b] as const;
}

describe('Galax server: session sequence', () => {
  it('greets, accepts any client version, lists joinable games, joins, re-sends the player list, starts', async () => {
    const s = await server({ maxYear: '3' });
    const a = await raw(s.port);
    expect(await a.next('GSRV')).toBe('GSRV 0.22 botswarm');
    a.send('GCLT 9.9z Alice the bot');
    expect(await a.until((l) => l === 'SLCT')).toEqual(['CLOK', 'SLCT']);
    a.send('JOIN 0');
    expect(await a.next('JNOK')).toBe('JNOK 1');
    expect(await a.next('GPLR')).toBe('GPLR 1 Alice the bot');

    const { r: b, lobby } = await greeted(s.port, 'Bob');
    expect(lobby).toEqual(['GAME 1 1']);
    b.send('JOIN 1');
    expect(await b.until((l) => l.startsWith('GPLR 2'))).toEqual(['JNOK 1', 'GPLR 1 Alice the bot', 'GPLR 2 Bob']);
    expect(await a.until((l) => l.startsWith('GPLR 2'))).toEqual(['GPLR 1 Alice the bot', 'GPLR 2 Bob']);

    a.send('PLAY');
    const config = galaxEngine.parseConfig({ maxYear: 3 });
    const first = await a.until((l) => l.startsWith('YEAR'));
    expect(first[0]).toBe(`GFLD ${config.width} ${config.height} ${config.planets} 2 1`);
    expect(first.filter((l) => l.startsWith('PLNT'))).toHaveLength(config.planets);
    expect(first.at(-1)).toBe('YEAR 0.0');
    const bFirst = await b.until((l) => l.startsWith('YEAR'));
    expect(bFirst[0]).toBe(`GFLD ${config.width} ${config.height} ${config.planets} 2 2`);
    // Same planet list for both under full visibility; home of player x is planet x-1.
    expect(bFirst.slice(1)).toEqual(first.slice(1));
    expect(first[1]).toMatch(/^PLNT 0 \d+ \d+ 1 10 10$/);
    expect(first[2]).toMatch(/^PLNT 1 \d+ \d+ 2 10 10$/);
    expect(s.stats()).toMatchObject({ gamesCreated: 1, gamesStarted: 1, gamesRunning: 1 });

    // Three years of DONE: battle lines (none), planets, YEAR ... then the final list, WINN and the lobby again.
    for (let year = 1; year < 3; year++) {
      a.send('DONE');
      b.send('DONE');
      expect((await a.until((l) => l.startsWith('YEAR'))).at(-1)).toBe(`YEAR ${year}.0`);
      expect((await b.until((l) => l.startsWith('YEAR'))).at(-1)).toBe(`YEAR ${year}.0`);
    }
    a.send('DONE');
    b.send('DONE');
    const end = await a.until((l) => l === 'SLCT');
    expect(end.filter((l) => l.startsWith('PLNT'))).toHaveLength(config.planets);
    expect(end.slice(-2)).toEqual(['WINN 0', 'SLCT']);
    await b.until((l) => l === 'SLCT');
    expect(s.stats()).toMatchObject({ gamesFinished: 1, gamesRunning: 0, years: 3 });
    // Back in the lobby: a new game can be created at once.
    a.send('JOIN 0');
    expect(await a.next('JNOK')).toBe('JNOK 2');
  });

  it('answers MOVE with MVOK and its arrival time, and refuses bad moves with ERRP / ERRM', async () => {
    const s = await server({ maxYear: '5', seed: '3' });
    const [a, b] = await twoInGame1(s.port);
    a.send('PLAY');
    const lines = await a.until((l) => l.startsWith('YEAR'));
    await b.until((l) => l.startsWith('YEAR'));
    const planets = lines
      .filter((l) => l.startsWith('PLNT'))
      .map((l) => {
        const [, id, x, y, owner, ships] = l.split(' ').map(Number);
        return { id: id!, x: x!, y: y!, owner: owner!, ships: ships! };
      });
    const trip = travelTime(planets[0]!, planets[5]!);
    a.send('MOVE 0 5 4');
    expect(await a.next('')).toBe(`MVOK 0 5 4 ${Math.floor(trip / 10)}.${trip % 10}`);
    a.send('MOVE 0 5 7'); // 4 + 7 > 10
    expect(await a.next('')).toBe('ERRM not enough ships on planet 0: 10 there, 4 already sent, 7 asked');
    a.send('MOVE 1 5 1');
    expect(await a.next('')).toBe('ERRP planet 1 is not yours');
    a.send('MOVE 0 99 1');
    expect(await a.next('')).toMatch(/^ERRM no such planet 99 \(planets are 0\.\.11\)$/);
    a.send('MOVE 0 0 1');
    expect(await a.next('')).toBe('ERRM from and to are the same planet 0');
    a.send('MOVE 0 5 0');
    expect(await a.next('')).toMatch(/^ERRM ships must be a whole number of at least 1/);
    a.send('MOVE 0 5');
    expect(await a.next('')).toMatch(/^ERRC MOVE takes 3 arguments/);
    a.send('PLAY');
    expect(await a.next('')).toBe('ERRP game 1 has already started');
    a.send('JOIN 0');
    expect(await a.next('')).toBe('ERRJ already in game 1');
    a.send('DONE');
    a.send('DONE');
    expect(await a.next('')).toBe('ERRP DONE refused: already sent DONE for year 0.0');
    a.send('MOVE 0 5 1');
    expect(await a.next('')).toBe('ERRP MOVE refused: already sent DONE for year 0.0');
    b.send('DONE');
    // The accepted move left at once: planet 0 has 10 - 4 + 10 production.
    const next = await a.until((l) => l.startsWith('YEAR'));
    expect(next).toContain(`PLNT 0 ${planets[0]!.x} ${planets[0]!.y} 1 16 10`);
    expect(s.stats()).toMatchObject({ movesAccepted: 1, errorsERRM: 4, errorsERRP: 4, errorsERRC: 1, errorsERRJ: 1 });
  });

  it('refuses JOIN and PLAY as the seed says: ERRJ unknown / started / full / busy, ERRP not player 1 or alone', async () => {
    const s = await server({ maxPlayers: '2', maxGames: '1' });
    const { r: a } = await greeted(s.port, 'a');
    a.send('PLAY');
    expect(await a.next('')).toBe('ERRC PLAY is only valid after joining a game (state: in the lobby, send JOIN)');
    a.send('JOIN 7');
    expect(await a.next('')).toBe('ERRJ no game 7');
    a.send('JOIN 0');
    await a.next('GPLR');
    a.send('PLAY');
    expect(await a.next('')).toBe('ERRP a game needs at least 2 players, game 1 has 1');
    const { r: b } = await greeted(s.port, 'b');
    b.send('JOIN 0');
    expect(await b.next('')).toBe('ERRJ server busy: 1 games open or running (maxGames)');
    b.send('JOIN 1');
    await b.next('GPLR 2');
    b.send('PLAY');
    expect(await b.next('')).toBe('ERRP only player 1 may start the game; you are player 2');
    const { r: c, lobby } = await greeted(s.port, 'c');
    expect(lobby).toEqual([]); // full games are not listed
    c.send('JOIN 1');
    expect(await c.next('')).toBe('ERRJ game 1 is full (2 players)');
    a.send('PLAY');
    await a.next('YEAR');
    c.send('JOIN 1');
    expect(await c.next('')).toBe('ERRJ game 1 has already started');
    expect(s.stats()).toMatchObject({ errorsERRJ: 4, errorsERRP: 2, errorsERRC: 1 });
  });

  it('renumbers the waiting players when one leaves before the start, and drops an empty game', async () => {
    const s = await server();
    const [a, b] = await twoInGame1(s.port);
    a.close();
    expect(await b.until((l) => l.startsWith('GPLR'))).toEqual(['GPLR 1 b']);
    b.send('PLAY');
    expect(await b.next('')).toMatch(/^ERRP a game needs at least 2 players/);
    b.close();
    for (let i = 0; i < 100 && s.stats().gamesOpen > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.stats()).toMatchObject({ gamesOpen: 0, gamesAborted: 1 });
  });

  it('hides other planets under fog (-1) and shows them in full visibility', async () => {
    const s = await server({ visibility: 'fog' });
    const [a] = await twoInGame1(s.port);
    a.send('PLAY');
    const plnt = (await a.until((l) => l.startsWith('YEAR'))).filter((l) => l.startsWith('PLNT'));
    expect(plnt[0]).toMatch(/^PLNT 0 \d+ \d+ 1 10 10$/);
    expect(plnt[1]).toMatch(/^PLNT 1 \d+ \d+ 2 -1 -1$/);
    expect(plnt.slice(2).every((l) => l.endsWith(' 0 -1 -1'))).toBe(true);
  });
});

describe('Galax server: hostile clients', () => {
  it('answers every malformed line with ERRC and keeps the session usable', async () => {
    const s = await server();
    const r = await raw(s.port);
    await r.next('GSRV');
    r.send('JOIN 0', 'MOVE 1 2 3', 'DONE', 'PLAY', 'HELO', '', 'GCLT');
    const replies = await r.take(7);
    expect(replies).toEqual([
      'ERRC send GCLT <version> <name> first',
      'ERRC MOVE is only valid in a running game (state: waiting for GCLT)',
      'ERRC DONE is only valid in a running game (state: waiting for GCLT)',
      'ERRC PLAY is only valid after joining a game (state: waiting for GCLT)',
      'ERRC unknown command "HELO"',
      'ERRC empty line',
      'ERRC GCLT takes a protocol version and a name (GCLT <version> <name...>)',
    ]);
    // Bytes that are not ASCII, and a bare LF terminator.
    r.socket.write(Buffer.from([0x47, 0x43, 0x4c, 0x54, 0x20, 0xff, 0xfe, 0x0a]));
    expect(await r.next('')).toMatch(/^ERRC non-printable or non-ASCII byte 0xff/);
    r.socket.write('GCLT 0.22 lf-only\n');
    expect(await r.until((l) => l === 'SLCT')).toEqual(['CLOK', 'SLCT']);
    r.send('GCLT 0.22 again');
    expect(await r.next('')).toBe('ERRC GCLT is only valid once, right after GSRV');
    expect(s.stats().errorsERRC).toBe(9);
  });

  it('refuses an oversized line without buffering it and keeps the connection working', async () => {
    const s = await server();
    const r = await raw(s.port);
    await r.next('GSRV');
    // 1 MB in pieces, no newline until the end: the framer must drop it, not hold it.
    const chunk = 'X'.repeat(64 * 1024);
    for (let i = 0; i < 16; i++) r.socket.write(chunk);
    r.socket.write('\r\n');
    expect(await r.next('')).toBe('ERRC line longer than 1024 bytes; line ignored');
    r.send(`GCLT 0.22 ${'n'.repeat(1000)}`); // 1010 bytes: fits
    expect(await r.until((l) => l === 'SLCT')).toEqual(['CLOK', 'SLCT']);
    r.send('JOIN 0');
    expect(await r.next('JNOK')).toBe('JNOK 1');
    expect(s.stats().errorsERRC).toBe(1);
  });

  it('answers random garbage line by line with ERR* (one reply per bad line), never closing', async () => {
    const s = await server();
    const { r } = await greeted(s.port, 'fuzz');
    const garbage = fc
      .sample(
        fc.oneof(
          fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
          fc.string({ maxLength: 40 }),
        ),
        { numRuns: 300, seed: 42 },
      )
      .map((l) => l.replace(/[\r\n]/g, ' '))
      .filter((l) => {
        const m = parseClientLine(l);
        return isParseError(m) || (m.cmd !== 'JOIN' && m.cmd !== 'GCLT');
      });
    r.socket.write(Buffer.from(garbage.map((l) => `${l}\n`).join(''), 'utf8'));
    const replies = await r.take(garbage.length, 15_000);
    expect(replies).toHaveLength(garbage.length);
    expect(replies.every((l) => /^ERR[CPMJ] ./.test(l))).toBe(true);
    r.send('JOIN 0');
    expect(await r.next('JNOK')).toBe('JNOK 1');
    expect(r.closed).toBe(false);
  });

  it('a client sending garbage does not disturb a concurrent game', async () => {
    const s = await server({ maxYear: '15', seed: '5' });
    const { r: spam } = await greeted(s.port, 'spam');
    let stop = false;
    const spamming = (async () => {
      for (let i = 0; i < 200 && !stop; i++) {
        spam.send(`MOVE ${i} x`, 'JOIN 99', '\u0001\u0002', `PLAY ${i}`, 'DONE');
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const bots = await resolveBots(['heuristic', 'random'], 'galax');
    const out = await playGalaxOnline({
      host: '127.0.0.1',
      port: s.port,
      bots,
      seed: 1,
      budget: { iterations: 10 },
      log: undefined as never,
      timeoutMs: 30_000,
      config: { maxYear: 15 },
    });
    stop = true;
    await spamming;
    expect(out.errors).toEqual([]);
    expect(out.decisions).toEqual([15, 15]);
    expect(s.stats().gamesFinished).toBe(1);
    expect(s.stats().errorsERRC).toBeGreaterThan(0);
    expect(s.stats().errorsERRJ).toBeGreaterThan(0);
  });
});

describe('Galax server: absent players', () => {
  it('a silent player does not stall the others: its phases end at moveTimeoutMs (implied DONE)', async () => {
    const s = await server({ maxYear: '4', moveTimeoutMs: '150' });
    const { r: a } = await greeted(s.port, 'a');
    a.send('JOIN 0');
    await a.next('GPLR 1');
    const { r: silent } = await greeted(s.port, 'silent');
    silent.send('JOIN 1');
    await silent.next('GPLR 2');
    a.send('PLAY');
    const started = Date.now();
    for (let y = 0; y < 4; y++) {
      await a.next('YEAR');
      a.send('DONE');
    }
    const end = await a.until((l) => l.startsWith('WINN'), 10_000);
    expect(end.at(-1)).toBe('WINN 0');
    // Four phases each waited for the timeout (generous bound: the machine is loaded).
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 140);
    expect(s.stats()).toMatchObject({ gamesFinished: 1 });
  });

  it('a player who disconnects mid-game is implied DONE; the game goes on and ends', async () => {
    const s = await server({ maxYear: '6', moveTimeoutMs: '60000' });
    const [a, b] = await twoInGame1(s.port);
    const { r: c } = await greeted(s.port, 'c');
    c.send('JOIN 1');
    await c.next('GPLR 3');
    a.send('PLAY');
    await b.next('YEAR');
    b.close(); // gone during year 0: never DONE
    for (let y = 0; y < 6; y++) {
      await a.next('YEAR');
      await c.next('YEAR');
      a.send('DONE');
      c.send('DONE');
    }
    // With a 60 s timeout, only the implied DONE of the absent player lets these phases end quickly.
    expect((await a.until((l) => l.startsWith('WINN'), 10_000)).at(-1)).toBe('WINN 0');
    await c.next('WINN');
    expect(s.stats()).toMatchObject({ gamesFinished: 1, gamesAborted: 0 });
  });

  it('a game whose players all left is aborted, and the server keeps serving', async () => {
    const s = await server({ moveTimeoutMs: '60000' });
    const [a, b] = await twoInGame1(s.port);
    a.send('PLAY');
    await a.next('YEAR');
    await b.next('YEAR');
    a.close();
    b.close();
    for (let i = 0; i < 100 && s.stats().gamesRunning > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.stats()).toMatchObject({ gamesRunning: 0, gamesAborted: 1, gamesFinished: 0 });
    const { r: c } = await greeted(s.port, 'c');
    c.send('JOIN 0');
    expect(await c.next('JNOK')).toBe('JNOK 2');
  });
});

describe('Galax server settings', () => {
  it('parses --set pairs into server options and the engine config, naming a bad key', () => {
    const o = parseServerSettings({ seed: '9', maxYear: '50', visibility: 'fog', surprise: 'false', maxGames: '3' });
    expect(o.seed).toBe(9);
    expect(o.maxGames).toBe(3);
    expect(o.config).toMatchObject({ maxYear: 50, visibility: 'fog', surprise: false });
    expect(() => parseServerSettings({ maxYaer: '5' })).toThrow(/maxYaer: unknown setting/);
    expect(() => parseServerSettings({ maxPlayers: '9' })).toThrow(/maxPlayers: must be an integer from 2 to 8/);
    expect(() => parseServerSettings({ visibility: 'none' })).toThrow(/visibility/);
  });
});

describe('Galax server: connect bursts', () => {
  it('listens with a pending-connection queue of 4096 (a load test connects thousands of bots at once)', async () => {
    // Node's default of 511 made the kernel drop SYNs while the server was busy: those bots connected seconds
    // later, after every game of their step had started (docs/performance.md, "Galax 10,000 bots").
    const listen = vi.spyOn(Server.prototype, 'listen');
    try {
      const s = await server();
      expect(s.port).toBeGreaterThan(0);
      const options = listen.mock.calls.map((call) => call[0] as { backlog?: number });
      expect(options).toHaveLength(1);
      expect(options[0]!.backlog).toBe(4096);
    } finally {
      listen.mockRestore();
    }
  });
});
