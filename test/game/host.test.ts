import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GameEngine, GameResult } from '../../src/core/engine.ts';
import { MatchHost, type MatchSpec } from '../../src/game/host.ts';

/** A toy simultaneous game: each round every seat adds a number; `rounds` rounds. */
interface Toy {
  readonly round: number;
  readonly totals: readonly number[];
}
interface ToyConfig {
  readonly rounds: number;
  /** apply throws when the sum of the actions of a round equals this. */
  readonly failOn?: number;
}

const toy: GameEngine<Toy, number, Toy, ToyConfig, never, string> = {
  id: 'toy',
  version: '1',
  minPlayers: 1,
  maxPlayers: 4,
  defaultConfig: () => ({ rounds: 3 }),
  parseConfig: (raw) => raw as ToyConfig,
  setup: (_config, players) => ({ round: 0, totals: new Array<number>(players).fill(0) }),
  toAct: (s) => ({ kind: 'players', seats: s.totals.map((_, i) => i) }),
  validate: () => null,
  defaultAction: () => 0,
  apply(state, step, events) {
    if (step.kind !== 'players') throw new Error('no chance');
    let sum = 0;
    for (const a of step.actions.values()) sum += a;
    if (sum === FAIL) throw new Error('injected apply failure');
    events?.push(`round ${state.round}: ${sum}`);
    return { round: state.round + 1, totals: state.totals.map((t, i) => t + (step.actions.get(i) ?? 0)) };
  },
  observe: (s) => s,
  result(s): GameResult | null {
    if (s.round < 3) return null;
    return { scores: [...s.totals], ranks: s.totals.map(() => 1), winner: null };
  },
};
const FAIL = 99;

interface Told {
  opened: string[][];
  finished: GameResult[];
  aborted: unknown[];
  missed: number[][];
}

