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

/** Empty cells next to the board with their demand byte, as a flat list of (key, demand) pairs. */
export class Frontier {
  constructor(readonly pairs: number[] = []) {}
  #find(k: number): number {
    const p = this.pairs;
    for (let i = 0; i < p.length; i += 2) if (p[i] === k) return i;
    return -1;
  }
  get(k: number): number | undefined {
    const i = this.#find(k);
    return i < 0 ? undefined : this.pairs[i + 1];
  }
  /** ORs `bits` into the cell's demand, adding the cell if it is new. */
  demand(k: number, bits: number): void {
    const i = this.#find(k);
    if (i < 0) this.pairs.push(k, bits);
    else this.pairs[i + 1]! |= bits;
  }
  delete(k: number): void {
    const i = this.#find(k);
    if (i < 0) return;
    const p = this.pairs;
    p[i] = p[p.length - 2]!;
    p[i + 1] = p[p.length - 1]!;
    p.length -= 2;
  }
  clone(): Frontier {
    return new Frontier(this.pairs.slice());
  }
}
