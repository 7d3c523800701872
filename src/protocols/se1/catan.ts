/**
 * Settlers of Catan on the SE1 server: the engine behind the SS13 command set (ROLL_DIES, BUILD, TRADE, OFFER,
 * PLAY, CHOOSE, END_TURN...) and the `Class@hex` event model (docs/protocols/se1.md, "Settlers of Catan"). No
 * rule is written here: legality, production, the robber, trades and the end come from src/games/catan, and
 * the game runs on the server's match host. This file turns commands into engine actions, and after every step
 * sends each member the properties of the engine's observation that changed (catan-wire.ts).
 */
import type { Match } from '../../game/host.ts';
import { ConfigError, parsePairs } from '../../game/settings.ts';
import {
  type CatanAction,
  type CatanChance,
  type CatanConfig,
  type CatanEvent,
  type CatanObservation,
  type CatanState,
  catanEngine,
  MapError,
  parseConfig,
  parseMapFile,
} from '../../games/catan/index.ts';
import {
  boardProps,
  CATAN_ACTIONS,
  CATAN_KNIGHTS_ACTIONS,
  type CatanIds,
  COMMODITY_NAMES,
  cardProps,
  choiceOf,
  configProps,
  DEV_CARD_NAMES,
  decodeField,
  diffProps,
  EVENT_DIE_NAMES,
  FIELD_KINDS,
  formatResources,
  KIND_NAMES,
  kindsOf,
  PROGRESS_NAMES,
  type Props,
  parseResources,
  privateProps,
  publicProps,
  TRACK_NAMES,
} from './catan-wire.ts';
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

/** The rules a room plays by: always `catanEngine` except in tests that inject a failing engine. */
export type CatanRules = typeof catanEngine;

/**
 * The built-in maps: the engine's two layouts. `random` (the default, as `botswarm play catan`) is the seeded
 * layout of the game's seed; `beginner` is the rulebook's fixed board. Any other map is an uploaded SS13 map file
 * (one line, `|` between its lines; docs/protocols/se1.md, "Catan map files"): the engine's `board` setting.
 */
const MAPS: readonly MapInfo[] = [
  { name: 'random', version: '1', creator: 'botswarm', content: 'LAYOUT: random' },
  { name: 'beginner', version: '1', creator: 'botswarm', content: 'LAYOUT: beginner' },
];
const BUILT_IN = new Set(MAPS.map((m) => m.name));

/** UPLOAD MAP's check: the engine's own map-file parser and board check; the reason, or null. */
export function checkCatanMap(content: string): string | null {
  try {
    parseMapFile(content);
    return null;
  } catch (e) {
    if (e instanceof MapError) return e.message;
    throw e;
  }
}

/** A Commercial Harbor's "no offer to this player" (OFFER id=NONE; END_PLAY repeats it for everyone left). */
const NO_HARBOUR_OFFER: CatanAction = { type: 'harbourOffer', resource: null };

/** The Commercial Harbor's offer half: the player to move offers `left[0]` a card (OFFER id/user). */
const harbourOffering = (
  step: CatanState['step'],
): step is Extract<CatanState['step'], { phase: 'commercialHarbor' }> =>
  step.phase === 'commercialHarbor' && step.offered === undefined;

const knightsOnly = (action: string) =>
  `${action} is a Cities & Knights command (rules=cities-and-knights); this game plays rules=base`;

/**
 * Phases that are not answered by CHOOSE at all. discard, robber, offer and confirm have their own answers; every
 * other decision phase (Cities & Knights, and any the engine adds) takes the generic one (catan-wire.ts choiceOf).
 */
const NO_CHOICE_PHASES = new Set(['setupSettlement', 'setupRoad', 'preRoll', 'main', 'roadBuilding']);

interface Seat {
  readonly member: RoomMember;
  /** UserAssets@.. */
  readonly id: string;
  readonly color: string;
  present: boolean;
  /** What this member was told privately (its own cards, its knowledge of the others). */
  readonly told: Props;
}

