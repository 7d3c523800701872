/**
 * A load agent (`botswarm agent --queue URL`): one load-generator host of a load test spread over several
 * (`botswarm loadtest --agents URL`). It registers itself in Redis, waits for a coordinator's plan, runs its share
 * of the run's worker threads (the same ThreadPool and thread code as a local `--threads N` run, numbered within
 * the whole run so that session indexes and seeded streams are those of a one-process run), and hands every
 * thread's per-second interval to the coordinator. The schedule, thresholds and reports stay with the coordinator.
 */
import os from 'node:os';
import type { Redis } from 'ioredis';
import { type Logger, silentLogger } from '../core/log.ts';
import { packageVersion } from '../core/package-info.ts';
import { loadScenario } from '../load/scenarios.ts';
import { ThreadPool } from '../load/threads.ts';
import type { LoadScenario } from '../load/types.ts';
import { openRedis, type QueueAddress } from './connection.ts';
import {
  AGENT_HEARTBEAT_MS,
  AGENTS_KEY,
  type AgentEntry,
  type AgentStats,
  agentInbox,
  COORDINATOR_GONE_MS,
  decodeMessage,
  encodeMessage,
  epochMs,
  type FromAgent,
  runStream,
  type ToAgent,
} from './load-messages.ts';

export interface LoadAgentOptions {
  readonly address: QueueAddress;
  /** Its name in the coordinator's report; default host:pid. Unique among the agents of one Redis. */
  readonly name?: string;
  /** Worker threads running sessions (default 1). */
  readonly threads?: number;
  readonly log?: Logger;
  /** Stops the agent (a run in progress is abandoned: the coordinator reports this agent lost). */
  readonly signal?: AbortSignal;
}

async function findScenario(id: string, module: string | undefined): Promise<LoadScenario> {
  if (!module) return loadScenario(id);
  const mod = (await import(module)) as Record<string, unknown>;
  const found = Object.values(mod).find(
    (v): v is LoadScenario => !!v && typeof v === 'object' && (v as LoadScenario).id === id,
  );
  if (!found) throw new Error(`${module} exports no scenario "${id}"`);
  return found;
}

interface Current {
  readonly run: string;
  readonly pool: ThreadPool;
  /** Control messages in order (`start` waits for its time; what follows waits behind it). */
  chain: Promise<void>;
  offsetMs: number;
  lastHeard: number;
  readonly timeoutMs: number;
  readonly stats: NodeJS.Timeout;
  cpu: NodeJS.CpuUsage;
  cpuAt: number;
}

