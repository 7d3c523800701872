import type { AnyEngine, GameResult, StepActions } from '../core/engine.ts';
import { hashState } from '../core/hash.ts';
import { matchStreams } from '../core/match.ts';
import type { ReplayFile } from '../core/replay.ts';

/**
 * How one game is drawn by `botswarm view`: what of a state and of a seat's observation goes into a frame (plain
 * JSON, `V`), and the page-side function that draws such a view. `renderer` is the source text of a
 * self-contained function `(root, view, info) => void` (no imports, no outer variables: it is pasted into the
 * page), written as a typed function in the game's view.ts and embedded with `Function.prototype.toString`.
 */
export interface GameViewer<S = unknown, O = unknown, V = unknown> {
  readonly game: string;
  /** The whole state, as the page draws it under "full state". */
  full(state: S): V;
  /**
   * What `seat` was shown (`engine.observe`), as the page draws it under that seat. Absent when an observation
   * hides nothing that the drawing shows (Carcassonne: only the deck order is secret): the page then says so.
   */
  seat?(observation: O, seat: number, state: S): V;
  /** The events of a step that `seat` was told about (with `seat`: its lines show only those and its own action). */
  seatEvents?(events: readonly unknown[], seat: number, before: S): unknown[];
  /** Score per seat in this state, for the chart of scores over time. */
  scores(state: S): number[];
  /** A short name for the state, e.g. `year 3.0`, `round 12/200`, `turn 7`. */
  label(state: S): string;
  /** What the score is (`ships`, `points`). */
  readonly scoreName: string;
  /** Shown under the seat switch when `seat` is absent. */
  readonly nothingHidden?: string;
  readonly renderer: string;
}

/** One picture: the state after `step` steps, with what that step did. */
export interface ViewFrame {
  readonly step: number;
  readonly label: string;
  /** The step's actions and events in words (engine.describeStep); frame 0 has none. */
  readonly lines: readonly string[];
  readonly scores: readonly number[];
  readonly full: unknown;
  /** Per seat, what it observed in this state; null when the game hides nothing the picture shows. */
  readonly seats: readonly unknown[] | null;
  /** Per seat, the step in words as that seat knows it: its own action and the events it was told. */
  readonly seatLines: readonly (readonly string[])[] | null;
}

export interface ViewData {
  readonly format: 'botswarm-view/1';
  readonly game: string;
  readonly engineVersion: string;
  readonly seed: string | number;
  readonly bots: readonly string[];
  readonly result: GameResult;
  readonly scoreName: string;
  readonly nothingHidden: string | null;
  readonly frames: readonly ViewFrame[];
}

export class ViewError extends Error {
  override name = 'ViewError';
}

/**
 * Re-runs a replay through its engine, step by step as `replayActions` does (the same setup streams, the same
 * validation, the state hash of every step compared), and keeps a frame per state. A replay that does not re-run
 * is refused with the step where it departs: the page shows only games the engine reproduces.
 */
export function buildViewData(engine: AnyEngine, viewer: GameViewer, replay: ReplayFile): ViewData {
  if (replay.game !== engine.id || viewer.game !== engine.id)
    throw new ViewError(`replay is of ${replay.game}, not ${engine.id}`);
  if (replay.engineVersion !== engine.version)
    throw new ViewError(
      `engine version mismatch: replay was recorded with ${engine.id} ${replay.engineVersion}, this is ${engine.version}`,
    );
  const players = replay.bots.length;
  const config = engine.parseConfig(replay.config);
  let state = engine.setup(config, players, matchStreams(replay.seed).map);
  const check = (i: number) => {
    const expected = replay.hashes[i];
    if (expected !== undefined && expected !== hashState(state))
      throw new ViewError(`the state after step ${i} differs from the replay (run botswarm replay for details)`);
  };
  const frame = (step: number, lines: readonly string[], seatLines: ViewFrame['seatLines'] = null): ViewFrame => ({
    step,
    label: viewer.label(state),
    lines,
    seatLines,
    scores: viewer.scores(state),
    full: viewer.full(state),
    seats: viewer.seat
      ? Array.from({ length: players }, (_, seat) => viewer.seat!(engine.observe(state, seat), seat, state))
      : null,
  });
  check(0);
  const frames: ViewFrame[] = [frame(0, [])];
  replay.actions.forEach((entry, i) => {
    const turn = engine.toAct(state);
    if (turn.kind === 'terminal') throw new ViewError(`the game ended before step ${i + 1}`);
    if (turn.kind !== entry.kind)
      throw new ViewError(`step ${i + 1} is a ${entry.kind} step, the game expects ${turn.kind}`);
    let step: StepActions<unknown, unknown>;
    if (entry.kind === 'chance') step = { kind: 'chance', outcome: entry.outcome };
    else {
      for (const [seat, action] of entry.actions) {
        const reason = engine.validate(state, seat, action);
        if (reason !== null) throw new ViewError(`step ${i + 1}: seat ${seat} action is illegal: ${reason}`);
      }
      step = { kind: 'players', actions: new Map(entry.actions) };
    }
    const events: unknown[] = [];
    const next = engine.apply(state, step, events);
    const describe = engine.describeStep?.bind(engine);
    const lines = describe ? describe(state, step, events, next) : [];
    let seatLines: string[][] | null = null;
    if (viewer.seat && describe) {
      const before = state;
      seatLines = Array.from({ length: players }, (_, seat) => {
        const own: StepActions<unknown, unknown> =
          step.kind === 'players'
            ? { kind: 'players', actions: new Map([...step.actions].filter(([s]) => s === seat)) }
            : step;
        return describe(before, own, viewer.seatEvents ? viewer.seatEvents(events, seat, before) : [], next);
      });
    }
    state = next;
    check(i + 1);
    frames.push(frame(i + 1, lines, seatLines));
  });
  return {
    format: 'botswarm-view/1',
    game: replay.game,
    engineVersion: replay.engineVersion,
    seed: replay.seed,
    bots: replay.bots,
    result: replay.result,
    scoreName: viewer.scoreName,
    nothingHidden: viewer.seat ? null : (viewer.nothingHidden ?? 'this game hides nothing the picture shows'),
    frames,
  };
}
