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

/**
 * Alea (Johannes Baagøe's generator, as the `seedrandom` package's `alea` computes it, bit for bit: its streams are
 * the ones every seed of botswarm has given so far; test/core/rng.test.ts compares them). Written out as one class
 * with four numbers: the package's generator is a function with four closures, their context and an object of
 * state per stream, kept by every load bot's session stream (docs/performance.md, "Against Locust at 5,000 bots:
 * one object per session").
 */
class AleaRng implements Rng {
  #c = 1;
  #s0: number;
  #s1: number;
  #s2: number;

  constructor(
    readonly seed: string,
    state?: RngState,
  ) {
    const mash = new Mash();
    let s0 = mash.next(' ');
    let s1 = mash.next(' ');
    let s2 = mash.next(' ');
    s0 -= mash.next(seed);
    if (s0 < 0) s0 += 1;
    s1 -= mash.next(seed);
    if (s1 < 0) s1 += 1;
    s2 -= mash.next(seed);
    if (s2 < 0) s2 += 1;
    this.#s0 = s0;
    this.#s1 = s1;
    this.#s2 = s2;
    if (state) {
      this.#c = state.c;
      this.#s0 = state.s0;
      this.#s1 = state.s1;
      this.#s2 = state.s2;
    }
  }

  next(): number {
    const t = 2091639 * this.#s0 + this.#c * 2.3283064365386963e-10; // 2^-32
    this.#s0 = this.#s1;
    this.#s1 = this.#s2;
    this.#c = t | 0;
    this.#s2 = t - this.#c;
    return this.#s2;
  }
  int(lo: number, hi: number): number {
    if (hi < lo) throw new RangeError(`rng.int: empty range [${lo}, ${hi}]`);
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('rng.pick: empty array');
    return items[Math.floor(this.next() * items.length)] as T;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
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
    return { c: this.#c, s0: this.#s0, s1: this.#s1, s2: this.#s2 };
  }
}

/** Alea's seed hash (`Mash`), as `seedrandom`'s alea has it. */
class Mash {
  #n = 0xefc8249d;

  next(data: string): number {
    let n = this.#n;
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000; // 2^32
    }
    this.#n = n;
    return (n >>> 0) * 2.3283064365386963e-10; // 2^-32
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
