import { afterEach, describe, expect, it } from 'vitest';
import { resolveBots } from '../../src/bots/resolve.ts';
import { silentLogger } from '../../src/core/log.ts';
import { orerushEngine } from '../../src/games/orerush/index.ts';
import {
  CLIENT_RULE_LIMITS,
  ErrorCode,
  type OreRushRunningServer,
  type Packet,
  parseServerSettings,
  playOreRushOnline,
  type StartOptions,
  startOreRushServer,
} from '../../src/protocols/orerush/index.ts';
import { type RawClient, rawClient } from './helpers.ts';

const servers: OreRushRunningServer[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function server(options: Omit<StartOptions, 'port'> = {}) {
  const s = await startOreRushServer({ port: 0, ...options });
  servers.push(s);
  return s;
}

async function raw(port: number): Promise<RawClient> {
  const c = await rawClient(port, { answerPings: true });
  clients.push(c);
  return c;
}

/** Skips notices (nickn, settn, updte) up to the next packet of `type`. */
async function nextOf(c: RawClient, type: Packet['type']): Promise<Packet> {
  for (;;) {
    const p = await c.next({ timeoutMs: 15_000 });
    if (p.type === type) return p;
    if (p.type !== 'nickn' && p.type !== 'settn' && p.type !== 'updte') return p;
  }
}

/** A creator with a fresh private game; returns it with the game id. */
async function creator(port: number): Promise<{ c: RawClient; game: number }> {
  const c = await raw(port);
  c.send({ type: 'reqst', timestamp: Date.now(), game: 0 });
  expect((await nextOf(c, 'succs')).type).toBe('succs');
  const info = await nextOf(c, 'settn');
  return { c, game: info.type === 'settn' ? (info.settings.game as number) : -1 };
}

/** The real engine, except that a game with one of these round counts fails where said. */
const FAIL_APPLY_ROUNDS = 7;
const FAIL_SETUP_ROUNDS = 8;
const flakyEngine: typeof orerushEngine = {
  ...orerushEngine,
  setup(config, players, rng) {
    if (config.rounds === FAIL_SETUP_ROUNDS) throw new Error('injected setup failure');
    return orerushEngine.setup(config, players, rng);
  },
  apply(state, step, events) {
    if (state.config.rounds === FAIL_APPLY_ROUNDS) throw new TypeError('injected apply failure');
    return orerushEngine.apply(state, step, events);
  },
};

describe('a failing game is aborted alone', () => {
  it('a throw while a round closes at its deadline ends that game; another game on the server completes', async () => {
    const s = await server({ engine: flakyEngine });
    const bots = await resolveBots(['random', 'random'], 'orerush');
    const healthy = playOreRushOnline({
      host: '127.0.0.1',
      port: s.port,
      bots,
      seed: 5,
      rules: { rounds: 30 },
      budget: { iterations: 1 },
      log: silentLogger,
      timeoutMs: 60_000,
    });
    // The doomed game: nobody moves, so its first round closes from the deadline timer, where apply throws.
    const { c: a, game } = await creator(s.port);
    a.send({ type: 'settn', settings: { players: 2, roundTimeoutMs: 50, rules: { rounds: FAIL_APPLY_ROUNDS } } });
    expect((await nextOf(a, 'succs')).type).toBe('succs');
    const b = await raw(s.port);
    b.send({ type: 'reqst', timestamp: Date.now(), game });
    expect((await nextOf(b, 'succs')).type).toBe('succs');
    for (const c of [a, b]) {
      expect(await nextOf(c, 'close')).toMatchObject({ type: 'close', player: -1 });
      // No final update was sent: the game was aborted, not finished.
      expect(c.received.some((p) => p.type === 'updte' && p.map.over === true)).toBe(false);
    }
    // Back in the lobby, connection open: a move is refused as out of a game, a new game can be joined.
    a.send({ type: 'pchat', player: -1, message: 'still here?' });
    expect(await nextOf(a, 'error')).toMatchObject({ type: 'error', code: ErrorCode.state });
    a.send({ type: 'reqst', timestamp: Date.now(), game: 0 });
    expect((await nextOf(a, 'succs')).type).toBe('succs');

    const results = await healthy;
    expect(results.every((r) => r.errors.length === 0)).toBe(true);
    expect(results[0]!.decisions).toBe(30);
    const stats = s.stats();
    expect(stats.games_aborted).toBe(1);
    expect(stats.games_finished).toBe(1);
    expect(stats.connections).toBeGreaterThanOrEqual(2);
  });

  it('a throw while a game starts (inside the last joiner’s request) aborts the game, not a connection', async () => {
    const s = await server({ engine: flakyEngine });
    const { c: a, game } = await creator(s.port);
    a.send({ type: 'settn', settings: { players: 2, rules: { rounds: FAIL_SETUP_ROUNDS } } });
    expect((await nextOf(a, 'succs')).type).toBe('succs');
    const b = await raw(s.port);
    b.send({ type: 'reqst', timestamp: Date.now(), game });
    expect((await nextOf(b, 'succs')).type).toBe('succs');
    for (const c of [a, b]) expect(await nextOf(c, 'close')).toMatchObject({ type: 'close', player: -1 });
    b.send({ type: 'awake' });
    expect((await nextOf(b, 'succs')).type).toBe('succs');
    expect(s.stats()).toMatchObject({ games_aborted: 1, games_started: 0, connections: 2 });
  });
});

describe('client-supplied rules are bounded', () => {
  it('refuses rules past the documented client limits with error 9 naming the rule and the limit', async () => {
    const s = await server();
    const { c } = await creator(s.port);
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ width: 200, height: 200 }, /^rules\.width: a client may set at most 60 on this server, got 200$/],
      [{ robots: 50 }, /^rules\.robots: .*at most 10/],
      [{ rounds: 100_000 }, /^rules\.rounds: .*at most 1000 on this server, got 100000$/],
      [{ veins: 10_000 }, /^rules\.veins: .*at most 200/],
      [{ trapCooldown: 0 }, /^rules\.trapCooldown: a client may set no less than 2 on this server, got 0$/],
      [{ trapChain: 1000 }, /^rules\.trapChain: .*at most 5/],
      // The engine's own ranges still come first.
      [{ width: 1 }, /^rules\.width: must be an integer from 2 to 200/],
    ];
    for (const [rules, message] of refused) {
      c.send({ type: 'settn', settings: { rules } });
      const p = await nextOf(c, 'error');
      expect(p).toMatchObject({ type: 'error', code: ErrorCode.settings });
      expect(p.type === 'error' && p.message).toMatch(message);
    }
    // At the limits is fine, and the game keeps the last accepted rules only.
    c.send({
      type: 'settn',
      settings: { rules: { width: 60, height: 30, robots: 10, rounds: 1000, trapCooldown: 2 } },
    });
    expect((await nextOf(c, 'succs')).type).toBe('succs');
    const info = await nextOf(c, 'settn');
    expect(info.type === 'settn' && info.settings.rules).toMatchObject({ width: 60, rounds: 1000, trapCooldown: 2 });
    expect(Object.keys(CLIENT_RULE_LIMITS).every((k) => k in orerushEngine.defaultConfig())).toBe(true);
  });

  it('a server whose own defaults go further lets its clients go that far, and no further', async () => {
    const s = await server({ settings: parseServerSettings({ rounds: '5000', trapCooldown: '0' }) });
    const { c } = await creator(s.port);
    c.send({ type: 'settn', settings: { rules: { rounds: 5000, trapCooldown: 0 } } });
    expect((await nextOf(c, 'succs')).type).toBe('succs');
    c.send({ type: 'settn', settings: { rules: { rounds: 5001 } } });
    const p = await nextOf(c, 'error');
    expect(p.type === 'error' && p.message).toMatch(/rules\.rounds: a client may set at most 5000/);
  });
});

describe('server settings', () => {
  it('parses --set values strictly, naming the setting and its range', () => {
    expect(parseServerSettings({ maxGames: '20', rounds: '50', oreValues: '[1,1,1,1,1]' })).toMatchObject({
      maxGames: 20,
      pingIntervalMs: 1000,
      rules: { rounds: 50, oreValues: [1, 1, 1, 1, 1] },
    });
    expect(() => parseServerSettings({ maxGames: '1e3' })).toThrow(
      'maxGames: must be an integer from 1 to 1000000, got "1e3"',
    );
    expect(() => parseServerSettings({ silentTimeoutMs: ' 100' })).toThrow(/silentTimeoutMs: must be an integer/);
    expect(() => parseServerSettings({ quickPlayers: '5' })).toThrow(/quickPlayers: must be an integer from 1 to 4/);
    expect(() => parseServerSettings({ rounds: '0x10' })).toThrow(/rounds: must be an integer from 1 to 100000/);
    expect(() => parseServerSettings({ widht: '3', hieght: '4' })).toThrow(/^widht, hieght: unknown settings/);
  });
});
