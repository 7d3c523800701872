/**
 * The SE1 lobby server as one module. It hosts games (Carcassonne's module points here); its own load scenario
 * exercises the lobby alone. It has no bots of its own: the games it hosts bring theirs.
 */
import { defineService } from '../../game/module.ts';

export const se1Module = defineService({
  kind: 'service',
  id: 'se1',
  server: async () => (await import('./index.ts')).se1ServerProtocol,
  bots: async () => [],
  scenarios: { 'se1-lobby': async () => (await import('../../load/scenarios/se1.ts')).se1LobbyScenario },
});
