/**
 * CreepSmash's online client: a lockstep mirror. The client runs the same engine as the server, from the same
 * config (the game's settings and map, announced on JOIN GAME) and the same commands (each tick's `Player command`
 * events), so the observation a bot gets at tick k online is the state it would get at tick k offline. The adapter
 * plugs into the one online seat (src/game/seat.ts); `botswarm play creepsmash --connect` is `playOnline` below.
 */
import { createHash } from 'node:crypto';
import { createRng } from '../../core/rng.ts';
import type { OnlineGame, SeatSink } from '../../game/seat.ts';
import {
  type Command,
  type CreepSmashAction,
  type CreepSmashConfig,
  type CreepSmashObservation,
  type CreepSmashState,
  creepsmashEngine,
  formatMap,
} from '../../games/creepsmash/index.ts';
import type { ClientProtocol, OnlineOutcome } from '../registry.ts';
import { type Se1Client, Se1Error, Se1Model } from './client.ts';
import { fromMapLine, parseWireCommand, toMapLine } from './creepsmash.ts';
import { AnswerTimer, type Notice, type Se1Event } from './json.ts';
import { playSe1Online, type Se1OnlineOptions } from './online-play.ts';
import { DEFAULT_PORT } from './server.ts';

/** The Game properties that make up the engine's config (docs/protocols/se1.md, "CreepSmash model"). */
const CONFIG_KEYS = [
  'tickMs',
  'delayTicks',
  'incomeTicks',
  'startCredits',
  'startIncome',
  'lives',
  'maxTicks',
  'maxCommands',
] as const;

export interface CreepSmashGameOptions {
  /** This bot's login. */
  readonly nick: string;
  /** The game's creator sends START_GAME once `players` have joined and chosen their tiles. */
  readonly creator: boolean;
  readonly players: number;
  /** The map file text when the game is not on the built-in `default` map. */
  readonly mapText?: string;
  /** Each answer to a command (`OK - <ACTION>` or `ERROR: <ACTION>`): `create_tower`..., its round trip in µs. */
  onAnswer?(kind: string, micros: number, ok: boolean): void;
  /**
   * Each tick as it arrives: its number, when it arrived and when the server sent it (both epoch ms; the latter
   * from the event's `@ts`), and when it was due (`startTime + k·tickMs`).
   */
  onTick?(tick: number, arrivedMs: number, sentMs: number, dueMs: number): void;
}

/** Epoch ms with sub-millisecond resolution (the clock `@ts` and `startTime` are on). */
const epochNow = (): number => performance.timeOrigin + performance.now();

export class CreepSmashOnlineGame implements OnlineGame<CreepSmashObservation, CreepSmashAction> {
  readonly model = new Se1Model();
  decisions = 0;
  #sink: SeatSink<CreepSmashObservation> | null = null;
  #early: Se1Event[] = [];
  #detached = false;
  #closed = false;
  #game: string | undefined;
  #config: CreepSmashConfig | undefined;
  #state: CreepSmashState | undefined;
  #players: string[] = [];
  #me = -1;
  #chosen = false;
  #startSent = false;
  #commands = new Map<number, Command[]>();
  #cells = new Map<string, string>();
  #tiles: string[] = [];

  /** Times each command to its answer, for `options.onAnswer`. */
  readonly #answers: AnswerTimer;

  constructor(
    readonly client: Se1Client,
    readonly options: CreepSmashGameOptions,
  ) {
    this.#answers = new AnswerTimer(options.onAnswer);
  }

  /** The mirrored engine state (undefined before the game is set up). */
  get state(): CreepSmashState | undefined {
    return this.#state;
  }

  get lockstep(): boolean {
    return this.#game !== undefined && this.model.get(this.#game, 'lockstep') === 'true';
  }

