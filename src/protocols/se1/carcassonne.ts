/**
 * Carcassonne on the SE1 server: the engine behind the JSON event model (docs/protocols/se1.md). No rule is
 * written here: legality, scoring and the end come from src/games/carcassonne; this file only turns commands
 * into engine steps and engine steps into `Class@hex` property events.
 */
import type { Match } from '../../game/host.ts';
import {
  type CarcassonneAction,
  type CarcassonneConfig,
  type CarcassonneEvent,
  type CarcassonneState,
  carcassonneEngine,
  DX,
  DY,
  defaultConfig,
  formatDeckMap,
  MapError,
  meepleOptions,
  parseDeckMap,
  placementError,
  SIDE_NAMES,
  STANDARD_DECK,
  TILE_KINDS,
} from '../../games/carcassonne/index.ts';
import { prop, type Se1Command } from './json.ts';
import {
  announceAbort,
  announceGame,
  type GameRoom,
  joinRefusal,
  joinVisitor,
  type MapInfo,
  playerColor,
  type RoomContext,
  type RoomMember,
  type RoomOptions,
  type RoomStatus,
  type Se1Game,
} from './room.ts';

/** The rules a room plays by: always `carcassonneEngine` except in tests that inject a failing engine. */
export type CarcassonneRules = typeof carcassonneEngine;

export const ROTATIONS = ['R0', 'R90', 'R180', 'R270'] as const;

/** The prompt types a player is sent, in the order of a turn. */
export const PROMPTS = ['startGame', 'drawCard', 'placeCard', 'placeMeeple', 'endTurn', 'gameOver'] as const;

export const CARCASSONNE_ACTIONS = ['START_GAME', 'DRAW_CARD', 'PLACE_CARD', 'PLACE_MEEPLE', 'END_TURN'] as const;

const STANDARD_MAP: MapInfo = {
  name: 'standard',
  version: '1',
  creator: 'botswarm',
  content: formatDeckMap(STANDARD_DECK),
};

/** Why `content` is not a Carcassonne map (a deck definition, see src/games/carcassonne/deck.ts), or null. */
export function checkCarcassonneMap(content: string): string | null {
  try {
    parseDeckMap(content);
    return null;
  } catch (e) {
    if (e instanceof MapError) return e.message;
    throw e;
  }
}

interface Seat {
  readonly member: RoomMember;
  readonly id: string;
  readonly meeples: string[];
  /** Meeples in the supply, in the order they came back. */
  readonly supply: string[];
  /** The colour announced for this player (`Player color`). */
  readonly color: string;
  present: boolean;
}

class CarcassonneRoom implements GameRoom {
  readonly id: string;
  #status: 'JOINING' | 'RUNNING' | 'FINISHED' = 'JOINING';
  readonly #ctx: RoomContext;
  readonly #options: RoomOptions;
  readonly #config: CarcassonneConfig;
  readonly #seats: Seat[] = [];
  readonly #visitors = new Set<RoomMember>();
  /** The game on the server's match host: engine state, tile draws, the turn deadline, guarded steps. */
  readonly match: Match<CarcassonneState, CarcassonneAction, CarcassonneConfig, number, CarcassonneEvent>;
  /** Field ids by tile index, and tile index by field id. */
  readonly #fields: string[] = [];
  readonly #fieldIndex = new Map<string, number>();
  /** The meeple id standing on each segment id. */
  readonly #onSegment = new Map<number, string>();
  #card: string | undefined;
  #pending: { action: CarcassonneAction; field: string; meepleId?: string } | undefined;

  constructor(ctx: RoomContext, options: RoomOptions, engine: CarcassonneRules) {
    this.#ctx = ctx;
    this.#options = options;
    // The standard map is the engine's default deck: a game on it is the same game as `botswarm play --seed`.
    this.#config =
      options.map === STANDARD_MAP.name
        ? defaultConfig()
        : { ...defaultConfig(), deck: parseDeckMap(options.mapContent) };
    this.id = ctx.newId('Game');
    this.match = ctx.host.open({
      id: options.name,
      seed: options.seed,
      engine,
      config: this.#config,
      mode: 'turns',
      wire: { aborted: () => this.#aborted() },
    });
    announceGame(ctx, this.id, options);
    ctx.broadcast(this.id, 'status', 'JOINING');
  }

  get players() {
    return this.#seats.length;
  }

  get status(): RoomStatus {
    return this.match.status === 'aborted' ? 'ABORTED' : this.#status;
  }

  /** The engine's state; only read while the game runs. */
  get #state(): CarcassonneState | undefined {
    return this.match.state;
  }

