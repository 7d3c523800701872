import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBot } from '../../src/bots/resolve.ts';
import { befriend, type ChatStrategy, loginChat, runChatBot, sayTo } from '../../src/protocols/chat/bot.ts';
import type { ChatClient } from '../../src/protocols/chat/client.ts';
import { Status } from '../../src/protocols/chat/codec.ts';
import type { ChatServer } from '../../src/protocols/chat/server.ts';
import { parseRules } from '../../strategies/chat/responder.ts';
import { startTestServer } from './helpers.ts';

describe('chat bots over TCP', () => {
  let server: ChatServer;
  const clients: ChatClient[] = [];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.close();
  });
  const login = async (username: string) => {
    const c = await loginChat({ port: server.port, username, password: `${username}-pw1`, register: true });
    clients.push(c);
    return c;
  };
  const bot = async (spec: string) => (await resolveBot(spec, 'chat')).create() as ChatStrategy;

  it('the three chat bots are registered for game chat', async () => {
    for (const name of ['chat-echo', 'chat-script', 'chat-responder']) {
      const resolved = await resolveBot(name === 'chat-script' ? `${name}:partner=x` : name, 'chat');
      expect(resolved.definition.game).toBe('chat');
    }
    await expect(resolveBot('chat-script', 'chat').then((b) => b.create())).rejects.toThrow(/partner/);
  });

  it('chat-echo accepts the contact and echoes every message once', async () => {
    const echoClient = await login('echo1');
    const ac = new AbortController();
    const run = runChatBot({ client: echoClient, strategy: await bot('chat-echo:prefix=re>'), signal: ac.signal });
    const human = await login('human1');
    await befriend(human, 'echo1');
    const replies: string[] = [];
    human.on('message', (m) => replies.push(m.text));
    for (const text of ['one', 'two words', 'drei\nZeilen']) {
      const reply = human.next('message', (m) => m.text === `re>${text}`);
      expect(await sayTo(human, 'echo1', text)).toBe(Status.OK);
      await reply;
    }
    ac.abort();
    const outcome = await run;
    expect(outcome.reason).toBe('aborted');
    expect(outcome.sent).toBe(3);
    expect(outcome.errors).toEqual([]);
    expect(replies).toEqual(['re>one', 're>two words', 're>drei\nZeilen']);
  });

  it('two chat-script bots hold a scripted conversation and leave', async () => {
    const a = await login('scriptA');
    const b = await login('scriptB');
    const [ra, rb] = await Promise.all([
      runChatBot({
        client: a,
        strategy: await bot('chat-script:partner=scriptB:lines=Hallo|Wie geht es?|Tschüss:starts=true:leave=true'),
      }),
      runChatBot({
        client: b,
        strategy: await bot('chat-script:partner=scriptA:lines=Hi|Gut, danke|Ciao:starts=false:leave=true'),
      }),
    ]);
    expect(ra).toMatchObject({ reason: 'left', sent: 3, errors: [] });
    expect(rb).toMatchObject({ reason: 'left', sent: 3, errors: [] });
    const check = await loginChat({ port: server.port, username: 'scriptA', password: 'scriptA-pw1' });
    clients.push(check);
    const [chat] = await check.chatList();
    const history = await check.history(chat!.chatId);
    expect(history.messages.map((m) => `${m.sender}: ${m.text}`)).toEqual([
      'scriptA: Hallo',
      'scriptB: Hi',
      'scriptA: Wie geht es?',
      'scriptB: Gut, danke',
      'scriptA: Tschüss',
      'scriptB: Ciao',
    ]);
  });

  it('chat-responder answers keywords (whole words, any case) and stays quiet otherwise', async () => {
    expect(() => parseRules('no-equals-sign')).toThrow(/keyword=reply/);
    const c = await login('shop');
    const ac = new AbortController();
    const run = runChatBot({ client: c, strategy: await bot('chat-responder'), signal: ac.signal });
    const human = await login('customer');
    await befriend(human, 'shop');
    const ask = async (text: string) => {
      const reply = human.next('message', () => true, 5000);
      await sayTo(human, 'shop', text);
      return (await reply).text;
    };
    expect(await ask('HELLO there')).toBe('Hello! How can I help?');
    expect(await ask('what is the price?')).toBe('It costs 5 coins');
    // No keyword ("prices" is not "price"): no reply, so the next answer belongs to the next question.
    await sayTo(human, 'shop', 'prices and stuff');
    expect(await ask('your hours')).toBe('Open 9 to 5');
    ac.abort();
    expect((await run).sent).toBe(3);
  });

  it('a game bot can chat through the helpers without knowing the protocol', async () => {
    const referee = await login('referee');
    const player = await login('player7');
    await Promise.all([befriend(referee, 'player7'), befriend(player, 'referee')]);
    const got = player.next('message');
    expect(await sayTo(referee, 'player7', 'your move')).toBe(Status.OK);
    expect((await got).text).toBe('your move');
    expect(await sayTo(referee, 'nobody-here', 'x')).toBe(Status.CONTACT_NOT_FOUND);
  });
});
