import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carcassonneSe1, HELP_LINES, type Se1RunningServer, startSe1Server } from '../../src/protocols/se1/index.ts';
import { RawLines } from './helpers.ts';

let server: Se1RunningServer;
const open: RawLines[] = [];
const connectRaw = async () => {
  const c = await RawLines.open(server.port);
  open.push(c);
  await c.until((l) => l.length >= 1);
  return c;
};
beforeAll(async () => {
  server = await startSe1Server({
    port: 0,
    game: carcassonneSe1,
    settings: { seed: 'lobby', timeoutMs: 60_000, users: ':memory:', addUsers: ['akoch:secret:akoch@example.org:SE'] },
  });
});
afterAll(async () => {
  for (const c of open) c.close();
  await server.close();
});

async function testPlayer(c: RawLines) {
  const reply = await c.request('CREATE TESTPLAYER');
  const m = /^TEMPORARY USER NICK=(\S+) PASSWORD=(\S+)$/.exec(reply[0]!);
  expect(m, reply.join('\n')).not.toBeNull();
  return { nick: m![1]!, password: m![2]! };
}

describe('SE1 lobby (scripted plain-text session)', () => {
  it('walks through every lobby command', async () => {
    const a = await connectRaw();
    expect(a.lines[0]).toBe('SE1 Carcassonne-Server 1.0, Timeout set to 60000ms');
    expect(await a.request('help')).toEqual([...HELP_LINES, 'OK']);
    expect(await a.request('help create testplayer')).toEqual([
      'Creates a temporary user e.g. for testing purposes. This user exists at least for 24h hours or until the next server restart',
      'Usage: "CREATE TESTPLAYER"',
      'OK',
    ]);
    expect(await a.request('HELP FLY')).toEqual(['ERROR: no help for "FLY"']);
    expect(await a.request('NOOP')).toEqual(['OK']);
    expect(await a.request('LIST GAMES')).toEqual(['ERROR: please login first']);
    expect(await a.request('login akoch wrong')).toEqual(['ERROR: wrong login or password']);
    expect(await a.request('login akoch@example.org secret')).toEqual([
      'USER NICK=akoch EMAIL=akoch@example.org ROLE=SE',
      expect.stringMatching(/^TEAM NAME=SE ID=[0-9a-f]+$/),
      'OK',
    ]);
    expect(await a.request('login akoch secret')).toEqual(['ERROR: already logged in as akoch']);
    expect((await a.request('ID'))[0]).toBe('USER NICK=akoch EMAIL=akoch@example.org ROLE=SE');
    expect(await a.request('LIST GAMES')).toEqual(['NO GAMES IN PROGRESS', 'OK']);
    expect(await a.request('LIST MAPS')).toEqual(['MAP NAME=standard VERSION=1 CREATOR=botswarm', 'OK']);
    const map = await a.request('DOWNLOAD MAP standard');
    expect(map[0]).toBe(`SENDING ${Buffer.byteLength(map[1]!)} BYTES`);
    expect(JSON.parse(map[1]!).tiles.V).toBe(9);
    expect(await a.request('DOWNLOAD MAP moon')).toEqual(['ERROR: no map named moon']);
    // Without a byte count no map line is announced: refused at once (maps.test.ts has the real uploads).
    expect((await a.request('UPLOAD MAP'))[0]).toMatch(/^ERROR: usage: UPLOAD MAP <mapname> <bytes>/);
    expect((await a.request('CHANGELOG')).at(-1)).toBe('OK');

    const b = await connectRaw();
    const tp = await testPlayer(b);
    expect(await b.request(`LOGIN ${tp.nick} ${tp.password}`)).toEqual([
      `USER NICK=${tp.nick} EMAIL=${tp.nick}@localhost ROLE=TEST`,
      expect.stringMatching(/^TEAM NAME=TEST ID=/),
      'OK',
    ]);
    expect(await a.request('LIST USERS')).toEqual([
      'USER NICK=akoch TEAM=SE STATE=LOBBY',
      `USER NICK=${tp.nick} TEAM=TEST STATE=LOBBY`,
      'OK',
    ]);
    expect((await a.request('LIST TEAMS')).length).toBe(3);

    // Chat in the lobby.
    expect(await a.request(`MSG USER ${tp.nick} hello there`)).toEqual(['OK']);
    await b.until((l) => l.includes('MSG FROM akoch TO YOU: "hello there"'));
    expect(await b.request('MSG ALL good morning')).toEqual(['OK']);
    await a.until((l) => l.includes(`MSG FROM ${tp.nick} TO ALL: "good morning"`));
    expect(await b.request('MSG TEAM SE hi team')).toEqual(['OK']);
    await a.until((l) => l.includes(`MSG FROM ${tp.nick} TO TEAM: "hi team"`));
    expect(await a.request('MSG USER nobody hi')).toEqual(['ERROR: no user named nobody online']);

    // Games.
    expect(await a.request('CREATE GAME g1')).toEqual([
      'ERROR: usage: CREATE GAME <gamename> -maxPlayers <count> (-map <mapname>)? (-testgame)? (-seed <seed>)?',
    ]);
    expect(await a.request('CREATE GAME g1 -maxPlayers 9')).toEqual(['ERROR: -maxPlayers must be 2 to 5']);
    expect(await a.request('CREATE GAME g1 -maxPlayers 2')).toEqual(['OK']);
    expect(await a.request('CREATE GAME g1 -maxPlayers 2')).toEqual(['ERROR: game g1 already exists']);
    expect(await a.request('CREATE GAME t1 -maxPlayers 2 -testgame -seed 5')).toEqual(['OK']);
    expect(await a.request('LIST GAMES')).toEqual([
      'GAME NAME=g1 EVENTS=5 MAPNAME=standard PLAYERS=0/2 STATUS=JOINING TESTGAME=false',
      'GAME NAME=t1 EVENTS=5 MAPNAME=standard PLAYERS=0/2 STATUS=JOINING TESTGAME=true',
      'OK',
    ]);
    expect(await b.request('JOIN GAME g1')).toEqual(['ERROR: temporary users may only join test games']);
    expect(await b.request('JOIN GAME nope')).toEqual(['ERROR: no game named nope']);

    // JOIN GAME: SENDING n EVENTS, OK, the n events, then JSON.
    const start = a.lines.length;
    a.send('JOIN GAME t1');
    await a.until((l) => l.length >= start + 2 + 5);
    expect(a.lines.slice(start, start + 2)).toEqual(['SENDING 5 EVENTS', 'OK']);
    const replay = a.events(start);
    expect(replay.slice(0, 5).map((e) => e['@prop'])).toEqual(['name', 'map', 'maxPlayers', 'testgame', 'status']);
    expect(replay[0]!['@src']).toMatch(/^Game@[0-9a-f]+$/);
    expect(replay[0]!['@ts']).toMatch(/^\d+$/);

    const b0 = b.lines.length;
    b.send('JOIN GAME t1');
    await b.until((l) => l.length >= b0 + 2 + 9);
    expect(b.lines[b0]).toBe('SENDING 9 EVENTS');
    // Both players in: seat 0 is told it may start.
    await a.until((l) => l.some((x) => x.includes('"OK - startGame"')));
  });

  it('answers every garbage line with exactly one OK or ERROR reply, and keeps serving', async () => {
    const c = await connectRaw();
    const lines = fc.sample(
      fc.oneof(
        fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' ')),
        fc.constantFrom(
          'LOGIN',
          'LOGIN a',
          'CREATE',
          'CREATE GAME',
          'JOIN',
          'LIST',
          'LIST FOO',
          'MSG',
          'HELP LOGIN',
          'ID',
        ),
      ),
      { numRuns: 150, seed: 7 },
    );
    for (const line of lines) {
      const reply = await c.request(line);
      const last = reply.at(-1)!;
      expect(last === 'OK' || last.startsWith('ERROR'), `${JSON.stringify(line)} -> ${reply.join(' | ')}`).toBe(true);
    }
    c.send('x'.repeat(10_000));
    await c.until((l) => l.at(-1)!.startsWith('ERROR: line longer than'));
    expect(await c.request('NOOP')).toEqual(['OK']);
  });

  it('times out a silent connection with an ERROR line', async () => {
    const quick = await startSe1Server({ port: 0, game: carcassonneSe1, settings: { timeoutMs: 300 } });
    try {
      const c = await RawLines.open(quick.port);
      open.push(c);
      await c.until(() => c.closed, 5000);
      expect(c.lines).toEqual([
        'SE1 Carcassonne-Server 1.0, Timeout set to 300ms',
        'ERROR: timeout after 300ms without a command',
      ]);
    } finally {
      await quick.close();
    }
  });
});
