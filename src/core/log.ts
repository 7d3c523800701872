import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Pretty output; defaults to whether stderr is a terminal. */
  pretty?: boolean;
}

/**
 * The one logger factory: JSON lines on stderr (stdout is for tables and reports), pretty only on a TTY.
 * The level comes from the option, else BOTSWARM_LOG, else `info`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.BOTSWARM_LOG ?? 'info';
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  const base = { level, ...(options.name ? { name: options.name } : {}) };
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true } } });
  }
  return pino(base, pino.destination({ fd: 2, sync: false }));
}

export { silentLogger } from './silent-logger.ts';
