/**
 * The match host: what every game server does with one game, written once — seats and who is still there, the
 * one clock of a game (a round's deadline, or a turn's), players who do not act in time, and guarded, atomic
 * engine steps. Galax, Ore Rush and the SE1 rooms run their games on it; Catan and CreepSmash will too.
 *
 * The rules are the engine's (src/core/engine.ts); a protocol adapter supplies only wire concerns through
 * `MatchWire`: how to show a round, the end, and an abort to its players. A fault on any path — a request, a
 * timer, a turn deadline — goes through `Match.guard`: it is logged with the game's id and seed, that game is
 * aborted (its players are told the protocol's way), and the server goes on with its other games. Nothing a game
 * does is allowed to reach the process as an uncaught exception.
 */
import type { GameEngine, GameResult, Seat, StepActions } from '../core/engine.ts';
import { type Logger, silentLogger } from '../core/log.ts';
import { matchStreams } from '../core/match.ts';
import type { Rng } from '../core/rng.ts';

/** waiting: set up, not started · running · finished: ended by the rules · aborted: ended by a fault. */
export type MatchStatus = 'waiting' | 'running' | 'finished' | 'aborted';

/**
 * What a protocol adapter tells its players. Every callback runs guarded: a throw there aborts the game like an
 * engine fault (except in `aborted`, whose throw is only logged).
 */
export interface MatchWire<S, E> {
  /**
   * A round of simultaneous moves is open (the first one too): show each seat its view. `events` are those of
   * the step that led here ([] for the first round).
   */
  roundOpened?(match: HostedMatch<S>, events: readonly E[]): void;
  /** The rules ended the game (rounds mode: after the last step; turn mode: when the adapter calls `finish`). */
  finished?(match: HostedMatch<S>, result: GameResult, events: readonly E[]): void;
  /** A fault ended the game: tell its players the protocol's way. `match.state` is the last committed state. */
  aborted(match: HostedMatch<S>, error: unknown): void;
  /** Present seats that had not acted when a round's deadline passed (they get the engine's default action). */
  deadlineMissed?(match: HostedMatch<S>, seats: readonly Seat[]): void;
}

/** The face of a match its wire callbacks see, without the engine's other type parameters. */
export interface HostedMatch<S> {
  readonly id: string | number;
  readonly seed: string | number;
  readonly players: number;
  readonly status: MatchStatus;
  /** The last committed state; undefined before the start (or when the set-up failed). */
  readonly state: S | undefined;
  /** Per seat: still connected. A seat that left is never waited for; the engine's default action plays it. */
  readonly present: readonly boolean[];
  /** Runs `step` guarded: a throw aborts this game (see `Match.guard`). */
  guard(step: () => void): boolean;
  /** Drops a game that never started or that everyone left (no result, nobody told); idempotent. */
  discard(): void;
}

export interface MatchSpec<S, A, C, X, E> {
  /** How the game is named in logs and to its players (a game number, a room name). */
  readonly id: string | number;
  readonly engine: GameEngine<S, A, unknown, C, X, E>;
  readonly config: C;
  /** Set-up draws from its `map` stream and chance steps from its `dice` stream (`matchStreams`), as offline. */
  readonly seed: string | number;
  readonly wire: MatchWire<S, E>;
  /**
   * `rounds`: the host runs the game loop — every acting seat moves once per round, the round closes when every
   * present acting seat is ready or `roundTimeoutMs` passes, then the engine steps (Galax, Ore Rush).
   * `turns`: the adapter drives the steps (`step`, `chance`, `finish`) from its commands and uses the clock for a
   * turn deadline (SE1 rooms, where one engine action takes several commands).
   */
  readonly mode: 'rounds' | 'turns';
  /** A round's deadline (rounds mode), from the moment it opens; 0 = none. */
  readonly roundTimeoutMs?: number;
}

export interface HostStats {
  /** Games started, finished by their rules, and ended by a fault. */
  started: number;
  finished: number;
  aborted: number;
  /** Rounds closed (rounds mode) and steps applied (turn mode). */
  steps: number;
  /** Present seats that missed a round's deadline. */
  deadlinesMissed: number;
}

/**
 * Something that follows a server's games as they are played (the live spectator page, `serve --web`). It runs
 * outside the game: a throw in it is logged and never reaches the game, and with no observer the host does no
 * extra work. It must not keep the game waiting: it sees each committed state and decides by itself what to do.
 */
