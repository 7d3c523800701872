/**
 * Custom Catan boards: the SS13 map-file codec (round trip, any line order, garbage gives a MapError and never
 * another throw), the strict board check, and the `board=` setting the engine plays.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/engine.ts';
import { createRng } from '../../src/core/rng.ts';
import {
  BEGINNER_BOARD,
  type CatanBoard,
  catanEngine,
  checkBoard,
  formatMapFile,
  MapError,
  parseMapFile,
  randomBoard,
} from '../../src/games/catan/index.ts';
import { HEX_EDGES } from '../../src/games/catan/topology.ts';

const boardOf = (seed: number) => randomBoard(createRng(seed));
const lines = (text: string) => text.trimEnd().split('\n');
const withLines = (text: string, f: (ls: string[]) => string[]) => `${f(lines(text)).join('\n')}\n`;

/** Calls `f`; anything but a MapError escaping it fails the property. */
function onlyMapErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof MapError)) throw e;
    expect(e.message.length).toBeGreaterThan(5);
  }
}

describe('SS13 map file codec', () => {
  it('reads back every printed board exactly, in the file form, the one-line form and with CRLF', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const board = boardOf(seed);
        expect(checkBoard(board)).toBeNull();
        const text = formatMapFile(board, 'tester', '7');
        const read = parseMapFile(text);
        expect(read).toEqual({ creator: 'tester', version: '7', board });
        expect(formatMapFile(read.board, 'tester', '7')).toBe(text);
        expect(parseMapFile(formatMapFile(board, 'tester', '7', '|')).board).toEqual(board);
        expect(parseMapFile(text.replace(/\n/g, '\r\n')).board).toEqual(board);
      }),
      { numRuns: 60 },
    );
    expect(parseMapFile(formatMapFile(BEGINNER_BOARD)).board).toEqual(BEGINNER_BOARD);
  });

  it('places hexes by their links only: the hex lines in any order give the same board', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer(), (seed, shuffleSeed) => {
        const board = boardOf(seed);
        const text = withLines(formatMapFile(board), (ls) => [
          ...ls.slice(0, 2),
          ...createRng(shuffleSeed).shuffle(ls.slice(2)),
        ]);
        expect(parseMapFile(text).board).toEqual(board);
      }),
      { numRuns: 30 },
    );
  });

  it('answers garbage and damaged files with a MapError, never another throw', () => {
    const valid = formatMapFile(BEGINNER_BOARD);
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => onlyMapErrors(() => parseMapFile(text))),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.anything(), (value) => onlyMapErrors(() => parseMapFile(value))),
      { numRuns: 100 },
    );
    // One character changed, deleted or inserted anywhere in a valid file.
    fc.assert(
      fc.property(
        fc.nat({ max: valid.length - 1 }),
        fc.constantFrom('', ';', ',', '|', '\n', 'X', '7', 'N', '0', ' '),
        fc.boolean(),
        (at, ch, replace) => {
          const text = valid.slice(0, at) + ch + valid.slice(at + (replace ? 1 : 0));
          onlyMapErrors(() => {
            const { board } = parseMapFile(text);
            expect(checkBoard(board)).toBeNull();
          });
        },
      ),
      { numRuns: 400 },
    );
    // Whole lines dropped or repeated.
    fc.assert(
      fc.property(fc.nat({ max: 38 }), fc.boolean(), (i, drop) => {
        const text = withLines(valid, (ls) => (drop ? ls.filter((_, j) => j !== i) : [...ls, ls[i]!]));
        expect(() => parseMapFile(text)).toThrow(MapError);
      }),
      { numRuns: 80 },
    );
  });

  it('says what is wrong, naming the line', () => {
    const valid = formatMapFile(BEGINNER_BOARD);
    const edit = (i: number, f: (l: string) => string) =>
      withLines(valid, (ls) => ls.map((l, j) => (j === i ? f(l) : l)));
    expect(() => parseMapFile('VERSION: 1\n')).toThrow(/line 1: expected "CREATOR: /);
    expect(() => parseMapFile(edit(2, (l) => l.replace(/NUMBER,10;/, '')))).toThrow(
      /line 3: land hex 0 has no number token \(add NUMBER,<2\.\.12> to its line: SS13 files carry none\)/,
    );
    expect(() => parseMapFile(edit(2, (l) => l.replace('MOUNTAIN', 'VOLCANO')))).toThrow(
      /line 3: unknown type "VOLCANO"/,
    );
    expect(() => parseMapFile(edit(2, (l) => l.replace('N,20;', 'N,21;')))).toThrow(
      /line \d+: .*(links disagree|same place)/,
    );
    expect(() => parseMapFile(edit(2, (l) => l.replace('MOUNTAIN', 'PASTURE')))).toThrow(
      /terrain: 5 × pasture, the base game has 4/,
    );
    expect(() => parseMapFile(edit(2, (l) => l.replace('NUMBER,10', 'NUMBER,7')))).toThrow(
      /NUMBER must be 2 to 6 or 8 to 12/,
    );
    // A port turned to face another side of its land hex: not a harbour site.
    const port = lines(valid).findIndex((l) => l.includes('PORT_'));
    const turned = edit(port, (l) => l.replace(/^(\d+;PORT_\w+;)(\d)/, (_, a, r) => `${a}${(Number(r) + 1) % 6}`));
    expect(() => parseMapFile(turned)).toThrow(/(is not a harbour site|faces no land hex|two harbours)/);
  });
});

