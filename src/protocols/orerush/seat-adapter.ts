/**
 * Ore Rush's online adapter for the one seat (src/game/seat.ts): `updte` packets are the engine's observations,
 * an action is one `pmove`; the game is over at the final `updte` and left only once its `close -1` has come and
 * been answered (§2 "every packet is answered", §6.2.4), however late it comes. A `close -1` without a final
 * `updte` is an aborted game (§6.6), an `updte` the client cannot read fails the seat: never silent.
 */
import type { GameResult } from '../../core/engine.ts';
import type { Strategy } from '../../core/strategy.ts';
import type { OnlineGame, SeatSink } from '../../game/seat.ts';
import {
  type OreRushAction,
  type OreRushConfig,
  type OreRushObservation,
  orerushEngine,
} from '../../games/orerush/index.ts';
import { Fifo } from '../../net/fifo.ts';
import type { Answer, ClientHandlers, OreRushClient } from './client.ts';
import { ErrorCode } from './packets.ts';
import { OreRushUpdate } from './update-codec.ts';
import { encodeMoves, type GameInfo } from './wire.ts';

/**
 * Configs read from `settn` rules, by the rules' JSON. Reading them is a schema check of every field, which cost
 * more than a round of play (a fifth of a load generator's CPU while thousands of sessions start); every session
 * of a server gets the same rules, so each distinct rules object is read once. Frozen, as it is shared between
 * sessions (a strategy's forward model only reads it). Bounded: a peer that sends new rules every game only
 * empties it.
 */
const configs = new Map<string, OreRushConfig>();
const CONFIGS_KEPT = 64;

function configOf(rules: Readonly<Record<string, unknown>>): OreRushConfig {
  const key = JSON.stringify(rules);
  const known = configs.get(key);
  if (known) return known;
  const config = orerushEngine.parseConfig(rules);
  Object.freeze(config.oreValues);
  Object.freeze(config);
  if (configs.size >= CONFIGS_KEPT) configs.clear();
  configs.set(key, config);
  return config;
}

/** The server closed the game without a final update (§6.6), or before it started. */
export class OreRushGameClosed extends Error {
  override name = 'OreRushGameClosed';
}

/** What a seat is handed per update: the observation itself, or the update (observation built when asked). */
export type OreRushTurn = OreRushObservation | OreRushUpdate;

export interface OreRushGameOptions<T extends OreRushTurn = OreRushObservation> {
  /**
   * What the seat gets for each update: by default its observation, built when the update comes; `lazy` hands the
   * seat the `OreRushUpdate` itself, for a strategy wrapped in `onUpdates`, which builds the observation when the
   * decision is made (a load test: what a bot is given then does not live through its think time).
   */
  readonly turns?: T extends OreRushUpdate ? 'lazy' : 'observations';
  /** Keep every event of the game in `events` (`play --connect` reports them; a load test does not need them). */
  readonly keepEvents?: boolean;
  /** How long to wait for `close -1` after the final `updte` before leaving anyway (default 10 s, the answer wait). */
  readonly closeWaitMs?: number;
  /** Each `pmove` answered: its round trip in µs and the answer (timing and error counting). */
  onMoveAnswer?(micros: number, answer: Answer): void;
}

type Early =
  | { readonly kind: 'updte'; readonly update: OreRushUpdate }
  | { readonly kind: 'close' }
  | { readonly kind: 'fail'; readonly error: Error };

/**
 * A strategy played on updates (`turns: 'lazy'`): the update's observation is built when the strategy decides.
 * The seat always decides on the newest update it has, whose observation is still to be built.
 */
export function onUpdates(
  strategy: Strategy<OreRushObservation, OreRushAction>,
): Strategy<OreRushUpdate, OreRushAction> {
  const onGameEnd = strategy.onGameEnd;
  return {
    name: strategy.name,
    decide: (update, ctx) => strategy.decide(update.observation(), ctx),
    ...(onGameEnd ? { onGameEnd: (result, ctx) => onGameEnd.call(strategy, result, ctx) } : {}),
  };
}

export class OreRushOnlineGame<T extends OreRushTurn = OreRushObservation> implements OnlineGame<T, OreRushAction> {
  /** The latest `settn` of this game (player number, rules). */
  info: GameInfo | undefined;
  /** The final observation and result, once the final `updte` came. */
  final: { readonly observation: OreRushObservation; readonly result: GameResult } | undefined;
  /** Every event of every `updte`, in order (with `keepEvents`). */
  readonly events: unknown[] = [];
  #sink: SeatSink<T> | null = null;
  readonly #lazy: boolean;
  #early: Early[] = [];
  #detached = false;
  #begun = false;
  #closeTimer: NodeJS.Timeout | undefined;
  #config: OreRushConfig | undefined;
  /** Settles when the `settn` after joining has come. */
  readonly settings: Promise<GameInfo>;
  #settled!: (info: GameInfo) => void;
  #unsettled!: (error: Error) => void;

