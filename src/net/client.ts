import { connect as netConnect } from 'node:net';
import { Connection, type ConnectionHandlers, type ConnectionOptions, readOptions } from './connection.ts';

export interface ConnectOptions<F = Buffer> extends ConnectionOptions<F> {
  host: string;
  port: number;
  /** Fails the connect after this long. */
  connectTimeoutMs?: number;
  /** Local address to bind (e.g. one of 127.0.0.0/8, so that many clients on one host have distinct IPs). */
  localAddress?: string;
}

/** Opens a framed client connection; rejects on refusal or timeout with a clear message. */
export function connectFramed<F = Buffer>(
  options: ConnectOptions<F>,
  handlers: ConnectionHandlers<F>,
): Promise<Connection<F>> {
  const { host, port, connectTimeoutMs = 10_000, localAddress, ...connectionOptions } = options;
  return new Promise((resolve, reject) => {
    const reads: { connection?: Connection<F> } = {};
    const onread = readOptions(connectionOptions.framer, reads);
    const socket = netConnect({ host, port, ...(localAddress ? { localAddress } : {}), ...(onread ? { onread } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${host}:${port} timed out after ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot connect to ${host}:${port}: ${error.message}`));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      const connection = new Connection(socket, handlers, {
        ...connectionOptions,
        externalReads: onread !== undefined,
      });
      reads.connection = connection;
      resolve(connection);
    });
  });
}

/** Parses `host:port`, `[::1]:port` or a bare port (host 127.0.0.1). */
export function parseHostPort(text: string, defaultPort?: number): { host: string; port: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  let host: string;
  let portText: string | undefined;
  if (bracket) {
    host = bracket[1]!;
    portText = bracket[2];
  } else if (/^\d+$/.test(text)) {
    host = '127.0.0.1';
    portText = text;
  } else {
    const i = text.lastIndexOf(':');
    host = i === -1 ? text : text.slice(0, i);
    portText = i === -1 ? undefined : text.slice(i + 1);
  }
  const port = portText === undefined ? defaultPort : Number(portText);
  if (!host || port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`not a host:port: ${JSON.stringify(text)}`);
  }
  return { host, port };
}

/** True for addresses on this machine's loopback (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
