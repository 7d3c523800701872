/**
 * The Ore Rush side of the load-test bench: a tiny server answering every `pmove` packet with `succs` (run in a
 * child process), a minimal raw `net` client and botswarm's OreRushClient doing the same STX/ETX exchange.
 */
import { connect } from 'node:net';
import type { Command } from '../src/games/orerush/index.ts';
import { type Answer, encodeMoves, OreRushClient } from '../src/protocols/orerush/index.ts';
import { pipelinedRate, pipelinedRateCallback, rawCounter, WINDOW } from './loadtest-kit.ts';

/** A tiny server answering every pmove with succs: only the clients' cost differs. */
export const SUCCS_SERVER = `
const net = require('node:net');
const SUCCS = '\\x02succs\\x1fSuccess\\x03';
const server = net.createServer((s) => {
  s.setNoDelay(true);
  let rest = '';
  s.on('data', (d) => {
    const packets = (rest + d.toString('latin1')).split('\\x03');
    rest = packets.pop();
    let out = '';
    for (const p of packets) if (p.startsWith('\\x02pmove\\x1f')) out += SUCCS;
    if (out) s.write(out, 'latin1');
  });
  s.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
`;

/** One player's commands for its 5 robots, as a bot sends them every round (the round number changes). */
const COMMANDS: Command[] = [
  { type: 'MOVE', x: 7, y: 4 },
  { type: 'DIG', x: 3, y: 9 },
  { type: 'REQUEST', item: 'radar' },
  { type: 'WAIT' },
  { type: 'MOVE', x: 12, y: 1 },
];
const SUCCS_BODY = '\x02succs\x1fSuccess';

/**
 * Round trips/s of a raw net client keeping WINDOW pmoves in flight for `ms`. Like any client it serialises each
 * round's commands to JSON itself, and matches each answer to the request it answers. `coalesce` false: one write per pmove; true: the pmoves answering one read
 * leave in one write, as botswarm's Connection does.
 */
export function rawOreRushClient(port: number, ms: number, coalesce: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    const counter = rawCounter(ms, (rate) => {
      socket.destroy();
      resolve(rate);
    });
    let round = 0;
    let rest = '';
    let out = '';
    /** Requests in flight (never more than WINDOW), a ring: each stamped when sent (for a timeout), oldest at `head`. */
    const sent: ({ type: string; sentAt: number } | undefined)[] = new Array(WINDOW);
    let head = 0;
    let tail = 0;
    const send = () => {
      sent[tail] = { type: 'pmove', sentAt: performance.now() };
      tail = (tail + 1) % WINDOW;
      const packet = `\x02pmove\x1f0\x1f${JSON.stringify({ round: round++, commands: COMMANDS })}\x03`;
      if (coalesce) out += packet;
      else socket.write(packet);
    };
    const flush = () => {
      if (out && !counter.stopping) socket.write(out);
      out = '';
    };
    socket.on('error', reject);
    socket.on('data', (d) => {
      const packets = (rest + d.toString('utf8')).split('\x03');
      rest = packets.pop()!;
      for (const p of packets) {
        const request = sent[head];
        sent[head] = undefined;
        head = (head + 1) % WINDOW;
        if (p !== SUCCS_BODY || !request) throw new Error(`not succs: ${JSON.stringify(p)}`);
        if (counter.answered()) send();
      }
      flush();
    });
    socket.on('connect', () => {
      counter.start();
      for (let i = 0; i < WINDOW; i++) send();
      flush();
    });
  });
}

/**
 * The same exchange through botswarm's OreRushClient (Connection, STX/ETX framer, packet codec, answer matching),
 * through its callback completion (`send`), as the raw client; `promises` true: through `await client.request()`.
 */
export async function botswarmOreRushClient(port: number, ms: number, promises = false): Promise<number> {
  const client = await OreRushClient.connect({ host: '127.0.0.1', port, answerTimeoutMs: 30_000 });
  let round = 0;
  const check = (answer: unknown) => {
    if ((answer as Answer).kind !== 'success') throw new Error(`pmove refused: ${JSON.stringify(answer)}`);
  };
  try {
    if (promises) return await pipelinedRate(ms, () => client.request(encodeMoves(0, round++, COMMANDS)), check);
    return await pipelinedRateCallback(ms, (done) => client.send(encodeMoves(0, round++, COMMANDS), done), check);
  } finally {
    client.close();
  }
}
