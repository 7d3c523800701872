import { connect, type Socket } from 'node:net';
import { expect } from 'vitest';

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

/** A new logged-in test player on `port` (CREATE TESTPLAYER, then LOGIN), added to `opened` for the cleanup. */
export async function testPlayer(port: number, opened: RawLines[]): Promise<RawLines> {
  const raw = await RawLines.open(port);
  opened.push(raw);
  await raw.until((l) => l.length >= 1);
  const m = /NICK=(\S+) PASSWORD=(\S+)/.exec((await raw.request('CREATE TESTPLAYER'))[0] ?? '');
  expect(await raw.request(`LOGIN ${m![1]} ${m![2]}`)).toContain('OK');
  return raw;
}

/** The server's USER_MESSAGE notices `raw` received, from its `from`-th event on. */
export const notices = (raw: RawLines, from = 0) =>
  raw
    .events(from)
    .filter((e) => e['@src'] === 'SERVER' && e['@prop'] === 'USER_MESSAGE')
    .map((e) => e['@nv']!);

/** The last value of `prop` on an object of class `cls` (or on `src`), as `raw` saw it. */
export const lastValue = (raw: RawLines, prop: string, src?: string) =>
  raw
    .events()
    .filter((e) => e['@prop'] === prop && (src === undefined || e['@src'] === src))
    .at(-1)?.['@nv'];
