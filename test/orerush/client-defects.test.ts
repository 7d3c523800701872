/**
 * The Ore Rush client against a hand-written server that behaves as the document allows but the reference
 * server never does: packets coalesced or split into tiny chunks, `close -1` long after the final `updte`,
 * several `updte`s queued for a late client, unknown event kinds, an unreadable `updte`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBots } from '../../src/bots/resolve.ts';
import { silentLogger } from '../../src/core/log.ts';
import { createRng } from '../../src/core/rng.ts';
import {
  orerushEngine as engine,
  type OreRushAction,
  type OreRushConfig,
  type OreRushState,
} from '../../src/games/orerush/index.ts';
import { delimitedFramer } from '../../src/net/framing.ts';
import {
  decodeMoves,
  decodePacket,
  ETX,
  encodePacket,
  encodeUpdate,
  MAX_PACKET,
  type Packet,
  playOreRushOnline,
  STX,
} from '../../src/protocols/orerush/index.ts';

interface Script {
  /** Each write goes out in chunks of 1 to 3 bytes. */
  split?: boolean;
  /** ms between the final `updte` and `close -1` (0: in the same write). */
  closeDelayMs?: number;
  /** After the move of round 0, the next three rounds are resolved without the client (it is late) and sent at once. */
  backlog?: boolean;
  /** An event of a kind no document names, in every `updte`. */
  unknownEvent?: boolean;
  /** Round 1's `updte` has a field of the wrong type. */
  unreadableAt?: number;
  /** After the move of this round the game is aborted: `close -1` without a final `updte` (§6.6). */
  abortAfter?: number;
}

interface Observed {
  /** Rounds of the `pmove`s received, in order. */
  moves: number[];
  /** Requests the server sent (`settn`, `updte`, `close`), and how many of them the client answered. */
  sent: string[];
  answered: number;
  /** Whether the `close -1` was answered before the connection ended. */
  closeAnswered: boolean;
  errorsFromClient: string[];
  ended: Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const RULES = { rounds: 8, width: 12, height: 6, robots: 2 };

async function oddServer(script: Script): Promise<{ port: number; observed: Observed }> {
  const config: OreRushConfig = engine.parseConfig(RULES);
  let endedResolve!: () => void;
  const observed: Observed = {
    moves: [],
    sent: [],
    answered: 0,
    closeAnswered: false,
    errorsFromClient: [],
    ended: new Promise<void>((r) => {
      endedResolve = r;
    }),
  };
  const sockets = new Set<Socket>();
  const srv: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => endedResolve());
    const framer = delimitedFramer({ start: STX, end: ETX, maxFrame: MAX_PACKET });
    let state: OreRushState = engine.setup(config, 1, createRng('odd').fork('map'));
    const encode = (p: Packet) => framer.encode(encodePacket(p));
    const write = (packets: Packet[]) => {
      for (const p of packets) if (p.type !== 'succs') observed.sent.push(p.type);
      const bytes = Buffer.concat(packets.map(encode));
      if (!script.split) {
        socket.write(bytes);
        return;
      }
      for (let i = 0; i < bytes.length; ) {
        const n = 1 + (i % 3);
        socket.write(bytes.subarray(i, i + n));
        i += n;
      }
    };
    const update = (): Packet => {
      const obs = engine.observe(state, 0);
      const p = encodeUpdate(obs, engine.result(state)) as Extract<Packet, { type: 'updte' }>;
      if (script.unknownEvent)
        (p.map.events as unknown[]).push({ kind: 'meteor', x: 3, y: 2, note: 'a later version' });
      if (script.unreadableAt === obs.round && !obs.over) p.map.width = 'wide';
      return p;
    };
    const step = (action: OreRushAction) => {
      const reason = engine.validate(state, 0, action);
      state = engine.apply(state, {
        kind: 'players',
        actions: new Map([[0, reason === null ? action : engine.defaultAction(state, 0)]]),
      });
    };
    const finish = () => {
      const close: Packet = { type: 'close', timestamp: Date.now(), player: -1 };
      if (!script.closeDelayMs) write([update(), close]);
      else {
        write([update()]);
        setTimeout(() => write([close]), script.closeDelayMs);
      }
    };
    socket.on('data', (chunk) =>
      framer.push(chunk, {
        frame: (f) => {
          const p = decodePacket(f);
          if (p.type === 'succs') {
            observed.answered++;
            if (observed.sent[observed.answered - 1] === 'close') observed.closeAnswered = true;
          } else if (p.type === 'error') observed.errorsFromClient.push(p.message);
          else if (p.type === 'reqst') {
            write([
              { type: 'succs' },
              {
                type: 'settn',
                settings: { game: 1, player: 0, players: 1, joined: 1, roundTimeoutMs: 60_000, rules: RULES },
              },
            ]);
          } else if (p.type === 'settn') {
            write([{ type: 'succs' }, update()]);
          } else if (p.type === 'pmove') {
            const { round, action } = decodeMoves(p.moves);
            observed.moves.push(round);
            const obs = engine.observe(state, 0);
            if (round !== obs.round) {
              write([{ type: 'timeo' }]);
              return;
            }
            step(action);
            if (script.abortAfter === round) {
              write([{ type: 'succs' }, { type: 'close', timestamp: Date.now(), player: -1 }]);
              return;
            }
            if (engine.toAct(state).kind === 'terminal') {
              write([{ type: 'succs' }]);
              finish();
              return;
            }
            if (script.backlog && round === 0) {
              // The client is "late": three rounds close without it, their updates go out together.
              const queued: Packet[] = [{ type: 'succs' }, update()];
              step(engine.defaultAction(state, 0));
              queued.push(update());
              step(engine.defaultAction(state, 0));
              queued.push(update());
              write(queued);
              return;
            }
            write([{ type: 'succs' }, update()]);
          }
        },
        error: () => {},
      }),
    );
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  );
  const address = srv.address();
  return { port: typeof address === 'object' && address ? address.port : 0, observed };
}

