/**
 * The JSON inside Ore Rush's object fields: `updte` (an observation), `pmove` (one player's commands) and
 * `settn` (game settings), checked field by field so that a malformed object is a protocol error (code 4),
 * never an exception deep inside a bot or the engine.
 */
import type { GameResult } from '../../core/engine.ts';
import {
  type Command,
  commandShapeError,
  type EnemyView,
  type Item,
  ORE_KINDS,
  type OreRushAction,
  type OreRushEvent,
  type OreRushObservation,
  type Robot,
} from '../../games/orerush/index.ts';
import { ErrorCode, type Packet, PacketError } from './packets.ts';

type Obj = Record<string, unknown>;

const bad = (message: string): never => {
  throw new PacketError(ErrorCode.json, message);
};

function obj(value: unknown, name: string): Obj {
  if (!value || typeof value !== 'object' || Array.isArray(value)) bad(`${name} must be an object`);
  return value as Obj;
}

function int(value: unknown, name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    bad(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)?.slice(0, 40)}`);
  return value as number;
}

function bool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') bad(`${name} must be true or false`);
  return value as boolean;
}

function list(value: unknown, name: string, length?: number): unknown[] {
  if (!Array.isArray(value)) bad(`${name} must be an array`);
  const a = value as unknown[];
  if (length !== undefined && a.length !== length) bad(`${name} must have ${length} entries, got ${a.length}`);
  return a;
}

function ints(value: unknown, name: string, length: number, min: number, max: number): number[] {
  const a = list(value, name, length);
  // Checked inline, the element's name built only for the message: every bot decodes a grid of these each round.
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) int(v, `${name}[${i}]`, min, max);
  }
  return a as number[];
}

const ITEMS: readonly Item[] = [null, 'radar', 'trap', ...ORE_KINDS];

function cell(value: unknown, name: string, width: number, height: number): { x: number; y: number } {
  const o = obj(value, name);
  return { x: int(o.x, `${name}.x`, 0, width - 1), y: int(o.y, `${name}.y`, 0, height - 1) };
}

function robot(value: unknown, name: string, width: number, height: number): Robot {
  const o = obj(value, name);
  if (!ITEMS.includes(o.item as Item)) bad(`${name}.item must be null, radar, trap or an ore kind`);
  return {
    owner: int(o.owner, `${name}.owner`, 0, 31),
    id: int(o.id, `${name}.id`, 0),
    ...cell(o, name, width, height),
    item: o.item as Item,
    alive: bool(o.alive, `${name}.alive`),
  };
}

const EVENT_KINDS = new Set(['explosion', 'destroyed', 'radarLost', 'dig', 'request', 'blocked', 'score']);

/** One event of an `updte`; null for a kind this client does not know (ignored, as unknown keys are: §4.1). */
function event(value: unknown, name: string): OreRushEvent | null {
  const o = obj(value, name);
  if (typeof o.kind !== 'string') bad(`${name}.kind must be a string`);
  if (!EVENT_KINDS.has(o.kind as string)) return null;
  for (const [key, v] of Object.entries(o)) {
    if (key !== 'kind' && v !== null && typeof v !== 'number' && typeof v !== 'string')
      bad(`${name}.${key} must be a number, a string or null`);
  }
  return o as unknown as OreRushEvent;
}

function knownEvents(values: readonly unknown[]): OreRushEvent[] {
  const events: OreRushEvent[] = [];
  for (let i = 0; i < values.length; i++) {
    const e = event(values[i], `map.events[${i}]`);
    if (e) events.push(e);
  }
  return events;
}

/** One `updte` packet: the observation, and the result once the game is over. */
export function encodeUpdate(obs: OreRushObservation, result: GameResult | null): Packet {
  return {
    type: 'updte',
    map: {
      seat: obs.seat,
      players: obs.players,
      round: obs.round,
      rounds: obs.rounds,
      width: obs.width,
      height: obs.height,
      over: obs.over,
      ore: obs.ore,
      kinds: obs.kinds,
      holes: obs.holes,
      radars: obs.radars,
      traps: obs.traps,
      events: obs.events,
    },
    cooldowns: { radar: obs.cooldowns.radar, trap: obs.cooldowns.trap },
    robots: { own: obs.robots, enemies: obs.enemies },
    scores: {
      scores: obs.scores,
      alive: obs.alive,
      ...(result ? { ranks: result.ranks, winner: result.winner } : {}),
    },
  };
}

export function decodeUpdate(packet: Extract<Packet, { type: 'updte' }>): {
  observation: OreRushObservation;
  result: GameResult | null;
} {
  const m = packet.map;
  const width = int(m.width, 'map.width', 1, 10_000);
  const height = int(m.height, 'map.height', 1, 10_000);
  const players = int(m.players, 'map.players', 1, 31);
  const n = width * height;
  const pos = (v: unknown, name: string) => cell(v, name, width, height);
  const c = packet.cooldowns;
  const r = packet.robots;
  const s = packet.scores;
  const scores = ints(s.scores, 'scores.scores', players, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const observation: OreRushObservation = {
    seat: int(m.seat, 'map.seat', 0, players - 1),
    players,
    round: int(m.round, 'map.round', 0),
    rounds: int(m.rounds, 'map.rounds', 0),
    width,
    height,
    over: bool(m.over, 'map.over'),
    ore: ints(m.ore, 'map.ore', n, -1, Number.MAX_SAFE_INTEGER),
    kinds: ints(m.kinds, 'map.kinds', n, -1, ORE_KINDS.length - 1),
    holes: ints(m.holes, 'map.holes', n, 0, 2),
    radars: list(m.radars, 'map.radars').map((v, i) => pos(v, `map.radars[${i}]`)),
    traps: list(m.traps, 'map.traps').map((v, i) => pos(v, `map.traps[${i}]`)),
    cooldowns: { radar: int(c.radar, 'cooldowns.radar', 0), trap: int(c.trap, 'cooldowns.trap', 0) },
    robots: list(r.own, 'robots.own').map((v, i) => robot(v, `robots.own[${i}]`, width, height)),
    enemies: list(r.enemies, 'robots.enemies').map((v, i): EnemyView => {
      const o = obj(v, `robots.enemies[${i}]`);
      return {
        owner: int(o.owner, `robots.enemies[${i}].owner`, 0, players - 1),
        id: int(o.id, `robots.enemies[${i}].id`, 0),
        ...pos(o, `robots.enemies[${i}]`),
      };
    }),
    scores,
    alive: ints(s.alive, 'scores.alive', players, 0, Number.MAX_SAFE_INTEGER),
    events: knownEvents(list(m.events, 'map.events')),
  };
  let result: GameResult | null = null;
  if (s.ranks !== undefined) {
    const winner = s.winner === null ? null : int(s.winner, 'scores.winner', 0, players - 1);
    result = { scores, ranks: ints(s.ranks, 'scores.ranks', players, 1, players), winner };
  }
  return { observation, result };
}

export function encodeMoves(player: number, round: number, action: OreRushAction): Packet {
  return { type: 'pmove', player, moves: { round, commands: action } };
}

/**
 * Whether a command is well-formed (code 4). Coordinates need only be integers here: whether they lie on the
 * board is a rule (code 7, §7), so `MOVE x=-1` gets the engine's off-board message, not a bound of 2^53.
 */
function wireShapeError(raw: unknown): string | null {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const c = raw as Record<string, unknown>;
    if (c.type === 'MOVE' || c.type === 'DIG') {
      if (!Number.isSafeInteger(c.x)) return `${c.type} x must be an integer, got ${JSON.stringify(c.x)}`;
      if (!Number.isSafeInteger(c.y)) return `${c.type} y must be an integer, got ${JSON.stringify(c.y)}`;
      return null;
    }
  }
  return commandShapeError(raw, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
}

/**
 * The commands of a `pmove`, normalised to their documented fields. Well-formedness is checked here (code 4);
 * whether the commands fit the board and the rules is the engine's `validate` (code 7).
 */
export function decodeMoves(moves: Obj): { round: number; action: OreRushAction } {
  const round = int(moves.round, 'moves.round', 0);
  const commands = list(moves.commands, 'moves.commands');
  if (commands.length > 1000) bad('moves.commands has more than 1000 entries');
  const action: Command[] = commands.map((raw, i) => {
    const error = wireShapeError(raw);
    if (error) bad(`moves.commands[${i}]: ${error}`);
    const c = raw as Command;
    switch (c.type) {
      case 'WAIT':
        return { type: 'WAIT' };
      case 'REQUEST':
        return { type: 'REQUEST', item: c.item };
      default:
        return { type: c.type, x: c.x, y: c.y };
    }
  });
  return { round, action };
}

/** What a game's creator may set with `settn`, before the game starts. */
export interface SettingsRequest {
  readonly players?: number;
  readonly seed?: string;
  readonly roundTimeoutMs?: number;
  readonly rules?: Obj;
}

const SETTINGS_KEYS = ['players', 'seed', 'roundTimeoutMs', 'rules'];

/** Throws PacketError code 9 naming the bad field. */
export function decodeSettingsRequest(settings: Obj, maxPlayers: number): SettingsRequest {
  const fail = (field: string, message: string): never => {
    throw new PacketError(ErrorCode.settings, `${field}: ${message}`);
  };
  for (const key of Object.keys(settings))
    if (!SETTINGS_KEYS.includes(key)) fail(key, `unknown setting (known: ${SETTINGS_KEYS.join(', ')})`);
  const out: { players?: number; seed?: string; roundTimeoutMs?: number; rules?: Obj } = {};
  const { players, seed, roundTimeoutMs, rules } = settings;
  if (players !== undefined) {
    if (typeof players !== 'number' || !Number.isInteger(players) || players < 1 || players > maxPlayers)
      fail('players', `must be an integer from 1 to ${maxPlayers}`);
    out.players = players as number;
  }
  if (seed !== undefined) {
    if ((typeof seed !== 'string' && typeof seed !== 'number') || String(seed).length > 64)
      fail('seed', 'must be a string or a number of at most 64 characters');
    out.seed = String(seed);
  }
  if (roundTimeoutMs !== undefined) {
    if (
      typeof roundTimeoutMs !== 'number' ||
      !Number.isInteger(roundTimeoutMs) ||
      roundTimeoutMs < 10 ||
      roundTimeoutMs > 600_000
    )
      fail('roundTimeoutMs', 'must be an integer from 10 to 600000');
    out.roundTimeoutMs = roundTimeoutMs as number;
  }
  if (rules !== undefined) {
    if (!rules || typeof rules !== 'object' || Array.isArray(rules)) fail('rules', 'must be an object');
    out.rules = rules as Obj;
  }
  return out;
}

/** What the server tells a player about its game (server-to-client `settn`). */
export interface GameInfo {
  readonly game: number;
  readonly player: number;
  readonly players: number;
  readonly joined: number;
  readonly roundTimeoutMs: number;
  readonly rules: Obj;
}

export function decodeGameInfo(settings: Obj): GameInfo {
  return {
    game: int(settings.game, 'settings.game', 1),
    player: int(settings.player, 'settings.player', 0, 31),
    players: int(settings.players, 'settings.players', 1, 32),
    joined: int(settings.joined, 'settings.joined', 0, 32),
    roundTimeoutMs: int(settings.roundTimeoutMs, 'settings.roundTimeoutMs', 0),
    rules: obj(settings.rules, 'settings.rules'),
  };
}
