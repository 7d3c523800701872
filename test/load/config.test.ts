import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeSettings, parsePairs, readScenarioFile, resolveLoadConfig } from '../../src/load/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'botswarm-loadtest-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('load-test settings', () => {
  it('defaults to a bounded closed run against the protocol port on loopback', () => {
    const c = resolveLoadConfig({}, 42529);
    expect(c.workload).toEqual({ kind: 'closed', start: 10, stages: [{ durationMs: 30_000, target: 10 }] });
    expect(c.target).toEqual({ host: '127.0.0.1', port: 42529 });
    expect(c.requestTimeoutMs).toBe(10_000);
    expect(c.gapThresholdMs).toBe(500);
    expect(resolveLoadConfig({ gapThreshold: '250ms' }, 1).gapThresholdMs).toBe(250);
    expect(resolveLoadConfig({ gapThreshold: '2s' }, 1).gapThresholdMs).toBe(2000);
  });

  it('builds open and staged workloads', () => {
    expect(resolveLoadConfig({ rate: '50/s', duration: '10s', maxBots: 7 }, 1).workload).toEqual({
      kind: 'open',
      start: 50,
      stages: [{ durationMs: 10_000, rate: 50 }],
      maxSessions: 7,
    });
    const staged = resolveLoadConfig(
      {
        stages: [
          { duration: '5s', target: 3 },
          { duration: '1s', target: 0 },
        ],
      },
      1,
    );
    expect(staged.workload).toMatchObject({ kind: 'closed', start: 0 });
    expect(staged.durationMs).toBe(6000);
  });

  it('refuses what would make the run unbounded, remote or ambiguous', () => {
    const bad: [Parameters<typeof resolveLoadConfig>[0], RegExp][] = [
      [{ duration: '2h' }, /over the 3600s limit/],
      [{ duration: '50m', gracefulStop: '15m' }, /graceful stop would last/],
      [{ stages: '1s:5', bots: 3 }, /either --bots/],
      [{ stages: '1s:5', duration: '3s' }, /drop --duration/],
      [{ rate: '5/s', bots: 3 }, /give one/],
      [{ stages: '1s:5,1s:2/s' }, /mixes/],
      [{ target: '192.168.1.5:42529' }, /not a loopback address/],
      [{ target: 'localhost:99999' }, /--target/],
      [{ embedded: true, target: '127.0.0.1:1' }, /drop --target/],
      [{ thresholds: ['p99(x) <'] }, /expected a number/],
      [{ think: 'soon' }, /not a duration/],
      [{ gapThreshold: '500' }, /--gap-threshold needs a unit/],
      [{ gapThreshold: '0ms' }, /at least 1ms/],
      [{ gapThreshold: 'long' }, /needs a unit|not a duration/],
    ];
    for (const [settings, message] of bad)
      expect(() => resolveLoadConfig(settings, 1), JSON.stringify(settings)).toThrow(message);
    expect(resolveLoadConfig({ target: '10.0.0.1:5', allowRemote: true }, 1).target).toEqual({
      host: '10.0.0.1',
      port: 5,
    });
    expect(resolveLoadConfig({ duration: '2h', maxDuration: '3h' }, 1).durationMs).toBe(7_200_000);
  });

  it('reads scenario files; flags override them, thresholds and params add up', () => {
    const path = join(dir, 's.json');
    writeFileSync(
      path,
      JSON.stringify({ protocol: 'galax', bots: 5, thresholds: ['error_rate < 0.1'], params: { a: 1 } }),
    );
    const merged = mergeSettings(readScenarioFile(path), {
      bots: 7,
      thresholds: ['count(games) > 1'],
      params: { b: 'x' },
      target: undefined,
    });
    expect(merged).toMatchObject({ protocol: 'galax', bots: 7, params: { a: 1, b: 'x' } });
    expect(merged.thresholds).toEqual(['error_rate < 0.1', 'count(games) > 1']);
    writeFileSync(path, JSON.stringify({ bots: 'many' }));
    expect(() => readScenarioFile(path)).toThrow(/: bots: must be an integer from 0 to 9007199254740991, got "many"/);
    writeFileSync(path, JSON.stringify({ botz: 1 }));
    expect(() => readScenarioFile(path)).toThrow(/: botz: unknown field \(known: /);
    writeFileSync(path, '{');
    expect(() => readScenarioFile(path)).toThrow(/cannot read scenario file/);
    // Text: the scenario's parameter schema converts it (strictly), not Number().
    expect(parsePairs(['players=4', 'bot=heuristic', 'x=true'], '--param')).toEqual({
      players: '4',
      bot: 'heuristic',
      x: 'true',
    });
    expect(() => parsePairs(['oops'], '--param')).toThrow(/key=value/);
  });

  it('threads: 1 by default, from a file or a flag, bounded', () => {
    expect(resolveLoadConfig({}, 1).threads).toBe(1);
    const path = join(dir, 't.json');
    writeFileSync(path, JSON.stringify({ protocol: 'galax', threads: 2 }));
    expect(resolveLoadConfig(readScenarioFile(path), 1).threads).toBe(2);
    expect(resolveLoadConfig(mergeSettings(readScenarioFile(path), { threads: 3 }), 1).threads).toBe(3);
    writeFileSync(path, JSON.stringify({ threads: 0 }));
    expect(() => readScenarioFile(path)).toThrow(/: threads: must be an integer from 1 to /);
    expect(() => resolveLoadConfig({ threads: 65 }, 1)).toThrow(/--threads must be a whole number from 1 to 64/);
  });
});

describe('the load file schema', () => {
  it('accepts the example of docs/loadtest.md and refuses a field of the wrong type in it', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../docs/loadtest.md'), 'utf8');
    const example = /```json\n([\s\S]*?)```/.exec(doc)![1]!;
    const path = join(dir, 'docs-example.json');
    writeFileSync(path, example);
    expect(readScenarioFile(path)).toMatchObject({ protocol: 'galax', embedded: true });
    writeFileSync(path, JSON.stringify({ ...JSON.parse(example), embedded: 'yes' }));
    expect(() => readScenarioFile(path)).toThrow(/: embedded: must be true or false, got "yes"/);
  });
});
