/**
 * Settlers of Catan (base game) as one module: the engine and its settings, bots and replay describer. It plays
 * offline (play, tournaments, replays) so far; its SE1 room, online client and load scenario are still to come
 * (issue 15).
 */
import { defineGame } from '../../game/module.ts';
import { catanSettings } from './config.ts';
import { catanEngine } from './engine.ts';

export const catanModule = defineGame({
  kind: 'game',
  id: 'catan',
  engine: catanEngine,
  settings: catanSettings,
  bots: async () => (await import('../../../bots/catan.ts')).catanBots,
  scenarios: {},
  describeStep: catanEngine.describeStep,
});
