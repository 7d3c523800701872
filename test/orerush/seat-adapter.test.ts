import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.ts';
import type { SeatSink } from '../../src/game/seat.ts';
import { type OreRushAction, type OreRushObservation, orerushEngine } from '../../src/games/orerush/index.ts';
import type { AnswerCallback, GameInfo, OreRushClient, Packet } from '../../src/protocols/orerush/index.ts';
import {
  ErrorCode,
  encodeMoves,
  OreRushOnlineGame,
  OreRushUpdate,
  onUpdates,
  readyUpdate,
} from '../../src/protocols/orerush/index.ts';

/** A game adapter over a client that only takes its handlers (seat() reads nothing else). */
function seated(rules: Record<string, unknown>, player = 0) {
  const client = { setHandlers() {} } as unknown as OreRushClient;
  const game = new OreRushOnlineGame(client);
  const info: GameInfo = { game: 1, player, players: 4, joined: 4, roundTimeoutMs: 60_000, rules };
  game.handlers.onSettings?.(info);
  return game.seat();
}

/** A client that records what the adapter sends, with the callbacks its answers go to. */
function recordingClient() {
  const sent: { packet: Packet; done: AnswerCallback }[] = [];
  const client = {
    setHandlers() {},
    send(packet: Packet, done: AnswerCallback) {
      sent.push({ packet, done });
    },
  } as unknown as OreRushClient;
  return { sent, client };
}

describe('Ore Rush seat adapter: the config of the settn rules', () => {
  it('is the engine reading of the rules', () => {
    const rules = { ...orerushEngine.defaultConfig(), rounds: 37, width: 12 };
    expect(seated(rules).config).toEqual(orerushEngine.parseConfig(rules));
  });

  it('is read once for the same rules and shared (frozen) by every session that gets them', () => {
    const a = seated({ rounds: 41, oreValues: [1, 2, 3, 4, 5] }, 0);
    const b = seated({ rounds: 41, oreValues: [1, 2, 3, 4, 5] }, 1);
    expect(b.seat).toBe(1);
    expect(b.config).toBe(a.config);
    expect(Object.isFrozen(a.config)).toBe(true);
    expect(Object.isFrozen((a.config as { oreValues: unknown }).oreValues)).toBe(true);
    const c = seated({ rounds: 42, oreValues: [1, 2, 3, 4, 5] });
    expect(c.config).not.toBe(a.config);
    expect((c.config as { rounds: number }).rounds).toBe(42);
  });

  it('still refuses bad rules, every time', () => {
    expect(() => seated({ rounds: 0 })).toThrow(/rounds/);
    expect(() => seated({ rounds: 0 })).toThrow(/rounds/);
  });
});

describe('Ore Rush seat adapter: a move and its answer', () => {
  /** An adapter over a client that records what is sent (and the callbacks its answers go to). */
  function moving() {
    const { sent, client } = recordingClient();
    const answers: [number, string][] = [];
    const game = new OreRushOnlineGame(client, { onMoveAnswer: (micros, a) => answers.push([micros, a.kind]) });
    game.handlers.onSettings?.({ game: 1, player: 2, players: 4, joined: 4, roundTimeoutMs: 60_000, rules: {} });
    const refused: string[] = [];
    const failed: Error[] = [];
    const sink = {
      started() {},
      served() {},
      waiting() {},
      observe() {},
      refused: (kind: string, message: string) => refused.push(`${kind} ${message}`),
      end() {},
      fail: (e: Error) => failed.push(e),
    } as SeatSink<OreRushObservation>;
    game.attach(sink);
    const observation = { round: 3, robots: [{}, {}] } as unknown as OreRushObservation;
    return { game, sent, answers, refused, failed, observation };
  }

  it('sends one pmove per act and reports its answer; a refused move is followed by every robot waiting', () => {
    const m = moving();
    const action: OreRushAction = [
      { type: 'MOVE', x: 1, y: 1 },
      { type: 'DIG', x: 2, y: 2 },
    ];
    expect(m.game.act(m.observation, action)).toBeUndefined();
    expect(m.sent.map((s) => s.packet)).toEqual([encodeMoves(2, 3, action)]);
    m.sent[0]!.done(null, { kind: 'error', code: ErrorCode.move, message: 'no such cell' });
    expect(m.refused).toEqual([`${ErrorCode.move} no such cell`]);
    expect(m.sent[1]!.packet).toEqual(encodeMoves(2, 3, [{ type: 'WAIT' }, { type: 'WAIT' }]));
    // The retry's own answer is not a move's answer: not reported, never retried again.
    m.sent[1]!.done(null, { kind: 'error', code: ErrorCode.move, message: 'again' });
    expect(m.sent).toHaveLength(2);
    expect(m.answers.map((a) => a[1])).toEqual(['error']);
    m.game.act({ ...m.observation, round: 4 } as OreRushObservation, action);
    m.sent[2]!.done(null, { kind: 'timeout' });
    expect(m.refused[1]).toBe('timeout round 4: move came too late');
    expect(m.answers.map((a) => a[1])).toEqual(['error', 'timeout']);
    expect(m.failed).toEqual([]);
  });

  it('fails the seat when a move gets no answer (connection closed)', async () => {
    const m = moving();
    m.game.act(m.observation, [{ type: 'WAIT' }, { type: 'WAIT' }]);
    m.sent[0]!.done(new Error('connection closed (remote) before the answer to pmove'), null);
    await Promise.resolve();
    expect(m.failed.map((e) => e.message)).toEqual(['connection closed (remote) before the answer to pmove']);
    expect(m.answers).toEqual([]);
  });
});

describe('Ore Rush seat adapter: lazy turns', () => {
  it('hands the seat the update itself; the wrapped strategy decides on its observation; a WAIT retry has one command per robot', () => {
    const { sent, client } = recordingClient();
    const game = new OreRushOnlineGame<OreRushUpdate>(client, { turns: 'lazy' });
    game.handlers.onSettings?.({ game: 1, player: 1, players: 2, joined: 2, roundTimeoutMs: 60_000, rules: {} });
    const turns: OreRushUpdate[] = [];
    game.attach({
      started() {},
      served() {},
      waiting() {},
      observe: (turn) => turns.push(turn),
      refused() {},
      end() {},
      fail(e) {
        throw e;
      },
    });
    const state = orerushEngine.setup(orerushEngine.defaultConfig(), 2, createRng('lazy-turns'));
    const observation = orerushEngine.observe(state, 1);
    game.handlers.onUpdate?.(readyUpdate(observation, null));
    expect(turns).toHaveLength(1);
    expect(turns[0]).toBeInstanceOf(OreRushUpdate);
    const seen: OreRushObservation[] = [];
    const strategy = onUpdates({
      name: 'first',
      decide: (obs) => {
        seen.push(obs);
        return obs.robots.map(() => ({ type: 'WAIT' }) as const);
      },
    });
    const action = strategy.decide(turns[0]!, {} as never) as OreRushAction;
    expect(seen).toStrictEqual([observation]);
    game.act(turns[0]!, action);
    expect(sent[0]!.packet).toEqual(encodeMoves(1, observation.round, action));
    sent[0]!.done(null, { kind: 'error', code: ErrorCode.move, message: 'no' });
    expect(sent[1]!.packet).toEqual(
      encodeMoves(
        1,
        observation.round,
        observation.robots.map(() => ({ type: 'WAIT' })),
      ),
    );
  });
});
