import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MEDIA_BYTES, MAX_MESSAGE_BYTES, Status } from '../../src/protocols/chat/codec.ts';
import type { ChatServer } from '../../src/protocols/chat/server.ts';
import { befriendPair, client, RawLines, startTestServer, user } from './helpers.ts';

/**
 * Walks every opcode and every status code of docs/protocols/chat.md against the reference server over TCP,
 * checking the exact wire lines where the format matters.
 */
describe('chat conformance', () => {
  let server: ChatServer;
  const open: { close(): void }[] = [];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await server.close();
  });
  const raw = async () => {
    const r = await RawLines.open(server.port);
    open.push(r);
    return r;
  };
  const track = <T extends { close(): void }>(c: T): T => {
    open.push(c);
    return c;
  };

  it('register (117/222), login (110/212), logout (111/213) with their statuses on the wire', async () => {
    const r = await raw();
    expect(await r.ask('117 hans meinPasswort123 hans%20m@example.org m')).toEqual(['222 400']);
    expect(await r.ask('117 ab secret123 a@b.c m')).toEqual(['222 401']);
    expect(await r.ask('117 bad!name secret123 a@b.c m')).toEqual(['222 401']);
    expect(await r.ask('117 grete 123 a@b.c f')).toEqual(['222 402']);
    expect(await r.ask('117 HANS otherpass1 h@b.c m')).toEqual(['222 403']);
    expect(await r.ask('117 grete secret123 not-an-email f')).toEqual([expect.stringMatching(/^211 /)]);
    expect(await r.ask('110 hans wrongpass')).toEqual(['212 406 hans']);
    expect(await r.ask('110 nobody secret123')).toEqual(['212 406 nobody']);
    expect(await r.ask('110 x secret123')).toEqual(['212 401 x']);
    // The seed's own example line, with the corrected opcode; CRLF is accepted too.
    r.write('110 HANS meinPasswort123\r\n');
    expect(await r.next()).toBe('212 400 hans');
    expect(await r.ask('110 hans meinPasswort123')).toEqual(['212 404 hans']);
    expect(await r.ask('117 other secret123 o@b.c m')).toEqual(['222 404']);
    const second = await raw();
    expect(await second.ask('110 hans meinPasswort123')).toEqual(['212 405 hans']);
    expect(await r.ask('111')).toEqual(['213 400']);
    expect(await r.ask('111')).toEqual(['213 407']);
    expect(await second.ask('110 hans meinPasswort123')).toEqual(['212 400 hans']);
  });

  it('answers 407 CLIENT_NOT_LOGGED_IN to every request but login and register', async () => {
    const r = await raw();
    expect(await r.ask('111')).toEqual(['213 407']);
    expect(await r.ask('112')).toEqual(['211 407%20CLIENT_NOT_LOGGED_IN']);
    expect(await r.ask('113 hans')).toEqual(['217 407']);
    expect(await r.ask('114 1')).toEqual(['218 407']);
    expect(await r.ask('115 1 hi')).toEqual(['219 407']);
    expect(await r.ask('116 1')).toEqual(['221 407']);
    expect(await r.ask('118')).toEqual(['223 407']);
    expect(await r.ask('119 1')).toEqual(['227 407']);
    expect(await r.ask('120')).toEqual(['228 407']);
    expect(await r.ask('121 hans')).toEqual(['232 407']);
  });

  it('contacts: 121/232, pushes 234 and 233, lists 118 (223-226) and 120 (228-231)', async () => {
    const anna = track(await user(server, 'anna'));
    const r = await raw();
    await r.ask('117 bert bert-pw1 b@example.org m');
    await r.ask('110 bert bert-pw1');
    expect(await r.ask('121 nobody')).toEqual(['232 410']);
    expect(await r.ask('121 bert')).toEqual(['232 410']);
    const requested = anna.next('contactRequest');
    expect(await r.ask('121 anna')).toEqual(['232 400']);
    expect(await requested).toBe('bert');
    expect(await r.ask('121 anna')).toEqual(['232 400']);
    expect(await r.ask('113 anna')).toEqual(['217 411']);
    expect(await r.ask('118', 3)).toEqual(['223 400', '224 0', '226']);
    const confirmed = anna.next('contactConfirmed');
    expect(await anna.requestContact('bert')).toBe(Status.OK);
    expect(await confirmed).toBe('bert');
    expect(await r.next()).toBe('233 anna');
    const [begin, count, elem, end] = await r.ask('118', 4);
    expect([begin, count, end]).toEqual(['223 400', '224 1', '226']);
    expect(elem).toMatch(/^225 anna \d{13}$/);
    const users = await r.ask('120', 2);
    expect(users[0]).toBe('228 400');
    const n = Number(users[1]!.split(' ')[1]);
    const names: string[] = [];
    for (let i = 0; i < n; i++) names.push(await r.next());
    expect(await r.next()).toBe('231');
    expect(names).toContain('230 anna');
    expect(names).not.toContain('230 bert');
    expect([...names].sort()).toEqual(names);
  });

  it('chats and messages: 113/217, 112 (214-216), 115/219 with push 220, 116 (221/235), 119/227, 114/218', async () => {
    const [carl, dora] = [track(await user(server, 'carl')), track(await user(server, 'dora'))];
    await befriendPair(carl, dora);
    expect(await carl.createChat('nobody')).toEqual({ status: Status.CONTACT_NOT_FOUND });
    expect(await carl.createChat('carl')).toEqual({ status: Status.CONTACT_NOT_FOUND });
    const created = await carl.createChat('dora');
    expect(created.status).toBe(Status.OK);
    const chatId = created.chatId!;
    // One chat per pair: asking again (from either side) gives the same chat.
    expect(await dora.createChat('carl')).toEqual({ status: Status.OK, chatId });
    expect(await dora.chatList()).toEqual([{ chatId, users: ['carl', 'dora'] }]);

    const incoming = dora.next('message');
    const sent = await carl.send(chatId, 'Hallo Dora, 100% sicher?\nZeile 2');
    expect(sent.status).toBe(Status.OK);
    const m = await incoming;
    expect(m).toMatchObject({ chatId, text: 'Hallo Dora, 100% sicher?\nZeile 2' });
    expect(m.mediaId).toBeUndefined();

    const picture = Buffer.from([0, 1, 2, 250, 255]);
    const withMedia = dora.next('message');
    expect((await carl.send(chatId, 'ein Bild', picture)).status).toBe(Status.OK);
    const mm = await withMedia;
    expect(mm.mediaId).toBeGreaterThan(0);
    expect(await dora.media(mm.mediaId!)).toEqual({ status: Status.OK, media: picture });
    expect(await dora.media(999_999)).toEqual({ status: Status.MEDIA_NOT_FOUND });

    const history = await dora.history(chatId);
    expect(history.status).toBe(Status.OK);
    expect(history.messages.map((x) => [x.sender, x.text, x.mediaId])).toEqual([
      ['carl', 'Hallo Dora, 100% sicher?\nZeile 2', undefined],
      ['carl', 'ein Bild', mm.mediaId],
    ]);

    expect((await carl.send(chatId, 'x'.repeat(MAX_MESSAGE_BYTES + 1))).status).toBe(Status.VALUE_TOO_LARGE);
    expect((await carl.send(chatId, 'big', Buffer.alloc(MAX_MEDIA_BYTES + 1))).status).toBe(Status.VALUE_TOO_LARGE);
    expect((await carl.send(chatId, 'max', Buffer.alloc(MAX_MEDIA_BYTES, 7))).status).toBe(Status.OK);
    expect((await carl.send(987_654, 'hi')).status).toBe(Status.CHAT_NOT_FOUND);
    expect((await carl.history(987_654)).status).toBe(Status.CHAT_NOT_FOUND);
    expect(await carl.deleteChat(987_654)).toBe(Status.CHAT_NOT_FOUND);

    const outsider = track(await user(server, 'olaf'));
    expect((await outsider.send(chatId, 'hi')).status).toBe(Status.CHAT_PERMISSION_DENIED);
    expect(await dora.deleteChat(chatId)).toBe(Status.OK);
    expect(await carl.chatList()).toEqual([]);
    expect((await carl.send(chatId, 'hi')).status).toBe(Status.CHAT_NOT_FOUND);
    expect(await dora.media(mm.mediaId!)).toEqual({ status: Status.MEDIA_NOT_FOUND });
  });

  it('exact list and message lines on the wire', async () => {
    const eve = track(await user(server, 'eve'));
    const r = await raw();
    await r.ask('117 finn finn-pw1 f@example.org m');
    await r.ask('110 finn finn-pw1');
    await eve.requestContact('finn');
    expect(await r.next()).toBe('234 eve');
    expect(await r.ask('121 eve', 2)).toEqual(['232 400', '233 eve']);
    const [created] = await r.ask('113 eve');
    const chatId = Number(/^217 400 (\d+)$/.exec(created!)![1]);
    expect(await r.ask('112', 3)).toEqual(['214 1', `215 ${chatId} finn eve`, '216']);
    const got = eve.next('message');
    expect(await r.ask(`115 ${chatId} hi%20there%0A%25 aGk=`)).toEqual([expect.stringMatching(/^219 400 \d+$/)]);
    const m = await got;
    expect(m.text).toBe('hi there\n%');
    expect((await eve.media(m.mediaId!)).media?.toString()).toBe('hi');
    expect(await r.ask(`119 ${m.mediaId}`)).toEqual(['227 400 aGk=']);
    await eve.send(chatId, 'zurück');
    expect(await r.next()).toMatch(new RegExp(`^220 ${chatId} \\d{13} zurück$`));
    const hist = await r.ask(`116 ${chatId}`, 3);
    expect(hist[0]).toBe('221 400 2');
    expect(hist[1]).toMatch(new RegExp(`^235 ${chatId} \\d{13} finn hi%20there%0A%25 ${m.mediaId}$`));
    expect(hist[2]).toMatch(new RegExp(`^235 ${chatId} \\d{13} eve zurück$`));
  });

  it('delivers contact requests and messages that arrived while the user was away, once, at login', async () => {
    const gina = track(await user(server, 'gina'));
    const hugo = track(await user(server, 'hugo'));
    await befriendPair(gina, hugo);
    const { chatId } = await gina.createChat('hugo');
    expect(await hugo.logout()).toBe(Status.OK);
    const ida = track(await user(server, 'ida'));
    expect(await ida.requestContact('hugo')).toBe(Status.OK);
    await gina.send(chatId!, 'eins');
    await gina.send(chatId!, 'zwei');
    const r = await raw();
    const lines = await r.ask('110 hugo hugo-pw1', 4);
    expect(lines[0]).toBe('212 400 hugo');
    expect(lines[1]).toBe('234 ida');
    expect(lines[2]).toMatch(new RegExp(`^220 ${chatId} \\d+ eins$`));
    expect(lines[3]).toMatch(new RegExp(`^220 ${chatId} \\d+ zwei$`));
    r.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Delivered once: the next login finds no stored message, only the still-open contact request.
    const again = await raw();
    expect(await again.ask('110 hugo hugo-pw1', 2)).toEqual(['212 400 hugo', '234 ida']);
    expect(await again.ask('111')).toEqual(['213 400']);
  });

  it('210 Unknown for unknown opcodes, 211 Invalid for malformed lines, and keeps the connection', async () => {
    const r = await raw();
    expect(await r.ask('999')).toEqual(['210 unknown%20opcode%20999']);
    expect(await r.ask('212 400 hans')).toEqual(['210 unknown%20opcode%20212']);
    for (const bad of ['', 'hallo', '110', '110  a b', '114 abc', '115 1 a%41', '115 1 hi ***', '110 a b ']) {
      const [reply] = await r.ask(bad);
      expect(reply, bad).toMatch(/^211( |$)/);
    }
    r.write(Buffer.from([0x31, 0x31, 0x30, 0x20, 0xff, 0xfe, 0x20, 0x61, 0x0a]));
    expect(await r.next()).toBe('211 line%20is%20not%20UTF-8');
    expect(await r.ask('110 hans meinPasswort123')).toEqual([expect.stringMatching(/^212 40[05] hans$/)]);
  });

  it('counts what it served', async () => {
    const c = track(await client(server));
    expect(await c.register('zed', 'zed-pw-1', 'z@example.org')).toBe(Status.OK);
    const stats = server.stats();
    for (const key of [
      'connections',
      'registrations',
      'logins',
      'messagesSent',
      'messagesDelivered',
      'unknown',
      'invalid',
    ])
      expect(stats[key], key).toBeGreaterThan(0);
    expect(stats.users).toBeGreaterThan(10);
  });
});
