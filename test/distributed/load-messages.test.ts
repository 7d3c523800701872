import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, type FromAgent } from '../../src/distributed/load-messages.ts';
import { LoadRecorder } from '../../src/load/index.ts';

describe('load agent messages', () => {
  it('carry an interval through JSON with every histogram bucket intact', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 10_000_000 }), { minLength: 1, maxLength: 200 }), (samples) => {
        const agent = new LoadRecorder({ monitorLag: false });
        const direct = new LoadRecorder({ monitorLag: false });
        const merged = new LoadRecorder({ monitorLag: false });
        for (const us of samples) {
          agent.latency('move_rtt', us);
          direct.latency('move_rtt', us);
        }
        const message: FromAgent = { agent: 'a', type: 'interval', thread: 0, interval: agent.takeInterval() };
        const back = decodeMessage<typeof message>(encodeMessage(message));
        merged.absorb(0, back.interval);
        merged.tick();
        direct.tick();
        expect(merged.latencySummary('move_rtt')).toEqual(direct.latencySummary('move_rtt'));
      }),
      { numRuns: 50 },
    );
  });

  it('refuse text that is not JSON', () => {
    expect(() => decodeMessage('{not json')).toThrow(SyntaxError);
  });
});