export interface MatchObserver {
  /** A game was set up and runs from `match.state`. */
  started?(match: ObservedMatch): void;
  /** A step was committed: `events` are that step's only (an empty list when the engine tells none). */
  stepped?(
    match: ObservedMatch,
    before: unknown,
    step: StepActions<unknown, unknown>,
    events: readonly unknown[],
  ): void;
  /** The game ended: by its rules (`finished`), a fault (`aborted`), or dropped; `match.status` says which. */
  ended?(match: ObservedMatch): void;
}

/** What an observer sees of a match: its face plus the engine and config its states belong to. */
export interface ObservedMatch extends HostedMatch<unknown> {
  readonly engine: GameEngine<unknown, unknown, unknown, unknown, unknown, unknown>;
  readonly config: unknown;
}

/** Every game of one server: counts them and stops their clocks when the server closes. */
export class MatchHost {
  readonly log: Logger;
  /** Follows every game of this host (see `MatchObserver`); undefined for most servers. */
  readonly observer: MatchObserver | undefined;
  readonly stats: HostStats = { started: 0, finished: 0, aborted: 0, steps: 0, deadlinesMissed: 0 };
  /** Matches not yet finished or aborted. */
  readonly #live = new Set<Match<unknown, unknown, unknown, unknown, unknown>>();

  constructor(options: { log?: Logger; observer?: MatchObserver } = {}) {
    this.log = options.log ?? silentLogger;
    this.observer = options.observer;
  }

  /** @internal Tells the observer, never letting its fault reach the game. */
  notify(call: (observer: MatchObserver) => void): void {
    if (!this.observer) return;
    try {
      call(this.observer);
    } catch (err) {
      this.log.warn({ err }, 'match observer failed (the game goes on)');
    }
  }

  /** A new match of `spec`, waiting for `start`. */
  open<S, A, C, X, E>(spec: MatchSpec<S, A, C, X, E>): Match<S, A, C, X, E> {
    const match = new Match(this, spec);
    this.#live.add(match as Match<unknown, unknown, unknown, unknown, unknown>);
    return match;
  }

  /** Matches waiting or running. */
  get live(): number {
    return this.#live.size;
  }

