import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { GameResult } from '../core/engine.ts';
import { DecisionTimeoutError, decisionLimitMs } from '../core/match.ts';
import type { BotDefinition, DecisionContext, Strategy } from '../core/strategy.ts';

/** The prefix of a bot spec that runs a command as a process bot: `exec:python3 my_bot.py`. */
export const EXEC_PREFIX = 'exec:';

/** The protocol version sent in every hello (docs/process-bots.md). */
export const PROCESS_PROTOCOL = 1;

/** A line longer than this from a process is a protocol error (a runaway print, not an action). */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export const isProcessSpec = (spec: string): boolean => spec.trim().startsWith(EXEC_PREFIX);

export class ProcessBotError extends Error {
  override name = 'ProcessBotError';
}

/**
 * Splits a command line into words: whitespace separates, single or double quotes keep spaces, a backslash
 * escapes the next character outside single quotes. No shell runs, so no globbing, pipes or variables.
 */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new ProcessBotError(`unclosed ${quote} in command line: ${text}`);
  if (inWord) words.push(word);
  return words;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * One child process speaking the JSON-lines protocol. It answers one request at a time; anything wrong (it
 * exits, prints a line that is not JSON, answers unasked, is too slow) breaks it for good: the pending
 * request fails with the reason, the process is killed, and its pool starts a fresh one for the next game.
 */
class BotProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #label: string;
  #buffer = '';
  #pending: Pending | null = null;
  #broken: string | null = null;
  readonly #stderrTail: string[] = [];

  constructor(argv: readonly string[], cwd: string, label: string) {
    this.#label = label;
    this.#child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    // Idle processes must not keep botswarm alive: a pending request holds its own timer.
    this.#child.unref();
    for (const stream of [this.#child.stdin, this.#child.stdout, this.#child.stderr]) {
      (stream as unknown as { unref?: () => void }).unref?.();
    }
    this.#child.on('error', (error) => this.#break(`cannot run ${argv[0]}: ${error.message}`));
    this.#child.stdin.on('error', () => {
      // EPIPE after the process died: its exit reports the reason.
    });
    this.#child.on('exit', (code, signal) => {
      const tail = this.#stderrTail.length ? ` (stderr: ${this.#stderrTail.join(' | ')})` : '';
      this.#break(`process exited with ${signal ? `signal ${signal}` : `code ${code}`}${tail}`);
    });
    this.#child.stdout.setEncoding('utf8');
    this.#child.stdout.on('data', (chunk: string) => this.#onData(chunk));
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (chunk: string) => {
      // What the bot prints for its writer goes on to our stderr; its last lines explain a crash.
      process.stderr.write(chunk.replace(/^(?=.)/gm, `[${this.#label}] `));
      for (const line of chunk.split('\n')) if (line.trim()) this.#stderrTail.push(line.trim().slice(0, 200));
      this.#stderrTail.splice(0, Math.max(0, this.#stderrTail.length - 3));
    });
  }

  /** Ready for another request (and another game). */
  get usable(): boolean {
    return this.#broken === null && this.#pending === null;
  }

  send(message: unknown): void {
    if (this.#broken === null) this.#child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  request(message: unknown, limitMs: number): Promise<unknown> {
    if (this.#broken !== null) return Promise.reject(new ProcessBotError(this.#broken));
    if (this.#pending) return Promise.reject(new ProcessBotError('a request is already pending'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending = null;
        this.#break(`no action within ${limitMs} ms`);
        reject(new DecisionTimeoutError(limitMs));
      }, limitMs);
      this.#pending = { resolve, reject, timer };
      this.send(message);
    });
  }

  kill(): void {
    this.#break('stopped');
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    for (;;) {
      const end = this.#buffer.indexOf('\n');
      if (end < 0) break;
      const line = this.#buffer.slice(0, end).trim();
      this.#buffer = this.#buffer.slice(end + 1);
      if (line !== '') this.#onLine(line);
    }
    if (this.#buffer.length > MAX_LINE_BYTES) this.#break(`a line longer than ${MAX_LINE_BYTES} bytes on stdout`);
  }

  #onLine(line: string): void {
    const pending = this.#pending;
    if (!pending) {
      this.#break(`unexpected output while no decision was asked: ${line.slice(0, 80)}`);
      return;
    }
    let reply: unknown;
    try {
      reply = JSON.parse(line);
    } catch {
      this.#break(`invalid JSON on stdout: ${line.slice(0, 80)}`);
      return;
    }
    if (typeof reply !== 'object' || reply === null || !('action' in reply)) {
      this.#break(`the answer has no "action" field: ${line.slice(0, 80)}`);
      return;
    }
    this.#pending = null;
    clearTimeout(pending.timer);
    pending.resolve((reply as { action: unknown }).action);
  }

  #break(reason: string): void {
    if (this.#broken === null) {
      this.#broken = reason;
      this.#child.stdin.end();
      if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    }
    const pending = this.#pending;
    if (pending) {
      this.#pending = null;
      clearTimeout(pending.timer);
      pending.reject(new ProcessBotError(this.#broken));
    }
  }
}

