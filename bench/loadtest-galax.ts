/**
 * The Galax side of the load-test bench: a tiny MOVE/MVOK answering server (run in a child process), a minimal raw
 * `net` client and botswarm's GalaxClient doing the same MOVE→MVOK exchange against it.
 */
import { connect } from 'node:net';
import { GalaxClient } from '../src/protocols/galax/index.ts';
import { pipelinedRate, pipelinedRateCallback, rawCounter, WINDOW } from './loadtest-kit.ts';

/** A tiny server answering the handshake and every MOVE with MVOK: only the clients' cost differs. */
export const MVOK_SERVER = `
const net = require('node:net');
const server = net.createServer((s) => {
  s.setNoDelay(true);
  s.write('GSRV 0.22 bench\\r\\n');
  let rest = '';
  s.on('data', (d) => {
    const lines = (rest + d.toString('latin1')).split('\\n');
    rest = lines.pop();
    let out = '';
    for (const raw of lines) {
      const line = raw.endsWith('\\r') ? raw.slice(0, -1) : raw;
      if (line.startsWith('MOVE ')) out += 'MVOK ' + line.slice(5) + ' 1.5\\r\\n';
      else if (line.startsWith('GCLT')) out += 'CLOK\\r\\nSLCT\\r\\n';
    }
    if (out) s.write(out);
  });
  s.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
`;

/**
 * Round trips/s of a raw net client keeping WINDOW MOVEs in flight for `ms`. `coalesce` false: one write per
 * MOVE (the simplest client); true: the MOVEs answering one read leave in one write, as botswarm's Connection does.
 * It does the work any correct client does, and no more: each MOVE is stamped when sent (for a timeout) and kept
 * in a FIFO, each MVOK is read into its four numbers and matched to the MOVE it answers.
 */
export function rawGalaxClient(port: number, ms: number, coalesce: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    const counter = rawCounter(ms, (rate) => {
      socket.destroy();
      resolve(rate);
    });
    let rest = '';
    let out = '';
    /** Requests in flight (never more than WINDOW), a ring: oldest at `head`, the next one at `tail`. */
    const sent: ({ from: number; to: number; ships: number; sentAt: number } | undefined)[] = new Array(WINDOW);
    let head = 0;
    let tail = 0;
    const send = () => {
      sent[tail] = { from: 0, to: 1, ships: 1, sentAt: performance.now() };
      tail = (tail + 1) % WINDOW;
      if (coalesce) out += 'MOVE 0 1 1\r\n';
      else socket.write('MOVE 0 1 1\r\n');
    };
    socket.on('error', reject);
    socket.on('data', (d) => {
      const lines = (rest + d.toString('latin1')).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (line === 'CLOK\r') {
          counter.start();
          for (let i = 0; i < WINDOW; i++) send();
        } else if (line.startsWith('MVOK ')) {
          const parts = line.slice(5, -1).split(' ');
          const reply = { from: Number(parts[0]), to: Number(parts[1]), ships: Number(parts[2]), arrival: parts[3] };
          const request = sent[head];
          sent[head] = undefined;
          head = (head + 1) % WINDOW;
          if (
            parts.length !== 4 ||
            !request ||
            reply.from !== request.from ||
            reply.to !== request.to ||
            reply.ships !== request.ships ||
            Number.isNaN(Math.round(Number(reply.arrival) * 10))
          )
            throw new Error(`bad MVOK: ${line}`);
          if (counter.answered()) send();
        }
      }
      if (out && !counter.stopping) socket.write(out);
      out = '';
    });
    socket.on('connect', () => socket.write('GCLT 0.22 raw\r\n'));
  });
}

/**
 * The same exchange through botswarm's GalaxClient (Connection, line framer, codec, request matching), driven as
 * the load scenarios drive it: through the callback completion (`sendMove`; `moves()` completes its batch the same
 * way). `promises` true: through the promise API (`await client.move()` in WINDOW loops) instead.
 */
export async function botswarmGalaxClient(port: number, ms: number, promises = false): Promise<number> {
  const client = await GalaxClient.connect({ host: '127.0.0.1', port, name: 'bench', requestTimeoutMs: 30_000 });
  try {
    if (promises) return await pipelinedRate(ms, () => client.move(0, 1, 1));
    return await pipelinedRateCallback(ms, (done) => client.sendMove(0, 1, 1, done));
  } finally {
    client.close();
  }
}
