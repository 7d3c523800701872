/**
 * The one definition of a tournament file's shape, as a TypeBox schema (plain JSON Schema 2020-12):
 * `simulations/schema.json`, which editors read, is generated from it (`node --import tsx
 * scripts/gen-schema.ts`, and a test fails when the committed file differs), and the command line's flags are
 * read with the same ranges (`--games` has the file's limit). Every error names the field by its path
 * (`bots[1]`, `config`).
 */
import Type, { type TSchema } from 'typebox';
import { type SchemaError, Setting, validateDocument } from '../game/settings.ts';

export type JsonSchema = TSchema;

export type { SchemaError };

export const MAX_GAMES = 10_000_000;

const TOURNAMENT_PROPERTIES = {
  $schema: Type.String({ description: 'The schema this file follows (for editors).' }),
  name: Setting.text({
    maxLength: 64,
    pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
    patternHint: 'letters, digits, ".", "_" and "-", starting with a letter or digit,',
    help: 'Names the default output directory out/<name>; defaults to the file name.',
  }),
  description: Type.String({ description: 'Free text, for people.' }),
  game: Setting.text({ maxLength: 64, help: 'Game id, e.g. galax.' }),
  format: Setting.oneOf(['round-robin', 'gauntlet', 'swiss', 'ffa'], {
    help: 'round-robin (default), gauntlet, swiss or ffa (free-for-all).',
  }),
  bots: Type.Array(Setting.text({ maxLength: 4096, help: 'A bot spec.' }), {
    minItems: 1,
    maxItems: 256,
    description:
      'Bot specs: built-in names (random, heuristic, name:param=value) or paths to .ts/.js modules, relative to this file.',
  }),
  challenger: Setting.text({
    maxLength: 4096,
    help: 'Gauntlet: the bot that meets the field (one of bots; default the first).',
  }),
  players: Setting.integer({ min: 2, max: 64, help: 'Seats per game (default 2; ffa: the number of bots).' }),
  games: Setting.integer({ min: 1, max: MAX_GAMES, help: 'Games per pairing (ffa: in total; default 10).' }),
  rounds: Setting.integer({ min: 1, max: 1000, help: 'Swiss: rounds (default ceil(log2(bots))).' }),
  seatOrders: Setting.oneOf(['all'], {
    help: 'Round-robin, gauntlet: all = every game seed once in each cyclic seat order ((players - 1)! times the games).',
  }),
  seed: Setting.seed({ help: "Tournament seed; each game's seed derives from it and the game index." }),
  iterations: Setting.integer({ min: 1, max: 1_000_000_000, help: 'Iteration budget per decision (default 1000).' }),
  timeLimitMs: Setting.integer({
    min: 1,
    max: 86_400_000,
    help: 'Wall-clock limit per decision (makes results non-deterministic).',
  }),
  config: Type.Record(Type.String(), Type.Unknown(), {
    description: "Game settings, checked by the game's settings schema (see `botswarm play --help` and the README).",
  }),
  replays: Type.Union([Type.Enum(['all', 'none']), Type.Integer({ minimum: 0, maximum: MAX_GAMES })], {
    description: 'Replay files to write: all, none, or the first N games.',
  }),
};

const { game, bots, ...optional } = TOURNAMENT_PROPERTIES;

export const TournamentSchema = Type.Object(
  {
    ...(Object.fromEntries(Object.entries(optional).map(([k, v]) => [k, Type.Optional(v)])) as {
      [K in keyof typeof optional]: ReturnType<typeof Type.Optional<(typeof optional)[K]>>;
    }),
    game,
    bots,
  },
  {
    $id: 'https://github.com/botswarm/botswarm/simulations/schema.json',
    title: 'botswarm tournament',
    description: 'A tournament file for `botswarm tournament <file>`. Command-line flags override its fields.',
    additionalProperties: false,
  },
);

/** The tournament file schema (the TypeBox object is the JSON Schema). */
export function tournamentSchema(): typeof TournamentSchema {
  return TournamentSchema;
}

/** The text of `simulations/schema.json`, generated from `TournamentSchema`. */
export function tournamentSchemaJson(): string {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...JSON.parse(JSON.stringify(TournamentSchema)),
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** Checks a document against an object schema; every error names its field by path (src/game/settings.ts). */
export const validateSchema = validateDocument;