  /** @internal A match ended (finished or aborted) or was discarded. */
  release(match: Match<unknown, unknown, unknown, unknown, unknown>): void {
    if (this.#live.delete(match) && this.observer) this.notify((o) => o.ended?.(match as unknown as ObservedMatch));
  }

  /** Stops every clock (the server is closing); the matches are dropped, their players are not told. */
  close(): void {
    for (const m of this.#live) m.disarm();
    this.#live.clear();
  }
}

/**
 * One game on a server. Engine states are immutable values: a step computes the next state and commits it only
 * once the engine returned, so a fault leaves the last good state (which the abort then reports).
 */
export class Match<S, A, C, X, E> implements HostedMatch<S> {
  readonly id: string | number;
  readonly seed: string | number;
  readonly engine: GameEngine<S, A, unknown, C, X, E>;
  readonly config: C;
  readonly #host: MatchHost;
  readonly #wire: MatchWire<S, E>;
  readonly #mode: 'rounds' | 'turns';
  readonly #roundTimeoutMs: number;
  #status: MatchStatus = 'waiting';
  #state: S | undefined;
  #dice: Rng | undefined;
  #players = 0;
  #present: boolean[] = [];
  /** Rounds mode: per seat, whether it acts this round, its action so far, and whether it is ready. */
  #acting: boolean[] = [];
  #actions: (A | undefined)[] = [];
  #ready: boolean[] = [];
  /** Counts rounds (and clock arms): a stale timer or deferred close finds a newer number and does nothing. */
  #generation = 0;
  #clock: NodeJS.Timeout | undefined;
  /** Set while the adapter's `finished` runs: the game is ending by its rules (a fault there still aborts it). */
  #finishing = false;

  constructor(host: MatchHost, spec: MatchSpec<S, A, C, X, E>) {
    this.#host = host;
    this.id = spec.id;
    this.seed = spec.seed;
    this.engine = spec.engine;
    this.config = spec.config;
    this.#wire = spec.wire;
    this.#mode = spec.mode;
    this.#roundTimeoutMs = spec.roundTimeoutMs ?? 0;
  }

  get status(): MatchStatus {
    return this.#status;
  }

  get running(): boolean {
    return this.#status === 'running';
  }

  get state(): S | undefined {
    return this.#state;
  }

  get players(): number {
    return this.#players;
  }

  get present(): readonly boolean[] {
    return this.#present;
  }

  /**
   * Runs `step` (a request of a player, a timer, anything that may call the engine). A throw aborts this game
   * and is not rethrown: the caller's other work (other games, the connection) goes on. Returns whether the step
   * completed. A throw in a game already over is only logged.
   */
  guard(step: () => void): boolean {
    try {
      step();
      return true;
    } catch (error) {
      this.abort(error);
      return false;
    }
  }

  /** Ends the game for a fault: stops its clock, logs it, and lets the adapter tell its players. */
  abort(error: unknown): void {
    const log = this.#host.log;
    if (this.#status === 'finished' || this.#status === 'aborted') {
      log.error({ err: error, game: this.id, seed: this.seed }, 'failure in a game already over');
      return;
    }
    this.#status = 'aborted';
    this.disarm();
    this.#host.release(this as never);
    this.#host.stats.aborted++;
    log.error({ err: error, game: this.id, seed: this.seed }, 'game failed; aborted');
    try {
      this.#wire.aborted(this, error);
    } catch (err) {
      log.error({ err, game: this.id }, 'telling the players of an aborted game failed');
    }
  }

  /**
   * Drops a match that never started or whose players all left: no abort, no result. An adapter may call it from
   * its `finished` callback while cleaning up (the game is ending anyway): it is then a no-op.
   */
  discard(): void {
    if (this.#finishing || this.#status === 'finished' || this.#status === 'aborted') return;
    this.#status = 'aborted';
    this.disarm();
    this.#host.release(this as never);
  }

  /**
   * Sets the game up for `players` seats (all present) from the seed's `map` stream; in rounds mode, opens the
   * first round. Guarded: returns false when the set-up (or the first round) failed and the game was aborted.
   */
  start(players: number): boolean {
    return this.guard(() => {
      if (this.#status !== 'waiting') throw new Error(`match ${this.id} is ${this.#status}, not waiting`);
      const streams = matchStreams(this.seed);
      const state = this.engine.setup(this.config, players, streams.map);
      this.#dice = streams.dice;
      this.#players = players;
      this.#present = new Array<boolean>(players).fill(true);
      this.#state = state;
      this.#status = 'running';
      this.#host.stats.started++;
      if (this.#host.observer) this.#host.notify((o) => o.started?.(this as unknown as ObservedMatch));
      if (this.#mode === 'rounds') this.#openRound([]);
    });
  }

  // --- engine steps, atomic ---------------------------------------------------------------------------------

  /** Applies one step; the new state is committed only once the engine returned it. */
  step(step: StepActions<A, X>, events?: E[]): S {
    const before = this.#running();
    if (this.#host.observer) return this.#observedStep(before, step, events ?? []);
    const next = this.engine.apply(before, step, events);
    this.#state = next;
    this.#host.stats.steps++;
    return next;
  }

  /** `step` under an observer: the same commit, then the observer is told the step and its own events. */
  #observedStep(before: S, step: StepActions<A, X>, events: E[]): S {
    const from = events.length;
    const next = this.engine.apply(before, step, events);
    this.#state = next;
    this.#host.stats.steps++;
    this.#host.notify((o) =>
      o.stepped?.(this as unknown as ObservedMatch, before, step as StepActions<unknown, unknown>, events.slice(from)),
    );
    return next;
  }

  /** Samples a chance outcome from the seed's `dice` stream and applies it. */
  chance(events?: E[]): X {
    const state = this.#running();
    if (!this.engine.sampleChance) throw new Error(`${this.engine.id} has no chance steps`);
    const outcome = this.engine.sampleChance(state, this.#dice!);
    this.step({ kind: 'chance', outcome }, events);
    return outcome;
  }

  /** Turn mode: the rules ended the game (the adapter saw a terminal state). Stops the clock; counts it. */
  finish(events: readonly E[] = []): GameResult {
    const result = this.engine.result(this.#running());
    if (!result) throw new Error(`match ${this.id}: finish() on a state that is not terminal`);
    this.#finished(result, events);
    return result;
  }

  /** Lets the adapter tell the end, then counts the game as finished (unless telling it failed: then aborted). */
  #finished(result: GameResult, events: readonly E[]): void {
    this.#finishing = true;
    try {
      this.#wire.finished?.(this, result, events);
    } finally {
      this.#finishing = false;
    }
    if (this.#status === 'running') this.#end();
  }

  #end(): void {
    this.#status = 'finished';
    this.disarm();
    this.#host.release(this as never);
    this.#host.stats.finished++;
  }

  #running(): S {
    if (this.#status !== 'running' || this.#state === undefined) throw new Error(`match ${this.id} is not running`);
    return this.#state;
  }

  // --- the clock --------------------------------------------------------------------------------------------

  /** The game's one clock (a turn deadline): `onExpire` runs guarded after `ms`, unless re-armed or disarmed. */
  arm(ms: number, onExpire: () => void): void {
    this.disarm();
    const generation = this.#generation;
    this.#clock = setTimeout(() => {
      this.#clock = undefined;
      if (generation !== this.#generation || this.#status !== 'running') return;
      this.guard(onExpire);
    }, ms);
    this.#clock.unref();
  }

  get armed(): boolean {
    return this.#clock !== undefined;
  }

  disarm(): void {
    this.#generation++;
    if (this.#clock) clearTimeout(this.#clock);
    this.#clock = undefined;
  }

  // --- seats --------------------------------------------------------------------------------------------------

  /** A seat's player left (or was dropped): it is no longer waited for. In rounds mode the round may close now. */
  leave(seat: Seat): void {
    if (this.#present[seat] !== true) return;
    this.#present[seat] = false;
    if (this.#mode === 'rounds' && this.running) this.guard(() => this.#closeIfReady());
  }

  /** Seats still connected. */
  get presentCount(): number {
    let n = 0;
    for (const p of this.#present) if (p) n++;
    return n;
  }

  // --- rounds of simultaneous moves -----------------------------------------------------------------------------

  /** Rounds mode: whether `seat` acts in the open round and has not said it is ready. */
  isWaiting(seat: Seat): boolean {
    return this.#acting[seat] === true && !this.#ready[seat];
  }

  /** Rounds mode: the action `seat` has given in the open round so far. */
  actionOf(seat: Seat): A | undefined {
    return this.#actions[seat];
  }

  /** Rounds mode: records `seat`'s action (already validated) without closing its part (Galax adds moves). */
  hold(seat: Seat, action: A): void {
    this.#actions[seat] = action;
  }

  /**
   * Rounds mode: `seat` is done for this round (with `action`, else what it holds, else the default action).
   * When it was the last one waited for, the round closes at once, inside this call (guarded).
   */
  ready(seat: Seat, action?: A): void {
    if (action !== undefined) this.#actions[seat] = action;
    this.#ready[seat] = true;
    // Guarded like `guard`, without a closure per move: this is every move's path.
    try {
      this.#closeIfReady();
    } catch (error) {
      this.abort(error);
    }
  }

  #openRound(events: readonly E[]): void {
    const state = this.#state!;
    const turn = this.engine.toAct(state);
    const players = this.#players;
    this.#acting = new Array<boolean>(players).fill(false);
    if (turn.kind === 'players') for (const seat of turn.seats) this.#acting[seat] = true;
    this.#actions = new Array<A | undefined>(players);
    this.#ready = new Array<boolean>(players).fill(false);
    this.#generation++;
    this.#wire.roundOpened?.(this, events);
    if (this.#status !== 'running') return;
    const generation = this.#generation;
    if (this.#roundTimeoutMs > 0) {
      this.#clock = setTimeout(() => {
        this.#clock = undefined;
        if (generation === this.#generation && this.#status === 'running') this.guard(() => this.#closeRound(true));
      }, this.#roundTimeoutMs);
      this.#clock.unref();
    }
    // Nobody to wait for (everyone left or is out): close on the next turn of the event loop, so that a chain of
    // such rounds never recurses.
    if (!this.#someoneWaited()) {
      setImmediate(() => {
        if (generation === this.#generation && this.#status === 'running') this.guard(() => this.#closeRound(false));
      });
    }
  }

  #someoneWaited(): boolean {
    for (let seat = 0; seat < this.#players; seat++)
      if (this.#acting[seat] && this.#present[seat] && !this.#ready[seat]) return true;
    return false;
  }

  #closeIfReady(): void {
    if (this.#status === 'running' && !this.#someoneWaited()) this.#closeRound(false);
  }

  #closeRound(deadline: boolean): void {
    this.disarm();
    const before = this.#state!;
    const actions = new Map<Seat, A>();
    const missed: Seat[] = [];
    for (let seat = 0; seat < this.#players; seat++) {
      if (!this.#acting[seat]) continue;
      let action = this.#actions[seat];
      if (action === undefined) {
        if (deadline && this.#present[seat] && !this.#ready[seat]) missed.push(seat);
        action = this.engine.defaultAction(before, seat);
      }
      actions.set(seat, action);
    }
    if (missed.length > 0) {
      this.#host.stats.deadlinesMissed += missed.length;
      this.#wire.deadlineMissed?.(this, missed);
    }
    const events: E[] = [];
    this.step({ kind: 'players', actions }, events);
    while (this.engine.toAct(this.#state!).kind === 'chance') this.chance(events);
    const result = this.engine.result(this.#state!);
    if (result) {
      this.#finished(result, events);
      return;
    }
    this.#openRound(events);
  }
}