class CatanRoom implements GameRoom {
  readonly id: string;
  #status: 'JOINING' | 'RUNNING' | 'FINISHED' = 'JOINING';
  readonly #ctx: RoomContext;
  readonly #options: RoomOptions;
  readonly #config: CatanConfig;
  readonly #seats: Seat[] = [];
  readonly #visitors = new Set<RoomMember>();
  readonly match: Match<CatanState, CatanAction, CatanConfig, CatanChance, CatanEvent>;
  #ids: CatanIds | undefined;
  /** The public properties every member was sent. */
  readonly #shown: Props = new Map();
  /** Answers of the open multi-seat step (discards, answers to an offer), by seat. */
  #answers = new Map<number, CatanAction>();
  /** The robber's hex chosen by the first CHOOSE, waiting for the victim. */
  #robberHex: number | undefined;

  constructor(ctx: RoomContext, options: RoomOptions, engine: CatanRules) {
    this.#ctx = ctx;
    this.#options = options;
    this.#config = roomConfig(options.map, options.rules ?? '', options.mapContent);
    this.id = ctx.newId('SettlersOfCatanGame');
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

  get #state(): CatanState {
    return this.match.state!;
  }

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
    const seat: Seat = { member, id: ctx.newId('UserAssets'), color, present: true, told: new Map() };
    this.#seats.push(seat);
    ctx.broadcast(seat.id, 'user', member.user.id);
    ctx.broadcast(seat.id, 'nickname', member.user.nick);
    ctx.broadcast(seat.id, 'color', color);
    ctx.broadcast(seat.id, 'game', this.id);
    ctx.broadcast(this.id, 'users', seat.id);
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
      this.#ctx.broadcast(this.id, 'users', undefined, seat.id);
      return;
    }
    seat.present = false;
    this.#ctx.broadcast(seat.id, 'left', 'true');
    // A seat the game waits for is played by the server from now on; otherwise when its decision comes.
    if (this.status === 'RUNNING' && this.#awaited().includes(i)) this.#closeIfAnswered();
  }

  command(member: RoomMember, command: Se1Command) {
    const action = command.action;
    const fail = (message: string) => this.#ctx.error(member, action, message);
    const knights = (CATAN_KNIGHTS_ACTIONS as readonly string[]).includes(action);
    if (knights && this.#config.rules !== 'cities-and-knights') return fail(knightsOnly(action));
    if (!knights && !(CATAN_ACTIONS as readonly string[]).includes(action))
      return fail(
        `unknown action (known: ${[...CATAN_ACTIONS, ...CATAN_KNIGHTS_ACTIONS, 'CHANGE_USER_COLOR', 'MESSAGE', 'LEAVE_GAME', 'NOOP'].join(', ')})`,
      );
    if (this.status === 'ABORTED') return fail('the game is aborted');
    if (member.visitor) return fail('visitors cannot play');
    const seat = this.#seats.findIndex((s) => s.member === member);
    if (seat < 0) return fail('you are not a player of this game');
    if (action === 'START_GAME') return this.#start(member);
    if (this.status !== 'RUNNING') return fail(`the game is ${this.status.toLowerCase()}`);
    if (!this.#awaited().includes(seat)) return fail('it is not your turn');
    if (this.#answers.has(seat)) return fail('you have already answered; waiting for the other players');
    if (action === 'END_PLAY') return this.#endPlay(seat, member);
    const parsed = this.#parse(seat, command);
    if (typeof parsed === 'string') return fail(parsed);
    if (parsed === null) return; // the first half of a robber move: the victim prompt was sent
    const reason = this.match.engine.validate(this.#state, seat, parsed);
    if (reason) return fail(reason);
    this.#ctx.ok(member, action);
    this.#act(seat, parsed);
  }

  /** The seats the game waits for. */
  #awaited(): readonly number[] {
    if (this.status !== 'RUNNING') return [];
    const turn = this.match.engine.toAct(this.#state);
    return turn.kind === 'players' ? turn.seats : [];
  }

  /** A command as the engine action of `seat`; a string says why it cannot be one; null: half a robber move. */
  #parse(seat: number, command: Se1Command): CatanAction | string | null {
    const state = this.#state;
    const phase = state.step.phase;
    const ids = this.#ids!;
    const ck = this.#config.rules === 'cities-and-knights';
    const kinds = kindsOf(this.#config);
    const objectIndex = (list: readonly string[], id: string | undefined, what: string): number | string => {
      const i = id === undefined ? -1 : list.indexOf(id);
      return i >= 0 ? i : `${what} ${id ?? '(missing)'} is not one of this game's ${what}s`;
    };
    /** A knight command's `id`: the Intersection the knight stands on. */
    const knightAt = (id: string | undefined): number | string => {
      const v = objectIndex(ids.vertices, id, 'Intersection');
      if (typeof v === 'string') return `id: ${v} (a knight is named by the Intersection it stands on)`;
      return state.ck!.knights[v]! < 0 ? `id: no knight stands on ${id}` : v;
    };
    switch (command.action) {
      case 'ROLL_DIES':
        return { type: 'roll' };
      case 'END_TURN':
        return { type: 'end' };
      case 'BUILD': {
        const type = prop(command, 'type');
        const dest = prop(command, 'destination');
        switch (type) {
          case 'Settlement':
          case 'City':
          case 'Knight':
          case 'CityWall': {
            if (!ck && (type === 'Knight' || type === 'CityWall')) return knightsOnly(`BUILD ${type}`);
            const v = objectIndex(ids.vertices, dest, 'Intersection');
            if (typeof v === 'string') return v;
            if (type === 'Knight') return { type: 'knightBuild', vertex: v };
            if (type === 'CityWall') return { type: 'wall', vertex: v };
            return type === 'City' ? { type: 'city', vertex: v } : { type: 'settlement', vertex: v };
          }
          case 'Road': {
            const e = objectIndex(ids.edges, dest, 'Border');
            return typeof e === 'string' ? e : { type: 'road', edge: e };
          }
          case 'DevelopmentCard':
            if (ck) return 'there are no development cards under rules=cities-and-knights';
            return { type: 'buyDev' };
          default:
            return ck
              ? 'type must be Settlement, City, Road, Knight or CityWall'
              : 'type must be Settlement, City, Road or DevelopmentCard (Knight, CityWall: rules=cities-and-knights)';
        }
      }
      case 'TRADE': {
        const give = resourceIndex(prop(command, 'give'), kinds);
        const take = resourceIndex(prop(command, 'take'), kinds);
        if (typeof give === 'string') return `give: ${give}`;
        if (typeof take === 'string') return `take: ${take}`;
        return { type: 'bankTrade', give, get: take };
      }
      case 'OFFER': {
        const harbour = prop(command, 'user') !== undefined || prop(command, 'id') !== undefined;
        if (harbour && (prop(command, 'give') !== undefined || prop(command, 'take') !== undefined))
          return 'OFFER takes id and user (Commercial Harbor) or give and take (a trade offer), not both';
        if (harbour || harbourOffering(state.step)) return this.#harbourOffer(command);
        const give = parseResources(prop(command, 'give') ?? '', kinds);
        const take = parseResources(prop(command, 'take') ?? '', kinds);
        if (!give || !take)
          return `give and take are lists of ${KIND_NAMES.slice(0, kinds).join(', ')}, e.g. BRICK,BRICK`;
        return { type: 'offer', give, get: take };
      }
      case 'PLAY':
        return ck ? this.#progressPlay(command) : this.#devPlay(command);
      case 'ACTIVATE_KNIGHT':
      case 'UPGRADE_KNIGHT': {
        const v = knightAt(prop(command, 'id'));
        if (typeof v === 'string') return v;
        return command.action === 'ACTIVATE_KNIGHT'
          ? { type: 'knightActivate', vertex: v }
          : { type: 'knightPromote', vertex: v };
      }
      case 'USE_KNIGHT': {
        const v = knightAt(prop(command, 'id'));
        if (typeof v === 'string') return v;
        const target = prop(command, 'target');
        if (target === 'Robber' || target === ids.fields[state.robber]) return { type: 'knightChase', vertex: v };
        const to = objectIndex(ids.vertices, target, 'Intersection');
        if (typeof to === 'string') return `target: ${to} (or Robber, to chase the robber)`;
        return { type: 'knightMove', from: v, to };
      }
      case 'UPGRADE_PROGRESS': {
        const t = (TRACK_NAMES as readonly string[]).indexOf(prop(command, 'type') ?? '');
        return t < 0 ? `type must be one of ${TRACK_NAMES.join(', ')}` : { type: 'improve', track: t };
      }
      case 'CHOOSE': {
        const id = prop(command, 'id');
        switch (phase) {
          case 'discard': {
            const r = resourceIndex(id, kinds);
            return typeof r === 'string' ? `id: ${r}` : { type: 'discard', resource: r };
          }
          case 'robber': {
            if (this.#robberHex === undefined) {
              const hex = objectIndex(ids.fields, id, 'Field');
              if (typeof hex === 'string') return hex;
              if (hex === state.robber) return 'the robber must move to another field';
              const victims = this.#victims(seat, hex);
              if (victims.length === 0) return { type: 'robber', hex, victim: null };
              this.#robberHex = hex;
              this.#ctx.ok(this.#seats[seat]!.member, 'CHOOSE');
              this.#prompt(seat);
              return null;
            }
            const victim = objectIndex(ids.seats, id, 'UserAssets');
            if (typeof victim === 'string') return victim;
            return { type: 'robber', hex: this.#robberHex, victim };
          }
          case 'offer':
            if (id === 'ACCEPT') return { type: 'accept' };
            if (id === 'DECLINE') return { type: 'decline' };
            return 'answer the offer with id ACCEPT or DECLINE';
          case 'confirm': {
            if (id === 'NONE') return { type: 'cancel' };
            const partner = objectIndex(ids.seats, id, 'UserAssets');
            return typeof partner === 'string' ? partner : { type: 'confirm', seat: partner };
          }
          default: {
            if (NO_CHOICE_PHASES.has(phase)) return 'nothing to choose now';
            if (harbourOffering(state.step))
              return 'a Commercial Harbor offer is made with OFFER id=Card@.. user=UserAssets@.. (id=NONE: no offer to that player; END_PLAY: no more offers)';
            // Any other decision (the Cities & Knights phases): one of the answers the prompt listed.
            const choices = this.#choices(seat);
            const picked = choices.find((c) => c.value === id);
            if (picked) return picked.action;
            return `id must be one of ${choices.map((c) => c.value).join(', ')}`;
          }
        }
      }
      default:
        return `${command.action} is not a command of this game`;
    }
  }

  /**
   * The seed's OFFER form, `id` = the Card offered, `user` = the UserAssets offered to: the Commercial Harbor's
   * offer to the next opponent in seat order (the engine's `harbourOffer`). `id=NONE` leaves that player out.
   */
  #harbourOffer(command: Se1Command): CatanAction | string {
    const step = this.#state.step;
    if (step.phase === 'commercialHarbor' && step.offered !== undefined)
      return 'the Commercial Harbor offer is made: it is answered with CHOOSE id=<commodity>';
    if (!harbourOffering(step))
      return 'OFFER id/user answers a Commercial Harbor (PLAY type=COMMERCIAL_HARBOR), and none is being offered now; a trade offer is OFFER give/take';
    const ids = this.#ids!;
    const next = ids.seats[step.left[0]!]!;
    const user = prop(command, 'user');
    if (user === undefined) return `user: missing; the next player to offer to is ${next}`;
    if (user !== next)
      return ids.seats.includes(user)
        ? `user: the offers go in seat order, the next player to offer to is ${next}`
        : `user: ${user} is not one of this game's UserAssets`;
    const id = prop(command, 'id');
    if (id === undefined) return 'id: missing; a Card@.. (its kind a resource) or NONE';
    if (id === 'NONE') return NO_HARBOUR_OFFER;
    const kind = (ids.cards ?? []).indexOf(id);
    if (kind < 0) return `id: ${id} is not one of this game's Cards (or NONE)`;
    if (kind >= 5) return `id: a Commercial Harbor offers a resource, not ${KIND_NAMES[kind]}`;
    return { type: 'harbourOffer', resource: kind };
  }

  /**
   * END_PLAY: the seed's "stop playing the current card". Only a Commercial Harbor's offers can be stopped: every
   * player still to be offered to is left out (one engine `harbourOffer` null per player, each a step of its own).
   */
  #endPlay(seat: number, member: RoomMember) {
    if (!harbourOffering(this.#state.step) || this.#state.current !== seat)
      return this.#ctx.error(
        member,
        'END_PLAY',
        'nothing to end: END_PLAY ends the offers of a Commercial Harbor; every other progress card is played whole by one PLAY command',
      );
    this.#ctx.ok(member, 'END_PLAY');
    while (this.status === 'RUNNING' && harbourOffering(this.#state.step) && this.#state.current === seat)
      this.#apply(new Map([[seat, NO_HARBOUR_OFFER]]));
    this.#advance();
  }

  /** PLAY under rules=base: a development card. */
  #devPlay(command: Se1Command): CatanAction | string {
    const type = prop(command, 'type') ?? prop(command, 'id');
    switch (type) {
      case 'KNIGHT':
        return { type: 'knight' };
      case 'ROAD_BUILDING':
        return { type: 'roadBuilding' };
      case 'YEAR_OF_PLENTY': {
        const rs = parseResources(prop(command, 'resources') ?? '');
        if (rs?.reduce((a, b) => a + b, 0) !== 2) return 'YEAR_OF_PLENTY needs resources: two resource names';
        const picked = rs.flatMap((c, r) => Array.from({ length: c }, () => r));
        return { type: 'yearOfPlenty', resources: [picked[0]!, picked[1]!] };
      }
      case 'MONOPOLY': {
        const r = resourceIndex(prop(command, 'resource'));
        return typeof r === 'string' ? `resource: ${r}` : { type: 'monopoly', resource: r };
      }
      case 'VICTORY_POINT':
        return 'a VICTORY_POINT card is not played: it counts while held';
      default:
        return `type must be one of ${DEV_CARD_NAMES.filter((c) => c !== 'VICTORY_POINT').join(', ')}`;
    }
  }

  /**
   * PLAY under Cities & Knights: `type` (or `id`) names the progress card, every other property is a field of the
   * engine's action by its own name (`resource`, `vertex`, ...; catan-wire.ts FIELD_KINDS says how each travels),
   * so that a card the engine adds is played without a change here.
   */
  #progressPlay(command: Se1Command): CatanAction | string {
    const name = (prop(command, 'type') ?? prop(command, 'id') ?? '').toUpperCase();
    const card = PROGRESS_NAMES.indexOf(name);
    if (card < 0) return `type must be a progress card: ${PROGRESS_NAMES.join(', ')}`;
    const action: Record<string, unknown> = { type: 'progress', card };
    for (const [k, v] of command.properties) {
      if (k === 'type' || k === 'id') continue;
      if (k === 'card' || !Object.hasOwn(FIELD_KINDS, k))
        return `${k}: not a field of a progress card (${Object.keys(FIELD_KINDS)
          .filter((f) => f !== 'card')
          .join(', ')})`;
      if (Object.hasOwn(action, k)) return `${k}: given twice`;
      const parts = v.split('+').map((x) => decodeField(k, x, this.#ids!));
      for (const p of parts) if (p !== null && typeof p === 'object') return p.error;
      action[k] = parts.length === 1 ? parts[0] : parts;
    }
    return action as CatanAction;
  }

  /** The answers `seat` may CHOOSE in a generic phase: each legal action with its wire value. */
  #choices(seat: number): { action: CatanAction; value: string; kind: string }[] {
    return this.match.engine.legalActions!(this.#state, seat).map((action) => ({
      action,
      ...choiceOf(action, this.#ids!),
    }));
  }

  /** The seats `seat` may rob on `hex`, as the engine's legal robber moves say. */
  #victims(seat: number, hex: number): number[] {
    const out: number[] = [];
    for (const a of this.match.engine.legalActions!(this.#state, seat))
      if (a.type === 'robber' && a.hex === hex && a.victim !== null) out.push(a.victim);
    return out;
  }

  #start(member: RoomMember) {
    const ctx = this.#ctx;
    if (this.status !== 'JOINING') return ctx.error(member, 'START_GAME', 'the game has already started');
    const min = this.match.engine.minPlayers;
    if (this.#seats.length < min) return ctx.error(member, 'START_GAME', `at least ${min} players are needed`);
    if (!this.match.start(this.#seats.length)) return;
    const state = this.#state;
    this.#status = 'RUNNING';
    ctx.broadcast(this.id, 'status', 'RUNNING', 'JOINING');
    const ids: CatanIds = {
      game: this.id,
      seats: this.#seats.map((s) => s.id),
      fields: state.board.terrain.map(() => ctx.newId('Field')),
      vertices: state.buildings.map(() => ctx.newId('Intersection')),
      edges: state.roads.map(() => ctx.newId('Border')),
      ...(this.#config.rules === 'cities-and-knights' ? { cards: KIND_NAMES.map(() => ctx.newId('Card')) } : {}),
    };
    this.#ids = ids;
    for (const [i, seat] of this.#seats.entries()) ctx.broadcast(seat.id, 'seat', String(i));
    const fixed: Props = new Map();
    configProps(this.#config, ids, fixed);
    boardProps(state.board, ids, fixed);
    cardProps(ids, fixed);
    for (const c of diffProps(new Map(), fixed)) ctx.broadcast(c.src, c.prop, c.nv, c.ov);
    ctx.ok(member, 'START_GAME');
    this.#sync();
    this.#advance();
  }

  /** Sends every member the properties that changed: public ones to all, private ones to their seat. */
  #sync() {
    const ctx = this.#ctx;
    const state = this.#state;
    const ids = this.#ids!;
    for (const c of diffProps(this.#shown, publicProps(this.match.engine.observe(state, 0) as CatanObservation, ids)))
      ctx.broadcast(c.src, c.prop, c.nv, c.ov);
    for (const [i, seat] of this.#seats.entries()) {
      if (!seat.present) continue;
      const obs = this.match.engine.observe(state, i) as CatanObservation;
      for (const c of diffProps(seat.told, privateProps(obs, ids))) ctx.tell(seat.member, c.src, c.prop, c.nv, c.ov);
    }
  }

  /** One seat's decision, taken: a single-seat step is applied at once, a multi-seat one when all answered. */
  #act(seat: number, action: CatanAction) {
    const awaited = this.#awaited();
    if (awaited.length === 1) {
      this.#step(new Map([[seat, action]]));
      return;
    }
    this.#answers.set(seat, action);
    this.#closeIfAnswered();
  }

  #closeIfAnswered(): boolean {
    const awaited = this.#awaited();
    for (const s of awaited) if (!this.#answers.has(s) && this.#seats[s]!.present) return false;
    const actions = new Map<number, CatanAction>();
    for (const s of awaited) actions.set(s, this.#answers.get(s) ?? this.match.engine.defaultAction(this.#state, s));
    this.#step(actions);
    return true;
  }

  /** Applies the players' step and the chance steps after it, tells everyone, and asks for the next decision. */
  #step(actions: Map<number, CatanAction>) {
    this.#apply(actions);
    this.#advance();
  }

  #apply(actions: Map<number, CatanAction>) {
    this.#answers = new Map();
    this.#robberHex = undefined;
    const events: CatanEvent[] = [];
    this.match.step({ kind: 'players', actions }, events);
    // Dice, steals and card draws from the seed's dice stream, in the order `runMatch` samples them offline.
    while (this.match.engine.toAct(this.#state).kind === 'chance') this.match.chance(events);
    for (const e of events) {
      if (e.type === 'rolled') this.#ctx.broadcast(this.id, 'dice', `${e.d1},${e.d2}`);
      else if (e.type === 'ck' && e.what === 'event')
        this.#ctx.broadcast(this.id, 'eventDie', EVENT_DIE_NAMES[e.detail![0]!]);
      else if (e.type === 'ck' && (e.what === 'attackWon' || e.what === 'attackLost'))
        this.#ctx.broadcast(
          this.id,
          'barbarianAttack',
          `${e.what === 'attackWon' ? 'WON' : 'LOST'},${e.detail![0]},${e.detail![1]}`,
        );
    }
    this.#sync();
  }

  /**
   * Asks the seats the game waits for, and plays the ones that left (the engine's default action). Iterative:
   * a game whose players all left is played to its end here without recursion.
   */
  #advance() {
    let guard = 0;
    while (this.status === 'RUNNING' && guard++ < 1_000_000) {
      const state = this.#state;
      if (this.match.engine.result(state)) return this.#finish();
      const awaited = this.#awaited();
      const present = awaited.filter((s) => this.#seats[s]!.present && !this.#answers.has(s));
      if (present.length > 0) {
        this.match.disarm();
        if (this.#options.turnTimeoutMs > 0) this.match.arm(this.#options.turnTimeoutMs, () => this.#timedOut());
        for (const s of present) this.#prompt(s);
        return;
      }
      // Nobody present to ask: the absent seats play their default actions.
      const actions = new Map<number, CatanAction>();
      for (const s of awaited) actions.set(s, this.#answers.get(s) ?? this.match.engine.defaultAction(state, s));
      this.#apply(actions);
    }
  }

  /** The deadline passed: every seat still awaited gets the engine's default action. */
  #timedOut() {
    const awaited = this.#awaited();
    for (const s of awaited) {
      if (this.#answers.has(s)) continue;
      const seat = this.#seats[s]!;
      if (seat.present) this.#ctx.error(seat.member, 'TIMEOUT', 'no answer in time: the server played your default');
      this.#answers.set(s, this.match.engine.defaultAction(this.#state, s));
    }
    this.#closeIfAnswered();
  }

  /** The prompt for `seat`'s decision in the current phase (docs/protocols/se1.md lists them). */
  #prompt(seat: number) {
    const state = this.#state;
    const ids = this.#ids!;
    const member = this.#seats[seat]!.member;
    const ok = (type: string, message?: string) => this.#ctx.ok(member, type, message);
    const step = state.step;
    switch (step.phase) {
      case 'setupSettlement':
        return ok('buildSettlement', `opening round ${step.round + 1}`);
      case 'setupRoad':
        return ok('buildRoad', `opening road at ${ids.vertices[step.vertex]}`);
      case 'roadBuilding':
        return ok('buildRoad', `road building: ${step.roads} free road${step.roads === 1 ? '' : 's'}`);
      case 'preRoll':
        return ok('rollDies');
      case 'main':
        return ok('turn');
      case 'discard': {
        const k = kindsOf(this.#config);
        const hand = state.hands.slice(seat * k, seat * k + k);
        const values = KIND_NAMES.slice(0, k)
          .filter((_, r) => hand[r]! > 0)
          .join(',');
        const to = step.to === undefined ? '' : ` to ${ids.seats[step.to]}`;
        return ok(`choose(Resource:${values})`, `discard ${step.left[seat]} more${to}`);
      }
      case 'robber': {
        if (this.#robberHex !== undefined) {
          const values = this.#victims(seat, this.#robberHex).map((v) => ids.seats[v]);
          return ok(`choose(UserAssets:${values.join(',')})`, 'rob one of them');
        }
        const values = ids.fields.filter((_, h) => h !== state.robber);
        return ok(`choose(Field:${values.join(',')})`, 'move the robber');
      }
      case 'offer': {
        const can = this.match.engine.legalActions!(state, seat).some((a) => a.type === 'accept');
        const offer = `${ids.seats[state.current]} gives ${formatResources(step.offer.give)} for ${formatResources(step.offer.get)}`;
        return ok(`choose(Answer:${can ? 'ACCEPT,' : ''}DECLINE)`, offer);
      }
      case 'confirm':
        return ok(`choose(UserAssets:${[...step.accepted.map((s) => ids.seats[s]), 'NONE'].join(',')})`, 'trade with');
      case 'commercialHarbor': {
        if (step.offered === undefined) {
          const k = kindsOf(this.#config);
          const held = state.hands.slice(seat * k, seat * k + 5);
          const cards = ids.cards!.filter((_, r) => r < 5 && held[r]! > 0);
          return ok(
            `offer(Card:${[...cards, 'NONE'].join(',')})`,
            `commercial harbor: offer to ${ids.seats[step.left[0]!]}`,
          );
        }
        const values = this.#choices(seat).map((c) => c.value);
        return ok(
          `choose(Resource:${values.join(',')})`,
          `commercial harbor: ${ids.seats[state.current]} offers ${KIND_NAMES[step.offered]} for a commodity`,
        );
      }
      default: {
        // The Cities & Knights decisions (and any phase the engine adds): the legal answers, as CHOOSE takes them.
        const choices = this.#choices(seat);
        const kind = choices[0]?.kind ?? 'Value';
        return ok(`choose(${kind}:${choices.map((c) => c.value).join(',')})`, step.phase);
      }
    }
  }

  #finish() {
    const ctx = this.#ctx;
    if (this.#status === 'FINISHED') return;
    const result = this.match.finish();
    this.#status = 'FINISHED';
    for (const [i, seat] of this.#seats.entries()) {
      ctx.broadcast(seat.id, 'score', String(result.scores[i]));
      ctx.broadcast(seat.id, 'rank', String(result.ranks[i]));
    }
    if (result.winner !== null) ctx.broadcast(this.id, 'winner', this.#seats[result.winner]!.id);
    ctx.broadcast(this.id, 'status', 'FINISHED', 'RUNNING');
    for (const seat of this.#seats)
      if (seat.present) ctx.ok(seat.member, 'gameOver', `scores ${result.scores.join(':')}`);
  }
}

/** A card kind's index (of the first `kinds`: 5 resources, 8 with the commodities), or why it is not one. */
function resourceIndex(name: string | undefined, kinds = 5): number | string {
  const names = KIND_NAMES.slice(0, kinds);
  if (name === undefined) return `missing; one of ${names.join(', ')}`;
  const r = (names as readonly string[]).indexOf(name.toUpperCase());
  if (r >= 0) return r;
  if ((COMMODITY_NAMES as readonly string[]).includes(name.toUpperCase()))
    return `${name} is a commodity of rules=cities-and-knights; this game plays rules=base`;
  return `${name} is not a ${kinds > 5 ? 'card kind' : 'resource'} (${names.join(', ')})`;
}

/**
 * A room's engine config: the server's `rules` setting (engine settings as `key=value` words, e.g.
 * `rules=cities-and-knights vpToWin=12`, read by the settings schema like any `--set`) and the game's map: a
 * built-in layout, or an uploaded map file as the engine's `board`.
 */
export function roomConfig(map: string, rules: string, mapContent = ''): CatanConfig {
  const pairs = parsePairs(rules.split(/\s+/).filter(Boolean), 'rules');
  for (const key of ['map', 'board'])
    if (key in pairs) throw new ConfigError('rules', `the ${key} comes from CREATE GAME -map, not from rules`);
  return parseConfig(BUILT_IN.has(map) ? { ...pairs, map } : { ...pairs, board: mapContent });
}

/** Catan for the SE1 server, on `engine` (the real rules unless a test injects a failing engine). */
export function catanSe1Game(engine: CatanRules = catanEngine): Se1Game {
  return {
    id: 'catan',
    title: 'SettlersOfCatan',
    minPlayers: engine.minPlayers,
    maxPlayers: engine.maxPlayers,
    maps: MAPS,
    checkMap: checkCatanMap,
    checkSettings: (s) => void roomConfig('random', s.rules),
    actions: [...CATAN_ACTIONS, ...CATAN_KNIGHTS_ACTIONS],
    createRoom: (ctx, options) => new CatanRoom(ctx, options, engine),
  };
}

export const catanSe1: Se1Game = catanSe1Game();
