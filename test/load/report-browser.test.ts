import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { loadScenario, runLoadTest } from '../../src/load/index.ts';
import { loadProtocol } from '../../src/protocols/registry.ts';

/** Debian's chromium; BOTSWARM_CHROMIUM points elsewhere (or at nothing, to see the skip). */
const CHROMIUM = process.env.BOTSWARM_CHROMIUM ?? '/usr/bin/chromium';
/** The one command that installs it (Debian's package; the script asks for sudo when not root). */
const INSTALL = 'sh scripts/install-system-packages.sh';

/** What the test reads of an SVG path in the page (the project's TypeScript has no DOM types). */
interface PathGeometry {
  getTotalLength(): number;
  getBBox(): { width: number };
}
const dir = mkdtempSync(join(tmpdir(), 'botswarm-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('report.html in headless Chromium', () => {
  it('opens offline and draws every chart', { timeout: 120_000 }, async (context) => {
    if (!existsSync(CHROMIUM)) {
      // CI must prove the report in a browser: there a missing one is a failure, never a skip.
      if (process.env.CI === 'true') expect.fail(`${CHROMIUM} is missing: CI must run ${INSTALL} first`);
      process.stderr.write(
        `report-browser.test.ts: skipped, no browser at ${CHROMIUM}; install one with: ${INSTALL}\n`,
      );
      context.skip(`no browser at ${CHROMIUM}; install one with: ${INSTALL}`);
    }

    const server = await (await loadProtocol('galax')).start({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger,
      settings: { maxYear: '10' },
    });
    let report: string | undefined;
    try {
      const result = await runLoadTest({
        scenario: await loadScenario('galax-play'),
        host: server.host,
        port: server.port,
        workload: { kind: 'closed', start: 4, stages: [{ durationMs: 2500, target: 4 }] },
        thinkTimeMs: 5,
        requestTimeoutMs: 5000,
        params: { players: 2 },
        seed: 'report',
        thresholds: [],
        outDir: dir,
      });
      report = result.files.report;
    } finally {
      await server.close();
    }
    expect(report && existsSync(report)).toBe(true);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(report!).href);
      const charts = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((svg) => ({
          id: svg.id,
          width: svg.getBoundingClientRect().width,
          series: [...svg.querySelectorAll('path.series')].map((p) => ({
            points: Number(p.getAttribute('data-points')),
            length: (p as unknown as PathGeometry).getTotalLength(),
            box: (p as unknown as PathGeometry).getBBox().width,
          })),
        })),
      );
      const ids = charts.map((c) => c.id);
      for (const id of [
        'percentiles-move_rtt',
        'percentiles-connect',
        'over-time-sessions',
        'over-time-messages',
        'over-time-latency-move_rtt',
        'over-time-generator',
      ]) {
        expect(ids, id).toContain(id);
      }
      for (const chart of charts) {
        expect(chart.width, chart.id).toBeGreaterThan(100);
        expect(chart.series.length, chart.id).toBeGreaterThan(0);
      }
      // Real lines: several points each, with a drawn length and width on the page.
      for (const id of ['percentiles-move_rtt', 'over-time-messages', 'over-time-sessions']) {
        const chart = charts.find((c) => c.id === id)!;
        const drawn = chart.series.filter((s) => s.points >= 2 && s.length > 10 && s.box > 10);
        expect(drawn.length, id).toBeGreaterThan(0);
      }
      // Self-contained: nothing but the file itself was requested.
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      const summary = await page.$eval('#summary-json', (el) => JSON.parse(el.textContent ?? '{}'));
      expect(summary.status).toBe('completed');
    } finally {
      await browser.close();
    }
  });
});
