/**
 * Catan's online adapter for the one seat (src/game/seat.ts) over SE1: at every prompt that asks this player
 * for a decision, the model rebuilt from the events becomes the engine's observation (catan-wire.ts); the
 * strategy's action becomes the command (after the one validate → fallback), and the robber victim prompt that
 * follows a CHOOSE Field is answered from the same action. A Commercial Harbor offer goes out in the seed's form
 * (`OFFER id=Card@.. user=UserAssets@..`, `id=NONE` for no offer). The game's creator starts it once every seat
 * is in.
 */
import type { GameResult } from '../../core/engine.ts';
import type { OnlineGame, SeatSink } from '../../game/seat.ts';
import {
  type CatanAction,
  type CatanBoard,
  type CatanConfig,
  type CatanObservation,
  catanEngine,
  defaultAction,
  rulesView,
} from '../../games/catan/index.ts';
import {
  CATAN_ACTIONS,
  CATAN_KNIGHTS_ACTIONS,
  CatanIndex,
  choiceOf,
  encodeField,
  formatResources,
  KIND_NAMES,
  PROGRESS_NAMES,
  readBoard,
  readConfig,
  readObservation,
  TRACK_NAMES,
} from './catan-wire.ts';
import { type Se1Client, Se1Error, Se1Model } from './client.ts';
import { AnswerTimer, type Se1Event } from './json.ts';

export interface CatanGameOptions {
  /** This bot's login. */
  readonly nick: string;
  /** The game's creator sends START_GAME once `players` have joined. */
  readonly creator: boolean;
  readonly players: number;
  /** Each command the server confirmed (`OK - <ACTION>`) or refused: `roll_dies`, `build`..., its round trip. */
  onAnswer?(kind: string, micros: number, ok: boolean): void;
  /** Every event of the game, after the adapter has read it (load-test counters). */
  onEvent?(e: Se1Event): void;
  /** Settings the game must announce (what `--set` asked for): another value fails the seat with a clear error. */
  readonly expect?: Readonly<Record<string, unknown>>;
}

/** Confirmations of commands: no decision follows from them. */
const CONFIRMED: ReadonlySet<string> = new Set([...CATAN_ACTIONS, ...CATAN_KNIGHTS_ACTIONS]);

type Command = readonly [string, readonly (readonly [string, string])[]];

/** The phases the server prompts in their own words (catan.ts `#prompt`); every other one is a generic choose. */
const PROMPTED_PHASES: ReadonlySet<string> = new Set([
  'setupSettlement',
  'setupRoad',
  'roadBuilding',
  'preRoll',
  'main',
  'discard',
  'robber',
  'offer',
  'confirm',
]);

export class CatanOnlineGame implements OnlineGame<CatanObservation, CatanAction> {
  readonly model = new Se1Model();
  readonly events: Se1Event[] = [];
  readonly errors: string[] = [];
  #sink: SeatSink<CatanObservation> | null = null;
  #early: Se1Event[] = [];
  #detached = false;
  #started = false;
  #begun = false;
  #closed = false;
  #index: CatanIndex | undefined;
  #fixed: { config: CatanConfig; board: CatanBoard } | undefined;
  /** The robber move sent as CHOOSE Field: its victim answers the next `choose(UserAssets:..)`. */
  #robberVictim: number | null = null;

  /** Times each command to its answer, for `options.onAnswer`. */
  readonly #answers: AnswerTimer;

  constructor(
    readonly client: Se1Client,
    readonly options: CatanGameOptions,
  ) {
    this.#answers = new AnswerTimer(options.onAnswer);
  }

  get game(): string | undefined {
    return this.model.ofClass('SettlersOfCatanGame')[0];
  }

  get users(): readonly string[] {
    return this.game ? this.model.list(this.game, 'users') : [];
  }

  /** My UserAssets. */
  get me(): string | undefined {
    return this.users.find((u) => this.model.get(u, 'nickname') === this.options.nick);
  }

