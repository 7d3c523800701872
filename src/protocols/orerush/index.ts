/** Ore Rush over TCP: the packet codec, the reference server and the client. */
import { ConfigError } from '../../core/engine.ts';
import type { ClientProtocol, ServerProtocol } from '../registry.ts';
import { playOnline } from './online.ts';
import { DEFAULT_PORT } from './packets.ts';
import { parseServerSettings, startOreRushServer } from './server.ts';

export {
  type Answer,
  AnswerTimeoutError,
  type ClientHandlers,
  type ClientOptions,
  OreRushClient,
} from './client.ts';
export { type OnlineSeatResult, type PlayOreRushOptions, playOnline, playOreRushOnline } from './online.ts';
export * from './packets.ts';
export { OreRushGameClosed, type OreRushGameOptions, OreRushOnlineGame } from './seat-adapter.ts';
export {
  CLIENT_RULE_LIMITS,
  DEFAULT_SERVER_SETTINGS,
  type FinishedGame,
  type OreRushRunningServer,
  type OreRushServerSettings,
  parseServerSettings,
  type StartOptions,
  startOreRushServer,
} from './server.ts';
export * from './wire.ts';

export const orerushServerProtocol: ServerProtocol = {
  id: 'orerush',
  description: 'Ore Rush (seed 000): STX/US/ETX packets, simultaneous rounds, radar and traps',
  defaultPort: DEFAULT_PORT,
  settingsHelp:
    'pingIntervalMs=1000 silentTimeoutMs=10000 roundTimeoutMs=60000 maxGames=1000 maxConnections=5000 quickPlayers=2, ' +
    'and any game rule as the default of new games (e.g. rounds=50)',
  async start(options) {
    let settings;
    try {
      settings = parseServerSettings(options.settings);
    } catch (error) {
      if (error instanceof ConfigError) throw new Error(`--set ${error.message}`);
      throw error;
    }
    return startOreRushServer({ host: options.host, port: options.port, log: options.log, settings });
  },
};

export const orerushClientProtocol: ClientProtocol = {
  id: 'orerush',
  game: 'orerush',
  defaultPort: DEFAULT_PORT,
  playOnline,
};
