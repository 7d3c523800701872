import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/engine.ts';
import { replayActions, runMatch } from '../../src/core/match.ts';
import { makeReplay, ReplayError, readReplay, verifyReplay, writeReplay } from '../../src/core/replay.ts';
import type { Strategy } from '../../src/core/strategy.ts';
import { greedyToy, randomToy, type ToyState, toyEngine } from './fixtures/toy.ts';

const config = toyEngine.parseConfig({ rounds: 6 });
const record = { actions: true, hashes: true, events: true };

describe('runMatch', () => {
  it('is deterministic for a seed: same hashes, actions, events and result', async () => {
    const play = () =>
      runMatch({ engine: toyEngine, config, players: [randomToy(), randomToy(), randomToy()], seed: 11, record });
    const [a, b] = [await play(), await play()];
    expect(a.hashes).toEqual(b.hashes);
    expect(a.actions).toEqual(b.actions);
    expect(a.events).toEqual(b.events);
    expect(a.result).toEqual(b.result);
    const c = await runMatch({
      engine: toyEngine,
      config,
      players: [randomToy(), randomToy(), randomToy()],
      seed: 12,
      record,
    });
    expect(c.hashes).not.toEqual(a.hashes);
  });

  it('records chance steps and one state hash per step plus the initial state', async () => {
    const out = await runMatch({ engine: toyEngine, config, players: [greedyToy()], seed: 1, record });
    expect(out.steps).toBe(12);
    expect(out.hashes).toHaveLength(13);
    expect(out.actions!.filter((s) => s.kind === 'chance')).toHaveLength(6);
    expect(out.events).toHaveLength(6);
  });

  it('replaces an illegal action by the default action and reports it', async () => {
    const cheat: Strategy<ToyState, number> = { name: 'cheat', decide: () => 99 };
    const out = await runMatch({ engine: toyEngine, config, players: [cheat, greedyToy()], seed: 3, record });
    expect(out.invalid).toHaveLength(6);
    expect(out.invalid[0]).toMatchObject({ seat: 0, action: 99, reason: 'pick 1..3, not 99' });
    const first = out.actions![0]!;
    expect(first.kind === 'players' && first.actions).toEqual([
      [0, 1],
      [1, 3],
    ]);
  });

  /** The toy's random strategy, answering after a timer: the same choices as `randomToy`, awaited. */
  const asyncRandom = (): Strategy<ToyState, number> => ({
    name: 'async',
    decide: async (_o, ctx) => {
      await new Promise((r) => setTimeout(r, 1));
      return ctx.rng.int(1, 3);
    },
  });

  it('awaits asynchronous strategies and gives the same game as synchronous ones', async () => {
    const a = await runMatch({ engine: toyEngine, config, players: [asyncRandom(), asyncRandom()], seed: 5, record });
    const b = await runMatch({ engine: toyEngine, config, players: [randomToy(), randomToy()], seed: 5, record });
    expect(a.hashes).toEqual(b.hashes);
  });

  it('resumes a simultaneous step after an awaited seat: sync and async seats mixed play the sync game', async () => {
    const players = () => [randomToy(), asyncRandom(), randomToy(), asyncRandom()];
    const a = await runMatch({ engine: toyEngine, config, players: players(), seed: 6, record });
    const b = await runMatch({
      engine: toyEngine,
      config,
      players: [randomToy(), randomToy(), randomToy(), randomToy()],
      seed: 6,
      record,
    });
    expect(a.actions).toEqual(b.actions);
    expect(a.hashes).toEqual(b.hashes);
    expect(a.steps).toBe(b.steps);
  });

  it('forfeits a seat whose awaited decision rejects mid-step; the seats after it in that step still decide', async () => {
    let calls = 0;
    const failsThird: Strategy<ToyState, number> = {
      name: 'fails-third',
      decide: async () => {
        calls++;
        if (calls === 3) throw new Error('lost the connection');
        return 1;
      },
    };
    const seen: number[] = [];
    const watcher: Strategy<ToyState, number> = {
      name: 'watcher',
      decide: (o) => {
        seen.push(o.round);
        return 2;
      },
    };
    const out = await runMatch({ engine: toyEngine, config, players: [failsThird, watcher], seed: 4, record });
    expect(out.forfeits).toEqual([{ seat: 0, step: 4, kind: 'error', reason: 'error: lost the connection' }]);
    expect(calls).toBe(3);
    // The watcher (seat 1) decided in every one of the 6 rounds, the round of the rejection included.
    expect(seen).toHaveLength(6);
    expect(out.steps).toBe(12);
  });

  it('refuses a wrong number of players', async () => {
    await expect(runMatch({ engine: toyEngine, config, players: [], seed: 1 })).rejects.toThrow(/1 to 4 players/);
  });

  it('names the bad field of a config', () => {
    expect(() => toyEngine.parseConfig({ rounds: 0 })).toThrow(ConfigError);
    expect(() => toyEngine.parseConfig({ rounds: 0 })).toThrow(/^rounds: must be an integer from 1 to 1000/);
    expect(() => toyEngine.parseConfig({ round: 3 })).toThrow(/round: unknown setting/);
  });
});

describe('replays', () => {
  it('re-run an action log to the same hashes, and detect a tampered log', async () => {
    const out = await runMatch({ engine: toyEngine, config, players: [randomToy(), randomToy()], seed: 8, record });
    const ok = replayActions(toyEngine, config, 2, 8, out.actions!, out.hashes);
    expect(ok.ok).toBe(true);
    expect(ok.result).toEqual(out.result);

    const tampered = structuredClone(out.actions!);
    const idx = tampered.findIndex((s) => s.kind === 'chance');
    tampered[idx] = { kind: 'chance', outcome: ((tampered[idx] as { outcome: number }).outcome % 6) + 1 };
    const bad = replayActions(toyEngine, config, 2, 8, tampered, out.hashes);
    expect(bad.ok).toBe(false);
    expect(bad.mismatchAt).toBe(idx + 1);
    expect(replayActions(toyEngine, config, 2, 9, out.actions!, out.hashes).ok).toBe(false);
  });

  it('write, read and verify a replay file; refuse another engine version', async () => {
    const out = await runMatch({ engine: toyEngine, config, players: [randomToy(), greedyToy()], seed: 2, record });
    const dir = mkdtempSync(join(tmpdir(), 'botswarm-replay-'));
    const path = join(dir, 'game.json');
    writeReplay(path, makeReplay(toyEngine, config, 2, ['toy-random', 'toy-greedy'], out));
    const replay = readReplay(path);
    const verified = verifyReplay(toyEngine, replay);
    expect(verified.ok).toBe(true);
    expect(verified.account.length).toBe(out.steps);
    const other = verifyReplay({ ...toyEngine, version: '2.0.0' }, replay);
    expect(other.ok).toBe(false);
    expect(other.message).toMatch(/engine version mismatch/);
    writeFileSync(join(dir, 'bad.json'), '{"format":"other"}');
    expect(() => readReplay(join(dir, 'bad.json'))).toThrow(ReplayError);
  });
});
