import { connect, type Socket } from 'node:net';

/** A bare TCP peer that reads lines: it sends exactly what a test says, valid or not. */
export class Raw {
  lines: string[] = [];
  closed = false;
  #waiters: (() => void)[] = [];
  private constructor(readonly socket: Socket) {
    let buf = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      let i = buf.indexOf('\r\n');
      while (i !== -1) {
        this.lines.push(buf.slice(0, i));
        buf = buf.slice(i + 2);
        i = buf.indexOf('\r\n');
      }
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }
  #wake() {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
  static open(port: number): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new Raw(s)));
      s.once('error', reject);
    });
  }
  send(...lines: string[]) {
    this.socket.write(lines.map((l) => `${l}\r\n`).join(''));
  }
  async #wait(deadline: number, what: string): Promise<void> {
    if (this.closed) throw new Error(`closed while waiting for ${what}; got ${JSON.stringify(this.lines.slice(-5))}`);
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.lines.slice(-5))}`);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, left);
      this.#waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
  /** Removes and returns every line up to and including the first that matches. */
  async until(pred: (line: string) => boolean, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.findIndex(pred);
      if (i !== -1) return this.lines.splice(0, i + 1);
      await this.#wait(deadline, String(pred));
    }
  }
  async next(prefix: string, timeoutMs?: number): Promise<string> {
    return (await this.until((l) => l.startsWith(prefix), timeoutMs)).at(-1)!;
  }
  /** Waits for the next `n` lines and removes them. */
  async take(n: number, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length < n) await this.#wait(deadline, `${n} lines`);
    return this.lines.splice(0, n);
  }
  close() {
    this.socket.destroy();
  }
}
