import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClientMessage,
  formatClientMessage,
  formatServerMessage,
  formatYear,
  GALAX_MAX_INT,
  isParseError,
  parseClientLine,
  parseServerLine,
  parseYear,
  type ServerMessage,
} from '../../src/protocols/galax/index.ts';

const uint = fc.integer({ min: 0, max: GALAX_MAX_INT });
const small = fc.integer({ min: 0, max: 10_000 });
const orUnknown = fc.oneof(fc.constant(-1), uint);
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
const word = printable.filter((s) => s.length > 0 && !s.includes(' '));
const time = fc.integer({ min: 0, max: 1_000_000 });

const clientMessage: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({ cmd: fc.constant('GCLT' as const), version: word, name: printable }),
  fc.record({ cmd: fc.constant('JOIN' as const), game: uint }),
  fc.constant({ cmd: 'PLAY' as const }),
  fc.record({ cmd: fc.constant('MOVE' as const), from: uint, to: uint, ships: uint }),
  fc.constant({ cmd: 'DONE' as const }),
);

const serverMessage: fc.Arbitrary<ServerMessage> = fc.oneof(
  fc.record({ cmd: fc.constant('GSRV' as const), version: word, name: printable }),
  fc.constant({ cmd: 'CLOK' as const }),
  fc.record({ cmd: fc.constant('GAME' as const), game: uint, players: small }),
  fc.constant({ cmd: 'SLCT' as const }),
  fc.record({ cmd: fc.constant('JNOK' as const), game: uint }),
  fc.record({ cmd: fc.constant('GPLR' as const), player: uint, name: printable }),
  fc.record({
    cmd: fc.constant('GFLD' as const),
    width: uint,
    height: uint,
    planets: uint,
    players: small,
    you: small,
  }),
  fc.record({
    cmd: fc.constant('PLNT' as const),
    planet: uint,
    x: uint,
    y: uint,
    owner: small,
    ships: orUnknown,
    production: orUnknown,
  }),
  fc.record({ cmd: fc.constant('YEAR' as const), time }),
  fc.record({ cmd: fc.constant('MVOK' as const), from: uint, to: uint, ships: uint, arrival: time }),
  fc.record({
    cmd: fc.constant('BATT' as const),
    planet: uint,
    time,
    attacker: small,
    attShips: uint,
    defender: small,
    defShips: uint,
  }),
  fc.record({
    cmd: fc.constant('ATTK' as const),
    who: fc.constantFrom(0 as const, 1 as const),
    surprise: fc.boolean(),
    killed: uint,
    attShips: uint,
    defShips: uint,
  }),
  fc.record({ cmd: fc.constant('BWIN' as const), planet: uint, winner: small, ships: uint }),
  fc.record({ cmd: fc.constant('FORT' as const), planet: uint, player: small, ships: uint, time }),
  fc.record({ cmd: fc.constant('KILL' as const), player: small }),
  fc.record({ cmd: fc.constant('WINN' as const), player: small }),
  fc.record({
    cmd: fc.constantFrom('ERRP' as const, 'ERRC' as const, 'ERRM' as const, 'ERRJ' as const),
    message: printable,
  }),
);

/** Lines close to valid ones: a known command word, then arguments that are often wrong. */
const nearLine = fc
  .tuple(
    fc.constantFrom(
      'GCLT',
      'JOIN',
      'PLAY',
      'MOVE',
      'DONE',
      'GSRV',
      'CLOK',
      'GAME',
      'SLCT',
      'JNOK',
      'GPLR',
      'GFLD',
      'PLNT',
      'YEAR',
      'MVOK',
      'BATT',
      'ATTK',
      'BWIN',
      'FORT',
      'KILL',
      'WINN',
      'ERRP',
      'move',
      'MOV',
      'MOVEX',
    ),
    fc.array(
      fc.oneof(
        fc.integer({ min: -5, max: 100 }).map(String),
        fc.constantFrom('3.0', '0.5', '1.', '.5', '2.25', '2.50', '-1', '1e3', '', ' ', '99999999999', '0x10', '+1'),
        printable,
      ),
      { maxLength: 8 },
    ),
  )
  .map(([cmd, args]) => [cmd, ...args].join(' '));

