import { describe, expect, it } from 'vitest';
import type { ReplayFile } from '../../src/core/replay.ts';
import type { CatanView } from '../../src/games/catan/view.ts';
import type { GalaxView } from '../../src/games/galax/view.ts';
import type { OreRushView } from '../../src/games/orerush/view.ts';
import { loadEngine } from '../../src/games/registry.ts';
import { buildViewData, loadViewer, ViewError, viewerPage } from '../../src/view/index.ts';
import { pictureSteps, SAMPLE_GAMES } from './helpers.ts';

async function framesOf(replay: ReplayFile) {
  return buildViewData(await loadEngine(replay.game), await loadViewer(replay.game), replay);
}

describe('view frames: a replay re-run into pictures', () => {
  it('one frame per state (or per frameEvery steps), with the steps in words and the scores; the last frame matches the result', async () => {
    for (const make of Object.values(SAMPLE_GAMES)) {
      const replay = await make();
      const data = await framesOf(replay);
      const every = (await loadViewer(replay.game)).frameEvery;
      expect(data.frames.map((f) => f.step)).toEqual(pictureSteps(replay.actions.length, every));
      expect(data.frames[0]!.lines).toEqual([]);
      expect(data.frames.slice(1).some((f) => f.lines.length > 0)).toBe(true);
      for (const f of data.frames) expect(f.scores).toHaveLength(replay.bots.length);
      if (replay.game !== 'galax') expect(data.frames.at(-1)!.scores).toEqual(replay.result.scores);
      expect(data.bots).toEqual(replay.bots);
    }
  });

  it('Galax under fog: a seat sees its own fleets only and no enemy garrison', async () => {
    const data = await framesOf(await SAMPLE_GAMES.galax());
    let enemyFleetsHidden = 0;
    for (const f of data.frames) {
      const full = f.full as GalaxView;
      for (const [seat, view] of (f.seats as GalaxView[]).entries()) {
        const me = seat + 1;
        expect(view.fleets.every((fl) => fl[0] === me)).toBe(true);
        expect(view.fleets).toEqual(full.fleets.filter((fl) => fl[0] === me));
        for (const p of view.planets) if (p[3] !== me) expect(p[4]).toBe(-1);
        enemyFleetsHidden += full.fleets.length - view.fleets.length;
      }
      expect(full.planets.every((p) => p[4] >= 0)).toBe(true);
    }
    expect(enemyFleetsHidden).toBeGreaterThan(0);
  });

  it('Ore Rush: a seat sees its own traps and radars only, and ore only under its radars', async () => {
    const data = await framesOf(await SAMPLE_GAMES.orerush());
    let hiddenTraps = 0;
    let hiddenOre = 0;
    for (const f of data.frames) {
      const full = f.full as OreRushView;
      for (const [seat, view] of (f.seats as OreRushView[]).entries()) {
        expect(view.traps).toEqual(full.traps.filter((t) => t[2] === seat));
        expect(view.radars).toEqual(full.radars.filter((r) => r[2] === seat));
        hiddenTraps += full.traps.length - view.traps.length;
        for (let i = 0; i < view.ore.length; i++) {
          if (view.ore[i] === '.') hiddenOre++;
          else expect(view.ore[i]).toBe(full.ore[i]);
        }
      }
      expect(full.ore).not.toContain('.');
    }
    expect(hiddenTraps).toBeGreaterThan(0);
    expect(hiddenOre).toBeGreaterThan(0);
  });

  it("a seat's lines hold its own action and the events it was told, nothing of the other seat's moves", async () => {
    const galax = await framesOf(await SAMPLE_GAMES.galax());
    const orerush = await framesOf(await SAMPLE_GAMES.orerush());
    const all = (data: typeof galax, seat: number) => data.frames.flatMap((f) => f.seatLines?.[seat] ?? []);
    expect(galax.frames.slice(1).every((f) => f.seatLines?.length === 2)).toBe(true);
    expect(all(galax, 0).some((l) => / seat 0 sends /.test(l))).toBe(true);
    expect(all(galax, 0).some((l) => / seat 1 sends /.test(l))).toBe(false);
    expect(galax.frames.some((f) => f.lines.some((l) => / seat 1 sends /.test(l)))).toBe(true);
    expect(all(orerush, 0).some((l) => /seat 1: |seat 1 robot \d+ digs .*buries/.test(l))).toBe(false);
    expect(orerush.frames.some((f) => f.lines.some((l) => /seat 1 robot \d+ digs .*buries/.test(l)))).toBe(true);
  });

  it('Carcassonne hides nothing the picture shows: no seat views, and the page says why', async () => {
    const data = await framesOf(await SAMPLE_GAMES.carcassonne());
    expect(data.frames.every((f) => f.seats === null)).toBe(true);
    expect(data.nothingHidden).toMatch(/deck/);
  });

  it('refuses a replay that does not re-run, naming the step', async () => {
    const replay = await SAMPLE_GAMES.galax();
    const hashes = [...replay.hashes];
    hashes[3] = '0000000000000000';
    await expect(framesOf({ ...replay, hashes })).rejects.toThrow(/step 3: state hash .* differs from recorded/);
    await expect(framesOf({ ...replay, engineVersion: 'x' })).rejects.toThrow(ViewError);
    const actions = [...replay.actions];
    actions[0] = { kind: 'players', actions: [[0, [{ from: 99, to: 0, ships: 1 }]]] } as never;
    await expect(framesOf({ ...replay, actions })).rejects.toThrow(/step 1: seat 0 action is illegal/);
  });

  it('the page embeds its data and every renderer as script text, nothing fetched', async () => {
    for (const make of Object.values(SAMPLE_GAMES)) {
      const replay = await make();
      const viewer = await loadViewer(replay.game);
      // A renderer is pasted into the page: it must be a function expression on its own.
      expect(typeof new Function(`return (${viewer.renderer});`)()).toBe('function');
      const html = viewerPage(await framesOf(replay), viewer.renderer);
      expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
      expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      const json = /<script type="application\/json" id="view-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
      expect(JSON.parse(json).frames).toHaveLength(pictureSteps(replay.actions.length, viewer.frameEvery).length);
    }
  });

  it('CreepSmash keeps a picture per game second, and the ticks in between keep every line', async () => {
    const replay = await SAMPLE_GAMES.creepsmash();
    const viewer = await loadViewer('creepsmash');
    expect(viewer.frameEvery).toBe(20);
    const engine = await loadEngine('creepsmash');
    const sampled = buildViewData(engine, viewer, replay);
    const every = buildViewData(engine, { ...viewer, frameEvery: 1 }, replay);
    expect(sampled.frames.length).toBeLessThan(every.frames.length / 10);
    expect(sampled.frames.flatMap((f) => f.lines)).toEqual(every.frames.flatMap((f) => f.lines));
    expect(sampled.frames.flatMap((f) => f.lines).some((l) => /built|sent/.test(l))).toBe(true);
    // The same pictures where both keep one.
    const byStep = new Map(every.frames.map((f) => [f.step, f]));
    for (const f of sampled.frames) expect(f.full).toEqual(byStep.get(f.step)!.full);
    expect(sampled.nothingHidden).toMatch(/hides nothing/);
  });

  it("Catan under Cities & Knights draws knights, walls and the barbarians; a seat never sees the others' hands", async () => {
    const { recordReplay } = await import('./helpers.ts');
    const replay = await recordReplay('catan', ['catan-heuristic', 'catan-random', 'catan-heuristic'], 3, {
      rules: 'cities-and-knights',
    });
    const data = await framesOf(replay);
    const last = data.frames.at(-1)!;
    const full = last.full as CatanView;
    expect(full.kinds).toEqual(['brick', 'lumber', 'wool', 'grain', 'ore', 'paper', 'cloth', 'coin']);
    expect(full.ck).toBeDefined();
    expect(data.frames.some((f) => (f.full as CatanView).ck!.knights.length > 0)).toBe(true);
    for (const f of data.frames.slice(1)) {
      const seat0 = f.seats![0] as CatanView;
      // The others' hands: counts only, and a card kind only where seat 0 can be sure of it.
      for (const other of [1, 2]) {
        const truth = (f.full as CatanView).seats[other]!.hand;
        for (const [k, n] of seat0.seats[other]!.hand.entries()) expect(n === -1 || n <= truth[k]!).toBe(true);
        expect(seat0.seats[other]!.points).toBe(-1);
      }
      expect(seat0.seats[0]!.hand).toEqual((f.full as CatanView).seats[0]!.hand);
    }
  });

  it('a bot name with markup cannot break out of the page', async () => {
    const replay = await SAMPLE_GAMES.galax();
    const evil = { ...replay, bots: ['</script><script>alert(1)</script>', 'x"><img src=y>'] };
    const viewer = await loadViewer('galax');
    const html = viewerPage(await framesOf(evil), viewer.renderer);
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html).not.toContain('<img src=y>');
  });
});
