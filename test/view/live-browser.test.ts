import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { loadAllViewers } from '../../src/view/index.ts';
import { LiveSpectator } from '../../src/view/live.ts';
import { galaxServerWith, playSlowGame } from './live-helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTEFACTS = fileURLToPath(new URL('../../out/test-artifacts/view/', import.meta.url));
let browser: Browser;

beforeAll(async () => {
  // Not a skip: CI must install it (scripts/install-system-packages.sh), or this test fails and says so.
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-system-packages.sh (as root)`).toBe(true);
  mkdirSync(ARTEFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('live spectator page in Chromium', () => {
  it('follows a running Galax game to its end', async () => {
    const spectator = new LiveSpectator({ viewers: await loadAllViewers(), log: silentLogger, frameIntervalMs: 50 });
    const server = await galaxServerWith(spectator, 60);
    const address = await spectator.listen('127.0.0.1', 0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const problems: string[] = [];
      const foreign: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(String(e)));
      page.on('request', (r) => {
        if (!r.url().startsWith(`http://127.0.0.1:${address.port}/`)) foreign.push(r.url());
      });
      await page.goto(address.url);
      await page.waitForSelector('body[data-connected="1"]');

      const game = playSlowGame(server, 20);
      await page.waitForSelector('button.watch', { timeout: 20_000 });
      await page.click('button.watch');
      // Drawn while it runs: a frame of a running game with planets on the board.
      await page.waitForSelector('body[data-status="running"] #board svg circle.planet', { timeout: 20_000 });
      const runningSteps = Number(await page.getAttribute('body', 'data-steps'));
      await page.screenshot({ path: join(ARTEFACTS, 'live-galax-running.png') });
      const outcome = await game;
      await page.waitForSelector('body[data-status="finished"]', { timeout: 20_000 });
      const endSteps = Number(await page.getAttribute('body', 'data-steps'));
      expect(endSteps).toBeGreaterThan(runningSteps);
      const pos = await page.textContent('#pos');
      expect(pos).toContain('year 60.0');
      expect(pos).toContain(outcome.result.winner === null ? 'draw' : `seat ${outcome.result.winner} wins`);
      expect(await page.$$eval('#board circle.planet', (c) => c.length)).toBeGreaterThan(0);
      expect(await page.textContent('#lines')).not.toBe('');
      // The seat switch redraws that seat's view of the finished game.
      await page.selectOption('#seat', '0');
      await page.waitForSelector('body[data-seat="0"]');
      expect(await page.textContent('#board')).toContain('seen by seat 0');
      await page.screenshot({ path: join(ARTEFACTS, 'live-galax.png') });
      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await page.close();
      await spectator.close();
      await server.close();
    }
  }, 90_000);
});