  onEvent(e: Se1Event): void {
    const sink = this.#sink;
    if (!sink) {
      if (this.#detached) this.#answers.notice(e);
      else this.#early.push(e);
      return;
    }
    this.events.push(e);
    this.model.apply(e);
    const game = e.src === this.game;
    if (game && e.prop === 'status' && e.nv === 'ABORTED') {
      this.options.onEvent?.(e);
      sink.fail(new Se1Error('the server aborted the game'));
      return;
    }
    if (game && e.prop === 'status' && e.nv === 'RUNNING' && !this.#begun) {
      this.#begun = true;
      sink.started();
    }
    if (game && e.prop === 'users' && e.nv && this.options.creator && !this.#started) {
      if (this.users.length === this.options.players) {
        this.#started = true;
        this.#send(['START_GAME', []]);
      }
    }
    this.options.onEvent?.(e);
    const n = this.#answers.notice(e);
    if (!n) return;
    if (n.kind === 'error') {
      sink.refused(`ERROR_${n.type}`, n.message ?? '');
      // The adapter validated the action first: a refusal means the two ends disagree, and the game cannot go on.
      if (n.type !== 'MESSAGE' && n.type !== 'CHANGE_USER_COLOR' && n.type !== 'TIMEOUT')
        sink.fail(new Se1Error(`${n.type} refused: ${n.message ?? ''}`));
      return;
    }
    if (CONFIRMED.has(n.type)) return;
    this.#prompt(n.type, sink);
  }

  #prompt(type: string, sink: SeatSink<CatanObservation>) {
    if (type === 'startGame') return;
    if (type === 'gameOver') {
      const result = this.result();
      if (!result) return sink.fail(new Se1Error('the server announced the end without scores and ranks'));
      return sink.end(result);
    }
    sink.served('prompt');
    // The second half of a robber move: no new decision.
    if (type.startsWith('choose(UserAssets:') && this.model.get(this.game!, 'phase') === 'robber') {
      const victim = this.#robberVictim;
      if (victim === null) return sink.fail(new Se1Error('asked for a robber victim, but the move named none'));
      return this.#send(['CHOOSE', [['id', this.#ids().seats[victim]!]]]);
    }
    let observation: CatanObservation;
    try {
      observation = this.observation();
    } catch (error) {
      return sink.fail(error as Error);
    }
    sink.observe(observation);
  }

