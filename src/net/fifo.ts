/**
 * A first-in first-out queue for the requests a client has in flight (replies come back in request order).
 * `Array.prototype.shift` moves every element left (V8 copies arrays of up to ~100 elements): with 64 requests
 * pipelined that was a twentieth of a client's time per reply. Here a head index moves instead, and the array is
 * compacted only once it is mostly consumed.
 */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** The oldest item, or undefined when empty. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** Removes and returns the oldest item (undefined when empty). */
  shift(): T | undefined {
    const items = this.#items;
    const head = this.#head;
    if (head >= items.length) return undefined;
    const item = items[head];
    items[head] = undefined;
    if (head + 1 === items.length) {
      // Empty again: start over at 0 (the usual case between bursts), keeping the array's capacity.
      items.length = 0;
      this.#head = 0;
    } else if (head >= 1024 && head * 2 >= items.length) {
      items.splice(0, head + 1);
      this.#head = 0;
    } else {
      this.#head = head + 1;
    }
    return item;
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const out = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return out;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.#head; i < this.#items.length; i++) yield this.#items[i] as T;
  }
}
