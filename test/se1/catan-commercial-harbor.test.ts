/**
 * The Commercial Harbor over SE1 in the seed's form (seed 003: `OFFER` with `id` = the Card offered and `user` =
 * the UserAssets offered to): the prompt, every refusal of a hostile or careless client, END_PLAY, and the
 * decision-by-decision equivalence of a game that plays the card in-process and over TCP with all three bots.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBots } from '../../src/bots/resolve.ts';
import { hashState } from '../../src/core/hash.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runMatch } from '../../src/core/match.ts';
import { type CatanAction, type CatanState, catanEngine } from '../../src/games/catan/index.ts';
import { catanSe1Game } from '../../src/protocols/se1/catan.ts';
import { playOnline as playCatanOnline } from '../../src/protocols/se1/catan-online.ts';
import { KIND_NAMES } from '../../src/protocols/se1/catan-wire.ts';
import { encodeCommand, type Se1RunningServer, startSe1Server } from '../../src/protocols/se1/index.ts';
import { lastValue, notices, type RawLines, testPlayer } from './helpers.ts';

const running: Se1RunningServer[] = [];
const raws: RawLines[] = [];
afterEach(async () => {
  for (const r of raws.splice(0)) r.close();
  for (const s of running.splice(0)) await s.close();
});

/**
 * The real rules, except that a game starts right after its opening (played with each seat's first legal
 * action) in the offer half of seat 0's Commercial Harbor, with `extra[p]` cards (8 kinds) added to seat p's hand.
 */
function harbourEngine(extra: readonly (readonly number[])[]): typeof catanEngine {
  return {
    ...catanEngine,
    setup: (config, players, rng) => {
      let s: CatanState = catanEngine.setup(config, players, rng);
      while (s.step.phase === 'setupSettlement' || s.step.phase === 'setupRoad') {
        const seat = s.current;
        const action = catanEngine.legalActions!(s, seat)[0]!;
        s = catanEngine.apply(s, { kind: 'players', actions: new Map([[seat, action]]) });
      }
      const hands = [...s.hands];
      const bank = [...s.bank];
      for (let p = 0; p < players; p++)
        for (let r = 0; r < 8; r++) {
          hands[p * 8 + r]! += extra[p]?.[r] ?? 0;
          bank[r]! -= extra[p]?.[r] ?? 0;
        }
      const left = Array.from({ length: players - 1 }, (_, i) => i + 1);
      return { ...s, hands, bank, step: { phase: 'commercialHarbor', left }, ck: { ...s.ck!, harbourUsed: true } };
    },
  };
}

const player = (port: number) => testPlayer(port, raws);

/** A started game of `n` players on `port`; returns the seats (join order) and their UserAssets ids. */
async function harbourGame(port: number, name: string, n: number) {
  const seats: RawLines[] = [];
  for (let i = 0; i < n; i++) seats.push(await player(port));
  await seats[0]!.request(`CREATE GAME ${name} -maxPlayers ${n} -testgame -seed 3`);
  for (const r of seats) expect(await r.request(`JOIN GAME ${name}`)).toContain('OK');
  seats[0]!.send(encodeCommand('START_GAME'));
  await seats[0]!.until(() => notices(seats[0]!).some((x) => x.startsWith('OK - offer(')));
  const a = seats[0]!;
  const users = a
    .events()
    .filter((e) => e['@prop'] === 'seat')
    .sort((x, y) => Number(x['@nv']) - Number(y['@nv']))
    .map((e) => e['@src']!);
  // Every seat has its own hand before the test reads it.
  for (const [i, r] of seats.entries())
    await r.until(
      () => lastValue(r, 'phase') === 'commercialHarbor' && lastValue(r, 'resources', users[i]) !== undefined,
    );
  /** Card@.. by kind name, from the Card objects' `kind`. */
  const card = new Map(
    a
      .events()
      .filter((e) => e['@src']!.startsWith('Card@') && e['@prop'] === 'kind')
      .map((e) => [e['@nv']!, e['@src']!] as const),
  );
  return { seats, users, card };
}

const resources = (raw: RawLines, user: string) => lastValue(raw, 'resources', user)!.split(',').map(Number);

async function answers(raw: RawLines, commands: readonly [string, [string, string][]][]): Promise<string[]> {
  const from = raw.lines.length;
  for (const [action, props] of commands) raw.send(encodeCommand(action, props));
  await raw.until(() => notices(raw, from).length >= commands.length);
  return notices(raw, from).slice(0, commands.length);
}