async function play(port: number, timeoutMs = 20_000) {
  const bots = await resolveBots(['heuristic'], 'orerush');
  return playOreRushOnline({
    host: '127.0.0.1',
    port,
    bots,
    seed: 1,
    rules: RULES,
    budget: { iterations: 1 },
    log: silentLogger,
    timeoutMs,
  });
}

describe('the Ore Rush client against an odd but conforming server', () => {
  it('answers every packet, the final close -1 included, when it comes in the same write as the final updte', async () => {
    const { port, observed } = await oddServer({});
    const [seat] = await play(port);
    await observed.ended;
    expect(seat!.result.ranks).toEqual([1]);
    expect(observed.moves).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(observed.sent.at(-1)).toBe('close');
    expect(observed.closeAnswered).toBe(true);
    expect(observed.answered).toBe(observed.sent.length);
  });

  it('waits for a late close -1 and answers it before leaving', async () => {
    const { port, observed } = await oddServer({ closeDelayMs: 400 });
    const started = performance.now();
    await play(port);
    // Left only after the close came (a timer is never early).
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
    await observed.ended;
    expect(observed.closeAnswered).toBe(true);
    expect(observed.answered).toBe(observed.sent.length);
  });

  it('reads packets split into 1-3 byte chunks', async () => {
    const { port, observed } = await oddServer({ split: true, closeDelayMs: 50 });
    await play(port);
    await observed.ended;
    expect(observed.moves).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(observed.closeAnswered).toBe(true);
    expect(observed.errorsFromClient).toEqual([]);
  });

  it('once late, acts on the newest of several queued updates and skips the stale ones', async () => {
    const { port, observed } = await oddServer({ backlog: true });
    const [seat] = await play(port);
    await observed.ended;
    // Rounds 1 and 2 closed without the client: it answers round 3, never 1 or 2 late and in order.
    expect(observed.moves).toEqual([0, 3, 4, 5, 6, 7]);
    expect(seat!.decisions).toBe(6);
    // Every update was still answered (succs), the skipped ones too.
    expect(observed.answered).toBe(observed.sent.length);
  });

  it('ignores an event kind it does not know and keeps playing', async () => {
    const { port, observed } = await oddServer({ unknownEvent: true });
    const [seat] = await play(port);
    await observed.ended;
    expect(observed.errorsFromClient).toEqual([]);
    expect(observed.moves).toHaveLength(8);
    expect(seat!.events.some((e) => (e as { kind: string }).kind === 'meteor')).toBe(false);
  });

  it('an unreadable updte fails the game at once, with the reason, never a silent stall', async () => {
    const { port, observed } = await oddServer({ unreadableAt: 1 });
    const started = performance.now();
    await expect(play(port, 30_000)).rejects.toThrow(/unreadable updte: .*map\.width/);
    expect(performance.now() - started).toBeLessThan(20_000);
    await observed.ended;
    expect(observed.errorsFromClient).toHaveLength(1);
    expect(observed.moves).toEqual([0]);
  });

  it('a close -1 without a final updte (an aborted game, §6.6) fails the game at once, answered', async () => {
    const { port, observed } = await oddServer({ abortAfter: 2 });
    const started = performance.now();
    await expect(play(port, 30_000)).rejects.toThrow(/closed the game without a final update/);
    expect(performance.now() - started).toBeLessThan(20_000);
    await observed.ended;
    expect(observed.closeAnswered).toBe(true);
    expect(observed.moves).toEqual([0, 1, 2]);
  });
});
