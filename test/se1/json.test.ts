import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandError,
  carcassonneSe1,
  decodeCommand,
  encodeCommand,
  parseJsonNode,
  parseNotice,
  type Se1RunningServer,
  startSe1Server,
} from '../../src/protocols/se1/index.ts';
import { RawLines } from './helpers.ts';

describe('SE1 command decoding', () => {
  it('reads all three entry forms, keeping duplicate keys', () => {
    const single = decodeCommand(
      '{"@action":"CHANGE_USER_COLOR","properties":{"entry":{"key":"color","value":"FFFF00"}}}',
    );
    expect(single).toEqual({ action: 'CHANGE_USER_COLOR', properties: [['color', 'FFFF00']] });
    const array = decodeCommand(
      '{"@action":"PLACE_CARD","properties":{"entry":[{"key":"neighbor","value":"Field@b2d54e6"},{"key":"orientation","value":"NORTH"},{"key":"rotation","value":"R90"}]}}',
    );
    expect(array.properties).toEqual([
      ['neighbor', 'Field@b2d54e6'],
      ['orientation', 'NORTH'],
      ['rotation', 'R90'],
    ]);
    // The SS12 form: "entry" three times in one object. JSON.parse would keep only the last.
    const dup =
      '{"@action":"MESSAGE","properties":{"entry":{"key":"message","value":"Hallo"},"entry":{"key":"audience","value":"USER"},"entry":{"key":"recipient","value":"zenobios"}}}';
    expect(Object.keys(JSON.parse(dup).properties)).toHaveLength(1);
    expect(decodeCommand(dup)).toEqual({
      action: 'MESSAGE',
      properties: [
        ['message', 'Hallo'],
        ['audience', 'USER'],
        ['recipient', 'zenobios'],
      ],
    });
    expect(
      decodeCommand('{"@action":"MESSAGE","@id":"0","properties":{"entry":[{"key":"message","value":"x"}]}}').id,
    ).toBe('0');
    expect(decodeCommand('{"@action":"DRAW_CARD"}')).toEqual({ action: 'DRAW_CARD', properties: [] });
  });

  it('round-trips commands and agrees with JSON.parse on valid JSON', () => {
    const pair = fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), fc.array(pair, { maxLength: 5 }), (action, props) => {
        expect(decodeCommand(encodeCommand(action, props))).toEqual({ action, properties: props });
      }),
      { numRuns: 200 },
    );
    const plain = (n: ReturnType<typeof parseJsonNode>): unknown => {
      switch (n.kind) {
        case 'object':
          return Object.fromEntries(n.entries.map(([k, v]) => [k, plain(v)]));
        case 'array':
          return n.items.map(plain);
        case 'null':
          return null;
        default:
          return n.value;
      }
    };
    fc.assert(
      fc.property(fc.json({ depthSize: 'small' }), (text) => {
        expect(plain(parseJsonNode(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 200 },
    );
  });

  it('rejects broken input with a CommandError, never anything else', () => {
    for (const bad of [
      '',
      '{',
      '{"@action":}',
      '[1,2]',
      '{"properties":{}}',
      '{"@action":"X","properties":{"entry":5}}',
      '{"a":1}x',
    ]) {
      expect(() => decodeCommand(bad), bad).toThrow(CommandError);
    }
    expect(() => decodeCommand(`${'['.repeat(100)}${']'.repeat(100)}`)).toThrow(CommandError);
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          decodeCommand(text);
        } catch (error) {
          expect(error).toBeInstanceOf(CommandError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

let server: Se1RunningServer;
const open: RawLines[] = [];
beforeAll(async () => {
  server = await startSe1Server({ port: 0, game: carcassonneSe1, settings: { seed: 'json', timeoutMs: 60_000 } });
});
afterAll(async () => {
  for (const c of open) c.close();
  await server.close();
});

async function player(game: string, create?: string) {
  const c = await RawLines.open(server.port);
  open.push(c);
  await c.until((l) => l.length >= 1);
  const reply = await c.request('CREATE TESTPLAYER');
  const [, nick, password] = /NICK=(\S+) PASSWORD=(\S+)/.exec(reply[0]!)!;
  await c.request(`LOGIN ${nick} ${password}`);
  if (create) expect(await c.request(create)).toEqual(['OK']);
  const n = c.lines.length;
  c.send(`JOIN GAME ${game}`);
  await c.until((l) => l.length > n + 1 && l[n + 1] === 'OK');
  return { c, nick: nick! };
}

const notices = (c: RawLines, from = 0) =>
  c
    .events(from)
    .map((e) => parseNotice({ ts: e['@ts']!, src: e['@src']!, prop: e['@prop']!, nv: e['@nv'] }))
    .filter((n) => n !== undefined)
    .map((n) => `${n!.kind === 'ok' ? 'OK - ' : 'ERROR: '}${n!.type}${n!.message ? ` - ${n!.message}` : ''}`);

async function expectNotice(c: RawLines, from: number, pattern: RegExp) {
  await c.until(() => notices(c, from).some((n) => pattern.test(n)));
}

describe('SE1 JSON layer on a live game', () => {
  it('plays turns, answers bad commands with ERROR events and leaves other games alone', async () => {
    const { c: a } = await player('j1', 'CREATE GAME j1 -maxPlayers 2 -testgame -seed 3');
    const { c: b, nick: bNick } = await player('j1');
    const { c: other } = await player('j2', 'CREATE GAME j2 -maxPlayers 2 -testgame');
    const otherBefore = other.lines.length;

    let mark = a.lines.length;
    a.send('this is not json');
    await expectNotice(a, mark, /^ERROR: PARSE - broken JSON/);
    a.send('{"@action":"FLY"}');
    await expectNotice(a, mark, /^ERROR: FLY - unknown action/);
    a.send('{"@action":"DRAW_CARD"}');
    await expectNotice(a, mark, /^ERROR: DRAW_CARD - the game is joining/);
    b.send('{"@action":"START_GAME"}');
    mark = a.lines.length;
    await expectNotice(a, mark, /^OK - drawCard$/);
    // Out of turn.
    const bMark = b.lines.length;
    b.send('{"@action":"DRAW_CARD"}');
    await expectNotice(b, bMark, /^ERROR: DRAW_CARD - it is not your turn/);

    a.send('{"@action":"DRAW_CARD"}');
    await expectNotice(a, mark, /^OK - placeCard$/);
    const events = a.events();
    const start = events.find((e) => e['@prop'] === 'board')!['@nv']!;
    // Unknown and foreign ids.
    a.send(
      encodeCommand('PLACE_CARD', [
        ['neighbor', 'Field@fffffff'],
        ['orientation', 'NORTH'],
        ['rotation', 'R0'],
      ]),
    );
    await expectNotice(a, mark, /^ERROR: PLACE_CARD - Field@fffffff is not a field of this game/);
    a.send(
      encodeCommand('PLACE_CARD', [
        ['neighbor', start],
        ['orientation', 'UP'],
      ]),
    );
    await expectNotice(a, mark, /^ERROR: PLACE_CARD - orientation must be/);
    // Try every side and rotation until one fits (the others are refused with the reason).
    let placed = false;
    for (const side of ['NORTH', 'EAST', 'SOUTH', 'WEST']) {
      for (const rot of ['R0', 'R90', 'R180', 'R270']) {
        const m = a.lines.length;
        a.send(
          // The old duplicate-key form, as SS12 clients wrote it.
          `{"@action":"PLACE_CARD","properties":{"entry":{"key":"neighbor","value":"${start}"},"entry":{"key":"orientation","value":"${side}"},"entry":{"key":"rotation","value":"${rot}"}}}`,
        );
        await a.until(() => notices(a, m).length > 0);
        if (notices(a, m)[0] === 'OK - PLACE_CARD') {
          placed = true;
          break;
        }
        expect(notices(a, m)[0]).toMatch(/^ERROR: PLACE_CARD - /);
      }
      if (placed) break;
    }
    expect(placed).toBe(true);
    mark = a.lines.length;
    const meeple = a.events().find((e) => e['@prop'] === 'owner')!['@src']!;
    a.send(
      encodeCommand('PLACE_MEEPLE', [
        ['meeple', meeple],
        ['position', '99'],
      ]),
    );
    await expectNotice(a, mark, /^ERROR: PLACE_MEEPLE - position 99 cannot take a meeple/);
    a.send(
      encodeCommand('PLACE_MEEPLE', [
        ['meeple', 'Meeple@1'],
        ['position', '0'],
      ]),
    );
    await expectNotice(a, mark, /^ERROR: PLACE_MEEPLE - Meeple@1 is not one of your meeples/);
    a.send('{"@action":"END_TURN"}');
    await expectNotice(b, bMark, /^OK - drawCard$/);

    // Chat in the game, by the audience table.
    mark = b.lines.length;
    a.send(encodeCommand('MESSAGE', [['message', 'hi all']]));
    await b.until(() => b.events(mark).some((e) => e['@prop'] === 'PUBLIC_MESSAGE' && e['@nv'] === 'hi all'));
    const am = a.lines.length;
    a.send(
      encodeCommand('MESSAGE', [
        ['message', 'x'],
        ['recipient', bNick],
      ]),
    );
    await expectNotice(a, am, /^ERROR: MESSAGE - audience \(none\) takes no recipient/);
    a.send(
      encodeCommand('MESSAGE', [
        ['message', 'x'],
        ['audience', 'USER'],
      ]),
    );
    await expectNotice(a, am, /^ERROR: MESSAGE - audience USER needs a recipient/);
    a.send(
      encodeCommand('MESSAGE', [
        ['message', 'psst'],
        ['audience', 'USER'],
        ['recipient', bNick],
      ]),
    );
    await b.until(() => b.events(mark).some((e) => e['@prop'] === 'USER_MESSAGE' && e['@nv'] === 'psst'));
    a.send(
      encodeCommand('MESSAGE', [
        ['message', 'team'],
        ['audience', 'TEAM'],
      ]),
    );
    await b.until(() => b.events(mark).some((e) => e['@prop'] === 'TEAM_MESSAGE' && e['@nv'] === 'team'));
    a.send(encodeCommand('CHANGE_USER_COLOR', [['color', 'FFFF00']]));
    await b.until(() => b.events(mark).some((e) => e['@prop'] === 'color' && e['@nv'] === 'FFFF00'));
    a.send(encodeCommand('CHANGE_USER_COLOR', [['color', 'yellow']]));
    await expectNotice(a, am, /^ERROR: CHANGE_USER_COLOR - color must be six hex digits/);

    // None of this reached the other game (its player is a test player too, so it got the TEST team's message).
    expect(other.lines.slice(otherBefore).filter((l) => !l.includes('TEAM_MESSAGE'))).toEqual([]);

    // b leaves: its turns are played by the server; a keeps playing alone until the end.
    mark = a.lines.length;
    b.send('{"@action":"LEAVE_GAME"}');
    await b.until((l) => l.at(-1) === 'OK');
    await expectNotice(a, mark, /^OK - drawCard$/);
    expect(a.events(mark).some((e) => e['@prop'] === 'left' && e['@nv'] === 'true')).toBe(true);
    expect(await b.request('LIST GAMES')).toContain('OK');
  }, 60_000);
});
