/**
 * Carcassonne bots over SE1: the event stream is turned into the model, the model into the public history
 * (placements, followers, discards), and the history into the engine's observation by `rebuildState`, so a
 * strategy sees exactly what it would see in-process.
 */
import { createHash } from 'node:crypto';
import type { GameResult } from '../../core/engine.ts';
import { matchStreams } from '../../core/match.ts';
import type { DecisionContext } from '../../core/strategy.ts';
import {
  apply,
  type CarcassonneAction,
  type CarcassonneConfig,
  type CarcassonneState,
  carcassonneEngine,
  type DeckMap,
  DX,
  DY,
  defaultAction,
  formatDeckMap,
  kindIndex,
  rebuildState,
  SIDE_NAMES,
} from '../../games/carcassonne/index.ts';
import type { OnlineOutcome, OnlinePlayOptions } from '../registry.ts';
import { ROTATIONS } from './carcassonne.ts';
import { Se1Client, Se1Model } from './client.ts';
import { parseNotice, type Se1Event } from './json.ts';
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

/** `botswarm play carcassonne --connect host:port`: every bot logs in as a test player; bot 0 creates the game. */
export async function playOnline(options: OnlinePlayOptions): Promise<OnlineOutcome> {
  const { bots, seed, budget, log } = options;
  const config = carcassonneEngine.parseConfig(options.settings ?? {});
  const players = bots.length;
  const streams = matchStreams(seed);
  const gameName = `botswarm-${seed}-${Date.now().toString(36)}`;
  const clients: Se1Client[] = [];
  const sessions: CarcassonneSession[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<OnlineOutcome>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no result after ${options.timeoutMs} ms`)), options.timeoutMs);
      const finished = new Set<number>();
      const done = () => {
        if (finished.size < players) return;
        const result = sessions[0]!.result();
        if (!result)
          return reject(new Error('the server announced the end, but the game rebuilt from its events is not over'));
        resolve({
          result,
          decisions: sessions.map((s) => s.decisions),
          errors: sessions.flatMap((s) => s.errors),
          events: sessions[0]!.events,
        });
      };
      const run = async () => {
        for (let seat = 0; seat < players; seat++) {
          const strategy = bots[seat]!.create();
          const ctx: DecisionContext = {
            seat,
            rng: streams.bot(seat),
            budget,
            model: { engine: carcassonneEngine, config },
            log: log.child({ bot: strategy.name, seat }),
          };
          let session: CarcassonneSession | undefined;
          let planned: CarcassonneAction | undefined;
          let client: Se1Client;
          const onPrompt = async (type: string) => {
            const s = session!;
            // START_GAME is sent once every seat has joined (see onEvent), not at the first startGame prompt.
            if (type === 'startGame') return;
            if (type === 'gameOver') {
              finished.add(seat);
              done();
              return;
            }
            if (type === 'drawCard') return client.command('DRAW_CARD');
            if (type === 'placeCard') {
              s.markPending(undefined);
              const obs = s.observation();
              planned = (await strategy.decide(obs, ctx as never)) as CarcassonneAction;
              s.decisions++;
              if (carcassonneEngine.validate(obs, seat, planned) !== null) planned = defaultAction(obs, seat);
              return client.command('PLACE_CARD', s.placeCard(obs, planned));
            }
            if (type === 'placeMeeple') {
              const meeple = s.freeMeeple();
              if (planned && planned.meeple !== null && meeple)
                return client.command('PLACE_MEEPLE', [
                  ['meeple', meeple],
                  ['position', String(planned.meeple)],
                ]);
              return client.command('END_TURN');
            }
            if (type === 'endTurn') return client.command('END_TURN');
          };
          client = await Se1Client.connect({
            host: options.host,
            port: options.port,
            log,
            onEvent: (e) => {
              const s = session!;
              s.onEvent(e);
              // A field placed by me is pending until END_TURN: the engine only sees whole turns.
              if (e.src.startsWith('Game@') && e.prop === 'board' && e.nv && planned) s.markPending(e.nv);
              if (e.src.startsWith('Game@') && e.prop === 'currentPlayer') s.markPending(undefined);
              if (
                e.src.startsWith('Game@') &&
                e.prop === 'players' &&
                e.nv &&
                seat === 0 &&
                s.players.length === players
              )
                client.command('START_GAME');
              const n = parseNotice(e);
              if (!n) return;
              if (n.kind === 'error') {
                s.errors.push(`${n.type} - ${n.message ?? ''}`);
                if (n.type === 'PLACE_MEEPLE') client.command('END_TURN');
                return;
              }
              onPrompt(n.type).catch(reject);
            },
            onClose: () => {
              if (!finished.has(seat)) reject(new Error(`seat ${seat}: the server closed the connection`));
            },
          });
          clients.push(client);
          const account = await client.createTestPlayer();
          await client.login(account.nick, account.password);
          session = new CarcassonneSession(account.nick, config);
          sessions.push(session);
          if (seat === 0) {
            const map = config.deck ? ` -map ${await ensureMap(client, config.deck)}` : '';
            await client.request(`CREATE GAME ${gameName} -maxPlayers ${players} -testgame -seed ${seed}${map}`);
          }
          await client.joinGame(gameName);
        }
      };
      run().catch(reject);
    });
  } finally {
    if (timer) clearTimeout(timer);
    for (const c of clients) c.close();
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
