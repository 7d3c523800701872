/**
 * Carcassonne as one module: the engine and its settings, bots, online client and load scenario. It is hosted
 * by the SE1 server (`botswarm serve se1 --game carcassonne`, or `botswarm serve carcassonne`).
 */
import { defineGame } from '../../game/module.ts';
import { carcassonneEngine, carcassonneSettings } from './engine.ts';

export const carcassonneModule = defineGame({
  kind: 'game',
  id: 'carcassonne',
  engine: carcassonneEngine,
  settings: carcassonneSettings,
  bots: async () => (await import('../../../bots/carcassonne.ts')).carcassonneBots,
  client: async () => (await import('../../protocols/se1/index.ts')).carcassonneClientProtocol,
  server: { protocol: 'se1', settings: { game: 'carcassonne' } },
  scenarios: {
    'se1-carcassonne': async () => (await import('../../load/scenarios/se1-carcassonne.ts')).se1CarcassonneScenario,
  },
  describeStep: carcassonneEngine.describeStep,
});
