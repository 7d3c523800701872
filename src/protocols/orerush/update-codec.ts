/**
 * The hot `updte` codec: every player gets one every round, so the reference server encodes and every bot decodes
 * thousands a second. The general codec (packets.ts `encodePacket`/`decodePacket` with wire.ts
 * `encodeUpdate`/`decodeUpdate`) builds a packet object, JSON-stringifies or parses four object fields and then
 * walks the result again; this module writes and reads the frame body's bytes directly, in one pass.
 *
 * The bytes are the general codec's, byte for byte (docs/protocols/orerush.md §4.1; test/orerush/update-codec.test.ts
 * checks both agree on every packet of seeded games and on random observations). The reader takes only the
 * canonical compact form this encoder (and the general one) writes — the documented keys in the documented order,
 * no whitespace, integers, plain ASCII strings — and answers `null` for anything else, which the caller then reads
 * with the general codec: every other valid packet, and every malformed one with its documented error, goes the
 * old way. So the fast reader never accepts what the general codec refuses, and never refuses anything itself.
 */
import type { GameResult } from '../../core/engine.ts';
import {
  type EnemyView,
  type Item,
  ORE_KINDS,
  type OreRushEvent,
  type OreRushObservation,
  type Robot,
} from '../../games/orerush/index.ts';
import { MAX_PACKET } from './packets.ts';

// ---------------------------------------------------------------------------------------------------------------
// Encoder

const ASCII = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/**
 * Packets are written straight into a shared slab and handed out as slices of it, as Node's own Buffer pool does
 * for small buffers (an update is just above the size that pool takes): no copy at the end, and one ArrayBuffer
 * per 256 KiB of packets instead of one per packet. A slice is never written again once handed out. `base` is
 * where the packet being written starts, `at` where it has got to.
 */
const SLAB = 256 * 1024;
let scratch = Buffer.allocUnsafeSlow(SLAB);
let base = 0;
let at = 0;

/** Room for `bytes` more: a packet that does not fit moves (what it has so far) to a fresh slab. */
function reserve(bytes: number): void {
  if (at + bytes <= scratch.length) return;
  const fresh = Buffer.allocUnsafeSlow(Math.max(SLAB, 2 * (at - base + bytes)));
  scratch.copy(fresh, 0, base, at);
  at -= base;
  base = 0;
  scratch = fresh;
}

/** Writes ASCII bytes known in advance (keys, punctuation). */
function raw(bytes: Uint8Array): void {
  const n = bytes.length;
  if (at + n > scratch.length) reserve(n);
  // A loop, not TypedArray#set: these are keys of a few bytes, where the call costs more than the copy.
  const b = scratch;
  for (let i = 0; i < n; i++) b[at + i] = bytes[i]!;
  at += n;
}

/** Longest decimal form of a number as JSON writes it (`-1.2345678901234567e-308`), with a separator. */
const NUMBER_ROOM = 26;

/** A number as JSON.stringify writes it; the caller has reserved NUMBER_ROOM bytes. */
function num(v: number): void {
  if (v >= 0 && v < 10 && (v | 0) === v) {
    scratch[at++] = 0x30 + v;
    return;
  }
  if (v === -1) {
    scratch[at++] = 0x2d;
    scratch[at++] = 0x31;
    return;
  }
  if ((v | 0) === v) {
    // A 32-bit integer: digits written from the right into their place.
    let n = v;
    if (n < 0) {
      scratch[at++] = 0x2d;
      n = -n;
    }
    let len = 1;
    for (let t = n; t >= 10; t = (t / 10) | 0) len++;
    let p = at + len;
    at = p;
    do {
      const q = (n / 10) | 0;
      scratch[--p] = 0x30 + n - q * 10;
      n = q;
    } while (n > 0);
    return;
  }
  // -2^31 negated, beyond 32 bits, a fraction or not finite: rare here; JSON's own form.
  const text = Number.isFinite(v) ? String(v) : 'null';
  for (let i = 0; i < text.length; i++) scratch[at++] = text.charCodeAt(i);
}

/**
 * The bytes of a grid, by the array's identity. The engine hands out the same array while what it shows is
 * unchanged (the blank view of every player without a radar, a player's holes between digs, its ore view
 * between radar changes: src/games/orerush/engine.ts), and observations are read-only, so an array once
 * written is copied from here the next time: once per change, not once per player and round.
 */
const gridBytes = new WeakMap<readonly number[], Buffer>();

/** A grid (`ore`, `kinds`, `holes`): from the cache, or written and cached. */
function grid(values: readonly number[]): void {
  const cached = gridBytes.get(values);
  if (cached) {
    reserve(cached.length);
    scratch.set(cached, at);
    at += cached.length;
    return;
  }
  // Relative to the packet's start: writing may move the packet to a fresh slab.
  const offset = at - base;
  nums(values);
  gridBytes.set(values, copyOut(base + offset, at));
}

/** A flat array of numbers: `[1,-1,0]`. */
function nums(values: readonly number[]): void {
  reserve(2 + values.length * NUMBER_ROOM);
  // Locals, not the module's cursor: this loop writes every cell of three grids.
  const b = scratch;
  let p = at;
  b[p++] = 0x5b;
  for (let i = 0; i < values.length; i++) {
    if (i > 0) b[p++] = 0x2c;
    const v = values[i]!;
    if (v >= 0 && v < 10 && (v | 0) === v) b[p++] = 0x30 + v;
    else if (v === -1) {
      b[p++] = 0x2d;
      b[p++] = 0x31;
    } else {
      at = p;
      num(v);
      p = at;
    }
  }
  b[p++] = 0x5d;
  at = p;
}

/** A string as JSON.stringify writes it: printable ASCII without `"` or `\` as is, anything else by JSON itself. */
function str(text: string): void {
  reserve(text.length + 2);
  const start = at;
  scratch[at++] = 0x22;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      at = start;
      const json = JSON.stringify(text);
      reserve(json.length * 3);
      at += scratch.write(json, at, 'utf8');
      return;
    }
    scratch[at++] = c;
  }
  scratch[at++] = 0x22;
}

/** Any JSON value: the primitives directly, anything nested by JSON.stringify (never in the engine's events). */
function value(v: unknown): void {
  if (typeof v === 'number') {
    reserve(NUMBER_ROOM);
    num(v);
  } else if (typeof v === 'string') str(v);
  else if (v === null) raw(NULL);
  else if (v === true) raw(TRUE);
  else if (v === false) raw(FALSE);
  else {
    const json = JSON.stringify(v);
    reserve(json.length * 3);
    at += scratch.write(json, at, 'utf8');
  }
}

/** A flat object's own keys in their order, skipping undefined as JSON does. */
function flat(o: object): void {
  raw(OPEN);
  let first = true;
  for (const key of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (!first) raw(COMMA);
    first = false;
    str(key);
    raw(COLON);
    value(v);
  }
  raw(CLOSE);
}

function cells(list: readonly { readonly x: number; readonly y: number }[]): void {
  raw(LIST);
  for (let i = 0; i < list.length; i++) {
    if (i > 0) raw(COMMA);
    const c = list[i]!;
    raw(K_X);
    value(c.x);
    raw(K_Y);
    value(c.y);
    raw(CLOSE);
  }
  raw(LIST_END);
}

const NULL = ASCII('null');
const TRUE = ASCII('true');
const FALSE = ASCII('false');
const OPEN = ASCII('{');
const CLOSE = ASCII('}');
const COMMA = ASCII(',');
const COLON = ASCII(':');
const LIST = ASCII('[');
const LIST_END = ASCII(']');
const K_X = ASCII('{"x":');
const K_Y = ASCII(',"y":');
const MAP_SEAT = ASCII('updte\x1f{"seat":');
const MAP_PLAYERS = ASCII(',"players":');
const MAP_ROUND = ASCII(',"round":');
const MAP_ROUNDS = ASCII(',"rounds":');
const MAP_WIDTH = ASCII(',"width":');
const MAP_HEIGHT = ASCII(',"height":');
const MAP_OVER = ASCII(',"over":');
const MAP_ORE = ASCII(',"ore":');
const MAP_KINDS = ASCII(',"kinds":');
const MAP_HOLES = ASCII(',"holes":');
const MAP_RADARS = ASCII(',"radars":');
const MAP_TRAPS = ASCII(',"traps":');
const MAP_EVENTS = ASCII(',"events":[');
const COOL_RADAR = ASCII(']}\x1f{"radar":');
const COOL_TRAP = ASCII(',"trap":');
const ROBOTS_OWN = ASCII('}\x1f{"own":[');
const R_OWNER = ASCII('{"owner":');
const R_ID = ASCII(',"id":');
const R_X = ASCII(',"x":');
const R_Y = ASCII(',"y":');
const R_ITEM = ASCII(',"item":');
const R_ALIVE = ASCII(',"alive":');
const ROBOTS_ENEMIES = ASCII('],"enemies":[');
const SCORES = ASCII(']}\x1f{"scores":');
const S_ALIVE = ASCII(',"alive":');
const S_RANKS = ASCII(',"ranks":');
const S_WINNER = ASCII(',"winner":');

