import { afterEach, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  type OreRushRunningServer,
  type Packet,
  startOreRushServer,
} from '../../src/protocols/orerush/index.ts';
import { type RawClient, rawClient } from './helpers.ts';

const servers: OreRushRunningServer[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function setup() {
  const s = await startOreRushServer({ port: 0 });
  servers.push(s);
  return s;
}

async function raw(port: number): Promise<RawClient> {
  const c = await rawClient(port, { answerPings: true });
  clients.push(c);
  return c;
}

/** The next packet that is not an `updte` (the client under test does not answer them here). */
async function next(c: RawClient): Promise<Packet> {
  for (;;) {
    const p = await c.next();
    if (p.type !== 'updte') return p;
  }
}

describe('Ore Rush: an off-board coordinate is an illegal move (error 7), whatever its sign', () => {
  it('answers MOVE/DIG off the board with error 7 naming the board bound; a non-integer stays error 4', async () => {
    const s = await setup();
    const c = await raw(s.port);
    c.send({ type: 'reqst', timestamp: Date.now(), game: 0 });
    expect((await next(c)).type).toBe('succs');
    expect((await next(c)).type).toBe('settn');
    // One player: the game starts at once.
    c.send({ type: 'settn', settings: { players: 1 } });
    expect((await next(c)).type).toBe('succs');
    expect((await next(c)).type).toBe('settn');
    const wait = { type: 'WAIT' };
    const move = (cmd: Record<string, unknown>) => ({
      type: 'pmove' as const,
      player: 0,
      moves: { round: 0, commands: [cmd, wait, wait, wait, wait] },
    });
    const offBoard: [Record<string, unknown>, string][] = [
      [{ type: 'MOVE', x: -1, y: 0 }, 'robot 0: MOVE x must be an integer from 0 to 29, got -1'],
      [{ type: 'MOVE', x: 30, y: 0 }, 'robot 0: MOVE x must be an integer from 0 to 29, got 30'],
      [{ type: 'MOVE', x: 3, y: -1 }, 'robot 0: MOVE y must be an integer from 0 to 14, got -1'],
      [{ type: 'MOVE', x: 3, y: 15 }, 'robot 0: MOVE y must be an integer from 0 to 14, got 15'],
      [{ type: 'DIG', x: -5, y: 2 }, 'robot 0: DIG x must be an integer from 0 to 29, got -5'],
      [
        { type: 'DIG', x: Number.MIN_SAFE_INTEGER, y: 2 },
        `robot 0: DIG x must be an integer from 0 to 29, got ${Number.MIN_SAFE_INTEGER}`,
      ],
    ];
    for (const [cmd, message] of offBoard) {
      c.send(move(cmd));
      expect(await next(c)).toEqual({ type: 'error', code: ErrorCode.move, message });
    }
    for (const x of [1.5, '3', null]) {
      c.send(move({ type: 'MOVE', x, y: 0 }));
      const p = await next(c);
      expect(p).toMatchObject({ type: 'error', code: ErrorCode.json });
      expect(p.type === 'error' && p.message).toMatch(/^moves\.commands\[0\]: MOVE x must be an integer, got /);
    }
    c.send(move({ type: 'MOVE', x: 29, y: 14 }));
    expect((await next(c)).type).toBe('succs');
  });
});

describe('Ore Rush: a join before the start sends every member a fresh settn (§6.1)', () => {
  it('tells the members already there the new seat count, then the newcomer’s name', async () => {
    const s = await setup();
    const a = await raw(s.port);
    a.send({ type: 'reqst', timestamp: Date.now(), game: 0 });
    expect((await next(a)).type).toBe('succs');
    const info = await next(a);
    const game = info.type === 'settn' ? (info.settings.game as number) : -1;
    a.send({ type: 'settn', settings: { players: 3 } });
    expect((await next(a)).type).toBe('succs');
    expect(await next(a)).toMatchObject({ type: 'settn', settings: { joined: 1, players: 3 } });
    const b = await raw(s.port);
    b.send({ type: 'reqst', timestamp: Date.now(), game });
    expect((await next(b)).type).toBe('succs');
    expect(await next(b)).toMatchObject({ type: 'settn', settings: { player: 1, joined: 2 } });
    expect(await next(b)).toMatchObject({ type: 'nickn', player: 0 });
    expect(await next(a)).toMatchObject({ type: 'settn', settings: { game, player: 0, players: 3, joined: 2 } });
    expect(await next(a)).toMatchObject({ type: 'nickn', player: 1 });
    const c = await raw(s.port);
    c.send({ type: 'reqst', timestamp: Date.now(), game });
    expect((await next(c)).type).toBe('succs');
    for (const [seat, member] of [a, b].entries()) {
      expect(await next(member)).toMatchObject({ type: 'settn', settings: { player: seat, joined: 3 } });
      expect(await next(member)).toMatchObject({ type: 'nickn', player: 2 });
    }
  });
});
