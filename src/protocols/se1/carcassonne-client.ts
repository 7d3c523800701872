/**
 * Carcassonne bots over SE1: the event stream is turned into the model, the model into the public history
 * (placements, followers, discards), and the history into the engine's observation by `rebuildState`, so a
 * strategy sees exactly what it would see in-process.
 */
import { createHash } from 'node:crypto';
import type { GameResult } from '../../core/engine.ts';
import {
  apply,
  type CarcassonneAction,
  type CarcassonneConfig,
  type CarcassonneState,
  carcassonneEngine,
  type DeckMap,
  DX,
  DY,
  formatDeckMap,
  kindIndex,
  rebuildState,
  SIDE_NAMES,
} from '../../games/carcassonne/index.ts';
import { ROTATIONS } from './carcassonne.ts';
import { type Se1Client, Se1Model } from './client.ts';
import type { Se1Event } from './json.ts';
import { DEFAULT_PORT } from './server.ts';

type HistoryEntry =
  | { type: 'placed'; x: number; y: number; kind: number; rot: number; meeple: number | null; field: string }
  | { type: 'discarded'; kind: number };

/** Follows one Carcassonne game from its events and answers the server's prompts for one player. */
export class CarcassonneSession {
  readonly model = new Se1Model();
  readonly history: HistoryEntry[] = [];
  readonly events: Se1Event[] = [];
  readonly errors: string[] = [];
  decisions = 0;
  #fieldsSeen = 0;
  #cache: { length: number; state: CarcassonneState } | undefined;

  constructor(
    readonly nick: string,
    readonly config: CarcassonneConfig,
  ) {}

  get game(): string | undefined {
    return this.model.ofClass('Game')[0];
  }

  get players(): readonly string[] {
    return this.game ? this.model.list(this.game, 'players') : [];
  }

  get me(): string | undefined {
    return this.players.find((p) => this.model.get(p, 'nickname') === this.nick);
  }

  /** Updates the model and the public history from one event. */
  onEvent(e: Se1Event): void {
    this.events.push(e);
    this.model.apply(e);
    if (e.src.startsWith('Game@') && e.prop === 'board' && e.nv) {
      if (this.#fieldsSeen++ === 0) return; // the start tile
      const f = e.nv;
      const card = this.model.get(f, 'card')!;
      this.history.push({
        type: 'placed',
        x: Number(this.model.get(f, 'x')),
        y: Number(this.model.get(f, 'y')),
        kind: kindIndex(this.model.get(card, 'type')!),
        rot: (ROTATIONS as readonly string[]).indexOf(this.model.get(f, 'rotation')!),
        meeple: null,
        field: f,
      });
    } else if (e.src.startsWith('Card@') && e.prop === 'discarded' && e.nv === 'true') {
      this.history.push({ type: 'discarded', kind: kindIndex(this.model.get(e.src, 'type')!) });
    } else if (e.src.startsWith('Meeple@') && e.prop === 'position' && e.nv !== undefined) {
      const field = this.model.get(e.src, 'field');
      const entry = this.history.findLast((h) => h.type === 'placed' && h.field === field);
      if (entry && entry.type === 'placed' && entry.meeple === null) entry.meeple = Number(e.nv);
    }
  }

  /** The engine state the events describe, with the drawn card when there is one. */
  observation(): CarcassonneState {
    // Placements whose turn is not over yet are left out: the engine applies a turn only once it ends.
    const done = this.history.filter((h) => h.type === 'discarded' || !this.#isPending(h.field));
    if (!this.#cache || this.#cache.length !== done.length) {
      this.#cache = { length: done.length, state: rebuildState(this.config, this.players.length, done) };
    }
    let state = this.#cache.state;
    const drawn = this.game ? this.model.get(this.game, 'drawnCard') : undefined;
    if (drawn && state.drawn < 0)
      state = apply(state, { kind: 'chance', outcome: kindIndex(this.model.get(drawn, 'type')!) });
    return state;
  }

  #pendingField: string | undefined;
  #isPending(field: string): boolean {
    return field === this.#pendingField;
  }

  /** The commands of an action: PLACE_CARD next to any placed neighbour (the server works out the cell). */
  placeCard(state: CarcassonneState, action: CarcassonneAction): [string, string][] {
    const fields = this.game ? this.model.list(this.game, 'board') : [];
    for (let d = 0; d < 4; d++) {
      const nx = action.x + DX[d]!;
      const ny = action.y + DY[d]!;
      const index = state.tiles.findIndex((t) => t.x === nx && t.y === ny);
      if (index < 0) continue;
      // The new tile lies on side (d + 2) of that neighbour.
      return [
        ['neighbor', fields[index]!],
        ['orientation', SIDE_NAMES[(d + 2) % 4]!],
        ['rotation', ROTATIONS[action.rot]!],
      ];
    }
    throw new Error(`no neighbour for ${action.x},${action.y}`);
  }

  markPending(field: string | undefined): void {
    this.#pendingField = field;
    this.#cache = undefined;
  }

  /** A free meeple of mine. */
  freeMeeple(): string | undefined {
    return this.me ? this.model.list(this.me, 'meeples')[0] : undefined;
  }

  /**
   * The result by the engine's own rules (scores, ranks, ties) on the game rebuilt from the events; null while
   * the rebuilt game is not over. A score the server announced that differs from it is added to `errors`.
   */
  result(): GameResult | null {
    this.markPending(undefined);
    const result = carcassonneEngine.result(this.observation());
    if (!result) return null;
    // Players are listed in seat order (join order), as the engine numbers them.
    for (const [seat, p] of this.players.entries()) {
      const announced = this.model.get(p, 'score');
      if (announced !== String(result.scores[seat]))
        this.errors.push(
          `seat ${seat}: the server announced score ${announced}, the rules give ${result.scores[seat]}`,
        );
    }
    return result;
  }
}

/**
 * Puts a deck on the server as a map named after its content (`deck-<hash>`), unless it is there already;
 * returns the name. Every bot then plays on the deck of its own config.
 */
export async function ensureMap(client: Se1Client, deck: DeckMap): Promise<string> {
  const content = formatDeckMap(deck);
  const name = `deck-${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
  const there = await client.downloadMap(name).catch(() => undefined);
  if (there === undefined) await client.uploadMap(name, content);
  else if (there !== content) throw new Error(`the server's map ${name} is not this deck`);
  return name;
}

export const CARCASSONNE_DEFAULT_PORT = DEFAULT_PORT;
