/** Galax as one module: the engine and its settings, bots, online client, server and load scenario. */
import { defineGame } from '../../game/module.ts';
import { galaxSettings } from './config.ts';
import { galaxEngine } from './engine.ts';

export const galaxModule = defineGame({
  kind: 'game',
  id: 'galax',
  engine: galaxEngine,
  settings: galaxSettings,
  bots: async () => (await import('../../../bots/galax.ts')).galaxBots,
  client: async () => (await import('../../protocols/galax/index.ts')).galaxClientProtocol,
  server: { protocol: 'galax', load: async () => (await import('../../protocols/galax/index.ts')).galaxServerProtocol },
  scenarios: { 'galax-play': async () => (await import('../../load/scenarios/galax.ts')).galaxPlayScenario },
  describeStep: galaxEngine.describeStep,
});
