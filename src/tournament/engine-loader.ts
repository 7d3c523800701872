import { importUserModule } from '../bots/user-module.ts';
import type { AnyEngine } from '../core/engine.ts';
import { loadEngine } from '../games/registry.ts';

/**
 * The engine of `game`: from the registry, or (for tests and out-of-tree games) from a module exporting
 * `engine` or a default engine, whose `id` must equal `game`. Workers load it the same way.
 */
export async function loadGameEngine(game: string, engineModule?: string): Promise<AnyEngine> {
  if (!engineModule) return loadEngine(game);
  const mod = (await importUserModule(engineModule)) as { engine?: AnyEngine; default?: AnyEngine };
  const engine = mod.engine ?? mod.default;
  if (!engine || typeof engine.setup !== 'function') throw new Error(`${engineModule} exports no engine`);
  if (engine.id !== game) throw new Error(`${engineModule} holds the engine of ${engine.id}, not ${game}`);
  return engine;
}
