import type { AnyEngine } from '../core/engine.ts';

/**
 * Every game botswarm can play locally. A new game adds one line here; the tournament runner, `play`,
 * `replay` and the MCTS bot find it by id and need no other change.
 */
const loaders: Record<string, () => Promise<AnyEngine>> = {
  galax: async () => (await import('./galax/index.ts')).galaxEngine,
  orerush: async () => (await import('./orerush/index.ts')).orerushEngine,
  carcassonne: async () => (await import('./carcassonne/index.ts')).carcassonneEngine,
  catan: async () => (await import('./catan/index.ts')).catanEngine,
  creepsmash: async () => (await import('./creepsmash/index.ts')).creepsmashEngine,
};

export const gameIds = (): string[] => Object.keys(loaders);

export async function loadEngine(id: string): Promise<AnyEngine> {
  const load = loaders[id];
  if (!load) throw new Error(`unknown game "${id}" (known: ${gameIds().join(', ')})`);
  return load();
}
