import type { StrategyFactory } from '../../src/core/strategy.ts';
import type { Command, OreRushAction, OreRushObservation } from '../../src/games/orerush/index.ts';

/**
 * A baseline that plays legal but aimless rounds: every live robot waits, moves towards a random cell, digs
 * its own or a neighbouring cell, or (at the headquarters with empty hands) requests a radar or a trap when
 * the cooldown allows, one of each per round, so every action is valid.
 */
export const createRandomStrategy: StrategyFactory<OreRushObservation, OreRushAction> = () => ({
  name: 'orerush-random',
  decide(obs, ctx) {
    const rng = ctx.rng;
    const taken = { radar: false, trap: false };
    const commands: Command[] = [];
    for (const robot of obs.robots) {
      if (!robot.alive) {
        commands.push({ type: 'WAIT' });
        continue;
      }
      const roll = rng.int(0, 3);
      if (roll === 1) {
        commands.push({ type: 'MOVE', x: rng.int(0, obs.width - 1), y: rng.int(0, obs.height - 1) });
      } else if (roll === 2) {
        const [dx, dy] = rng.pick([
          [0, 0],
          [1, 0],
          [-1, 0],
          [0, 1],
          [0, -1],
        ] as const);
        const x = Math.min(obs.width - 1, Math.max(0, robot.x + dx));
        const y = Math.min(obs.height - 1, Math.max(0, robot.y + dy));
        commands.push({ type: 'DIG', x, y });
      } else if (roll === 3 && robot.x === 0 && robot.item === null) {
        const item = rng.next() < 0.5 ? 'radar' : 'trap';
        if (obs.cooldowns[item] === 0 && !taken[item]) {
          taken[item] = true;
          commands.push({ type: 'REQUEST', item });
        } else {
          commands.push({ type: 'WAIT' });
        }
      } else {
        commands.push({ type: 'WAIT' });
      }
    }
    return commands;
  },
});