describe('checkBoard', () => {
  const swap = (
    board: CatanBoard,
    f: (b: { terrain: string[]; numbers: number[]; harbours: { edge: number; resource: number }[] }) => void,
  ) => {
    const copy = JSON.parse(JSON.stringify(board));
    f(copy);
    return checkBoard(copy);
  };
  it('refuses wrong counts, misplaced tokens and harbours off their sites', () => {
    expect(checkBoard(BEGINNER_BOARD)).toBeNull();
    expect(checkBoard(null)).toMatch(/a board is an object/);
    expect(swap(BEGINNER_BOARD, (b) => b.terrain.pop())).toMatch(/terrain: a list of 19/);
    expect(swap(BEGINNER_BOARD, (b) => (b.numbers[0] = 7))).toMatch(/numbers: the land takes the tokens/);
    expect(swap(BEGINNER_BOARD, (b) => (b.numbers[9] = 5))).toMatch(/the desert \(hex 9\) takes no token/);
    // Two red tokens side by side: hexes 0 and 1 are neighbours.
    expect(
      swap(BEGINNER_BOARD, (b) => {
        const six = b.numbers.indexOf(6);
        const eight = b.numbers.indexOf(8);
        [b.numbers[0], b.numbers[six]] = [b.numbers[six]!, b.numbers[0]!];
        [b.numbers[1], b.numbers[eight]] = [b.numbers[eight]!, b.numbers[1]!];
      }),
    ).toMatch(/hexes 0 and 1 are neighbours with 6 and 8/);
    // An edge of the centre hex (9) lies inland.
    const inland = HEX_EDGES[9]![0]!;
    expect(swap(BEGINNER_BOARD, (b) => (b.harbours[0]!.edge = inland))).toMatch(
      new RegExp(`edge ${inland} is not a harbour site`),
    );
    expect(swap(BEGINNER_BOARD, (b) => (b.harbours[0]!.edge = b.harbours[1]!.edge))).toMatch(/has two harbours/);
    expect(swap(BEGINNER_BOARD, (b) => (b.harbours[0]!.resource = 3))).toMatch(/four 3:1 harbours/);
    expect(swap(BEGINNER_BOARD, (b) => ((b as unknown as Record<string, unknown>).robber = 3))).toMatch(/not robber/);
  });
});

describe('board= setting', () => {
  it('plays a board given as @file, as text or as JSON; the robber starts on its desert', () => {
    const board = boardOf(99);
    const dir = mkdtempSync(join(tmpdir(), 'catan-map-'));
    const file = join(dir, 'island.map');
    writeFileSync(file, formatMapFile(board));
    for (const value of [`@${file}`, formatMapFile(board, 'x', '1', '|'), board]) {
      const config = catanEngine.parseConfig({ board: value, rules: 'cities-and-knights' });
      expect(config.board).toEqual(board);
      const state = catanEngine.setup(config, 3, createRng(1));
      expect(state.board).toEqual(board);
      expect(state.robber).toBe(board.terrain.indexOf('desert'));
    }
    // Without a board, configs look as they always did.
    expect('board' in catanEngine.parseConfig({})).toBe(false);
  });

  it('refuses a bad board with a ConfigError naming the setting', () => {
    const bad = (value: unknown) => () => catanEngine.parseConfig({ board: value });
    expect(bad('@/nonexistent/island.map')).toThrow(ConfigError);
    expect(bad('@/nonexistent/island.map')).toThrow(
      /board.*cannot read map file "\/nonexistent\/island\.map" \(ENOENT\)/,
    );
    expect(bad('CREATOR: x')).toThrow(/board.*expected "VERSION: /);
    expect(bad({ terrain: [] })).toThrow(/board.*terrain: a list of 19 terrains/);
    expect(bad(42)).toThrow(/board.*a board is an object/);
  });
});
