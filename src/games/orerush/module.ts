/** Ore Rush as one module: the engine and its settings, bots, online client, server and load scenario. */
import { defineGame } from '../../game/module.ts';
import { orerushSettings } from './config.ts';
import { orerushEngine } from './engine.ts';

export const orerushModule = defineGame({
  kind: 'game',
  id: 'orerush',
  engine: orerushEngine,
  settings: orerushSettings,
  bots: async () => (await import('../../../bots/orerush.ts')).orerushBots,
  client: async () => (await import('../../protocols/orerush/index.ts')).orerushClientProtocol,
  server: {
    protocol: 'orerush',
    load: async () => (await import('../../protocols/orerush/index.ts')).orerushServerProtocol,
  },
  scenarios: { 'orerush-play': async () => (await import('../../load/scenarios/orerush.ts')).orerushPlayScenario },
  describeStep: orerushEngine.describeStep,
});
