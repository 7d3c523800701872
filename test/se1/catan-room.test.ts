/**
 * The SE1 Catan room against hostile and careless clients: broken JSON, commands out of turn, illegal builds,
 * Cities & Knights commands under rules=base, players who vanish; and the promise of the wire model: a
 * player's own cards go to that player only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBots } from '../../src/bots/resolve.ts';
import { silentLogger } from '../../src/core/log.ts';
import { createRng } from '../../src/core/rng.ts';
import { catanEngine, formatMapFile, randomBoard, TERRAIN_NAMES } from '../../src/games/catan/index.ts';
import { catanSe1, catanSe1Game } from '../../src/protocols/se1/catan.ts';
import { playOnline as playCatanOnline } from '../../src/protocols/se1/catan-online.ts';
import { encodeCommand, type Se1RunningServer, startSe1Server } from '../../src/protocols/se1/index.ts';
import { lastValue, notices, RawLines, testPlayer } from './helpers.ts';

const running: Se1RunningServer[] = [];
const raws: RawLines[] = [];
afterEach(async () => {
  for (const r of raws.splice(0)) r.close();
  for (const s of running.splice(0)) await s.close();
});

async function serve(game = catanSe1, turnTimeoutMs = 120_000, rules = '') {
  const server = await startSe1Server({ port: 0, game, settings: { seed: 'catan-room', turnTimeoutMs, rules } });
  running.push(server);
  return server;
}

const player = (port: number) => testPlayer(port, raws);

/** Three players in a started game; seat order is join order. */
async function startedGame(port: number, name = 'hostile') {
  const seats = [await player(port), await player(port), await player(port)];
  await seats[0]!.request(`CREATE GAME ${name} -maxPlayers 3 -testgame -seed 9`);
  for (const r of seats) expect(await r.request(`JOIN GAME ${name}`)).toContain('OK');
  seats[0]!.send(encodeCommand('START_GAME'));
  await seats[0]!.until(() => notices(seats[0]!).some((n) => n.startsWith('OK - buildSettlement')));
  return seats;
}

/** Object ids of a class, in the order they were announced. */
const idsOf = (raw: RawLines, cls: string) => [
  ...new Set(
    raw
      .events()
      .map((e) => e['@src']!)
      .filter((s) => s.startsWith(`${cls}@`)),
  ),
];

