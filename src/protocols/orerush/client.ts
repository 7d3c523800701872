/**
 * An Ore Rush client session: packets in and out, answers matched to requests in order, every packet of the
 * server answered, and an adapter that turns `updte` packets into the engine's observation so the same
 * strategies play here and in-process.
 */
import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import { connectFramed } from '../../net/client.ts';
import type { Connection } from '../../net/connection.ts';
import { Fifo } from '../../net/fifo.ts';
import { delimitedFramer } from '../../net/framing.ts';
import {
  ANSWER_TYPES,
  awake,
  DEFAULT_PORT,
  decodePacket,
  ErrorCode,
  ETX,
  encodePacket,
  encodePacketText,
  errorPacket,
  MAX_PACKET,
  type Packet,
  PacketError,
  STX,
  succs,
} from './packets.ts';
import { isUpdateBody, type OreRushUpdate, readyUpdate, UpdateReader } from './update-codec.ts';
import { decodeGameInfo, decodeUpdate, type GameInfo } from './wire.ts';

/** What a request got back. */
export type Answer =
  | { readonly kind: 'success' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly code: number; readonly message: string };

export class AnswerTimeoutError extends Error {
  override name = 'AnswerTimeoutError';
}

export interface ClientHandlers {
  /** An `updte`, checked in full; its observation is built when asked for (`update.observation()`). */
  onUpdate?(update: OreRushUpdate): void;
  onSettings?(info: GameInfo): void;
  /** `player` left the game; -1: the game is over or was closed. */
  onClose?(player: number): void;
  onChat?(from: number, message: string): void;
  onNick?(player: number, name: string): void;
  /** The connection ended. */
  onDisconnect?(reason: string): void;
  /** A server packet this client could not read (answered with an error): a game cannot go on silently. */
  onUnreadable?(type: string, message: string): void;
}

export interface ClientOptions {
  host: string;
  port?: number;
  /** A request unanswered for this long fails (the protocol's 10 s). */
  answerTimeoutMs?: number;
  connectTimeoutMs?: number;
  /**
   * Hold the `succs` answers to the server's `updte` and `awake` packets and send them with this session's next
   * packet (its `pmove`, usually) in one write, for at most this long (between half of it and all of it); 0, the
   * default: answer at once. Answers still leave in the order their packets came (§2), long before the server's
   * 10 s silence rule (§3), so the protocol is kept; a load generator halves its socket writes per round.
   */
  holdAnswersMs?: number;
  log?: Logger;
}

type Resolve = (answer: Answer) => void;
type Reject = (error: Error) => void;

/**
 * How a request sent with `send` completes: its answer, or the error when there is none (the connection closed,
 * or no answer in time). Called once, never synchronously from `send`.
 */
export type AnswerCallback = (error: Error | null, answer: Answer | null) => void;

/**
 * One request waiting for its answer (a class: one hidden class, no closure per request): a promise's resolvers
 * (`request`) or a callback (`send`).
 */
class Pending {
  constructor(
    readonly type: string,
    readonly sentAt: number,
    readonly resolve: Resolve | null,
    readonly reject: Reject | null,
    readonly callback: AnswerCallback | null,
  ) {}

  answer(answer: Answer): void {
    if (this.callback) this.callback(null, answer);
    else this.resolve!(answer);
  }

  fail(error: Error): void {
    if (this.callback) this.callback(error, null);
    else this.reject!(error);
  }
}

const SUCCESS: Answer = Object.freeze({ kind: 'success' });
const TIMEOUT: Answer = Object.freeze({ kind: 'timeout' });
/**
 * The packets a session exchanges most, kept encoded: every request's success answer, and the server's keep-alive
 * (once a second to every session) with its answer. Recognised by a byte compare, sent without encoding.
 */
const SUCCS_BODY = encodePacket(succs());
const AWAKE_BODY = encodePacket(awake());
/** The success answer as text: a session's text frames of one tick leave as one string (no Buffer per frame). */
const SUCCS_TEXT = encodePacketText(succs());

/**
 * The held answers of every session of this thread that holds them for `periodMs * 2`, paid by one interval timer
 * (not a timer per session or per round): a session that starts owing is listed in the current generation; each
 * tick pays the sessions of the generation before that still owe since then, so an answer waits between one and
 * two periods unless a packet of its session carries it first.
 */
