import { afterEach, describe, expect, it } from 'vitest';
import { resolveBots } from '../../src/bots/resolve.ts';
import { hashState } from '../../src/core/hash.ts';
import { replayActions, runMatch } from '../../src/core/match.ts';
import { orerushEngine as engine, type OreRushObservation } from '../../src/games/orerush/index.ts';
import {
  ErrorCode,
  encodeMoves,
  OreRushClient,
  type OreRushRunningServer,
  type OreRushServerSettings,
  type Packet,
  playOreRushOnline,
  startOreRushServer,
} from '../../src/protocols/orerush/index.ts';
import { loadClientProtocol, loadProtocol } from '../../src/protocols/registry.ts';
import { frame, type RawClient, rawClient, sleep } from './helpers.ts';

const servers: OreRushRunningServer[] = [];
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function server(settings: Partial<OreRushServerSettings> = {}) {
  const s = await startOreRushServer({ port: 0, settings });
  servers.push(s);
  return s;
}

async function raw(port: number, answerPings = false): Promise<RawClient> {
  const c = await rawClient(port, { answerPings });
  clients.push(c);
  return c;
}

const expectError = (p: Packet, code: number, pattern?: RegExp) => {
  expect(p.type).toBe('error');
  if (p.type !== 'error') return;
  expect(p.code).toBe(code);
  if (pattern) expect(p.message).toMatch(pattern);
};

/** Joins `count` raw clients into one private game of `players`; returns them with their game id. */
async function rawGame(port: number, players: number, settings: Record<string, unknown> = {}) {
  const seats: RawClient[] = [];
  const creator = await raw(port, true);
  seats.push(creator);
  creator.send({ type: 'reqst', timestamp: Date.now(), game: 0 });
  expect((await creator.next()).type).toBe('succs');
  const info = await creator.next();
  if (info.type !== 'settn') throw new Error(`expected settn, got ${info.type}`);
  const game = info.settings.game as number;
  creator.send({ type: 'settn', settings: { players, ...settings } });
  expect((await creator.next()).type).toBe('succs');
  expect((await creator.next()).type).toBe('settn');
  for (let i = 1; i < players; i++) {
    const c = await raw(port, true);
    seats.push(c);
    c.send({ type: 'reqst', timestamp: Date.now(), game });
    expect((await c.next()).type).toBe('succs');
    const mine = await c.next();
    expect(mine.type === 'settn' && mine.settings.player).toBe(i);
  }
  return { seats, game };
}

/** Skips nickn/settn notices up to the next packet of `type`. */
async function nextOf(c: RawClient, type: Packet['type']): Promise<Packet> {
  for (;;) {
    const p = await c.next();
    if (p.type === type) return p;
    if (p.type !== 'nickn' && p.type !== 'settn') return p;
  }
}

describe('registry and CLI entry points', () => {
  it('registers the server on port 1038 and the client', async () => {
    const sp = await loadProtocol('orerush');
    expect(sp.defaultPort).toBe(1038);
    const cp = await loadClientProtocol('orerush');
    expect(cp.game).toBe('orerush');
    const s = await sp.start({ host: '127.0.0.1', port: 0, log: undefined as never, settings: { rounds: '12' } });
    try {
      const bots = await resolveBots(['random', 'heuristic'], 'orerush');
      const outcome = await cp.playOnline({
        host: '127.0.0.1',
        port: s.port,
        bots,
        seed: 3,
        budget: { iterations: 1 },
        log: undefined as never,
        timeoutMs: 30_000,
      });
      expect(outcome.decisions).toEqual([12, 12]);
      expect(outcome.errors).toEqual([]);
      expect(s.stats().games_finished).toBe(1);
    } finally {
      await s.close();
    }
    await expect(
      sp.start({ host: '127.0.0.1', port: 0, log: undefined as never, settings: { widht: '3' } }),
    ).rejects.toThrow(/widht: unknown setting/);
  });
});

describe('offline / online equivalence', () => {
  it('a seeded game ends with the same result and final state in-process and over TCP', async () => {
    const s = await server();
    const rules = { rounds: 80 };
    const config = engine.parseConfig(rules);
    const bots = await resolveBots(['heuristic', 'random'], 'orerush');
    const seed = 'equiv-1';
    const offline = await runMatch({
      engine,
      config,
      players: bots.map((b) => b.create()),
      seed,
      record: { actions: true },
    });
    const final = replayActions(engine, config, 2, seed, offline.actions!).finalState;
    const online = await playOreRushOnline({
      host: '127.0.0.1',
      port: s.port,
      bots,
      seed,
      rules,
      budget: { iterations: 1 },
      log: undefined as never,
      timeoutMs: 60_000,
    });
    for (const [seat, r] of online.entries()) {
      expect(r.result).toEqual(offline.result);
      expect(r.errors).toEqual([]);
      expect(r.finalObservation).toEqual(engine.observe(final, seat) satisfies OreRushObservation);
    }
    const done = s.finished();
    expect(done).toHaveLength(1);
    expect(done[0]!.stateHash).toBe(hashState(final));
    expect(offline.result.scores[0]).toBeGreaterThan(0);
  });
});

