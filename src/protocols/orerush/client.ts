/**
 * An Ore Rush client session: packets in and out, answers matched to requests in order, every packet of the
 * server answered, and an adapter that turns `updte` packets into the engine's observation so the same
 * strategies play here and in-process.
 */
import type { GameResult } from '../../core/engine.ts';
import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import { matchStreams } from '../../core/match.ts';
import type { DecisionContext, Strategy } from '../../core/strategy.ts';
import {
  type OreRushAction,
  type OreRushConfig,
  type OreRushObservation,
  orerushEngine,
} from '../../games/orerush/index.ts';
import { connectFramed } from '../../net/client.ts';
import type { Connection } from '../../net/connection.ts';
import { delimitedFramer } from '../../net/framing.ts';
import type { OnlineOutcome, OnlinePlayOptions } from '../registry.ts';
import {
  ANSWER_TYPES,
  awake,
  DEFAULT_PORT,
  decodePacket,
  ErrorCode,
  ETX,
  encodePacket,
  errorPacket,
  MAX_PACKET,
  type Packet,
  PacketError,
  STX,
  succs,
} from './packets.ts';
import { decodeGameInfo, decodeUpdate, encodeMoves, type GameInfo } from './wire.ts';

/** What a request got back. */
export type Answer =
  | { readonly kind: 'success' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly code: number; readonly message: string };

export class AnswerTimeoutError extends Error {
  override name = 'AnswerTimeoutError';
}

export interface ClientHandlers {
  onUpdate?(observation: OreRushObservation, result: GameResult | null): void;
  onSettings?(info: GameInfo): void;
  /** `player` left the game; -1: the game is over or was closed. */
  onClose?(player: number): void;
  onChat?(from: number, message: string): void;
  onNick?(player: number, name: string): void;
  /** The connection ended. */
  onDisconnect?(reason: string): void;
}

export interface ClientOptions {
  host: string;
  port?: number;
  /** A request unanswered for this long fails (the protocol's 10 s). */
  answerTimeoutMs?: number;
  connectTimeoutMs?: number;
  log?: Logger;
}

interface Pending {
  readonly type: string;
  readonly sentAt: number;
  resolve(answer: Answer): void;
  reject(error: Error): void;
}

const SUCCESS: Answer = Object.freeze({ kind: 'success' });
const TIMEOUT: Answer = Object.freeze({ kind: 'timeout' });
/**
 * The packets a session exchanges most, kept encoded: every request's success answer, and the server's keep-alive
 * (once a second to every session) with its answer. Recognised by a byte compare, sent without encoding.
 */
const SUCCS_BODY = encodePacket(succs());
const AWAKE_BODY = encodePacket(awake());

export class OreRushClient {
  readonly connection: Connection;
  /** Packets the server sent that broke the protocol (counted, answered with an error). */
  protocolErrors: string[] = [];
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | null = null;
  #handlers: ClientHandlers = {};
  #answerTimeoutMs: number;
  #log: Logger;

  private constructor(connection: Connection, answerTimeoutMs: number, log: Logger) {
    this.connection = connection;
    this.#answerTimeoutMs = answerTimeoutMs;
    this.#log = log;
  }

  static async connect(options: ClientOptions, handlers: ClientHandlers = {}): Promise<OreRushClient> {
    let client: OreRushClient | undefined;
    const connection = await connectFramed(
      {
        host: options.host,
        port: options.port ?? DEFAULT_PORT,
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
        framer: delimitedFramer({ start: STX, end: ETX, maxFrame: MAX_PACKET }),
      },
      {
        onFrame: (frame) => client?._onFrame(frame),
        onFrameError: (error) => client?._protocolError(ErrorCode.frame, `${error.kind}: ${error.message}`),
        onClose: (reason, error) => client?._onClose(`${reason}${error ? `: ${error.message}` : ''}`),
      },
    );
    client = new OreRushClient(connection, options.answerTimeoutMs ?? 10_000, options.log ?? silentLogger);
    client.#handlers = handlers;
    return client;
  }

  setHandlers(handlers: ClientHandlers): void {
    this.#handlers = handlers;
  }

  get closed(): boolean {
    return this.connection.closed;
  }

