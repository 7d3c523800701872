import { readFileSync } from 'node:fs';
import { ConfigError, readSettings, Setting, settingsSchema } from '../../game/settings.ts';
import { checkBoard } from './board.ts';
import { MapError, parseMapFile } from './map-file.ts';
import type { CatanBoard, CatanConfig } from './types.ts';

const RULES: readonly string[] = ['base', 'cities-and-knights'];
/** Cities & Knights is won with 13 points unless vpToWin is set. */
const CK_VP_TO_WIN = 13;

/**
 * The game's settings. Defaults: the base rules, a seeded random layout (as Catanatron plays, so game lengths
 * compare), 10 points, and a turn limit of 1000 player turns (Catanatron's TURNS_LIMIT) that only bots that never
 * build reach.
 */
export const catanSettings = settingsSchema(
  {
    rules: Setting.text({ default: 'base', maxLength: 64, help: 'rule set: base or cities-and-knights' }),
    map: Setting.oneOf(['beginner', 'random'], {
      default: 'random',
      help: 'beginner: the rulebook layout; random: a seeded layout (no 6 or 8 next to a 6 or 8)',
    }),
    vpToWin: Setting.integer({
      min: 3,
      max: 30,
      default: 10,
      help: 'victory points that win on your own turn (13 under cities-and-knights unless set)',
    }),
    maxTurns: Setting.integer({
      min: 1,
      max: 100_000,
      default: 1000,
      help: 'the game ends after this many player turns, ranked by points',
    }),
    maxOffersPerTurn: Setting.integer({
      min: 0,
      max: 20,
      default: 2,
      help: 'player-to-player trade offers one player may make in a turn',
    }),
    board: Setting.optional(
      Setting.custom({
        help: 'a full board instead of map=: @<file> (an SS13 map file, docs/protocols/se1.md), the file text, or the board as JSON',
      }),
    ),
  },
  { title: 'Catan settings' },
);

export function defaultConfig(): CatanConfig {
  return parseConfig({});
}

/**
 * The `board` setting as a board: `@path` reads a map file, other text is a map file itself (lines separated by
 * line ends or `|`), an object is the board as the engine holds it (a replay, a tournament file). Every form is
 * checked strictly (board.ts `checkBoard`); a problem is a ConfigError naming `board`.
 */
export function resolveBoard(value: unknown): CatanBoard {
  try {
    if (typeof value === 'string') {
      if (!value.startsWith('@')) return parseMapFile(value).board;
      let text: string;
      try {
        text = readFileSync(value.slice(1), 'utf8');
      } catch (e) {
        throw new MapError(
          `cannot read map file "${value.slice(1)}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      }
      return parseMapFile(text).board;
    }
    const problem = checkBoard(value);
    if (problem) throw new MapError(problem);
    const b = value as CatanBoard;
    // A copy of only the checked fields, so that nothing else rides along into states and replays.
    return {
      terrain: [...b.terrain],
      numbers: [...b.numbers],
      harbours: b.harbours.map((h) => ({ edge: h.edge, resource: h.resource })),
    };
  } catch (e) {
    if (e instanceof MapError) throw new ConfigError('board', e.message);
    throw e;
  }
}

export function parseConfig(raw: unknown): CatanConfig {
  const { board: rawBoard, ...config } = readSettings(catanSettings, raw);
  if (rawBoard !== undefined) (config as { board?: CatanBoard }).board = resolveBoard(rawBoard);
  if (!RULES.includes(config.rules)) {
    throw new ConfigError('rules', `must be "base" or "cities-and-knights", got ${JSON.stringify(config.rules)}`);
  }
  const vpSet = raw !== null && typeof raw === 'object' && (raw as Record<string, unknown>).vpToWin !== undefined;
  if (config.rules === 'cities-and-knights' && !vpSet) return { ...config, vpToWin: CK_VP_TO_WIN } as CatanConfig;
  return config as CatanConfig;
}
