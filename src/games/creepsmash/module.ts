/**
 * CreepSmash as one module: the engine and its settings, bots and replay describer. It plays offline (play,
 * tournaments, replays) so far; its SE1 room, online client and load scenario are still to come (issue 19).
 */
import { defineGame } from '../../game/module.ts';
import { creepsmashEngine, creepsmashSettings } from './engine.ts';

export const creepsmashModule = defineGame({
  kind: 'game',
  id: 'creepsmash',
  engine: creepsmashEngine,
  settings: creepsmashSettings,
  bots: async () => (await import('../../../bots/creepsmash.ts')).creepsmashBots,
  scenarios: {},
  describeStep: creepsmashEngine.describeStep,
});
