/**
 * The Catan wire model without a socket: at every state of seeded games, the public properties plus one seat's
 * private ones fold back into exactly the engine's observation of that seat, and no seat's private properties
 * carry another seat's cards.
 */
import { describe, expect, it } from 'vitest';
import { matchStreams } from '../../src/core/match.ts';
import { createRng } from '../../src/core/rng.ts';
import {
  type CatanAction,
  type CatanState,
  catanEngine,
  formatMapFile,
  legalActions,
  randomBoard,
  sampleChance,
} from '../../src/games/catan/index.ts';
import {
  boardProps,
  type CatanIds,
  CatanIndex,
  type CatanModelView,
  choiceOf,
  configProps,
  decodeField,
  encodeField,
  privateProps,
  publicProps,
  readBoard,
  readConfig,
  readObservation,
} from '../../src/protocols/se1/catan-wire.ts';

/** A model that holds what the props say, with `users` as the to-many list the server announces. */
function modelOf(props: Map<string, string>, ids: CatanIds): CatanModelView {
  const objects = new Map<string, Map<string, string>>();
  for (const [k, v] of props) {
    const [src, prop] = k.split(' ') as [string, string];
    if (!objects.has(src)) objects.set(src, new Map());
    objects.get(src)!.set(prop, v);
  }
  for (const [i, u] of ids.seats.entries()) {
    if (!objects.has(u)) objects.set(u, new Map());
    objects.get(u)!.set('seat', String(i));
  }
  return {
    get: (id, prop) => objects.get(id)?.get(prop),
    ofClass: (cls) => [...objects.keys()].filter((id) => id.startsWith(`${cls}@`)),
    list: (id, prop) => (id === ids.game && prop === 'users' ? ids.seats : []),
  };
}

function idsFor(state: CatanState): CatanIds {
  let n = 0x100;
  const id = (cls: string) => `${cls}@${(n++).toString(16)}`;
  return {
    game: id('SettlersOfCatanGame'),
    seats: Array.from({ length: state.players }, () => id('UserAssets')),
    fields: state.board.terrain.map(() => id('Field')),
    vertices: state.buildings.map(() => id('Intersection')),
    edges: state.roads.map(() => id('Border')),
  };
}

function* states(players: number, seed: number, map: string, rules = 'base'): Generator<CatanState> {
  const config = catanEngine.parseConfig(
    map === 'custom' ? { rules, board: formatMapFile(randomBoard(createRng(seed)), 'x', '1', '|') } : { map, rules },
  );
  const streams = matchStreams(seed);
  let state = catanEngine.setup(config, players, streams.map);
  for (let i = 0; i < 3000 && state.step.phase !== 'over'; i++) {
    const turn = catanEngine.toAct(state);
    if (turn.kind === 'chance') {
      state = catanEngine.apply(state, { kind: 'chance', outcome: sampleChance(state, streams.dice) });
      continue;
    }
    if (turn.kind !== 'players') break;
    yield state;
    const actions = new Map<number, CatanAction>();
    for (const s of turn.seats) actions.set(s, streams.bot(s).pick(legalActions(state, s)));
    state = catanEngine.apply(state, { kind: 'players', actions });
  }
  yield state;
}

const BASE_PHASES = new Set([
  'setupSettlement',
  'setupRoad',
  'preRoll',
  'main',
  'robber',
  'discard',
  'offer',
  'confirm',
  'steal',
  'roadBuilding',
  'over',
]);

describe('Catan wire model', () => {
  for (const [players, seed, map, rules] of [
    [3, 11, 'random', 'base'],
    [4, 12, 'beginner', 'base'],
    [4, 13, 'random', 'cities-and-knights'],
    [3, 14, 'beginner', 'cities-and-knights'],
    [3, 15, 'custom', 'base'],
  ] as const) {
    it(`gives back every seat's observation at every decision (${players} players, ${map} map, ${rules})`, () => {
      let checked = 0;
      let ids: CatanIds | undefined;
      const phases = new Set<string>();
      for (const state of states(players, seed, map, rules)) {
        ids ??= idsFor(state);
        phases.add(state.step.phase);
        const fixed = new Map<string, string>();
        configProps(state.config, ids, fixed);
        boardProps(state.board, ids, fixed);
        const pub = publicProps(catanEngine.observe(state, 0), ids);
        for (let seat = 0; seat < players; seat++) {
          const expected = catanEngine.observe(state, seat);
          const own = privateProps(expected, ids);
          for (const key of own.keys()) {
            const [src, prop] = key.split(' ');
            if (['resources', 'developmentCards', 'boughtThisTurn', 'progressCards', 'revealed'].includes(prop!))
              expect(src).toBe(ids.seats[seat]);
            else expect(src).not.toBe(ids.seats[seat]);
          }
          const model = modelOf(new Map([...fixed, ...pub, ...own]), ids);
          const ix = new CatanIndex(model);
          const got = readObservation(
            model,
            ix,
            seat,
            readConfig(model, ix.game, readBoard(model, ix)),
            readBoard(model, ix),
          );
          expect(got).toEqual(expected);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(300);
      // The game went through the phases whose data travels on the Game object.
      for (const p of ['setupSettlement', 'setupRoad', 'preRoll', 'main', 'discard', 'offer'])
        expect(phases).toContain(p);
      if (rules === 'base') expect(phases).toContain('robber');
      else expect([...phases].filter((p) => !BASE_PHASES.has(p)).length, [...phases].join(' ')).toBeGreaterThan(0);
    }, 180_000);
  }
});

describe('Catan wire: action fields', () => {
  const ids = {
    game: 'G@1',
    seats: ['U@1', 'U@2', 'U@3'],
    fields: Array.from({ length: 19 }, (_, i) => `Field@${i}`),
    vertices: Array.from({ length: 54 }, (_, i) => `Intersection@${i}`),
    edges: Array.from({ length: 72 }, (_, i) => `Border@${i}`),
  };
  it('carries the Inventor and Alchemist fields and names CHOOSE fields in alphabetical order', () => {
    expect(encodeField('hexes', [3, 7], ids)).toBe('Field@3+Field@7');
    expect('Field@3+Field@7'.split('+').map((x) => decodeField('hexes', x, ids))).toEqual([3, 7]);
    expect(encodeField('dice', [3, 5], ids)).toBe('3+5');
    expect(decodeField('dice', '5', ids)).toBe(5);
    expect(decodeField('dice', 'five', ids)).toEqual({ error: 'dice: five is not a number' });
    // However a bot orders an action's keys, the answer is the one the prompt lists.
    expect(choiceOf({ type: 'robber', victim: null, hex: 4 }, ids)).toEqual({ kind: 'Field', value: 'Field@4+NONE' });
    expect(choiceOf({ type: 'robber', hex: 4, victim: null }, ids).value).toBe('Field@4+NONE');
    expect(choiceOf({ type: 'cancel' }, ids)).toEqual({ kind: 'Action', value: 'CANCEL' });
  });
});