  /** Sends a request and resolves with its answer (answers come back in request order). */
  request(packet: Packet): Promise<Answer> {
    if (ANSWER_TYPES.has(packet.type)) throw new Error(`${packet.type} is an answer, not a request`);
    return new Promise((resolve, reject) => {
      if (this.connection.closed) {
        reject(new Error('connection closed'));
        return;
      }
      this.#pending.push({ type: packet.type, sentAt: performance.now(), resolve, reject });
      if (!this.#timer) this.#arm(this.#answerTimeoutMs);
      this.connection.send(encodePacket(packet));
    });
  }

  /**
   * Answers come in request order, so only the oldest pending request can be overdue: one lazy timer for all of
   * them, not a setTimeout and clearTimeout per request. When it fires it fails the connection if the oldest is
   * overdue, or sleeps until it would be.
   */
  #arm(wait: number): void {
    this.#timer = setTimeout(this.#onTimer, wait);
  }

  readonly #onTimer = () => {
    this.#timer = null;
    const head = this.#pending[0];
    if (!head || this.connection.closed) return;
    const left = head.sentAt + this.#answerTimeoutMs - performance.now();
    if (left > 0) {
      this.#arm(left);
      return;
    }
    // The answer may still come; the protocol keeps order, so the only safe move is to give up.
    this.#pending.shift();
    head.reject(new AnswerTimeoutError(`no answer to ${head.type} within ${this.#answerTimeoutMs} ms`));
    this.close();
  };

  /** Orderly close of the connection (send `close` first to leave a game politely). */
  close(): void {
    this.connection.close('local');
  }

  #send(packet: Packet): void {
    this.connection.send(encodePacket(packet));
  }

  private _protocolError(code: number, message: string): void {
    this.protocolErrors.push(message);
    this.#log.warn({ code, message }, 'orerush server broke the protocol');
    this.#send(errorPacket(code, message));
  }

  private _onFrame(frame: Buffer): void {
    if (frame.equals(SUCCS_BODY)) {
      this.#pending.shift()?.resolve(SUCCESS);
      return;
    }
    if (frame.equals(AWAKE_BODY)) {
      this.connection.send(SUCCS_BODY);
      return;
    }
    let packet: Packet;
    try {
      packet = decodePacket(frame);
    } catch (error) {
      if (error instanceof PacketError) {
        this._protocolError(error.code, error.message);
        return;
      }
      throw error;
    }
    if (packet.type === 'succs' || packet.type === 'timeo' || packet.type === 'error') {
      // A frame-level error answers bytes, not a request: it does not consume a pending request.
      if (packet.type === 'error' && packet.code === ErrorCode.frame) {
        this.protocolErrors.push(`server: ${packet.message}`);
        return;
      }
      const pending = this.#pending.shift();
      if (!pending) return;
      pending.resolve(
        packet.type === 'succs'
          ? SUCCESS
          : packet.type === 'timeo'
            ? TIMEOUT
            : { kind: 'error', code: packet.code, message: packet.message },
      );
      return;
    }
    const h = this.#handlers;
    try {
      switch (packet.type) {
        case 'updte': {
          const { observation, result } = decodeUpdate(packet);
          this.connection.send(SUCCS_BODY);
          h.onUpdate?.(observation, result);
          return;
        }
        case 'settn': {
          const info = decodeGameInfo(packet.settings);
          this.connection.send(SUCCS_BODY);
          h.onSettings?.(info);
          return;
        }
        case 'close':
          this.connection.send(SUCCS_BODY);
          h.onClose?.(packet.player);
          return;
        case 'pchat':
          this.connection.send(SUCCS_BODY);
          h.onChat?.(packet.player, packet.message);
          return;
        case 'nickn':
          this.connection.send(SUCCS_BODY);
          h.onNick?.(packet.player, packet.name);
          return;
        case 'awake':
          this.connection.send(SUCCS_BODY);
          return;
        default:
          this._protocolError(ErrorCode.denied, `a server does not send ${packet.type}`);
          return;
      }
    } catch (error) {
      if (error instanceof PacketError) {
        this._protocolError(error.code, error.message);
        return;
      }
      throw error;
    }
  }

  private _onClose(reason: string): void {
    const pending = this.#pending;
    this.#pending = [];
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const p of pending) {
      p.reject(new Error(`connection closed (${reason}) before the answer to ${p.type}`));
    }
    this.#handlers.onDisconnect?.(reason);
  }
}

export interface OnlineSeatResult {
  readonly result: GameResult;
  readonly finalObservation: OreRushObservation;
  readonly decisions: number;
  readonly errors: string[];
  readonly events: unknown[];
}

export interface PlayOreRushOptions extends OnlinePlayOptions {
  /** Rules sent by the game's creator (seat 0) before the others join. */
  rules?: Record<string, unknown>;
  roundTimeoutMs?: number;
}

