/**
 * The per-round work of many Ore Rush bots on one thread, without sockets or timers, so that its CPU and garbage
 * collection can be compared on a loaded machine: `bots` sessions, each with its own UpdateReader, read the
 * updates of a seeded 4-player game of random bots (as bench/orerush-answering-server.ts sends them), round
 * robin; a session holds what it read while every other session reads one update (its "think time": at
 * `bots` rounds a second, one second), then decides with the random strategy and encodes its `pmove`. What a
 * round allocates and keeps is therefore kept as long as in a load test with a 1 s think time. Prints the CPU
 * and the collector's pause time per round over `rounds` rounds after one warm-up pass.
 *
 * Run: node --import tsx bench/orerush-session-sim.ts [bots=5000] [rounds=200000] (`MARK=1 node --trace-gc-nvp ...`:
 * the measured rounds marked in V8's collection trace)
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { createRng } from '../src/core/rng.ts';
import type { DecisionContext } from '../src/core/strategy.ts';
import { type OreRushAction, type OreRushObservation, orerushEngine } from '../src/games/orerush/index.ts';
import { encodeMoves, encodePacketText, encodeUpdateBody, UpdateReader } from '../src/protocols/orerush/index.ts';
import { createRandomStrategy } from '../strategies/orerush/index.ts';

const [bots = 5000, rounds = 200_000] = process.argv.slice(2).map(Number);
const PLAYERS = 4;

const streams: Buffer[][] = Array.from({ length: PLAYERS }, () => []);
{
  let state = orerushEngine.setup(orerushEngine.defaultConfig(), PLAYERS, createRng('answering-server'));
  const players = Array.from({ length: PLAYERS }, () => createRandomStrategy({ params: {} }));
  const ctx = { rng: createRng('answering-server/bots') } as never;
  while (orerushEngine.toAct(state).kind !== 'terminal') {
    for (let seat = 0; seat < PLAYERS; seat++)
      streams[seat]!.push(Buffer.from(encodeUpdateBody(orerushEngine.observe(state, seat), null)));
    const actions = new Map(
      players.map((b, seat) => [seat, b.decide(orerushEngine.observe(state, seat), ctx) as OreRushAction]),
    );
    state = orerushEngine.apply(state, { kind: 'players', actions });
  }
}

type Held = unknown;
interface Session {
  readonly reader: UpdateReader;
  readonly seat: number;
  readonly ctx: DecisionContext;
  next: number;
  held: Held;
}
const strategy = createRandomStrategy({ params: {} });
const lazy = typeof (UpdateReader.prototype as { take?: unknown }).take === 'function';
const sessions: Session[] = Array.from({ length: bots }, (_, i) => ({
  reader: new UpdateReader(),
  seat: i % PLAYERS,
  ctx: { seat: i % PLAYERS, rng: createRng(`bot/${i}`) } as DecisionContext,
  // Sessions start at different rounds of the game, as a load test's do.
  next: i % 50,
  held: undefined,
}));

/** The framer's copy of a frame out of the read buffer. */
const frameOf = (body: Buffer) => {
  const out = Buffer.allocUnsafe(body.length);
  body.copy(out);
  return out;
};

let sent = 0;
function turn(s: Session): void {
  if (s.held !== undefined) {
    const observation = (
      lazy ? (s.held as { observation(): OreRushObservation }).observation() : (s.held as OreRushObservation)
    ) as OreRushObservation;
    const action = strategy.decide(observation, s.ctx) as OreRushAction;
    sent += encodePacketText(encodeMoves(s.seat, observation.round, action)).length;
  }
  const stream = streams[s.seat]!;
  const frame = frameOf(stream[s.next]!);
  s.next = (s.next + 1) % stream.length;
  const r = s.reader as unknown as {
    take?(b: Buffer): unknown;
    read(b: Buffer): { observation: OreRushObservation } | null;
  };
  s.held = lazy ? r.take!(frame) : r.read(frame)!.observation;
}

// Warm-up: every session reads and decides a few times.
for (let k = 0; k < 3; k++) for (const s of sessions) turn(s);

const gc = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === 1) {
      gc.minor++;
      gc.minorMs += e.duration;
    } else {
      gc.major++;
      gc.majorMs += e.duration;
    }
  }
});
observer.observe({ entryTypes: ['gc'] });
// With `--trace-gc-nvp`, MARK=1 marks where the measured rounds begin and end in the trace.
if (process.env.MARK) process.stdout.write('WINDOW-START\n');
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < rounds; i++) turn(sessions[i % bots]!);
const cpu = process.cpuUsage(cpu0);
if (process.env.MARK) process.stdout.write('WINDOW-END\n');
const wall = performance.now() - t0;
await new Promise((r) => setTimeout(r, 10));
observer.disconnect();
console.log(
  JSON.stringify({
    bots,
    rounds,
    lazy,
    cpuUsPerRound: +((cpu.user + cpu.system) / rounds).toFixed(2),
    wallUsPerRound: +((wall * 1000) / rounds).toFixed(2),
    gcUsPerRound: +(((gc.minorMs + gc.majorMs) * 1000) / rounds).toFixed(2),
    scavenges: gc.minor,
    scavengeMsEach: gc.minor ? +(gc.minorMs / gc.minor).toFixed(2) : 0,
    majorGcs: gc.major,
    majorMs: +gc.majorMs.toFixed(1),
    bytesSent: sent,
    sessions: sessions.length,
  }),
);
