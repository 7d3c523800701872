import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBots } from '../../src/bots/resolve.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runMatch } from '../../src/core/match.ts';
import { carcassonneEngine } from '../../src/games/carcassonne/index.ts';
import {
  carcassonneSe1,
  playOnline,
  Se1Client,
  type Se1Event,
  type Se1RunningServer,
  startSe1Server,
} from '../../src/protocols/se1/index.ts';
import { RawLines } from './helpers.ts';

/** 14 tiles around a crossroads start. */
const SMALL = '{"start":"X","tiles":{"B":3,"U":6,"V":4,"X":1}}';
const bytes = (s: string) => Buffer.byteLength(s);

const dir = mkdtempSync(join(tmpdir(), 'botswarm-se1-maps-'));
let server: Se1RunningServer;
beforeAll(async () => {
  server = await startSe1Server({
    port: 0,
    game: carcassonneSe1,
    settings: { seed: 'maps', timeoutMs: 60_000 },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function loggedIn(port = server.port): Promise<{ raw: RawLines; nick: string }> {
  const raw = await RawLines.open(port);
  await raw.until((l) => l.length >= 1);
  const created = await raw.request('CREATE TESTPLAYER');
  const nick = /NICK=(\S+)/.exec(created[0]!)![1]!;
  const password = /PASSWORD=(\S+)/.exec(created[0]!)![1]!;
  expect((await raw.request(`LOGIN ${nick} ${password}`)).at(-1)).toBe('OK');
  return { raw, nick };
}

/** The header and the map line, written in one go; the reply block of the pair. */
async function upload(raw: RawLines, header: string, content: string): Promise<string[]> {
  const start = raw.lines.length;
  raw.socket.write(`${header}\r\n${content}\r\n`);
  await raw.until((l) => l.slice(start).some((x) => x === 'OK' || x.startsWith('ERROR')));
  const rest = raw.lines.slice(start);
  return rest.slice(0, rest.findIndex((x) => x === 'OK' || x.startsWith('ERROR')) + 1);
}

describe('UPLOAD MAP over a socket', () => {
  it('uploads, lists and downloads byte for byte; replaces only your own map, with the next version', async () => {
    const { raw: a, nick } = await loggedIn();
    expect(await upload(a, `UPLOAD MAP small ${bytes(SMALL)}`, SMALL)).toEqual([
      `MAP NAME=small VERSION=1 CREATOR=${nick}`,
      'OK',
    ]);
    expect(await a.request('LIST MAPS')).toEqual([
      'MAP NAME=standard VERSION=1 CREATOR=botswarm',
      `MAP NAME=small VERSION=1 CREATOR=${nick}`,
      'OK',
    ]);
    expect(await a.request('DOWNLOAD MAP small')).toEqual([`SENDING ${bytes(SMALL)} BYTES`, SMALL, 'OK']);
    // The uploaded bytes are kept as sent (here: other key order, spaces), not re-encoded.
    const spaced = '{ "tiles": {"X": 1, "U": 9}, "start": "X" }';
    expect(await upload(a, `upload map small ${bytes(spaced)}`, spaced)).toEqual([
      `MAP NAME=small VERSION=2 CREATOR=${nick}`,
      'OK',
    ]);
    expect((await a.request('DOWNLOAD MAP small'))[1]).toBe(spaced);
    expect(await upload(a, `UPLOAD MAP small ${bytes(SMALL)}`, SMALL)).toEqual([
      `MAP NAME=small VERSION=3 CREATOR=${nick}`,
      'OK',
    ]);

    const { raw: b } = await loggedIn();
    expect(await upload(b, `UPLOAD MAP small ${bytes(SMALL)}`, SMALL)).toEqual([`ERROR: map small belongs to ${nick}`]);
    expect((await b.request('DOWNLOAD MAP small'))[1]).toBe(SMALL);
    a.close();
    b.close();
  }, 30_000);

  it('refuses bad uploads with one ERROR each and keeps the connection working', async () => {
    const { raw } = await loggedIn();
    const bad = '{"start":"D","tiles":{"D":4,"Z":2}}';
    const noStart = '{"start":"D","tiles":{"U":5}}';
    const onlyStart = '{"start":"D","tiles":{"D":1}}';
    const cases: [string, string, string][] = [
      [
        `UPLOAD MAP m1 ${bytes(SMALL) + 3}`,
        SMALL,
        `ERROR: the map is ${bytes(SMALL)} bytes, UPLOAD MAP announced ${bytes(SMALL) + 3}`,
      ],
      ['UPLOAD MAP m1 9', 'not json!', ''],
      [`UPLOAD MAP m1 ${bytes(bad)}`, bad, 'ERROR: bad map: unknown tile kind "Z" (known: A..X)'],
      [
        `UPLOAD MAP m1 ${bytes(noStart)}`,
        noStart,
        'ERROR: bad map: the start tile D is one of the tiles: "tiles" needs D at least 1',
      ],
      [
        `UPLOAD MAP m1 ${bytes(onlyStart)}`,
        onlyStart,
        'ERROR: bad map: a map needs at least one tile besides the start tile',
      ],
      [`UPLOAD MAP standard ${bytes(SMALL)}`, SMALL, 'ERROR: map standard is built in and cannot be replaced'],
      [
        `UPLOAD MAP a/b ${bytes(SMALL)}`,
        SMALL,
        `ERROR: a map name is 1 to 40 letters, digits, '-', '_' or '.', got "a/b"`,
      ],
    ];
    for (const [header, content, reply] of cases) {
      const got = await upload(raw, header, content);
      if (reply) expect(got).toEqual([reply]);
      else expect(got[0]).toMatch(/^ERROR: bad map: not JSON/);
    }
    // Bytes that are not UTF-8 (here 0xFF in place of a count) are refused, not stored as replacement characters.
    const notUtf8 = Buffer.concat([
      Buffer.from('{"start":"X","tiles":{"X":1,"U":'),
      Buffer.from([0xff]),
      Buffer.from('}}'),
    ]);
    const before = raw.lines.length;
    raw.socket.write(Buffer.concat([Buffer.from(`UPLOAD MAP m1 ${notUtf8.length}\r\n`), notUtf8, Buffer.from('\r\n')]));
    await raw.until((l) => l.slice(before).some((x) => x === 'OK' || x.startsWith('ERROR')));
    expect(raw.lines.slice(before)).toEqual(['ERROR: bad map: not UTF-8']);
    // Refused at the header: no map line is read, so the next line is a command again.
    expect(await raw.request('UPLOAD MAP m1')).toEqual([
      'ERROR: usage: UPLOAD MAP <mapname> <bytes>, then the map as one line',
    ]);
    expect(await raw.request('UPLOAD MAP m1 0')).toEqual([
      'ERROR: usage: UPLOAD MAP <mapname> <bytes>, then the map as one line',
    ]);
    expect(await raw.request('UPLOAD MAP m1 9000')).toEqual(['ERROR: a map is at most 8192 bytes']);
    expect(await raw.request('NOOP')).toEqual(['OK']);
    // A map line over the line limit ends its upload; the line after it is a command.
    expect(await upload(raw, 'UPLOAD MAP m1 8192', 'x'.repeat(9000))).toEqual(['ERROR: line longer than 8192 bytes']);
    expect(await raw.request('NOOP')).toEqual(['OK']);
    expect(await raw.request('LIST MAPS')).not.toContainEqual(expect.stringContaining('NAME=m1 '));
    raw.close();

    // Before login the map line is still read (one reply for the pair), then refused.
    const anon = await RawLines.open(server.port);
    await anon.until((l) => l.length >= 1);
    expect(await upload(anon, `UPLOAD MAP m2 ${bytes(SMALL)}`, SMALL)).toEqual(['ERROR: please login first']);
    expect(await anon.request('NOOP')).toEqual(['OK']);
    anon.close();
  }, 30_000);

  it('keeps at most maxMaps uploaded maps; replacing one is still allowed', async () => {
    const small = await startSe1Server({ port: 0, game: carcassonneSe1, settings: { seed: 'm', maxMaps: 2 } });
    const { raw } = await loggedIn(small.port);
    for (const name of ['one', 'two'])
      expect((await upload(raw, `UPLOAD MAP ${name} ${bytes(SMALL)}`, SMALL)).at(-1)).toBe('OK');
    expect(await upload(raw, `UPLOAD MAP three ${bytes(SMALL)}`, SMALL)).toEqual(['ERROR: too many maps (2)']);
    expect((await upload(raw, `UPLOAD MAP two ${bytes(SMALL)}`, SMALL))[0]).toMatch(/^MAP NAME=two VERSION=2 /);
    raw.close();
    await small.close();
  }, 30_000);
});

describe('games on an uploaded map', () => {
  it('CREATE GAME -map uses the uploaded deck: start tile X, 13 cards to draw', async () => {
    const { raw: a } = await loggedIn();
    await upload(a, `UPLOAD MAP cross ${bytes(SMALL)}`, SMALL);
    expect(await a.request('CREATE GAME g1 -maxPlayers 2 -map nowhere -testgame')).toEqual([
      'ERROR: no map named nowhere',
    ]);
    expect(await a.request('CREATE GAME g1 -maxPlayers 2 -map cross -testgame')).toEqual(['OK']);
    expect(await a.request('LIST GAMES')).toContainEqual(expect.stringMatching(/^GAME NAME=g1 .*MAPNAME=cross /));
    const { raw: b } = await loggedIn();
    expect((await a.request('JOIN GAME g1')).at(-1)).toBe('OK');
    expect((await b.request('JOIN GAME g1')).at(-1)).toBe('OK');
    const from = a.lines.length;
    a.send('{"@action":"START_GAME"}');
    await a.until((l) => l.slice(from).some((x) => x.includes('OK - drawCard')));
    const events = a.events(from);
    const startCard = events.find((e) => e['@src']?.startsWith('Card@') && e['@prop'] === 'type');
    expect(startCard?.['@nv']).toBe('X');
    expect(events.find((e) => e['@prop'] === 'cardsLeft')?.['@nv']).toBe('13');
    a.close();
    b.close();
  }, 30_000);

  it('botswarm play --set deck=... --connect uploads the deck and plays it to the end, as offline', async () => {
    for (const [specs, seed] of [
      [['greedy', 'random'], 21],
      [['random', 'random', 'greedy'], 22],
    ] as const) {
      const settings = { deck: JSON.parse(SMALL) };
      const bots = await resolveBots([...specs], 'carcassonne');
      const offline = await runMatch({
        engine: carcassonneEngine,
        config: carcassonneEngine.parseConfig(settings),
        players: bots.map((b) => b.create()),
        seed,
      });
      const online = await playOnline({
        host: server.host,
        port: server.port,
        bots,
        seed,
        settings,
        budget: { iterations: 1000 },
        log: silentLogger,
        timeoutMs: 60_000,
      });
      expect(online.errors).toEqual([]);
      expect(online.result).toEqual(offline.result);
      const events = online.events as Se1Event[];
      const placed = events.filter((e) => e.src.startsWith('Game@') && e.prop === 'board' && e.nv);
      const discarded = events.filter((e) => e.prop === 'discarded');
      expect(placed.length + discarded.length).toBe(14);
    }
    // Both games used one uploaded map (named after its content), uploaded once.
    const client = await Se1Client.connect({ host: server.host, port: server.port });
    const tp = await client.createTestPlayer();
    await client.login(tp.nick, tp.password);
    const decks = (await client.listMaps()).filter((m) => m.name.startsWith('deck-'));
    expect(decks).toEqual([expect.objectContaining({ version: '1' })]);
    expect(await client.downloadMap(decks[0]!.name)).toBe(SMALL);
    client.close();
  }, 90_000);
});

describe('map storage', () => {
  it('keeps uploaded maps in the users file across a restart', async () => {
    const users = join(dir, 'users.sqlite');
    const first = await startSe1Server({ port: 0, game: carcassonneSe1, settings: { seed: 's', users } });
    const c1 = await Se1Client.connect({ host: first.host, port: first.port });
    const tp = await c1.createTestPlayer();
    await c1.login(tp.nick, tp.password);
    expect(await c1.uploadMap('kept', SMALL)).toBe('1');
    await expect(c1.uploadMap('bad', '{"start":"D"}')).rejects.toThrow(/^bad map: "tiles" must be an object/);
    expect(await c1.request('NOOP')).toEqual({ lines: [] });
    c1.close();
    await first.close();

    const second = await startSe1Server({ port: 0, game: carcassonneSe1, settings: { seed: 's', users } });
    const c2 = await Se1Client.connect({ host: second.host, port: second.port });
    const tp2 = await c2.createTestPlayer();
    await c2.login(tp2.nick, tp2.password);
    expect(await c2.listMaps()).toEqual([
      { name: 'standard', version: '1', creator: 'botswarm' },
      { name: 'kept', version: '1', creator: tp.nick },
    ]);
    expect(await c2.downloadMap('kept')).toBe(SMALL);
    c2.close();
    await second.close();
  }, 30_000);
});
