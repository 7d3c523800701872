/** SE1 (seed 003): the plain-text lobby, the JSON event layer, the reference server and the clients. */
import type { ClientProtocol, ServerProtocol } from '../registry.ts';
import { playOnline } from './carcassonne-online.ts';
import { loadSe1Game } from './games.ts';
import { DEFAULT_PORT, startSe1Server } from './server.ts';
import { parseSe1Settings, se1ServerSettings } from './settings.ts';

export {
  CARCASSONNE_ACTIONS,
  type CarcassonneRules,
  carcassonneSe1,
  carcassonneSe1Game,
  checkCarcassonneMap,
  PROMPTS,
  ROTATIONS,
} from './carcassonne.ts';
export { CarcassonneSession, ensureMap } from './carcassonne-client.ts';
export { type CarcassonneOnlineOptions, playOnline } from './carcassonne-online.ts';
export { type LobbyReply, Se1Client, type Se1ClientOptions, Se1Error, Se1Model, TO_MANY } from './client.ts';
export { loadSe1Game, se1GameIds } from './games.ts';
export * from './json.ts';
export type * from './room.ts';
export { DEFAULT_COLORS, playerColor } from './room.ts';
export { type CarcassonneGameOptions, CarcassonneOnlineGame } from './seat-adapter.ts';
export {
  COMMAND_HELP,
  DEFAULT_PORT,
  HELP_LINES,
  MAX_GAME_EVENTS,
  MAX_LINE,
  type Se1RunningServer,
  type StartSe1Options,
  startSe1Server,
} from './server.ts';
export {
  checkSe1Numbers,
  DEFAULT_SETTINGS,
  parseSe1Settings,
  SETTING_BOUNDS,
  type Se1ServerSettings,
  se1ServerSettings,
} from './settings.ts';
export { type StoredMap, type StoredUser, UserStore } from './store.ts';

export const se1ServerProtocol: ServerProtocol = {
  id: 'se1',
  description: 'SE1 game server (seed 003): text lobby, then JSON events; hosts Carcassonne, Catan and CreepSmash',
  defaultPort: DEFAULT_PORT,
  settingsHelp:
    'game=carcassonne|catan|creepsmash timeoutMs=3600000 (idle connection) turnTimeoutMs=120000 (0: none) users=:memory: (SQLite file of accounts and maps) addUsers=nick:password[:email[:team]],... seed=<n> maxGames=1000 maxConnections=2000 maxMaps=1000 maxTestPlayers=10000 testPlayerTtlMs=86400000 maxOpenGamesPerUser=10 tickMs=50 lockstep=false rules=<key=value ...> (CreepSmash)',
  settings: se1ServerSettings,
  hostsGames: true,
  async start(options) {
    const settings = parseSe1Settings(options.settings);
    const game = await loadSe1Game(settings.game);
    return startSe1Server({
      host: options.host,
      port: options.port,
      game,
      settings,
      log: options.log,
      observer: options.observer,
    });
  },
};

export const carcassonneClientProtocol: ClientProtocol = {
  id: 'se1',
  game: 'carcassonne',
  defaultPort: DEFAULT_PORT,
  playOnline,
};
export {
  CREEPSMASH_ACTIONS,
  checkCreepSmashMap,
  creepsmashSe1,
  creepsmashSe1Game,
  formatWireCommand,
  fromMapLine,
  parseWireCommand,
  toMapLine,
} from './creepsmash.ts';
export {
  type CreepSmashGameOptions,
  CreepSmashOnlineGame,
  type CreepSmashOnlineOptions,
  creepsmashClientProtocol,
  playOnline as playCreepSmashOnline,
} from './creepsmash-online.ts';
