import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { ChatClient } from '../src/protocols/chat/client.ts';
import { Status } from '../src/protocols/chat/codec.ts';
import { startChatServer } from '../src/protocols/chat/server.ts';
import type { Bench, BenchResult } from './harness.ts';

const nowMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

interface Pair {
  readonly a: ChatClient;
  readonly b: ChatClient;
  readonly chatId: number;
}

/**
 * Messages/s through the reference chat server (SQLite in a file in the OS temporary folder, as a real server
 * runs it, so that the figure includes what durable commits cost; every message stored and pushed) with the
 * sender→recipient delivery latency, for `users` concurrent users in pairs. Every user sends `perUser`
 * messages to its partner, each after the previous one's 219 (closed loop), all users at once; set-up
 * (register, login, contacts, chats) is not timed.
 *
 * What durable acknowledgements cost (`npm run bench -- chat`, run interleaved three times each on the same
 * 2-core machine, 100 users / 1000 users in msg/s): before, one commit per write with `synchronous = NORMAL`
 * (an OS crash could lose acknowledged messages): 5,785 / 5,437, 5,766 / 4,973, 5,707 / 4,884; after, one
 * `synchronous = FULL` commit per event-loop turn with every reply held until its commit: 11,880 / 10,498,
 * 12,156 / 10,190, 9,725 / 12,968. FULL with one commit per write (not shipped, measured once to see the fsync
 * alone) gave 1,957 / 583. Batching pays for the fsync and more: one disk flush per turn instead of one WAL
 * append per message.
 */
async function measure(users: number, perUser: number): Promise<{ rate: number; p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'botswarm-chat-bench-'));
  const server = await startChatServer({ port: 0, db: join(dir, 'chat.db'), scryptCost: 16 });
  const clients: ChatClient[] = [];
  try {
    for (let i = 0; i < users; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, users - i) }, async (_, j) => {
          const c = await ChatClient.connect({ port: server.port, requestTimeoutMs: 120_000 });
          const name = `bench${i + j}`;
          if ((await c.register(name, 'bench-password', `${name}@bench.invalid`)) !== Status.OK)
            throw new Error('register');
          if ((await c.login(name, 'bench-password')) !== Status.OK) throw new Error('login');
          return c;
        }),
      );
      clients.push(...batch);
    }
    const pairs: Pair[] = [];
    for (let i = 0; i + 1 < users; i += 2) {
      const a = clients[i]!;
      const b = clients[i + 1]!;
      const confirmed = b.next('contactConfirmed');
      await a.requestContact(b.username!);
      await b.requestContact(a.username!);
      await confirmed;
      pairs.push({ a, b, chatId: (await a.createChat(b.username!)).chatId! });
    }
    const histogram = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 600_000_000,
      numberOfSignificantValueDigits: 3,
    });
    const expected = pairs.length * 2 * perUser;
    let delivered = 0;
    let done: () => void = () => {};
    const allDelivered = new Promise<void>((resolve) => {
      done = resolve;
    });
    for (const c of clients) {
      c.on('message', (m) => {
        histogram.recordValue(Math.max(1, nowMicros() - Number(m.text.slice(m.text.lastIndexOf(' ') + 1))));
        if (++delivered === expected) done();
      });
    }
    const sender = async (c: ChatClient, chatId: number) => {
      for (let k = 0; k < perUser; k++) {
        const { status } = await c.send(chatId, `bench message ${k} ${nowMicros()}`);
        if (status !== Status.OK) throw new Error(`send: ${status}`);
      }
    };
    const start = performance.now();
    await Promise.all(pairs.flatMap((p) => [sender(p.a, p.chatId), sender(p.b, p.chatId)]));
    await allDelivered;
    const seconds = (performance.now() - start) / 1000;
    const result = {
      rate: expected / seconds,
      p50: histogram.getValueAtPercentile(50) / 1000,
      p99: histogram.getValueAtPercentile(99) / 1000,
    };
    histogram.destroy();
    return result;
  } finally {
    for (const c of clients) c.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const run: Bench = async () => {
  const results: BenchResult[] = [];
  for (const [users, perUser] of [
    [100, 100],
    [1000, 10],
  ] as const) {
    const { rate, p50, p99 } = await measure(users, perUser);
    const how = `${users} users in pairs, ${perUser} messages each, closed loop per user; loopback, one process; SQLite file, synchronous=FULL, one commit per event-loop turn (was 5.8k/5.0k msg/s with NORMAL and a commit per write, see bench/chat.bench.ts)`;
    results.push(
      {
        group: 'Chat',
        name: `${users} users: messages/s through the server`,
        value: Math.round(rate),
        unit: 'msg/s',
        note: how,
      },
      {
        group: 'Chat',
        name: `${users} users: delivery latency p50`,
        value: Math.round(p50 * 100) / 100,
        unit: 'ms',
        note: how,
      },
      {
        group: 'Chat',
        name: `${users} users: delivery latency p99`,
        value: Math.round(p99 * 100) / 100,
        unit: 'ms',
        note: how,
      },
    );
  }
  return results;
};
