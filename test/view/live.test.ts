import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { MatchHost, type MatchObserver, type ObservedMatch } from '../../src/game/host.ts';
import { galaxEngine } from '../../src/games/galax/index.ts';
import { loadAllViewers } from '../../src/view/index.ts';
import { LiveSpectator, parseClientMessage } from '../../src/view/live.ts';
import { galaxServerWith, playSlowGame, spectatorClient } from './live-helpers.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function liveServer(maxYear = 40) {
  const spectator = new LiveSpectator({ viewers: await loadAllViewers(), log: silentLogger, frameIntervalMs: 50 });
  const server = await galaxServerWith(spectator, maxYear);
  cleanups.push(() => server.close());
  const address = await spectator.listen('127.0.0.1', 0);
  cleanups.push(() => spectator.close());
  return { spectator, server, address, ws: `ws://127.0.0.1:${address.port}/ws` };
}

describe('live spectator (serve --web)', () => {
  it('lists a running game and follows it to its end with the final state and result', async () => {
    const { spectator, server, ws } = await liveServer();
    const client = await spectatorClient(ws);
    cleanups.push(() => client.ws.close());
    const first = await client.next((m) => m.type === 'games');
    expect(first).toMatchObject({ running: 0, games: [] });

    const game = playSlowGame(server);
    const listed = await client.next(
      (m) => m.type === 'games' && (m.games as { status: string }[]).some((g) => g.status === 'running'),
    );
    const entry = (listed.games as { id: string; game: string; players: number; drawn: boolean }[])[0]!;
    expect(entry).toMatchObject({ game: 'galax', players: 2, drawn: true });
    client.send({ type: 'watch', id: entry.id });
    const outcome = await game;
    const end = await client.next((m) => m.type === 'frame' && m.status === 'finished');
    const frames = client.messages.filter((m) => m.type === 'frame');
    // Followed while running: frames before the end, with growing step counts.
    expect(frames.filter((f) => f.status === 'running').length).toBeGreaterThan(1);
    const steps = frames.map((f) => f.steps as number);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    // The end is the game's: its result, its last year, the whole drawing.
    expect(end.result).toEqual(outcome.result);
    expect(end.label).toBe('year 40.0');
    expect((end.view as { planets: unknown[] }).planets.length).toBeGreaterThan(0);
    expect(frames.some((f) => (f.lines as string[]).length > 0)).toBe(true);
    expect(spectator.stats.framesSent).toBe(frames.length);
  });

  it('draws and encodes a frame once for every page watching the same game and seat', async () => {
    const viewers = await loadAllViewers();
    const galax = viewers.galax!;
    let drawn = 0;
    const counting = {
      ...galax,
      full: (state: unknown) => {
        drawn++;
        return galax.full(state);
      },
    };
    const spectator = new LiveSpectator({
      viewers: { ...viewers, galax: counting },
      log: silentLogger,
      frameIntervalMs: 50,
    });
    const server = await galaxServerWith(spectator);
    cleanups.push(() => server.close());
    const address = await spectator.listen('127.0.0.1', 0);
    cleanups.push(() => spectator.close());
    const url = `ws://127.0.0.1:${address.port}/ws`;
    const pages = [await spectatorClient(url), await spectatorClient(url), await spectatorClient(url)];
    for (const page of pages) cleanups.push(() => page.ws.close());
    const game = playSlowGame(server);
    const listed = await pages[0]!.next((m) => m.type === 'games' && (m.games as unknown[]).length > 0);
    const id = (listed.games as { id: string }[])[0]!.id;
    for (const page of pages) page.send({ type: 'watch', id });
    await game;
    const ends = await Promise.all(pages.map((p) => p.next((m) => m.type === 'frame' && m.status === 'finished')));
    // Every page got the same end, and a frame of a tick was drawn once for the three of them (only the frame each
    // page gets at once on its watch is its own).
    for (const end of ends) expect(end).toEqual(ends[0]);
    const received = pages.reduce((n, p) => n + p.messages.filter((m) => m.type === 'frame').length, 0);
    expect(spectator.stats.framesSent).toBe(received);
    expect(received).toBeGreaterThan(9);
    expect(drawn).toBeLessThan(received / 2);
  });

  it('sends the list at most once per list interval however often games start', async () => {
    const spectator = new LiveSpectator({ viewers: {}, log: silentLogger, frameIntervalMs: 20, listIntervalMs: 300 });
    const address = await spectator.listen('127.0.0.1', 0);
    cleanups.push(() => spectator.close());
    const page = await spectatorClient(`ws://127.0.0.1:${address.port}/ws`);
    cleanups.push(() => page.ws.close());
    await page.next((m) => m.type === 'games');
    // A game starts every 10 ms for 900 ms (longer on a loaded machine): the list changes in every frame interval.
    const started = performance.now();
    for (let i = 0; i < 90; i++) {
      spectator.started({
        id: i,
        engine: galaxEngine,
        players: 2,
        seed: i,
        status: 'running',
        state: undefined,
      } as unknown as ObservedMatch);
      await new Promise((r) => setTimeout(r, 10));
    }
    const last = await page.next((m) => m.type === 'games' && (m.games as unknown[]).length === 90, 5000);
    const elapsed = performance.now() - started;
    const lists = page.messages.filter((m) => m.type === 'games').length;
    // The one on connection, then one per 300 ms at most (each of the ~45 frame intervals would have sent one).
    expect(lists).toBeGreaterThanOrEqual(3);
    expect(lists).toBeLessThanOrEqual(3 + Math.ceil(elapsed / 250));
    expect(last.running).toBe(90);
  });

  it("a seat's view is that seat's observation, and bad messages get errors on an open socket", async () => {
    const { server, ws } = await liveServer();
    const client = await spectatorClient(ws);
    cleanups.push(() => client.ws.close());
    client.send('not json');
    expect(await client.next((m) => m.type === 'error')).toMatchObject({ message: 'not JSON' });
    client.send({ type: 'watch', id: 'nope' });
    await client.next((m) => m.type === 'error' && String(m.message).startsWith('no game nope'));
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await client.next((m) => m.type === 'error' && String(m.message).startsWith('binary'));

    const game = playSlowGame(server);
    const listed = await client.next((m) => m.type === 'games' && (m.games as unknown[]).length > 0);
    const id = (listed.games as { id: string }[])[0]!.id;
    client.send({ type: 'watch', id, seat: 5 });
    await client.next((m) => m.type === 'error' && String(m.message).includes('not in 0..1'));
    client.send({ type: 'watch', id, seat: 1 });
    const seen = await client.next((m) => m.type === 'frame' && m.seat === 1);
    expect(seen.seatHidden).toBe(false);
    await game;
    const last = await client.next((m) => m.type === 'frame' && m.status === 'finished');
    expect(last.seat).toBe(1);
    expect(client.ws.readyState).toBe(1);
  });

  it('serves the page, the list as JSON, and refuses other paths and methods', async () => {
    const { address } = await liveServer();
    const page = await fetch(address.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('botswarm live');
    expect(html).toContain('"galax": (');
    expect((await fetch(`${address.url}games.json`).then((r) => r.json())) as unknown).toMatchObject({ games: [] });
    expect((await fetch(`${address.url}nope`)).status).toBe(404);
    expect((await fetch(address.url, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('parses page messages strictly', () => {
    expect(parseClientMessage('{"type":"watch","id":"3#1"}')).toEqual({ type: 'watch', id: '3#1', seat: undefined });
    expect(parseClientMessage('{"type":"unwatch"}')).toEqual({ type: 'unwatch' });
    expect(parseClientMessage('[]')).toMatch(/unknown type/);
    expect(parseClientMessage('3')).toMatch(/object/);
    expect(parseClientMessage('{"type":"watch","id":""}')).toMatch(/id/);
    expect(parseClientMessage('{"type":"watch","id":"a","seat":1.5}')).toMatch(/seat/);
  });
});

describe('match observer', () => {
  it('a throwing observer never reaches the game', () => {
    const calls: string[] = [];
    const observer: MatchObserver = {
      started: () => {
        calls.push('started');
        throw new Error('boom');
      },
      stepped: () => {
        calls.push('stepped');
        throw new Error('boom');
      },
      ended: () => {
        calls.push('ended');
        throw new Error('boom');
      },
    };
    const host = new MatchHost({ log: silentLogger, observer });
    let finished = false;
    const match = host.open({
      id: 1,
      engine: galaxEngine,
      config: galaxEngine.parseConfig({ maxYear: 3 }),
      seed: 1,
      mode: 'rounds',
      wire: { finished: () => (finished = true), aborted: () => {} },
    });
    expect(match.start(2)).toBe(true);
    while (match.running) for (const seat of [0, 1]) if (match.isWaiting(seat)) match.ready(seat);
    expect(finished).toBe(true);
    expect(match.status).toBe('finished');
    expect(host.stats.aborted).toBe(0);
    expect(calls[0]).toBe('started');
    expect(calls.filter((c) => c === 'stepped').length).toBe(host.stats.steps);
    expect(calls.at(-1)).toBe('ended');
  });
});
