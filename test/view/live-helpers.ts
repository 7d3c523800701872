import WebSocket from 'ws';
import { type ResolvedBot, resolveBots } from '../../src/bots/resolve.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { MatchObserver } from '../../src/game/host.ts';
import { galaxClientProtocol, galaxServerProtocol } from '../../src/protocols/galax/index.ts';
import type { RunningServer } from '../../src/protocols/registry.ts';

/** A bot that thinks `ms` before each decision, so that a game lasts long enough to be watched while it runs. */
export function slow(bot: ResolvedBot, ms: number): ResolvedBot {
  return {
    ...bot,
    create: () => {
      const strategy = bot.create();
      const decide = strategy.decide.bind(strategy);
      strategy.decide = async (observation, context) => {
        await new Promise((r) => setTimeout(r, ms));
        return decide(observation, context);
      };
      return strategy;
    },
  };
}

/** A Galax reference server with `observer` on its match host. */
export async function galaxServerWith(observer: MatchObserver | undefined, maxYear = 40): Promise<RunningServer> {
  return galaxServerProtocol.start({
    host: '127.0.0.1',
    port: 0,
    log: silentLogger,
    settings: { gameSeed: '7', maxYear: String(maxYear), moveTimeoutMs: '5000' },
    observer,
  });
}

/** Two slow random bots play one game on `server` (resolves with the outcome when the game ends). */
export async function playSlowGame(server: RunningServer, thinkMs = 15) {
  const bots = (await resolveBots(['random', 'heuristic'], 'galax')).map((b) => slow(b, thinkMs));
  return galaxClientProtocol.playOnline({
    host: server.host,
    port: server.port,
    bots,
    seed: 7,
    budget: { iterations: 10 },
    log: silentLogger,
    timeoutMs: 60_000,
  });
}

/** A WebSocket client of the spectator page that keeps every message. */
export async function spectatorClient(url: string) {
  const ws = new WebSocket(url);
  const messages: Record<string, unknown>[] = [];
  const waiters: { test: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] =
    [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as Record<string, unknown>;
    messages.push(m);
    for (const w of waiters.splice(0)) {
      if (w.test(m)) w.resolve(m);
      else waiters.push(w);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = (test: (m: Record<string, unknown>) => boolean, timeoutMs = 20_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const seen = messages.find(test);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error('no such message in time')), timeoutMs);
      waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  return { ws, messages, next, send: (m: unknown) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)) };
}
