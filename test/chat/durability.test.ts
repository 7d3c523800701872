import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChatClient } from '../../src/protocols/chat/client.ts';
import { Status } from '../../src/protocols/chat/codec.ts';
import type { ChatServer } from '../../src/protocols/chat/server.ts';
import { ChatStore, MIGRATIONS, SCHEMA_VERSION } from '../../src/protocols/chat/store.ts';
import { befriendPair, client, startTestServer, TEST_SCRYPT_COST, user } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'botswarm-chat-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a second connection to the file sees: only committed rows (WAL readers never see an open batch). */
function committed<T>(file: string, sql: string, ...args: unknown[]): T[] {
  const reader = new Database(file, { readonly: true });
  try {
    return reader.prepare(sql).all(...args) as T[];
  } finally {
    reader.close();
  }
}

async function pairWithChat(server: ChatServer, a: string, b: string) {
  const alice = await user(server, a);
  const bob = await user(server, b);
  await befriendPair(alice, bob);
  const { chatId } = await alice.createChat(b);
  return { alice, bob, chatId: chatId! };
}

describe('chat ids are never handed out again (protocol §5)', () => {
  it('a deleted chat, message or media id is not reused, not even after a restart on the same file', async () => {
    const file = join(dir, 'ids.db');
    let server = await startTestServer({ db: file });
    const seen = { chat: [] as number[], message: [] as number[], media: [] as number[] };
    const round = async (alice: ChatClient, bob: ChatClient) => {
      const { chatId } = await alice.createChat(bob.username!);
      const pushed = bob.next('message');
      const { messageId } = await alice.send(chatId!, 'with a photo', Buffer.from('jpeg'));
      const { mediaId } = await pushed;
      seen.chat.push(chatId!);
      seen.message.push(messageId!);
      seen.media.push(mediaId!);
      // The newest chat, message and media are deleted: a max(id)+1 allocator would give the same ids again.
      expect(await alice.deleteChat(chatId!)).toBe(Status.OK);
    };
    try {
      const alice = await user(server, 'alice');
      const bob = await user(server, 'bob');
      await befriendPair(alice, bob);
      await round(alice, bob);
      await round(alice, bob);
      alice.close();
      bob.close();
    } finally {
      await server.close();
    }
    server = await startTestServer({ db: file });
    try {
      const alice = await client(server);
      const bob = await client(server);
      expect(await alice.login('alice', 'alice-pw1')).toBe(Status.OK);
      expect(await bob.login('bob', 'bob-pw1')).toBe(Status.OK);
      await round(alice, bob);
      alice.close();
      bob.close();
    } finally {
      await server.close();
    }
    for (const ids of Object.values(seen)) {
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
    }
  });

  it('migrates a schema-2 file: rows, references and cascades are kept, and freed ids are not reused after', () => {
    const file = join(dir, 'schema2.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    for (const sql of MIGRATIONS.slice(0, 2)) old.exec(sql);
    old.pragma('user_version = 2');
    old.exec(`INSERT INTO users (id, name, password, email, gender, created) VALUES
                (1, 'alice', 'x', 'a@example.org', 'd', 0), (2, 'bob', 'x', 'b@example.org', 'd', 0);
              INSERT INTO chats (id, creator_id, other_id, created) VALUES (1, 1, 2, 0), (2, 2, 1, 0);
              INSERT INTO media (id, chat_id, data, created) VALUES (1, 2, x'6a706567', 0);
              INSERT INTO messages (id, chat_id, sender_id, ts, text, media_id, delivered) VALUES
                (1, 1, 1, 5, 'hello', NULL, 1), (2, 2, 2, 6, 'photo', 1, 0), (3, 2, 1, 7, 'again', NULL, 0);`);
    old.close();

    const store = new ChatStore(file);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.chatsOf(1).map((c) => c.id)).toEqual([1, 2]);
      expect(store.history(2, 10).map((m) => [m.id, m.text, m.mediaId])).toEqual([
        [2, 'photo', 1],
        [3, 'again', null],
      ]);
      expect(store.undeliveredFor(1).map((m) => m.id)).toEqual([2]);
      // The references point at the rebuilt tables: deleting chat 2 still takes its messages and media.
      store.deleteChat(2);
      store.commit();
      expect(store.counts()).toMatchObject({ chats: 1, messages: 1 });
      expect(store.mediaById(1)).toBeUndefined();
      // Chat 2, message 3 and media 1 were the newest: they are not given out again.
      const { chatId } = store.openChat(1, 2);
      expect(chatId).toBe(1);
      store.deleteChat(1);
      const fresh = store.openChat(2, 1);
      expect(fresh.chatId).toBe(3);
      const message = store.addMessage(fresh.chatId, 2, 'new', Buffer.from('png'));
      expect(message.id).toBe(4);
      expect(message.mediaId).toBe(2);
      store.commit();
    } finally {
      store.close();
    }
  });
});

