import { createRequire } from 'node:module';
import type { Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Pretty output; defaults to whether stderr is a terminal. */
  pretty?: boolean;
}

/** pino's level numbers (its defaults, which we do not change). */
const LEVELS: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};
const METHODS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/**
 * The one logger factory: JSON lines on stderr (stdout is for tables and reports), pretty only on a TTY.
 * The level comes from the option, else BOTSWARM_LOG, else `info`.
 *
 * pino itself is loaded and created on the first line that passes the level, not here: loading it costs about
 * 50 ms of CPU, paid by every command at start (a load generator before its first bot connects) although at the
 * default levels most runs never write a line. Below the level a call is a no-op, as in pino.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.BOTSWARM_LOG ?? 'info';
  if (!(level in LEVELS)) return realLogger(level, options); // pino's own error for an unknown level
  let real: Logger | undefined;
  return lazyLogger(level, {
    get: () => {
      real ??= realLogger(level, options);
      return real;
    },
    peek: () => real,
  });
}

/** The pino logger behind a lazy one: `get` creates it, `peek` only looks. */
interface Deferred {
  get(): Logger;
  peek(): Logger | undefined;
}

function realLogger(level: string, options: LoggerOptions): Logger {
  const pino = createRequire(import.meta.url)('pino') as typeof import('pino').default;
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  const base = { level, ...(options.name ? { name: options.name } : {}) };
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true } } });
  }
  return pino(base, pino.destination({ fd: 2, sync: false }));
}

/**
 * A Logger whose level methods below `level` do nothing and whose others go to `real()` (created on first use);
 * `child` gives the same over `real().child(bindings)`. The part of pino's face the code base uses: the level
 * methods, `child`, `level`, `isLevelEnabled`, `bindings`, `flush`.
 */
function lazyLogger(level: string, real: Deferred): Logger {
  const threshold = LEVELS[level]!;
  const noop = () => {};
  const logger: Record<string, unknown> = {
    level,
    levelVal: threshold,
    child: (bindings: Record<string, unknown>, childOptions?: object) => {
      let child: Logger | undefined;
      return lazyLogger(level, {
        get: () => {
          child ??= real.get().child(bindings, childOptions);
          return child;
        },
        peek: () => child,
      });
    },
    isLevelEnabled: (name: string) => (LEVELS[name] ?? Number.NaN) >= threshold,
    bindings: () => real.get().bindings(),
    setBindings: (bindings: Record<string, unknown>) => real.get().setBindings(bindings),
    flush: (cb?: (err?: Error) => void) => {
      const created = real.peek();
      // Nothing written yet, nothing to flush: pino is not created for that.
      if (created) created.flush(cb);
      else cb?.();
    },
    silent: noop,
  };
  for (const method of METHODS) {
    logger[method] =
      LEVELS[method]! >= threshold
        ? (...args: unknown[]) => {
            const target = real.get();
            (target[method] as (...a: unknown[]) => void).apply(target, args);
          }
        : noop;
  }
  return logger as unknown as Logger;
}

export { silentLogger } from './silent-logger.ts';