  constructor(
    readonly client: OreRushClient,
    readonly options: OreRushGameOptions<T> = {},
  ) {
    this.#lazy = options.turns === 'lazy';
    this.settings = new Promise<GameInfo>((resolve, reject) => {
      this.#settled = resolve;
      this.#unsettled = reject;
    });
    this.settings.catch(() => {});
    client.setHandlers(this.handlers);
  }

  readonly handlers: ClientHandlers = {
    onSettings: (info) => {
      this.info = info;
      this.#settled(info);
    },
    onUpdate: (update) => {
      // Once attached (every round but a first that came early), no event object per round.
      if (this.#sink) this.#round(this.#sink, update);
      else this.#deliver({ kind: 'updte', update });
    },
    onClose: (player) => {
      if (player === -1) this.#deliver({ kind: 'close' });
    },
    onDisconnect: (reason) => {
      const error = new Error(`disconnected: ${reason}`);
      this.#unsettled(error);
      this.#deliver({ kind: 'fail', error });
    },
    onUnreadable: (type, message) => {
      if (type === 'updte') this.#deliver({ kind: 'fail', error: new Error(`unreadable updte: ${message}`) });
    },
  };

  #deliver(e: Early) {
    const sink = this.#sink;
    if (!sink) {
      if (!this.#detached) this.#early.push(e);
      return;
    }
    if (e.kind === 'fail') return sink.fail(e.error);
    if (e.kind === 'close') {
      if (this.final) return this.#end(sink);
      return sink.fail(new OreRushGameClosed('the server closed the game without a final update (aborted)'));
    }
    this.#round(sink, e.update);
  }

  #round(sink: SeatSink<T>, update: OreRushUpdate): void {
    if (this.final) return; // nothing counts after the final update
    if (this.options.keepEvents) for (const event of update.events) this.events.push(event);
    if (update.over) {
      const result = update.result;
      if (!result) {
        sink.fail(new Error('final update without a result'));
        return;
      }
      this.final = { observation: update.observation(), result };
      // Leave only once close -1 is in (and answered); if it never comes, after the answer wait.
      this.#closeTimer = setTimeout(() => this.#end(sink), this.options.closeWaitMs ?? 10_000);
      return;
    }
    if (!this.#begun) {
      this.#begun = true;
      sink.started();
    } else sink.served('round');
    sink.observe((this.#lazy ? update : update.observation()) as T);
  }

  #end(sink: SeatSink<T>): void {
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    sink.end(this.final!.result);
  }

  attach(sink: SeatSink<T>): void {
    this.#sink = sink;
    for (const e of this.#early.splice(0)) this.#deliver(e);
  }

  seat() {
    const info = this.info;
    if (!info) throw new Error('update before the game settings');
    this.#config ??= configOf(info.rules);
    return { seat: info.player, config: this.#config };
  }

  /**
   * Sends the `pmove` and hands the turn back at once (no promise per round): its answer comes to `#onMoveAnswer`,
   * in order, before any later packet of the server is read, so a refusal is still handled before the next round.
   */
  act(turn: T, action: OreRushAction): void {
    this.#sendMove(turn.round, action, turn instanceof OreRushUpdate ? turn.robotCount : turn.robots.length);
  }

  /**
   * The moves sent and not yet answered, oldest first, three numbers each: when sent (ms), the round, and the
   * number of robots (for the WAIT retry of a refused move), or -1 for that retry itself (its answer is not
   * reported, as before).
   */
  readonly #moves = new Fifo<number>();

  #sendMove(round: number, action: OreRushAction, robots: number): void {
    const moves = this.#moves;
    moves.push(performance.now());
    moves.push(round);
    moves.push(robots);
    this.client.send(encodeMoves(this.info!.player, round, action), this.#onMoveAnswer);
  }

  /** Bound once: one callback for every move of the game. */
  readonly #onMoveAnswer = (error: Error | null, answer: Answer | null): void => {
    const moves = this.#moves;
    const sent = moves.shift()!;
    const round = moves.shift()!;
    const robots = moves.shift()!;
    if (error) {
      // As the awaited answer did: the seat fails a microtask later (a disconnect's own report comes first).
      queueMicrotask(() => this.#sink?.fail(error));
      return;
    }
    if (robots < 0) return;
    this.options.onMoveAnswer?.(Math.round((performance.now() - sent) * 1000), answer!);
    if (answer!.kind === 'timeout') this.#sink?.refused('timeout', `round ${round}: move came too late`);
    else if (answer!.kind === 'error') {
      this.#sink?.refused(String(answer!.code), answer!.message);
      // As the local runner does: an illegal action becomes the default action (every robot waits).
      if (answer!.code === ErrorCode.move && this.#sink) {
        const wait: OreRushAction = Array.from({ length: robots }, () => ({ type: 'WAIT' }) as const);
        this.#sendMove(round, wait, -1);
      }
    }
  };

  detach(): void {
    this.#sink = null;
    this.#detached = true;
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
  }
}
