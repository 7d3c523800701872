import type { BotDefinition } from '../src/core/strategy.ts';
import { carcassonneBots } from './carcassonne.ts';
import { catanBots } from './catan.ts';
import { chatBots } from './chat.ts';
import { creepsmashBots } from './creepsmash.ts';
import { galaxBots } from './galax.ts';
import { lektBots } from './lekt.ts';
import { orerushBots } from './orerush.ts';

/**
 * The built-in bots, by full name (`<game>-<short>`). A bot writer does not need to add theirs here: a path
 * to a module works wherever a bot name does (see src/bots/resolve.ts).
 */
export const builtinBots: readonly BotDefinition[] = [
  ...galaxBots,
  ...orerushBots,
  ...chatBots,
  ...lektBots,
  ...carcassonneBots,
  ...catanBots,
  ...creepsmashBots,
];