export interface ProcessBotOptions {
  /** The spec as written, `exec:<command line>`; also the bot's name in tables. */
  readonly spec: string;
  readonly game: string;
  /** Where the command runs (relative paths in it resolve from here): the tournament file's folder or the cwd. */
  readonly cwd: string;
}

/** The legal actions of this decision where the engine can enumerate them from what the seat sees. */
function legalActionsOf(observation: unknown, ctx: DecisionContext): readonly unknown[] | undefined {
  const { engine, config } = ctx.model as DecisionContext['model'] & {
    engine: { legalActions?: unknown; determinize?: unknown };
  };
  if (typeof engine.legalActions !== 'function' || typeof engine.determinize !== 'function') return undefined;
  // The state is rebuilt from the observation alone (hidden parts sampled from a stream of its own), so the
  // process gets the same list offline and online and nothing it may not know.
  const state = (engine.determinize as (o: unknown, s: number, c: unknown, r: unknown) => unknown)(
    observation,
    ctx.seat,
    config,
    ctx.rng.fork('legal-actions'),
  );
  return (engine.legalActions as (s: unknown, seat: number) => readonly unknown[])(state, ctx.seat);
}

/**
 * A bot that runs a command and talks to it in JSON lines (docs/process-bots.md). Processes are pooled:
 * a game takes an idle one (or starts one), says hello, asks one decision per turn, sends the result, and
 * gives the process back, so a tournament pays one start-up per concurrent game, not one per game.
 */
export function processBotDefinition(options: ProcessBotOptions): BotDefinition {
  const command = options.spec.trim().slice(EXEC_PREFIX.length).trim();
  const argv = splitCommandLine(command);
  if (argv.length === 0) throw new ProcessBotError(`no command after "${EXEC_PREFIX}" in "${options.spec}"`);
  const idle: BotProcess[] = [];
  const acquire = () => {
    for (;;) {
      const proc = idle.pop();
      if (!proc) return new BotProcess(argv, options.cwd, options.spec.trim());
      if (proc.usable) return proc;
    }
  };
  const create = (): Strategy => {
    let proc: BotProcess | undefined;
    return {
      name: options.spec.trim(),
      async decide(observation: unknown, ctx: DecisionContext): Promise<unknown> {
        if (!proc) {
          proc = acquire();
          proc.send({
            type: 'hello',
            protocol: PROCESS_PROTOCOL,
            game: options.game,
            seat: ctx.seat,
            settings: ctx.model.config,
            budget: ctx.budget,
            // From the bot's own seeded stream: the same offline and online, so a process can be reproducible.
            seed: ctx.rng.int(0, 2 ** 31 - 1),
          });
        }
        const limitMs = ctx.decisionLimitMs ?? decisionLimitMs(ctx.budget);
        const legalActions = legalActionsOf(observation, ctx);
        return proc.request(
          { type: 'decide', observation, ...(legalActions ? { legalActions } : {}), timeLeftMs: limitMs },
          limitMs,
        );
      },
      onGameEnd(result: GameResult, ctx: DecisionContext): void {
        if (!proc) return;
        const done = proc;
        proc = undefined;
        // A process still thinking (the game gave up on it) is out of step with the protocol: it goes.
        if (!done.usable) {
          done.kill();
          return;
        }
        done.send({ type: 'result', seat: ctx.seat, result });
        idle.push(done);
      },
    };
  };
  return {
    name: options.spec.trim(),
    game: options.game,
    description: `process bot: ${command}`,
    create: () => create(),
  };
}