describe('an acknowledged message is durable', () => {
  it('no 219 or pushed 220 goes out before the commit of what it reports', async () => {
    const file = join(dir, 'ack.db');
    const server = await startTestServer({ db: file });
    try {
      const { alice, bob, chatId } = await pairWithChat(server, 'alice', 'bob');
      // Every commit is held back 150 ms: a line sent before its commit would arrive while the row is not yet
      // visible to a second connection.
      const commit = server.store.commit.bind(server.store);
      let commits = 0;
      server.store.commit = () => {
        setTimeout(() => {
          commit();
          commits++;
        }, 150);
      };
      const pushed: string[] = [];
      bob.on('message', (m) => {
        const rows = committed<{ n: number }>(file, 'SELECT count(*) AS n FROM messages WHERE text = ?', m.text);
        if (rows[0]!.n === 1) pushed.push(m.text);
      });
      const sends = await Promise.all(
        ['one', 'two', 'three'].map(async (text) => {
          const { status, messageId } = await alice.send(chatId, text);
          expect(status).toBe(Status.OK);
          const rows = committed<{ text: string }>(file, 'SELECT text FROM messages WHERE id = ?', messageId);
          return rows.map((r) => r.text);
        }),
      );
      expect(sends).toEqual([['one'], ['two'], ['three']]);
      await expect.poll(() => pushed, { timeout: 5000 }).toEqual(['one', 'two', 'three']);
      // Pipelined sends of one turn share a commit.
      expect(commits).toBeLessThan(3);
      alice.close();
      bob.close();
    } finally {
      await server.close();
    }
  });

  it('a server killed right after an acknowledgement has the acknowledged messages in its file', async () => {
    const file = join(dir, 'killed.db');
    const script = `
      const { startChatServer } = await import(${JSON.stringify(new URL('../../src/protocols/chat/server.ts', import.meta.url).href)});
      const server = await startChatServer({ port: 0, db: ${JSON.stringify(file)}, scryptCost: ${TEST_SCRYPT_COST} });
      process.stdout.write('PORT ' + server.port + '\\n');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /PORT (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.on('exit', (code) => reject(new Error(`chat server exited with ${code}`)));
      });
      const server = { port };
      const alice = await user(server, 'alice');
      const bob = await user(server, 'bob');
      await befriendPair(alice, bob);
      const { chatId } = await alice.createChat('bob');
      const acked: number[] = [];
      // Many sends in flight at once, so that some are acknowledged while later ones are still being written.
      await new Promise<void>((resolve) => {
        for (let k = 0; k < 200; k++) {
          alice
            .send(chatId!, `message ${k}`)
            .then(({ messageId }) => {
              if (child.exitCode !== null || child.signalCode !== null) return;
              acked.push(messageId!);
              if (acked.length === 50) {
                child.kill('SIGKILL');
                resolve();
              }
            })
            .catch(() => {});
        }
      });
      await exited;
      alice.close();
      bob.close();
      const stored = new Set(committed<{ id: number }>(file, 'SELECT id FROM messages').map((r) => r.id));
      expect(acked.length).toBeGreaterThanOrEqual(50);
      for (const id of acked) expect(stored.has(id)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  }, 60_000);
});
