import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveBot } from '../../src/bots/resolve.ts';
import {
  ConfigError,
  parsePairs,
  parseStrictInt,
  readSetting,
  readSettings,
  Setting,
  schemaFromDefaults,
  settingsSchema,
  settingsTable,
} from '../../src/game/settings.ts';
import { galaxEngine } from '../../src/games/galax/index.ts';
import { orerushEngine } from '../../src/games/orerush/index.ts';
import { parseServerSettings } from '../../src/protocols/galax/index.ts';

const schema = settingsSchema({
  games: Setting.integer({ min: 1, max: 5000, default: 10, help: 'games' }),
  offset: Setting.integer({ min: -10, max: 10, default: 0, help: 'offset' }),
  share: Setting.number({ min: 0, max: 1, default: 0.5, help: 'share' }),
  fog: Setting.boolean({ default: false, help: 'fog' }),
  view: Setting.oneOf(['full', 'fog'], { default: 'full', help: 'view' }),
  name: Setting.optional(Setting.text({ maxLength: 8, help: 'name' })),
  values: Setting.integers({ count: 3, min: 0, max: 9, default: [1, 2, 3], help: 'values' }),
});

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('the one settings reader', () => {
  it('fills in the defaults and converts text by the declared type', () => {
    expect(readSettings(schema, {})).toEqual({
      games: 10,
      offset: 0,
      share: 0.5,
      fog: false,
      view: 'full',
      values: [1, 2, 3],
    });
    expect(
      readSettings(schema, {
        games: '0012',
        offset: '-3',
        share: '.25',
        fog: 'true',
        view: 'fog',
        name: 'x',
        values: '4,5,6',
      }),
    ).toEqual({ games: 12, offset: -3, share: 0.25, fog: true, view: 'fog', name: 'x', values: [4, 5, 6] });
    // Typed values (from a JSON file or from code) are checked as they are.
    expect(readSettings(schema, { games: 5000, fog: true, values: [0, 0, 9] })).toMatchObject({ games: 5000 });
  });

  it('refuses what Number() would let through, naming the key and the accepted range', () => {
    for (const bad of ['1e1', '1e3', ' 12', '12 ', '0x10', '', '1.0', '1.5', '+5', 'NaN', 'Infinity', '1_000', '١٢']) {
      expect(refusal(() => readSettings(schema, { games: bad }))).toBe(
        `games: must be an integer from 1 to 5000, got ${JSON.stringify(bad)}`,
      );
    }
    for (const bad of ['1e-1', '0x1', '', ' 0.5', 'half']) {
      expect(refusal(() => readSettings(schema, { share: bad }))).toMatch(/^share: must be a number from 0 to 1, got /);
    }
    for (const bad of ['1', 'yes', 'TRUE', ' true', '']) {
      expect(refusal(() => readSettings(schema, { fog: bad }))).toMatch(/^fog: must be true or false, got /);
    }
    expect(refusal(() => readSettings(schema, { view: 'Fog' }))).toBe('view: must be one of full, fog, got "Fog"');
    expect(refusal(() => readSettings(schema, { values: '1,2' }))).toMatch(/^values: must be 3 integers from 0 to 9/);
    expect(refusal(() => readSettings(schema, { values: '1,x,2' }))).toMatch(/^values: must be 3 integers/);
    for (const bad of [1.5, Number.NaN, 2 ** 60, true, '9007199254740993']) {
      expect(refusal(() => readSettings(schema, { games: bad }))).toMatch(/^games: must be an integer from 1 to 5000/);
    }
  });

  it('enforces both ends of every range', () => {
    expect(refusal(() => readSettings(schema, { games: '0' }))).toBe(
      'games: must be an integer from 1 to 5000, got "0"',
    );
    expect(refusal(() => readSettings(schema, { games: 5001 }))).toBe(
      'games: must be an integer from 1 to 5000, got 5001',
    );
    expect(refusal(() => readSettings(schema, { offset: '-11' }))).toMatch(/from -10 to 10/);
    expect(refusal(() => readSettings(schema, { share: '1.01' }))).toMatch(/from 0 to 1/);
    expect(readSettings(schema, { games: '1', offset: '10', share: '1' })).toMatchObject({ games: 1, offset: 10 });
  });

  it('checks text plainly: empty, too long, control characters', () => {
    expect(refusal(() => readSettings(schema, { name: '' }))).toBe('name: must not be empty');
    expect(refusal(() => readSettings(schema, { name: 'x'.repeat(9) }))).toBe(
      'name: must be at most 8 characters, got 9',
    );
    expect(refusal(() => readSettings(schema, { name: 'a\u0007b' }))).toMatch(/control characters/);
  });

  it('refuses unknown keys, naming them and the known ones', () => {
    expect(refusal(() => readSettings(schema, { gmaes: '1', nmae: 'x' }))).toBe(
      'gmaes, nmae: unknown settings (known: games, offset, share, fog, view, name, values)',
    );
    expect(refusal(() => readSettings(schema, []))).toBe('config: must be an object');
  });

  it('reads integers exactly as a plain decimal reading does, and nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 10 }), (n) => {
        expect(readSetting(schema.properties.offset, 'offset', String(n))).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        const read = parseStrictInt(text);
        if (!/^-?[0-9]+$/.test(text)) expect(read).toBeUndefined();
        else expect(read === undefined || read === Number(text)).toBe(true);
      }),
    );
  });

  it('splits key=value pairs as text, and refuses a pair without a key', () => {
    expect(parsePairs(['maxYear=10', 'visibility=fog', 'lines=a=b'])).toEqual({
      maxYear: '10',
      visibility: 'fog',
      lines: 'a=b',
    });
    expect(refusal(() => parsePairs(['oops']))).toBe('--set: expects key=value, got "oops"');
    expect(refusal(() => parsePairs(['=3'], '--param'))).toMatch(/^--param: expects key=value/);
  });

  it('types parameters declared only by defaults (load scenarios)', () => {
    const params = schemaFromDefaults({ players: 2, think: 0.5, bot: 'random', fog: false });
    expect(readSettings(params, { players: '4', think: '1.5', fog: 'true' })).toEqual({
      players: 4,
      think: 1.5,
      bot: 'random',
      fog: true,
    });
    expect(refusal(() => readSettings(params, { players: '0x10' }))).toMatch(/^players: must be an integer/);
    expect(refusal(() => readSettings(params, { playres: '2' }))).toMatch(/^playres: unknown setting/);
  });

  it('gives the rows of a settings table', () => {
    expect(settingsTable(schema)[0]).toEqual({ name: 'games', default: '10', range: '1 to 5000', help: 'games' });
  });
});

