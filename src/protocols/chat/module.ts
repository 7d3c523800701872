/** The chat service as one module: its server, its bots (strategies over chat events) and its load scenario. */
import { defineService } from '../../game/module.ts';

export const chatModule = defineService({
  kind: 'service',
  id: 'chat',
  server: async () => (await import('./index.ts')).chatServerProtocol,
  bots: async () => (await import('../../../bots/chat.ts')).chatBots,
  scenarios: { 'chat-converse': async () => (await import('../../load/scenarios/chat.ts')).chatConverseScenario },
});
