import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Status } from '../../src/protocols/chat/codec.ts';
import { SCHEMA_VERSION } from '../../src/protocols/chat/store.ts';
import { befriendPair, client, startTestServer, user } from './helpers.ts';

describe('chat persistence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'botswarm-chat-'));
  const db = join(dir, 'chat.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loses no account, contact, chat, message or media across a restart', async () => {
    let server = await startTestServer({ db });
    const alice = await user(server, 'alice', 'alice-secret');
    const bob = await user(server, 'bob', 'bob-secret');
    const carol = await user(server, 'carol', 'carol-secret');
    await befriendPair(alice, bob);
    expect(await carol.requestContact('alice')).toBe(Status.OK);
    const { chatId } = await alice.createChat('bob');
    const got = bob.next('message');
    await alice.send(chatId!, 'before the restart', Buffer.from('photo'));
    const { mediaId } = await got;
    expect(await bob.logout()).toBe(Status.OK);
    await alice.send(chatId!, 'while bob was away');
    for (const c of [alice, bob, carol]) c.close();
    await server.close();

    server = await startTestServer({ db });
    try {
      const a = await client(server);
      expect(await a.login('alice', 'wrong-secret')).toBe(Status.PASSWORD_WRONG);
      expect(await a.login('alice', 'alice-secret')).toBe(Status.OK);
      expect(await a.register('ALICE', 'another-pw', 'x@example.org')).toBe(Status.CLIENT_ALREADY_LOGGED_IN);
      expect((await a.ownContacts()).contacts.map((c) => c.name)).toEqual(['bob']);
      expect(await a.chatList()).toEqual([{ chatId, users: ['alice', 'bob'] }]);
      const b = await client(server);
      const stored = b.next('message');
      const request = a.next('contactRequest');
      expect(await b.login('bob', 'bob-secret')).toBe(Status.OK);
      expect((await stored).text).toBe('while bob was away');
      expect((await b.history(chatId!)).messages.map((m) => m.text)).toEqual([
        'before the restart',
        'while bob was away',
      ]);
      expect((await b.media(mediaId!)).media?.toString()).toBe('photo');
      // Carol's request is still open: alice is told again at login.
      const again = await client(server);
      const pending = again.next('contactRequest');
      expect(await a.logout()).toBe(Status.OK);
      expect(await again.login('alice', 'alice-secret')).toBe(Status.OK);
      expect(await pending).toBe('carol');
      request.catch(() => {});
      for (const c of [a, b, again]) c.close();
      expect(server.stats()).toMatchObject({ users: 3, chats: 1, messages: 2, contacts: 1 });
    } finally {
      await server.close();
    }
  });

  it('stores scrypt hashes, never passwords, and records the schema version', () => {
    const file = new Database(db, { readonly: true });
    try {
      expect(file.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const rows = file.prepare('SELECT name, password FROM users').all() as { name: string; password: string }[];
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        expect(row.password).toMatch(/^scrypt\$\d+\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
        expect(row.password).not.toContain('secret');
      }
      const salts = new Set(rows.map((r) => r.password.split('$')[4]));
      expect(salts.size).toBe(3);
    } finally {
      file.close();
    }
  });

  it('brings an older database up to date', async () => {
    const old = join(dir, 'old.db');
    const file = new Database(old);
    // A file left at schema 1 by an older server.
    const { ChatStore } = await import('../../src/protocols/chat/store.ts');
    const store = new ChatStore(old);
    store.close();
    file.exec('DROP INDEX messages_undelivered');
    file.pragma('user_version = 1');
    file.close();
    const reopened = new ChatStore(old);
    try {
      expect(reopened.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const index = reopened.db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'messages_undelivered'")
        .get();
      expect(index).toBeDefined();
    } finally {
      reopened.close();
    }
  });
});
