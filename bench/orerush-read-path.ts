/**
 * The Ore Rush client's read path per round without sockets, frames lent against frames copied: `sessions`
 * sessions, each with its own framer (the client's: STX/ETX, the `succs` constant) and UpdateReader, take turns
 * reading one read's worth of bytes (`succs` and the next round's `updte`, as bench/orerush-answering-server.ts
 * sends them) that is first copied into one reused buffer, as a connection reading through `onread` gets it; the
 * update is taken (`UpdateReader.take`), and the update taken before it gets its observation built, as the bot's
 * decision asks for it before the next update comes. With thousands of sessions each one's memory is out of the cache when its
 * turn comes, as in a load generator. Prints CPU-µs per round for both, in alternated rounds of 1 CPU-second.
 *
 * Run: node --import tsx bench/orerush-read-path.ts [sessions=5000] [rounds=4]
 */
import { createRng } from '../src/core/rng.ts';
import { type OreRushAction, orerushEngine } from '../src/games/orerush/index.ts';
import { delimitedFramer, type FrameSink } from '../src/net/framing.ts';
import { encodePacket, encodeUpdateBody, type OreRushUpdate, UpdateReader } from '../src/protocols/orerush/index.ts';
import { createRandomStrategy } from '../strategies/orerush/index.ts';

const [sessions = 5000, rounds = 4] = process.argv.slice(2).map(Number);
const SUCCS = encodePacket({ type: 'succs' });
const frame = (body: Buffer) => Buffer.concat([Buffer.from([0x02]), body, Buffer.from([0x03])]);

// One read per round of a seeded game of random bots, seat 0's updates.
const reads: Buffer[] = [];
{
  let state = orerushEngine.setup(orerushEngine.defaultConfig(), 4, createRng('answering-server'));
  const bots = Array.from({ length: 4 }, () => createRandomStrategy({ params: {} }));
  const ctx = { rng: createRng('answering-server/bots') } as never;
  while (orerushEngine.toAct(state).kind !== 'terminal') {
    reads.push(Buffer.concat([frame(SUCCS), frame(encodeUpdateBody(orerushEngine.observe(state, 0), null))]));
    const actions = new Map(
      bots.map((b, seat) => [seat, b.decide(orerushEngine.observe(state, seat), ctx) as OreRushAction]),
    );
    state = orerushEngine.apply(state, { kind: 'players', actions });
  }
}
const shared = Buffer.allocUnsafe(64 * 1024);

/** A set of sessions framing with or without `lends`, and the round each reads next. */
function sessionSet(lends: boolean) {
  const all = Array.from({ length: sessions }, () => {
    const reader = new UpdateReader();
    let held: OreRushUpdate | null = null;
    const sink: FrameSink = {
      frame: (f) => {
        if (f === SUCCS) return;
        // The bot decided on the update it held (its observation asked for) before the next one comes.
        held?.observation();
        held = reader.take(f);
        if (held === null) throw new Error('update not read');
      },
      error: (e) => {
        throw e;
      },
    };
    return { framer: delimitedFramer({ start: 0x02, end: 0x03, maxFrame: 1 << 20, constants: [SUCCS], lends }), sink };
  });
  return { all, next: 0 };
}
type SessionSet = ReturnType<typeof sessionSet>;

/** One round of every session of the set. */
function pass(set: SessionSet): void {
  const chunk = reads[set.next]!;
  set.next = (set.next + 1) % reads.length;
  for (const s of set.all) {
    chunk.copy(shared);
    s.framer.push(shared.subarray(0, chunk.length), s.sink);
  }
}

/** CPU-µs per round over whole passes until at least `ms` of CPU time. */
function perRound(set: SessionSet, ms: number): number {
  let done = 0;
  const start = process.cpuUsage();
  for (;;) {
    pass(set);
    done += sessions;
    const c = process.cpuUsage(start);
    if (c.user + c.system >= ms * 1000) return Math.round(((c.user + c.system) / done) * 100) / 100;
  }
}

// Both sets made and warmed up first (a session's first update allocates its memo: not a round's cost).
const sets = { copies: sessionSet(false), lends: sessionSet(true) };
for (let k = 0; k < 3; k++) {
  pass(sets.copies);
  pass(sets.lends);
}
const out = { copies: [] as number[], lends: [] as number[] };
for (let i = 0; i < rounds; i++) {
  // Alternated, the order reversed every other round.
  const order = i % 2 === 0 ? (['copies', 'lends'] as const) : (['lends', 'copies'] as const);
  for (const k of order) out[k].push(perRound(sets[k], 1000));
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log(
  JSON.stringify({ sessions, cpuUsPerRound: out, median: { copies: median(out.copies), lends: median(out.lends) } }),
);
