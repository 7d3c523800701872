/** Ore Rush over TCP: the packet codec, the reference server and the client. */
import type { ClientProtocol, ServerProtocol } from '../registry.ts';
import { playOnline } from './online.ts';
import { DEFAULT_PORT } from './packets.ts';
import { startOreRushServer } from './server.ts';
import { orerushServerSettings, parseServerSettings } from './settings.ts';

export {
  type Answer,
  type AnswerCallback,
  AnswerTimeoutError,
  type ClientHandlers,
  type ClientOptions,
  OreRushClient,
} from './client.ts';
export { type OnlineSeatResult, type PlayOreRushOptions, playOnline, playOreRushOnline } from './online.ts';
export * from './packets.ts';
export {
  OreRushGameClosed,
  type OreRushGameOptions,
  OreRushOnlineGame,
  type OreRushTurn,
  onUpdates,
} from './seat-adapter.ts';
export {
  CLIENT_RULE_LIMITS,
  type FinishedGame,
  type OreRushRunningServer,
  type StartOptions,
  startOreRushServer,
} from './server.ts';
export {
  DEFAULT_SERVER_SETTINGS,
  type OreRushServerSettings,
  orerushServerSettings,
  parseServerSettings,
} from './settings.ts';
export {
  encodeUpdateBody,
  isUpdateBody,
  OreRushUpdate,
  readUpdateBody,
  readyUpdate,
  UpdateReader,
} from './update-codec.ts';
export * from './wire.ts';

export const orerushServerProtocol: ServerProtocol = {
  id: 'orerush',
  description: 'Ore Rush (seed 000): STX/US/ETX packets, simultaneous rounds, radar and traps',
  defaultPort: DEFAULT_PORT,
  settingsHelp:
    'pingIntervalMs=1000 silentTimeoutMs=10000 roundTimeoutMs=60000 maxGames=1000 maxConnections=5000 quickPlayers=2, ' +
    'and any game rule as the default of new games (e.g. rounds=50)',
  settings: orerushServerSettings,
  hostsGames: true,
  async start(options) {
    const settings = parseServerSettings(options.settings);
    return startOreRushServer({
      host: options.host,
      port: options.port,
      log: options.log,
      settings,
      observer: options.observer,
    });
  },
};

export const orerushClientProtocol: ClientProtocol = {
  id: 'orerush',
  game: 'orerush',
  defaultPort: DEFAULT_PORT,
  playOnline,
};