/** Runs an agent until `signal` aborts; resolves with the number of runs it took part in. */
export async function runLoadAgent(options: LoadAgentOptions): Promise<{ runs: number }> {
  const { address } = options;
  const log = options.log ?? silentLogger;
  const name = options.name ?? `${os.hostname()}:${process.pid}`;
  const threads = options.threads ?? 1;
  const redis = await openRedis(address);
  let reader: Redis;
  try {
    reader = await openRedis(address);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const inbox = agentInbox(name);
  // What an earlier agent of this name left unread is not for this one.
  await redis.del(inbox);
  let current: Current | undefined;
  /** The run whose threads are starting. */
  let joining: string | undefined;
  let runs = 0;
  let stopped = false;

  const entry = (): AgentEntry => ({
    name,
    host: os.hostname(),
    pid: process.pid,
    botswarm: packageVersion(),
    threads,
    cores: os.availableParallelism(),
    run: current?.run ?? null,
    seen: Date.now(),
  });
  const register = async () => {
    try {
      await redis.hset(AGENTS_KEY, name, JSON.stringify(entry()));
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'cannot write the heartbeat');
    }
  };
  const send = (run: string, message: FromAgent) => {
    redis
      .xadd(runStream(run), 'MAXLEN', '~', '100000', '*', 'm', encodeMessage(message))
      .catch((error: Error) => log.warn({ err: error.message }, 'cannot write to the run stream'));
  };
  const statsNow = (c: Current): AgentStats => {
    const now = performance.now();
    const used = process.cpuUsage(c.cpu);
    const ms = Math.max(1, now - c.cpuAt);
    c.cpu = process.cpuUsage();
    c.cpuAt = now;
    const memory = process.memoryUsage();
    return {
      cpuPercent: Math.round(((used.user + used.system) / 1000 / ms) * 1000) / 10,
      rssMB: Math.round(memory.rss / 104857.6) / 10,
      heapUsedMB: Math.round(memory.heapUsed / 104857.6) / 10,
      failures: [...c.pool.failures],
    };
  };
  const leave = async (c: Current, why: string) => {
    if (current !== c) return;
    current = undefined;
    clearInterval(c.stats);
    await c.pool.terminate();
    log.info({ run: c.run, why }, 'left the run');
    await register();
  };

  const plan = async (m: Extract<ToAgent, { type: 'plan' }>) => {
    const refuse = (message: string) => send(m.run, { agent: name, type: 'refused', message });
    const busy = current?.run ?? joining;
    if (busy) return refuse(`agent ${name} is busy with run ${busy}`);
    if (m.botswarm !== packageVersion()) {
      return refuse(`agent ${name} runs botswarm ${packageVersion()}, the coordinator ${m.botswarm}`);
    }
    let pool: ThreadPool;
    joining = m.run;
    const alive = setInterval(() => send(m.run, { agent: name, type: 'alive' }), AGENT_HEARTBEAT_MS);
    try {
      const scenario = await findScenario(m.init.scenario, m.init.scenarioModule);
      pool = await ThreadPool.start({
        ...m.init,
        scenario,
        threads,
        firstThread: m.firstThread,
        allThreads: m.allThreads,
        log,
      });
    } catch (error) {
      return refuse(`agent ${name} cannot start its threads: ${(error as Error).message}`);
    } finally {
      clearInterval(alive);
      joining = undefined;
    }
    if (current || stopped) {
      await pool.terminate();
      return refuse(`agent ${name} is busy`);
    }
    const c: Current = {
      run: m.run,
      pool,
      chain: Promise.resolve(),
      offsetMs: 0,
      lastHeard: Date.now(),
      timeoutMs: Math.max(COORDINATOR_GONE_MS, m.heartbeatTimeoutMs * 3),
      cpu: process.cpuUsage(),
      cpuAt: performance.now(),
      stats: setInterval(() => {
        if (Date.now() - c.lastHeard > c.timeoutMs) {
          log.warn({ run: c.run }, `nothing heard of the coordinator for ${c.timeoutMs} ms: ending the run`);
          void leave(c, 'coordinator gone');
          return;
        }
        send(c.run, { agent: name, type: 'stats', stats: statsNow(c) });
      }, AGENT_HEARTBEAT_MS),
    };
    current = c;
    runs++;
    pool.attach(undefined, (thread, interval) => send(c.run, { agent: name, type: 'interval', thread, interval }));
    await register();
    log.info({ run: m.run, firstThread: m.firstThread, threads, of: m.allThreads }, 'joined a run');
    send(m.run, { agent: name, type: 'ready', host: os.hostname(), threads, cores: os.availableParallelism() });
  };

  const control = async (c: Current, m: ToAgent) => {
    switch (m.type) {
      case 'start': {
        c.offsetMs = m.offsetMs;
        const wait = m.atEpochMs - epochMs();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        send(c.run, { agent: name, type: 'started', atEpochMs: epochMs() });
        break;
      }
      case 'target':
        c.pool.setTarget(m.bots);
        break;
      case 'arrive':
        for (const [index, due] of m.sessions) c.pool.arrive(index, due + c.offsetMs);
        c.pool.flush();
        break;
      case 'end':
        c.pool.end();
        break;
      case 'wait-idle':
        void c.pool.waitIdle(m.ms).then((idle) => {
          if (idle && current === c) send(c.run, { agent: name, type: 'idle' });
        });
        break;
      case 'stop': {
        await c.pool.stop(m.graceMs);
        // The threads' last intervals went out before this (one connection keeps the order).
        send(c.run, { agent: name, type: 'done', stats: statsNow(c) });
        await leave(c, 'run over');
        break;
      }
      case 'leave':
        await leave(c, m.reason);
        break;
    }
  };

  const handle = (m: ToAgent) => {
    if (m.type === 'plan') {
      void plan(m).catch((error: Error) => log.error({ err: error.message }, 'cannot join the run'));
      return;
    }
    const c = current;
    if (!c || c.run !== m.run) return;
    c.lastHeard = Date.now();
    if (m.type === 'ping') {
      const t1 = epochMs();
      send(c.run, { agent: name, type: 'pong', t0: m.t0, t1, t2: epochMs() });
    } else if (m.type !== 'beat') {
      c.chain = c.chain.then(() => control(c, m)).catch((error: Error) => log.error({ err: error.message }, 'control'));
    }
  };

  await register();
  const beat = setInterval(() => void register(), AGENT_HEARTBEAT_MS);
  const onAbort = () => {
    stopped = true;
    reader.disconnect();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  log.info({ agent: name, threads, botswarm: packageVersion() }, 'agent waiting for load tests');
  let lastId = '0-0';
  try {
    while (!stopped) {
      let reply: [string, [string, string[]][]][] | null;
      try {
        reply = (await reader.xread('BLOCK', 1000, 'STREAMS', inbox, lastId)) as typeof reply;
      } catch (error) {
        if (stopped) break;
        log.warn({ err: (error as Error).message }, 'cannot read the inbox');
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          lastId = id;
          try {
            handle(decodeMessage<ToAgent>(fields[1] ?? ''));
          } catch (error) {
            log.warn({ err: (error as Error).message }, 'an unreadable message in the inbox');
          }
        }
      }
      if (reply) await redis.xtrim(inbox, 'MINID', lastId).catch(() => 0);
    }
  } finally {
    clearInterval(beat);
    options.signal?.removeEventListener('abort', onAbort);
    if (current) await leave(current, 'agent stopped');
    await redis.hdel(AGENTS_KEY, name).catch(() => 0);
    await redis.del(inbox).catch(() => 0);
    redis.disconnect();
    reader.disconnect();
  }
  return { runs };
}
