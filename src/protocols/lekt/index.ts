/** LEKT (seed 001): a binary peer-discovery rendezvous. Spec: docs/protocols/lekt.md. */
import type { ServerProtocol } from '../registry.ts';
import { DEFAULT_PORT } from './codec.ts';
import { LektServer } from './server.ts';
import { DEFAULT_SETTINGS, lektServerSettings, parseLektSettings, SETTING_RANGES } from './settings.ts';

export {
  type PeerAction,
  type PeerBotEnd,
  type PeerBotOptions,
  type PeerObservation,
  type PeerStrategy,
  runPeerBot,
} from './bot.ts';
export * from './codec.ts';
export {
  LektPeer,
  LektPeerError,
  type LektPeerOptions,
  type PeerChangeKind,
  type PeerCloseReason,
  type PeerEntry,
} from './peer.ts';
export { type Completion, type Observer, PropagationTracker, type SwarmChange } from './propagation.ts';
export { LektServer, type LektServerOptions } from './server.ts';
export {
  DEFAULT_SETTINGS,
  type LektServerSettings,
  lektServerSettings,
  parseLektSettings,
  SETTING_RANGES,
} from './settings.ts';

export const lektServerProtocol: ServerProtocol = {
  id: 'lekt',
  description: 'LEKT 1.0 peer-discovery rendezvous (binary, big-endian)',
  defaultPort: DEFAULT_PORT,
  settingsHelp: (Object.keys(DEFAULT_SETTINGS) as (keyof typeof DEFAULT_SETTINGS)[])
    .map((k) => `${k}=${DEFAULT_SETTINGS[k]} (${SETTING_RANGES[k].join('..')})`)
    .join(', '),
  settings: lektServerSettings,
  async start({ host, port, log, settings }) {
    const server = new LektServer({ host, port, log, settings: parseLektSettings(settings) });
    const address = await server.listen();
    log.info({ ...address, settings: server.settings }, 'lekt server listening');
    return { host: address.host, port: address.port, stats: () => server.stats(), close: () => server.close() };
  },
};