describe('the same rule everywhere', () => {
  it('an engine config, a server setting and a bot parameter refuse 1e1 and 0x10 alike', async () => {
    const engine = refusal(() => galaxEngine.parseConfig({ maxYear: '1e1' }));
    const server = refusal(() => parseServerSettings({ maxYear: '1e1' }));
    expect(engine).toBe('maxYear: must be an integer from 1 to 100000, got "1e1"');
    expect(server).toBe(engine);
    expect(galaxEngine.parseConfig({ maxYear: '10' }).maxYear).toBe(10);
    expect(orerushEngine.parseConfig({ oreValues: '1,1,1,1,1' }).oreValues).toEqual([1, 1, 1, 1, 1]);
    await expect(resolveBot('heuristic:reserve=0x10', 'galax')).rejects.toThrow(
      'bot galax-heuristic: reserve: must be a number from 0 to 100, got "0x10"',
    );
    await expect(resolveBot('heuristic:resrve=1', 'galax')).rejects.toThrow(
      /bot galax-heuristic: resrve: unknown setting \(known: margin, reserve, horizon, minReserve\)/,
    );
    const bot = await resolveBot('heuristic:reserve=1.2', 'galax');
    expect(bot.params).toEqual({ margin: 0.15, reserve: 1.2, horizon: 6, minReserve: 1 });
    await expect(resolveBot('random:activity=2', 'galax')).rejects.toThrow(/activity: must be a number from 0 to 1/);
    await expect(resolveBot('mcts:iterations=1e3', 'galax')).rejects.toThrow(/iterations: must be an integer/);
  });
});

describe('checking plain settings without TypeBox (start-up)', () => {
  /** Whether `readSetting` takes the value (typed, as from a file). */
  const accepts = (schema: Parameters<typeof readSetting>[0], v: unknown): boolean => {
    try {
      readSetting(schema, 'k', v);
      return true;
    } catch {
      return false;
    }
  };

  it('gives TypeBox’s verdict on number, integer and boolean settings, for any value', async () => {
    const { Value } = await import('typebox/value');
    const bound = fc.integer({ min: -50, max: 50 });
    const value = fc.oneof(
      fc.integer({ min: -60, max: 60 }),
      fc.double(),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
      fc.boolean(),
      fc.constant(null),
      fc.constant({}),
    );
    fc.assert(
      fc.property(fc.constantFrom('integer', 'number', 'boolean'), bound, bound, value, (kind, min, max, v) => {
        const schema = kind === 'boolean' ? Setting.boolean({ help: 'b' }) : Setting[kind]({ help: 'n', min, max });
        expect(accepts(schema, v)).toBe(Value.Check(schema, v));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives TypeBox’s verdict on a counted list of integers (Setting.integers), for any value', async () => {
    const { Value } = await import('typebox/value');
    const item = fc.oneof(
      fc.integer({ min: -60, max: 60 }),
      fc.double(),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0),
      fc.boolean(),
      fc.constant(null),
      fc.constant('3'),
    );
    const value = fc.oneof(
      fc.array(fc.integer({ min: -60, max: 60 }), { maxLength: 6 }),
      fc.array(item, { maxLength: 6 }),
      // No text: a text value is read as a comma-separated list first (readSetting's conversion, tested above).
      fc.constantFrom(null, 3, {}, { length: 3 }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -50, max: 50 }), value, (count, min, v) => {
        const schema = Setting.integers({ help: 'l', count, min, max: min + 40 });
        expect(accepts(schema, v)).toBe(Value.Check(schema, v));
      }),
      { numRuns: 3000 },
    );
  });
});