/**
 * The frame body (without STX/ETX) of the `updte` for this observation and result: the same bytes as
 * `encodePacket(encodeUpdate(obs, result))`, written without a packet object or JSON.stringify of the grids.
 */
export function encodeUpdateBody(obs: OreRushObservation, result: GameResult | null): Buffer {
  at = base;
  raw(MAP_SEAT);
  value(obs.seat);
  raw(MAP_PLAYERS);
  value(obs.players);
  raw(MAP_ROUND);
  value(obs.round);
  raw(MAP_ROUNDS);
  value(obs.rounds);
  raw(MAP_WIDTH);
  value(obs.width);
  raw(MAP_HEIGHT);
  value(obs.height);
  raw(MAP_OVER);
  value(obs.over);
  raw(MAP_ORE);
  grid(obs.ore);
  raw(MAP_KINDS);
  grid(obs.kinds);
  raw(MAP_HOLES);
  grid(obs.holes);
  raw(MAP_RADARS);
  cells(obs.radars);
  raw(MAP_TRAPS);
  cells(obs.traps);
  raw(MAP_EVENTS);
  for (let i = 0; i < obs.events.length; i++) {
    if (i > 0) raw(COMMA);
    flat(obs.events[i]!);
  }
  raw(COOL_RADAR);
  value(obs.cooldowns.radar);
  raw(COOL_TRAP);
  value(obs.cooldowns.trap);
  raw(ROBOTS_OWN);
  for (let i = 0; i < obs.robots.length; i++) {
    if (i > 0) raw(COMMA);
    const r = obs.robots[i]!;
    raw(R_OWNER);
    value(r.owner);
    raw(R_ID);
    value(r.id);
    raw(R_X);
    value(r.x);
    raw(R_Y);
    value(r.y);
    raw(R_ITEM);
    value(r.item);
    raw(R_ALIVE);
    value(r.alive);
    raw(CLOSE);
  }
  raw(ROBOTS_ENEMIES);
  for (let i = 0; i < obs.enemies.length; i++) {
    if (i > 0) raw(COMMA);
    const e = obs.enemies[i]!;
    raw(R_OWNER);
    value(e.owner);
    raw(R_ID);
    value(e.id);
    raw(R_X);
    value(e.x);
    raw(R_Y);
    value(e.y);
    raw(CLOSE);
  }
  raw(SCORES);
  nums(obs.scores);
  raw(S_ALIVE);
  nums(obs.alive);
  if (result) {
    raw(S_RANKS);
    nums(result.ranks);
    raw(S_WINNER);
    value(result.winner);
  }
  raw(CLOSE);
  const out = scratch.subarray(base, at);
  // The next packet starts 8-byte aligned after this one, as in Node's pool.
  base = (at + 7) & ~7;
  if (base > scratch.length - 1024) {
    scratch = Buffer.allocUnsafeSlow(SLAB);
    base = 0;
  }
  return out;
}

/** A copy of scratch[start, end), for the grid cache (kept apart from the slab, which it would keep alive). */
function copyOut(start: number, end: number): Buffer {
  const own = Buffer.allocUnsafe(end - start);
  scratch.copy(own, 0, start, end);
  return own;
}

// ---------------------------------------------------------------------------------------------------------------
// Reader

/** Thrown inside the reader at the first byte off the canonical form; `readUpdateBody` answers null. */
class NotCanonical {}
const OFF = new NotCanonical();

/** Always a Buffer (one shape for the JIT); the reader's input. */
const EMPTY = Buffer.alloc(0);
let src: Buffer = EMPTY;
let pos = 0;

/**
 * Constant bytes the reader expects (keys, punctuation), with their first bytes packed four to a 32-bit word: a
 * key is then checked with one load of the key per four bytes of the packet instead of one per byte (the key
 * checks were the reader's largest line in the profile).
 */
interface Expected {
  readonly bytes: Uint8Array;
  readonly words: Int32Array;
}

function expected(bytes: Uint8Array): Expected {
  const words = new Int32Array(bytes.length >> 2);
  for (let w = 0; w < words.length; w++) {
    const i = 4 * w;
    words[w] = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
  }
  return { bytes, words };
}

/** The next bytes must be exactly `key`. */
function expect(key: Expected): void {
  const s = src;
  const p = pos;
  const bytes = key.bytes;
  const n = bytes.length;
  if (p + n > s.length) throw OFF;
  const words = key.words;
  let i = 0;
  for (let w = 0; w < words.length; w++, i += 4) {
    if ((s[p + i]! | (s[p + i + 1]! << 8) | (s[p + i + 2]! << 16) | (s[p + i + 3]! << 24)) !== words[w]) throw OFF;
  }
  for (; i < n; i++) if (s[p + i] !== bytes[i]) throw OFF;
  pos = p + n;
}

function peek(byte: number): boolean {
  if (src[pos] === byte) {
    pos++;
    return true;
  }
  return false;
}

/**
 * An integer as JSON writes a safe one (`0`, `-12`; no `-0`, leading zero, fraction or exponent), at most 15
 * digits so that it is exact; anything else is off the canonical form.
 */
function int(): number {
  let neg = false;
  if (src[pos] === 0x2d) {
    neg = true;
    pos++;
  }
  const start = pos;
  let n = 0;
  let c = src[pos]!;
  while (c >= 0x30 && c <= 0x39) {
    n = n * 10 + (c - 0x30);
    c = src[++pos]!;
  }
  const digits = pos - start;
  if (digits === 0 || digits > 15 || (digits > 1 && src[start] === 0x30)) throw OFF;
  if (c === 0x2e || c === 0x65 || c === 0x45) throw OFF;
  if (neg) {
    if (n === 0) throw OFF;
    return -n;
  }
  return n;
}

function intIn(min: number, max: number): number {
  const n = int();
  if (n < min || n > max) throw OFF;
  return n;
}

/** `null`. */
function nothing(): null {
  expect(NULL_KEY);
  return null;
}

function bool(): boolean {
  if (src[pos] === 0x74) {
    expect(TRUE_KEY);
    return true;
  }
  expect(FALSE_KEY);
  return false;
}

/**
 * Bytes to keep `length`: an eighth more, so that a grid a few bytes longer next round (a `-1` turned `12`) needs
 * no new buffer, and no more: a load generator keeps one memo per bot (about 4.5 KB on the default board).
 */
const room = (length: number): number => Math.max(64, length + (length >> 3));

/**
 * A short run of bytes kept to be compared with the next packet's in JavaScript (a native `compare` costs more in
 * its call than a few dozen bytes do), four to a 32-bit word as `expect` compares keys, with what it was checked
 * against (`board`: the board size and player count; -1: nothing kept).
 */
class Stretch {
  /** The bytes four to a word, little-endian; the last word's unused high bytes zero. */
  words: Int32Array = NO_WORDS;
  length = 0;
  board = -1;

  /** Keeps src[from, to) as checked for `board`. */
  keep(from: number, to: number, board: number): void {
    const n = to - from;
    const count = (n + 3) >> 2;
    if (this.words.length < count) this.words = new Int32Array(count + (count >> 3));
    const words = this.words;
    const s = src;
    for (let w = 0; w < count; w++) {
      const i = from + 4 * w;
      let word = 0;
      for (let k = 0; k < 4 && i + k < to; k++) word |= s[i + k]! << (8 * k);
      words[w] = word;
    }
    this.length = n;
    this.board = board;
  }