describe('robustness', () => {
  it('answers broken framing and bad packets as documented, and other clients keep playing', async () => {
    const s = await server();
    // A real game runs meanwhile between two well-behaved clients.
    const bots = await resolveBots(['random', 'random'], 'orerush');
    const game = playOreRushOnline({
      host: '127.0.0.1',
      port: s.port,
      bots,
      seed: 9,
      rules: { rounds: 40 },
      budget: { iterations: 1 },
      log: undefined as never,
      timeoutMs: 60_000,
    });
    const c = await raw(s.port);
    const STXs = '\u0002';
    const ETXs = '\u0003';
    c.send(frame('awake', 'Awake'));
    expect((await c.next()).type).toBe('succs');
    c.send(`junk between packets${STXs}awake\u001fAwake${ETXs}`);
    expectError(await c.next(), ErrorCode.frame, /garbage/);
    expect((await c.next()).type).toBe('succs');
    c.send(`${STXs}awake\u001fAwa${STXs}awake\u001fAwake${ETXs}`);
    expectError(await c.next(), ErrorCode.frame, /without its end byte/);
    expect((await c.next()).type).toBe('succs');
    c.send(Buffer.concat([Buffer.from([2]), Buffer.alloc(70_000, 0x61), Buffer.from([3])]));
    expectError(await c.next(), ErrorCode.frame, /oversized/);
    c.send(frame('awake', 'Awake'));
    expect((await c.next()).type).toBe('succs');
    c.send(frame('reqst', '1'));
    expectError(await c.next(), ErrorCode.fields, /takes 2 field/);
    c.send(frame('reqst', '1', '0', 'extra'));
    expectError(await c.next(), ErrorCode.fields);
    c.send(frame('reqst', 'now', '0'));
    expectError(await c.next(), ErrorCode.fields, /integer/);
    c.send(frame('settn', '{"players":'));
    expectError(await c.next(), ErrorCode.json, /not JSON/);
    c.send(frame('pmove', '0', 'null'));
    expectError(await c.next(), ErrorCode.json, /JSON object/);
    c.send(frame('blahh'));
    expectError(await c.next(), ErrorCode.unknownType);
    c.send(frame('pchat', '-1', 'hello'));
    expectError(await c.next(), ErrorCode.state, /not in a game/);
    c.send(frame('updte', '{}', '{}', '{}', '{}'));
    expectError(await c.next(), ErrorCode.denied);
    c.send(frame('reqst', '1', '424242'));
    expectError(await c.next(), ErrorCode.join, /no game/);
    // Answers are never answered.
    c.send(frame('succs', 'Success'));
    c.send(frame('awake', 'Awake'));
    expect((await c.next()).type).toBe('succs');
    const results = await game;
    expect(results[0]!.result.scores).toEqual(results[1]!.result.scores);
    expect(results.every((r) => r.errors.length === 0)).toBe(true);
    expect(s.stats().games_finished).toBe(1);
    for (let i = 0; i < 100 && (s.stats().connections ?? 0) > 1; i++) await sleep(20);
    expect(s.stats().connections).toBe(1);
  });

  it('pings every interval and drops a client silent for silentTimeoutMs; a live client stays', async () => {
    const s = await server({ pingIntervalMs: 100, silentTimeoutMs: 700 });
    const live = await OreRushClient.connect({ host: '127.0.0.1', port: s.port });
    clients.push(live);
    const silent = await raw(s.port, false);
    const started = Date.now();
    const first = await silent.next({ includePings: true });
    expect(first.type).toBe('awake');
    await silent.closed;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(silent.received.filter((p) => p.type === 'awake').length).toBeGreaterThanOrEqual(2);
    await sleep(800);
    expect(live.closed).toBe(false);
    expect(s.stats().drops_silent).toBe(1);
    expect(s.stats().pings).toBeGreaterThan(5);
  });

  it('a dropped player leaves the game, the others are told and play on', async () => {
    const s = await server({ pingIntervalMs: 100, silentTimeoutMs: 600 });
    const { seats } = await rawGame(s.port, 2, { rules: { rounds: 50 } });
    const [a, b] = seats as [RawClient, RawClient];
    expect((await nextOf(a, 'updte')).type).toBe('updte');
    b.close();
    const left = await nextOf(a, 'close');
    expect(left).toMatchObject({ type: 'close', player: 1 });
    // Seat 0 alone: rounds advance on its own moves.
    a.send(encodeMoves(0, 0, Array(5).fill({ type: 'WAIT' })));
    expect((await nextOf(a, 'succs')).type).toBe('succs');
    const u = await nextOf(a, 'updte');
    expect(u.type === 'updte' && u.map.round).toBe(1);
  });
});

