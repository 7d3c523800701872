import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatClient } from '../../src/protocols/chat/client.ts';
import { Status } from '../../src/protocols/chat/codec.ts';
import type { ChatServer } from '../../src/protocols/chat/server.ts';
import { befriendPair, RawLines, startTestServer, user } from './helpers.ts';

describe('chat permissions', () => {
  let server: ChatServer;
  let alice: ChatClient;
  let bob: ChatClient;
  let mallory: ChatClient;
  let chatId: number;
  let mediaId: number;
  beforeAll(async () => {
    server = await startTestServer();
    alice = await user(server, 'alice');
    bob = await user(server, 'bob');
    mallory = await user(server, 'mallory');
    await befriendPair(alice, bob);
    chatId = (await alice.createChat('bob')).chatId!;
    const got = bob.next('message');
    await alice.send(chatId, 'secret plan', Buffer.from('secret picture'));
    mediaId = (await got).mediaId!;
  });
  afterAll(async () => {
    for (const c of [alice, bob, mallory]) c?.close();
    await server.close();
  });

  it('a third user cannot read the chat', async () => {
    expect(await mallory.history(chatId)).toEqual({ status: Status.CHAT_PERMISSION_DENIED, messages: [] });
    expect(await mallory.chatList()).toEqual([]);
  });

  it('a third user cannot post to it, and nothing reaches its members', async () => {
    let leaked = 0;
    const off1 = alice.on('message', () => leaked++);
    const off2 = bob.on('message', () => leaked++);
    expect((await mallory.send(chatId, 'let me in')).status).toBe(Status.CHAT_PERMISSION_DENIED);
    expect((await mallory.send(chatId, 'with media', Buffer.from('x'))).status).toBe(Status.CHAT_PERMISSION_DENIED);
    // A round trip on each member's connection: any push would have arrived before this reply.
    await alice.chatList();
    await bob.chatList();
    off1();
    off2();
    expect(leaked).toBe(0);
    expect((await bob.history(chatId)).messages.map((m) => m.text)).toEqual(['secret plan']);
  });

  it('a third user cannot delete it', async () => {
    expect(await mallory.deleteChat(chatId)).toBe(Status.CHAT_PERMISSION_DENIED);
    expect((await alice.chatList()).map((c) => c.chatId)).toEqual([chatId]);
  });

  it('a third user cannot fetch its media', async () => {
    expect(await mallory.media(mediaId)).toEqual({ status: Status.CHAT_PERMISSION_DENIED });
    expect((await bob.media(mediaId)).media?.toString()).toBe('secret picture');
    const raw = await RawLines.open(server.port);
    try {
      expect(await raw.ask('117 trudy trudy-pw1 t@example.org f')).toEqual(['222 400']);
      expect(await raw.ask('110 trudy trudy-pw1')).toEqual(['212 400 trudy']);
      expect(await raw.ask(`119 ${mediaId}`)).toEqual(['227 409']);
    } finally {
      raw.close();
    }
  });

  it('a chat needs a confirmed contact: a pending request is not enough', async () => {
    expect(await mallory.requestContact('alice')).toBe(Status.OK);
    expect(await mallory.createChat('alice')).toEqual({ status: Status.CONTACT_NOT_CONFIRMED });
    expect(await alice.createChat('mallory')).toEqual({ status: Status.CONTACT_NOT_CONFIRMED });
  });

  it('after logout a connection is back to 407', async () => {
    const eve = await user(server, 'eve');
    try {
      expect(await eve.logout()).toBe(Status.OK);
      expect((await eve.send(chatId, 'hi')).status).toBe(Status.CLIENT_NOT_LOGGED_IN);
      expect(await eve.media(mediaId)).toEqual({ status: Status.CLIENT_NOT_LOGGED_IN });
    } finally {
      eve.close();
    }
  });
});
