import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../core/log.ts';
import { silentLogger } from '../core/log.ts';
import { Connection, type ConnectionHandlers, type ConnectionOptions } from './connection.ts';

/**
 * Every reference server's pending-connection queue. A load test connects thousands of bots within seconds while
 * the server's thread is busy with the games already running: with Node's default of 511 the kernel dropped SYNs
 * (retried 1, 3, 7 s later) and final ACKs (a bot that thinks it is connected and never gets a greeting), so bots
 * joined after every game of their step had formed (docs/performance.md, "Galax 10,000 bots").
 */
export const DEFAULT_BACKLOG = 4096;

export interface TcpServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Connection settings; a fresh framer is made for every connection. */
  connection: Omit<ConnectionOptions, 'framer'> & { framer: () => ConnectionOptions['framer'] };
  /** Further connections are refused (closed at once) past this many; 0 = unlimited. */
  maxConnections?: number;
  /**
   * Pending-connection queue of the listening socket; default {@link DEFAULT_BACKLOG}. The kernel caps it at
   * net.core.somaxconn.
   */
  backlog?: number;
  log?: Logger;
  /**
   * Sets up one session. Called with the connection already framed; returns the session's handlers.
   * A throw here closes only this connection.
   */
  accept(connection: Connection): Omit<ConnectionHandlers, 'onClose'> & Partial<Pick<ConnectionHandlers, 'onClose'>>;
}

/**
 * The TCP server every reference server shares: accepts, frames, tracks and closes connections. A handler
 * that throws closes its own connection and is logged; the other clients keep being served.
 */
export class TcpServer {
  readonly connections = new Set<Connection>();
  readonly log: Logger;
  accepted = 0;
  refused = 0;
  #server: Server;
  #options: TcpServerOptions;

  constructor(options: TcpServerOptions) {
    this.#options = options;
    this.log = options.log ?? silentLogger;
    this.#server = createServer((socket) => this.#onSocket(socket));
    this.#server.on('error', (error) => this.log.error({ err: error }, 'server error'));
  }

  #onSocket(socket: Socket): void {
    const max = this.#options.maxConnections ?? 0;
    if (max > 0 && this.connections.size >= max) {
      this.refused++;
      socket.destroy();
      return;
    }
    this.accepted++;
    let handlers: ReturnType<TcpServerOptions['accept']> | undefined;
    const { framer, ...rest } = this.#options.connection;
    const connection = new Connection(
      socket,
      {
        onFrame: (frame) => {
          try {
            handlers?.onFrame(frame);
          } catch (error) {
            this.log.error({ err: error, peer: connection.remote }, 'session handler failed; closing its connection');
            connection.destroy('error', error as Error);
          }
        },
        onFrameError: (error) => {
          try {
            handlers?.onFrameError?.(error);
          } catch (err) {
            connection.destroy('error', err as Error);
          }
        },
        onClose: (reason, error) => {
          this.connections.delete(connection);
          try {
            handlers?.onClose?.(reason, error);
          } catch (err) {
            this.log.error({ err }, 'session close handler failed');
          }
        },
      },
      { ...rest, framer: framer() },
    );
    this.connections.add(connection);
    try {
      handlers = this.#options.accept(connection);
    } catch (error) {
      this.log.error({ err: error }, 'session setup failed');
      connection.destroy('error', error as Error);
    }
  }

  /** Starts listening; resolves with the bound port. */
  listen(): Promise<{ host: string; port: number }> {
    const host = this.#options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once('error', onError);
      this.#server.listen({ port: this.#options.port, host, backlog: this.#options.backlog ?? DEFAULT_BACKLOG }, () => {
        this.#server.off('error', onError);
        const address = this.#server.address();
        const port = typeof address === 'object' && address ? address.port : this.#options.port;
        resolve({ host, port });
      });
    });
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Stops accepting, closes every connection, resolves when the listener is closed. */
  close(): Promise<void> {
    for (const c of this.connections) c.destroy('local');
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
