/**
 * CreepSmash as one module: the engine and its settings, bots, online client, load scenario and replay describer.
 * It is hosted by the SE1 server (`botswarm serve se1 --game creepsmash`, or `botswarm serve creepsmash`), a
 * real-time room whose clock ticks 20 times a second.
 */
import { defineGame } from '../../game/module.ts';
import { creepsmashEngine, creepsmashSettings } from './engine.ts';

export const creepsmashModule = defineGame({
  kind: 'game',
  id: 'creepsmash',
  engine: creepsmashEngine,
  settings: creepsmashSettings,
  bots: async () => (await import('../../../bots/creepsmash.ts')).creepsmashBots,
  client: async () => (await import('../../protocols/se1/creepsmash-online.ts')).creepsmashClientProtocol,
  server: { protocol: 'se1', settings: { game: 'creepsmash' } },
  scenarios: {
    'se1-creepsmash': async () => (await import('../../load/scenarios/se1-creepsmash.ts')).se1CreepSmashScenario,
  },
  describeStep: creepsmashEngine.describeStep,
});
