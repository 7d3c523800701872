/**
 * The floor under any TCP load generator on this machine: CPU time of a raw ping-pong over loopback, no framing,
 * no codec, no bot. `pairs` connections (both ends in this process, Nagle off) each bounce one 41-byte frame for
 * `ms`; one trip is 2 writes and 2 reads. An Ore Rush round costs the generator 2 writes and 1 read (and the
 * answering peer 1 read and 1 write), so one trip here stands for about the socket work of one round, both sides.
 *
 * Run: node --import tsx bench/loopback-floor.ts [pairs=200] [ms=4000]
 */
import { connect, createServer, type Socket } from 'node:net';

const [pairs = 200, ms = 4000] = process.argv.slice(2).map(Number);
const FRAME = '\x02pmove\x1f0\x1f{"round":1,"commands":[]}\x03';
const server = createServer((s) => {
  s.setNoDelay(true);
  s.on('data', () => s.write(FRAME));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
const port = typeof address === 'object' && address ? address.port : 0;
const sockets = await Promise.all(
  Array.from(
    { length: pairs },
    () =>
      new Promise<Socket>((resolve) => {
        const c = connect(port, '127.0.0.1', () => resolve(c));
        c.setNoDelay(true);
      }),
  ),
);
let trips = 0;
let running = true;
for (const c of sockets)
  c.on('data', () => {
    trips++;
    if (running) c.write(FRAME);
  });
const start = process.cpuUsage();
for (const c of sockets) c.write(FRAME);
await new Promise((resolve) => setTimeout(resolve, ms));
running = false;
const cpu = process.cpuUsage(start);
console.log(
  JSON.stringify({
    pairs,
    trips,
    cpuUsPerTrip: Math.round(((cpu.user + cpu.system) / trips) * 10) / 10,
    trip: '2 writes + 2 reads',
  }),
);
process.exit(0);
