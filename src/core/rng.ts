import { createRequire } from 'node:module';
import type seedrandom from 'seedrandom';

/** Serialisable position of a generator: enough to continue the exact same stream later. */
export type RngState = { readonly c: number; readonly s0: number; readonly s1: number; readonly s2: number };

/**
 * A seeded generator. All randomness in botswarm comes from one of these, so that a seed plus the action
 * log replays a game exactly. Sub-streams are derived by name (`fork('map')`, `fork('bot/2')`): adding a
 * draw to one stream never shifts another, and the same name gives the same stream in any process.
 */
export interface Rng {
  /** The seed path this stream was derived from, e.g. `42/map`. */
  readonly seed: string;
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number;
  /** Uniform element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** Fisher–Yates shuffle into a new array. */
  shuffle<T>(items: readonly T[]): T[];
  /** An independent stream named `name` below this one's seed. */
  fork(name: string): Rng;
  /** Current position, for serialising a state that holds a generator. */
  state(): RngState;
}

type Alea = seedrandom.PRNG & { state(): RngState };
type AleaFactory = (seed: string, options: { state: boolean | RngState }) => Alea;
// The one generator we use, required alone: the package's index loads all seven of its generators (about 10 ms
// of CPU at every start of a CLI command or tournament worker, for one of them).
const alea = createRequire(import.meta.url)('seedrandom/lib/alea.js') as AleaFactory;

class AleaRng implements Rng {
  readonly #prng: Alea;
  constructor(
    readonly seed: string,
    state?: RngState,
  ) {
    this.#prng = alea(seed, { state: state ?? true });
  }
  next(): number {
    return this.#prng();
  }
  int(lo: number, hi: number): number {
    if (hi < lo) throw new RangeError(`rng.int: empty range [${lo}, ${hi}]`);
    return lo + Math.floor(this.#prng() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('rng.pick: empty array');
    return items[Math.floor(this.#prng() * items.length)] as T;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.#prng() * (i + 1));
      const t = out[i] as T;
      out[i] = out[j] as T;
      out[j] = t;
    }
    return out;
  }
  fork(name: string): Rng {
    return new AleaRng(`${this.seed}/${name}`);
  }
  state(): RngState {
    return this.#prng.state();
  }
}

/** A generator for `seed`, or for `seed` resumed at `state`. */
export function createRng(seed: string | number, state?: RngState): Rng {
  return new AleaRng(String(seed), state);
}

/**
 * The seed of game `index` of a tournament, derived in the parent process so that the set of games is the
 * same whatever the number of workers. Returned as an unsigned 32-bit integer, printable and reusable on the
 * command line (`botswarm play --seed`).
 */
export function deriveSeed(root: string | number, ...path: (string | number)[]): number {
  const rng = createRng([root, ...path].join('/'));
  return Math.floor(rng.next() * 0x1_0000_0000);
}