describe('Galax codec', () => {
  it('round-trips every client message exactly', () => {
    fc.assert(
      fc.property(clientMessage, (m) => {
        const line = formatClientMessage(m);
        expect(parseClientLine(line)).toEqual(m);
        // A formatted line is canonical: formatting what was parsed gives the same bytes.
        expect(formatClientMessage(parseClientLine(line) as ClientMessage)).toBe(line);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips every server message exactly', () => {
    fc.assert(
      fc.property(serverMessage, (m) => {
        const line = formatServerMessage(m);
        expect(parseServerLine(line)).toEqual(m);
        expect(formatServerMessage(parseServerLine(line) as ServerMessage)).toBe(line);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary input: a message or an ERRC with a text', () => {
    const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), nearLine, printable);
    fc.assert(
      fc.property(anyText, (line) => {
        for (const parsed of [parseClientLine(line), parseServerLine(line)]) {
          if (isParseError(parsed)) {
            expect(parsed.code).toBe('ERRC');
            expect(parsed.message.length).toBeGreaterThan(0);
          } else expect(typeof parsed.cmd).toBe('string');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts a near-valid line only when it formats back to a line of the same meaning', () => {
    fc.assert(
      fc.property(nearLine, (line) => {
        const c = parseClientLine(line);
        if (!isParseError(c)) expect(parseClientLine(formatClientMessage(c))).toEqual(c);
        const s = parseServerLine(line);
        if (!isParseError(s)) expect(parseServerLine(formatServerMessage(s))).toEqual(s);
      }),
      { numRuns: 1500 },
    );
  });

  it('explains each kind of bad line', () => {
    const err = (line: string) => {
      const r = parseClientLine(line);
      if (!isParseError(r)) throw new Error(`expected an error for ${JSON.stringify(line)}`);
      return r.message;
    };
    expect(err('')).toMatch(/empty line/);
    expect(err('HELO there')).toMatch(/unknown command "HELO"/);
    expect(err('move 1 2 3')).toMatch(/unknown command "move"/);
    expect(err('MOVEMENT')).toMatch(/unknown command "MOVEMENT"/);
    expect(err('GSRV 0.22 x')).toMatch(/unknown command "GSRV"/);
    expect(err('MOVE 1 2')).toMatch(/MOVE takes 3 arguments \(from to ships\), got 2/);
    expect(err('MOVE 1 2 3 4')).toMatch(/got 4/);
    expect(err('MOVE 1  2 3')).toMatch(/got 4/);
    expect(err('MOVE 1 x 3')).toMatch(/argument to must be an integer from 0/);
    expect(err('MOVE 1 2 -1')).toMatch(/argument ships must be an integer/);
    expect(err('MOVE 1 2 3.0')).toMatch(/argument ships/);
    expect(err(`MOVE 1 2 ${GALAX_MAX_INT + 1}`)).toMatch(/argument ships/);
    expect(err('DONE now')).toMatch(/DONE takes no arguments, got 1/);
    expect(err('PLAY ')).toMatch(/PLAY takes no arguments/);
    expect(err('JOIN')).toMatch(/JOIN takes 1 argument \(gameid\), got 0/);
    expect(err('GCLT')).toMatch(/GCLT takes a protocol version/);
    expect(err('DONE\r')).toMatch(/non-printable.*0x0d/);
    expect(err('GCLT 0.22 J\u00f6rg')).toMatch(/non-ASCII byte 0xf6/);
  });

  it('reads times as years with at least one decimal, held as tenths', () => {
    expect(parseYear('0.0')).toBe(0);
    expect(parseYear('3.0')).toBe(30);
    expect(parseYear('12.5')).toBe(125);
    expect(parseYear('2.50')).toBe(25);
    for (const bad of ['3', '3.', '.5', '2.25', '-1.0', '1e1', '3.0.0', '']) expect(parseYear(bad)).toBeNaN();
    expect(formatYear(0)).toBe('0.0');
    expect(formatYear(125)).toBe('12.5');
    const r = parseServerLine('YEAR 3');
    expect(isParseError(r) && r.message).toMatch(/time must be a year with one decimal, e\.g\. 3\.0/);
    const ok = parseServerLine('PLNT 4 1 2 0 -1 -1');
    expect(ok).toEqual({ cmd: 'PLNT', planet: 4, x: 1, y: 2, owner: 0, ships: -1, production: -1 });
    const minus = parseServerLine('BWIN 4 -1 3');
    expect(isParseError(minus)).toBe(true);
    const who = parseServerLine('ATTK 2 0 1 1 1');
    expect(isParseError(who) && who.message).toMatch(/who must be 0 or 1/);
  });

  it('keeps names and messages as the whole rest of the line, spaces included', () => {
    expect(parseClientLine('GCLT 0.3-beta my  bot  ')).toEqual({ cmd: 'GCLT', version: '0.3-beta', name: 'my  bot  ' });
    expect(parseClientLine('GCLT 1.0')).toEqual({ cmd: 'GCLT', version: '1.0', name: '' });
    expect(parseServerLine('GPLR 3 Ann Lee')).toEqual({ cmd: 'GPLR', player: 3, name: 'Ann Lee' });
    expect(parseServerLine('ERRM not enough ships on planet 3')).toEqual({
      cmd: 'ERRM',
      message: 'not enough ships on planet 3',
    });
    expect(parseServerLine('ERRP')).toEqual({ cmd: 'ERRP', message: '' });
  });

  it('refuses to format text that would break the line format', () => {
    expect(() => formatServerMessage({ cmd: 'GPLR', player: 1, name: 'a\r\nWINN 1' })).toThrow(RangeError);
    expect(() => formatClientMessage({ cmd: 'GCLT', version: 'has space', name: '' })).toThrow(RangeError);
    expect(() => formatClientMessage({ cmd: 'GCLT', version: '', name: 'x' })).toThrow(RangeError);
  });
});
