/**
 * Galax 0.22 wire codec: one line = one message, `CMND arg arg ...`, the line terminator already stripped by
 * the line framer. Parsing never throws: a bad line yields a `GalaxParseError` (answered `ERRC` by a server).
 * Times travel as years with one decimal (`YEAR 3.0`) and are held as integer tenths (30) everywhere else.
 */

export const GALAX_VERSION = '0.22';
export const GALAX_DEFAULT_PORT = 42529;
/** Longest accepted line in bytes, terminator excluded. */
export const GALAX_MAX_LINE = 1024;
/** Largest integer argument: keeps every count a small integer (ships, ids, coordinates). */
export const GALAX_MAX_INT = 2_147_483_647;

export type ErrorCode = 'ERRP' | 'ERRC' | 'ERRM' | 'ERRJ';

// Client -> server.
export type GcltMessage = { readonly cmd: 'GCLT'; readonly version: string; readonly name: string };
export type JoinMessage = { readonly cmd: 'JOIN'; readonly game: number };
export type PlayMessage = { readonly cmd: 'PLAY' };
export type MoveMessage = { readonly cmd: 'MOVE'; readonly from: number; readonly to: number; readonly ships: number };
export type DoneMessage = { readonly cmd: 'DONE' };

export type ClientMessage = GcltMessage | JoinMessage | PlayMessage | MoveMessage | DoneMessage;

// Server -> client.
export type ServerMessage =
  | { readonly cmd: 'GSRV'; readonly version: string; readonly name: string }
  | { readonly cmd: 'CLOK' }
  | { readonly cmd: 'GAME'; readonly game: number; readonly players: number }
  | { readonly cmd: 'SLCT' }
  | { readonly cmd: 'JNOK'; readonly game: number }
  | { readonly cmd: 'GPLR'; readonly player: number; readonly name: string }
  | {
      readonly cmd: 'GFLD';
      readonly width: number;
      readonly height: number;
      readonly planets: number;
      readonly players: number;
      readonly you: number;
    }
  | {
      readonly cmd: 'PLNT';
      readonly planet: number;
      readonly x: number;
      readonly y: number;
      readonly owner: number;
      /** -1 when unknown to the viewer. */
      readonly ships: number;
      /** -1 when unknown to the viewer. */
      readonly production: number;
    }
  | { readonly cmd: 'YEAR'; readonly time: number }
  | {
      readonly cmd: 'MVOK';
      readonly from: number;
      readonly to: number;
      readonly ships: number;
      readonly arrival: number;
    }
  | {
      readonly cmd: 'BATT';
      readonly planet: number;
      readonly time: number;
      readonly attacker: number;
      readonly attShips: number;
      readonly defender: number;
      readonly defShips: number;
    }
  | {
      readonly cmd: 'ATTK';
      readonly who: 0 | 1;
      readonly surprise: boolean;
      readonly killed: number;
      readonly attShips: number;
      readonly defShips: number;
    }
  | { readonly cmd: 'BWIN'; readonly planet: number; readonly winner: number; readonly ships: number }
  | {
      readonly cmd: 'FORT';
      readonly planet: number;
      readonly player: number;
      readonly ships: number;
      readonly time: number;
    }
  | { readonly cmd: 'KILL'; readonly player: number }
  | { readonly cmd: 'WINN'; readonly player: number }
  | { readonly cmd: ErrorCode; readonly message: string };

export type ServerCommand = ServerMessage['cmd'];
export type ClientCommand = ClientMessage['cmd'];

/** A line that is not a valid message. Distinguished from messages by having `code` instead of `cmd`. */
export interface GalaxParseError {
  readonly code: 'ERRC';
  readonly message: string;
}

export function isParseError(value: ClientMessage | ServerMessage | GalaxParseError): value is GalaxParseError {
  return (value as GalaxParseError).code !== undefined;
}

const fail = (message: string): GalaxParseError => ({ code: 'ERRC', message });

