/**
 * Carcassonne's online adapter for the one seat (src/game/seat.ts) over SE1: the event stream becomes the
 * engine's observation at each `placeCard` prompt addressed to this bot; the other prompts (draw, follower,
 * end of turn) are answered here; the action becomes PLACE_CARD (after the one validate → fallback of the
 * client) and, at the `placeMeeple` prompt, PLACE_MEEPLE or END_TURN. The game's creator starts it once every
 * seat has joined.
 */
import type { OnlineGame, SeatSink } from '../../game/seat.ts';
import {
  type CarcassonneAction,
  type CarcassonneConfig,
  type CarcassonneState,
  carcassonneEngine,
  defaultAction,
} from '../../games/carcassonne/index.ts';
import { CarcassonneSession } from './carcassonne-client.ts';
import { type Se1Client, Se1Error } from './client.ts';
import { AnswerTimer, type Se1Event } from './json.ts';

export interface CarcassonneGameOptions {
  /** This bot's login. */
  readonly nick: string;
  readonly config: CarcassonneConfig;
  /** The game's creator sends START_GAME once `players` have joined. */
  readonly creator: boolean;
  readonly players: number;
  /** Each command the server confirmed (`OK - <ACTION>`) or refused: `draw_card`, `end_turn`..., its round trip. */
  onAnswer?(kind: string, micros: number, ok: boolean): void;
  /** Every event of the game, after the adapter has read it (load-test counters). */
  onEvent?(e: Se1Event): void;
}

/** The prompts that only need an answer, not a decision. */
const CONFIRMED = new Set(['DRAW_CARD', 'PLACE_CARD', 'PLACE_MEEPLE', 'END_TURN', 'START_GAME']);

export class CarcassonneOnlineGame implements OnlineGame<CarcassonneState, CarcassonneAction> {
  readonly session: CarcassonneSession;
  #sink: SeatSink<CarcassonneState> | null = null;
  #early: Se1Event[] = [];
  #detached = false;
  #planned: CarcassonneAction | undefined;
  #started = false;
  #begun = false;
  #closed = false;

  /** Times each command to its answer, for `options.onAnswer`. */
  readonly #answers: AnswerTimer;

  constructor(
    readonly client: Se1Client,
    readonly options: CarcassonneGameOptions,
  ) {
    this.#answers = new AnswerTimer(options.onAnswer);
    this.session = new CarcassonneSession(options.nick, options.config);
  }

  /** Every JSON event of the connection (the client's `onEvent`). */
  onEvent(e: Se1Event): void {
    const sink = this.#sink;
    if (!sink) {
      // The answers to the last turn's commands may follow the end of the game: still timed and counted.
      if (this.#detached) this.#answers.notice(e);
      else this.#early.push(e);
      return;
    }
    const s = this.session;
    s.onEvent(e);
    const game = e.src.startsWith('Game@');
    // A field placed by me is pending until END_TURN: the engine only sees whole turns.
    if (game && e.prop === 'board' && e.nv && this.#planned) s.markPending(e.nv);
    if (game && e.prop === 'currentPlayer') {
      s.markPending(undefined);
      if (!this.#begun) {
        this.#begun = true;
        sink.started();
      }
    }
    // A server fault ended the game (docs/protocols/se1.md, "A game aborted by a server fault"): give up at once.
    if (game && e.prop === 'status' && e.nv === 'ABORTED') {
      this.options.onEvent?.(e);
      sink.fail(new Se1Error('the server aborted the game'));
      return;
    }
    if (game && e.prop === 'players' && e.nv && this.options.creator && !this.#started) {
      if (s.players.length === this.options.players) {
        this.#started = true;
        this.#send('START_GAME');
      }
    }
    this.options.onEvent?.(e);
    const n = this.#answers.notice(e);
    if (!n) return;
    if (n.kind === 'error') {
      sink.refused(`ERROR_${n.type}`, n.message ?? '');
      // A refused follower does not end the turn by itself; a refused tile leaves the turn with nothing to do.
      if (n.type === 'PLACE_MEEPLE') this.#send('END_TURN');
      else if (n.type === 'PLACE_CARD' || n.type === 'START_GAME')
        sink.fail(new Se1Error(`${n.type} refused: ${n.message ?? ''}`));
      return;
    }
    if (CONFIRMED.has(n.type)) return;
    this.#prompt(n.type, sink);
  }

  #prompt(type: string, sink: SeatSink<CarcassonneState>) {
    switch (type) {
      case 'drawCard':
        sink.served('prompt');
        return this.#send('DRAW_CARD');
      case 'placeCard': {
        sink.served('prompt');
        this.session.markPending(undefined);
        return sink.observe(this.session.observation());
      }
      case 'placeMeeple': {
        sink.served('prompt');
        const planned = this.#planned;
        const meeple = this.session.freeMeeple();
        if (planned && planned.meeple !== null && meeple)
          return this.#send('PLACE_MEEPLE', [
            ['meeple', meeple],
            ['position', String(planned.meeple)],
          ]);
        return this.#send('END_TURN');
      }
      case 'endTurn':
        sink.served('prompt');
        return this.#send('END_TURN');
      case 'gameOver': {
        const result = this.session.result();
        if (!result)
          return sink.fail(
            new Se1Error('the server announced the end, but the game rebuilt from its events is not over'),
          );
        return sink.end(result);
      }
      // startGame: the creator starts the game once every seat is taken (above), not at the first prompt.
    }
  }

  #send(action: string, properties: readonly (readonly [string, string])[] = []): void {
    this.#answers.sent(action);
    this.client.command(action, properties);
    this.#sink?.waiting();
  }

  /** The connection ended (the client's `onClose`). */
  onClose(): void {
    this.#closed = true;
    this.#sink?.fail(new Se1Error('the server closed the connection'));
  }

  attach(sink: SeatSink<CarcassonneState>): void {
    this.#sink = sink;
    for (const e of this.#early.splice(0)) this.onEvent(e);
    if (this.#closed) sink.fail(new Se1Error('the server closed the connection'));
  }

  seat() {
    const me = this.session.me;
    return { seat: me ? this.session.players.indexOf(me) : 0, config: this.options.config };
  }

  /** The one place-card → validate → fallback: an illegal placement becomes the engine's default action. */
  act(observation: CarcassonneState, action: CarcassonneAction): void {
    const seat = observation.current;
    const planned =
      carcassonneEngine.validate(observation, seat, action) === null ? action : defaultAction(observation, seat);
    this.#planned = planned;
    this.session.decisions++;
    this.#send('PLACE_CARD', this.session.placeCard(observation, planned));
  }

  detach(): void {
    this.#sink = null;
    this.#detached = true;
  }
}
