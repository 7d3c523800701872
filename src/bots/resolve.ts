import { existsSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { BotContext, BotDefinition, Strategy, StrategyFactory } from '../core/strategy.ts';
import { loadBots, loadModule, moduleIds } from '../game/registry.ts';
import { ConfigError, readSettings } from '../game/settings.ts';
import { isProcessSpec, ProcessBotError, processBotDefinition } from './process-bot.ts';
import { importUserModule } from './user-module.ts';

type Params = Readonly<Record<string, string | number | boolean>>;

/** A bot as named on the command line or in a tournament file, resolved to something that makes strategies. */
export interface ResolvedBot {
  /** The spec as written, used as the bot's label in result files (`heuristic`, `mcts:iterations=200`, `./my.ts`). */
  readonly label: string;
  /**
   * The bot's name for tables: the spec for a built-in bot, the module's name (not its path) for a module.
   * Absent (bots built by hand in tests): the label.
   */
  readonly displayName?: string;
  readonly definition: BotDefinition;
  /** Every parameter the bot declares, defaults filled in, values typed by its schema. */
  readonly params: Params;
  /** Where the bot came from: `builtin` or the module's absolute path (workers re-import it from there). */
  readonly source: string;
  create(): Strategy;
}

export class BotSpecError extends Error {
  override name = 'BotSpecError';
}

/**
 * Splits `name:key=value:key=value` into the name and the parameters as text; the bot's parameter schema then
 * types and checks them (src/game/settings.ts). A path may itself contain no colon.
 */
export function parseBotSpec(spec: string): { name: string; params: Record<string, string> } {
  const [name, ...pairs] = spec.trim().split(':');
  if (!name) throw new BotSpecError(`empty bot name in ${JSON.stringify(spec)}`);
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new BotSpecError(`bot parameter "${pair}" in "${spec}" is not key=value`);
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { name, params };
}

const looksLikePath = (name: string) => /[\\/]/.test(name) || /\.(m?[jt]s)$/.test(name);

async function builtinBots(game: string): Promise<readonly BotDefinition<unknown, unknown, BotContext>[]> {
  try {
    return await loadBots(game);
  } catch (error) {
    throw new BotSpecError((error as Error).message);
  }
}

const isSchema = (value: unknown): value is BotDefinition['params'] =>
  typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'object';

/** Accepts a module's default export (or named `bot`/`strategy`) in any of the shapes a bot writer may use. */
function definitionFromModule(mod: Record<string, unknown>, game: string, path: string): BotDefinition {
  let value = (mod.default ?? mod.bot ?? mod.strategy) as unknown;
  // A module compiled as CommonJS arrives with its ESM default export one level down.
  if (value && typeof value === 'object' && 'default' in value && !('decide' in value) && !('create' in value)) {
    value = (value as { default: unknown }).default;
  }
  const name = path
    .split(/[\\/]/)
    .pop()!
    .replace(/\.(m?[jt]s)$/, '');
  if (
    value &&
    typeof value === 'object' &&
    'create' in value &&
    typeof (value as BotDefinition).create === 'function'
  ) {
    const def = value as BotDefinition;
    if (def.game && def.game !== game) throw new BotSpecError(`${path} is a bot for ${def.game}, not ${game}`);
    if (def.params !== undefined && !isSchema(def.params))
      throw new BotSpecError(`${path}: params must be a settings schema (see src/game/settings.ts)`);
    return { ...def, name: def.name || name, game };
  }
  if (value && typeof value === 'object' && 'decide' in value) {
    // A plain strategy object: shared by every game it plays, so it must not keep per-game memory.
    const strategy = value as Strategy;
    return { name, game, description: `user module ${path}`, create: () => strategy };
  }
  if (typeof value === 'function') {
    return { name, game, description: `user module ${path}`, create: value as StrategyFactory };
  }
  throw new BotSpecError(
    `${path} must export (as default) a strategy factory, a strategy object with decide(), or a bot definition with create()`,
  );
}

/** The bot's parameters over its defaults, read by its schema: the same strict rules as every `--set`. */
function readParams(definition: BotDefinition, params: Record<string, string>): Params {
  if (!definition.params) {
    const keys = Object.keys(params);
    if (keys.length > 0) throw new BotSpecError(`bot ${definition.name} takes no parameters, got ${keys.join(', ')}`);
    return {};
  }
  try {
    return readSettings(definition.params, params) as Params;
  } catch (error) {
    if (error instanceof ConfigError) throw new BotSpecError(`bot ${definition.name}: ${error.message}`);
    throw error;
  }
}

/**
 * Resolves one bot spec for `game`: a built-in name (short or full), a path to a .ts/.js module, or
 * `exec:<command line>` for a bot in any language, run as a child process (started at its first decision,
 * in `cwd`).
 */
export async function resolveBot(spec: string, game: string, cwd = process.cwd()): Promise<ResolvedBot> {
  if (isProcessSpec(spec)) {
    let definition: BotDefinition;
    try {
      definition = processBotDefinition({ spec, game, cwd });
    } catch (error) {
      if (error instanceof ProcessBotError) throw new BotSpecError(error.message);
      throw error;
    }
    const label = spec.trim();
    return {
      label,
      displayName: label,
      definition,
      params: {},
      source: 'process',
      create: () => definition.create({ params: {} }),
    };
  }
  const { name, params: text } = parseBotSpec(spec);
  let definition: BotDefinition | undefined;
  let source = 'builtin';
  if (looksLikePath(name)) {
    const path = isAbsolute(name) ? name : resolvePath(cwd, name);
    if (!existsSync(path)) throw new BotSpecError(`bot module not found: ${path}`);
    let mod: Record<string, unknown>;
    try {
      mod = await importUserModule(path);
    } catch (error) {
      throw new BotSpecError(`cannot load bot module ${path}: ${(error as Error).message}`);
    }
    definition = definitionFromModule(mod, game, path);
    source = path;
  } else {
    const bots = (await builtinBots(game)) as readonly BotDefinition[];
    definition = bots.find((b) => b.name === name || b.name === `${game}-${name}`);
    if (!definition) {
      const known = bots.map((b) => b.name.replace(`${game}-`, ''));
      throw new BotSpecError(
        `unknown ${game} bot "${name}" (built-in: ${known.join(', ') || 'none'}; or give a path to a .ts/.js module)`,
      );
    }
  }
  const def = definition;
  const params = readParams(def, text);
  const label = spec.trim();
  const suffix = label.slice(name.length);
  return {
    label,
    displayName: source === 'builtin' ? label : `${def.name}${suffix}`,
    definition: def,
    params,
    source,
    create: () => def.create({ params }),
  };
}

export async function resolveBots(specs: readonly string[], game: string, cwd?: string): Promise<ResolvedBot[]> {
  return Promise.all(specs.map((s) => resolveBot(s, game, cwd)));
}

/** The built-in bots of one game or service, or of all of them. */
export async function listBots(id?: string): Promise<readonly BotDefinition<unknown, unknown, BotContext>[]> {
  if (id !== undefined) {
    await loadModule(id);
    return loadBots(id);
  }
  return (await Promise.all(moduleIds().map((m) => loadBots(m)))).flat();
}
