/**
 * Galax's online adapter for the one seat (src/game/seat.ts): a GalaxClient's messages become the engine's
 * `GalaxObservation` at each YEAR, an action becomes MOVE lines and DONE, WINN ends the game, and a game the
 * server aborted (`ERRJ game <id> aborted`, docs §8) fails the seat at once.
 */
import type { GameResult } from '../../core/engine.ts';
import type { DecisionContext, Strategy } from '../../core/strategy.ts';
import type { OnlineGame, SeatSink } from '../../game/seat.ts';
import { type GalaxAction, type GalaxConfig, type GalaxObservation, galaxEngine } from '../../games/galax/index.ts';
import { GalaxAdapter, type GalaxClient, GalaxReplyError, GalaxSessionError, type GalaxTurn } from './client.ts';
import type { ErrorCode, ServerMessage } from './codec.ts';

export interface GalaxGameOptions<T extends GalaxObservation | GalaxTurn = GalaxObservation> {
  /**
   * What the seat gets at each YEAR: by default the observation, built then; `lazy` hands it the `GalaxTurn`,
   * whose observation is built when the strategy decides (a strategy wrapped in `onGalaxTurns`): a load bot then
   * holds one small object through its think time instead of the observation's planet objects.
   */
  readonly turns?: T extends GalaxTurn ? 'lazy' : 'observations';
  /** Keep every event of the game in the adapter's `history` (default true; a load bot does not read it). */
  readonly keepHistory?: boolean;
}

/** A strategy played on turns (`turns: 'lazy'`): each turn's observation is built when the strategy decides. */
export function onGalaxTurns(strategy: Strategy<GalaxObservation, GalaxAction>): Strategy<GalaxTurn, GalaxAction> {
  return new TurnStrategy(strategy);
}

/** `onGalaxTurns`'s strategy: one object with methods (a load bot keeps it for its game), not one of closures. */
class TurnStrategy implements Strategy<GalaxTurn, GalaxAction> {
  readonly name: string;
  constructor(readonly strategy: Strategy<GalaxObservation, GalaxAction>) {
    this.name = strategy.name;
  }

  decide(turn: GalaxTurn, ctx: DecisionContext): ReturnType<Strategy<GalaxObservation, GalaxAction>['decide']> {
    return this.strategy.decide(turn.observation(), ctx);
  }

  onGameEnd(result: GameResult, ctx: DecisionContext): void {
    this.strategy.onGameEnd?.(result, ctx);
  }
}

/** The server gave up the game after a failure of its own (docs §8): no WINN will come. */
export class GalaxAbortedError extends GalaxSessionError {
  override name = 'GalaxAbortedError';
}

const ABORTED = /^game \d+ aborted/;

export class GalaxOnlineGame<T extends GalaxObservation | GalaxTurn = GalaxObservation>
  implements OnlineGame<T, GalaxAction>
{
  readonly adapter: GalaxAdapter;
  readonly #lazy: boolean;
  #sink: SeatSink<T> | null = null;
  #early: ServerMessage[] = [];
  #detached = false;
  #config: GalaxConfig | undefined;
  #failure: Error | undefined;
  #begun = false;

  /**
   * `client` carries this seat's session: route its `onMessage`, `onUnsolicitedError` and `whenClosed` here (the
   * caller does, once per session: a session plays many games). `settings`: the server's game settings where the
   * wire does not carry them (maxYear, visibility...).
   */
  constructor(
    readonly client: GalaxClient,
    readonly settings: Partial<GalaxConfig> = {},
    readonly label = '',
    options: GalaxGameOptions<T> = {},
  ) {
    this.#lazy = options.turns === 'lazy';
    this.adapter = new GalaxAdapter(options.keepHistory === false ? { keepHistory: false } : {});
  }

  /** The session ended (the client's `whenClosed`): unless the game is over, the seat cannot go on. */
  onClosed(error: Error): void {
    if (this.adapter.winner === null) this.#fail(new GalaxSessionError(`${this.label}${error.message}`));
  }

  /** Every server message of the session (the client's `onMessage`). */
  onMessage(m: ServerMessage): void {
    const sink = this.#sink;
    if (!sink) {
      if (!this.#detached) this.#early.push(m);
      return;
    }
    const what = this.adapter.onMessage(m);
    if (what === 'year') {
      if (!this.#begun) {
        this.#begun = true;
        sink.started();
      } else sink.served('year');
      if (this.adapter.alive) sink.observe((this.#lazy ? this.adapter.turn() : this.adapter.observation()) as T);
    } else if (what === 'over') sink.end(null);
  }

  /** An ERR* line that answers no request (the client's `onUnsolicitedError`). */
  onUnsolicitedError(code: ErrorCode, message: string): void {
    this.#sink?.refused(code, message);
    if (code === 'ERRJ' && ABORTED.test(message))
      this.#fail(new GalaxAbortedError(`${this.label}the server aborted the game (${message})`));
  }

  #fail(error: Error): void {
    if (this.#sink) this.#sink.fail(error);
    else if (!this.#detached) this.#failure ??= error;
  }

  attach(sink: SeatSink<T>): void {
    this.#sink = sink;
    for (const m of this.#early.splice(0)) this.onMessage(m);
    if (this.#failure) sink.fail(this.#failure);
  }

  seat() {
    const a = this.adapter;
    this.#config ??= galaxEngine.parseConfig({
      ...this.settings,
      width: a.width,
      height: a.height,
      planets: a.planetCount,
    });
    return { seat: a.player - 1, config: this.#config };
  }

  /**
   * The year's MOVEs and DONE, in one write. Nothing to wait for: each MOVE reports its refusal, if any, through
   * one bound callback (no promise, reaction or microtask per year; a load generator sends thousands of years a
   * second), and the next decision cannot come before the next YEAR, which the server sends after every MVOK of
   * this year. A session that ends with MOVEs unanswered reaches the seat through `onClosed`, as any other end.
   */
  act(_turn: T, action: GalaxAction): void | Promise<void> {
    const moves = Array.isArray(action) ? action : [];
    const client = this.client;
    // Already closed: the seat fails with the session's error, as it would have waiting for the replies.
    if (client.closed) return client.moves(moves).then(() => {});
    for (let i = 0; i < moves.length; i++) {
      const m = moves[i]!;
      client.sendMove(m.from, m.to, m.ships, this.#onMove);
    }
    client.done();
  }

  readonly #onMove = (error: Error | null): void => {
    if (error instanceof GalaxReplyError) this.#sink?.refused(error.code, error.serverMessage);
  };

  detach(): void {
    this.#sink = null;
    this.#detached = true;
  }
}