  /** Every JSON event of the connection (the client's `onEvent`). */
  onEvent(e: Se1Event): void {
    const sink = this.#sink;
    if (!sink) {
      if (this.#detached) this.#answers.notice(e);
      else this.#early.push(e);
      return;
    }
    try {
      this.#handle(e, sink);
    } catch (error) {
      sink.fail(error as Error);
    }
  }

  #handle(e: Se1Event, sink: SeatSink<CreepSmashObservation>) {
    const notice = this.#answers.notice(e);
    if (notice) return this.#notice(notice, sink);
    if (e.src === 'SERVER' || e.src.startsWith('User@')) return;
    this.model.apply(e);
    const cls = e.src.slice(0, e.src.indexOf('@'));
    if (cls === 'Game') {
      this.#game ??= e.src;
      if (e.src !== this.#game) return;
      if (e.prop === 'tick' && e.nv !== undefined) return this.#tick(Number(e.nv), Number(e.ts), sink);
      if (e.prop === 'tiles' && e.nv) this.#tiles.push(e.nv);
      if (e.prop === 'players') this.#players = [...this.model.list(e.src, 'players')];
      if (e.prop === 'status' && e.nv === 'ABORTED') return sink.fail(new Se1Error('the server aborted the game'));
      if (e.prop === 'status' && e.nv === 'RUNNING') return this.#begin(sink);
      if (e.prop === 'players') this.#maybeChoose(sink);
    } else if (cls === 'Player') {
      if (e.prop === 'nickname' && e.nv === this.options.nick) this.#maybeChoose(sink);
      if (e.prop === 'wish') this.#maybeStart();
      if (e.prop === 'command' && e.nv !== undefined) {
        const seat = this.#players.indexOf(e.src);
        if (seat < 0) throw new Se1Error(`a command of ${e.src}, who is not a player`);
        const list = this.#commands.get(seat) ?? [];
        list.push(parseWireCommand(e.nv));
        this.#commands.set(seat, list);
      }
    } else if (cls === 'Cell' && (e.prop === 'x' || e.prop === 'y')) {
      const x = this.model.get(e.src, 'x');
      const y = this.model.get(e.src, 'y');
      if (x !== undefined && y !== undefined) this.#cells.set(`${x},${y}`, e.src);
    }
  }

  #notice(n: Notice, sink: SeatSink<CreepSmashObservation>) {
    if (n.kind === 'ok') return;
    if (n.type === 'GAME') return sink.fail(new Se1Error(n.message ?? 'the game failed'));
    sink.refused(`ERROR_${n.type}`, n.message ?? '');
    if (n.type === 'START_GAME' || n.type === 'CHOOSE_TILE')
      sink.fail(new Se1Error(`${n.type} refused: ${n.message ?? ''}`));
  }

  #configOf(): CreepSmashConfig {
    if (this.#config) return this.#config;
    const game = this.#game!;
    const raw: Record<string, unknown> = {};
    for (const key of CONFIG_KEYS) raw[key] = this.model.get(game, key);
    const map = this.model.get(game, 'map');
    if (map !== 'default') {
      if (this.options.mapText === undefined)
        throw new Se1Error(`the game is on map ${map}: the client needs its text`);
      raw.map = this.options.mapText;
    }
    this.#config = creepsmashEngine.parseConfig(raw);
    return this.#config;
  }

