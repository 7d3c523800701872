/**
 * `se1-creepsmash`: real-time CreepSmash games on an SE1 server. Sessions pair up as in `se1-carcassonne` (the first
 * of every two creates a 2-player test game, the next joins it), choose their tiles, and play to the end with a
 * strategies/creepsmash bot on the one online seat (src/game/seat.ts) that mirrors the engine tick by tick.
 *
 * What it measures, besides the lobby round trips:
 * - `<action>_rtt`: a command to its `OK - <ACTION>` (or refusal): `create_tower_rtt`, `create_creep_rtt`, ...;
 * - `tick_late`: how late each tick's stream reaches each bot, arrival − (startTime + k·tickMs), where startTime
 *   is the one the server announced; client and server read the same clock on one machine (loopback), elsewhere
 *   the difference of their clocks is in it;
 * - `server_tick_late`: how late the server sent the tick, from the tick event's `@ts` (ms resolution): whether the
 *   server's clock keeps real time;
 * - counts: `ticks` (ticks seen by all bots), `ticks_late` (reached a bot more than one tick late), `games`,
 *   `games_started`, `commands`.
 */
import { resolveBot } from '../../bots/resolve.ts';
import { type CreepSmashAction, type CreepSmashObservation, creepsmashEngine } from '../../games/creepsmash/index.ts';
import { CreepSmashOnlineGame } from '../../protocols/se1/index.ts';
import type { LoadScenario } from '../types.ts';
import { GroupMaker, type Se1GameShared, se1GameParams, se1GameSession } from './se1-game-kit.ts';

export type CreepSmashShared = Se1GameShared;

const DEFAULTS = { strategy: 'heuristic', games: 1, lobbyTimeoutMs: 10_000, iterations: 100 } as const;

const clampMicros = (ms: number) => Math.max(0, Math.round(ms * 1000));

const runSession = se1GameSession<CreepSmashObservation, CreepSmashAction, CreepSmashShared>({
  engine: creepsmashEngine,
  game: (client, seat, metrics) => {
    let tickMs = 50;
    const game: CreepSmashOnlineGame = new CreepSmashOnlineGame(client, {
      ...seat,
      onAnswer: (kind, micros) => {
        metrics.latency(`${kind}_rtt`, micros);
        if (kind !== 'start_game' && kind !== 'choose_tile') metrics.count('commands');
      },
      onTick: (_k, arrivedMs, sentMs, dueMs) => {
        tickMs = game.state?.config.tickMs ?? tickMs;
        const late = arrivedMs - dueMs;
        metrics.latency('tick_late', clampMicros(late));
        metrics.latency('server_tick_late', clampMicros(sentMs - dueMs));
        metrics.count('ticks');
        if (late > tickMs) metrics.count('ticks_late');
      },
    });
    return game;
  },
  // A command the engine refused when it took effect is play, not an error of the server.
  countsAsError: (kind) => kind !== 'ERROR_REJECTED',
});

export const se1CreepSmashScenario: LoadScenario<CreepSmashShared> = {
  id: 'se1-creepsmash',
  protocol: 'se1',
  description:
    'SE1 CreepSmash games in real time: test players pair up, choose tiles, play to the end with a strategies/creepsmash bot mirroring the engine; tick lateness per bot and per server tick',
  params: { ...DEFAULTS },
  // Every command answers a tick the bot observed.
  reactive: [
    'choose_tile_rtt',
    'start_game_rtt',
    'create_tower_rtt',
    'upgrade_tower_rtt',
    'sell_tower_rtt',
    'change_tower_strategy_rtt',
    'create_creep_rtt',
  ],
  // One minute games at 20 ticks a second unless `--server-set rules=...` says otherwise.
  serverSettings: { game: 'creepsmash', rules: 'maxTicks=1200' },
  async prepare({ params }) {
    return {
      bot: await resolveBot(String(params.strategy ?? DEFAULTS.strategy), 'creepsmash'),
      groups: new GroupMaker(`cs-${Date.now().toString(36)}`, 2),
      ...se1GameParams('se1-creepsmash', params),
    };
  },
  threads: {
    toWorker: (s) => ({
      strategy: s.bot.label,
      prefix: s.groups.prefix,
      games: s.games,
      lobbyTimeoutMs: s.lobbyTimeoutMs,
      iterations: s.iterations,
    }),
    async inWorker(data, { thread }) {
      const d = data as { strategy: string; prefix: string; games: number; lobbyTimeoutMs: number; iterations: number };
      return {
        bot: await resolveBot(d.strategy, 'creepsmash'),
        groups: new GroupMaker(`${d.prefix}t${thread}`, 2),
        games: d.games,
        lobbyTimeoutMs: d.lobbyTimeoutMs,
        iterations: d.iterations,
      };
    },
  },
  runSession,
};
