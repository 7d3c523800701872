import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReplay } from '../../src/core/replay.ts';
import type { GalaxView } from '../../src/games/galax/view.ts';
import type { OreRushView } from '../../src/games/orerush/view.ts';
import { loadEngine } from '../../src/games/registry.ts';
import { buildViewData, loadViewer, type ViewData, viewerPage } from '../../src/view/index.ts';
import { botswarm } from '../cli/helpers.ts';
import { SAMPLE_GAMES } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of every page the test opens, kept as artefacts (git-ignored). */
const ARTEFACTS = fileURLToPath(new URL('../../out/test-artifacts/view/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'botswarm-view-'));
let browser: Browser;
const pages: Record<string, { file: string; data: ViewData }> = {};

beforeAll(async () => {
  // Not a skip: CI must install it (scripts/install-system-packages.sh), or this test fails and says so.
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-system-packages.sh (as root)`).toBe(true);
  mkdirSync(ARTEFACTS, { recursive: true });
  for (const [game, make] of Object.entries(SAMPLE_GAMES)) {
    const replay = await make();
    const viewer = await loadViewer(game);
    const data = buildViewData(await loadEngine(game), viewer, replay);
    const file = join(dir, `${game}.html`);
    writeFileSync(file, viewerPage(data, viewer.renderer));
    writeReplay(join(dir, `${game}.json`), replay);
    pages[game] = { file, data };
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A page that records console errors, uncaught errors and every request other than the file itself. */
async function open(url: string) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  return { page, problems, requests };
}

const board = (page: Page) => page.$eval('#board', (el) => el.innerHTML);
const count = (page: Page, selector: string) => page.$$eval(selector, (els) => els.length);
const step = async (page: Page) => Number(await page.getAttribute('body', 'data-step'));
async function scrubTo(page: Page, index: number) {
  await page.$eval(
    '#scrub',
    (el, v) => {
      const input = el as unknown as { value: string; dispatchEvent(e: unknown): void };
      input.value = String(v);
      input.dispatchEvent(new Event('input'));
    },
    index,
  );
}

describe('botswarm view in headless Chromium', () => {
  for (const game of Object.keys(SAMPLE_GAMES)) {
    it(`${game}: opens offline with no error, and the picture changes when stepping and playing`, async () => {
      const { file } = pages[game]!;
      const { page, problems, requests } = await open(pathToFileURL(file).href);
      try {
        expect(await step(page)).toBe(0);
        const first = await board(page);
        expect(first).toContain('<svg');
        for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
        expect(await step(page)).toBe(3);
        expect(await board(page)).not.toBe(first);
        expect(await page.textContent('#lines')).not.toBe('start of the game');
        await page.keyboard.press('ArrowLeft');
        expect(await step(page)).toBe(2);
        await page.keyboard.press('Home');
        expect(await board(page)).toBe(first);
        await page.click('#next');
        expect(await step(page)).toBe(1);
        await page.keyboard.press(' ');
        // Polled from here: the page's own policy forbids evaluating strings in it.
        const deadline = Date.now() + 20_000;
        while ((await step(page)) < 4 && Date.now() < deadline) await page.waitForTimeout(100);
        expect(await step(page)).toBeGreaterThanOrEqual(4);
        await page.keyboard.press(' ');
        const paused = await step(page);
        await page.waitForTimeout(700);
        expect(await step(page)).toBe(paused);
        await page.keyboard.press('End');
        expect(await step(page)).toBe(pages[game]!.data.frames.length - 1);
        await page.screenshot({ path: join(ARTEFACTS, `${game}.png`) });
        expect(problems).toEqual([]);
        expect(requests).toEqual([pathToFileURL(file).href]);
      } finally {
        await page.close();
      }
    }, 60_000);
  }

  it('galax: seat 0 under fog sees neither the enemy fleets nor the enemy garrisons', async () => {
    const { file, data } = pages.galax!;
    const at = data.frames.findIndex((f) => (f.full as GalaxView).fleets.some((fl) => fl[0] === 2));
    expect(at).toBeGreaterThan(0);
    const { page, problems } = await open(pathToFileURL(file).href);
    try {
      await scrubTo(page, at);
      expect(await step(page)).toBe(at);
      expect(await count(page, '.fleet[data-owner="2"]')).toBeGreaterThan(0);
      expect(await page.$$eval('.ships', (els) => els.filter((e) => e.textContent === '?').length)).toBe(0);
      await page.keyboard.press('1');
      expect(await page.getAttribute('body', 'data-seat')).toBe('0');
      expect(await count(page, '.fleet[data-owner="2"]')).toBe(0);
      expect(await page.$$eval('.ships', (els) => els.filter((e) => e.textContent === '?').length)).toBeGreaterThan(0);
      await page.screenshot({ path: join(ARTEFACTS, 'galax-seat0.png') });
      await page.keyboard.press('f');
      expect(await count(page, '.fleet[data-owner="2"]')).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("orerush: seat 0 sees neither seat 1's traps and radars nor ore outside its radars", async () => {
    const { file, data } = pages.orerush!;
    const at = data.frames.findIndex((f) => (f.full as OreRushView).traps.some((t) => t[2] === 1));
    expect(at).toBeGreaterThan(0);
    const { page, problems } = await open(pathToFileURL(file).href);
    try {
      await scrubTo(page, at);
      expect(await count(page, '.trap[data-owner="1"]')).toBeGreaterThan(0);
      expect(await count(page, '.cell.unknown')).toBe(0);
      await page.selectOption('#seat', '0');
      expect(await count(page, '.trap[data-owner="1"]')).toBe(0);
      expect(await count(page, '.radar[data-owner="1"]')).toBe(0);
      expect(await count(page, '.cell.unknown')).toBeGreaterThan(0);
      await page.screenshot({ path: join(ARTEFACTS, 'orerush-seat0.png') });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('carcassonne: the seat switch says that nothing but the deck order is hidden', async () => {
    const { file } = pages.carcassonne!;
    const { page, problems } = await open(pathToFileURL(file).href);
    try {
      await page.keyboard.press('End');
      const full = await count(page, '.tile');
      await page.keyboard.press('2');
      expect(await page.textContent('#note')).toMatch(/deck/);
      expect(await count(page, '.tile')).toBe(full);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('catan: a seat sees its own hand, only counts and sure cards of the others, and their public points', async () => {
    const { file, data } = pages.catan!;
    const { page, problems } = await open(pathToFileURL(file).href);
    try {
      // Half-way through, when hands are full and unknown cards abound.
      await scrubTo(page, Math.floor(data.frames.length / 2));
      expect(await count(page, '.hex')).toBe(19);
      expect(await count(page, '.settlement, .city')).toBeGreaterThan(0);
      const full = await board(page);
      expect(full).not.toContain('+? points');
      const fullCards = await page.$$eval('.seat[data-seat="0"] .card', (els) => els.map((e) => e.textContent));
      await page.keyboard.press('1');
      const seat0 = await board(page);
      expect(seat0).toContain('seen by seat 0');
      // The others' points are public points plus what seat 0 cannot know (their VP cards).
      expect((seat0.match(/\+\? points/g) ?? []).length).toBe(data.bots.length - 1);
      // Its own hand is exact: the same cards as in the full state.
      expect(await page.$$eval('.seat[data-seat="0"] .card', (els) => els.map((e) => e.textContent))).toEqual(
        fullCards,
      );
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('creepsmash: every board with its towers and creeps, and the seat switch says nothing is hidden', async () => {
    const { file, data } = pages.creepsmash!;
    const { page, problems } = await open(pathToFileURL(file).href);
    try {
      await page.keyboard.press('End');
      expect(await count(page, '.board')).toBe(data.bots.length);
      expect(await count(page, '.tower')).toBeGreaterThan(0);
      const full = await board(page);
      await page.keyboard.press('1');
      expect(await page.textContent('#note')).toMatch(/hides nothing/);
      expect(await count(page, '.tower')).toBe((full.match(/class="tower"/g) ?? []).length);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("the tournament's standings.html opens, and its replay links open the viewer", async () => {
    const out = join(dir, 'tournament');
    const quickstart = fileURLToPath(new URL('../../simulations/quickstart.json', import.meta.url));
    const run = await botswarm(
      ['tournament', quickstart, '--out', out, '--games', '1', '--replays', '2', '--no-progress'],
      { timeoutMs: 120_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const standings = pathToFileURL(join(out, 'standings.html')).href;
    const { page, problems, requests } = await open(standings);
    try {
      expect(await count(page, '#standings tr')).toBe(4);
      expect(await count(page, '#win-rates td')).toBe(9);
      expect(await count(page, '#rating-history polyline.series')).toBe(3);
      const links = await page.$$eval('a.replay', (as) => as.map((a) => a.getAttribute('href')));
      expect(links).toEqual(['replays/game-0.html', 'replays/game-1.html']);
      await page.screenshot({ path: join(ARTEFACTS, 'standings.png'), fullPage: true });
      for (const [i, href] of links.entries()) {
        await page.goto(standings);
        await Promise.all([page.waitForURL(`**/${href}`), page.click(`a.replay >> nth=${i}`)]);
        expect(await page.getAttribute('body', 'data-game')).toBe('galax');
        expect(await board(page)).toContain('<svg');
        await page.keyboard.press('ArrowRight');
        expect(await step(page)).toBe(1);
      }
      expect(problems).toEqual([]);
      expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
    } finally {
      await page.close();
    }
  }, 180_000);
});

describe('botswarm view on the command line', () => {
  it('writes the page beside the replay, or where --out says; a bad file exits 2 with one line', async () => {
    const replay = join(dir, 'galax.json');
    const run = await botswarm(['view', replay]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(join(dir, 'galax.html'));
    const out = join(dir, 'elsewhere.html');
    expect((await botswarm(['view', replay, '--out', out])).code).toBe(0);
    expect(existsSync(out)).toBe(true);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"nope"}');
    const refused = await botswarm(['view', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/not a botswarm replay/);
  }, 120_000);
});