/**
 * Plays one game with one connection per bot: seat 0 creates a private game (`reqst 0`), sets the player
 * count, the seed and the rules (`settn`), and the others join it by id. Each bot draws from its own stream
 * `bot/<seat>` of the seed, exactly as in the local runner, so a seeded game ends as it does offline.
 */
export async function playOreRushOnline(options: PlayOreRushOptions): Promise<OnlineSeatResult[]> {
  const { bots, seed } = options;
  const log = options.log ?? silentLogger;
  const clients: OreRushClient[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const games: Promise<OnlineSeatResult>[] = [];
    let gameId = 0;
    for (let seat = 0; seat < bots.length; seat++) {
      const infoWaiter = deferred<GameInfo>();
      const done = deferred<OnlineSeatResult>();
      const strategy = bots[seat]!.create() as Strategy<OreRushObservation, OreRushAction>;
      const client = await OreRushClient.connect({ host: options.host, port: options.port, log });
      clients.push(client);
      let info: GameInfo | undefined;
      let config: OreRushConfig | undefined;
      let ctx: DecisionContext | undefined;
      let decisions = 0;
      const errors: string[] = [];
      const events: unknown[] = [];
      let busy = Promise.resolve();
      client.setHandlers({
        onSettings: (i) => {
          info = i;
          infoWaiter.resolve(i);
        },
        onUpdate: (obs, result) => {
          events.push(...obs.events);
          if (obs.over) {
            if (result) {
              const outcome = { result, finalObservation: obs, decisions, errors, events };
              strategy.onGameEnd?.(result, ctx!);
              done.resolve(outcome);
            } else done.reject(new Error('final update without a result'));
            return;
          }
          // Decisions run one at a time; the server sends the next update only after every move is in.
          busy = busy.then(async () => {
            if (!info) throw new Error('update before the game settings');
            config ??= orerushEngine.parseConfig(info.rules);
            ctx ??= {
              seat: info.player,
              rng: matchStreams(seed).bot(info.player),
              budget: options.budget,
              model: { engine: orerushEngine, config },
              log: log.child({ bot: strategy.name, seat: info.player }),
            };
            const action = await strategy.decide(obs, ctx);
            decisions++;
            const answer = await client.request(encodeMoves(info.player, obs.round, action));
            if (answer.kind === 'error') {
              errors.push(`${answer.code} ${answer.message}`);
              // As the local runner does: an illegal action becomes the default action (every robot waits).
              if (answer.code === ErrorCode.move) {
                const wait: OreRushAction = obs.robots.map(() => ({ type: 'WAIT' }));
                await client.request(encodeMoves(info.player, obs.round, wait));
              }
            } else if (answer.kind === 'timeout') errors.push(`round ${obs.round}: move came too late`);
          });
          busy.catch((error) => done.reject(error as Error));
        },
        onClose: (player) => {
          if (player === -1) setTimeout(() => done.reject(new Error('the server closed the game')), 100).unref();
        },
        onDisconnect: (reason) => done.reject(new Error(`disconnected: ${reason}`)),
      });
      done.promise.catch(() => {});
      const joined = await client.request({ type: 'reqst', timestamp: Date.now(), game: gameId });
      if (joined.kind !== 'success') throw new Error(`seat ${seat} cannot join: ${describe(joined)}`);
      const gi = await withTimeout(infoWaiter.promise, 10_000, 'game settings');
      if (seat === 0) {
        gameId = gi.game;
        const set = await client.request({
          type: 'settn',
          settings: {
            players: bots.length,
            seed: String(seed),
            ...(options.roundTimeoutMs ? { roundTimeoutMs: options.roundTimeoutMs } : {}),
            ...(options.rules ? { rules: options.rules } : {}),
          },
        });
        if (set.kind !== 'success') throw new Error(`settings refused: ${describe(set)}`);
      }
      games.push(done.promise);
    }
    const all = Promise.all(games);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result after ${options.timeoutMs} ms`)), options.timeoutMs);
    });
    return await Promise.race([all, timeout]);
  } finally {
    if (timer) clearTimeout(timer);
    for (const c of clients) c.close();
  }
}

export async function playOnline(options: OnlinePlayOptions): Promise<OnlineOutcome> {
  const seats = await playOreRushOnline(options);
  return {
    result: seats[0]!.result,
    decisions: seats.map((s) => s.decisions),
    errors: seats.flatMap((s, seat) => s.errors.map((e) => `seat ${seat}: ${e}`)),
    events: seats[0]!.events,
  };
}

function describe(answer: Answer): string {
  return answer.kind === 'error' ? `error ${answer.code}: ${answer.message}` : answer.kind;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