  #ids(): CatanIndex {
    this.#index ??= new CatanIndex(this.model);
    return this.#index;
  }

  /** My observation, from the model as it stands. */
  observation(): CatanObservation {
    const ix = this.#ids();
    if (!this.#fixed) {
      const board = readBoard(this.model, ix);
      const config = readConfig(this.model, ix.game, board);
      for (const [key, want] of Object.entries(this.options.expect ?? {})) {
        const got = (config as unknown as Record<string, unknown>)[key];
        if (got !== want)
          throw new Se1Error(
            `the server's game plays ${key}=${String(got)}, not ${key}=${String(want)} as asked (the server sets it: serve se1 --game catan --set rules="${key}=${String(want)}")`,
          );
      }
      this.#fixed = { config, board };
    }
    return readObservation(this.model, ix, this.#seat(), this.#fixed.config, this.#fixed.board);
  }

  #seat(): number {
    const me = this.me;
    const seat = me === undefined ? undefined : this.#ids().seatOf.get(me);
    if (seat === undefined) throw new Se1Error(`${this.options.nick} is not a player of this game`);
    return seat;
  }

  /** The result the server announced (score and rank per player, the winner). */
  result(): GameResult | null {
    const ix = this.#ids();
    const scores = ix.seats.map((u) => Number(this.model.get(u, 'score')));
    const ranks = ix.seats.map((u) => Number(this.model.get(u, 'rank')));
    if (scores.some((x) => !Number.isInteger(x)) || ranks.some((x) => !Number.isInteger(x))) return null;
    const winner = this.model.get(ix.game, 'winner');
    return { scores, ranks, winner: winner === undefined ? null : (ix.seatOf.get(winner) ?? null) };
  }

  #send([action, properties]: Command): void {
    this.#answers.sent(action);
    this.client.command(action, properties);
    this.#sink?.waiting();
  }

  onClose(): void {
    this.#closed = true;
    this.#sink?.fail(new Se1Error('the server closed the connection'));
  }

  attach(sink: SeatSink<CatanObservation>): void {
    this.#sink = sink;
    for (const e of this.#early.splice(0)) this.onEvent(e);
    if (this.#closed) sink.fail(new Se1Error('the server closed the connection'));
  }

  seat() {
    const ix = this.#ids();
    return {
      seat: this.#seat(),
      config: this.#fixed?.config ?? readConfig(this.model, ix.game, readBoard(this.model, ix)),
    };
  }

  /** The one validate → fallback: an illegal action becomes the engine's default action, then a command. */
  act(observation: CatanObservation, action: CatanAction): void {
    const view = rulesView(observation);
    const seat = observation.seat;
    const planned = catanEngine.validate(view, seat, action) === null ? action : defaultAction(view, seat);
    this.#send(this.#command(planned, observation.step));
  }

  #command(a: CatanAction, step: CatanObservation['step']): Command {
    const ix = this.#ids();
    const phase = step.phase;
    // The Commercial Harbor's offer, in the seed's form: the Card offered (NONE: none) to the next opponent.
    if (a.type === 'harbourOffer' && phase === 'commercialHarbor')
      return [
        'OFFER',
        [
          ['id', a.resource === null ? 'NONE' : ix.cards[a.resource]!],
          ['user', ix.seats[step.left[0]!]!],
        ],
      ];
    // A phase without a prompt of its own (the Cities & Knights decisions) takes every answer as a generic CHOOSE,
    // whatever the action: the Bishop's robber, the Diplomat's road, a Smith's promotion, a cancel.
    if (!PROMPTED_PHASES.has(phase)) return ['CHOOSE', [['id', choiceOf(a, ix.ids()).value]]];
    const r = (x: number) => KIND_NAMES[x]!;
    const at = (v: number) => ix.vertices[v]!;
    switch (a.type) {
      case 'settlement':
        return [
          'BUILD',
          [
            ['type', 'Settlement'],
            ['destination', ix.vertices[a.vertex]!],
          ],
        ];
      case 'city':
        return [
          'BUILD',
          [
            ['type', 'City'],
            ['destination', ix.vertices[a.vertex]!],
          ],
        ];
      case 'road':
        return [
          'BUILD',
          [
            ['type', 'Road'],
            ['destination', ix.edges[a.edge]!],
          ],
        ];
      case 'buyDev':
        return ['BUILD', [['type', 'DevelopmentCard']]];
      case 'roll':
        return ['ROLL_DIES', []];
      case 'end':
        return ['END_TURN', []];
      case 'discard':
        return ['CHOOSE', [['id', r(a.resource)]]];
      case 'robber':
        this.#robberVictim = a.victim;
        return ['CHOOSE', [['id', ix.fields[a.hex]!]]];
      case 'knight':
        return ['PLAY', [['type', 'KNIGHT']]];
      case 'roadBuilding':
        return ['PLAY', [['type', 'ROAD_BUILDING']]];
      case 'yearOfPlenty':
        return [
          'PLAY',
          [
            ['type', 'YEAR_OF_PLENTY'],
            ['resources', `${r(a.resources[0])},${r(a.resources[1])}`],
          ],
        ];
      case 'monopoly':
        return [
          'PLAY',
          [
            ['type', 'MONOPOLY'],
            ['resource', r(a.resource)],
          ],
        ];
      case 'bankTrade':
        return [
          'TRADE',
          [
            ['give', r(a.give)],
            ['take', r(a.get)],
          ],
        ];
      case 'offer':
        return [
          'OFFER',
          [
            ['give', formatResources(a.give)],
            ['take', formatResources(a.get)],
          ],
        ];
      case 'accept':
        return ['CHOOSE', [['id', 'ACCEPT']]];
      case 'decline':
        return ['CHOOSE', [['id', 'DECLINE']]];
      case 'confirm':
        return ['CHOOSE', [['id', ix.seats[a.seat]!]]];
      case 'cancel':
        return ['CHOOSE', [['id', 'NONE']]];
      case 'knightBuild':
        return [
          'BUILD',
          [
            ['type', 'Knight'],
            ['destination', at(a.vertex)],
          ],
        ];
      case 'wall':
        return [
          'BUILD',
          [
            ['type', 'CityWall'],
            ['destination', at(a.vertex)],
          ],
        ];
      case 'knightActivate':
        return ['ACTIVATE_KNIGHT', [['id', at(a.vertex)]]];
      case 'knightPromote':
        return ['UPGRADE_KNIGHT', [['id', at(a.vertex)]]];
      case 'knightMove':
        return [
          'USE_KNIGHT',
          [
            ['id', at(a.from)],
            ['target', at(a.to)],
          ],
        ];
      case 'knightChase':
        return [
          'USE_KNIGHT',
          [
            ['id', at(a.vertex)],
            ['target', 'Robber'],
          ],
        ];
      case 'improve':
        return ['UPGRADE_PROGRESS', [['type', TRACK_NAMES[a.track]!]]];
      case 'progress': {
        // The card's name, then every other field of the engine's action under its own name.
        const fields = Object.entries(a).filter(([k, v]) => k !== 'type' && k !== 'card' && v !== undefined);
        return [
          'PLAY',
          [['type', PROGRESS_NAMES[a.card]!], ...fields.map(([k, v]) => [k, encodeField(k, v, ix.ids())] as const)],
        ];
      }
      default:
        // Every other decision (the Cities & Knights phases, and any the engine adds) answers a choose prompt.
        return ['CHOOSE', [['id', choiceOf(a, ix.ids()).value]]];
    }
  }

  detach(): void {
    this.#sink = null;
    this.#detached = true;
  }
}
