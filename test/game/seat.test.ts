import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GameResult } from '../../src/core/engine.ts';
import { silentLogger } from '../../src/core/log.ts';
import { createRng } from '../../src/core/rng.ts';
import type { Strategy } from '../../src/core/strategy.ts';
import {
  type OnlineGame,
  OnlineSeat,
  type SeatHooks,
  type SeatSink,
  SeatStopped,
  SeatTimeout,
} from '../../src/game/seat.ts';

/** A scripted game: the test plays the server through `sink`, and sees what the seat sent in `sent`. */
function scripted() {
  let sink!: SeatSink<number>;
  const sent: string[] = [];
  let detached = false;
  const game: OnlineGame<number, string> = {
    attach: (s) => {
      sink = s;
    },
    seat: () => ({ seat: 1, config: { size: 3 } }),
    act: (observation, action) => {
      sent.push(`${observation}:${action}`);
    },
    detach: () => {
      detached = true;
    },
  };
  return { game, sent, sink: () => sink, detached: () => detached };
}

const echo: Strategy<number, string> = { name: 'echo', decide: (o) => `a${o}` };
const context = (seat: number) => ({
  seat,
  rng: createRng(1),
  budget: { iterations: 1 },
  model: { engine: undefined as never, config: undefined },
  log: silentLogger,
});
const flush = () => new Promise((r) => setImmediate(r));

afterEach(() => {
  vi.useRealTimers();
});

describe('the online seat', () => {
  it('answers each observation, reports every wait for the server by kind, and the result', async () => {
    const g = scripted();
    const gaps: string[] = [];
    const decisions: string[] = [];
    const hooks: SeatHooks<number, string> = {
      gap: (kind, micros) => {
        expect(micros).toBeGreaterThanOrEqual(0);
        gaps.push(kind);
      },
      decision: (seat, o, a) => decisions.push(`${seat} ${o} ${a}`),
    };
    const seat = new OnlineSeat({ game: g.game, strategy: echo, context, hooks });
    g.sink().started();
    g.sink().observe(0);
    await flush();
    g.sink().served('year');
    g.sink().observe(1);
    await flush();
    const result: GameResult = { scores: [1, 2], ranks: [2, 1], winner: 1 };
    g.sink().end(result);
    const outcome = await seat.done;
    expect(g.sent).toEqual(['0:a0', '1:a1']);
    expect(gaps).toEqual(['start', 'year']);
    expect(decisions).toEqual(['1 0 a0', '1 1 a1']);
    expect(outcome).toMatchObject({ result, decisions: 2, skipped: 0 });
    expect(g.detached()).toBe(true);
  });

  it('tells `ended` of its end a microtask later, and `done` asked for afterwards settles the same way', async () => {
    const won = scripted();
    const calls: string[] = [];
    const seat = new OnlineSeat({
      game: won.game,
      strategy: echo,
      context,
      ended: (error, outcome) => calls.push(`${error?.message ?? 'ok'} ${outcome?.decisions ?? '-'}`),
    });
    won.sink().observe(0);
    await flush();
    won.sink().end(null);
    expect(calls).toEqual([]);
    await Promise.resolve();
    expect(calls).toEqual(['ok 1']);
    await expect(seat.done).resolves.toMatchObject({ result: null, decisions: 1 });

    const lost = scripted();
    const failed = new OnlineSeat({
      game: lost.game,
      strategy: echo,
      context,
      ended: (error, outcome) => calls.push(`${error?.message ?? 'ok'} ${outcome?.decisions ?? '-'}`),
    });
    lost.sink().fail(new Error('gone'));
    lost.sink().end(null);
    await flush();
    expect(calls).toEqual(['ok 1', 'gone -']);
    await expect(failed.done).rejects.toThrow('gone');
  });

  it('acts on the newest of observations that came together, never on the stale ones', async () => {
    const g = scripted();
    const seat = new OnlineSeat({ game: g.game, strategy: echo, context });
    for (const o of [3, 4, 5]) g.sink().observe(o);
    await flush();
    expect(g.sent).toEqual(['5:a5']);
    expect(seat.skipped).toBe(2);
  });

  it('drops a decision overtaken by a newer observation while the strategy thought', async () => {
    const g = scripted();
    let release!: () => void;
    const slow: Strategy<number, string> = {
      name: 'slow',
      decide: (o) => (o === 1 ? new Promise<string>((r) => (release = () => r('late'))) : `a${o}`),
    };
    const seat = new OnlineSeat({ game: g.game, strategy: slow, context });
    g.sink().observe(1);
    await flush();
    g.sink().observe(2);
    release();
    await flush();
    expect(g.sent).toEqual(['2:a2']);
    expect(seat.decisions).toBe(2);
    expect(seat.skipped).toBe(1);
  });

  it('fails with SeatTimeout when the game does not start, or a turn does not come, within its patience', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const lobby = scripted();
    const waiting = new OnlineSeat({
      game: lobby.game,
      strategy: echo,
      context,
      patience: { startMs: 1000, turnMs: () => 5000 },
    });
    vi.advanceTimersByTime(999);
    await vi.advanceTimersByTimeAsync(2);
    await expect(waiting.done).rejects.toEqual(new SeatTimeout('start', 'the game did not start within 1000 ms'));

    const turn = scripted();
    const playing = new OnlineSeat({
      game: turn.game,
      strategy: echo,
      context,
      patience: { startMs: 1000, turnMs: () => 5000 },
    });
    turn.sink().started();
    turn.sink().observe(0);
    await vi.advanceTimersByTimeAsync(4000);
    turn.sink().served('year');
    turn.sink().observe(1);
    // Each wait has its own 5 s: 4 s, then 4.9 s are fine.
    await vi.advanceTimersByTimeAsync(4900);
    expect(turn.sent).toEqual(['0:a0', '1:a1']);
    await vi.advanceTimersByTimeAsync(200);
    await expect(playing.done).rejects.toMatchObject({ phase: 'turn' });
  });

  it('stops on the abort signal and when the adapter fails', async () => {
    const controller = new AbortController();
    const a = scripted();
    const stopped = new OnlineSeat({ game: a.game, strategy: echo, context, signal: controller.signal });
    controller.abort();
    await expect(stopped.done).rejects.toBeInstanceOf(SeatStopped);

    const b = scripted();
    const failed = new OnlineSeat({ game: b.game, strategy: echo, context });
    b.sink().fail(new Error('the server aborted the game'));
    await expect(failed.done).rejects.toThrow('the server aborted the game');
    b.sink().observe(1);
    await flush();
    expect(b.sent).toEqual([]);
  });
});