describe('SE1 Catan room', () => {
  it('greets as the SettlersOfCatan server and prompts the first player for an opening settlement', async () => {
    const s = await serve();
    const raw = await RawLines.open(s.port);
    raws.push(raw);
    await raw.until((l) => l.length >= 1);
    expect(raw.lines[0]).toMatch(/^SE1 SettlersOfCatan-Server 1\.0, Timeout set to \d+ms$/);
    const [a, b] = await startedGame(s.port);
    expect(notices(a!)).toContain('OK - buildSettlement - opening round 1');
    expect(notices(b!).some((n) => n.includes('buildSettlement'))).toBe(false);
  });

  it('answers broken JSON, commands out of turn, illegal builds and unknown objects with an error, and plays on', async () => {
    const s = await serve();
    const [a, b] = await startedGame(s.port);
    const vertices = idsOf(a!, 'Intersection');
    expect(vertices).toHaveLength(54);
    const from = b!.lines.length;
    b!.send('{"@action": "BUILD", ');
    b!.send(
      encodeCommand('BUILD', [
        ['type', 'Settlement'],
        ['destination', vertices[0]!],
      ]),
    );
    await b!.until(() => notices(b!, from).length >= 2);
    expect(notices(b!, from)[0]).toMatch(/^ERROR: PARSE - broken JSON/);
    expect(notices(b!, from)[1]).toBe('ERROR: BUILD - it is not your turn');
    const fromA = a!.lines.length;
    a!.send(
      encodeCommand('BUILD', [
        ['type', 'Settlement'],
        ['destination', 'Intersection@0'],
      ]),
    );
    a!.send(
      encodeCommand('BUILD', [
        ['type', 'City'],
        ['destination', vertices[0]!],
      ]),
    );
    a!.send(encodeCommand('ROLL_DIES'));
    a!.send(encodeCommand('BUILD', [['type', 'Castle']]));
    a!.send(
      encodeCommand('TRADE', [
        ['give', 'CLOTH'],
        ['take', 'ORE'],
      ]),
    );
    await a!.until(() => notices(a!, fromA).length >= 5);
    expect(notices(a!, fromA)).toEqual([
      "ERROR: BUILD - Intersection Intersection@0 is not one of this game's Intersections",
      'ERROR: BUILD - place an opening settlement',
      'ERROR: ROLL_DIES - place an opening settlement',
      'ERROR: BUILD - type must be Settlement, City, Road or DevelopmentCard (Knight, CityWall: rules=cities-and-knights)',
      'ERROR: TRADE - give: CLOTH is a commodity of rules=cities-and-knights; this game plays rules=base',
    ]);
    // The legal move still goes through after all that.
    const fromOk = a!.lines.length;
    a!.send(
      encodeCommand('BUILD', [
        ['type', 'Settlement'],
        ['destination', vertices[0]!],
      ]),
    );
    await a!.until(() => notices(a!, fromOk).some((n) => n.startsWith('OK - buildRoad')));
    expect(notices(a!, fromOk)[0]).toBe('OK - BUILD');
    expect(lastValue(a!, 'building', vertices[0])).toBe('Settlement');
  });

  it('refuses the Cities & Knights commands with a clear error under rules=base', async () => {
    const s = await serve();
    const [a] = await startedGame(s.port);
    const from = a!.lines.length;
    for (const action of ['ACTIVATE_KNIGHT', 'UPGRADE_KNIGHT', 'USE_KNIGHT', 'UPGRADE_PROGRESS', 'END_PLAY'])
      a!.send(encodeCommand(action, [['id', 'Knight@1']]));
    await a!.until(() => notices(a!, from).length >= 5);
    for (const n of notices(a!, from)) {
      expect(n).toMatch(
        /^ERROR: (ACTIVATE_KNIGHT|UPGRADE_KNIGHT|USE_KNIGHT|UPGRADE_PROGRESS|END_PLAY) - .*\(rules=cities-and-knights\); this game plays rules=base$/,
      );
    }
  });

  it("sends a player's own cards to that player only; the others see counts", async () => {
    const s = await serve();
    const [a, b, c] = await startedGame(s.port);
    const seatsOf = (r: RawLines) =>
      Object.fromEntries(
        r
          .events()
          .filter((e) => e['@prop'] === 'nickname' && e['@src']!.startsWith('UserAssets@'))
          .map((e) => [e['@src'], e['@nv']]),
      );
    const players = Object.keys(seatsOf(a!));
    expect(players).toHaveLength(3);
    for (const [i, r] of [a!, b!, c!].entries()) {
      await r.until(() => r.events().some((e) => e['@prop'] === 'resources'));
      await r.until(() => r.events().filter((e) => e['@prop'] === 'known').length >= 2);
      const own = r.events().filter((e) => e['@prop'] === 'resources');
      expect(own.length).toBeGreaterThan(0);
      // Only this player's UserAssets carries `resources` on this connection.
      expect(new Set(own.map((e) => e['@src']))).toEqual(new Set([players[i]]));
      const known = r.events().filter((e) => e['@prop'] === 'known');
      expect(known.every((e) => e['@src'] !== players[i])).toBe(true);
    }
    // A visitor sees no one's cards.
    const v = await player(s.port);
    expect(await v.request('JOIN GAME hostile -visitor true')).toContain('OK');
    await v.until((l) => l.some((x) => x.includes('resourceCount')));
    expect(v.events().some((e) => e['@prop'] === 'resources' || e['@prop'] === 'known')).toBe(false);
  });

  it('plays a vanished player with the default action and prompts the next one', async () => {
    const s = await serve();
    const [a, b, c] = await startedGame(s.port);
    b!.close();
    const vertices = idsOf(a!, 'Intersection');
    // Seat 0: settlement and road; then seat 1 (gone) is played by the server, and seat 2 is asked.
    a!.send(
      encodeCommand('BUILD', [
        ['type', 'Settlement'],
        ['destination', vertices[0]!],
      ]),
    );
    await a!.until(() => notices(a!).some((n) => n.startsWith('OK - buildRoad')));
    const road = /at (Intersection@\w+)/.exec(notices(a!).find((n) => n.startsWith('OK - buildRoad'))!)![1];
    expect(road).toBe(vertices[0]);
    const borders = idsOf(a!, 'Border');
    let placed = false;
    for (const edge of borders) {
      const from = a!.lines.length;
      a!.send(
        encodeCommand('BUILD', [
          ['type', 'Road'],
          ['destination', edge],
        ]),
      );
      await a!.until(() => notices(a!, from).length >= 1);
      if (notices(a!, from)[0] === 'OK - BUILD') {
        placed = true;
        break;
      }
    }
    expect(placed).toBe(true);
    await c!.until(() => notices(c!).some((n) => n.startsWith('OK - buildSettlement')));
    // The server placed seat 1's opening settlement.
    const settlements = c!.events().filter((e) => e['@prop'] === 'building' && e['@nv'] === 'Settlement');
    expect(settlements).toHaveLength(2);
  });

  it('plays a game every player left to its end, counted as finished', async () => {
    const s = await serve();
    const seats = await startedGame(s.port, 'abandoned');
    for (const r of seats) r.close();
    const deadline = Date.now() + 20_000;
    while ((s.stats().gamesFinished ?? 0) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(s.stats().gamesFinished).toBe(1);
    expect(s.stats().games).toBe(0);
  });

  it('aborts only the game whose engine fails; its players are told', async () => {
    const failing = catanSe1Game({
      ...catanEngine,
      apply: () => {
        throw new Error('boom');
      },
    });
    const s = await serve(failing);
    const [a] = await startedGame(s.port, 'faulty');
    const vertices = idsOf(a!, 'Intersection');
    a!.send(
      encodeCommand('BUILD', [
        ['type', 'Settlement'],
        ['destination', vertices[0]!],
      ]),
    );
    await a!.until(() => notices(a!).some((n) => n.startsWith('ERROR: GAME - ')));
    expect(lastValue(a!, 'status')).toBe('ABORTED');
    expect(s.stats().gamesAborted).toBe(1);
    // The server still serves.
    expect(await a!.request('{"@action":"LEAVE_GAME"}').catch(() => ['OK'])).toBeDefined();
    const other = await player(s.port);
    expect(await other.request('LIST GAMES')).toContain('OK');
  });

  it('plays the default for a present player who lets the deadline pass', async () => {
    const s = await serve(catanSe1, 300);
    const [a, b] = await startedGame(s.port, 'slow');
    await a!.until(() => notices(a!).some((n) => n.startsWith('ERROR: TIMEOUT')), 10_000);
    // Settlement and road of seat 0 were played by the server: seat 1 is asked next.
    await b!.until(() => notices(b!).some((n) => n.startsWith('OK - buildSettlement')), 10_000);
  });

  it('refuses a server whose rules setting the engine does not take, before it listens', async () => {
    await expect(serve(catanSe1, 1000, 'rules=chess')).rejects.toThrow(/rules/);
    await expect(serve(catanSe1, 1000, 'map=beginner')).rejects.toThrow(/CREATE GAME -map/);
  });

  it('Cities & Knights: answers the new commands out of turn, in the wrong state and with bad arguments with an error, and plays on', async () => {
    const s = await serve(catanSe1, 120_000, 'rules=cities-and-knights');
    const [a, b] = await startedGame(s.port, 'knights');
    expect(lastValue(a!, 'rules')).toBe('cities-and-knights');
    const vertices = idsOf(a!, 'Intersection');
    const from = a!.lines.length;
    const fromB = b!.lines.length;
    b!.send(encodeCommand('UPGRADE_PROGRESS', [['type', 'SCIENCE']]));
    const sent: [string, [string, string][]][] = [
      ['UPGRADE_PROGRESS', [['type', 'MAGIC']]],
      ['UPGRADE_PROGRESS', [['type', 'SCIENCE']]],
      ['ACTIVATE_KNIGHT', [['id', 'Knight@1']]],
      ['ACTIVATE_KNIGHT', [['id', vertices[0]!]]],
      [
        'USE_KNIGHT',
        [
          ['id', vertices[0]!],
          ['target', 'Robber'],
        ],
      ],
      [
        'BUILD',
        [
          ['type', 'Knight'],
          ['destination', vertices[0]!],
        ],
      ],
      ['BUILD', [['type', 'DevelopmentCard']]],
      ['PLAY', [['type', 'FIREBALL']]],
      [
        'PLAY',
        [
          ['type', 'RESOURCE_MONOPOLY'],
          ['resource', 'GOLD'],
        ],
      ],
      [
        'PLAY',
        [
          ['type', 'WARLORD'],
          ['__proto__', '1'],
        ],
      ],
      [
        'PLAY',
        [
          ['type', 'MEDICINE'],
          ['vertex', vertices[0]!],
          ['vertex', vertices[1]!],
        ],
      ],
      ['PLAY', [['type', 'WARLORD']]],
      ['END_PLAY', []],
      ['CHOOSE', [['id', 'SCIENCE']]],
      [
        'TRADE',
        [
          ['give', 'GOLD'],
          ['take', 'PAPER'],
        ],
      ],
    ];
    for (const [action, props] of sent) a!.send(encodeCommand(action, props));
    await a!.until(() => notices(a!, from).length >= sent.length);
    await b!.until(() => notices(b!, fromB).length >= 1);
    expect(notices(b!, fromB)[0]).toBe('ERROR: UPGRADE_PROGRESS - it is not your turn');
    expect(notices(a!, from)).toEqual([
      'ERROR: UPGRADE_PROGRESS - type must be one of TRADE, POLITICS, SCIENCE',
      'ERROR: UPGRADE_PROGRESS - improve is possible only after the roll, in the main phase',
      "ERROR: ACTIVATE_KNIGHT - id: Intersection Knight@1 is not one of this game's Intersections (a knight is named by the Intersection it stands on)",
      `ERROR: ACTIVATE_KNIGHT - id: no knight stands on ${vertices[0]}`,
      `ERROR: USE_KNIGHT - id: no knight stands on ${vertices[0]}`,
      'ERROR: BUILD - knightBuild is possible only after the roll, in the main phase',
      'ERROR: BUILD - there are no development cards under rules=cities-and-knights',
      expect.stringMatching(/^ERROR: PLAY - type must be a progress card: ALCHEMIST, CRANE, .*WEDDING$/),
      expect.stringMatching(/^ERROR: PLAY - resource: GOLD is not a card kind \(BRICK, .*COIN\)$/),
      expect.stringMatching(/^ERROR: PLAY - __proto__: not a field of a progress card \(vertex, from, .*\)$/),
      'ERROR: PLAY - vertex: given twice',
      'ERROR: PLAY - progress is possible only after the roll, in the main phase',
      'ERROR: END_PLAY - nothing to end: END_PLAY ends the offers of a Commercial Harbor; every other progress card is played whole by one PLAY command',
      'ERROR: CHOOSE - nothing to choose now',
      'ERROR: TRADE - give: GOLD is not a card kind (BRICK, LUMBER, WOOL, GRAIN, ORE, PAPER, CLOTH, COIN)',
    ]);
    // The legal move still goes through after all that.
    const fromOk = a!.lines.length;
    a!.send(
      encodeCommand('BUILD', [
        ['type', 'Settlement'],
        ['destination', vertices[0]!],
      ]),
    );
    await a!.until(() => notices(a!, fromOk).some((n) => n.startsWith('OK - buildRoad')));
    expect(notices(a!, fromOk)[0]).toBe('OK - BUILD');
  });

  it('UPLOAD MAP takes an SS13 map file (one line, | between lines), refuses a bad one with the reason, and games on it play its board', async () => {
    const s = await serve();
    const board = randomBoard(createRng(5));
    const content = formatMapFile(board, 'tester', '3', '|');
    const [a, b, c] = [await player(s.port), await player(s.port), await player(s.port)];
    const upload = async (raw: RawLines, name: string, text: string) => {
      const start = raw.lines.length;
      raw.socket.write(`UPLOAD MAP ${name} ${Buffer.byteLength(text)}\r\n${text}\r\n`);
      await raw.until((l) => l.slice(start).some((x) => x === 'OK' || x.startsWith('ERROR')));
      return raw.lines.slice(start);
    };
    expect((await upload(a, 'bad', content.replace('NUMBER,', 'NUMBER,1')))[0]).toMatch(
      /^ERROR: bad map: line \d+: NUMBER must be/,
    );
    expect((await upload(a, 'broken', 'CREATOR: x|VERSION: 1|0;FOREST;0;'))[0]).toBe(
      'ERROR: bad map: the island has 19 land hexes, this map 1',
    );
    const ok = await upload(a, 'island', content);
    expect(ok[0]).toMatch(/^MAP NAME=island VERSION=1 CREATOR=/);
    expect(await a.request('CREATE GAME mapped -maxPlayers 3 -map island -testgame')).toContain('OK');
    for (const r of [a, b, c]) expect(await r.request('JOIN GAME mapped')).toContain('OK');
    a.send(encodeCommand('START_GAME'));
    await a.until(() => notices(a).some((n) => n.startsWith('OK - buildSettlement')));
    expect(lastValue(a, 'customBoard')).toBe('true');
    const fields = idsOf(a, 'Field');
    const types = fields.map((f) => lastValue(a, 'type', f));
    expect(types).toEqual(board.terrain.map((t) => TERRAIN_NAMES[t]));
    expect(fields.map((f) => Number(lastValue(a, 'number', f) ?? 0))).toEqual(board.numbers);
    expect(lastValue(a, 'robber')).toBe(fields[board.terrain.indexOf('desert')]);
  });

  it('Cities & Knights decisions: the generic choose prompt lists the legal answers, CHOOSE refuses any other', async () => {
    // An engine whose game opens in an Aqueduct decision for seats 0 and 1 (as after a roll that gave them nothing).
    const aqueduct = catanSe1Game({
      ...catanEngine,
      setup: (config, players, rng) => ({
        ...catanEngine.setup(config, players, rng),
        step: { phase: 'aqueduct', left: [0, 1] },
      }),
    });
    const s = await serve(aqueduct, 120_000, 'rules=cities-and-knights');
    const seats = [await player(s.port), await player(s.port), await player(s.port)];
    await seats[0]!.request('CREATE GAME aqueduct -maxPlayers 3 -testgame -seed 9');
    for (const r of seats) expect(await r.request('JOIN GAME aqueduct')).toContain('OK');
    const [a, b, c] = seats as [RawLines, RawLines, RawLines];
    a.send(encodeCommand('START_GAME'));
    const prompt = 'OK - choose(Resource:BRICK,LUMBER,WOOL,GRAIN,ORE) - aqueduct';
    for (const r of [a, b]) await r.until(() => notices(r).includes(prompt));
    expect(lastValue(a, 'phase')).toBe('aqueduct');
    expect(lastValue(a, 'step')).toBe('{"phase":"aqueduct","left":[0,1]}');
    expect(notices(c).some((n) => n.startsWith('OK - choose'))).toBe(false);
    const fromC = c.lines.length;
    c.send(encodeCommand('CHOOSE', [['id', 'ORE']]));
    await c.until(() => notices(c, fromC).length >= 1);
    expect(notices(c, fromC)).toEqual(['ERROR: CHOOSE - it is not your turn']);
    const from = a.lines.length;
    a.send(encodeCommand('CHOOSE', [['id', 'PAPER']]));
    a.send(encodeCommand('CHOOSE', []));
    a.send(encodeCommand('ROLL_DIES'));
    a.send(encodeCommand('CHOOSE', [['id', 'ORE']]));
    a.send(encodeCommand('CHOOSE', [['id', 'ORE']]));
    await a.until(() => notices(a, from).length >= 5);
    expect(notices(a, from)).toEqual([
      'ERROR: CHOOSE - id must be one of BRICK, LUMBER, WOOL, GRAIN, ORE',
      'ERROR: CHOOSE - id must be one of BRICK, LUMBER, WOOL, GRAIN, ORE',
      expect.stringMatching(/^ERROR: ROLL_DIES - /),
      'OK - CHOOSE',
      'ERROR: CHOOSE - you have already answered; waiting for the other players',
    ]);
    // The second answer closes the decision: both took their resource.
    const fromB = b.lines.length;
    b.send(encodeCommand('CHOOSE', [['id', 'WOOL']]));
    await b.until(() => notices(b, fromB).includes('OK - CHOOSE'));
    await a.until(() => lastValue(a, 'phase') !== 'aqueduct');
    expect(lastValue(a, 'resources')).toBe('0,0,0,0,1,0,0,0');
    expect(lastValue(b, 'resources')).toBe('0,0,1,0,0,0,0,0');
  });

  it('play --connect uploads a board= and plays it; settings the server does not play fail the seat with a clear error', async () => {
    const s = await serve(catanSe1, 120_000, 'maxTurns=12');
    const board = randomBoard(createRng(21));
    const bots = await resolveBots(['catan-random', 'catan-random', 'catan-random'], 'catan');
    const options = {
      host: s.host,
      port: s.port,
      bots,
      seed: 3,
      budget: { iterations: 10 },
      log: silentLogger,
      timeoutMs: 60_000,
    };
    const out = await playCatanOnline({ ...options, settings: { board, maxTurns: 12 } });
    expect(out.errors).toEqual([]);
    expect(out.result.scores).toHaveLength(3);
    const raw = await player(s.port);
    const maps = await raw.request('LIST MAPS');
    expect(maps.some((l) => /^MAP NAME=catan-[0-9a-f]{12} VERSION=1 CREATOR=/.test(l))).toBe(true);
    await expect(
      playCatanOnline({ ...options, settings: { rules: 'cities-and-knights', maxTurns: 12 } }),
    ).rejects.toThrow(/the server's game plays rules=base, not rules=cities-and-knights as asked/);
  }, 90_000);
});