  /** Whether src[from, from + length) are the kept bytes, kept for `board`. */
  same(from: number, board: number): boolean {
    if (board !== this.board) return false;
    const s = src;
    const n = this.length;
    if (from + n > s.length) return false;
    const words = this.words;
    const whole = n >> 2;
    let i = from;
    for (let w = 0; w < whole; w++, i += 4) {
      if ((s[i]! | (s[i + 1]! << 8) | (s[i + 2]! << 16) | (s[i + 3]! << 24)) !== words[w]) return false;
    }
    const last = n & 3 ? words[whole]! : 0;
    for (let k = 0; k < (n & 3); k++) if (s[i + k] !== ((last >>> (8 * k)) & 0xff)) return false;
    return true;
  }
}
const NO_WORDS = new Int32Array(0);

/** Bytes kept to be compared with later ones (a frame may be a view of a larger read buffer: copied). */
class Kept {
  bytes: Buffer = EMPTY;
  length = 0;

  /** Keeps src[from, from + length). */
  keep(from: number, length: number): void {
    if (this.bytes.length < length) this.bytes = Buffer.allocUnsafe(room(length));
    src.copy(this.bytes, 0, from, from + length);
    this.length = length;
  }

  /** Whether src[from, from + length) are the kept bytes (false when the packet is shorter): one memcmp. */
  same(from: number): boolean {
    const end = from + this.length;
    return end <= src.length && src.compare(this.bytes, 0, this.length, from, end) === 0;
  }
}

/**
 * The holes' kept bytes: in their own ArrayBuffer (so aligned), read as float64 words, the widest load a typed
 * array makes, against the packet's bytes copied to an aligned scratch. Two float64 words that compare equal have
 * the same bits, except +0 and -0 (and NaN, which is never equal, so it only makes a compare fail). Kept bytes are
 * a checked holes grid — brackets, digits, commas: no zero byte — so never +0 or -0, and equal words are equal
 * bytes.
 */
class KeptWords {
  words = new Float64Array(0);
  bytes: Buffer = EMPTY;
  length = 0;

  keep(from: number, length: number): void {
    if (this.bytes.length < length) {
      this.words = new Float64Array(Math.ceil(room(length) / 8));
      this.bytes = Buffer.from(this.words.buffer);
    }
    src.copy(this.bytes, 0, from, from + length);
    this.length = length;
  }
}

/** Where the packet's holes are copied to be compared with the kept ones word by word (aligned: offset 0). */
const scratchWords = new Float64Array(MAX_PACKET / 8);
const scratch8 = Buffer.from(scratchWords.buffer);

/**
 * What a session's reader remembers of its previous update: the bytes of its grids and of its `robots` field, and
 * what was read from them. An entry always describes bytes and what was read
 * from them together: it is cleared while its part is being read and set again only once that part was read in
 * full, so a packet refused half-way cannot leave it stale.
 */
class SessionMemo {
  /**
   * The ore and kinds grids (adjacent in the packet, kept as one run of bytes, checked) for a board of
   * `oreKindsCells` cells (-1: none kept), how many updates in a row have had these bytes, and their arrays once
   * kept (null: built when an observation is asked for; see `oreAndKinds`).
   */
  oreKindsCells = -1;
  readonly oreKindsBytes = new Kept();
  oreSame = 0;
  ore: number[] | null = null;
  kinds: number[] = [];
  /**
   * The holes grid's bytes (checked), for a grid of `holesCells` cells; -1: none kept. No array is kept: the holes
   * change in most rounds, and an array kept from one update to the next lives through a bot's think time, which
   * is what made the young generation's collections copy and promote it (docs/performance.md, "Third pass").
   */
  holesCells = -1;
  readonly holes = new KeptWords();
  /** The newest update read, whose grids are the bytes kept here (built when asked, or before the next read). */
  unbuilt: OreRushUpdate | null = null;
  /**
   * The previous `robots` field's bytes (own robots and enemies, between its two US bytes), checked for the board
   * size and player count `robotBoard` (-1: none kept), and how many own robots it lists. Dead robots and robots
   * that wait are the same bytes round after round; when no robot of any player moved, the whole field is. Its
   * objects are made when an observation is asked for (robots move in most rounds: kept objects would live
   * through the think time).
   */
  readonly robotBytes = new Kept();
  robotBoard = -1;
  robotCount = 0;
  /** Where each own robot of the kept field ends (after its `}`, from the field's start), and the next field's. */
  robotEnds: number[] = [];
  robotEndsNext: number[] = [];
  /**
   * The previous update's header before and after its round (`updte`, US, `{"seat":` to `"round":`, and
   * `,"rounds":` to `"ore":`), and what was read from them.
   */
  readonly headBefore = new Stretch();
  readonly headAfter = new Stretch();
  seat = 0;
  players = 0;
  rounds = 0;
  width = 0;
  height = 0;
  over = false;
  /** The previous update's bytes from `,"radars":` to the events' `[` (the radars and traps kept below). */
  readonly cellBytes = new Stretch();
  /** The previous update's bytes from the US before `{"scores":` to its end, when it had no result. */
  readonly tail = new Stretch();

  keepHead(
    roundAt: number,
    roundEnd: number,
    headEnd: number,
    seat: number,
    players: number,
    rounds: number,
    width: number,
    height: number,
    over: boolean,
  ): void {
    this.headBefore.keep(0, roundAt, 0);
    this.headAfter.keep(roundEnd, headEnd, 0);
    this.seat = seat;
    this.players = players;
    this.rounds = rounds;
    this.width = width;
    this.height = height;
    this.over = over;
  }

  /** The previous update's small lists, handed out again while they hold the same (compared value by value). */
  radars: Cell[] | null = null;
  traps: Cell[] | null = null;
  scores: number[] | null = null;
  alive: number[] | null = null;

  /**
   * Whether what is built is kept and handed out again while unchanged (`UpdateReader.read`: observations built
   * as updates come, every one, as the codec bench and `play --connect` read them), or built anew each time and
   * not kept (`take`: observations built when a bot decides, which then should not outlive the decision).
   */
  retain = false;
  /** With `retain`: the holes array last built, and the bytes of the holes changed since [from, to). */
  holesBuilt: number[] | null = null;
  holesChangedFrom = 0;
  holesChangedTo = 0;
  /**
   * The 8-byte words of the holes' bytes changed since then, while there are at most CHANGED_WORDS of them (more:
   * `holesChanged` is CHANGED_WORDS + 1 and the range above is read again). The range alone spans from the first
   * change to the last: much of the grid when two robots dig far apart.
   */
  readonly holesChangedWords: number[] = [];
  holesChanged = 0;
  /** With `retain`: the robots and enemies last built, while the kept `robots` field is the one they were read from. */
  robotsBuilt: Robot[] | null = null;
  enemiesBuilt: EnemyView[] = [];

  /**
   * Notes where the kept field's `count` own robots end: each robot's `}` (no `}` inside a canonical robot, whose
   * item is a plain name or null).
   */
  noteRobotEnds(count: number): void {
    const b = this.robotBytes.bytes;
    let p = OWN.length;
    for (let i = 0; i < count; i++) {
      while (b[p] !== 0x7d) p++;
      this.robotEnds[i] = ++p;
      p++;
    }
  }

  /** The own robots and the enemies of the kept `robots` field (checked when it was kept). */
  robotArrays(width: number, height: number, players: number): void {
    const kept = this.robotsBuilt;
    if (kept !== null) {
      builtRobots = kept;
      builtEnemies = this.enemiesBuilt;
      return;
    }
    const s = src;
    const p = pos;
    src = this.robotBytes.bytes;
    pos = 0;
    try {
      const robots = ownRobots(width, height, true, null);
      const enemies = enemyRobots(players, width, height, true);
      if (this.retain) {
        this.robotsBuilt = robots;
        this.enemiesBuilt = enemies;
      }
      builtRobots = robots;
      builtEnemies = enemies;
    } finally {
      src = s;
      pos = p;
    }
  }

  /**
   * The ore and kinds arrays of the kept bytes (checked when they were kept), into `m.ore` and `m.kinds`; kept
   * there for the next updates only if the bytes have stayed the same for `STABLE` updates.
   */
  oreKindsArrays(): void {
    if (this.ore !== null) {
      builtOre = this.ore;
      builtKinds = this.kinds;
      return;
    }
    const s = src;
    const p = pos;
    src = this.oreKindsBytes.bytes;
    pos = 0;
    try {
      const n = this.oreKindsCells;
      const ore = cellsOf(n, -1, Number.MAX_SAFE_INTEGER, true);
      expect(MAP_KINDS_KEY);
      const kinds = cellsOf(n, -1, ORE_KINDS.length - 1, true);
      if (this.retain || this.oreSame >= STABLE) {
        this.ore = ore;
        this.kinds = kinds;
      }
      builtOre = ore;
      builtKinds = kinds;
    } finally {
      src = s;
      pos = p;
    }
  }