class AnswerSweep {
  static readonly #byPeriod = new Map<number, AnswerSweep>();
  static of(holdMs: number): AnswerSweep {
    const periodMs = Math.max(1, Math.floor(holdMs / 2));
    let sweep = AnswerSweep.#byPeriod.get(periodMs);
    if (!sweep) {
      sweep = new AnswerSweep(periodMs);
      AnswerSweep.#byPeriod.set(periodMs, sweep);
    }
    return sweep;
  }

  generation = 0;
  #newer: OreRushClient[] = [];
  #older: OreRushClient[] = [];
  #timer: NodeJS.Timeout | undefined;

  private constructor(readonly periodMs: number) {}

  list(client: OreRushClient): number {
    this.#newer.push(client);
    if (!this.#timer) {
      this.#timer = setInterval(this.#tick, this.periodMs);
      this.#timer.unref();
    }
    return this.generation;
  }

  readonly #tick = (): void => {
    const before = this.generation - 1;
    for (const client of this.#older) client.payAnswersOwedSince(before);
    this.generation++;
    this.#older = this.#newer;
    this.#newer = [];
    if (this.#older.length === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  };
}

export class OreRushClient {
  readonly connection: Connection;
  /** Packets the server sent that broke the protocol (counted, answered with an error). */
  protocolErrors: string[] = [];
  #pending = new Fifo<Pending>();
  #timer: NodeJS.Timeout | null = null;
  #handlers: ClientHandlers = {};
  #answerTimeoutMs: number;
  #log: Logger;
  /** This session's `updte` reader (the canonical form in one pass; anything else goes the general way below). */
  #updates = new UpdateReader();
  /** Where held answers are swept (`holdAnswersMs`), or null: answered at once. */
  readonly #sweep: AnswerSweep | null;
  /** `succs` answers held, and the sweep generation in which the oldest of them was held. */
  #owed = 0;
  #owedSince = 0;

  private constructor(connection: Connection, answerTimeoutMs: number, holdAnswersMs: number, log: Logger) {
    this.connection = connection;
    this.#answerTimeoutMs = answerTimeoutMs;
    this.#sweep = holdAnswersMs > 0 ? AnswerSweep.of(holdAnswersMs) : null;
    this.#log = log;
  }

  static async connect(options: ClientOptions, handlers: ClientHandlers = {}): Promise<OreRushClient> {
    let client: OreRushClient | undefined;
    const connection = await connectFramed(
      {
        host: options.host,
        port: options.port ?? DEFAULT_PORT,
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
        // Frames are lent (views of the read): `_onFrame` keeps no frame; the update reader copies what it keeps.
        framer: delimitedFramer({
          start: STX,
          end: ETX,
          maxFrame: MAX_PACKET,
          constants: [SUCCS_BODY, AWAKE_BODY],
          lends: true,
        }),
      },
      {
        onFrame: (frame) => client?._onFrame(frame),
        onFrameError: (error) => client?._protocolError(ErrorCode.frame, `${error.kind}: ${error.message}`),
        onClose: (reason, error) => client?._onClose(`${reason}${error ? `: ${error.message}` : ''}`),
      },
    );
    client = new OreRushClient(
      connection,
      options.answerTimeoutMs ?? 10_000,
      options.holdAnswersMs ?? 0,
      options.log ?? silentLogger,
    );
    client.#handlers = handlers;
    return client;
  }

  setHandlers(handlers: ClientHandlers): void {
    this.#handlers = handlers;
  }

  /** Requests sent and not yet answered (a load test counts them in flight when its run cuts the session off). */
  get requestsInFlight(): number {
    return this.#pending.length;
  }

  get closed(): boolean {
    return this.connection.closed;
  }

  /** Sends a request and resolves with its answer (answers come back in request order). */
  request(packet: Packet): Promise<Answer> {
    if (ANSWER_TYPES.has(packet.type)) throw new Error(`${packet.type} is an answer, not a request`);
    if (this.connection.closed) return Promise.reject(new Error('connection closed'));
    const text = encodePacketText(packet);
    const promise = new Promise<Answer>(this.#capture);
    this.#push(new Pending(packet.type, performance.now(), this.#resolve!, this.#reject!, null), text);
    return promise;
  }

  /**
   * Sends a request completed through `done` instead of a promise (see `AnswerCallback`): the same sending,
   * matching and timeout as `request`, without a promise and its microtask per request.
   */
  send(packet: Packet, done: AnswerCallback): void {
    if (ANSWER_TYPES.has(packet.type)) throw new Error(`${packet.type} is an answer, not a request`);
    if (this.connection.closed) {
      queueMicrotask(() => done(new Error('connection closed'), null));
      return;
    }
    this.#push(new Pending(packet.type, performance.now(), null, null, done), encodePacketText(packet));
  }

  #push(pending: Pending, text: string): void {
    this.#pending.push(pending);
    if (!this.#timer) this.#arm(this.#answerTimeoutMs);
    if (this.#owed > 0) this.#payAnswers();
    this.connection.send(text);
  }

  /** Answers a server request with `succs`: at once, or held for this session's next packet (`holdAnswersMs`). */
  #succeed(): void {
    const sweep = this.#sweep;
    if (!sweep) {
      this.connection.send(SUCCS_TEXT);
      return;
    }
    if (this.#owed++ === 0) this.#owedSince = sweep.list(this);
  }

  /** Sends the held answers (before anything else this session sends, so that answers keep their order). */
  #payAnswers(): void {
    let owed = this.#owed;
    this.#owed = 0;
    while (owed-- > 0) this.connection.send(SUCCS_TEXT);
  }

  /** Sends the held answers if the oldest was held in `generation` or before (for the answer sweep). */
  payAnswersOwedSince(generation: number): void {
    if (this.#owed > 0 && this.#owedSince <= generation) this.#payAnswers();
  }

  /** The executor of every request's promise: one function for all, not a closure per request. */
  #resolve: Resolve | null = null;
  #reject: Reject | null = null;
  readonly #capture = (resolve: Resolve, reject: Reject) => {
    this.#resolve = resolve;
    this.#reject = reject;
  };

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
    const head = this.#pending.peek();
    if (!head || this.connection.closed) return;
    const left = head.sentAt + this.#answerTimeoutMs - performance.now();
    if (left > 0) {
      this.#arm(left);
      return;
    }
    // The answer may still come; the protocol keeps order, so the only safe move is to give up.
    this.#pending.shift();
    head.fail(new AnswerTimeoutError(`no answer to ${head.type} within ${this.#answerTimeoutMs} ms`));
    this.close();
  };

  /** Orderly close of the connection (send `close` first to leave a game politely). */
  close(): void {
    if (this.#owed > 0) this.#payAnswers();
    this.connection.close('local');
  }

  #send(packet: Packet): void {
    if (this.#owed > 0) this.#payAnswers();
    this.connection.send(encodePacketText(packet));
  }

  /** An answer that leaves at once (a rare packet), behind the held ones. */
  #answerNow(): void {
    if (this.#owed > 0) this.#payAnswers();
    this.connection.send(SUCCS_TEXT);
  }

  private _protocolError(code: number, message: string): void {
    this.protocolErrors.push(message);
    this.#log.warn({ code, message }, 'orerush server broke the protocol');
    this.#send(errorPacket(code, message));
  }

  private _onFrame(frame: Buffer): void {
    // The framer hands these two out as the constants themselves (`constants`): told by identity.
    if (frame === SUCCS_BODY) {
      this.#pending.shift()?.answer(SUCCESS);
      return;
    }
    if (frame === AWAKE_BODY) {
      this.#succeed();
      return;
    }
    if (isUpdateBody(frame)) {
      const update = this.#updates.take(frame);
      if (update) {
        this.#succeed();
        this.#handlers.onUpdate?.(update);
        return;
      }
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
      pending.answer(
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
          this.#succeed();
          h.onUpdate?.(readyUpdate(observation, result));
          return;
        }
        case 'settn': {
          const info = decodeGameInfo(packet.settings);
          this.#answerNow();
          h.onSettings?.(info);
          return;
        }
        case 'close':
          this.#answerNow();
          h.onClose?.(packet.player);
          return;
        case 'pchat':
          this.#answerNow();
          h.onChat?.(packet.player, packet.message);
          return;
        case 'nickn':
          this.#answerNow();
          h.onNick?.(packet.player, packet.name);
          return;
        case 'awake':
          this.#succeed();
          return;
        default:
          this._protocolError(ErrorCode.denied, `a server does not send ${packet.type}`);
          return;
      }
    } catch (error) {
      if (error instanceof PacketError) {
        this._protocolError(error.code, error.message);
        h.onUnreadable?.(packet.type, error.message);
        return;
      }
      throw error;
    }
  }

  private _onClose(reason: string): void {
    const pending = this.#pending.drain();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const p of pending) {
      p.fail(new Error(`connection closed (${reason}) before the answer to ${p.type}`));
    }
    this.#handlers.onDisconnect?.(reason);
  }
}
