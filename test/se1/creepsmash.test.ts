/**
 * The CreepSmash room of the SE1 server: the real-time tick stream, command stamping and acknowledgements, the
 * errors of hostile clients (malformed, oversized, other players' towers, past ticks), a player vanishing mid-game,
 * and the `se1-creepsmash` load scenario on a fast clock.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { createRng } from '../../src/core/rng.ts';
import { type Command, CREEP_KINDS, STRATEGIES, TOWER_KINDS } from '../../src/games/creepsmash/index.ts';
import { loadScenario } from '../../src/load/scenarios.ts';
import type { LoadMetrics } from '../../src/load/types.ts';
import {
  creepsmashSe1,
  formatWireCommand,
  parseWireCommand,
  type Se1RunningServer,
  startSe1Server,
} from '../../src/protocols/se1/index.ts';
import { RawLines } from './helpers.ts';

const xy = { x: fc.integer({ min: 0, max: 63 }), y: fc.integer({ min: 0, max: 63 }) };
const arbitraryCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('build' as const), tower: fc.constantFrom(...TOWER_KINDS), ...xy }),
  fc.record({ kind: fc.constant('upgrade' as const), ...xy }),
  fc.record({ kind: fc.constant('upgrade' as const), ...xy, level: fc.integer({ min: 2, max: 4 }) }),
  fc.record({ kind: fc.constant('sell' as const), ...xy }),
  fc.record({ kind: fc.constant('strategy' as const), ...xy, strategy: fc.constantFrom(...STRATEGIES) }),
  fc.record({ kind: fc.constant('send' as const), creep: fc.constantFrom(...CREEP_KINDS) }),
);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(settings: Record<string, unknown> = {}): Promise<Se1RunningServer> {
  const server = await startSe1Server({
    port: 0,
    game: creepsmashSe1,
    settings: { seed: 'cs', timeoutMs: 60_000, tickMs: 20, rules: 'maxTicks=100000', ...settings },
  });
  cleanups.push(() => server.close());
  return server;
}

const cmd = (action: string, props: Record<string, string> = {}) =>
  JSON.stringify({
    '@action': action,
    properties: { entry: Object.entries(props).map(([key, value]) => ({ key, value })) },
  });

const notices = (c: RawLines, from = 0) =>
  c
    .events(from)
    .filter((e) => e['@src'] === 'SERVER')
    .map((e) => e['@nv']!);

/** Two logged-in test players in game `g`, tiles chosen, game started. */
async function twoPlayers(server: Se1RunningServer, start = true) {
  const clients: RawLines[] = [];
  for (let i = 0; i < 2; i++) {
    const c = await RawLines.open(server.port);
    cleanups.push(() => c.close());
    await c.until((l) => l.length >= 1);
    const tp = await c.request('CREATE TESTPLAYER');
    const [, nick, password] = /NICK=(\S+) PASSWORD=(\S+)/.exec(tp[0]!)!;
    await c.request(`LOGIN ${nick} ${password}`);
    if (i === 0) await c.request('CREATE GAME g -maxPlayers 2 -testgame');
    await c.request('JOIN GAME g');
    clients.push(c);
  }
  const [a, b] = clients as [RawLines, RawLines];
  await a.until(() => a.events().filter((e) => e['@prop'] === 'players').length === 2);
  const model = a.events();
  const tiles = model.filter((e) => e['@prop'] === 'tiles').map((e) => e['@nv']!);
  const cells = new Map<string, string>();
  const xs = new Map<string, string>();
  for (const e of model) {
    if (e['@src']!.startsWith('Cell@') && e['@prop'] === 'x') xs.set(e['@src']!, e['@nv']!);
    if (e['@src']!.startsWith('Cell@') && e['@prop'] === 'y')
      cells.set(`${xs.get(e['@src']!)},${e['@nv']}`, e['@src']!);
  }
  const players = model.filter((e) => e['@prop'] === 'players').map((e) => e['@nv']!);
  if (start) {
    a.send(cmd('CHOOSE_TILE', { tile: tiles[0]! }));
    b.send(cmd('CHOOSE_TILE', { tile: tiles[2]! }));
    await b.until(() => notices(b).includes('OK - CHOOSE_TILE'));
    a.send(cmd('START_GAME'));
    await a.until(() => a.events().some((e) => e['@prop'] === 'tick'));
  }
  return { a, b, tiles, cells, players };
}

