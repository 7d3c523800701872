/**
 * One shared timer for think times. Deadlines are rounded up to a grid of `COARSE_TIMER_SLOT_MS` and every callback
 * due in one slot runs in the same turn of the event loop, so thousands of bots thinking cost one Node timer and at
 * most one wake-up of the loop per slot, not one each. On the shared 2-core machine a wake-up of an otherwise idle loop
 * cost 60–130 µs of CPU (docs/performance.md): with 200 bots thinking about 1 s each, that was most of a generator's
 * steady-state CPU. A think time of random length loses nothing by ending up to one slot later; each callback is
 * told the slot's time, which is the time it was meant to run at.
 *
 * Callbacks are not cancelled: a caller whose wait became pointless ignores the call (as a seat that is over does).
 */

/**
 * The grid, in ms. 10 ms cost a little less CPU but moved the MOVE→MVOK median at 1,000 Galax bots from about 1 ms
 * to 6–18 ms on the loaded test machine (a dozen bots' requests reaching the server at once); at 5 ms it stayed at
 * 1 ms (docs/performance.md).
 */
export const COARSE_TIMER_SLOT_MS = 5;

/** Called with the slot's time (`performance.now()` scale): when it was meant to run. */
export type CoarseCallback = (slotTime: number) => void;

export class CoarseTimer {
  /** Callbacks per slot number (time / slot), and the pending slot numbers as a binary min-heap. */
  readonly #slots = new Map<number, CoarseCallback[]>();
  readonly #heap: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** The slot the timer is armed for (Infinity: none). */
  #armed = Number.POSITIVE_INFINITY;

  constructor(readonly slotMs = COARSE_TIMER_SLOT_MS) {}

  /** Runs `fn` at or after `time` (`performance.now()` scale), within one slot; returns the slot's time. */
  at(time: number, fn: CoarseCallback): number {
    const slot = Math.ceil(time / this.slotMs);
    let list = this.#slots.get(slot);
    if (!list) {
      list = [];
      this.#slots.set(slot, list);
      this.#push(slot);
    }
    list.push(fn);
    // A timer armed for a slot long past never fired (a test switched clocks under it): arm again.
    if (slot < this.#armed || this.#armed * this.slotMs < performance.now() - 1000) this.#arm(this.#heap[0]!);
    return slot * this.slotMs;
  }

  /** Callbacks waiting (for tests). */
  get pending(): number {
    let n = 0;
    for (const list of this.#slots.values()) n += list.length;
    return n;
  }

  #arm(slot: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#armed = slot;
    this.#timer = setTimeout(this.#fire, Math.max(0, slot * this.slotMs - performance.now()));
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armed = Number.POSITIVE_INFINITY;
    // Node's timers count whole milliseconds of the loop's clock: a timer may fire a fraction of one early.
    const now = performance.now() + 1;
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]! * this.slotMs <= now) {
      const slot = this.#pop();
      const list = this.#slots.get(slot)!;
      this.#slots.delete(slot);
      const slotTime = slot * this.slotMs;
      // Each callback in a macrotask of its own, all in this turn of the loop (no further wake-up): what one
      // callback queues with process.nextTick (a Connection's write) runs before the next callback, so a bot's
      // request leaves as soon as it is decided, not after every other bot of the slot decided (that moved a
      // round trip's start away from its write), and a throw is an uncaught exception, as in its own setTimeout.
      for (const fn of list) setImmediate(fn, slotTime);
    }
    if (heap.length > 0) this.#arm(heap[0]!);
  };

  #push(slot: number): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(slot);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= slot) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = slot;
  }

  #pop(): number {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && heap[r]! < heap[l]! ? r : l;
        if (heap[c]! >= last) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}

/** The process's (thread's) think-time timer. */
export const thinkTimer = new CoarseTimer();
