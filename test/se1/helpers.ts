import { connect, type Socket } from 'node:net';

/** A raw line connection for scripted sessions: sends lines, reads lines with a deadline. */
export class RawLines {
  readonly lines: string[] = [];
  #buffer = '';
  #waiters: (() => void)[] = [];
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.#buffer += d;
      for (;;) {
        const i = this.#buffer.indexOf('\n');
        if (i < 0) break;
        this.lines.push(this.#buffer.slice(0, i).replace(/\r$/, ''));
        this.#buffer = this.#buffer.slice(i + 1);
      }
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('error', () => {});
  }
  static open(port: number): Promise<RawLines> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new RawLines(s)));
      s.once('error', reject);
    });
  }
  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }
  /** Waits until `predicate` holds for the lines received so far (10 s at most). */
  async until(predicate: (lines: string[]) => boolean, ms = 10_000): Promise<string[]> {
    const deadline = Date.now() + ms;
    while (!predicate(this.lines)) {
      if (this.closed || Date.now() > deadline) throw new Error(`timed out; lines so far:\n${this.lines.join('\n')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.lines;
  }
  /** Sends a lobby command and returns its reply block (lines up to and including OK or ERROR). */
  async request(line: string): Promise<string[]> {
    const start = this.lines.length;
    this.send(line);
    await this.until((l) => l.slice(start).some((x) => x === 'OK' || x.startsWith('ERROR')));
    const rest = this.lines.slice(start);
    const end = rest.findIndex((x) => x === 'OK' || x.startsWith('ERROR'));
    return rest.slice(0, end + 1);
  }
  /** JSON events received after index `from`. */
  events(from = 0): Record<string, string>[] {
    return this.lines
      .slice(from)
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
  }
  close(): void {
    this.socket.destroy();
  }
}