  /**
   * A fault ended the game (the host has logged it and stopped the clock): the model says so to everyone, and
   * every member present — players and visitors — gets a notice. They stay in the room until LEAVE_GAME.
   */
  #aborted() {
    announceAbort(
      this.#ctx,
      { id: this.id, name: this.#options.name, status: this.#status },
      this.#seats,
      this.#visitors,
    );
  }

  canJoin(member: RoomMember): string | null {
    return joinRefusal(member, this.#options.name, this.status, this.#seats.length, this.#options.maxPlayers);
  }

  join(member: RoomMember) {
    const ctx = this.#ctx;
    if (member.visitor) {
      joinVisitor(ctx, this.id, this.#visitors, member);
      return;
    }
    const color = playerColor(
      member.user,
      this.#seats.map((s) => s.color),
    );
    const seat: Seat = { member, id: ctx.newId('Player'), meeples: [], supply: [], color, present: true };
    this.#seats.push(seat);
    ctx.broadcast(seat.id, 'user', member.user.id);
    ctx.broadcast(seat.id, 'nickname', member.user.nick);
    ctx.broadcast(seat.id, 'color', color);
    ctx.broadcast(this.id, 'players', seat.id);
    if (this.#seats.length >= this.match.engine.minPlayers) ctx.ok(this.#seats[0]!.member, 'startGame');
  }

  leave(member: RoomMember) {
    if (member.visitor) {
      if (this.#visitors.delete(member)) this.#ctx.broadcast(this.id, 'visitors', undefined, member.user.id);
      return;
    }
    const i = this.#seats.findIndex((s) => s.member === member);
    if (i < 0) return;
    const seat = this.#seats[i]!;
    if (this.status === 'JOINING') {
      this.#seats.splice(i, 1);
      this.#ctx.broadcast(this.id, 'players', undefined, seat.id);
      return;
    }
    seat.present = false;
    this.#ctx.broadcast(seat.id, 'left', 'true');
    // Only the current player's leaving changes whose turn it is; a player who leaves out of turn is played for
    // when their turn comes (#prompt). Re-prompting the current player here would repeat their prompt.
    if (this.status === 'RUNNING' && this.#state!.current === i) this.#autoplay();
  }

  command(member: RoomMember, command: Se1Command) {
    const action = command.action;
    const fail = (message: string) => this.#ctx.error(member, action, message);
    if (!(CARCASSONNE_ACTIONS as readonly string[]).includes(action))
      return fail(
        `unknown action (known: ${[...CARCASSONNE_ACTIONS, 'CHANGE_USER_COLOR', 'MESSAGE', 'LEAVE_GAME', 'NOOP'].join(', ')})`,
      );
    if (this.status === 'ABORTED') return fail('the game is aborted');
    if (member.visitor) return fail('visitors cannot play');
    const seatIndex = this.#seats.findIndex((s) => s.member === member);
    if (seatIndex < 0) return fail('you are not a player of this game');
    if (action === 'START_GAME') return this.#start(member);
    if (this.status !== 'RUNNING' || !this.#state) return fail(`the game is ${this.status.toLowerCase()}`);
    if (this.#state.current !== seatIndex) return fail('it is not your turn');
    switch (action) {
      case 'DRAW_CARD':
        return this.#draw(member);
      case 'PLACE_CARD':
        return this.#placeCard(member, command);
      case 'PLACE_MEEPLE':
        return this.#placeMeeple(member, command);
      case 'END_TURN':
        return this.#endTurn(member);
    }
  }

  #start(member: RoomMember) {
    const ctx = this.#ctx;
    if (this.status !== 'JOINING') return ctx.error(member, 'START_GAME', 'the game has already started');
    if (this.#seats.length < this.match.engine.minPlayers)
      return ctx.error(member, 'START_GAME', `at least ${this.match.engine.minPlayers} players are needed`);
    // Set-up from the seed's map stream; a throw there aborts the game (the host tells everyone, #aborted).
    if (!this.match.start(this.#seats.length)) return;
    const state = this.#state!;
    this.#status = 'RUNNING';
    ctx.broadcast(this.id, 'status', 'RUNNING', 'JOINING');
    for (const [i, seat] of this.#seats.entries()) {
      ctx.broadcast(seat.id, 'seat', String(i));
      ctx.broadcast(seat.id, 'score', '0');
      for (let k = 0; k < state.followers[i]!; k++) {
        const m = ctx.newId('Meeple');
        seat.meeples.push(m);
        seat.supply.push(m);
        ctx.broadcast(m, 'owner', seat.id);
        ctx.broadcast(seat.id, 'meeples', m);
      }
    }
    const start = state.tiles[0]!;
    const card = ctx.newId('Card');
    ctx.broadcast(card, 'type', TILE_KINDS[start.kind]!.id);
    this.#putField(card, start.x, start.y, start.rot);
    ctx.broadcast(this.id, 'cardsLeft', String(state.deckLeft));
    // Seat 0 (the first to join) moves first.
    ctx.broadcast(this.id, 'currentPlayer', this.#seats[0]!.id);
    ctx.ok(member, 'START_GAME');
    this.#prompt();
  }

  #putField(card: string, x: number, y: number, rot: number): string {
    const field = this.#ctx.newId('Field');
    this.#fieldIndex.set(field, this.#fields.length);
    this.#fields.push(field);
    this.#ctx.broadcast(field, 'card', card);
    this.#ctx.broadcast(field, 'x', String(x));
    this.#ctx.broadcast(field, 'y', String(y));
    this.#ctx.broadcast(field, 'rotation', ROTATIONS[rot]!);
    this.#ctx.broadcast(this.id, 'board', field);
    return field;
  }

  /** Tells the current player what to do next. */
  #prompt() {
    const state = this.#state!;
    if (state.over) return;
    const seat = this.#seats[state.current]!;
    if (!seat.present) return this.#autoplay();
    // The turn's deadline runs from its first prompt; the host runs it guarded and stops it when the turn ends.
    if (!this.match.armed && this.#options.turnTimeoutMs > 0) {
      const turn = state.turn;
      this.match.arm(this.#options.turnTimeoutMs, () => this.#turnTimedOut(turn));
    }
    const type =
      state.drawn < 0 ? 'drawCard' : !this.#pending ? 'placeCard' : this.#pending.meepleId ? 'endTurn' : 'placeMeeple';
    this.#ctx.ok(seat.member, type);
  }

  #draw(member: RoomMember) {
    const ctx = this.#ctx;
    if (this.#state!.drawn >= 0) return ctx.error(member, 'DRAW_CARD', 'you have already drawn a card this turn');
    this.#drawUntilPlaceable();
    ctx.ok(member, 'DRAW_CARD');
    this.#prompt();
  }

  /** Draws; a card that fits nowhere is discarded and the player draws again (or the game ends). */
  #drawUntilPlaceable() {
    const ctx = this.#ctx;
    while (!this.#state!.over && this.#state!.drawn < 0) {
      const before = this.#state!;
      // The draw from the seed's dice stream, applied and committed by the host before anything is announced.
      const kind = this.match.chance([]);
      const after = this.#state!;
      const card = ctx.newId('Card');
      ctx.broadcast(card, 'type', TILE_KINDS[kind]!.id);
      ctx.broadcast(this.id, 'cardsLeft', String(after.deckLeft), String(before.deckLeft));
      if (after.drawn >= 0) {
        this.#card = card;
        ctx.broadcast(this.id, 'drawnCard', card);
      } else {
        ctx.broadcast(card, 'discarded', 'true');
      }
      if (after.over) {
        this.#report(before, after);
        this.#finish();
      }
    }
  }

  #placeCard(member: RoomMember, command: Se1Command) {
    const ctx = this.#ctx;
    const fail = (m: string) => ctx.error(member, 'PLACE_CARD', m);
    const state = this.#state!;
    if (state.drawn < 0) return fail('draw a card first');
    if (this.#pending) return fail('the card is already placed; PLACE_MEEPLE or END_TURN');
    const neighbor = prop(command, 'neighbor');
    const orientation = prop(command, 'orientation');
    const rotation = prop(command, 'rotation') ?? 'R0';
    if (!neighbor || !orientation) return fail('needs neighbor (Field@..) and orientation (NORTH, EAST, SOUTH, WEST)');
    const index = this.#fieldIndex.get(neighbor);
    if (index === undefined) return fail(`${neighbor} is not a field of this game`);
    const side = (SIDE_NAMES as readonly string[]).indexOf(orientation);
    if (side < 0) return fail(`orientation must be NORTH, EAST, SOUTH or WEST, got ${orientation}`);
    const rot = (ROTATIONS as readonly string[]).indexOf(rotation);
    if (rot < 0) return fail(`rotation must be R0, R90, R180 or R270, got ${rotation}`);
    const n = state.tiles[index]!;
    const x = n.x + DX[side]!;
    const y = n.y + DY[side]!;
    const reason = placementError(state, x, y, rot);
    if (reason) return fail(reason);
    const field = this.#putField(this.#card!, x, y, rot);
    ctx.broadcast(this.id, 'drawnCard', undefined, this.#card);
    this.#pending = { action: { x, y, rot, meeple: null }, field };
    ctx.ok(member, 'PLACE_CARD');
    this.#prompt();
  }

  #placeMeeple(member: RoomMember, command: Se1Command) {
    const ctx = this.#ctx;
    const fail = (m: string) => ctx.error(member, 'PLACE_MEEPLE', m);
    const pending = this.#pending;
    if (!pending) return fail('place the card first');
    if (pending.meepleId) return fail('you have already placed a meeple this turn');
    const seat = this.#seats[this.#state!.current]!;
    const meeple = prop(command, 'meeple') ?? prop(command, 'id');
    const position = prop(command, 'position');
    if (!meeple || position === undefined) return fail('needs meeple (Meeple@..) and position (a segment number)');
    if (!seat.meeples.includes(meeple)) return fail(`${meeple} is not one of your meeples`);
    if (!seat.supply.includes(meeple)) return fail(`${meeple} is already on the board`);
    const segment = /^\d+$/.test(position) ? Number(position) : Number.NaN;
    const { x, y, rot } = pending.action;
    if (!meepleOptions(this.#state!, x, y, rot).includes(segment))
      return fail(`position ${position} cannot take a meeple (no such segment, or its feature is occupied)`);
    seat.supply.splice(seat.supply.indexOf(meeple), 1);
    this.#pending = { ...pending, action: { ...pending.action, meeple: segment }, meepleId: meeple };
    ctx.broadcast(seat.id, 'meeples', undefined, meeple);
    ctx.broadcast(meeple, 'field', pending.field);
    ctx.broadcast(meeple, 'position', String(segment));
    ctx.ok(member, 'PLACE_MEEPLE');
    this.#prompt();
  }

  #endTurn(member: RoomMember) {
    if (!this.#pending) return this.#ctx.error(member, 'END_TURN', 'place the drawn card first');
    this.#commitTurn();
    this.#ctx.ok(member, 'END_TURN');
    if (this.status === 'RUNNING') this.#prompt();
  }

  /**
   * The turn's deadline passed: the server finishes the turn as it would for a player who left (drawing if
   * needed, the default placement unless the card is placed, no follower unless one is placed); the player
   * stays in the game and is prompted for their next turn as usual.
   */
  #turnTimedOut(turn: number) {
    const state = this.#state;
    if (this.status !== 'RUNNING' || !state || state.turn !== turn) return;
    const seat = this.#seats[state.current]!;
    this.#ctx.error(
      seat.member,
      'TIMEOUT',
      `turn not finished within ${this.#options.turnTimeoutMs}ms: the server played it`,
    );
    this.#playTurn();
    if (this.status === 'RUNNING') this.#prompt();
  }

  /** Finishes the current turn for its player: draw if needed, the engine's default placement, commit. */
  #playTurn() {
    if (this.#state!.drawn < 0) this.#drawUntilPlaceable();
    if (this.status !== 'RUNNING') return;
    if (!this.#pending) {
      const a = this.match.engine.defaultAction(this.#state!, this.#state!.current);
      const field = this.#putField(this.#card!, a.x, a.y, a.rot);
      this.#ctx.broadcast(this.id, 'drawnCard', undefined, this.#card);
      this.#pending = { action: a, field };
    }
    this.#commitTurn();
  }

  /** Applies the pending turn to the engine and reports what changed. */
  #commitTurn() {
    const ctx = this.#ctx;
    const before = this.#state!;
    const pending = this.#pending!;
    const events: CarcassonneEvent[] = [];
    // The engine's step first: only once it succeeded is the turn over (a throw leaves it as it was, and aborts).
    const after = this.match.step({ kind: 'players', actions: new Map([[before.current, pending.action]]) }, events);
    this.match.disarm();
    this.#pending = undefined;
    this.#card = undefined;
    if (pending.meepleId) this.#onSegment.set(after.tiles.at(-1)!.seg0 + pending.action.meeple!, pending.meepleId);
    this.#report(before, after);
    if (after.over) this.#finish();
    else ctx.broadcast(this.id, 'currentPlayer', this.#seats[after.current]!.id, this.#seats[before.current]!.id);
  }

  /** Followers that went home and score changes, as property events. */
  #report(before: CarcassonneState, after: CarcassonneState) {
    const ctx = this.#ctx;
    for (const [segment, meeple] of [...this.#onSegment]) {
      if (after.owner[segment]! >= 0) continue;
      const seat = this.#ownerOf(meeple);
      this.#onSegment.delete(segment);
      const t = after.tiles[after.segTile[segment]!]!;
      ctx.broadcast(meeple, 'field', undefined, this.#fields[after.segTile[segment]!]);
      ctx.broadcast(meeple, 'position', undefined, String(segment - t.seg0));
      seat.supply.push(meeple);
      ctx.broadcast(seat.id, 'meeples', meeple);
    }
    for (const [i, seat] of this.#seats.entries()) {
      if (after.scores[i] !== before.scores[i])
        ctx.broadcast(seat.id, 'score', String(after.scores[i]), String(before.scores[i]));
    }
  }

  #ownerOf(meeple: string): Seat {
    return this.#seats.find((s) => s.meeples.includes(meeple))!;
  }

  #finish() {
    const ctx = this.#ctx;
    if (this.#status === 'FINISHED') return;
    // The host stops the clock and counts the game as finished.
    const result = this.match.finish();
    this.#status = 'FINISHED';
    ctx.broadcast(this.id, 'status', 'FINISHED', 'RUNNING');
    if (result.winner !== null) ctx.broadcast(this.id, 'winner', this.#seats[result.winner]!.id);
    for (const seat of this.#seats)
      if (seat.present) ctx.ok(seat.member, 'gameOver', `scores ${result.scores.join(':')}`);
  }

  /** Plays the turns of players who left: draw, the engine's default placement, no follower. */
  #autoplay() {
    let guard = 0;
    // A map has at most 300 tiles: one turn per tile is enough to end any game.
    while (this.status === 'RUNNING' && !this.#seats[this.#state!.current]!.present && guard++ < 1000) this.#playTurn();
    if (this.status === 'RUNNING') this.#prompt();
  }
}

/** Carcassonne for the SE1 server, on `engine` (the real rules unless a test injects a failing engine). */
export function carcassonneSe1Game(engine: CarcassonneRules = carcassonneEngine): Se1Game {
  return {
    id: 'carcassonne',
    title: 'Carcassonne',
    minPlayers: engine.minPlayers,
    maxPlayers: engine.maxPlayers,
    maps: [STANDARD_MAP],
    checkMap: checkCarcassonneMap,
    actions: CARCASSONNE_ACTIONS,
    createRoom: (ctx, options) => new CarcassonneRoom(ctx, options, engine),
  };
}

export const carcassonneSe1: Se1Game = carcassonneSe1Game();
