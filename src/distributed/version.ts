import { createHash } from 'node:crypto';
import { packageVersion } from '../core/package-info.ts';
import { gameIds } from '../games/registry.ts';
import { loadGameEngine } from '../tournament/engine-loader.ts';

/**
 * What decides a game's result besides its seed: the botswarm release and the engine that plays it. A
 * coordinator stamps every job with its own; a worker whose stamp differs would record other results under
 * the same seeds, so it refuses the job.
 */
export interface EngineStamp {
  readonly botswarm: string;
  /** `id@version` of the game's engine. */
  readonly engine: string;
  /** Hash of the above and of the registry's game list. */
  readonly hash: string;
}

const stamps = new Map<string, Promise<EngineStamp>>();

export function engineStamp(game: string, engineModule?: string): Promise<EngineStamp> {
  const key = `${game}\0${engineModule ?? ''}`;
  let stamp = stamps.get(key);
  if (!stamp) {
    stamp = (async () => {
      const engine = await loadGameEngine(game, engineModule);
      const botswarm = packageVersion();
      const tag = `${engine.id}@${engine.version}`;
      const hash = createHash('sha256')
        .update(JSON.stringify([botswarm, tag, [...gameIds()].sort()]))
        .digest('hex')
        .slice(0, 12);
      return { botswarm, engine: tag, hash };
    })();
    stamps.set(key, stamp);
  }
  return stamp;
}

export const describeStamp = (stamp: EngineStamp): string =>
  `botswarm ${stamp.botswarm}, ${stamp.engine} (version hash ${stamp.hash})`;