function open(host: MatchHost, overrides: Partial<MatchSpec<Toy, number, ToyConfig, never, string>> = {}) {
  const told: Told = { opened: [], finished: [], aborted: [], missed: [] };
  const match = host.open({
    id: 1,
    seed: 's',
    engine: toy,
    config: { rounds: 3 },
    mode: 'rounds',
    roundTimeoutMs: 1000,
    wire: {
      roundOpened: (_m, events) => told.opened.push([...events]),
      finished: (_m, result) => told.finished.push(result),
      aborted: (_m, error) => told.aborted.push(error),
      deadlineMissed: (_m, seats) => told.missed.push([...seats]),
    },
    ...overrides,
  });
  return { match, told };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('match host: rounds of simultaneous moves', () => {
  it('closes a round when every present seat is ready, inside the last ready() call', () => {
    const host = new MatchHost();
    const { match, told } = open(host);
    expect(match.start(2)).toBe(true);
    expect(told.opened).toEqual([[]]);
    match.ready(0, 1);
    expect(match.state?.round).toBe(0);
    match.ready(1, 2);
    expect(match.state?.round).toBe(1);
    expect(told.opened[1]).toEqual(['round 0: 3']);
    match.ready(0, 1);
    match.ready(1, 1);
    match.ready(0, 1);
    match.ready(1, 1);
    expect(told.finished).toHaveLength(1);
    expect(match.status).toBe('finished');
    expect(host.stats).toMatchObject({ started: 1, finished: 1, aborted: 0, steps: 3 });
    expect(host.live).toBe(0);
  });

  it('a round deadline plays the default action for seats that did not act, and names them', () => {
    const host = new MatchHost();
    const { match, told } = open(host);
    match.start(3);
    match.ready(1, 5);
    vi.advanceTimersByTime(999);
    expect(match.state?.round).toBe(0);
    vi.advanceTimersByTime(1);
    expect(match.state).toEqual({ round: 1, totals: [0, 5, 0] });
    expect(told.missed).toEqual([[0, 2]]);
    expect(host.stats.deadlinesMissed).toBe(2);
  });

  it('a seat that left is not waited for; with nobody left to wait for the round closes on the next turn', () => {
    const host = new MatchHost();
    const { match } = open(host);
    match.start(2);
    match.ready(0, 1);
    match.leave(1);
    expect(match.state?.round).toBe(1);
    match.leave(0);
    // Nobody present: each round closes from setImmediate (never recursing), to the end.
    vi.runAllTimers();
    expect(match.status).toBe('finished');
  });

  it('a throw in a step from a request aborts the game; the state is the last committed one', () => {
    const host = new MatchHost();
    const { match, told } = open(host);
    match.start(2);
    match.ready(0, 1);
    match.ready(1, 1);
    const before = match.state;
    match.ready(0, FAIL);
    match.ready(1, 0);
    expect(match.status).toBe('aborted');
    expect(match.state).toBe(before);
    expect(told.aborted).toHaveLength(1);
    expect((told.aborted[0] as Error).message).toBe('injected apply failure');
    expect(host.stats.aborted).toBe(1);
    expect(host.live).toBe(0);
    // Its clock is stopped: the deadline passes without a step or a second abort.
    vi.advanceTimersByTime(5000);
    expect(told.aborted).toHaveLength(1);
    expect(match.state).toBe(before);
  });

  it('a throw in a step from the round clock aborts that game only; another match goes on', () => {
    const host = new MatchHost();
    const broken = open(host, { engine: { ...toy, defaultAction: () => FAIL } });
    const healthy = open(host, { id: 2 });
    broken.match.start(1);
    healthy.match.start(1);
    vi.advanceTimersByTime(1000);
    expect(broken.match.status).toBe('aborted');
    expect(broken.told.aborted).toHaveLength(1);
    expect(healthy.match.state?.round).toBe(1);
    vi.advanceTimersByTime(2000);
    expect(healthy.match.status).toBe('finished');
  });

  it('a throw in the set-up or in the adapter aborts the game; a throw in `aborted` itself is only logged', () => {
    const host = new MatchHost();
    const a = open(host, {
      engine: {
        ...toy,
        setup: () => {
          throw new Error('setup');
        },
      },
    });
    expect(a.match.start(2)).toBe(false);
    expect(a.match.state).toBeUndefined();
    expect(a.told.aborted).toHaveLength(1);
    const b = open(host, {
      wire: {
        roundOpened: () => {
          throw new Error('wire');
        },
        aborted: () => {
          throw new Error('worse');
        },
      },
    });
    expect(b.match.start(2)).toBe(false);
    expect(b.match.status).toBe('aborted');
    expect(host.stats.aborted).toBe(2);
  });
});

describe('match host: ending', () => {
  it('a discard() from the adapter’s own finished callback leaves the game finished, counted once', () => {
    const host = new MatchHost();
    let match: ReturnType<typeof open>['match'] | undefined;
    const opened = open(host, {
      roundTimeoutMs: 0,
      wire: { finished: () => match!.discard(), aborted: () => {} },
    });
    match = opened.match;
    match.start(1);
    for (let i = 0; i < 3; i++) match.ready(0, 1);
    expect(match.status).toBe('finished');
    expect(host.stats).toMatchObject({ finished: 1, aborted: 0 });
  });

  it('a throw while telling the end aborts the game instead', () => {
    const host = new MatchHost();
    const aborted: unknown[] = [];
    const { match } = open(host, {
      wire: {
        finished: () => {
          throw new Error('final lines');
        },
        aborted: (_m, e) => aborted.push(e),
      },
    });
    match.start(1);
    for (let i = 0; i < 3; i++) match.ready(0, 1);
    expect(match.status).toBe('aborted');
    expect(match.state?.round).toBe(3);
    expect(aborted).toHaveLength(1);
    expect(host.stats).toMatchObject({ finished: 0, aborted: 1 });
  });
});

describe('match host: turn mode', () => {
  it('steps are atomic, the clock runs guarded, finish counts the game', () => {
    const host = new MatchHost();
    const { match, told } = open(host, { mode: 'turns' });
    match.start(1);
    expect(told.opened).toEqual([]);
    const events: string[] = [];
    match.step({ kind: 'players', actions: new Map([[0, 2]]) }, events);
    expect(events).toEqual(['round 0: 2']);
    expect(() => match.step({ kind: 'players', actions: new Map([[0, FAIL]]) })).toThrow('injected');
    expect(match.state).toEqual({ round: 1, totals: [2] });
    // A turn deadline: re-arming replaces the old one; a throw when it fires aborts the game.
    let fired = 0;
    match.arm(100, () => fired++);
    match.arm(100, () => {
      throw new Error('deadline');
    });
    expect(match.armed).toBe(true);
    vi.advanceTimersByTime(100);
    expect(fired).toBe(0);
    expect(match.status).toBe('aborted');
    expect((told.aborted[0] as Error).message).toBe('deadline');
  });

  it('finish() ends a terminal game; disarm() stops a deadline; close() stops every clock', () => {
    const host = new MatchHost();
    const { match, told } = open(host, { mode: 'turns' });
    match.start(1);
    let fired = 0;
    match.arm(10, () => fired++);
    match.disarm();
    for (let i = 0; i < 3; i++) match.step({ kind: 'players', actions: new Map([[0, 1]]) });
    expect(match.finish().scores).toEqual([3]);
    expect(told.finished).toHaveLength(1);
    const other = open(host, { id: 2, mode: 'turns' });
    other.match.start(1);
    other.match.arm(10, () => fired++);
    host.close();
    vi.advanceTimersByTime(100);
    expect(fired).toBe(0);
    expect(host.stats).toMatchObject({ finished: 1, aborted: 0 });
  });
});
