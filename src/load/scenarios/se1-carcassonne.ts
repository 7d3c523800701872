/**
 * `se1-carcassonne`: Carcassonne games on an SE1 server. Each bot session connects, creates a test player,
 * logs in, and pairs up with another session as players would on a real server: the first of every two
 * sessions creates a test game (`CREATE GAME <name> -maxPlayers 2 -testgame`), the next one joins it, and
 * the creator starts it once both are in. Both play to the end with a strategy of strategies/carcassonne
 * (`strategy` parameter: random, greedy, mcts, with bot parameters as in `mcts:iterations=50`), on the same
 * online seat as `botswarm play --connect` (src/game/seat.ts), then leave and log out.
 *
 * The session (lobby, pairing, the seat) is the one of every SE1 game scenario (se1-game-kit.ts). Timed besides
 * its lobby round trips: the JSON layer's round trips from a command to the server's `OK - <ACTION>` (`start_game_rtt`, `draw_card_rtt`,
 * `place_card_rtt`, `place_meeple_rtt`, `end_turn_rtt`); `first_event` (JOIN GAME sent to the game's first
 * turn); `decide` (the strategy's thinking time); every wait for the server (`metrics.gap`: `start`, `prompt`).
 * Counted: `games_created`, `games` (finished, counted by the
 * creator), `games_started`, `moves` (turns ended), `meeples`, `tiles_discarded` (by the creator), `sessions`,
 * `lobby_timeouts`.
 */
import { resolveBot } from '../../bots/resolve.ts';
import {
  type CarcassonneAction,
  type CarcassonneConfig,
  type CarcassonneState,
  carcassonneEngine,
} from '../../games/carcassonne/index.ts';
import { CarcassonneOnlineGame, type Se1Event } from '../../protocols/se1/index.ts';
import type { LoadScenario } from '../types.ts';
import { GroupMaker, type Se1GameShared, se1GameParams, se1GameSession } from './se1-game-kit.ts';

export interface CarcassonneShared extends Se1GameShared {
  readonly config: CarcassonneConfig;
}

const DEFAULTS = { strategy: 'random', games: 1, lobbyTimeoutMs: 10_000, iterations: 100 } as const;

const runSession = se1GameSession<CarcassonneState, CarcassonneAction, CarcassonneShared>({
  engine: carcassonneEngine,
  game: (client, seat, metrics, shared) =>
    new CarcassonneOnlineGame(client, {
      ...seat,
      config: shared.config,
      onAnswer: (kind, micros, ok) => {
        metrics.latency(`${kind}_rtt`, micros);
        if (!ok) return;
        if (kind === 'end_turn') metrics.count('moves');
        else if (kind === 'place_meeple') metrics.count('meeples');
      },
      ...(seat.creator
        ? {
            onEvent: (e: Se1Event) => {
              if (e.src.startsWith('Card@') && e.prop === 'discarded' && e.nv === 'true')
                metrics.count('tiles_discarded');
            },
          }
        : {}),
    }),
});

export const se1CarcassonneScenario: LoadScenario<CarcassonneShared> = {
  id: 'se1-carcassonne',
  protocol: 'se1',
  description:
    'SE1 Carcassonne games: test players pair up (CREATE GAME -maxPlayers 2 -testgame / JOIN GAME), play to the end with a strategies/carcassonne bot, leave',
  params: { ...DEFAULTS },
  // Every command answers a prompt.
  reactive: ['start_game_rtt', 'draw_card_rtt', 'place_card_rtt', 'place_meeple_rtt', 'end_turn_rtt'],
  async prepare({ params }) {
    return {
      bot: await resolveBot(String(params.strategy ?? DEFAULTS.strategy), 'carcassonne'),
      groups: new GroupMaker(`lt-${Date.now().toString(36)}`, 2),
      ...se1GameParams('se1-carcassonne', params),
      config: carcassonneEngine.defaultConfig(),
    };
  },
  // Each worker thread pairs its own sessions, under its own game-name prefix so that names never collide.
  threads: {
    toWorker: (s) => ({
      strategy: s.bot.label,
      prefix: s.groups.prefix,
      games: s.games,
      lobbyTimeoutMs: s.lobbyTimeoutMs,
      iterations: s.iterations,
      config: s.config,
    }),
    async inWorker(data, { thread }) {
      const d = data as Omit<CarcassonneShared, 'bot' | 'groups'> & { strategy: string; prefix: string };
      return {
        bot: await resolveBot(d.strategy, 'carcassonne'),
        groups: new GroupMaker(`${d.prefix}t${thread}`, 2),
        games: d.games,
        lobbyTimeoutMs: d.lobbyTimeoutMs,
        iterations: d.iterations,
        config: d.config,
      };
    },
  },
  runSession,
};
