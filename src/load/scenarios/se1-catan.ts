/**
 * `se1-catan`: Settlers of Catan games on an SE1 server (`serve se1 --game catan`). Each bot session connects,
 * creates a test player and logs in; sessions gather in groups of `players` (3 or 4): the first of a group
 * creates a test game (`CREATE GAME <name> -maxPlayers <players> -testgame`), the others join it by name, and
 * the creator starts it once all are in. Every seat plays to the end with a catan bot (`strategy`: catan-random,
 * catan-heuristic, catan-mcts, with parameters as in `catan-mcts:iterations=20`) on the same online seat as
 * `botswarm play catan --connect` (src/game/seat.ts), then leaves and logs out.
 *
 * The session (lobby, grouping, the seat) is the one of every SE1 game scenario (se1-game-kit.ts). Timed besides
 * its lobby round trips: every game command's round trip to
 * the server's `OK - <ACTION>` (`start_game_rtt`, `roll_dies_rtt`, `build_rtt`, `trade_rtt`, `offer_rtt`,
 * `play_rtt`, `choose_rtt`, `end_turn_rtt`); `first_event`, `decide`, and every wait for the server (`metrics.gap`).
 * `rules` (`base` or `cities-and-knights`, default base) is what the server's games must play (the server sets
 * it: `serve se1 --game catan --set rules="rules=cities-and-knights"`); a game that plays otherwise is a session
 * error. Under Cities & Knights the knight and improvement commands are timed as well (`activate_knight_rtt`,
 * `upgrade_knight_rtt`, `use_knight_rtt`, `upgrade_progress_rtt`).
 * Counted: `games_created`, `games_started`, `games` (finished, by the creator), `turns` (END_TURN confirmed),
 * `builds`, `sessions`, `lobby_timeouts`.
 */
import { type ResolvedBot, resolveBot } from '../../bots/resolve.ts';
import { type CatanAction, type CatanObservation, catanEngine } from '../../games/catan/index.ts';
import { CatanOnlineGame } from '../../protocols/se1/catan-seat-adapter.ts';
import { intParam } from '../scenario-kit.ts';
import type { LoadScenario } from '../types.ts';
import { GroupMaker, type Se1GameShared, se1GameParams, se1GameSession } from './se1-game-kit.ts';

export { GroupMaker } from './se1-game-kit.ts';

export interface CatanShared extends Se1GameShared {
  /** The rules the server's games must announce (`base` or `cities-and-knights`); the server sets them. */
  readonly rules: string;
}

const DEFAULTS = {
  strategy: 'catan-random',
  players: 3,
  games: 1,
  lobbyTimeoutMs: 10_000,
  iterations: 100,
  rules: 'base',
} as const;

const runSession = se1GameSession<CatanObservation, CatanAction, CatanShared>({
  engine: catanEngine,
  game: (client, seat, metrics, shared) =>
    new CatanOnlineGame(client, {
      ...seat,
      expect: { rules: shared.rules },
      onAnswer: (kind, micros, ok) => {
        metrics.latency(`${kind}_rtt`, micros);
        if (!ok) return;
        if (kind === 'end_turn') metrics.count('turns');
        else if (kind === 'build') metrics.count('builds');
      },
    }),
});

function shared(
  bot: ResolvedBot,
  prefix: string,
  params: Readonly<Record<string, string | number | boolean>>,
): CatanShared {
  const id = 'se1-catan';
  // The engine's own check of the value (a ConfigError naming `rules` and what it takes).
  const rules = catanEngine.parseConfig({ rules: String(params.rules ?? DEFAULTS.rules) }).rules;
  return {
    bot,
    rules,
    groups: new GroupMaker(prefix, intParam(id, params, 'players', DEFAULTS.players, 3, 4)),
    ...se1GameParams(id, params),
  };
}

export const se1CatanScenario: LoadScenario<CatanShared> = {
  id: 'se1-catan',
  protocol: 'se1',
  description:
    'SE1 Catan games: test players gather in groups of 3 or 4 (CREATE GAME -testgame / JOIN GAME), play to the end with a catan bot, leave',
  params: { ...DEFAULTS },
  // Every command answers a prompt.
  reactive: [
    'start_game_rtt',
    'roll_dies_rtt',
    'build_rtt',
    'trade_rtt',
    'offer_rtt',
    'play_rtt',
    'choose_rtt',
    'end_turn_rtt',
    'activate_knight_rtt',
    'upgrade_knight_rtt',
    'use_knight_rtt',
    'upgrade_progress_rtt',
    'end_play_rtt',
  ],
  async prepare({ params }) {
    const bot = await resolveBot(String(params.strategy ?? DEFAULTS.strategy), 'catan');
    return shared(bot, `lc-${Date.now().toString(36)}`, params);
  },
  // Each worker thread groups its own sessions, under its own game-name prefix so that names never collide.
  threads: {
    toWorker: (s) => ({
      strategy: s.bot.label,
      prefix: s.groups.prefix,
      players: s.groups.size,
      games: s.games,
      lobbyTimeoutMs: s.lobbyTimeoutMs,
      iterations: s.iterations,
      rules: s.rules,
    }),
    async inWorker(data, { thread }) {
      const d = data as { strategy: string; prefix: string; players: number; rules: string } & Record<string, number>;
      return shared(await resolveBot(d.strategy, 'catan'), `${d.prefix}t${thread}`, d);
    },
  },
  runSession,
};
