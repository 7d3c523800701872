import type { Logger } from '../../core/log.ts';
import type { HostedMatch, MatchHost } from '../../game/host.ts';
import type { Se1Command } from './json.ts';

/** A logged-in user as the lobby knows them. */
export interface Se1User {
  /** `User@<hex>`. */
  readonly id: string;
  readonly nick: string;
  readonly email: string;
  readonly role: string;
  readonly team: { readonly name: string; readonly id: string };
  readonly temporary: boolean;
  /** The colour the user chose with CHANGE_USER_COLOR; undefined until then (a player then wears a default). */
  color: string | undefined;
}

/**
 * A player's colour when the user has chosen none: the first of these not worn by another player of the game,
 * in join order (red, blue, green, yellow, black — the follower colours of the board game); past five, the
 * list starts over.
 */
export const DEFAULT_COLORS = ['FF0000', '0000FF', '00A000', 'FFD700', '000000'] as const;

/** The colour a new player wears: the user's own, else the first default no other player wears. */
export function playerColor(user: Se1User, worn: readonly string[]): string {
  return (
    user.color ?? DEFAULT_COLORS.find((c) => !worn.includes(c)) ?? DEFAULT_COLORS[worn.length % DEFAULT_COLORS.length]!
  );
}

/** Someone in a game: a player or a visitor (who only watches and chats). */
export interface RoomMember {
  readonly user: Se1User;
  readonly visitor: boolean;
}

/** What a game room may do to the world: events to everyone (recorded for late joiners) or to one member. */
export interface RoomContext {
  readonly log: Logger;
  /** The server's match host: a room runs its game on a match from here (guarded steps, the turn deadline). */
  readonly host: MatchHost;
  /** A fresh object id `Class@hex`, unique on this server. */
  newId(cls: string): string;
  /** A model change: sent to every member and kept in the game's history (replayed on JOIN GAME). */
  broadcast(src: string, prop: string, nv?: string, ov?: string): void;
  /**
   * A model change only `member` may see (a player's own cards): sent to that member alone, never kept in the
   * history (a player cannot rejoin a running game, and visitors see public changes only).
   */
  tell(member: RoomMember, src: string, prop: string, nv?: string, ov?: string): void;
  /**
   * A model change sent to every member but not kept in the history: a real-time game's tick stream, which would
   * outgrow any history (CreepSmash).
   */
  stream(src: string, prop: string, nv?: string, ov?: string): void;
  /** `OK - <type>[ - message]` to one member: a prompt (camelCase type) or a confirmation (the action name). */
  ok(member: RoomMember, type: string, message?: string): void;
  /** `ERROR: <type> - <message>` to one member. */
  error(member: RoomMember, type: string, message: string): void;
}

export interface RoomOptions {
  readonly name: string;
  readonly maxPlayers: number;
  readonly testgame: boolean;
  readonly map: string;
  /** The map's content (built in or uploaded; already accepted by `Se1Game.checkMap`). */
  readonly mapContent: string;
  /** Seeds the room's tile draws; the same seed gives the same game as `botswarm play --seed`. */
  readonly seed: string | number;
  /**
   * A present player who does not finish a turn within this many ms (from the turn's first prompt) has it
   * played by the server, as for a player who left; 0 waits forever.
   */
  readonly turnTimeoutMs: number;
  /** Real-time games (CreepSmash): a tick's length, whether ticks wait for every player, the engine's settings. */
  readonly tickMs?: number;
  readonly lockstep?: boolean;
  readonly rules?: string;
}

/** ABORTED: a server fault ended the game (see docs/protocols/se1.md, "A game aborted by a server fault"). */
export type RoomStatus = 'JOINING' | 'RUNNING' | 'FINISHED' | 'ABORTED';

