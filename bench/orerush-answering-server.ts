/**
 * A minimal Ore Rush peer for the load-test bench (child process): it plays no game, it answers. Every update it
 * sends was encoded once at start-up (every round of a seeded 4-player game of random bots, per seat), so a
 * capacity figure measured against it is the generator's own cost, not the reference server's. Per connection:
 * `reqst` → `succs`, `settn` (seat = connection number mod 4), the round-0 `updte`; `pmove` → `succs` and the
 * next round's `updte` at once (with an `awake` once a second, as the real server pings); `close`, `awake`,
 * `nickn`, `settn`, `pchat` → `succs`; answers are read and dropped. The game's rounds repeat from the start when
 * they run out (a step never gets there). Prints `{"port": n}` when listening.
 *
 * With `--rounds K` a game ends after K moves: the K-th `pmove` is followed by the game's final `updte` (with its
 * result) and `close -1`, as the reference server ends a game; a session that then asks for another game gets
 * one. A fixed amount of work per session: what a generator's CPU per round and per session is measured with
 * (CPU time over the work done, whatever the machine's load does to the wall clock).
 *
 * Run: node --import tsx bench/orerush-answering-server.ts [--rounds K]
 */
import { createServer } from 'node:net';
import { createRng } from '../src/core/rng.ts';
import { type OreRushAction, orerushEngine } from '../src/games/orerush/index.ts';
import { encodePacket, encodeUpdateBody } from '../src/protocols/orerush/index.ts';
import { createRandomStrategy } from '../strategies/orerush/index.ts';

const PLAYERS = 4;
const roundsFlag = process.argv.indexOf('--rounds');
const GAME_ROUNDS = roundsFlag < 0 ? 0 : Number(process.argv[roundsFlag + 1]);
if (!Number.isInteger(GAME_ROUNDS) || GAME_ROUNDS < 0) {
  process.stderr.write(`--rounds: not a whole number of rounds: ${process.argv[roundsFlag + 1]}\n`);
  process.exit(2);
}
const frame = (body: Buffer) => Buffer.concat([Buffer.from([0x02]), body, Buffer.from([0x03])]);

// rounds[seat][r]: the framed update of round r for that seat (not the final one: the game never ends here);
// finals[seat]: that seat's final update (the game over, with its result), sent after `--rounds` moves.
const config = orerushEngine.defaultConfig();
const rounds: Buffer[][] = Array.from({ length: PLAYERS }, () => []);
const finals: Buffer[] = [];
{
  let state = orerushEngine.setup(config, PLAYERS, createRng('answering-server'));
  const bots = Array.from({ length: PLAYERS }, () => createRandomStrategy({ params: {} }));
  const ctx = { rng: createRng('answering-server/bots') } as never;
  while (orerushEngine.toAct(state).kind !== 'terminal') {
    for (let seat = 0; seat < PLAYERS; seat++)
      rounds[seat]!.push(frame(encodeUpdateBody(orerushEngine.observe(state, seat), null)));
    const actions = new Map(
      bots.map((b, seat) => [seat, b.decide(orerushEngine.observe(state, seat), ctx) as OreRushAction]),
    );
    state = orerushEngine.apply(state, { kind: 'players', actions });
  }
  const result = orerushEngine.result(state);
  for (let seat = 0; seat < PLAYERS; seat++)
    finals.push(frame(encodeUpdateBody(orerushEngine.observe(state, seat), result)));
}
const CLOSED = frame(encodePacket({ type: 'close', timestamp: 0, player: -1 }));
const SUCCS = frame(encodePacket({ type: 'succs' }));
const AWAKE = frame(encodePacket({ type: 'awake' }));
const settn = (game: number, seat: number) =>
  frame(
    encodePacket({
      type: 'settn',
      settings: {
        game,
        player: seat,
        players: PLAYERS,
        joined: PLAYERS,
        roundTimeoutMs: 60_000,
        rules: config as unknown as Record<string, unknown>,
      },
    }),
  );

// What a `pmove` gets, built once: `succs` and the next round's update in one buffer, and the same with an `awake`
// between them; a round costs this peer a read and a write of a ready buffer (no concatenation per round).
const moved = rounds.map((mine) => mine.map((update) => Buffer.concat([SUCCS, update])));
const movedAwake = rounds.map((mine) => mine.map((update) => Buffer.concat([SUCCS, AWAKE, update])));

/** Whether the packet whose STX is at `at` has this type (its first two letters tell the types a client sends). */
const is = (data: Buffer, at: number, type: string) =>
  data[at + 1] === type.charCodeAt(0) && data[at + 2] === type.charCodeAt(1);

let connections = 0;
const server = createServer((socket) => {
  socket.setNoDelay(true);
  const id = connections++;
  const seat = id % PLAYERS;
  const mine = rounds[seat]!;
  let round = 0;
  let moves = 0;
  let lastAwake = performance.now();
  let rest: Buffer | null = null;
  socket.on('data', (chunk: Buffer) => {
    const data = rest ? Buffer.concat([rest, chunk]) : chunk;
    const out: Buffer[] = [];
    let at = 0;
    for (;;) {
      const end = data.indexOf(0x03, at);
      if (end < 0) break;
      // data[at] is STX; the type is the next five bytes (answers: succs, timeo, error; not answered).
      const packet = at;
      at = end + 1;
      if (is(data, packet, 'su') || is(data, packet, 'ti') || is(data, packet, 'er')) continue;
      if (is(data, packet, 'pm')) {
        if (GAME_ROUNDS > 0 && ++moves >= GAME_ROUNDS) {
          out.push(SUCCS, finals[seat]!, CLOSED);
          continue;
        }
        round = (round + 1) % mine.length;
        const now = performance.now();
        if (now - lastAwake >= 1000) {
          lastAwake = now;
          out.push(movedAwake[seat]![round]!);
        } else out.push(moved[seat]![round]!);
        continue;
      }
      out.push(SUCCS);
      if (is(data, packet, 're')) {
        round = 0;
        moves = 0;
        out.push(settn(1 + Math.floor(id / PLAYERS), seat), mine[0]!);
      }
    }
    rest = at < data.length ? data.subarray(at) : null;
    if (out.length === 1) socket.write(out[0]!);
    else if (out.length > 1) socket.write(Buffer.concat(out));
  });
  socket.on('error', () => {});
});
// A deep accept queue: a step connects thousands of bots within its ramp.
server.listen({ port: 0, host: '127.0.0.1', backlog: 8192 }, () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
