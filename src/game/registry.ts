/**
 * The one registry of games and services. Adding a game is one line here (and its folders, see
 * docs/adding-a-game.md). Everything a command needs is behind `load`, so `botswarm play galax` imports the
 * Galax module only, and `--help` imports none.
 */
import type { AnyEngine } from '../core/engine.ts';
import type { BotContext, BotDefinition } from '../core/strategy.ts';
import type { ServerProtocol } from '../protocols/registry.ts';
import type { AnyGameModule, AnyLoadScenario, AnyModule, AnyServiceModule } from './module.ts';

interface EntryCommon {
  readonly id: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** The load scenarios the module declares, by id (its first is its default); checked against the module. */
  readonly scenarios: readonly string[];
}

/** One entry of the registry: what `--help` shows without importing the module, and how to load it. */
export type RegistryEntry =
  | (EntryCommon & { readonly kind: 'game'; readonly load: () => Promise<AnyGameModule> })
  | (EntryCommon & { readonly kind: 'service'; readonly load: () => Promise<AnyServiceModule> });

const ENTRIES: readonly RegistryEntry[] = [
  {
    id: 'galax',
    kind: 'game',
    summary: 'Galax 0.22: conquer planets with fleets, simultaneous moves',
    scenarios: ['galax-play'],
    load: async () => (await import('../games/galax/module.ts')).galaxModule,
  },
  {
    id: 'orerush',
    kind: 'game',
    summary: 'Ore Rush: robots dig ore, radars and traps, simultaneous rounds',
    scenarios: ['orerush-play'],
    load: async () => (await import('../games/orerush/module.ts')).orerushModule,
  },
  {
    id: 'carcassonne',
    kind: 'game',
    summary: 'Carcassonne (base game), hosted on an SE1 server',
    scenarios: ['se1-carcassonne'],
    load: async () => (await import('../games/carcassonne/module.ts')).carcassonneModule,
  },
  {
    id: 'catan',
    kind: 'game',
    summary: 'Settlers of Catan (base game), 3-4 players, hosted on an SE1 server',
    scenarios: ['se1-catan'],
    load: async () => (await import('../games/catan/module.ts')).catanModule,
  },
  {
    id: 'creepsmash',
    kind: 'game',
    summary: 'CreepSmash: real-time tower defence, one step a tick, hosted on an SE1 server',
    scenarios: ['se1-creepsmash'],
    load: async () => (await import('../games/creepsmash/module.ts')).creepsmashModule,
  },
  {
    id: 'chat',
    kind: 'service',
    summary: 'chat service (seed 002): accounts, contacts, chats, messages',
    scenarios: ['chat-converse'],
    load: async () => (await import('../protocols/chat/module.ts')).chatModule,
  },
  {
    id: 'lekt',
    kind: 'service',
    summary: 'LEKT peer runtime: heartbeats, joins and departures',
    scenarios: ['lekt-churn'],
    load: async () => (await import('../protocols/lekt/module.ts')).lektModule,
  },
  {
    id: 'se1',
    kind: 'service',
    summary: 'SE1 game server (seed 003): text lobby, JSON events',
    scenarios: ['se1-lobby'],
    load: async () => (await import('../protocols/se1/module.ts')).se1Module,
  },
];

export class RegistryError extends Error {
  override name = 'RegistryError';
}

export const registryEntries = (): readonly RegistryEntry[] => ENTRIES;
export const gameIds = (): string[] => ENTRIES.filter((e) => e.kind === 'game').map((e) => e.id);
export const serviceIds = (): string[] => ENTRIES.filter((e) => e.kind === 'service').map((e) => e.id);
export const moduleIds = (): string[] => ENTRIES.map((e) => e.id);

function entry(id: string): RegistryEntry | undefined {
  return ENTRIES.find((e) => e.id === id);
}

export async function loadModule(id: string): Promise<AnyModule> {
  const found = entry(id);
  if (!found) throw new RegistryError(`unknown game or service "${id}" (known: ${moduleIds().join(', ')})`);
  return found.load();
}

export async function loadGame(id: string): Promise<AnyGameModule> {
  const found = entry(id);
  if (found?.kind !== 'game') throw new RegistryError(`unknown game "${id}" (known: ${gameIds().join(', ')})`);
  return found.load();
}

export async function loadService(id: string): Promise<AnyServiceModule> {
  const found = entry(id);
  if (found?.kind !== 'service') throw new RegistryError(`unknown service "${id}" (known: ${serviceIds().join(', ')})`);
  return found.load();
}

export async function loadEngine(id: string): Promise<AnyEngine> {
  return (await loadGame(id)).engine;
}

/** The built-in bots of one module. */
export async function loadBots(id: string): Promise<readonly BotDefinition<unknown, unknown, BotContext>[]> {
  return (await loadModule(id)).bots();
}

/**
 * The server `botswarm serve <id>` starts, and the settings it adds: a game's own server, a service's server,
 * or for a game hosted by a service (Carcassonne) that service's server with the settings that pick the game.
 */
export async function loadServer(
  id: string,
): Promise<{ protocol: ServerProtocol; settings: Readonly<Record<string, string>> }> {
  const module = await loadModule(id);
  if (module.kind === 'service') return { protocol: await module.server(), settings: {} };
  const ref = module.server;
  if (!ref) throw new RegistryError(`${id} has no server yet: it plays offline only (play, tournament)`);
  if ('load' in ref) return { protocol: await ref.load(), settings: {} };
  return { protocol: await (await loadService(ref.protocol)).server(), settings: ref.settings };
}

export const scenarioIds = (): string[] => ENTRIES.flatMap((e) => e.scenarios);

export async function loadScenario(id: string): Promise<AnyLoadScenario> {
  const owner = ENTRIES.find((e) => e.scenarios.includes(id));
  if (!owner) throw new RegistryError(`unknown load scenario "${id}" (known: ${scenarioIds().join(', ')})`);
  const load = (await owner.load()).scenarios[id];
  if (!load) throw new RegistryError(`module ${owner.id} does not define the load scenario "${id}"`);
  return load();
}

/** The default scenario of a protocol (`loadtest --protocol <id>`): the first one its module lists. */
export async function defaultScenarioFor(protocol: string): Promise<AnyLoadScenario | undefined> {
  const first = entry(protocol)?.scenarios[0];
  return first === undefined ? undefined : loadScenario(first);
}