/** Printable ASCII only (0x20..0x7E): the protocol is ASCII and a control byte in a line is always an error. */
function printableError(line: string): GalaxParseError | null {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      return fail(`non-printable or non-ASCII byte 0x${c.toString(16).padStart(2, '0')} at column ${i + 1}`);
    }
  }
  return null;
}

/** The unsigned decimal integer in line[start, end), or -1 when `allowMinusOne`; NaN when it is not one. */
function uintAt(line: string, start: number, end: number, allowMinusOne = false): number {
  const n = end - start;
  if (allowMinusOne && n === 2 && line.charCodeAt(start) === 45 && line.charCodeAt(start + 1) === 49) return -1;
  if (n === 0 || n > 10) return Number.NaN;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    value = value * 10 + d;
  }
  return value > GALAX_MAX_INT ? Number.NaN : value;
}

function uint(text: string): number {
  return uintAt(text, 0, text.length);
}

/** The year in line[start, end) as tenths: `3.0` -> 30; NaN when it is not a year with at least one decimal. */
function yearAt(line: string, start: number, end: number): number {
  const dot = line.indexOf('.', start);
  if (dot <= start || dot >= end - 1 || dot - start > 9) return Number.NaN;
  const whole = uintAt(line, start, dot);
  if (Number.isNaN(whole)) return Number.NaN;
  const tenth = line.charCodeAt(dot + 1) - 48;
  if (tenth < 0 || tenth > 9) return Number.NaN;
  // Further decimals are accepted only as zeros: every time in Galax is a whole number of tenths.
  for (let i = dot + 2; i < end; i++) if (line.charCodeAt(i) !== 48) return Number.NaN;
  const value = whole * 10 + tenth;
  return value > GALAX_MAX_INT ? Number.NaN : value;
}

/** `3.0` -> 30. At least one decimal (the seed's rule); digits after the first decimal must be zeros. */
export function parseYear(text: string): number {
  return yearAt(text, 0, text.length);
}

