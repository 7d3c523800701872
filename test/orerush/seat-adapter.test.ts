import { describe, expect, it } from 'vitest';
import { orerushEngine } from '../../src/games/orerush/index.ts';
import type { GameInfo, OreRushClient } from '../../src/protocols/orerush/index.ts';
import { OreRushOnlineGame } from '../../src/protocols/orerush/index.ts';

/** A game adapter over a client that only takes its handlers (seat() reads nothing else). */
function seated(rules: Record<string, unknown>, player = 0) {
  const client = { setHandlers() {} } as unknown as OreRushClient;
  const game = new OreRushOnlineGame(client);
  const info: GameInfo = { game: 1, player, players: 4, joined: 4, roundTimeoutMs: 60_000, rules };
  game.handlers.onSettings?.(info);
  return game.seat();
}

describe('Ore Rush seat adapter: the config of the settn rules', () => {
  it('is the engine reading of the rules', () => {
    const rules = { ...orerushEngine.defaultConfig(), rounds: 37, width: 12 };
    expect(seated(rules).config).toEqual(orerushEngine.parseConfig(rules));
  });

  it('is read once for the same rules and shared (frozen) by every session that gets them', () => {
    const a = seated({ rounds: 41, oreValues: [1, 2, 3, 4, 5] }, 0);
    const b = seated({ rounds: 41, oreValues: [1, 2, 3, 4, 5] }, 1);
    expect(b.seat).toBe(1);
    expect(b.config).toBe(a.config);
    expect(Object.isFrozen(a.config)).toBe(true);
    expect(Object.isFrozen((a.config as { oreValues: unknown }).oreValues)).toBe(true);
    const c = seated({ rounds: 42, oreValues: [1, 2, 3, 4, 5] });
    expect(c.config).not.toBe(a.config);
    expect((c.config as { rounds: number }).rounds).toBe(42);
  });

  it('still refuses bad rules, every time', () => {
    expect(() => seated({ rounds: 0 })).toThrow(/rounds/);
    expect(() => seated({ rounds: 0 })).toThrow(/rounds/);
  });
});
