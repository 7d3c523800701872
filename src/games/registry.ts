/** The games of the one registry (src/game/registry.ts), for callers that need only an engine. */
export { gameIds, loadEngine } from '../game/registry.ts';
