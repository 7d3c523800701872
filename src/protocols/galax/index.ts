/** Galax 0.22 over TCP: the wire codec, the reference server and the client, and their registry entries. */
import { type GalaxConfig, galaxEngine } from '../../games/galax/index.ts';
import type { ClientProtocol, RunningServer, ServerProtocol } from '../registry.ts';
import { GALAX_DEFAULT_PORT } from './codec.ts';
import { playGalaxOnline } from './online.ts';
import { GalaxServer } from './server.ts';
import { galaxServerSettings, parseServerSettings, SERVER_SETTINGS } from './settings.ts';

export {
  GalaxAdapter,
  type GalaxAdapterOptions,
  GalaxClient,
  type GalaxClientOptions,
  GalaxReplyError,
  GalaxSessionError,
  GalaxTurn,
  type GfldMessage,
  type MoveCallback,
  type MvokMessage,
  type RequestKind,
} from './client.ts';
export * from './codec.ts';
export { type GalaxOnlineOptions, type GalaxOnlineOutcome, playGalaxOnline } from './online.ts';
export { GalaxAbortedError, type GalaxGameOptions, GalaxOnlineGame, onGalaxTurns } from './seat-adapter.ts';
export {
  GalaxServer,
  type GalaxServerOptions,
  type GalaxServerStats,
  startGalaxServer,
} from './server.ts';
export { galaxServerLimits, galaxServerSettings, parseServerSettings, SERVER_SETTINGS } from './settings.ts';

const engineSettings = Object.keys(galaxEngine.defaultConfig()).join(', ');

export const galaxServerProtocol: ServerProtocol = {
  id: 'galax',
  description: 'Galax 0.22 reference server (lines over TCP, many concurrent games)',
  defaultPort: GALAX_DEFAULT_PORT,
  settingsHelp: `--set ${SERVER_SETTINGS.join('|')}=... and any game setting (${engineSettings})`,
  settings: galaxServerSettings,
  hostsGames: true,
  async start(options): Promise<RunningServer> {
    const server = new GalaxServer({
      ...parseServerSettings(options.settings),
      host: options.host,
      port: options.port,
      log: options.log,
      observer: options.observer,
    });
    const { host, port } = await server.listen();
    return {
      host,
      port,
      stats: () => ({ ...server.stats() }),
      close: () => server.close(),
    };
  },
};

export const galaxClientProtocol: ClientProtocol = {
  id: 'galax',
  game: 'galax',
  defaultPort: GALAX_DEFAULT_PORT,
  // `settings` (the game's `--set` pairs, when the caller passes them) become the config the bots see.
  playOnline: (options) => {
    const { settings } = options;
    return playGalaxOnline(settings ? { ...options, config: settings as Partial<GalaxConfig> } : options);
  },
};
