import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/engine.ts';
import { runMatch } from '../../src/core/match.ts';
import { makeReplay, verifyReplay } from '../../src/core/replay.ts';
import {
  type CarcassonneEvent,
  carcassonneEngine,
  deckOf,
  formatDeckMap,
  kindIndex,
  MAX_MAP_TILES,
  MapError,
  parseDeckMap,
  STANDARD_DECK,
  setup,
  TILE_KINDS,
} from '../../src/games/carcassonne/index.ts';
import { createGreedyStrategy, createRandomStrategy } from '../../strategies/carcassonne/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'botswarm-deck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Roads and cloisters around a crossroads start: 1 X + 6 U + 4 V + 3 B = 14 tiles. */
const SMALL = '{"start":"X","tiles":{"X":1,"U":6,"V":4,"B":3}}';

describe('maps (deck definitions)', () => {
  it('the standard map is the base game, in the format DOWNLOAD MAP serves', () => {
    expect(formatDeckMap(STANDARD_DECK)).toBe(
      JSON.stringify({ start: 'D', tiles: Object.fromEntries(TILE_KINDS.map((k) => [k.id, k.count])) }),
    );
    expect(parseDeckMap(formatDeckMap(STANDARD_DECK))).toEqual(STANDARD_DECK);
    expect(deckOf(STANDARD_DECK)).toEqual(deckOf(undefined));
    expect(deckOf(undefined).deck.reduce((a, b) => a + b, 0)).toBe(71);
  });

  it('canonicalises: letter order, zero counts left out', () => {
    const map = parseDeckMap('{"tiles":{"V":4,"A":0,"U":6,"X":1,"B":3},"start":"X"}');
    expect(formatDeckMap(map)).toBe('{"start":"X","tiles":{"B":3,"U":6,"V":4,"X":1}}');
  });

  it('refuses bad maps with the reason', () => {
    const bad: [unknown, RegExp][] = [
      ['{"start":"D",', /^not JSON/],
      ['[1,2]', /^a map is a JSON object/],
      ['{"start":"D","tiles":{"D":2},"extra":1}', /^unknown key "extra"/],
      ['{"tiles":{"D":2}}', /^"start" must be the letter/],
      ['{"start":"Z","tiles":{"D":2}}', /^unknown start tile kind "Z" \(known: A\.\.X\)/],
      ['{"start":"D","tiles":[2]}', /^"tiles" must be an object/],
      ['{"start":"D","tiles":{"D":2,"Q7":1}}', /^unknown tile kind "Q7"/],
      ['{"start":"D","tiles":{"D":2,"U":-1}}', /^count of U must be an integer from 0 to 100, got -1/],
      ['{"start":"D","tiles":{"D":2,"U":1.5}}', /^count of U must be an integer/],
      ['{"start":"D","tiles":{"D":"2"}}', /^count of D must be an integer/],
      ['{"start":"D","tiles":{"U":5}}', /^the start tile D is one of the tiles/],
      ['{"start":"D","tiles":{"D":1}}', /^a map needs at least one tile besides the start tile/],
      ['{"start":"D","tiles":{"D":100,"U":100,"V":100,"B":1}}', /^a map has at most 300 tiles, this one has 301/],
    ];
    for (const [input, reason] of bad) expect(() => parseDeckMap(input), String(input)).toThrow(reason);
  });

  it('never fails with anything but a MapError, and what it accepts is a playable deck', () => {
    const kind = fc.constantFrom(...TILE_KINDS.map((k) => k.id), 'Z', '', 'd');
    const candidate = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record({ start: kind, tiles: fc.dictionary(kind, fc.oneof(fc.integer({ min: -2, max: 120 }), fc.string())) }),
    );
    fc.assert(
      fc.property(candidate, (input) => {
        let map;
        try {
          map = parseDeckMap(input);
        } catch (e) {
          expect(e).toBeInstanceOf(MapError);
          return;
        }
        const { start, deck } = deckOf(map);
        expect(start).toBeGreaterThanOrEqual(0);
        const total = deck.reduce((a, b) => a + b, 0);
        expect(total).toBeGreaterThanOrEqual(1);
        expect(total).toBeLessThan(MAX_MAP_TILES);
        expect(parseDeckMap(formatDeckMap(map))).toEqual(map);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the deck setting', () => {
  it('takes a map file, the map itself, or standard; a replay keeps the deck, not the path', () => {
    const file = join(dir, 'small.json');
    writeFileSync(file, `{\n  "start": "X",\n  "tiles": { "X": 1, "U": 6, "V": 4, "B": 3 }\n}\n`);
    const fromFile = carcassonneEngine.parseConfig({ deck: file });
    expect(fromFile.deck).toEqual(parseDeckMap(SMALL));
    expect(carcassonneEngine.parseConfig({ deck: JSON.parse(SMALL) })).toEqual(fromFile);
    expect(carcassonneEngine.parseConfig({ deck: SMALL })).toEqual(fromFile);
    expect(carcassonneEngine.parseConfig(JSON.parse(JSON.stringify(fromFile)))).toEqual(fromFile);
    expect(carcassonneEngine.parseConfig({ deck: 'standard' })).toEqual(carcassonneEngine.defaultConfig());
    expect('deck' in carcassonneEngine.defaultConfig()).toBe(false);
  });

  it('names the setting when the map is bad or missing', () => {
    expect(() => carcassonneEngine.parseConfig({ deck: join(dir, 'nope.json') })).toThrow(ConfigError);
    expect(() => carcassonneEngine.parseConfig({ deck: join(dir, 'nope.json') })).toThrow(
      /^deck: cannot read map file ".*nope\.json" \(ENOENT\)/,
    );
    expect(() => carcassonneEngine.parseConfig({ deck: { start: 'D', tiles: { D: 1 } } })).toThrow(
      /^deck: a map needs at least one tile/,
    );
  });

  it('plays a whole game on a small map: its start tile, its tiles, nothing else', async () => {
    const config = carcassonneEngine.parseConfig({ deck: SMALL });
    const start = setup(config, 2);
    expect(start.tiles).toEqual([expect.objectContaining({ x: 0, y: 0, kind: kindIndex('X'), rot: 0 })]);
    expect(start.deckLeft).toBe(13);
    for (const seed of [1, 2, 3]) {
      const outcome = await runMatch({
        engine: carcassonneEngine,
        config,
        players: [createGreedyStrategy({ params: {} }), createRandomStrategy({ params: {} })],
        seed,
        record: { events: true, actions: true, hashes: true },
      });
      const events = outcome.events as CarcassonneEvent[];
      const seen = events.filter((e) => e.type === 'placed' || e.type === 'discarded');
      expect(seen).toHaveLength(13);
      const counts: Record<string, number> = {};
      for (const e of seen) counts[TILE_KINDS[e.kind]!.id] = (counts[TILE_KINDS[e.kind]!.id] ?? 0) + 1;
      expect(counts).toEqual({ U: 6, V: 4, B: 3 });
      expect(events.at(-1)?.type).toBe('end');
      // The replay carries the deck: it re-plays to the same result without the map file.
      const replay = makeReplay(carcassonneEngine, config, seed, ['greedy', 'random'], outcome);
      expect(JSON.parse(JSON.stringify(replay)).config.deck).toEqual(config.deck);
      expect(verifyReplay(carcassonneEngine, JSON.parse(JSON.stringify(replay))).ok).toBe(true);
    }
  });

  it('plays a 300-tile map to the end (the board table grows with the deck)', async () => {
    const config = carcassonneEngine.parseConfig({
      deck: { start: 'D', tiles: { D: 40, U: 60, V: 60, B: 40, E: 40, K: 30, W: 30 } },
    });
    const outcome = await runMatch({
      engine: carcassonneEngine,
      config,
      players: [
        createRandomStrategy({ params: {} }),
        createRandomStrategy({ params: {} }),
        createRandomStrategy({ params: {} }),
      ],
      seed: 7,
      record: { events: true },
    });
    const events = outcome.events as CarcassonneEvent[];
    expect(events.filter((e) => e.type === 'placed' || e.type === 'discarded')).toHaveLength(299);
    expect(outcome.result.scores.some((s) => s > 0)).toBe(true);
  });
});
