/** The LEKT rendezvous as one module: its server, its peer bots and its load scenario. */
import { defineService } from '../../game/module.ts';

export const lektModule = defineService({
  kind: 'service',
  id: 'lekt',
  server: async () => (await import('./index.ts')).lektServerProtocol,
  bots: async () => (await import('../../../bots/lekt.ts')).lektBots,
  scenarios: { 'lekt-churn': async () => (await import('../../load/scenarios/lekt.ts')).lektChurnScenario },
});