describe('SE1 Catan: the Commercial Harbor in the seed form (OFFER id=Card@.. user=UserAssets@..)', () => {
  it('prompts the offer, refuses every malformed or out-of-order OFFER with a clear error, then trades, voids and skips', async () => {
    const engine = harbourEngine([[2, 0, 0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 2, 0], [], [0, 0, 0, 0, 0, 0, 0, 1]]);
    const server = await startSe1Server({
      port: 0,
      game: catanSe1Game(engine),
      settings: { seed: 'harbour', turnTimeoutMs: 120_000, rules: 'rules=cities-and-knights' },
    });
    running.push(server);
    const { seats, users, card } = await harbourGame(server.port, 'harbour', 4);
    const [a, b, c, d] = seats as [RawLines, RawLines, RawLines, RawLines];
    // One Card object per card kind, announced to everyone at START_GAME.
    expect([...card.keys()].sort()).toEqual([...KIND_NAMES].sort());
    expect(new Set(card.values()).size).toBe(8);
    expect(lastValue(b, 'kind', card.get('ORE'))).toBe('ORE');
    expect(lastValue(a, 'phase')).toBe('commercialHarbor');
    expect(lastValue(a, 'step')).toBe('{"phase":"commercialHarbor","left":[1,2,3]}');
    // The prompt lists the Cards of the resources the player holds, then NONE, and names the player offered to.
    const held = resources(a, users[0]!);
    const offerable = KIND_NAMES.slice(0, 5)
      .filter((_, r) => held[r]! > 0)
      .map((k) => card.get(k));
    expect(notices(a).filter((x) => x.startsWith('OK - offer('))).toEqual([
      `OK - offer(Card:${[...offerable, 'NONE'].join(',')}) - commercial harbor: offer to ${users[1]}`,
    ]);
    expect(notices(b).some((x) => x.startsWith('OK - offer(') || x.startsWith('OK - choose('))).toBe(false);

    expect(
      await answers(b, [
        [
          'OFFER',
          [
            ['id', card.get('BRICK')!],
            ['user', users[0]!],
          ],
        ],
      ]),
    ).toEqual(['ERROR: OFFER - it is not your turn']);
    const missing = KIND_NAMES.slice(0, 5).find((_, r) => held[r] === 0);
    const bad: [string, [string, string][]][] = [
      ['CHOOSE', [['id', 'BRICK']]],
      ['OFFER', [['id', card.get('BRICK')!]]],
      [
        'OFFER',
        [
          ['id', card.get('BRICK')!],
          ['user', users[2]!],
        ],
      ],
      [
        'OFFER',
        [
          ['id', card.get('BRICK')!],
          ['user', 'UserAssets@nobody'],
        ],
      ],
      ['OFFER', [['user', users[1]!]]],
      [
        'OFFER',
        [
          ['id', 'Card@nothing'],
          ['user', users[1]!],
        ],
      ],
      [
        'OFFER',
        [
          ['id', 'BRICK'],
          ['user', users[1]!],
        ],
      ],
      [
        'OFFER',
        [
          ['id', card.get('CLOTH')!],
          ['user', users[1]!],
        ],
      ],
      [
        'OFFER',
        [
          ['id', card.get(missing!)!],
          ['user', users[1]!],
        ],
      ],
      [
        'OFFER',
        [
          ['give', 'BRICK'],
          ['take', 'ORE'],
        ],
      ],
      [
        'OFFER',
        [
          ['id', card.get('BRICK')!],
          ['user', users[1]!],
          ['give', 'BRICK'],
        ],
      ],
      ['END_TURN', []],
    ];
    expect(await answers(a, bad)).toEqual([
      'ERROR: CHOOSE - a Commercial Harbor offer is made with OFFER id=Card@.. user=UserAssets@.. (id=NONE: no offer to that player; END_PLAY: no more offers)',
      `ERROR: OFFER - user: missing; the next player to offer to is ${users[1]}`,
      `ERROR: OFFER - user: the offers go in seat order, the next player to offer to is ${users[1]}`,
      "ERROR: OFFER - user: UserAssets@nobody is not one of this game's UserAssets",
      'ERROR: OFFER - id: missing; a Card@.. (its kind a resource) or NONE',
      "ERROR: OFFER - id: Card@nothing is not one of this game's Cards (or NONE)",
      "ERROR: OFFER - id: BRICK is not one of this game's Cards (or NONE)",
      'ERROR: OFFER - id: a Commercial Harbor offers a resource, not CLOTH',
      'ERROR: OFFER - harbourOffer is not possible for seat 0 in phase commercialHarbor',
      `ERROR: OFFER - user: missing; the next player to offer to is ${users[1]}`,
      'ERROR: OFFER - OFFER takes id and user (Commercial Harbor) or give and take (a trade offer), not both',
      'ERROR: END_TURN - end is not possible for seat 0 in phase commercialHarbor',
    ]);

    // The offer to seat 1, who holds 2 cloth: it is asked for a commodity, and the two cards change hands.
    const bBefore = resources(b, users[1]!);
    const fromB = b.lines.length;
    expect(
      await answers(a, [
        [
          'OFFER',
          [
            ['id', card.get('BRICK')!],
            ['user', users[1]!],
          ],
        ],
      ]),
    ).toEqual(['OK - OFFER']);
    await b.until(() => notices(b, fromB).some((x) => x.startsWith('OK - choose(')));
    expect(notices(b, fromB)).toEqual([
      `OK - choose(Resource:CLOTH) - commercial harbor: ${users[0]} offers BRICK for a commodity`,
    ]);
    expect(JSON.parse(lastValue(a, 'step')!)).toEqual({ phase: 'commercialHarbor', left: [1, 2, 3], offered: 0 });
    expect(await answers(a, [['END_PLAY', []]])).toEqual(['ERROR: END_PLAY - it is not your turn']);
    expect(
      await answers(b, [
        ['CHOOSE', [['id', 'COIN']]],
        [
          'OFFER',
          [
            ['id', card.get('BRICK')!],
            ['user', users[0]!],
          ],
        ],
      ]),
    ).toEqual([
      'ERROR: CHOOSE - id must be one of CLOTH',
      'ERROR: OFFER - the Commercial Harbor offer is made: it is answered with CHOOSE id=<commodity>',
    ]);
    expect(await answers(b, [['CHOOSE', [['id', 'CLOTH']]]])).toEqual(['OK - CHOOSE']);
    await a.until(() => notices(a).filter((x) => x.startsWith('OK - offer(')).length === 2);
    const aAfter = resources(a, users[0]!);
    expect(aAfter[0]).toBe(held[0]! - 1);
    expect(aAfter[6]).toBe(held[6]! + 1);
    const bAfter = resources(b, users[1]!);
    expect(bAfter[0]).toBe(bBefore[0]! + 1);
    expect(bAfter[6]).toBe(bBefore[6]! - 1);
    expect(notices(a).at(-1)).toMatch(
      new RegExp(`^OK - offer\\(Card:.*NONE\\) - commercial harbor: offer to ${users[2]}$`),
    );

    // Seat 2 holds no commodity: the offer is void (nobody is asked, the grain stays), the offers go on to seat 3.
    const fromC = c.lines.length;
    expect(
      await answers(a, [
        [
          'OFFER',
          [
            ['id', card.get('GRAIN')!],
            ['user', users[2]!],
          ],
        ],
      ]),
    ).toEqual(['OK - OFFER']);
    await a.until(() => notices(a).filter((x) => x.startsWith('OK - offer(')).length === 3);
    expect(notices(a).at(-1)).toMatch(new RegExp(`offer to ${users[3]}$`));
    expect(resources(a, users[0]!)[3]).toBe(held[3]!);
    expect(notices(c, fromC).some((x) => x.startsWith('OK - choose('))).toBe(false);

    // id=NONE leaves seat 3 out: the card is done, the turn goes on.
    const fromD = d.lines.length;
    expect(
      await answers(a, [
        [
          'OFFER',
          [
            ['id', 'NONE'],
            ['user', users[3]!],
          ],
        ],
      ]),
    ).toEqual(['OK - OFFER']);
    await a.until(() => lastValue(a, 'phase') === 'main');
    expect(notices(a).at(-1)).toBe('OK - turn');
    expect(resources(d, users[3]!)[7]).toBe(1);
    expect(notices(d, fromD).some((x) => x.startsWith('OK - choose('))).toBe(false);
    // In the main phase OFFER id/user and END_PLAY have nothing to answer.
    expect(
      await answers(a, [
        [
          'OFFER',
          [
            ['id', card.get('BRICK')!],
            ['user', users[1]!],
          ],
        ],
        ['END_PLAY', []],
      ]),
    ).toEqual([
      'ERROR: OFFER - OFFER id/user answers a Commercial Harbor (PLAY type=COMMERCIAL_HARBOR), and none is being offered now; a trade offer is OFFER give/take',
      'ERROR: END_PLAY - nothing to end: END_PLAY ends the offers of a Commercial Harbor; every other progress card is played whole by one PLAY command',
    ]);
  });

  it('END_PLAY leaves every player still to be offered to out, and the turn goes on', async () => {
    const engine = harbourEngine([
      [1, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 1, 0, 0],
      [0, 0, 0, 0, 0, 1, 0, 0],
    ]);
    const server = await startSe1Server({
      port: 0,
      game: catanSe1Game(engine),
      settings: { seed: 'harbour', turnTimeoutMs: 120_000, rules: 'rules=cities-and-knights' },
    });
    running.push(server);
    const { seats, users } = await harbourGame(server.port, 'ended', 3);
    const [a, b, c] = seats as [RawLines, RawLines, RawLines];
    const before = [resources(a, users[0]!), resources(b, users[1]!), resources(c, users[2]!)];
    const fromB = b.lines.length;
    const fromC = c.lines.length;
    const from = a.lines.length;
    a.send(encodeCommand('END_PLAY'));
    await a.until(() => notices(a, from).includes('OK - turn'));
    expect(notices(a, from)).toEqual(['OK - END_PLAY', 'OK - turn']);
    expect(lastValue(a, 'phase')).toBe('main');
    expect([resources(a, users[0]!), resources(b, users[1]!), resources(c, users[2]!)]).toEqual(before);
    for (const [r, f] of [
      [b, fromB],
      [c, fromC],
    ] as const)
      expect(notices(r, f).some((x) => x.startsWith('OK - choose('))).toBe(false);
  });

  it('rules=base has no Card objects, and OFFER id/user is refused there', async () => {
    const server = await startSe1Server({
      port: 0,
      game: catanSe1Game(),
      settings: { seed: 'harbour', turnTimeoutMs: 120_000 },
    });
    running.push(server);
    const seats = [await player(server.port), await player(server.port), await player(server.port)];
    await seats[0]!.request('CREATE GAME base -maxPlayers 3 -testgame -seed 3');
    for (const r of seats) expect(await r.request('JOIN GAME base')).toContain('OK');
    const a = seats[0]!;
    a.send(encodeCommand('START_GAME'));
    await a.until(() => notices(a).some((x) => x.startsWith('OK - buildSettlement')));
    expect(a.events().some((e) => e['@src']!.startsWith('Card@'))).toBe(false);
    expect(
      await answers(a, [
        [
          'OFFER',
          [
            ['id', 'Card@1'],
            ['user', 'UserAssets@1'],
          ],
        ],
      ]),
    ).toEqual([
      'ERROR: OFFER - OFFER id/user answers a Commercial Harbor (PLAY type=COMMERCIAL_HARBOR), and none is being offered now; a trade offer is OFFER give/take',
    ]);
  });
});

