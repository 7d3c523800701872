import type { Logger } from 'pino';

const noop = () => {};

/**
 * A logger that drops everything: the default in tight loops (tournament workers, benchmarks, tests). Written
 * without pino (only its type): loading pino cost a tournament worker thread about a third of its start-up, and a
 * game that logs nothing has no use for it. Every level method does nothing and `child` returns the same logger.
 */
export const silentLogger: Logger = (() => {
  const logger: Record<string, unknown> = {
    level: 'silent',
    levelVal: Number.POSITIVE_INFINITY,
    fatal: noop,
    error: noop,
    warn: noop,
    info: noop,
    debug: noop,
    trace: noop,
    silent: noop,
    child: () => logger,
    bindings: () => ({}),
    setBindings: noop,
    isLevelEnabled: () => false,
    flush: noop,
  };
  return logger as unknown as Logger;
})();
