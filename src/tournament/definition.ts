import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { isProcessSpec } from '../bots/process-bot.ts';
import { BotSpecError, parseBotSpec, resolveBot } from '../bots/resolve.ts';
import { type AnyEngine, ConfigError } from '../core/engine.ts';
import { loadGameEngine } from './engine-loader.ts';
import { defaultSwissRounds } from './schedule.ts';
import { tournamentSchema, validateSchema } from './schema.ts';
import type { ReplayPolicy, TournamentDefinition, TournamentFormat } from './types.ts';

/** A bad tournament file or flag: the message names the source and the field. Exit code 2 in the CLI. */
export class TournamentDefinitionError extends Error {
  override name = 'TournamentDefinitionError';
  constructor(
    readonly source: string,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${source}: ${field ? `${field}: ` : ''}${detail}`);
  }
}

/** A tournament as read from a file (or built from flags), before it is checked against the engine. */
export interface TournamentInput {
  /** Where it came from, for messages: the file path, or `command line`. */
  readonly source: string;
  /** Relative bot module paths resolve against this directory (the file's directory, or the cwd). */
  readonly baseDir: string;
  readonly raw: Record<string, unknown>;
}

/** A checked tournament: its definition, the engine, and the run settings the file may carry. */
export interface LoadedTournament {
  readonly definition: TournamentDefinition;
  readonly engine: AnyEngine;
  /** The engine's parsed config (what replays store). */
  readonly config: unknown;
  readonly baseDir: string;
  /** Bot specs with module paths made absolute, by bot index (what workers resolve). */
  readonly botSpecs: readonly string[];
  readonly replays?: ReplayPolicy;
}

export function readTournamentFile(path: string): TournamentInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TournamentDefinitionError(path, '', `cannot read: ${(error as NodeJS.ErrnoException).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TournamentDefinitionError(path, '', `not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TournamentDefinitionError(path, '', 'must be a JSON object');
  }
  const withName = raw as Record<string, unknown>;
  return {
    source: path,
    baseDir: dirname(resolve(path)),
    raw: { name: basename(path).replace(/\.json$/i, ''), ...withName },
  };
}

/** Makes a path-like spec absolute so that workers (and a later `--resume` from elsewhere) find the module. */
export function absoluteSpec(spec: string, baseDir: string): string {
  // A process bot's command runs in baseDir, which travels with the task: its spec stays as written.
  if (isProcessSpec(spec)) return spec.trim();
  const { name } = parseBotSpec(spec);
  if (!/[\\/]/.test(name) && !/\.(m?[jt]s)$/.test(name)) return spec.trim();
  if (isAbsolute(name)) return spec.trim();
  const rest = spec.trim().slice(name.length);
  return `${resolve(baseDir, name)}${rest}`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a tournament against the schema, then against the game: the engine exists, its config parses, the
 * player count fits, every bot resolves, the format's own rules hold. The first problem is thrown, naming
 * its field (`bots[1]: unknown galax bot "foo"`).
 */
export async function loadTournament(
  input: TournamentInput,
  options: { engineModule?: string } = {},
): Promise<LoadedTournament> {
  const { source, raw } = input;
  const fail = (field: string, detail: string): never => {
    throw new TournamentDefinitionError(source, field, detail);
  };
  const errors = validateSchema(tournamentSchema(), raw);
  if (errors.length > 0) fail(errors[0]!.path, errors[0]!.message);

  const game = raw.game as string;
  let engine: AnyEngine;
  try {
    engine = await loadGameEngine(game, options.engineModule);
  } catch (error) {
    return fail('game', (error as Error).message);
  }
  const format = (raw.format as TournamentFormat | undefined) ?? 'round-robin';
  const bots = (raw.bots as string[]).map((b) => b.trim());
  const seen = new Map<string, number>();
  bots.forEach((bot, i) => {
    const first = seen.get(bot);
    if (first !== undefined) fail(`bots[${i}]`, `duplicate of bots[${first}] ("${bot}")`);
    seen.set(bot, i);
  });
  const botSpecs = bots.map((b) => absoluteSpec(b, input.baseDir));
  for (const [i, spec] of botSpecs.entries()) {
    try {
      await resolveBot(spec, game, input.baseDir);
    } catch (error) {
      if (error instanceof BotSpecError) fail(`bots[${i}]`, error.message);
      fail(`bots[${i}]`, `cannot load: ${(error as Error).message}`);
    }
  }

  const defaultPlayers = format === 'ffa' ? Math.min(Math.max(bots.length, engine.minPlayers), engine.maxPlayers) : 2;
  const players = (raw.players as number | undefined) ?? defaultPlayers;
  if (players < engine.minPlayers || players > engine.maxPlayers) {
    fail('players', `${engine.id} takes ${engine.minPlayers} to ${engine.maxPlayers} players, got ${players}`);
  }
  let challenger: string | undefined;
  let rounds: number | undefined;
  if (raw.challenger !== undefined && format !== 'gauntlet') fail('challenger', 'only a gauntlet has a challenger');
  if (raw.rounds !== undefined && format !== 'swiss') fail('rounds', 'only a swiss tournament has rounds');
  if (raw.seatOrders !== undefined && format !== 'round-robin' && format !== 'gauntlet')
    fail('seatOrders', 'only a round-robin or a gauntlet plays every seat order');
  switch (format) {
    case 'round-robin':
      if (bots.length < players)
        fail('bots', `a round-robin of ${players}-player games needs at least ${players} bots`);
      break;
    case 'gauntlet':
      challenger = ((raw.challenger as string | undefined) ?? bots[0]!).trim();
      if (!bots.includes(challenger)) fail('challenger', `"${challenger}" is not one of bots`);
      if (bots.length < players) fail('bots', `a gauntlet of ${players}-player games needs at least ${players} bots`);
      break;
    case 'swiss':
      if (players !== 2) fail('players', 'a swiss tournament pairs two bots per game');
      if (bots.length < 2) fail('bots', 'a swiss tournament needs at least 2 bots');
      rounds = (raw.rounds as number | undefined) ?? defaultSwissRounds(bots.length);
      break;
    case 'ffa':
      break;
  }

  const configRaw = (raw.config as Record<string, unknown> | undefined) ?? {};
  let config: unknown;
  try {
    config = engine.parseConfig(configRaw);
  } catch (error) {
    if (error instanceof ConfigError) fail(`config.${error.field}`, error.message.slice(error.field.length + 2));
    fail('config', (error as Error).message);
  }

  const definition: TournamentDefinition = {
    name: (raw.name as string | undefined) ?? `${game}-${format}`,
    game,
    format,
    bots,
    ...(challenger !== undefined ? { challenger } : {}),
    players,
    games: (raw.games as number | undefined) ?? 10,
    ...(rounds !== undefined ? { rounds } : {}),
    ...(raw.seatOrders === 'all' && players > 2 ? { seatOrders: 'all' as const } : {}),
    seed: (raw.seed as string | number | undefined) ?? 1,
    iterations: (raw.iterations as number | undefined) ?? 1000,
    ...(raw.timeLimitMs !== undefined ? { timeLimitMs: raw.timeLimitMs as number } : {}),
    config: typedConfig(configRaw, config),
  };
  return {
    definition,
    engine,
    config,
    baseDir: input.baseDir,
    botSpecs,
    ...(raw.replays !== undefined ? { replays: raw.replays as ReplayPolicy } : {}),
  };
}

/**
 * The config as the definition stores it: what was given, with `--set` text replaced by the value the game's
 * schema read from it (`"100"` -> 100), so that a flag and a file giving the same setting store the same thing.
 */
function typedConfig(given: Record<string, unknown>, parsed: unknown): Record<string, unknown> {
  const read = (parsed ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    const typed = read[key];
    const scalar = typeof typed === 'number' || typeof typed === 'boolean' || Array.isArray(typed);
    out[key] = typeof value === 'string' && scalar ? typed : value;
  }
  return out;
}

/** Stable JSON (sorted keys) of a definition, to compare a stored one with a new one. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The fields in which two definitions differ, for `--resume`'s refusal. */
export function definitionDifferences(a: TournamentDefinition, b: TournamentDefinition): string[] {
  // The name only picks the default output directory; it decides nothing about the games.
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => k !== 'name'));
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  return [...keys].filter((k) => canonicalJson(ra[k]) !== canonicalJson(rb[k])).sort();
}