describe('game flow', () => {
  it('round deadline: a silent player’s robots wait; a late move gets timeo', async () => {
    const s = await server();
    const { seats } = await rawGame(s.port, 2, { roundTimeoutMs: 150, rules: { rounds: 6 } });
    const [a, b] = seats as [RawClient, RawClient];
    const wait = Array(5).fill({ type: 'WAIT' });
    let u = await nextOf(a, 'updte');
    expect(u.type === 'updte' && u.map.round).toBe(0);
    // Seat 0 moves at once; seat 1 never does, so the round closes at its deadline.
    a.send(encodeMoves(0, 0, [{ type: 'MOVE', x: 3, y: 1 }, ...wait.slice(1)]));
    expect((await nextOf(a, 'succs')).type).toBe('succs');
    u = await nextOf(a, 'updte');
    expect(u.type === 'updte' && u.map.round).toBe(1);
    expect(u.type === 'updte' && (u.robots.own as { x: number }[])[0]!.x).toBe(3);
    expect(s.stats().round_deadlines).toBe(1);
    await nextOf(b, 'updte');
    await nextOf(b, 'updte');
    b.send(encodeMoves(1, 0, wait));
    expect((await nextOf(b, 'timeo')).type).toBe('timeo');
    b.send(encodeMoves(1, 5, wait));
    expectError(await nextOf(b, 'error'), ErrorCode.state, /not open/);
    expect(s.stats().moves_late).toBe(1);
  });

  it('checks moves, settings, chat and nicknames', async () => {
    const s = await server();
    const creator = await raw(s.port, true);
    creator.send({ type: 'reqst', timestamp: 1, game: 0 });
    await nextOf(creator, 'succs');
    const info = await nextOf(creator, 'settn');
    const game = info.type === 'settn' ? (info.settings.game as number) : -1;
    creator.send({ type: 'settn', settings: { rules: { width: 1 } } });
    expectError(await nextOf(creator, 'error'), ErrorCode.settings, /rules\.width/);
    creator.send({ type: 'settn', settings: { colour: 'red' } });
    expectError(await nextOf(creator, 'error'), ErrorCode.settings, /colour/);
    creator.send({ type: 'settn', settings: { players: 3, rules: { rounds: 5 } } });
    await nextOf(creator, 'succs');
    const two = await raw(s.port, true);
    two.send({ type: 'reqst', timestamp: 2, game });
    await nextOf(two, 'succs');
    two.send({ type: 'settn', settings: { players: 2 } });
    expectError(await nextOf(two, 'error'), ErrorCode.denied);
    two.send({ type: 'nickn', player: 1, name: 'Digger' });
    await nextOf(two, 'succs');
    expect(await nextOf(creator, 'nickn')).toEqual({ type: 'nickn', player: 1, name: 'player2' });
    expect(await nextOf(creator, 'nickn')).toEqual({ type: 'nickn', player: 1, name: 'Digger' });
    two.send({ type: 'nickn', player: 0, name: 'Thief' });
    expectError(await nextOf(two, 'error'), ErrorCode.denied);
    two.send({ type: 'pchat', player: 0, message: 'hello seat 0' });
    await nextOf(two, 'succs');
    expect(await nextOf(creator, 'pchat')).toEqual({ type: 'pchat', player: 1, message: 'hello seat 0' });
    const three = await raw(s.port, true);
    three.send({ type: 'reqst', timestamp: 3, game });
    await nextOf(three, 'succs');
    const four = await raw(s.port, true);
    four.send({ type: 'reqst', timestamp: 4, game });
    expectError(await nextOf(four, 'error'), ErrorCode.join);
    // Three joined: the game runs.
    await nextOf(creator, 'updte');
    await nextOf(two, 'updte');
    await nextOf(three, 'updte');
    creator.send({ type: 'pmove', player: 1, moves: { round: 0, commands: [] } });
    expectError(await nextOf(creator, 'error'), ErrorCode.denied);
    creator.send(encodeMoves(0, 0, [{ type: 'MOVE', x: 99, y: 0 }]));
    expectError(await nextOf(creator, 'error'), ErrorCode.move, /expected 5 commands/);
    creator.send(encodeMoves(0, 0, Array(5).fill({ type: 'REQUEST', item: 'radar' })));
    expectError(await nextOf(creator, 'error'), ErrorCode.move, /one radar/);
    const wait = Array(5).fill({ type: 'WAIT' });
    creator.send(encodeMoves(0, 0, wait));
    await nextOf(creator, 'succs');
    creator.send(encodeMoves(0, 0, wait));
    expectError(await nextOf(creator, 'error'), ErrorCode.state, /already moved/);
    // The creator leaves politely: the others are told, the game goes on.
    creator.send({ type: 'close', timestamp: 5, player: 0 });
    await nextOf(creator, 'succs');
    expect(await nextOf(two, 'close')).toMatchObject({ type: 'close', player: 0 });
    two.send(encodeMoves(1, 0, wait));
    three.send(encodeMoves(2, 0, wait));
    expect(await nextOf(three, 'close')).toMatchObject({ type: 'close', player: 0 });
    expect((await nextOf(three, 'succs')).type).toBe('succs');
    const u = await nextOf(three, 'updte');
    expect(u.type === 'updte' && u.map.round).toBe(1);
  });
});