/** `seat → [hash(observation) hash(action)]...`, keys sorted (a decoded observation builds them in wire order). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function decisions() {
  const bySeat: string[][] = [];
  const actions: CatanAction[] = [];
  return {
    bySeat,
    actions,
    onDecision: (seat: number, observation: unknown, action: unknown) => {
      bySeat[seat] ??= [];
      bySeat[seat].push(`${hashState(canonical(observation))} ${hashState(canonical(action))}`);
      actions.push(action as CatanAction);
    },
  };
}

describe('SE1 Catan: a Commercial Harbor game in-process and over TCP', () => {
  it('random, heuristic and MCTS see the same observations and answer the same actions through OFFER id/user', async () => {
    // Every seat holds resources and commodities, so every offer can be made and must be answered.
    const extra = [
      [1, 1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1, 1, 1, 1],
    ];
    const engine = harbourEngine(extra);
    const rules = 'rules=cities-and-knights maxTurns=24';
    const server = await startSe1Server({
      port: 0,
      game: catanSe1Game(engine),
      settings: { seed: 'equiv', timeoutMs: 60_000, rules },
    });
    running.push(server);
    const settings = { rules: 'cities-and-knights', maxTurns: 24 };
    const config = catanEngine.parseConfig(settings);
    const budget = { iterations: 12 };
    // The heuristic offers first: it offers a resource it holds (a forced resource-for-commodity trade).
    const bots = await resolveBots(['catan-heuristic', 'catan-mcts', 'catan-random'], 'catan');
    const offline = decisions();
    await runMatch({
      engine,
      config,
      players: bots.map((b) => b.create()),
      seed: 41,
      budget,
      onDecision: offline.onDecision,
    });
    const online = decisions();
    const out = await playCatanOnline({
      host: server.host,
      port: server.port,
      bots,
      seed: 41,
      budget,
      log: silentLogger,
      timeoutMs: 60_000,
      settings,
      onDecision: online.onDecision,
    });
    expect(out.errors).toEqual([]);
    for (const [seat, list] of offline.bySeat.entries()) {
      const other = online.bySeat[seat] ?? [];
      const first = list.findIndex((h, i) => other[i] !== h);
      expect(first === -1 ? null : { seat, decision: first }).toBeNull();
      expect(other.length).toBe(list.length);
    }
    // The game went through the seed's OFFER (the room refuses a CHOOSE in the offer half, so an adapter that sent
    // anything else would have failed its seat): offers of a card and the commodities given back.
    const types = online.actions.map((a) => (a.type === 'harbourOffer' && a.resource === null ? 'noOffer' : a.type));
    expect(['harbourOffer', 'noOffer']).toContain(types[0]);
    expect(types).toContain('harbourOffer');
    expect(types).toContain('harbourAnswer');
  }, 120_000);
});