/** 30 -> `3.0`. */
export function formatYear(tenths: number): string {
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

/** Number of space-separated arguments after the 4-letter command (an empty argument counts). */
function argCount(line: string): number {
  let n = 0;
  for (let i = 4; i < line.length; i++) if (line.charCodeAt(i) === 32) n++;
  return n;
}

/**
 * The error of a line whose argument count is not `expected`, or null when the count is right. A function of its
 * own rather than a closure in `numbers`: no closure per parsed line.
 */
function countError(cmd: string, line: string, names: readonly string[], expected: number): GalaxParseError | null {
  const got = argCount(line);
  return got === expected
    ? null
    : fail(`${cmd} takes ${expected} argument${expected === 1 ? '' : 's'} (${names.join(' ')}), got ${got}`);
}

/** Where the parsed numbers of the last `numbers` call are left: no array per line. */
const ARGS: number[] = [0, 0, 0, 0, 0, 0, 0, 0];

/**
 * Parses the fixed integer arguments of `cmd` in place into ARGS. `kinds` has one letter per argument: `u`
 * unsigned, `s` unsigned or -1, `t` a time (year with a decimal), `b` 0 or 1. Returns null or an error naming the
 * argument.
 */
function numbers(cmd: string, line: string, names: readonly string[], kinds: string): GalaxParseError | null {
  const expected = kinds.length;
  // The arguments are cut and read in one pass; the count is checked as they are cut (the line is only counted
  // again for an error's message), and a wrong count is reported before a wrong value, as the protocol says.
  if (line.length <= 4) return countError(cmd, line, names, expected);
  let start = 5;
  for (let i = 0; i < expected; i++) {
    let end = line.indexOf(' ', start);
    if (end === -1) {
      if (i < expected - 1) return countError(cmd, line, names, expected);
      end = line.length;
    } else if (i === expected - 1) return countError(cmd, line, names, expected);
    const kind = kinds.charCodeAt(i);
    // 116 't', 115 's', 98 'b'
    let v = kind === 116 ? yearAt(line, start, end) : uintAt(line, start, end, kind === 115);
    if (kind === 98 && v > 1) v = Number.NaN;
    if (Number.isNaN(v)) {
      const wrongCount = countError(cmd, line, names, expected);
      if (wrongCount) return wrongCount;
      const what =
        kind === 116
          ? 'a year with one decimal, e.g. 3.0'
          : kind === 115
            ? `an integer from -1 to ${GALAX_MAX_INT}`
            : kind === 98
              ? '0 or 1'
              : `an integer from 0 to ${GALAX_MAX_INT}`;
      const text = line.slice(start, end);
      return fail(
        `${cmd}: argument ${names[i]} must be ${what}, got "${text.length > 20 ? `${text.slice(0, 20)}...` : text}"`,
      );
    }
    ARGS[i] = v;
    start = end + 1;
  }
  return null;
}

function noArgs<T>(cmd: string, line: string, message: T): T | GalaxParseError {
  return line.length === 4 ? message : fail(`${cmd} takes no arguments, got ${argCount(line)}`);
}

/** `VERSION name...`: the version may not contain spaces, the name (possibly empty) is the rest of the line. */
function versionAndName(cmd: string, rest: string): { version: string; name: string } | GalaxParseError {
  const sp = rest.indexOf(' ');
  const version = sp === -1 ? rest : rest.slice(0, sp);
  if (version.length === 0) return fail(`${cmd} takes a protocol version and a name (${cmd} <version> <name...>)`);
  return { version, name: sp === -1 ? '' : rest.slice(sp + 1) };
}

/** null when the line is printable ASCII starting with a 4-letter word followed by a space or the end. */
function headError(line: string): GalaxParseError | null {
  if (line.length === 0) return fail('empty line');
  const bad = printableError(line);
  if (bad) return bad;
  if (line.length < 4 || (line.length > 4 && line.charCodeAt(4) !== 32)) {
    const word = line.split(' ', 1)[0]!;
    return fail(`unknown command "${word.length > 20 ? `${word.slice(0, 20)}...` : word}"`);
  }
  return null;
}

/** Everything after `CMND `, or '' for a bare command. */
const restOf = (line: string) => (line.length > 4 ? line.slice(5) : '');

const MOVE_ARGS = ['from', 'to', 'ships'] as const;
const JOIN_ARGS = ['gameid'] as const;

const DONE: DoneMessage = { cmd: 'DONE' };
const PLAY: PlayMessage = { cmd: 'PLAY' };

/** A line a client sent (terminator stripped). */
export function parseClientLine(line: string): ClientMessage | GalaxParseError {
  const bad = headError(line);
  if (bad) return bad;
  const cmd = line.slice(0, 4);
  switch (cmd) {
    case 'MOVE': {
      return numbers(cmd, line, MOVE_ARGS, 'uuu') ?? { cmd, from: ARGS[0]!, to: ARGS[1]!, ships: ARGS[2]! };
    }
    case 'DONE':
      return noArgs(cmd, line, DONE);
    case 'JOIN': {
      return numbers(cmd, line, JOIN_ARGS, 'u') ?? { cmd, game: ARGS[0]! };
    }
    case 'PLAY':
      return noArgs(cmd, line, PLAY);
    case 'GCLT': {
      const v = versionAndName(cmd, restOf(line));
      return 'code' in v ? v : { cmd, version: v.version, name: v.name };
    }
    default:
      return fail(`unknown command "${cmd}"`);
  }
}

const SERVER_ARGS: Record<string, readonly [readonly string[], string]> = {
  GAME: [['gameid', 'nplayers'], 'uu'],
  JNOK: [['gameid'], 'u'],
  GFLD: [['width', 'height', 'nplanets', 'nplayers', 'yourplayerid'], 'uuuuu'],
  PLNT: [['planetid', 'x', 'y', 'owner', 'ships', 'production'], 'uuuuss'],
  YEAR: [['time'], 't'],
  MVOK: [['from', 'to', 'ships', 'arrivaltime'], 'uuut'],
  BATT: [['planetid', 'time', 'attacker', 'attships', 'defender', 'defships'], 'utuuuu'],
  ATTK: [['who', 'issurprise', 'killed', 'attships', 'defships'], 'bbuuu'],
  BWIN: [['planetid', 'winner', 'ships'], 'uuu'],
  FORT: [['planetid', 'player', 'ships', 'time'], 'uuut'],
  KILL: [['playerid'], 'u'],
  WINN: [['playerid'], 'u'],
};

const CLOK: ServerMessage = { cmd: 'CLOK' };
const SLCT: ServerMessage = { cmd: 'SLCT' };

const SERVER_COMMANDS: readonly ServerCommand[] = [
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
  'ERRC',
  'ERRM',
  'ERRJ',
];
const code4 = (s: string) =>
  ((s.charCodeAt(0) << 21) | (s.charCodeAt(1) << 14) | (s.charCodeAt(2) << 7) | s.charCodeAt(3)) >>> 0;
/** Server commands by their 4 letters packed into one number (the line is printable ASCII, 7 bits a letter). */
const SERVER_COMMAND_BY_CODE = new Map<number, ServerCommand>(SERVER_COMMANDS.map((c) => [code4(c), c]));

/** A line a server sent (terminator stripped). */
export function parseServerLine(line: string): ServerMessage | GalaxParseError {
  const bad = headError(line);
  if (bad) return bad;
  // The command is looked up rather than sliced: no string per line, and the constant it yields compares by
  // identity in the switch below and in every consumer's `m.cmd === 'MVOK'`.
  const known = SERVER_COMMAND_BY_CODE.get(code4(line));
  if (known === undefined) return fail(`unknown command "${line.slice(0, 4)}"`);
  const cmd: ServerCommand = known;
  switch (cmd) {
    case 'CLOK':
      return noArgs(cmd, line, CLOK);
    case 'SLCT':
      return noArgs(cmd, line, SLCT);
    case 'GSRV': {
      const v = versionAndName(cmd, restOf(line));
      return 'code' in v ? v : { cmd, version: v.version, name: v.name };
    }
    case 'GPLR': {
      const text = restOf(line);
      const sp = text.indexOf(' ');
      const id = uint(sp === -1 ? text : text.slice(0, sp));
      if (Number.isNaN(id)) return fail(`GPLR: argument playerid must be an integer from 0 to ${GALAX_MAX_INT}`);
      return { cmd, player: id, name: sp === -1 ? '' : text.slice(sp + 1) };
    }
    case 'ERRP':
    case 'ERRC':
    case 'ERRM':
    case 'ERRJ':
      return { cmd, message: restOf(line) };
  }
  const spec = SERVER_ARGS[cmd]!;
  const wrong = numbers(cmd, line, spec[0], spec[1]);
  if (wrong) return wrong;
  const v = ARGS;
  switch (cmd) {
    case 'GAME':
      return { cmd, game: v[0]!, players: v[1]! };
    case 'JNOK':
      return { cmd, game: v[0]! };
    case 'GFLD':
      return { cmd, width: v[0]!, height: v[1]!, planets: v[2]!, players: v[3]!, you: v[4]! };
    case 'PLNT':
      return { cmd, planet: v[0]!, x: v[1]!, y: v[2]!, owner: v[3]!, ships: v[4]!, production: v[5]! };
    case 'YEAR':
      return { cmd, time: v[0]! };
    case 'MVOK':
      return { cmd, from: v[0]!, to: v[1]!, ships: v[2]!, arrival: v[3]! };
    case 'BATT':
      return {
        cmd,
        planet: v[0]!,
        time: v[1]!,
        attacker: v[2]!,
        attShips: v[3]!,
        defender: v[4]!,
        defShips: v[5]!,
      };
    case 'ATTK':
      return { cmd, who: v[0] as 0 | 1, surprise: v[1] === 1, killed: v[2]!, attShips: v[3]!, defShips: v[4]! };
    case 'BWIN':
      return { cmd, planet: v[0]!, winner: v[1]!, ships: v[2]! };
    case 'FORT':
      return { cmd, planet: v[0]!, player: v[1]!, ships: v[2]!, time: v[3]! };
    case 'KILL':
      return { cmd, player: v[0]! };
    default:
      return { cmd: 'WINN', player: v[0]! };
  }
}

/** Refuses text that would break the line format (a CR/LF would inject a second command). */
function text(value: string, what: string, allowSpaces: boolean): string {
  const bad = printableError(value);
  if (bad) throw new RangeError(`${what}: ${bad.message}`);
  if (!allowSpaces && (value.length === 0 || value.includes(' '))) {
    throw new RangeError(`${what} must be non-empty and contain no space, got ${JSON.stringify(value)}`);
  }
  return value;
}

const tail = (s: string) => (s.length === 0 ? '' : ` ${s}`);

export function formatClientMessage(m: ClientMessage): string {
  switch (m.cmd) {
    case 'MOVE':
      return `MOVE ${m.from} ${m.to} ${m.ships}`;
    case 'DONE':
      return 'DONE';
    case 'JOIN':
      return `JOIN ${m.game}`;
    case 'PLAY':
      return 'PLAY';
    case 'GCLT':
      return `GCLT ${text(m.version, 'version', false)}${tail(text(m.name, 'client name', true))}`;
  }
}

export function formatServerMessage(m: ServerMessage): string {
  switch (m.cmd) {
    case 'GSRV':
      return `GSRV ${text(m.version, 'version', false)}${tail(text(m.name, 'server name', true))}`;
    case 'CLOK':
      return 'CLOK';
    case 'GAME':
      return `GAME ${m.game} ${m.players}`;
    case 'SLCT':
      return 'SLCT';
    case 'JNOK':
      return `JNOK ${m.game}`;
    case 'GPLR':
      return `GPLR ${m.player}${tail(text(m.name, 'player name', true))}`;
    case 'GFLD':
      return `GFLD ${m.width} ${m.height} ${m.planets} ${m.players} ${m.you}`;
    case 'PLNT':
      return `PLNT ${m.planet} ${m.x} ${m.y} ${m.owner} ${m.ships} ${m.production}`;
    case 'YEAR':
      return `YEAR ${formatYear(m.time)}`;
    case 'MVOK':
      return `MVOK ${m.from} ${m.to} ${m.ships} ${formatYear(m.arrival)}`;
    case 'BATT':
      return `BATT ${m.planet} ${formatYear(m.time)} ${m.attacker} ${m.attShips} ${m.defender} ${m.defShips}`;
    case 'ATTK':
      return `ATTK ${m.who} ${m.surprise ? 1 : 0} ${m.killed} ${m.attShips} ${m.defShips}`;
    case 'BWIN':
      return `BWIN ${m.planet} ${m.winner} ${m.ships}`;
    case 'FORT':
      return `FORT ${m.planet} ${m.player} ${m.ships} ${formatYear(m.time)}`;
    case 'KILL':
      return `KILL ${m.player}`;
    case 'WINN':
      return `WINN ${m.player}`;
    case 'ERRP':
    case 'ERRC':
    case 'ERRM':
    case 'ERRJ':
      return `${m.cmd}${tail(text(m.message, 'error message', true))}`;
  }
}

/** Error texts that may carry user input are cut and cleaned so an error reply can never be refused. */
export function cleanText(value: string, max = 200): string {
  let out = '';
  for (let i = 0; i < value.length && out.length < max; i++) {
    const c = value.charCodeAt(i);
    out += c >= 0x20 && c <= 0x7e ? value[i] : '?';
  }
  return out;
}
