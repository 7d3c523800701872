import { existsSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { builtinBots } from '../../bots/index.ts';
import type { BotDefinition, Strategy, StrategyFactory } from '../core/strategy.ts';
import { isProcessSpec, ProcessBotError, processBotDefinition } from './process-bot.ts';
import { importUserModule } from './user-module.ts';

/** A bot as named on the command line or in a tournament file, resolved to something that makes strategies. */
export interface ResolvedBot {
  /** The spec as written, used as the bot's label in tables (`heuristic`, `mcts:iterations=200`, `./my.ts`). */
  readonly label: string;
  readonly definition: BotDefinition;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** Where the bot came from: `builtin` or the module's absolute path (workers re-import it from there). */
  readonly source: string;
  create(): Strategy;
}

export class BotSpecError extends Error {
  override name = 'BotSpecError';
}

/**
 * Splits `name:key=value:key=value`. Values that look like numbers or booleans become them.
 * A path may itself contain no colon (use a relative or absolute path without one).
 */
export function parseBotSpec(spec: string): { name: string; params: Record<string, string | number | boolean> } {
  const [name, ...pairs] = spec.trim().split(':');
  if (!name) throw new BotSpecError(`empty bot name in ${JSON.stringify(spec)}`);
  const params: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new BotSpecError(`bot parameter "${pair}" in "${spec}" is not key=value`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    params[key] =
      raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return { name, params };
}

const looksLikePath = (name: string) => /[\\/]/.test(name) || /\.(m?[jt]s)$/.test(name);

function findBuiltin(game: string, name: string): BotDefinition | undefined {
  return builtinBots.find((b) => b.game === game && (b.name === name || b.name === `${game}-${name}`));
}

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
    return { ...def, game };
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
    return {
      label: spec.trim(),
      definition,
      params: {},
      source: 'process',
      create: () => definition.create({ params: {} }),
    };
  }
  const { name, params } = parseBotSpec(spec);
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
    definition = findBuiltin(game, name);
    if (!definition) {
      const known = builtinBots.filter((b) => b.game === game).map((b) => b.name.replace(`${game}-`, ''));
      throw new BotSpecError(
        `unknown ${game} bot "${name}" (built-in: ${known.join(', ') || 'none'}; or give a path to a .ts/.js module)`,
      );
    }
    for (const key of Object.keys(params)) {
      if (!definition.params || !(key in definition.params)) {
        const accepted = Object.keys(definition.params ?? {});
        throw new BotSpecError(
          `bot ${definition.name} has no parameter "${key}"${accepted.length ? ` (accepted: ${accepted.join(', ')})` : ''}`,
        );
      }
    }
  }
  const def = definition;
  const merged = { ...(def.params ?? {}), ...params };
  return { label: spec.trim(), definition: def, params: merged, source, create: () => def.create({ params: merged }) };
}

export async function resolveBots(specs: readonly string[], game: string, cwd?: string): Promise<ResolvedBot[]> {
  return Promise.all(specs.map((s) => resolveBot(s, game, cwd)));
}

export function listBots(game?: string): readonly BotDefinition[] {
  return game ? builtinBots.filter((b) => b.game === game) : builtinBots;
}
