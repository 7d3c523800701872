import type { AnyEngine, GameResult, StepActions } from '../core/engine.ts';
import { replayActions } from '../core/match.ts';
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
  /**
   * Keep a picture every this many steps (and of the last step); the steps in between add their lines to the next
   * picture. For games of many small steps (CreepSmash: a step is a tick, 20 a second), so that a page stays a few
   * megabytes. Absent: every step.
   */
  readonly frameEvery?: number;
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
  const frame = (
    step: number,
    state: unknown,
    lines: readonly string[],
    seatLines: ViewFrame['seatLines'] = null,
  ): ViewFrame => ({
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
  const frames: ViewFrame[] = [];
  const describe = engine.describeStep?.bind(engine);
  const every = Math.max(1, viewer.frameEvery ?? 1);
  const last = replay.actions.length;
  // Lines of steps not drawn yet (frameEvery > 1): they go with the next picture.
  let pendingLines: string[] = [];
  let pendingSeatLines: string[][] | null = null;
  // The one re-run loop of replays (replayActions: the same set-up streams, validation and state hashes); a frame
  // per state, the first one from the state before step 1.
  const checked = replayActions(
    engine,
    config,
    players,
    replay.seed,
    replay.actions,
    replay.hashes,
    (i, before, step, events, after) => {
      if (i === 1) frames.push(frame(0, before, []));
      const lines = describe ? describe(before, step, events, after) : [];
      let seatLines: string[][] | null = null;
      if (viewer.seat && describe) {
        seatLines = Array.from({ length: players }, (_, seat) => {
          const own: StepActions<unknown, unknown> =
            step.kind === 'players'
              ? { kind: 'players', actions: new Map([...step.actions].filter(([s]) => s === seat)) }
              : step;
          return describe(before, own, viewer.seatEvents ? viewer.seatEvents(events, seat, before) : [], after);
        });
      }
      if (every === 1) {
        frames.push(frame(i, after, lines, seatLines));
        return;
      }
      pendingLines.push(...lines);
      if (seatLines) {
        pendingSeatLines ??= seatLines.map(() => []);
        for (const [seat, l] of seatLines.entries()) pendingSeatLines[seat]!.push(...l);
      }
      if (i % every !== 0 && i !== last) return;
      frames.push(frame(i, after, pendingLines, pendingSeatLines));
      pendingLines = [];
      pendingSeatLines = null;
    },
  );
  if (!checked.ok) throw new ViewError(`${checked.message} (run botswarm replay for details)`);
  if (frames.length === 0) frames.push(frame(0, checked.finalState, []));
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