/** The Game object's first properties, in the order every room sends them (then each room adds its own). */
export function announceGame(ctx: RoomContext, gameId: string, options: RoomOptions): void {
  ctx.broadcast(gameId, 'name', options.name);
  ctx.broadcast(gameId, 'map', options.map);
  ctx.broadcast(gameId, 'maxPlayers', String(options.maxPlayers));
  ctx.broadcast(gameId, 'testgame', String(options.testgame));
}

/** A visitor joins any room the same way: it is listed on the Game and sees what the history replays. */
export function joinVisitor(ctx: RoomContext, gameId: string, visitors: Set<RoomMember>, member: RoomMember): void {
  visitors.add(member);
  ctx.broadcast(gameId, 'visitors', member.user.id);
}

/**
 * Why `member` may not join the room `name` (null: it may). Visitors always may; a player only while the game is
 * JOINING and has a free seat. The same rule and words for every game the server hosts.
 */
export function joinRefusal(
  member: RoomMember,
  name: string,
  status: RoomStatus,
  seatsTaken: number,
  maxPlayers: number,
): string | null {
  if (member.visitor) return null;
  if (status === 'ABORTED') return `game ${name} was aborted`;
  if (status !== 'JOINING') return `game ${name} has already started`;
  if (seatsTaken >= maxPlayers) return `game ${name} is full`;
  return null;
}

/**
 * A fault ended the game (the host has logged it and stopped the clock): the model says so to everyone, and every
 * member present — players and visitors — gets a notice. They stay in the room until LEAVE_GAME.
 */
export function announceAbort(
  ctx: RoomContext,
  room: { readonly id: string; readonly name: string; readonly status: string },
  players: Iterable<{ readonly member: RoomMember; readonly present: boolean }>,
  visitors: Iterable<RoomMember>,
): void {
  ctx.broadcast(room.id, 'status', 'ABORTED', room.status);
  const text = `game ${room.name} aborted: internal server error`;
  for (const seat of players) if (seat.present) ctx.error(seat.member, 'GAME', text);
  for (const visitor of visitors) ctx.error(visitor, 'GAME', text);
}

/** One game on the server, game-specific; the lobby handles everything else (accounts, chat, LEAVE_GAME). */
export interface GameRoom {
  /** `Game@<hex>`. */
  readonly id: string;
  readonly status: RoomStatus;
  readonly players: number;
  /**
   * The room's game on the match host. The server runs every call into the room (`join`, `leave`, `command`)
   * through `match.guard`, so a fault there aborts this game only.
   */
  readonly match: HostedMatch<unknown>;
  /** Null when `member` may join now, else why not. */
  canJoin(member: RoomMember): string | null;
  /** Adds the member (it already has the history) and announces it. */
  join(member: RoomMember): void;
  /** The member left (LEAVE_GAME or lost connection); a player's turns are then played by the server. */
  leave(member: RoomMember): void;
  /** A game command (anything but NOOP, MESSAGE, LEAVE_GAME and CHANGE_USER_COLOR). */
  command(member: RoomMember, command: Se1Command): void;
}

export interface MapInfo {
  readonly name: string;
  readonly version: string;
  readonly creator: string;
  /** The map's content for DOWNLOAD MAP: one line (no CR or LF), as uploaded. */
  readonly content: string;
}

/** A game the SE1 server can host. */
export interface Se1Game {
  readonly id: string;
  /** In the greeting: `SE1 <title>-Server 1.0`. */
  readonly title: string;
  readonly minPlayers: number;
  readonly maxPlayers: number;
  /** The built-in maps; the first is the default of CREATE GAME. */
  readonly maps: readonly MapInfo[];
  /** Why `content` is not a map of this game (the text after `ERROR: bad map: `), or null if it is one. */
  checkMap(content: string): string | null;
  /** The game actions this game understands, for error messages and docs. */
  readonly actions: readonly string[];
  /** Throws (a `ConfigError`) when the server's settings cannot host this game; called once at start. */
  checkSettings?(settings: { readonly tickMs: number; readonly lockstep: boolean; readonly rules: string }): void;
  createRoom(context: RoomContext, options: RoomOptions): GameRoom;
}