  /**
   * The holes array of the kept bytes (one-digit cells at 1, 3, 5...: checked when they were kept). With
   * `retain`, the one built last when no byte changed since, or a copy of it with the changed cells read again.
   */
  holesArray(): number[] {
    const n = this.holesCells;
    const b = this.holes.bytes;
    const before = this.holesBuilt;
    let out: number[];
    if (before !== null && before.length === n) {
      const from = this.holesChangedFrom;
      const to = Math.min(this.holesChangedTo, 2 * n);
      if (from >= to) return before;
      out = before.slice();
      const changed = this.holesChanged;
      if (changed <= CHANGED_WORDS) {
        // Word w holds the digits of cells 4w to 4w + 3 (cell i's digit is at byte 1 + 2i).
        const words = this.holesChangedWords;
        for (let k = 0; k < changed; k++) {
          const first = 4 * words[k]!;
          const end = Math.min(first + 4, n);
          for (let i = first; i < end; i++) out[i] = b[1 + 2 * i]! - 0x30;
        }
      } else {
        for (let i = from >> 1; i < to >> 1; i++) out[i] = b[1 + 2 * i]! - 0x30;
      }
    } else {
      out = new Array<number>(n);
      for (let i = 0; i < n; i++) out[i] = b[1 + 2 * i]! - 0x30;
    }
    this.holesBuilt = this.retain ? out : null;
    this.holesChangedFrom = 2 * n + 1;
    this.holesChangedTo = 0;
    this.holesChanged = 0;
    return out;
  }
}

/** What `SessionMemo.oreKindsArrays` and `robotArrays` built (module slots: no result object per call). */
let builtOre: number[] = [];
let builtKinds: number[] = [];
let builtRobots: Robot[] = [];
let builtEnemies: EnemyView[] = [];

/** The reader's memo for this body (null: none kept). */
let memo: SessionMemo | null = null;

/**
 * A grid of `length` integers in [min, max], read in full; `keep` false: only checked (the cells go to a scratch
 * array that is not handed out).
 */
function cellsOf(length: number, min: number, max: number, keep: boolean): number[] {
  if (src[pos] !== 0x5b) throw OFF;
  const out = keep ? new Array<number>(length) : scratchCells(length);
  // One-digit cells have their commas and closing bracket at fixed places (an update's holes always do).
  return src[pos + 2 * length] === 0x5d ? digits(length, min, max, out) : ints(length, min, max, out);
}

/** Where checked-only cells go (never handed out). */
let scratchGrid: number[] = [];
function scratchCells(length: number): number[] {
  if (scratchGrid.length < length) scratchGrid = new Array<number>(length).fill(0);
  return scratchGrid;
}

/**
 * The ore and kinds grids, `"ore":` already taken. Both change only when this player's radar view does (a radar
 * placed or lost, ore dug under one), so most rounds their bytes are those of the session's previous update (one
 * memcmp of both). With a memo they are checked (without keeping what was read) and their bytes kept; the arrays
 * are built when the observation is asked for, and kept for the next updates once the bytes have stayed the same
 * for a few updates (observations are read-only, as the engine's own are). An array that changes again soon is
 * not kept: kept from one update to the next it would live through a bot's think time, which is what made the
 * young generation's collections copy and promote it (docs/performance.md, "Third pass").
 */
function oreAndKinds(length: number): void {
  const m = memo;
  const from = pos;
  if (m === null) {
    readOre = cellsOf(length, -1, Number.MAX_SAFE_INTEGER, true);
    expect(MAP_KINDS_KEY);
    readKinds = cellsOf(length, -1, ORE_KINDS.length - 1, true);
    return;
  }
  const known = m.oreKindsCells === length;
  m.oreKindsCells = -1;
  if (known && m.oreKindsBytes.same(from)) {
    pos = from + m.oreKindsBytes.length;
    if (m.oreSame < STABLE) m.oreSame++;
  } else {
    m.ore = null;
    m.oreSame = 0;
    const keep = m.retain;
    const ore = cellsOf(length, -1, Number.MAX_SAFE_INTEGER, keep);
    expect(MAP_KINDS_KEY);
    const kinds = cellsOf(length, -1, ORE_KINDS.length - 1, keep);
    m.oreKindsBytes.keep(from, pos - from);
    if (keep) {
      m.ore = ore;
      m.kinds = kinds;
    }
  }
  m.oreKindsCells = length;
  readOre = m.ore;
  readKinds = m.kinds;
}
let readOre: number[] | null = null;
let readKinds: number[] = [];
/** Updates in a row with the same ore and kinds bytes after which their arrays are kept (and handed out again). */
const STABLE = 2;

/**
 * The holes grid, checked and kept as bytes in the session's memo (no array: built when the update's observation
 * is asked for). They change in most rounds but only in a cell or two: compared with the kept bytes word by word,
 * and only the changed words checked. Without a memo, read into an array at once.
 */
function holesGrid(length: number): number[] | null {
  const m = memo;
  if (m === null) return cellsOf(length, 0, 2, true);
  const from = pos;
  const size = 2 * length + 1;
  const known = m.holesCells === length;
  m.holesCells = -1;
  // Cells of 0..2 are one digit each: a holes grid of any other length is off the form (or malformed).
  if (src[from] !== 0x5b || src[from + size - 1] !== 0x5d) throw OFF;
  if (known && size <= scratch8.length) {
    changedFrom = size;
    changedTo = 0;
    changedDigits(m, 0, 2);
    if (changedFrom < m.holesChangedFrom) m.holesChangedFrom = changedFrom;
    if (changedTo > m.holesChangedTo) m.holesChangedTo = changedTo;
  } else {
    checkDigits(length, 0, 2);
    m.holes.keep(from, size);
    m.holesBuilt = null;
  }
  pos = from + size;
  m.holesCells = length;
  return null;
}

/**
 * The holes grid's bytes (one-digit cells, as many bytes as the kept ones, its brackets checked by the caller)
 * against the kept ones: the packet's bytes copied to an aligned scratch and compared eight at a time; in a word
 * that differs, each byte is checked where it stands (a digit in [min, max] or a comma) and the kept word
 * replaced. Unchanged words were checked when first kept.
 */
/** The bytes [changedFrom, changedTo) of the holes that `changedDigits` found changed (or may have). */
let changedFrom = 0;
let changedTo = 0;

/** Most changed words of the holes noted one by one (a round's digs change a few). */
const CHANGED_WORDS = 16;

function changedDigits(m: SessionMemo, min: number, max: number): void {
  const kept = m.holes;
  const size = kept.length;
  src.copy(scratch8, 0, pos, pos + size);
  const now = scratchWords;
  const was = kept.words;
  const bytes = scratch8;
  const lo = 0x30 + Math.max(0, min);
  const hi = 0x30 + max;
  // The brackets at 0 and size - 1: cell i's digit is at 1 + 2i, commas between.
  const last = size - 1;
  const whole = size >> 3;
  for (let w = 0; w <= whole; w++) {
    if (w < whole && now[w] === was[w]) continue;
    const to = Math.min(8 * w + 8, size);
    if (w === whole) {
      // The last, partial word: compared byte by byte.
      let b = 8 * w;
      while (b < to && kept.bytes[b] === bytes[b]) b++;
      if (b === to) break;
    }
    if (changedFrom > 8 * w) changedFrom = 8 * w;
    changedTo = to;
    const k = m.holesChanged;
    if (k < CHANGED_WORDS) m.holesChangedWords[k] = w;
    if (k <= CHANGED_WORDS) m.holesChanged = k + 1;
    for (let b = 8 * w + (w === 0 ? 1 : 0); b < to; b++) {
      if (b === last) continue;
      const c = bytes[b]!;
      if ((b & 1) === 0) {
        if (c !== 0x2c) throw OFF;
      } else if (c < lo || c > hi) throw OFF;
    }
    // Checked bytes (a bracket, digits, commas: never a NaN), so the word is stored bit for bit.
    if (w < whole) was[w] = now[w]!;
    else for (let b = 8 * w; b < size; b++) kept.bytes[b] = bytes[b]!;
  }
}

