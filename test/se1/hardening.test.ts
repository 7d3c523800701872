import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/engine.ts';
import {
  carcassonneSe1,
  parseSe1Settings,
  Se1Client,
  type Se1RunningServer,
  startSe1Server,
} from '../../src/protocols/se1/index.ts';
import { RawLines } from './helpers.ts';

const running: Se1RunningServer[] = [];
const raws: RawLines[] = [];
afterEach(async () => {
  for (const r of raws.splice(0)) r.close();
  for (const s of running.splice(0)) await s.close();
});

async function serve(settings: Parameters<typeof startSe1Server>[0]['settings']) {
  const server = await startSe1Server({ port: 0, game: carcassonneSe1, settings: { seed: 'hard', ...settings } });
  running.push(server);
  return server;
}

async function open(port: number): Promise<RawLines> {
  const raw = await RawLines.open(port);
  raws.push(raw);
  await raw.until((l) => l.length >= 1);
  return raw;
}

async function testPlayer(raw: RawLines): Promise<{ nick: string; password: string }> {
  const reply = await raw.request('CREATE TESTPLAYER');
  const m = /NICK=(\S+) PASSWORD=(\S+)/.exec(reply[0] ?? '');
  if (!m) throw new Error(`no test player: ${reply.join(' | ')}`);
  return { nick: m[1]!, password: m[2]! };
}

async function loggedIn(port: number): Promise<{ raw: RawLines; nick: string }> {
  const raw = await open(port);
  const { nick, password } = await testPlayer(raw);
  expect(await raw.request(`LOGIN ${nick} ${password}`)).toContain('OK');
  return { raw, nick };
}

