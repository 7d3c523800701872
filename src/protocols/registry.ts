import type { Logger } from '../core/log.ts';
import type { SettingsSchema } from '../game/settings.ts';

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** Counters a load test can check against (games, moves, errors...). */
  stats(): Record<string, number>;
  close(): Promise<void>;
}

export interface ServeOptions {
  host: string;
  /** 0 = an ephemeral port. */
  port: number;
  log: Logger;
  /** Protocol-specific options from the command line (`--set key=value`, or named flags). */
  settings: Record<string, string>;
  /** Follows the server's games (`serve --web`); servers without games ignore it. */
  observer?: import('../game/host.ts').MatchObserver;
}

export interface ServerProtocol {
  readonly id: string;
  readonly description: string;
  readonly defaultPort: number;
  /** Extra `serve` flags this protocol understands, for `--help`. */
  readonly settingsHelp?: string;
  /** The server's own settings (besides a game's, for a game server); the docs tables are checked against it. */
  readonly settings?: SettingsSchema;
  /** Its games run on a match host, so `serve --web` can follow them (a chat or rendezvous server has none). */
  readonly hostsGames?: boolean;
  start(options: ServeOptions): Promise<RunningServer>;
}

/** The server `botswarm serve <id>` starts, from the one registry (src/game/registry.ts). */
export async function loadProtocol(id: string): Promise<ServerProtocol> {
  const { loadServer } = await import('../game/registry.ts');
  return (await loadServer(id)).protocol;
}

export interface OnlinePlayOptions {
  host: string;
  port: number;
  /** One bot per seat; seat i joins i-th, so bot 0 creates the game and starts it. */
  bots: readonly import('../bots/resolve.ts').ResolvedBot[];
  /** Seeds each bot's own stream (`bot/<seat>`), exactly as the local runner does. */
  seed: string | number;
  budget: import('../core/strategy.ts').Budget;
  log: Logger;
  /** Give up after this long (a server that never ends a game must not hang the client). */
  timeoutMs: number;
  /**
   * The game settings the server runs with (`--set` pairs), where the wire does not carry them: they become
   * the config a bot's forward model sees, so a bot decides online exactly as it would offline.
   */
  settings?: Record<string, unknown>;
}

export interface OnlineOutcome {
  readonly result: import('../core/engine.ts').GameResult;
  /** Decisions each seat sent, and protocol errors it received. */
  readonly decisions: readonly number[];
  readonly errors: readonly string[];
  /** The events in the order seat 0 received them (the game's own event type). */
  readonly events: readonly unknown[];
}

/** Clients that drive bots in a live game: `botswarm play <game> --connect host:port`. */
export interface ClientProtocol {
  readonly id: string;
  readonly game: string;
  readonly defaultPort: number;
  playOnline(options: OnlinePlayOptions): Promise<OnlineOutcome>;
}

/** The network client of a game, from its module in the one registry. */
export async function loadClientProtocol(game: string): Promise<ClientProtocol> {
  const { loadGame, RegistryError } = await import('../game/registry.ts');
  const client = (await loadGame(game)).client;
  if (!client) throw new RegistryError(`${game} has no network client yet: it plays offline only`);
  return client();
}