/** Checks a grid of `length` one-digit cells in [min, max] at `pos` (its brackets checked by the caller). */
function checkDigits(length: number, min: number, max: number): void {
  const s = src;
  const first = pos + 1;
  const lo = 0x30 + Math.max(0, min);
  const hi = 0x30 + Math.min(9, max);
  for (let i = 0; i < length; i++) {
    const c = s[first + 2 * i]!;
    if (c < lo || c > hi) throw OFF;
    if (i + 1 < length && s[first + 2 * i + 1] !== 0x2c) throw OFF;
  }
}

/**
 * A grid of one-digit cells (`[0,2,1]`, its length 2 * length + 1 bytes, as the holes always are): digit, comma,
 * digit... at fixed places, read without looking for where each number ends.
 */
function digits(length: number, min: number, max: number, out: number[]): number[] {
  const s = src;
  const first = pos + 1;
  const lo = 0x30 + Math.max(0, min);
  const hi = 0x30 + Math.min(9, max);
  for (let i = 0; i < length; i++) {
    const c = s[first + 2 * i]!;
    if (c < lo || c > hi) throw OFF;
    out[i] = c - 0x30;
    if (i + 1 < length && s[first + 2 * i + 1] !== 0x2c) throw OFF;
  }
  // The closing bracket was seen by the caller at first + 2 * length - 1.
  pos = first + 2 * length;
  return out;
}

/** A flat array of exactly `length` integers in [min, max]. */
function ints(length: number, min: number, max: number, out: number[] = new Array<number>(length)): number[] {
  expect(LIST_KEY);
  if (peek(0x5d)) {
    if (length !== 0) throw OFF;
    return [];
  }
  let i = 0;
  // Locals, not the module's cursor: this loop reads every cell of three grids.
  const s = src;
  let p = pos;
  for (;;) {
    // The grids' cells are mostly one digit or -1: read those without the general path.
    const c = s[p]!;
    const d = s[p + 1]!;
    let n: number;
    if (c >= 0x30 && c <= 0x39 && (d === 0x2c || d === 0x5d)) {
      n = c - 0x30;
      p++;
    } else if (c === 0x2d && d === 0x31 && (s[p + 2] === 0x2c || s[p + 2] === 0x5d)) {
      n = -1;
      p += 2;
    } else {
      pos = p;
      n = int();
      p = pos;
    }
    if (n < min || n > max || i === length) throw OFF;
    out[i++] = n;
    const sep = s[p++];
    if (sep === 0x5d) break;
    if (sep !== 0x2c) throw OFF;
  }
  pos = p;
  if (i !== length) throw OFF;
  return out;
}