const ticks = (c: RawLines, from = 0) =>
  c
    .events(from)
    .filter((e) => e['@prop'] === 'tick')
    .map((e) => Number(e['@nv']));

describe('CreepSmash on SE1', () => {
  it('greets as the CreepSmash server, announces the rules and ticks on an absolute schedule', async () => {
    const server = await serve();
    const { a } = await twoPlayers(server);
    expect(a.lines[0]).toMatch(/^SE1 CreepSmash-Server 1\.0, Timeout set to 60000ms$/);
    const game = a.events().filter((e) => e['@src']!.startsWith('Game@'));
    const prop = (p: string) => game.find((e) => e['@prop'] === p)?.['@nv'];
    expect(prop('tickMs')).toBe('20');
    expect(prop('delayTicks')).toBe('50');
    expect(prop('lockstep')).toBe('false');
    const startTime = Number(prop('startTime'));
    await a.until(() => ticks(a).length >= 10);
    // Ticks come in order from 0, each sent no earlier than its scheduled time (startTime + k·tickMs).
    const stream = a.events().filter((e) => e['@prop'] === 'tick');
    expect(stream.slice(0, 10).map((e) => Number(e['@nv']))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const e of stream) expect(Number(e['@ts'])).toBeGreaterThanOrEqual(startTime + Number(e['@nv']) * 20 - 1);
  });

  it('stamps a command with the tick it arrives in and acknowledges the tick it takes effect', async () => {
    const server = await serve({ rules: 'maxTicks=100000 delayTicks=5 incomeTicks=1' });
    const { a, b, cells } = await twoPlayers(server);
    const from = a.lines.length;
    a.send(cmd('CREATE_TOWER', { towertype: 'BASIC', cell: cells.get('0,0')! }));
    await a.until(() => notices(a, from).some((n) => n.startsWith('OK - CREATE_TOWER')));
    const ack = notices(a, from).find((n) => n.startsWith('OK - CREATE_TOWER'))!;
    const [, stamped, effect] = /^OK - CREATE_TOWER - tick (\d+) effect (\d+)$/.exec(ack)!.map(Number);
    expect(effect).toBe(stamped! + 5);
    // Everyone sees the command in the stream just before its tick closes, and the tower when it takes effect.
    await b.until(() => b.events().some((e) => e['@prop'] === 'towertype'));
    const events = b.events();
    const command = events.findIndex((e) => e['@prop'] === 'command');
    expect(events[command]!['@nv']).toBe('CREATE_TOWER BASIC 0 0');
    const closing = events.slice(command).find((e) => e['@prop'] === 'tick')!;
    expect(Number(closing['@nv'])).toBe(stamped);
    const built = events.findIndex((e) => e['@prop'] === 'towertype');
    const builtAt = events.slice(built).find((e) => e['@prop'] === 'tick')!;
    expect(Number(builtAt['@nv'])).toBe(effect);
  });

  it('refuses malformed, oversized, misaddressed and mistimed commands with protocol errors and keeps going', async () => {
    const server = await serve({ rules: 'maxTicks=100000 delayTicks=3 incomeTicks=1' });
    const { a, b, cells } = await twoPlayers(server);
    // A tower of player b's.
    b.send(cmd('CREATE_TOWER', { towertype: 'BASIC', cell: cells.get('0,0')! }));
    await b.until(() => b.events().some((e) => e['@prop'] === 'towertype'));
    const tower = b.events().find((e) => e['@prop'] === 'towertype')!['@src']!;
    const from = a.lines.length;
    const now = Math.max(...ticks(a));
    a.send('{"@action":');
    a.send(`{"@action":"NOOP","x":"${'y'.repeat(9000)}"}`);
    a.send(cmd('CREATE_TOWER', { towertype: 'LASER', cell: cells.get('0,0')! }));
    a.send(cmd('CREATE_TOWER', { towertype: 'BASIC', cell: 'Cell@0' }));
    a.send(cmd('CREATE_TOWER', { towertype: 'BASIC', cell: cells.get('0,2')! }));
    a.send(cmd('SELL_TOWER', { tower }));
    a.send(cmd('UPGRADE_TOWER', { tower: 'Tower@1' }));
    a.send(cmd('CREATE_CREEP', { creeptype: 'MERCURY', tick: String(now - 1) }));
    a.send(cmd('CREATE_CREEP', { creeptype: 'MERCURY', tick: String(now + 1000) }));
    a.send(cmd('CREATE_CREEP', { creeptype: 'MERCURY', tick: 'soon' }));
    a.send(cmd('CHOOSE_TILE', { tile: 'Tile@0' }));
    a.send(cmd('TICK', { tick: String(now + 1000) }));
    a.send(cmd('FIRE'));
    await a.until(() => notices(a, from).some((n) => n.startsWith('ERROR: FIRE')));
    const errors = notices(a, from);
    const expected = [
      /^ERROR: PARSE - /,
      /^ERROR: PARSE - line longer than 8192 bytes$/,
      /^ERROR: CREATE_TOWER - towertype must be one of BASIC, SLOW, SPLASH, ROCKET, SPEED, ULTIMATE$/,
      /^ERROR: CREATE_TOWER - Cell@0 is not a cell of this game$/,
      /^ERROR: CREATE_TOWER - cell is on the path or blocked$/,
      /^ERROR: SELL_TOWER - Tower@\w+ is not one of your towers$/,
      /^ERROR: UPGRADE_TOWER - Tower@1 is not a tower of this game$/,
      /^ERROR: CREATE_CREEP - tick \d+ has passed \(the next tick is \d+\)$/,
      /^ERROR: CREATE_CREEP - tick \d+ has not come yet \(the next tick is \d+\)$/,
      /^ERROR: CREATE_CREEP - tick must be a tick number, got soon$/,
      /^ERROR: CHOOSE_TILE - the game has already started$/,
      /^ERROR: TICK - tick \d+ has not come yet \(the next tick is \d+\)$/,
      /^ERROR: FIRE - unknown action \(known: /,
    ];
    expect(errors).toHaveLength(expected.length);
    for (const [i, re] of expected.entries()) expect(errors[i]).toMatch(re);
    // The game goes on for both.
    const seen = ticks(b).length;
    await b.until(() => ticks(b).length > seen + 3);
    expect(server.stats().gamesAborted).toBe(0);
  });

  it('refuses START_GAME until every player chose a tile; a contested tile goes to the earlier seat', async () => {
    const server = await serve();
    const { a, b, tiles, players } = await twoPlayers(server, false);
    a.send(cmd('CREATE_TOWER', { towertype: 'BASIC', cell: 'Cell@0' }));
    a.send(cmd('CHOOSE_TILE', { tile: tiles[1]! }));
    a.send(cmd('START_GAME'));
    await a.until(() => notices(a).some((n) => n.startsWith('ERROR: START_GAME')));
    expect(notices(a)).toEqual([
      'ERROR: CREATE_TOWER - the game is joining',
      'OK - CHOOSE_TILE',
      expect.stringMatching(/^ERROR: START_GAME - every player chooses a tile first \(not yet: tempUser\d+\)$/),
    ]);
    b.send(cmd('CHOOSE_TILE', { tile: tiles[1]! }));
    await b.until(() => notices(b).includes('OK - CHOOSE_TILE'));
    b.send(cmd('START_GAME'));
    await a.until(() => a.events().some((e) => e['@prop'] === 'tick'));
    const tileOf = (p: string) => a.events().find((e) => e['@src'] === p && e['@prop'] === 'tile')?.['@nv'];
    expect(tileOf(players[0]!)).toBe(tiles[1]);
    expect(tileOf(players[1]!)).toBe(tiles[0]);
  });

  it('a player who vanishes mid-game loses lives as creeps get through; the game goes on and ends', {
    timeout: 90_000,
  }, async () => {
    const server = await serve({ tickMs: 1, rules: 'maxTicks=100000 delayTicks=2 incomeTicks=1 lives=2' });
    const { a, b, players } = await twoPlayers(server);
    // a sends creeps at b's board, then b's connection drops.
    b.close();
    for (let i = 0; i < 4; i++) a.send(cmd('CREATE_CREEP', { creeptype: 'FAST_NOVA' }));
    // Raw lines: thousands of tick events arrive, parsing them all at every poll would be quadratic.
    await a.until((lines) => lines.some((l) => l.includes('OK - gameOver')), 60_000);
    const events = a.events();
    expect(events.some((e) => e['@src'] === players[1] && e['@prop'] === 'left' && e['@nv'] === 'true')).toBe(true);
    expect(events.some((e) => e['@src'] === players[1] && e['@prop'] === 'out')).toBe(true);
    const winner = events.find((e) => e['@prop'] === 'winner');
    expect(winner?.['@nv']).toBe(players[0]);
    expect(notices(a).find((n) => n.startsWith('OK - gameOver'))).toBe('OK - gameOver - scores 2:0');
  });

  it('lockstep: a tick waits for the TICK of every present player; one who vanishes is no longer waited for', async () => {
    const server = await serve({ tickMs: 1, lockstep: true });
    const { a, b } = await twoPlayers(server, false);
    const tiles = a
      .events()
      .filter((e) => e['@prop'] === 'tiles')
      .map((e) => e['@nv']!);
    a.send(cmd('CHOOSE_TILE', { tile: tiles[0]! }));
    b.send(cmd('CHOOSE_TILE', { tile: tiles[1]! }));
    await b.until(() => notices(b).includes('OK - CHOOSE_TILE'));
    a.send(cmd('START_GAME'));
    await a.until((lines) => lines.some((l) => l.includes('"startTime"')));
    expect(a.events().find((e) => e['@prop'] === 'lockstep')?.['@nv']).toBe('true');
    a.send(cmd('TICK', { tick: '0' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(ticks(a)).toEqual([]);
    b.send(cmd('TICK', { tick: '0' }));
    await a.until(() => ticks(a).includes(0));
    b.send(cmd('TICK', { tick: '1' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(ticks(a)).toEqual([0]);
    b.close();
    for (let k = 1; k <= 5; k++) {
      a.send(cmd('TICK', { tick: String(k) }));
      await a.until(() => ticks(a).includes(k));
    }
    expect(ticks(a)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('wire commands round-trip, and text that is not a command is refused, never thrown otherwise', () => {
    fc.assert(
      fc.property(arbitraryCommand, (c) => {
        expect(parseWireCommand(formatWireCommand(c))).toEqual(c);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          parseWireCommand(text);
        } catch (e) {
          expect((e as Error).message).toMatch(/^bad command/);
        }
      }),
    );
  });

  it('wire commands round-trip', () => {
    for (const text of [
      'CREATE_TOWER SPLASH 3 4',
      'UPGRADE_TOWER 3 4',
      'UPGRADE_TOWER 3 4 3',
      'SELL_TOWER 0 15',
      'CHANGE_TOWER_STRATEGY 1 2 WEAKEST',
      'CREATE_CREEP RACING_MAMBA',
    ])
      expect(formatWireCommand(parseWireCommand(text))).toBe(text);
    for (const bad of ['CREATE_TOWER LASER 1 1', 'SELL_TOWER 1', 'SELL_TOWER 01 2', 'CREATE_CREEP', 'X'])
      expect(() => parseWireCommand(bad)).toThrow(/bad command/);
  });

  it('the se1-creepsmash load scenario plays a real-time game and measures command round trips and tick lateness', async () => {
    const server = await serve({ tickMs: 10, rules: 'maxTicks=150 incomeTicks=20 delayTicks=5' });
    const scenario = await loadScenario('se1-creepsmash');
    expect(scenario.serverSettings).toEqual({ game: 'creepsmash', rules: 'maxTicks=1200' });
    const latencies = new Map<string, number[]>();
    const counters = new Map<string, number>();
    const errors: string[] = [];
    const metrics: LoadMetrics = {
      latency: (m, micros) => latencies.set(m, [...(latencies.get(m) ?? []), micros]),
      count: (c, n = 1) => counters.set(c, (counters.get(c) ?? 0) + n),
      error: (k) => errors.push(k),
      track: () => {},
      gap: () => {},
    };
    const shared = await scenario.prepare!({ params: { strategy: 'heuristic:every=5' } } as never);
    await Promise.all(
      [0, 1].map((index) =>
        scenario.runSession({
          host: server.host,
          port: server.port,
          index,
          metrics,
          rng: createRng(`s/${index}`),
          log: silentLogger,
          signal: new AbortController().signal,
          thinkTimeMs: 0,
          requestTimeoutMs: 10_000,
          params: {},
          shared,
        }),
      ),
    );
    expect(errors).toEqual([]);
    expect(counters.get('games')).toBe(1);
    expect(counters.get('ticks')).toBe(300);
    expect(latencies.get('tick_late')).toHaveLength(300);
    expect(latencies.get('server_tick_late')).toHaveLength(300);
    expect(counters.get('commands')).toBeGreaterThan(0);
    expect(latencies.get('create_tower_rtt')?.length).toBeGreaterThan(0);
  }, 30_000);
});