describe('SE1 settings', () => {
  it('takes strict integers within bounds and known keys only', () => {
    const s = parseSe1Settings({ timeoutMs: '5000', turnTimeoutMs: '0', maxTestPlayers: '3', db: 'x.sqlite' });
    expect(s).toMatchObject({ timeoutMs: 5000, turnTimeoutMs: 0, maxTestPlayers: 3, users: 'x.sqlite' });
    expect(parseSe1Settings({}).turnTimeoutMs).toBe(120_000);
    const bad: [Record<string, string>, RegExp][] = [
      [{ timeoutMs: '1e3' }, /^timeoutMs: must be an integer from 100 to 2147483647, got "1e3"/],
      [{ timeoutMs: '2147483648' }, /^timeoutMs: must be an integer from 100 to 2147483647/],
      [{ turnTimeoutMs: '-1' }, /^turnTimeoutMs: must be an integer from 0/],
      [{ testPlayerTtlMs: '99999999999' }, /^testPlayerTtlMs: must be an integer/],
      [{ maxGames: ' 12' }, /^maxGames: must be an integer/],
      [{ widht: '3' }, /^widht: unknown setting \(known: game, users, db, addUsers, seed, timeoutMs,/],
    ];
    for (const [raw, message] of bad) {
      expect(() => parseSe1Settings(raw)).toThrow(ConfigError);
      expect(() => parseSe1Settings(raw)).toThrow(message);
    }
  });

  it('bounds settings given from code too: a timeout past 2^31 ms would fire at once', async () => {
    await expect(startSe1Server({ port: 0, game: carcassonneSe1, settings: { timeoutMs: 2 ** 32 } })).rejects.toThrow(
      /^timeoutMs: must be an integer from 100 to 2147483647/,
    );
  });
});

describe('SE1 server limits', () => {
  it('pauses a client that pipelines more than it reads, answers every line, and resumes', async () => {
    const server = await serve({});
    const raw = await open(server.port);
    // 2000 commands in one write: they are all framed before the first is handled.
    raw.socket.write('LOGIN nobody wrong\r\n'.repeat(2000));
    await raw.until((l) => l.filter((x) => x === 'ERROR: wrong login or password').length === 2000, 30_000);
    expect(server.stats().pauses).toBeGreaterThanOrEqual(1);
    expect(await raw.request('NOOP')).toEqual(['OK']);
  }, 40_000);

  it('caps test players and expires them once they are past their time and not logged in', async () => {
    const server = await serve({ maxTestPlayers: 2, testPlayerTtlMs: 1000 });
    const a = await open(server.port);
    const first = await testPlayer(a);
    const second = await testPlayer(a);
    expect(await a.request('CREATE TESTPLAYER')).toEqual(['ERROR: too many test players (2); try again later']);
    const b = await open(server.port);
    expect((await b.request(`LOGIN ${second.nick} ${second.password}`)).at(-1)).toBe('OK');
    await new Promise((r) => setTimeout(r, 1200));
    // The first has expired (gone), the second is logged in and stays: one place is free.
    await testPlayer(a);
    expect(server.stats().testPlayersExpired).toBe(1);
    expect(await a.request(`LOGIN ${first.nick} ${first.password}`)).toEqual(['ERROR: wrong login or password']);
    expect(await a.request('CREATE TESTPLAYER')).toEqual(['ERROR: too many test players (2); try again later']);
  }, 20_000);

  it('deletes a game nobody joined when its creator disconnects, and caps such games per user', async () => {
    const server = await serve({ maxOpenGamesPerUser: 2 });
    const { raw: a } = await loggedIn(server.port);
    const { raw: b } = await loggedIn(server.port);
    expect(await a.request('CREATE GAME g1 -maxPlayers 2 -testgame')).toEqual(['OK']);
    expect(await a.request('CREATE GAME g2 -maxPlayers 2 -testgame')).toEqual(['OK']);
    expect(await a.request('CREATE GAME g3 -maxPlayers 2 -testgame')).toEqual([
      'ERROR: you have 2 games nobody has joined yet; join or wait for one of them first',
    ]);
    // Once someone is in g2 it no longer counts, and it stays when its creator goes.
    expect((await b.request('JOIN GAME g2')).at(-1)).toBe('OK');
    expect(await a.request('CREATE GAME g3 -maxPlayers 2 -testgame')).toEqual(['OK']);
    expect(server.stats().games).toBe(3);
    a.close();
    await a.until(() => a.closed);
    for (let i = 0; i < 100 && server.stats().games !== 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.stats().games).toBe(1);
  }, 20_000);

  it('keeps one color event per user in the history however often the color changes', async () => {
    const server = await serve({});
    const { raw: a } = await loggedIn(server.port);
    const { raw: b } = await loggedIn(server.port);
    await a.request('CREATE GAME colors -maxPlayers 2 -testgame');
    await a.request('JOIN GAME colors');
    await b.request('JOIN GAME colors');
    const colors = ['00FF00', '0000FF', 'ABCDEF'];
    const from = a.lines.length;
    for (let i = 0; i < 300; i++)
      a.send(`{"@action":"CHANGE_USER_COLOR","properties":{"entry":{"key":"color","value":"${colors[i % 3]}"}}}`);
    await a.until((l) => l.slice(from).filter((x) => x.includes('OK - CHANGE_USER_COLOR')).length === 300);
    const c = await loggedIn(server.port);
    const listed = (await c.raw.request('LIST GAMES'))[0]!;
    const count = Number(/EVENTS=(\d+)/.exec(listed)![1]);
    const join = await c.raw.request('JOIN GAME colors -visitor true');
    expect(join[0]).toBe(`SENDING ${count} EVENTS`);
    await c.raw.until((l) => l.filter((x) => x.startsWith('{')).length >= count);
    const colorEvents = c.raw.events().filter((e) => e['@prop'] === 'color' && e['@src']?.startsWith('User@'));
    expect(colorEvents).toHaveLength(1);
    expect(colorEvents[0]!['@nv']).toBe(colors[299 % 3]);
    expect(count).toBeLessThan(40);
  }, 20_000);

  it('plays the turn of a present player who lets the turn deadline pass, then prompts the next', async () => {
    const server = await serve({ turnTimeoutMs: 300 });
    const { raw: a } = await loggedIn(server.port);
    const { raw: b } = await loggedIn(server.port);
    await a.request('CREATE GAME slow -maxPlayers 2 -testgame -seed 5');
    await a.request('JOIN GAME slow');
    await b.request('JOIN GAME slow');
    const fromA = a.lines.length;
    const fromB = b.lines.length;
    a.send('{"@action":"START_GAME"}');
    // Nobody moves: after 300 ms the server plays seat 0's turn and prompts seat 1.
    await b.until((l) => l.slice(fromB).some((x) => x.includes('OK - drawCard')), 10_000);
    const notices = a
      .events(fromA)
      .filter((e) => e['@prop'] === 'USER_MESSAGE')
      .map((e) => e['@nv']);
    expect(notices).toContain('ERROR: TIMEOUT - turn not finished within 300ms: the server played it');
    const board = b.events(fromB).filter((e) => e['@prop'] === 'board' && e['@nv']);
    expect(board).toHaveLength(2);
    // A player who acts in time is not interrupted: seat 1 draws at once and is then prompted to place.
    b.send('{"@action":"DRAW_CARD"}');
    await b.until((l) => l.slice(fromB).some((x) => x.includes('OK - placeCard')));
    expect(b.events(fromB).some((e) => e['@nv']?.startsWith('ERROR: TIMEOUT'))).toBe(false);
  }, 20_000);
});

describe('Se1Client request matching', () => {
  let fake: Server | undefined;
  afterEach(() => fake?.close());

  /** A server that answers in order, `SLOW` after `slowMs`, anything else at once. */
  async function fakeServer(timeoutMs: number, slowMs: number): Promise<number> {
    fake = createServer((socket) => {
      socket.write(`SE1 Fake-Server 1.0, Timeout set to ${timeoutMs}ms\r\n`);
      let chain = Promise.resolve();
      let buffer = '';
      socket.on('data', (d) => {
        buffer += d.toString();
        for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
          const line = buffer.slice(0, i).replace(/\r$/, '');
          buffer = buffer.slice(i + 1);
          chain = chain.then(async () => {
            if (line === 'SLOW') await new Promise((r) => setTimeout(r, slowMs));
            if (!socket.destroyed) socket.write(line === 'NOOP' ? 'OK\r\n' : `REPLY TO=${line}\r\nOK\r\n`);
          });
        }
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => fake!.listen(0, '127.0.0.1', r));
    return (fake.address() as { port: number }).port;
  }

  it('drops the late reply of a timed-out request instead of giving it to the next one', async () => {
    // SLOW answers after 600 ms; its caller gives up at 400 and sends FAST at once, before that late reply.
    const port = await fakeServer(3_600_000, 600);
    const client = await Se1Client.connect({ host: '127.0.0.1', port, requestTimeoutMs: 400 });
    try {
      await expect(client.request('SLOW')).rejects.toThrow(/no reply to "SLOW" within 400 ms/);
      const next = await client.request('FAST');
      expect(next.lines).toEqual(['REPLY TO=FAST']);
    } finally {
      client.close();
    }
  }, 10_000);

  it('queues the keepalive NOOP behind a pending request: its OK does not end that reply', async () => {
    // Timeout 150 ms: a keepalive is due every 50 ms while SLOW takes 500 ms; FAST is sent while SLOW waits.
    // A NOOP sent then would be answered between SLOW's reply and FAST's, and its OK taken as FAST's reply.
    const port = await fakeServer(150, 500);
    const client = await Se1Client.connect({ host: '127.0.0.1', port, requestTimeoutMs: 5000 });
    try {
      const slow = client.request('SLOW');
      await new Promise((r) => setTimeout(r, 200));
      const fast = client.request('FAST');
      expect((await slow).lines).toEqual(['REPLY TO=SLOW']);
      expect((await fast).lines).toEqual(['REPLY TO=FAST']);
    } finally {
      client.close();
    }
  }, 10_000);
});
