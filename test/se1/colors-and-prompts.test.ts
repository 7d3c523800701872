import { afterEach, describe, expect, it } from 'vitest';
import {
  carcassonneSe1,
  DEFAULT_COLORS,
  encodeCommand,
  type Se1RunningServer,
  startSe1Server,
} from '../../src/protocols/se1/index.ts';
import { notices, type RawLines, testPlayer } from './helpers.ts';

const running: Se1RunningServer[] = [];
const raws: RawLines[] = [];
afterEach(async () => {
  for (const r of raws.splice(0)) r.close();
  for (const s of running.splice(0)) await s.close();
});

async function serve() {
  const server = await startSe1Server({ port: 0, game: carcassonneSe1, settings: { seed: 'colors' } });
  running.push(server);
  return server;
}

const player = (port: number) => testPlayer(port, raws);

describe('SE1 player colours', () => {
  it('gives each player a distinct documented default, the first one no other player wears', async () => {
    const s = await serve();
    const [a, b, c, d] = [await player(s.port), await player(s.port), await player(s.port), await player(s.port)];
    await a.request('CREATE GAME colors -maxPlayers 4 -testgame');
    for (const r of [a, b, c]) expect(await r.request('JOIN GAME colors')).toContain('OK');
    const playerColors = (r: RawLines) =>
      r
        .events()
        .filter((e) => e['@src']?.startsWith('Player@') && e['@prop'] === 'color')
        .map((e) => e['@nv']);
    await c.until(() => playerColors(c).length === 3);
    expect(playerColors(c)).toEqual(['FF0000', '0000FF', '00A000']);
    expect(DEFAULT_COLORS.slice(0, 3)).toEqual(['FF0000', '0000FF', '00A000']);
    // The second player leaves before the start: the next to join wears the colour that became free.
    b.send(encodeCommand('LEAVE_GAME'));
    await b.until((l) => l.at(-1) === 'OK');
    expect(await d.request('JOIN GAME colors')).toContain('OK');
    await c.until(() => playerColors(c).length === 4);
    expect(playerColors(c)[3]).toBe('0000FF');
  });

  it('a CHANGE_USER_COLOR event’s @ov is the last colour sent for that user (none before the first change)', async () => {
    const s = await serve();
    const [a, b] = [await player(s.port), await player(s.port)];
    await a.request('CREATE GAME recolor -maxPlayers 2 -testgame');
    for (const r of [a, b]) expect(await r.request('JOIN GAME recolor')).toContain('OK');
    const userColors = () => b.events().filter((e) => e['@src']?.startsWith('User@') && e['@prop'] === 'color');
    a.send(encodeCommand('CHANGE_USER_COLOR', [['color', 'abcdef']]));
    await b.until(() => userColors().length === 1);
    a.send(encodeCommand('CHANGE_USER_COLOR', [['color', '123456']]));
    await b.until(() => userColors().length === 2);
    const [first, second] = userColors();
    expect(first!['@nv']).toBe('ABCDEF');
    expect(first).not.toHaveProperty('@ov');
    expect(second!['@nv']).toBe('123456');
    expect(second!['@ov']).toBe('ABCDEF');
    // A late visitor gets the latest colour only, and no @ov it never saw.
    const v = await player(s.port);
    const joined = await v.request('JOIN GAME recolor -visitor true');
    expect(joined[0]).toMatch(/^SENDING \d+ EVENTS$/);
    await v.until(() => v.events().some((e) => e['@src']?.startsWith('User@') && e['@prop'] === 'color'));
    const seen = v.events().filter((e) => e['@src']?.startsWith('User@') && e['@prop'] === 'color');
    expect(seen).toHaveLength(1);
    expect(seen[0]!['@nv']).toBe('123456');
    expect(seen[0]).not.toHaveProperty('@ov');
  });
});

describe('SE1 prompts', () => {
  it('seat 0 moves first, and a player leaving out of turn does not repeat the current player’s prompt', async () => {
    const s = await serve();
    const [a, b, c] = [await player(s.port), await player(s.port), await player(s.port)];
    await a.request('CREATE GAME prompts -maxPlayers 3 -testgame');
    for (const r of [a, b, c]) expect(await r.request('JOIN GAME prompts')).toContain('OK');
    a.send(encodeCommand('START_GAME'));
    await a.until(() => notices(a).includes('OK - drawCard'));
    const events = a.events();
    const firstPlayer = events.find((e) => e['@src']?.startsWith('Game@') && e['@prop'] === 'players')!['@nv'];
    const seat0 = events.find((e) => e['@src'] === firstPlayer && e['@prop'] === 'seat');
    expect(seat0?.['@nv']).toBe('0');
    expect(events.find((e) => e['@prop'] === 'currentPlayer')?.['@nv']).toBe(firstPlayer);
    c.send(encodeCommand('LEAVE_GAME'));
    await a.until(() => a.events().some((e) => e['@prop'] === 'left'));
    // A round trip on a's own connection after the leave: anything the leave made the server send a came first.
    a.send(encodeCommand('MESSAGE', [['message', 'still there?']]));
    await a.until(() => notices(a).includes('OK - MESSAGE'));
    expect(notices(a).filter((n) => n === 'OK - drawCard')).toHaveLength(1);
    // The game goes on: a draws and is prompted for the next step exactly once.
    a.send(encodeCommand('DRAW_CARD'));
    await a.until(() => notices(a).includes('OK - placeCard'));
    expect(notices(a).filter((n) => n.startsWith('OK - '))).toEqual([
      'OK - startGame',
      'OK - startGame',
      'OK - START_GAME',
      'OK - drawCard',
      'OK - MESSAGE',
      'OK - DRAW_CARD',
      'OK - placeCard',
    ]);
  });
});
