import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/engine.ts';
import { boolSetting, intSetting, knownSettings, parseStrictInt, stringSetting } from '../../src/net/settings.ts';

describe('intSetting', () => {
  it('reads decimal integers from text or numbers, within the range, with the fallback when absent', () => {
    expect(intSetting({}, 'maxGames', 1000, 1, 5000)).toBe(1000);
    expect(intSetting({ maxGames: undefined }, 'maxGames', 7, 1, 5000)).toBe(7);
    expect(intSetting({ maxGames: '12' }, 'maxGames', 1000, 1, 5000)).toBe(12);
    expect(intSetting({ maxGames: '0012' }, 'maxGames', 1000, 1, 5000)).toBe(12);
    expect(intSetting({ maxGames: 5000 }, 'maxGames', 1000, 1, 5000)).toBe(5000);
    expect(intSetting({ offset: '-3' }, 'offset', 0, -10, 10)).toBe(-3);
  });

  it('refuses what Number() would let through, naming the setting and the range', () => {
    for (const bad of ['1e3', ' 12', '12 ', '0x10', '', '1.0', '1.5', '+5', 'NaN', 'Infinity', '1_000', '١٢']) {
      expect(() => intSetting({ maxGames: bad }, 'maxGames', 1, 1, 5000)).toThrow(
        `maxGames: must be an integer from 1 to 5000, got ${JSON.stringify(bad)}`,
      );
    }
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, true]) {
      expect(() => intSetting({ n: bad }, 'n', 1, 0, 10)).toThrow(/^n: must be an integer from 0 to 10, got /);
    }
    expect(() => intSetting({ n: '9007199254740993' }, 'n', 1, 0, Number.MAX_SAFE_INTEGER)).toThrow(ConfigError);
  });

  it('enforces both ends of the range', () => {
    expect(() => intSetting({ n: '0' }, 'n', 1, 1, 10)).toThrow('n: must be an integer from 1 to 10, got "0"');
    expect(() => intSetting({ n: '11' }, 'n', 1, 1, 10)).toThrow(/from 1 to 10/);
    expect(() => intSetting({ n: -1 }, 'n', 1, 0, 10)).toThrow('n: must be an integer from 0 to 10, got -1');
    expect(intSetting({ n: '10' }, 'n', 1, 1, 10)).toBe(10);
    expect(intSetting({ n: '1' }, 'n', 5, 1, 10)).toBe(1);
  });

  it('agrees with a plain decimal reading on every integer text, and never accepts anything else', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), (n) => {
        expect(intSetting({ k: String(n) }, 'k', 0, -1_000_000, 1_000_000)).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        const strict = /^-?[0-9]+$/.test(text);
        const read = parseStrictInt(text);
        if (!strict) expect(read).toBeUndefined();
        else expect(read === undefined || read === Number(text)).toBe(true);
      }),
    );
  });
});

describe('boolSetting', () => {
  it('takes exactly true and false', () => {
    expect(boolSetting({}, 'fog', true)).toBe(true);
    expect(boolSetting({ fog: 'false' }, 'fog', true)).toBe(false);
    expect(boolSetting({ fog: 'true' }, 'fog', false)).toBe(true);
    expect(boolSetting({ fog: false }, 'fog', true)).toBe(false);
    for (const bad of ['1', '0', 'yes', 'TRUE', ' true', '', 1]) {
      expect(() => boolSetting({ fog: bad }, 'fog', true)).toThrow(/^fog: must be true or false, got /);
    }
  });
});

describe('stringSetting', () => {
  it('reads text with a length limit, an optional pattern or a fixed set of values', () => {
    expect(stringSetting({}, 'db', 'chat.db')).toBe('chat.db');
    expect(stringSetting({ db: ':memory:' }, 'db', 'chat.db')).toBe(':memory:');
    expect(stringSetting({ seed: 42 }, 'seed', 'x')).toBe('42');
    expect(() => stringSetting({ db: '' }, 'db', 'chat.db')).toThrow('db: must not be empty');
    expect(stringSetting({ name: '' }, 'name', 'x', { allowEmpty: true })).toBe('');
    expect(() => stringSetting({ name: 'x'.repeat(65) }, 'name', 'x', { maxLength: 64 })).toThrow(
      'name: must be at most 64 characters, got 65',
    );
    expect(() => stringSetting({ name: 'a\u0007b' }, 'name', 'x')).toThrow(/control characters/);
    expect(stringSetting({ vis: 'fog' }, 'vis', 'full', { oneOf: ['fog', 'full'] })).toBe('fog');
    expect(() => stringSetting({ vis: 'Fog' }, 'vis', 'full', { oneOf: ['fog', 'full'] })).toThrow(
      'vis: must be one of fog, full, got "Fog"',
    );
    expect(() =>
      stringSetting({ game: 'chess!' }, 'game', 'x', { pattern: /^[a-z]+$/, patternHint: 'lower-case letters' }),
    ).toThrow('game: must be lower-case letters, got "chess!"');
    expect(() => stringSetting({ game: true }, 'game', 'x')).toThrow(/must be text/);
  });
});

describe('knownSettings', () => {
  it('passes known keys through and names every unknown one', () => {
    const s = { width: '40', rounds: '10' };
    expect(knownSettings(s, ['width', 'height', 'rounds'])).toBe(s);
    expect(knownSettings({ extra: undefined }, ['width'])).toEqual({ extra: undefined });
    expect(() => knownSettings({ widht: '40' }, ['width', 'height'])).toThrow(
      'widht: unknown setting (known: width, height)',
    );
    let error: unknown;
    try {
      knownSettings({ widht: '1', rounds: '2', hieght: '3' }, ['width', 'height', 'rounds']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('widht, hieght');
    expect((error as Error).message).toBe('widht, hieght: unknown settings (known: width, height, rounds)');
  });
});