/** A JSON string of printable ASCII without escapes (the engine's names); anything else is off the form. */
function text(): string {
  if (src[pos] !== 0x22) throw OFF;
  const start = ++pos;
  let h = 0;
  for (;;) {
    const c = src[pos];
    if (c === undefined || c < 0x20 || c > 0x7e || c === 0x5c) throw OFF;
    if (c === 0x22) break;
    h = (h * 31 + c) & NAME_MASK;
    pos++;
  }
  const end = pos++;
  // Event kinds, keys and item names come again and again: the interned string when the bytes are one of them.
  const known = NAMES[h];
  if (known !== undefined && known.length === end - start) {
    let same = true;
    for (let i = 0; i < known.length; i++) {
      if (known.charCodeAt(i) !== src[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return known;
  }
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(src[i]!);
  return out;
}

const NAME_MASK = 1023;
/** The names an update carries, by the hash `text` computes (a colliding name is simply not interned). */
const NAMES: (string | undefined)[] = new Array(NAME_MASK + 1);
for (const name of [
  ...['kind', 'seat', 'robot', 'x', 'y', 'owner', 'buried', 'ore', 'item', 'points'],
  ...['explosion', 'destroyed', 'radarLost', 'dig', 'request', 'blocked', 'score', 'radar', 'trap'],
  ...ORE_KINDS,
]) {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) & NAME_MASK;
  NAMES[h] ??= name;
}

const ITEMS = new Map<string, Item>([
  ['radar', 'radar'],
  ['trap', 'trap'],
  ...ORE_KINDS.map((k): [string, Item] => [k, k]),
]);

function item(): Item {
  if (src[pos] === 0x6e) {
    expect(NULL_KEY);
    return null;
  }
  const name = text();
  const known = ITEMS.get(name);
  if (known === undefined) throw OFF;
  return known;
}

type Cell = { x: number; y: number };
/** Where `cellList` reads its cells (x, y, x, y...) before it knows whether they are the previous ones. */
const cellScratch: number[] = [];

/**
 * A list of cells (`radars`, `traps`): `previous` again when it holds the same cells (a session's radars and traps
 * change in few rounds; a new list each round would live through the bot's think time), else a new list.
 */
function cellList(width: number, height: number, previous: Cell[] | null): Cell[] {
  expect(LIST_KEY);
  const xy = cellScratch;
  let n = 0;
  if (!peek(0x5d)) {
    for (;;) {
      expect(K_X_KEY);
      xy[n++] = intIn(0, width - 1);
      expect(K_Y_KEY);
      xy[n++] = intIn(0, height - 1);
      expect(CLOSE_KEY);
      if (peek(0x5d)) break;
      expect(COMMA_KEY);
    }
  }
  if (previous !== null && 2 * previous.length === n) {
    let i = 0;
    while (i < n && previous[i >> 1]!.x === xy[i] && previous[i >> 1]!.y === xy[i + 1]) i += 2;
    if (i === n) return previous;
  }
  const out: Cell[] = [];
  for (let i = 0; i < n; i += 2) out.push({ x: xy[i]!, y: xy[i + 1]! });
  return out;
}

/** A flat array of exactly `length` integers in [min, max]: `previous` again when it holds the same, else a new one. */
function intsLike(previous: number[] | null, length: number, min: number, max: number): number[] {
  const got = ints(length, min, max, scratchCells(length));
  if (previous !== null && previous.length === length) {
    let i = 0;
    while (i < length && previous[i] === got[i]) i++;
    if (i === length) return previous;
  }
  return got.slice(0, length);
}

const EVENT_KINDS = new Set(['explosion', 'destroyed', 'radarLost', 'dig', 'request', 'blocked', 'score']);

/** One event: a flat object whose first key is `kind`, values integers, plain strings or null. */
function event(): OreRushEvent | null {
  const start = pos;
  // An engine's event: found by the first letter of its kind, checked against its `{"kind":"dig","seat":` at once.
  const initial = src[start + K_KIND.length + 1];
  const candidates = initial === undefined ? undefined : EVENTS_BY_INITIAL[initial];
  if (candidates !== undefined) {
    for (let c = 0; c < candidates.length; c++) {
      const shape = candidates[c]!;
      if (!matches(shape.head)) continue;
      const known = shaped(shape);
      if (known !== null) return known;
      pos = start;
      break;
    }
  }
  expect(K_KIND_KEY);
  const kind = text();
  const o: Record<string, unknown> = { kind };
  while (!peek(0x7d)) {
    expect(COMMA_KEY);
    const key = text();
    // A repeated key or __proto__ behaves differently in an object literal than in JSON.parse: the general way.
    if (key === 'kind' || key === '__proto__' || Object.hasOwn(o, key)) throw OFF;
    expect(COLON_KEY);
    o[key] = eventValue();
  }
  return EVENT_KINDS.has(kind) ? (o as unknown as OreRushEvent) : null;
}

function eventValue(): string | number | null {
  const c = src[pos];
  return c === 0x22 ? text() : c === 0x6e ? nothing() : int();
}

/** Whether the next bytes are exactly `key` (taken if so); unlike `expect`, a mismatch is not off the form. */
function matches(key: Expected): boolean {
  const s = src;
  const p = pos;
  const bytes = key.bytes;
  const n = bytes.length;
  if (p + n > s.length) return false;
  const words = key.words;
  let i = 0;
  for (let w = 0; w < words.length; w++, i += 4) {
    if ((s[p + i]! | (s[p + i + 1]! << 8) | (s[p + i + 2]! << 16) | (s[p + i + 3]! << 24)) !== words[w]) return false;
  }
  for (; i < n; i++) if (s[p + i] !== bytes[i]) return false;
  pos = p + n;
  return true;
}

/**
 * An event of a known kind with the engine's keys in the engine's order (src/games/orerush/engine.ts), which is
 * every event the engines write, its head (`{"kind":"dig","seat":`) already taken: read against its key list and
 * built as one object literal (one hidden class per kind, not a key-by-key object). Null, with `pos` wherever it
 * stopped, when the keys are any other: the caller reads the event key by key instead.
 */
function shaped(shape: EventShape): OreRushEvent | null {
  const keys = shape.keys;
  const v = eventValues;
  v[0] = eventValue();
  for (let i = 1; i < keys.length; i++) {
    if (!matches(keys[i]!)) return null;
    v[i] = eventValue();
  }
  if (!peek(0x7d)) return null;
  return shape.build(v);
}

interface EventShape {
  /** `{"kind":"dig","seat":`: the kind and the first key. */
  readonly head: Expected;
  /** `,"seat":` and so on (the first one is in the head). */
  readonly keys: readonly Expected[];
  readonly build: (v: (string | number | null)[]) => OreRushEvent;
}
const eventValues: (string | number | null)[] = [0, 0, 0, 0, 0, 0, 0, 0];
const shape = (keys: string[], build: (v: (string | number | null)[]) => unknown): EventShape => {
  const kind = (build([0, 0, 0, 0, 0, 0, 0, 0]) as { kind: string }).kind;
  return {
    head: expected(ASCII(`{"kind":"${kind}","${keys[0]}":`)),
    keys: keys.map((k) => expected(ASCII(`,"${k}":`))),
    build: build as EventShape['build'],
  };
};
/** The engine's events, key by key as it writes them; the values as read (the general codec checks no more). */
const EVENT_SHAPES = new Map<string, EventShape>([
  ['explosion', shape(['x', 'y', 'owner'], (v) => ({ kind: 'explosion', x: v[0], y: v[1], owner: v[2] }))],
  [
    'destroyed',
    shape(['seat', 'robot', 'x', 'y'], (v) => ({ kind: 'destroyed', seat: v[0], robot: v[1], x: v[2], y: v[3] })),
  ],
  ['radarLost', shape(['seat', 'x', 'y'], (v) => ({ kind: 'radarLost', seat: v[0], x: v[1], y: v[2] }))],
  [
    'dig',
    shape(['seat', 'robot', 'x', 'y', 'buried', 'ore'], (v) => ({
      kind: 'dig',
      seat: v[0],
      robot: v[1],
      x: v[2],
      y: v[3],
      buried: v[4],
      ore: v[5],
    })),
  ],
  ['request', shape(['seat', 'robot', 'item'], (v) => ({ kind: 'request', seat: v[0], robot: v[1], item: v[2] }))],
  [
    'blocked',
    shape(['seat', 'robot', 'x', 'y'], (v) => ({ kind: 'blocked', seat: v[0], robot: v[1], x: v[2], y: v[3] })),
  ],
  [
    'score',
    shape(['seat', 'robot', 'ore', 'points'], (v) => ({
      kind: 'score',
      seat: v[0],
      robot: v[1],
      ore: v[2],
      points: v[3],
    })),
  ],
]);
/** The engine's event shapes by the first letter of their kind (`d`: `destroyed` and `dig`). */
const EVENTS_BY_INITIAL: (EventShape[] | undefined)[] = new Array(128);
for (const [kind, each] of EVENT_SHAPES) {
  const initial = kind.charCodeAt(0);
  EVENTS_BY_INITIAL[initial] = [...(EVENTS_BY_INITIAL[initial] ?? []), each];
}

const K_KIND = ASCII('{"kind":');
// The same keys with the list's `]` already taken by the loop that read the list.
const COOL_RADAR_AFTER_EVENTS = COOL_RADAR.subarray(1);
// The `robots` field in its parts: the cooldowns' `}` and the US, the own list, the enemies (after the own `]`).
const COOL_END = ROBOTS_OWN.subarray(0, 2);
const OWN = ROBOTS_OWN.subarray(2);
const ENEMIES = ROBOTS_ENEMIES.subarray(1);
// The robots field's `}` is taken by the reader of that field.
const SCORES_AFTER_ROBOTS = SCORES.subarray(2);
const CLOSE_KEY = expected(CLOSE);
const COLON_KEY = expected(COLON);
const COMMA_KEY = expected(COMMA);
const COOL_END_KEY = expected(COOL_END);
const COOL_RADAR_AFTER_EVENTS_KEY = expected(COOL_RADAR_AFTER_EVENTS);
const COOL_TRAP_KEY = expected(COOL_TRAP);
const ENEMIES_KEY = expected(ENEMIES);
const FALSE_KEY = expected(FALSE);
const K_KIND_KEY = expected(K_KIND);
const K_X_KEY = expected(K_X);
const K_Y_KEY = expected(K_Y);
const LIST_KEY = expected(LIST);
const MAP_EVENTS_KEY = expected(MAP_EVENTS);
const MAP_HEIGHT_KEY = expected(MAP_HEIGHT);
const MAP_HOLES_KEY = expected(MAP_HOLES);
const MAP_KINDS_KEY = expected(MAP_KINDS);
const MAP_ORE_KEY = expected(MAP_ORE);
const MAP_OVER_KEY = expected(MAP_OVER);
const MAP_PLAYERS_KEY = expected(MAP_PLAYERS);
const MAP_RADARS_KEY = expected(MAP_RADARS);
const MAP_ROUND_KEY = expected(MAP_ROUND);
const MAP_ROUNDS_KEY = expected(MAP_ROUNDS);
const MAP_SEAT_KEY = expected(MAP_SEAT);
const MAP_TRAPS_KEY = expected(MAP_TRAPS);
const MAP_WIDTH_KEY = expected(MAP_WIDTH);
const NULL_KEY = expected(NULL);
const OWN_KEY = expected(OWN);
const R_ALIVE_KEY = expected(R_ALIVE);
const R_ID_KEY = expected(R_ID);
const R_ITEM_KEY = expected(R_ITEM);
const R_OWNER_KEY = expected(R_OWNER);
const R_X_KEY = expected(R_X);
const R_Y_KEY = expected(R_Y);
const SCORES_AFTER_ROBOTS_KEY = expected(SCORES_AFTER_ROBOTS);
const S_ALIVE_KEY = expected(S_ALIVE);
const S_RANKS_KEY = expected(S_RANKS);
const S_WINNER_KEY = expected(S_WINNER);
const TRUE_KEY = expected(TRUE);

/** The fields `robotHead` read last (one object reused: no allocation per robot). */
const head = { owner: 0, id: 0, x: 0, y: 0 };

/** `{"owner":…,"id":…,"x":…,"y":…`, the part an own robot and an enemy share, into `head`. */
function robotHead(maxOwner: number, width: number, height: number): void {
  expect(R_OWNER_KEY);
  head.owner = intIn(0, maxOwner);
  expect(R_ID_KEY);
  head.id = intIn(0, Number.MAX_SAFE_INTEGER);
  expect(R_X_KEY);
  head.x = intIn(0, width - 1);
  expect(R_Y_KEY);
  head.y = intIn(0, height - 1);
}

/** Robots counted by the last `ownRobots`. */
let ownCount = 0;
/** What `ownRobots` and `enemyRobots` return when only checking (never handed out with anything in it). */
const CHECKED: never[] = [];

/**
 * The `own` list of the `robots` field, from `{"own":[` to its `]`; `keep` false: only checked and counted. With
 * `against` (a memo whose kept field was checked for the same board and players), an own robot whose bytes are
 * those of the kept field's robot at the same place is taken without reading it again (with `keep`, as the object
 * built from it: observations are read-only), and where each robot ends is noted in `against.robotEndsNext`.
 * Dead robots and robots that wait are the same bytes round after round, and most robots do in a round of a field
 * that changed (1,442 of 1,940 in the codec bench's game).
 */
function ownRobots(width: number, height: number, keep: boolean, against: SessionMemo | null): Robot[] {
  const field = pos;
  expect(OWN_KEY);
  const robots: Robot[] = keep ? [] : CHECKED;
  ownCount = 0;
  if (peek(0x5d)) return robots;
  const built = against === null ? null : against.robotsBuilt;
  // With `keep`, a robot is taken again only as the object built from the kept field.
  const known = against === null || (keep && built === null) ? 0 : against.robotCount;
  for (;;) {
    const i = ownCount;
    let same = false;
    if (i < known) {
      // Robot i of the kept field is its bytes [ks, ke), after `{"own":[` or the previous robot's comma.
      const keptEnds = against!.robotEnds;
      const ks = i === 0 ? OWN.length : keptEnds[i - 1]! + 1;
      const length = keptEnds[i]! - ks;
      const s = src;
      const p = pos;
      if (p + length <= s.length) {
        const kept = against!.robotBytes.bytes;
        let j = 0;
        while (j < length && s[p + j] === kept[ks + j]) j++;
        if (j === length) {
          pos = p + length;
          if (keep) robots.push(built![i]!);
          same = true;
        }
      }
    }
    if (!same) {
      robotHead(31, width, height);
      expect(R_ITEM_KEY);
      const it = item();
      expect(R_ALIVE_KEY);
      const alive = bool();
      expect(CLOSE_KEY);
      if (keep) robots.push({ owner: head.owner, id: head.id, x: head.x, y: head.y, item: it, alive });
    }
    ownCount++;
    if (against !== null) against.robotEndsNext[i] = pos - field;
    if (peek(0x5d)) return robots;
    expect(COMMA_KEY);
  }
}

/** The `enemies` list of the `robots` field, from `,"enemies":[` to its `]`; `keep` false: only checked. */
function enemyRobots(players: number, width: number, height: number, keep: boolean): EnemyView[] {
  expect(ENEMIES_KEY);
  const enemies: EnemyView[] = keep ? [] : CHECKED;
  if (peek(0x5d)) return enemies;
  for (;;) {
    robotHead(players - 1, width, height);
    expect(CLOSE_KEY);
    if (keep) enemies.push({ owner: head.owner, id: head.id, x: head.x, y: head.y });
    if (peek(0x5d)) return enemies;
    expect(COMMA_KEY);
  }
}

/** An update read with its observation built at once (`UpdateReader.read`). */
type UpdateRead = { observation: OreRushObservation; result: GameResult | null };

/** The body at `src`: an update, or (a session memo that retains what it builds) its observation at once. */
function readBody(): OreRushUpdate | UpdateRead {
  const m = memo;
  let seat = 0;
  let players = 0;
  let round = 0;
  let rounds = 0;
  let width = 0;
  let height = 0;
  let over = false;
  // The map's header: all but the round as in the session's previous update (the same bytes around the round).
  let headKept = false;
  if (m?.headBefore.same(0, 0)) {
    pos = m.headBefore.length;
    round = intIn(0, Number.MAX_SAFE_INTEGER);
    if (m.headAfter.same(pos, 0)) {
      pos += m.headAfter.length;
      headKept = true;
      seat = m.seat;
      players = m.players;
      rounds = m.rounds;
      width = m.width;
      height = m.height;
      over = m.over;
    }
  }
  let roundAt = 0;
  let roundEnd = 0;
  if (!headKept) {
    pos = 0;
    expect(MAP_SEAT_KEY);
    seat = int();
    expect(MAP_PLAYERS_KEY);
    players = intIn(1, 31);
    if (seat < 0 || seat > players - 1) throw OFF;
    expect(MAP_ROUND_KEY);
    roundAt = pos;
    round = intIn(0, Number.MAX_SAFE_INTEGER);
    roundEnd = pos;
    expect(MAP_ROUNDS_KEY);
    rounds = intIn(0, Number.MAX_SAFE_INTEGER);
    expect(MAP_WIDTH_KEY);
    width = intIn(1, 10_000);
    expect(MAP_HEIGHT_KEY);
    height = intIn(1, 10_000);
    expect(MAP_OVER_KEY);
    over = bool();
    expect(MAP_ORE_KEY);
  }
  const headEnd = pos;
  const n = width * height;
  // The board and player count the robots, cells and scores were checked against, as one exact number.
  const board = (width * 10_001 + height) * 32 + players;
  oreAndKinds(n);
  const ore = readOre;
  const kinds = readKinds;
  expect(MAP_HOLES_KEY);
  const holes = holesGrid(n);
  // The radars and traps, as in the session's previous update (the same bytes up to the events' `[`) or read.
  const cellsAt = pos;
  let radars: Cell[];
  let traps: Cell[];
  const cellsKept = m !== null && m.radars !== null && m.cellBytes.same(cellsAt, board);
  if (cellsKept) {
    pos += m.cellBytes.length;
    radars = m.radars!;
    traps = m.traps!;
  } else {
    expect(MAP_RADARS_KEY);
    radars = cellList(width, height, m === null ? null : m.radars);
    expect(MAP_TRAPS_KEY);
    traps = cellList(width, height, m === null ? null : m.traps);
    expect(MAP_EVENTS_KEY);
  }
  const cellsEnd = pos;
  const events: OreRushEvent[] = [];
  if (!peek(0x5d)) {
    for (;;) {
      const e = event();
      if (e) events.push(e);
      if (peek(0x5d)) break;
      expect(COMMA_KEY);
    }
  }
  expect(COOL_RADAR_AFTER_EVENTS_KEY);
  const radar = intIn(0, Number.MAX_SAFE_INTEGER);
  expect(COOL_TRAP_KEY);
  const trap = intIn(0, Number.MAX_SAFE_INTEGER);
  expect(COOL_END_KEY);
  let robots: Robot[] | null = null;
  let enemies: EnemyView[] = CHECKED;
  let robotCount: number;
  if (m === null) {
    robots = ownRobots(width, height, true, null);
    robotCount = robots.length;
    enemies = enemyRobots(players, width, height, true);
    expect(CLOSE_KEY);
  } else if (m.robotBoard === board && m.robotBytes.same(pos)) {
    // The kept field ends at its `}`: the same bytes are the whole field (a canonical one holds no US inside).
    pos += m.robotBytes.length;
    robotCount = m.robotCount;
  } else {
    // Checked now, kept as bytes, read into objects when the observation is asked for (`SessionMemo.robotArrays`).
    const against = m.robotBoard === board ? m : null;
    m.robotBoard = -1;
    const from = pos;
    // Built at once when they are kept anyway (`retain`): not read twice.
    const keep = m.retain;
    const own = ownRobots(width, height, keep, against);
    robotCount = ownCount;
    const others = enemyRobots(players, width, height, keep);
    expect(CLOSE_KEY);
    m.robotBytes.keep(from, pos - from);
    if (against !== null) {
      const ends = m.robotEnds;
      m.robotEnds = m.robotEndsNext;
      m.robotEndsNext = ends;
    } else {
      // Read without a kept field to go by: where its robots end is read from the bytes now kept.
      m.noteRobotEnds(robotCount);
    }
    m.robotsBuilt = keep ? own : null;
    m.enemiesBuilt = others;
    m.robotBoard = board;
    m.robotCount = robotCount;
  }
  // The scores and alive lists to the packet's end, as in the session's previous update or read.
  const tailAt = pos;
  let scores: number[];
  let alive: number[];
  let result: GameResult | null = null;
  const tailKept =
    m !== null && m.scores !== null && m.tail.same(tailAt, board) && tailAt + m.tail.length === src.length;
  if (tailKept) {
    pos = src.length;
    scores = m.scores!;
    alive = m.alive!;
  } else {
    expect(SCORES_AFTER_ROBOTS_KEY);
    scores = intsLike(m === null ? null : m.scores, players, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    expect(S_ALIVE_KEY);
    alive = intsLike(m === null ? null : m.alive, players, 0, Number.MAX_SAFE_INTEGER);
    if (!peek(0x7d)) {
      expect(S_RANKS_KEY);
      const ranks = ints(players, 1, players);
      expect(S_WINNER_KEY);
      const winner = src[pos] === 0x6e ? nothing() : intIn(0, players - 1);
      expect(CLOSE_KEY);
      result = { scores, ranks, winner };
    }
  }
  if (pos !== src.length) throw OFF;
  if (m !== null) {
    // Kept only now that the whole packet was read: a packet refused half-way leaves the previous one's.
    if (!headKept) m.keepHead(roundAt, roundEnd, headEnd, seat, players, rounds, width, height, over);
    if (!cellsKept) m.cellBytes.keep(cellsAt, cellsEnd, board);
    if (!tailKept) m.tail.keep(tailAt, result === null ? src.length : tailAt, result === null ? board : -1);
    m.radars = radars;
    m.traps = traps;
    m.scores = scores;
    m.alive = alive;
    if (m.retain) {
      // Read by `UpdateReader.read`: the observation at once, without an update object to build it later.
      let o = ore;
      let k = kinds;
      let r = robots;
      let e = enemies;
      if (o === null) {
        m.oreKindsArrays();
        o = builtOre;
        k = builtKinds;
      }
      const h = holes ?? m.holesArray();
      if (r === null) {
        m.robotArrays(width, height, players);
        r = builtRobots;
        e = builtEnemies;
      }
      const observation: OreRushObservation = {
        seat,
        players,
        round,
        rounds,
        width,
        height,
        over,
        ore: o,
        kinds: k,
        holes: h,
        radars,
        traps,
        cooldowns: { radar, trap },
        robots: r,
        enemies: e,
        scores,
        alive,
        events,
      };
      return { observation, result };
    }
  }
  return new OreRushUpdate(
    m,
    seat,
    players,
    round,
    rounds,
    width,
    height,
    over,
    ore,
    kinds,
    holes,
    radars,
    traps,
    radar,
    trap,
    robotCount,
    robots,
    enemies,
    scores,
    alive,
    events,
    result,
  );
}

/**
 * One `updte` as a session read it: every field checked when it came (a malformed packet is still refused on
 * arrival, never inside a bot), everything but the grids read then, and the observation built when it is asked
 * for. A load test's bot asks when its think time ends: the grids' arrays (450 numbers each on the default board,
 * the holes new in most rounds) are then made and dropped within the decision instead of living through the
 * think time, which made the young generation's collections copy and promote them (docs/performance.md, "Third
 * pass").
 *
 * While this is the session's newest update its grids are the session memo's bytes. When the session reads its
 * next update, an update never asked for takes its grids with it (a bot that fell behind may still decide on it);
 * one already asked keeps nothing, and asking it again then is an error. What is built is never stored in the
 * update: it outlives the think time, so by then it is in the old generation, and anything it pointed to would
 * be kept by it until the next full collection.
 */
export class OreRushUpdate {
  #ore: readonly number[] | null;
  #kinds: readonly number[];
  #holes: readonly number[] | null;
  #robots: readonly Robot[] | null;
  #enemies: readonly EnemyView[];
  /** The memo whose bytes are this update's grids (while it is the newest read), or null. */
  #memo: SessionMemo | null;
  #asked = false;

  /** @internal Made by the readers of this module (and `readyUpdate`). */
  constructor(
    memo: SessionMemo | null,
    readonly seat: number,
    readonly players: number,
    readonly round: number,
    readonly rounds: number,
    readonly width: number,
    readonly height: number,
    readonly over: boolean,
    ore: readonly number[] | null,
    kinds: readonly number[],
    holes: readonly number[] | null,
    readonly radars: readonly { readonly x: number; readonly y: number }[],
    readonly traps: readonly { readonly x: number; readonly y: number }[],
    readonly radarCooldown: number,
    readonly trapCooldown: number,
    /** How many own robots the update lists (dead ones too): the commands a move answering it gives. */
    readonly robotCount: number,
    robots: readonly Robot[] | null,
    enemies: readonly EnemyView[],
    readonly scores: readonly number[],
    readonly alive: readonly number[],
    readonly events: readonly OreRushEvent[],
    readonly result: GameResult | null,
  ) {
    this.#ore = ore;
    this.#kinds = kinds;
    this.#holes = holes;
    this.#robots = robots;
    this.#enemies = enemies;
    this.#memo = holes === null || ore === null || robots === null ? memo : null;
    if (this.#memo !== null) this.#memo.unbuilt = this;
  }

  /**
   * The engine's observation of this update, built now (a new object each time, sharing the arrays that did not
   * change). Throws if asked again after the session read a later update.
   */
  observation(): OreRushObservation {
    let ore = this.#ore;
    let kinds = this.#kinds;
    let holes = this.#holes;
    let robots = this.#robots;
    let enemies = this.#enemies;
    const memo = this.#memo;
    if (memo !== null) {
      if (ore === null) {
        memo.oreKindsArrays();
        ore = builtOre;
        kinds = builtKinds;
      }
      holes ??= memo.holesArray();
      if (robots === null) {
        memo.robotArrays(this.width, this.height, this.players);
        robots = builtRobots;
        enemies = builtEnemies;
      }
      this.#asked = true;
    } else if (ore === null || holes === null || robots === null) {
      throw new Error(`the observation of round ${this.round} was asked for again after a later update was read`);
    }
    return {
      seat: this.seat,
      players: this.players,
      round: this.round,
      rounds: this.rounds,
      width: this.width,
      height: this.height,
      over: this.over,
      ore,
      kinds,
      holes,
      radars: this.radars,
      traps: this.traps,
      cooldowns: { radar: this.radarCooldown, trap: this.trapCooldown },
      robots,
      enemies,
      scores: this.scores,
      alive: this.alive,
      events: this.events,
    };
  }

  /**
   * @internal The session is about to read its next update (the memo's bytes change): an update never asked for
   * takes its grids now.
   */
  release(): void {
    const memo = this.#memo!;
    if (!this.#asked) {
      if (this.#ore === null) {
        memo.oreKindsArrays();
        this.#ore = builtOre;
        this.#kinds = builtKinds;
      }
      this.#holes ??= memo.holesArray();
      if (this.#robots === null) {
        memo.robotArrays(this.width, this.height, this.players);
        this.#robots = builtRobots;
        this.#enemies = builtEnemies;
      }
    }
    this.#memo = null;
  }
}

/** An update read some other way (the general codec), as a session's reader hands updates out. */
export function readyUpdate(observation: OreRushObservation, result: GameResult | null): OreRushUpdate {
  const o = observation;
  const update = new OreRushUpdate(
    null,
    o.seat,
    o.players,
    o.round,
    o.rounds,
    o.width,
    o.height,
    o.over,
    o.ore,
    o.kinds,
    o.holes as number[],
    o.radars,
    o.traps,
    o.cooldowns.radar,
    o.cooldowns.trap,
    o.robots.length,
    o.robots,
    o.enemies,
    o.scores,
    o.alive,
    o.events,
    result,
  );
  return update;
}

/**
 * Reads an `updte` frame body in the canonical form the encoders write: the same observation and result as
 * `decodeUpdate(decodePacket(body))`. Null when the body is anything else — another packet type, another valid
 * JSON spelling (whitespace, other key order, unknown keys, escapes), or a malformed packet — which the caller
 * then reads with the general codec, so that its answers and errors stay exactly the documented ones.
 */
export function readUpdateBody(body: Buffer): { observation: OreRushObservation; result: GameResult | null } | null {
  const update = read(body, null, false) as OreRushUpdate | null;
  return update === null ? null : { observation: update.observation(), result: update.result };
}

function read(body: Buffer, grids: SessionMemo | null, retain: boolean): OreRushUpdate | UpdateRead | null {
  // The memo is about to change: the update whose grids it holds lets go of it.
  const previous = grids === null ? null : grids.unbuilt;
  if (previous !== null) {
    grids!.unbuilt = null;
    previous.release();
  }
  if (grids !== null && grids.retain !== retain) {
    grids.retain = retain;
    grids.holesBuilt = null;
    grids.robotsBuilt = null;
  }
  src = body;
  pos = 0;
  memo = grids;
  try {
    return readBody();
  } catch (error) {
    if (error === OFF) return null;
    // An index past the end reads undefined, which every check above treats as off the form; nothing else throws.
    throw error;
  } finally {
    src = EMPTY;
    memo = null;
    readOre = null;
    readKinds = [];
  }
}

/**
 * One session's reader of its `updte` stream: as `readUpdateBody`, and what is unchanged since this session's
 * previous update is not checked again: the ore and kinds grids (most rounds) and the `robots` field (when no
 * robot moved) after one memcmp each, and of the holes only the words whose bytes changed. The grids and robots
 * are kept as bytes (about 4.5 KB on the default board) and read into arrays when an observation is asked for
 * (`take`: when the bot decides); the ore and kinds arrays, and the radars, traps, scores and alive lists, are
 * handed out again while unchanged.
 */
export class UpdateReader {
  #memo = new SessionMemo();

  /** The update, its observation built at once. */
  read(body: Buffer): { observation: OreRushObservation; result: GameResult | null } | null {
    // With `retain`, the memo's reader builds the observation itself.
    return read(body, this.#memo, true) as UpdateRead | null;
  }

  /** The update, checked in full, its observation built when asked (`OreRushUpdate`). */
  take(body: Buffer): OreRushUpdate | null {
    return read(body, this.#memo, false) as OreRushUpdate | null;
  }
}

/** Whether a frame body is an `updte` (its type and first separator), without decoding it. */
export function isUpdateBody(body: Uint8Array): boolean {
  return (
    body.length > 6 &&
    body[0] === 0x75 &&
    body[1] === 0x70 &&
    body[2] === 0x64 &&
    body[3] === 0x74 &&
    body[4] === 0x65 &&
    body[5] === 0x1f
  );
}
