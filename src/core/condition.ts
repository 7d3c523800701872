/**
 * Waiting for a condition on state that messages change: `until(cond, ms)` resolves true once `cond` holds when
 * `wake()` is called (after each message that may change it), false when the time runs out first; an abort signal
 * ends the wait with `cond` as it stands. Never rejects. The worker-thread pool and the load-agent coordinator
 * wait on their threads' and agents' answers this way.
 */
export class Condition {
  readonly #waiters = new Set<() => void>();

  /** Something changed: every waiting condition is checked again. */
  wake(): void {
    for (const w of this.#waiters) w();
  }

  /**
   * Resolves when `cond` holds, the time is over or `signal` aborts. `pollMs` also checks it on a timer, for a
   * condition that time alone can make true (a peer silent for too long).
   */
  until(cond: () => boolean, ms: number, signal?: AbortSignal, pollMs?: number): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        if (poll !== undefined) clearInterval(poll);
        this.#waiters.delete(check);
        signal?.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      const check = () => {
        if (cond()) finish(true);
      };
      const onAbort = () => finish(cond());
      const timer = setTimeout(() => finish(cond()), ms);
      const poll = pollMs === undefined ? undefined : setInterval(check, pollMs);
      this.#waiters.add(check);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
