/**
 * The read path of a load generator's worker thread, alone: N client connections in one worker thread, framed as
 * Galax's client frames them (textLineFramer), each receiving a block of 13 lines (12 PLNT and a YEAR) every 25 ms
 * from a server in a child process. Reports the process's CPU per frame over 8 s (the main thread only waits), for
 * the connection's two read paths, alternated: `onread` into the thread's one buffer (what a framer that copies its
 * input gets, connection.ts `readOptions`) and the Readable stream's 'data' events (the same framer with
 * `copiesInput` off).
 *
 *   N=2000 ROUNDS=3 nice -n 10 node --import tsx bench/net-read-path.ts
 */
import { spawn } from 'node:child_process';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Framer } from '../src/net/framing.ts';

const SERVER = `
const net = require('node:net');
const socks = [];
const block = Array.from({ length: 12 }, (_, i) => 'PLNT ' + i + ' 3 4 1 ' + i * 7 + ' 10\\r\\n').join('') + 'YEAR 12\\r\\n';
const server = net.createServer({ backlog: 4096 }, (s) => { s.setNoDelay(true); socks.push(s); s.on('error', () => {}); });
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
let k = 0;
setInterval(() => { for (let i = k % 5; i < socks.length; i += 5) socks[i].write(block); k++; }, 5);
process.on('SIGTERM', () => process.exit(0));
`;

interface Result {
  path: 'onread' | 'stream';
  frames: number;
  cpuS: number;
  nsPerFrame: number;
}

/**
 * The same framer with `copiesInput` off, for the stream path. Its methods are called on it: a framer may be a class
 * instance (textLineFramer's is), whose methods a spread copy would not carry.
 */
function streamed(framer: Framer<string>): Framer<string> {
  return {
    push: (chunk, sink) => framer.push(chunk, sink),
    get buffered() {
      return framer.buffered;
    },
    encode: (payload) => framer.encode(payload),
    encodeText: (payload) => framer.encodeText!(payload),
    copiesInput: false,
  };
}

async function measure(port: number, n: number, stream: boolean): Promise<Result> {
  const { connectFramed } = await import('../src/net/client.ts');
  const { textLineFramer } = await import('../src/net/framing.ts');
  let frames = 0;
  const onFrame = () => {
    frames++;
  };
  const conns = [];
  for (let i = 0; i < n; i++) {
    const framer = textLineFramer({ maxLine: 1024 });
    conns.push(
      await connectFramed(
        { host: '127.0.0.1', port, framer: stream ? streamed(framer) : framer },
        {
          onFrame,
        },
      ),
    );
  }
  await new Promise((r) => setTimeout(r, 2000));
  const f0 = frames;
  const c0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 8000));
  const c = process.cpuUsage(c0);
  for (const conn of conns) conn.destroy('local');
  const counted = frames - f0;
  const micros = c.user + c.system;
  return {
    path: stream ? 'stream' : 'onread',
    frames: counted,
    cpuS: Math.round(micros / 1e4) / 100,
    nsPerFrame: Math.round((micros * 1000) / counted),
  };
}

if (isMainThread) {
  const n = Number(process.env.N ?? 2000);
  const rounds = Number(process.env.ROUNDS ?? 3);
  // The ESM entry of tsx's API (its `register` works in a worker thread as in the main one).
  const tsx = import.meta.resolve('tsx/esm/api');
  const here = import.meta.url;
  for (let round = 0; round < rounds; round++) {
    for (const stream of round % 2 === 0 ? [false, true] : [true, false]) {
      const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
      const port: number = await new Promise((r) => child.stdout!.once('data', (d) => r(JSON.parse(String(d)).port)));
      const worker = new Worker(
        `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(here)}); })`,
        { eval: true, workerData: { port, n, stream } },
      );
      const result: Result = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      child.kill();
      console.log(JSON.stringify({ round, n, ...result }));
    }
  }
} else {
  const { port, n, stream } = workerData as { port: number; n: number; stream: boolean };
  parentPort!.postMessage(await measure(port, n, stream));
}
