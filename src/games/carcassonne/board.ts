/**
 * Small copy-cheap lookups for the engine's derived board data. Every placement makes a new state, and a
 * `Map` of 70 cells costs ~17 us to copy; these copy with one typed-array `slice` (a memcpy).
 */

/**
 * Cell key -> tile index, open addressing over a power-of-two number of slots at least 1.5 times the tiles a game
 * can have (128 for the base game's 72), keys and values interleaved in one plain array: small typed arrays live
 * off-heap and cost more to allocate.
 */
export class CellTable {
  /** Slots for the base game; a map with more tiles gets more (see `slotsFor`). */
  static readonly SLOTS = 128;
  readonly #shift: number;
  readonly #mask: number;
  constructor(private readonly slots: number[] = new Array<number>(CellTable.SLOTS * 2).fill(0)) {
    const n = slots.length / 2;
    this.#mask = n - 1;
    this.#shift = 32 - Math.log2(n);
  }

  /** A table for a game of `tiles` tiles in all. */
  static forTiles(tiles: number): CellTable {
    let n = CellTable.SLOTS;
    while (n < tiles * 1.5) n *= 2;
    return new CellTable(new Array<number>(n * 2).fill(0));
  }

  #slot(k: number): number {
    // Keys are stored +1 so that 0 marks an empty slot.
    let i = Math.imul(k, 0x9e3779b1) >>> this.#shift;
    const slots = this.slots;
    for (;;) {
      const s = slots[2 * i]!;
      if (s === 0 || s === k + 1) return i;
      i = (i + 1) & this.#mask;
    }
  }
  get(k: number): number | undefined {
    const i = this.#slot(k);
    return this.slots[2 * i] === 0 ? undefined : this.slots[2 * i + 1];
  }
  has(k: number): boolean {
    return this.slots[2 * this.#slot(k)] !== 0;
  }
  set(k: number, v: number): void {
    const i = this.#slot(k);
    this.slots[2 * i] = k + 1;
    this.slots[2 * i + 1] = v;
  }
  clone(): CellTable {
    return new CellTable(this.slots.slice());
  }
}

/**
 * Empty cells next to the board with their demand byte, as a flat list of (key, demand) pairs in ascending key
 * order. The order is what legal placements are listed in, so it must depend on the board alone: a frontier
 * built move by move and one rebuilt from a deserialised state's tiles must list the same placements in the
 * same order, or a seeded bot would play differently from a restored state.
 */
export class Frontier {
  constructor(readonly pairs: number[] = []) {}
  /** Index of the pair with key `k`, or of the first pair with a larger key (where `k` would go). */
  #seek(k: number): number {
    const p = this.pairs;
    let i = 0;
    while (i < p.length && p[i]! < k) i += 2;
    return i;
  }
  get(k: number): number | undefined {
    const i = this.#seek(k);
    return this.pairs[i] === k ? this.pairs[i + 1] : undefined;
  }
  /** ORs `bits` into the cell's demand, adding the cell if it is new. */
  demand(k: number, bits: number): void {
    const i = this.#seek(k);
    if (this.pairs[i] === k) this.pairs[i + 1]! |= bits;
    else this.pairs.splice(i, 0, k, bits);
  }
  delete(k: number): void {
    const i = this.#seek(k);
    if (this.pairs[i] === k) this.pairs.splice(i, 2);
  }
  clone(): Frontier {
    return new Frontier(this.pairs.slice());
  }
}
