import { describe, expect, it } from 'vitest';
import { judgeStep, listenOverflows } from '../../bench/loadtest-kit.ts';

/** The one stability rule of every capacity step in the load-test bench. */
describe('judgeStep', () => {
  const step = { bots: 10_000, p99Ms: 150, playing: 10_000, errors: 0 };

  it('is stable only with the p99 of the whole hold within the bound, every bot playing and no errors', () => {
    expect(judgeStep(step, 200)).toBeNull();
    expect(judgeStep({ ...step, p99Ms: 200 }, 200)).toBeNull();
  });

  it('names every reason a step is not stable', () => {
    expect(judgeStep({ ...step, p99Ms: 1019 }, 200)).toBe('p99 1019.0 ms over the hold > 200 ms');
    // 9,948 of 10,000 playing was once judged stable ("nearly every bot"): no longer.
    expect(judgeStep({ ...step, playing: 9948 }, 200)).toBe('9948 of 10000 bots playing');
    expect(judgeStep({ ...step, playing: 9998, notPlaying: 'slowest connect 7012 ms' }, 200)).toBe(
      '9998 of 10000 bots playing (slowest connect 7012 ms)',
    );
    expect(judgeStep({ ...step, errors: 3, errorKinds: 'timeout: 3' }, 200)).toBe('3 errors (timeout: 3)');
    expect(judgeStep({ ...step, p99Ms: 0 }, 200)).toBe('no round trip measured in the hold');
    expect(judgeStep({ bots: 500, p99Ms: 250, playing: 499, errors: 1 }, 200)).toBe(
      'p99 250.0 ms over the hold > 200 ms; 499 of 500 bots playing; 1 errors',
    );
  });
});

/** What a step reports of connects the kernel turned away (a full accept queue), from /proc/net/netstat. */
describe('listenOverflows', () => {
  it('reads TcpExt ListenOverflows, and nothing from text without it', () => {
    const netstat =
      'TcpExt: SyncookiesSent ListenOverflows ListenDrops\nTcpExt: 3 5045 5045\n' +
      'IpExt: InNoRoutes ListenOverflows\nIpExt: 0 7\n';
    expect(listenOverflows(netstat)).toBe(5045);
    expect(listenOverflows('IpExt: InNoRoutes\nIpExt: 0\n')).toBeUndefined();
    expect(listenOverflows(undefined)).toBeUndefined();
  });
});
