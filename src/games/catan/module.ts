/**
 * Settlers of Catan (base game) as one module: the engine and its settings, bots, replay describer, online
 * client and load scenario. It is hosted by the SE1 server (`botswarm serve se1 --game catan`, or
 * `botswarm serve catan`).
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
  client: async () => (await import('../../protocols/se1/catan-online.ts')).catanClientProtocol,
  server: { protocol: 'se1', settings: { game: 'catan' } },
  scenarios: {
    'se1-catan': async () => (await import('../../load/scenarios/se1-catan.ts')).se1CatanScenario,
  },
  describeStep: catanEngine.describeStep,
});
