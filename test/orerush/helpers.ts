import { connect, type Socket } from 'node:net';
import { delimitedFramer } from '../../src/net/framing.ts';
import { decodePacket, ETX, encodePacket, MAX_PACKET, type Packet, STX } from '../../src/protocols/orerush/index.ts';

/** A bare socket speaking raw bytes, collecting decoded packets (and frame errors) for assertions. */
export interface RawClient {
  readonly socket: Socket;
  readonly received: Packet[];
  /** Sends bytes as they are; a Packet is encoded and framed first. */
  send(data: Buffer | string | Packet): void;
  /** The next received packet (skipping `awake` pings unless asked for), in order. */
  next(options?: { includePings?: boolean; timeoutMs?: number }): Promise<Packet>;
  readonly closed: Promise<void>;
  close(): void;
}

export async function rawClient(port: number, options: { answerPings?: boolean } = {}): Promise<RawClient> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const framer = delimitedFramer({ start: STX, end: ETX, maxFrame: MAX_PACKET });
  const received: Packet[] = [];
  let cursor = 0;
  let wake: (() => void) | null = null;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  const send = (data: Buffer | string | Packet) => {
    if (socket.destroyed) return;
    if (typeof data === 'string' || Buffer.isBuffer(data)) socket.write(data);
    else socket.write(framer.encode(encodePacket(data)));
  };
  socket.on('data', (chunk) => {
    framer.push(chunk, {
      frame: (f) => {
        const p = decodePacket(f);
        received.push(p);
        if (p.type === 'awake' && options.answerPings) send({ type: 'succs' });
      },
      error: (e) => {
        throw e;
      },
    });
    wake?.();
  });
  socket.once('close', () => wake?.());
  return {
    socket,
    received,
    send,
    async next(opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
      for (;;) {
        while (cursor < received.length) {
          const p = received[cursor++]!;
          if (p.type !== 'awake' || opts.includePings) return p;
        }
        if (socket.destroyed) throw new Error('connection closed while waiting for a packet');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no packet in time');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    },
    closed,
    close: () => socket.destroy(),
  };
}

/** Escaped text to bytes: `frame('reqst', '1', '0')` is STX reqst US 1 US 0 ETX. */
export function frame(...parts: string[]): Buffer {
  return Buffer.concat([Buffer.from([STX]), Buffer.from(parts.join('\u001f')), Buffer.from([ETX])]);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
