import dc from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/**
 * Lets a scenario time the TCP connect of a protocol client that opens its own socket and only resolves once its
 * handshake is over (so `connect` and `handshake` can be told apart without a hook in every client). Node
 * publishes every new client socket on `net.client.socket` synchronously inside `net.connect`; a client's
 * `connect()` reaches `net.connect` before its first await, so the socket created during `open()` is this call's.
 */
let captor: ((socket: Socket) => void) | null = null;
let subscribed = false;

function onSocket(message: unknown): void {
  const socket = (message as { socket?: Socket }).socket;
  if (captor && socket) {
    const c = captor;
    captor = null;
    c(socket);
  }
}

/** Calls `open()` and hands the first client socket it creates synchronously to `onSocket`. */
export function captureSocket<T>(onSocketCreated: (socket: Socket) => void, open: () => T): T {
  if (!subscribed) {
    dc.subscribe('net.client.socket', onSocket);
    subscribed = true;
  }
  captor = onSocketCreated;
  try {
    return open();
  } finally {
    captor = null;
  }
}