  /** Every seat is taken: the bot chooses its tile on the engine's set-up, as offline. */
  #maybeChoose(sink: SeatSink<CreepSmashObservation>): void {
    if (this.#chosen || this.#state || this.#players.length !== this.options.players) return;
    this.#me = this.#players.findIndex((p) => this.model.get(p, 'nickname') === this.options.nick);
    if (this.#me < 0) return;
    this.#chosen = true;
    // The set-up draws nothing (docs/rules/creepsmash.md): no seed is needed to rebuild it.
    this.#state = creepsmashEngine.setup(this.#configOf(), this.options.players, createRng(0));
    sink.started();
    sink.observe({ seat: this.#me, state: this.#state });
  }

  #maybeStart(): void {
    if (!this.options.creator || this.#startSent || this.#players.length !== this.options.players) return;
    if (!this.#players.every((p) => this.model.get(p, 'wish') !== undefined)) return;
    this.#startSent = true;
    this.#send('START_GAME');
  }

  /** The game runs: the mirror applies the tile choice the server announced. */
  #begin(sink: SeatSink<CreepSmashObservation>): void {
    const state = this.#state;
    if (state?.phase !== 'choose') throw new Se1Error('the game started before this client chose a tile');
    const actions = new Map<number, CreepSmashAction>();
    for (const [seat, p] of this.#players.entries()) {
      const tile = this.#tiles.indexOf(this.model.get(p, 'tile') ?? '');
      if (tile < 0) throw new Se1Error(`no tile announced for ${p}`);
      actions.set(seat, [{ kind: 'tile', tile }]);
    }
    this.#state = creepsmashEngine.apply(state, { kind: 'players', actions });
    this.#observe(sink);
  }

  #tick(k: number, sentMs: number, sink: SeatSink<CreepSmashObservation>) {
    const arrived = this.options.onTick ? epochNow() : 0;
    const state = this.#state;
    if (state?.phase !== 'play') throw new Se1Error(`tick ${k} outside a running game`);
    if (k !== state.tick) throw new Se1Error(`out of step: tick ${k} came, the mirror is at ${state.tick}`);
    if (this.options.onTick) {
      const due = Number(this.model.get(this.#game!, 'startTime')) + k * state.config.tickMs;
      this.options.onTick(k, arrived, sentMs, due);
    }
    const actions = new Map<number, CreepSmashAction>();
    for (let s = 0; s < state.players; s++) if (state.seats[s]!.alive) actions.set(s, this.#commands.get(s) ?? []);
    this.#commands.clear();
    const next = creepsmashEngine.apply(state, { kind: 'players', actions });
    this.#state = next;
    sink.served('tick');
    if (next.phase === 'over') {
      const result = creepsmashEngine.result(next)!;
      return sink.end(result);
    }
    this.#observe(sink);
  }

  #observe(sink: SeatSink<CreepSmashObservation>): void {
    const state = this.#state!;
    if (state.seats[this.#me]!.alive) sink.observe(creepsmashEngine.observe(state, this.#me));
  }

  #cell(x: number, y: number): string {
    const id = this.#cells.get(`${x},${y}`);
    if (!id) throw new Se1Error(`no cell ${x},${y} announced`);
    return id;
  }

  #send(action: string, properties: readonly (readonly [string, string])[] = []): void {
    this.#answers.sent(action);
    this.client.command(action, properties);
  }

  /** The commands of an action on the wire (tower commands name the cell, see the protocol document). */
  #wire(c: Command, tick: readonly (readonly [string, string])[]) {
    switch (c.kind) {
      case 'tile':
        return this.#send('CHOOSE_TILE', [['tile', this.#tiles[c.tile]!]]);
      case 'build':
        return this.#send('CREATE_TOWER', [['towertype', c.tower], ['cell', this.#cell(c.x, c.y)], ...tick]);
      case 'upgrade':
        return this.#send('UPGRADE_TOWER', [
          ['cell', this.#cell(c.x, c.y)],
          ...(c.level !== undefined ? ([['level', String(c.level)]] as const) : []),
          ...tick,
        ]);
      case 'sell':
        return this.#send('SELL_TOWER', [['cell', this.#cell(c.x, c.y)], ...tick]);
      case 'strategy':
        return this.#send('CHANGE_TOWER_STRATEGY', [['cell', this.#cell(c.x, c.y)], ['strategy', c.strategy], ...tick]);
      case 'send':
        return this.#send('CREATE_CREEP', [['creeptype', c.creep], ...tick]);
    }
  }

  /** The one validate → fallback (as offline: an invalid action is the empty one), then the commands. */
  act(observation: CreepSmashObservation, action: CreepSmashAction): void {
    const { seat, state } = observation;
    const valid = creepsmashEngine.validate(state, seat, action) === null ? action : [];
    this.decisions++;
    if (state.phase === 'choose') {
      // No tile asked for is the lowest free tile, offline as online: ask for TL, the lowest.
      const tile = valid.find((c) => c.kind === 'tile') ?? { kind: 'tile', tile: 0 };
      this.#wire(tile, []);
      return;
    }
    // Lockstep: each command names the tick it was decided for, and TICK says the bot is done with it.
    const lockstep = this.lockstep;
    const tick = lockstep ? ([['tick', String(state.tick)]] as const) : [];
    for (const c of valid) this.#wire(c, tick);
    if (lockstep) this.client.command('TICK', [['tick', String(state.tick)]]);
    this.#sink?.waiting();
  }

  onClose(): void {
    this.#closed = true;
    this.#sink?.fail(new Se1Error('the server closed the connection'));
  }

  attach(sink: SeatSink<CreepSmashObservation>): void {
    this.#sink = sink;
    for (const e of this.#early.splice(0)) this.onEvent(e);
    if (this.#closed) sink.fail(new Se1Error('the server closed the connection'));
  }

  seat() {
    return { seat: this.#me, config: this.#configOf() };
  }

  detach(): void {
    this.#sink = null;
    this.#detached = true;
  }
}

export type CreepSmashOnlineOptions = Se1OnlineOptions<CreepSmashObservation, CreepSmashAction>;

/** Puts a map on the server as `map-<12 hex of its SHA-256>`, unless it is there; returns the name. */
async function ensureMap(client: Se1Client, text: string): Promise<string> {
  const line = toMapLine(text);
  const name = `map-${createHash('sha256').update(line).digest('hex').slice(0, 12)}`;
  const there = await client.downloadMap(name).catch(() => undefined);
  if (there === undefined) await client.uploadMap(name, line);
  else if (there !== line) throw new Error(`the server's map ${name} is not this map`);
  return name;
}

/**
 * `botswarm play creepsmash --connect`: every bot logs in as a test player and takes one seat; bot 0 creates a test
 * game with `-seed`, all join in seat order, choose their tiles, and bot 0 starts it. The game's rules are the
 * server's (announced on JOIN GAME); only a map given with `--set map=` is uploaded and used.
 */
export function playOnline(options: CreepSmashOnlineOptions): Promise<OnlineOutcome> {
  const config = creepsmashEngine.parseConfig(options.settings ?? {});
  const mapText = config.map ? formatMap(config.map) : undefined;
  return playSe1Online<CreepSmashObservation, CreepSmashAction, CreepSmashOnlineGame>(options, {
    engine: creepsmashEngine,
    game: (client, seat) =>
      new CreepSmashOnlineGame(client, { ...seat, ...(mapText !== undefined ? { mapText } : {}) }),
    createOptions: async (client) => (mapText !== undefined ? ` -map ${await ensureMap(client, mapText)}` : ''),
    // A command the engine refuses when it takes effect (credits gone, cell taken) is play, as offline.
    errors: (seats) => seats.flatMap(({ seat }) => seat.errors.filter((e) => !e.startsWith('ERROR_REJECTED'))),
    events: () => [],
  });
}

/** Decoding a map line back (for a client that downloaded one). */
export const mapTextOf = fromMapLine;

export const creepsmashClientProtocol: ClientProtocol = {
  id: 'se1',
  game: 'creepsmash',
  defaultPort: DEFAULT_PORT,
  playOnline,
};
