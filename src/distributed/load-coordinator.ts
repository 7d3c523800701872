/**
 * The coordinator's side of a load test over load agents (`botswarm loadtest --agents URL --agent-count N`): a
 * SessionPool for the runner, so that the schedule, the per-second merge, thresholds and reports are the very
 * ones of a local run. The agents' worker threads are numbered as one run's threads (agent by agent, in name
 * order), so the runner's dealing — bot slot b to thread b mod T, arrival j to thread j mod T, session indexes
 * interleaved over the threads — gives every session the index and seeded stream of a one-process run with T
 * threads. Each agent's clock offset is measured (NTP-style, ping/pong through Redis) and every agent starts at
 * one moment; an agent silent for longer than the heartbeat bound is lost, by name.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Condition } from '../core/condition.ts';
import { type Logger, silentLogger } from '../core/log.ts';
import { packageVersion } from '../core/package-info.ts';
import type { LoadRecorder, ThreadInterval } from '../load/metrics.ts';
import { LoadTestError } from '../load/runner.ts';
import { type AgentReport, saturationReasons } from '../load/summary.ts';
import { type PoolRun, runInit, type SessionPool, type ThreadPoolOptions } from '../load/threads.ts';
import { openRedis, type QueueAddress } from './connection.ts';
import {
  AGENT_STALE_MS,
  AGENTS_KEY,
  type AgentEntry,
  type AgentStats,
  agentInbox,
  decodeMessage,
  encodeMessage,
  epochMs,
  type FromAgent,
  runStream,
  type ToAgent,
} from './load-messages.ts';

/** Waits also check every this many ms: an agent's loss is noticed by a timer, not a message. */
const LOSS_POLL_MS = 100;

/** Error kind counted when an agent is lost. */
export const AGENT_LOST = 'load_agent_lost';

export type AgentLoss = 'fail' | 'continue';

export interface AgentPoolOptions {
  readonly address: QueueAddress;
  /** Agents the run needs. */
  readonly count: number;
  /** How long to wait for them to register (default 60 s). */
  readonly waitMs?: number;
  /** An agent silent (no heartbeat, no interval) for this long is lost (default 5 s). */
  readonly heartbeatTimeoutMs?: number;
  /** A lost agent fails the run at once (default), or the run goes on with the others (the loss is reported). */
  readonly onLoss?: AgentLoss;
  /** Clock probes per agent; the one with the shortest round trip counts (default 5). */
  readonly pings?: number;
  readonly log?: Logger;
  /** Told of each agent's clock once measured (the CLI prints them). */
  readonly onClock?: (agent: AgentReport) => void;
}

interface Agent {
  readonly entry: AgentEntry;
  readonly firstThread: number;
  state: 'joining' | 'ready' | 'ok' | 'lost' | 'failed';
  problem?: string;
  host: string;
  cores: number;
  lastSeen: number;
  offsetMs: number;
  rttMs: number;
  started: boolean;
  idle: boolean;
  done: boolean;
  cpuSum: number;
  cpuCount: number;
  cpuMax: number;
  rssMax: number;
  lagP99Ms: number;
  selfMaxMs: number;
  failures: readonly string[];
  arrivals: [number, number][];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The runner's `pool` option for `--agents`. */
export function agentPool(options: AgentPoolOptions): (o: ThreadPoolOptions, run: PoolRun) => Promise<SessionPool> {
  return (o, run) => AgentPool.open(options, o, run);
}

export class AgentPool implements SessionPool {
  readonly #options: AgentPoolOptions;
  readonly #redis: Redis;
  readonly #reader: Redis;
  readonly #run: string;
  readonly #agents: Agent[];
  readonly #byName = new Map<string, Agent>();
  readonly #log: Logger;
  readonly #poolRun: PoolRun;
  readonly threads: number;
  #recorder: LoadRecorder | undefined;
  #onInterval: ((thread: number, interval: ThreadInterval) => void) | undefined;
  #closed = false;
  #reading: Promise<void> = Promise.resolve();
  readonly #changed = new Condition();
  readonly #pongs = new Map<string, (t: { t1: number; t2: number; t3: number; t0: number }) => void>();
  #watch: NodeJS.Timeout | undefined;
  #target = -1;
  readonly #failures: string[] = [];

  private constructor(
    options: AgentPoolOptions,
    redis: Redis,
    reader: Redis,
    run: string,
    entries: AgentEntry[],
    poolRun: PoolRun,
  ) {
    this.#options = options;
    this.#redis = redis;
    this.#reader = reader;
    this.#run = run;
    this.#log = options.log ?? silentLogger;
    this.#poolRun = poolRun;
    let first = 0;
    this.#agents = entries.map((entry) => {
      const agent: Agent = {
        entry,
        firstThread: first,
        state: 'joining',
        host: entry.host,
        cores: entry.cores,
        lastSeen: Date.now(),
        offsetMs: 0,
        rttMs: 0,
        started: false,
        idle: false,
        done: false,
        cpuSum: 0,
        cpuCount: 0,
        cpuMax: 0,
        rssMax: 0,
        lagP99Ms: 0,
        selfMaxMs: 0,
        failures: [],
        arrivals: [],
      };
      first += entry.threads;
      this.#byName.set(entry.name, agent);
      return agent;
    });
    this.threads = first;
  }

  /** Waits for the agents, gives them the plan, measures their clocks and starts them all at one moment. */
  static async open(options: AgentPoolOptions, o: ThreadPoolOptions, poolRun: PoolRun): Promise<AgentPool> {
    const { address } = options;
    const log = options.log ?? silentLogger;
    let redis: Redis;
    let reader: Redis;
    try {
      redis = await openRedis(address);
      reader = await openRedis(address).catch((error: unknown) => {
        redis.disconnect();
        throw error;
      });
    } catch (error) {
      throw new LoadTestError((error as Error).message);
    }
    let pool: AgentPool | undefined;
    try {
      const entries = await waitForAgents(redis, options, log);
      pool = new AgentPool(options, redis, reader, randomBytes(6).toString('hex'), entries, poolRun);
      await pool.#begin(o);
      return pool;
    } catch (error) {
      if (pool) await pool.terminate();
      else {
        redis.disconnect();
        reader.disconnect();
      }
      throw error instanceof LoadTestError ? error : new LoadTestError((error as Error).message);
    }
  }

  async #begin(o: ThreadPoolOptions): Promise<void> {
    this.#reading = this.#read();
    const heartbeatTimeoutMs = this.#options.heartbeatTimeoutMs ?? 5000;
    for (const agent of this.#agents) {
      this.#send(agent, {
        type: 'plan',
        run: this.#run,
        botswarm: packageVersion(),
        init: { ...runInit(o), maxSessions: o.maxSessions },
        firstThread: agent.firstThread,
        allThreads: this.threads,
        heartbeatTimeoutMs,
      });
    }
    // From here on an agent silent for longer than the bound is lost (it says it is alive while it starts).
    for (const agent of this.#agents) agent.lastSeen = Date.now();
    this.#watch = setInterval(() => this.#check(heartbeatTimeoutMs), 250);
    const startMs = o.startTimeoutMs ?? 60_000;
    const joined = await this.#changed.until(
      () => this.#agents.every((a) => a.state !== 'joining'),
      startMs,
      undefined,
      LOSS_POLL_MS,
    );
    const refused = this.#agents.filter((a) => a.state === 'failed' || a.state === 'lost');
    if (refused.length > 0) {
      throw new LoadTestError(
        refused
          .map((a) =>
            a.state === 'lost' ? `load agent ${a.entry.name} (${a.host}) lost while starting: ${a.problem}` : a.problem,
          )
          .join('; '),
      );
    }
    if (!joined) {
      const late = this.#agents.filter((a) => a.state === 'joining').map((a) => a.entry.name);
      throw new LoadTestError(`load agents ${late.join(', ')} did not start their threads within ${startMs} ms`);
    }
    // Clocks, agent by agent (their pongs would queue behind each other's anyway).
    for (const agent of this.#agents) await this.#measureClock(agent);
    const worstRtt = Math.max(...this.#agents.map((a) => a.rttMs));
    const startAt = epochMs() + Math.max(500, worstRtt * 4);
    for (const agent of this.#agents) {
      this.#options.onClock?.(this.#report(agent));
      this.#log.info(
        { agent: agent.entry.name, offsetMs: round2(agent.offsetMs), rttMs: round2(agent.rttMs) },
        'load agent clock',
      );
      this.#send(agent, {
        type: 'start',
        run: this.#run,
        atEpochMs: startAt + agent.offsetMs,
        offsetMs: agent.offsetMs,
      });
    }
    const wait = startAt - epochMs();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  async #measureClock(agent: Agent): Promise<void> {
    const pings = this.#options.pings ?? 5;
    let best: { offset: number; rtt: number } | undefined;
    for (let i = 0; i < pings; i++) {
      const t0 = epochMs();
      const answer = await new Promise<{ t0: number; t1: number; t2: number; t3: number } | undefined>((resolve) => {
        const timer = setTimeout(() => {
          this.#pongs.delete(agent.entry.name);
          resolve(undefined);
        }, 5000);
        this.#pongs.set(agent.entry.name, (t) => {
          if (t.t0 !== t0) return;
          clearTimeout(timer);
          this.#pongs.delete(agent.entry.name);
          resolve(t);
        });
        this.#send(agent, { type: 'ping', run: this.#run, t0 });
      });
      if (!answer) continue;
      const rtt = answer.t3 - answer.t0 - (answer.t2 - answer.t1);
      const offset = (answer.t1 - answer.t0 + (answer.t2 - answer.t3)) / 2;
      if (!best || rtt < best.rtt) best = { offset, rtt };
    }
    if (!best) throw new LoadTestError(`load agent ${agent.entry.name} did not answer its clock probes within 5 s`);
    agent.offsetMs = best.offset;
    agent.rttMs = best.rtt;
  }

  async #read(): Promise<void> {
    const key = runStream(this.#run);
    let lastId = '0-0';
    while (!this.#closed) {
      let reply: [string, [string, string[]][]][] | null;
      try {
        reply = (await this.#reader.xread('BLOCK', 500, 'STREAMS', key, lastId)) as typeof reply;
      } catch (error) {
        if (this.#closed) return;
        this.#log.warn({ err: (error as Error).message }, 'cannot read the run stream');
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          lastId = id;
          try {
            this.#handle(decodeMessage<FromAgent>(fields[1] ?? ''));
          } catch (error) {
            this.#log.warn({ err: (error as Error).message }, 'an unreadable message from a load agent');
          }
        }
      }
      if (reply) await this.#redis.xtrim(key, 'MINID', lastId).catch(() => 0);
      this.#changed.wake();
    }
  }

  #handle(m: FromAgent): void {
    const agent = this.#byName.get(m.agent);
    // A lost agent's late messages are not counted: its loss was already reported and accounted for.
    if (!agent || agent.state === 'lost') return;
    agent.lastSeen = Date.now();
    switch (m.type) {
      case 'ready':
        if (agent.state === 'joining') agent.state = 'ready';
        agent.host = m.host;
        agent.cores = m.cores;
        break;
      case 'alive':
        break;
      case 'refused':
        agent.state = 'failed';
        agent.problem = m.message;
        break;
      case 'pong':
        this.#pongs.get(agent.entry.name)?.({ t0: m.t0, t1: m.t1, t2: m.t2, t3: epochMs() });
        break;
      case 'started':
        agent.started = true;
        if (agent.state === 'ready') agent.state = 'ok';
        break;
      case 'interval':
        if (m.thread < agent.firstThread || m.thread >= agent.firstThread + agent.entry.threads) return;
        agent.lagP99Ms = Math.max(agent.lagP99Ms, m.interval.lagP99Ms);
        agent.selfMaxMs = Math.max(agent.selfMaxMs, m.interval.selfMaxMs);
        this.#recorder?.absorb(m.thread, m.interval);
        this.#onInterval?.(m.thread, m.interval);
        break;
      case 'stats':
        this.#noteStats(agent, m.stats);
        break;
      case 'idle':
        agent.idle = true;
        break;
      case 'done':
        this.#noteStats(agent, m.stats);
        agent.done = true;
        break;
    }
  }

  #noteStats(agent: Agent, stats: AgentStats): void {
    if (!agent.done) {
      agent.cpuSum += stats.cpuPercent;
      agent.cpuCount++;
      agent.cpuMax = Math.max(agent.cpuMax, stats.cpuPercent);
    }
    agent.rssMax = Math.max(agent.rssMax, stats.rssMB);
    if (stats.failures.length > agent.failures.length) {
      agent.failures = stats.failures;
      agent.state = 'failed';
      agent.problem = stats.failures.join('; ');
      this.#recorder?.error('generator_thread_failed');
      this.#failures.push(`load agent ${agent.entry.name}: ${agent.problem}`);
    }
  }

  #check(boundMs: number): void {
    const now = Date.now();
    for (const agent of this.#agents) {
      if (agent.state === 'lost' || agent.done || now - agent.lastSeen <= boundMs) continue;
      agent.state = 'lost';
      const silent = now - agent.lastSeen;
      agent.problem = `no heartbeat for ${silent} ms (bound ${boundMs} ms)`;
      const what = `load agent ${agent.entry.name} (${agent.host}) lost: ${agent.problem}`;
      // Before the run's recorder is attached (lost during the start), counted at the attach.
      if (this.#recorder) this.#countLoss(this.#recorder, agent);
      if ((this.#options.onLoss ?? 'fail') === 'fail') {
        this.#log.error(`${what}; the run fails (--agent-loss continue would go on without it)`);
        this.#failures.push(what);
        this.#poolRun.abort(what);
      } else {
        this.#log.error(`${what}; the run goes on without its ${agent.entry.threads} threads' sessions`);
      }
      this.#changed.wake();
    }
  }

  #countLoss(recorder: LoadRecorder, agent: Agent): void {
    recorder.error(AGENT_LOST);
    for (let t = agent.firstThread; t < agent.firstThread + agent.entry.threads; t++) recorder.threadLost(t);
  }

  #send(agent: Agent, message: ToAgent): void {
    if (this.#closed) return;
    this.#redis
      .xadd(agentInbox(agent.entry.name), 'MAXLEN', '~', '10000', '*', 'm', encodeMessage(message))
      .catch((error: Error) =>
        this.#log.warn({ err: error.message, agent: agent.entry.name }, 'cannot reach an agent'),
      );
  }

  #live(): Agent[] {
    return this.#agents.filter((a) => a.state !== 'lost' && a.state !== 'joining');
  }

  attach(recorder: LoadRecorder, onInterval?: (thread: number, interval: ThreadInterval) => void): void {
    this.#recorder = recorder;
    this.#onInterval = onInterval;
    for (const agent of this.#agents) if (agent.state === 'lost') this.#countLoss(recorder, agent);
    // The coordinator is alive: an agent that hears nothing of it for long ends its share of the run.
    const beat = setInterval(() => {
      if (this.#closed) clearInterval(beat);
      else for (const agent of this.#live()) this.#send(agent, { type: 'beat', run: this.#run });
    }, 1000);
    beat.unref();
  }

  setTarget(total: number): void {
    if (total === this.#target) return;
    this.#target = total;
    // Every agent is told the whole run's target; each one's threads take their shares of it.
    for (const agent of this.#live()) this.#send(agent, { type: 'target', run: this.#run, bots: total });
  }

  arrive(index: number, dueEpochMs: number): void {
    const thread = index % this.threads;
    const agent = this.#agents.find((a) => thread >= a.firstThread && thread < a.firstThread + a.entry.threads);
    agent?.arrivals.push([index, dueEpochMs]);
  }

  flush(): void {
    for (const agent of this.#agents) {
      if (agent.arrivals.length === 0) continue;
      if (agent.state !== 'lost') this.#send(agent, { type: 'arrive', run: this.#run, sessions: agent.arrivals });
      agent.arrivals = [];
    }
  }

  end(): void {
    for (const agent of this.#live()) this.#send(agent, { type: 'end', run: this.#run });
  }

  waitIdle(ms: number, signal?: AbortSignal): Promise<boolean> {
    for (const agent of this.#live()) this.#send(agent, { type: 'wait-idle', run: this.#run, ms });
    return this.#changed.until(() => this.#live().every((a) => a.idle), ms + 1000, signal, LOSS_POLL_MS);
  }

  async stop(graceMs: number): Promise<boolean> {
    for (const agent of this.#live()) this.#send(agent, { type: 'stop', run: this.#run, graceMs });
    const bound = this.#options.heartbeatTimeoutMs ?? 5000;
    const answered = await this.#changed.until(
      () => this.#live().every((a) => a.done),
      graceMs + 5000 + bound,
      undefined,
      LOSS_POLL_MS,
    );
    if (!answered) {
      for (const agent of this.#live()) {
        if (agent.done) continue;
        this.#log.warn({ agent: agent.entry.name }, 'a load agent did not report its end in time; abandoned');
        for (let t = agent.firstThread; t < agent.firstThread + agent.entry.threads; t++) {
          this.#recorder?.count('stuck_sessions', this.#recorder.activeIn(t));
        }
      }
    }
    await this.terminate();
    return answered;
  }

  async terminate(): Promise<void> {
    if (this.#closed) return;
    for (const agent of this.#agents) {
      if (!agent.done && agent.state !== 'lost')
        this.#send(agent, { type: 'leave', run: this.#run, reason: 'run over' });
    }
    // The leave messages go out before the connection closes (one connection keeps the order).
    await this.#redis.ping().catch(() => '');
    this.#closed = true;
    clearInterval(this.#watch);
    this.#reader.disconnect();
    await this.#reading;
    await this.#redis.del(runStream(this.#run)).catch(() => 0);
    this.#redis.disconnect();
  }

  failure(): string | undefined {
    return this.#failures.length > 0
      ? `${this.#failures.length} of ${this.#agents.length} load agents failed: ${this.#failures.join('; ')}`
      : undefined;
  }

  #report(agent: Agent): AgentReport {
    const cpu = agent.cpuCount ? Math.round((agent.cpuSum / agent.cpuCount) * 10) / 10 : 0;
    const saturation = saturationReasons(round2(agent.lagP99Ms), round2(agent.selfMaxMs), cpu / agent.entry.threads);
    return {
      name: agent.entry.name,
      host: agent.host,
      botswarm: agent.entry.botswarm,
      threads: agent.entry.threads,
      firstThread: agent.firstThread,
      clockOffsetMs: round2(agent.offsetMs),
      clockRttMs: round2(agent.rttMs),
      cpuPercent: cpu,
      cpuMaxPercent: agent.cpuMax,
      cores: agent.cores,
      maxRssMB: agent.rssMax,
      lagP99Ms: round2(agent.lagP99Ms),
      selfMaxMs: round2(agent.selfMaxMs),
      saturated: saturation.length > 0,
      saturation,
      state: agent.state === 'lost' ? 'lost' : agent.state === 'failed' ? 'failed' : 'ok',
      ...(agent.problem ? { problem: agent.problem } : {}),
    };
  }

  summaryExtra(): { agents: AgentReport[] } {
    return { agents: this.#agents.map((a) => this.#report(a)) };
  }
}

/** The first `count` agents (by name) that are registered, alive, free and of this botswarm version. */
async function waitForAgents(redis: Redis, options: AgentPoolOptions, log: Logger): Promise<AgentEntry[]> {
  const waitMs = options.waitMs ?? 60_000;
  const deadline = Date.now() + waitMs;
  let told = -1;
  for (;;) {
    const now = Date.now();
    const all = Object.values(await redis.hgetall(AGENTS_KEY))
      .map((text) => JSON.parse(text) as AgentEntry)
      .filter((e) => now - e.seen < AGENT_STALE_MS)
      .sort((a, b) => a.name.localeCompare(b.name));
    const usable = all.filter((e) => e.run === null && e.botswarm === packageVersion());
    if (usable.length >= options.count) return usable.slice(0, options.count);
    if (usable.length !== told) {
      told = usable.length;
      log.info({ have: usable.length, want: options.count }, 'waiting for load agents');
    }
    if (now >= deadline) {
      const other = all.filter((e) => e.botswarm !== packageVersion());
      const busy = all.filter((e) => e.run !== null && e.botswarm === packageVersion());
      throw new LoadTestError(
        `waited ${Math.round(waitMs / 1000)} s for ${options.count} load agents at ${options.address.display}: ` +
          `${usable.length} free${usable.length ? ` (${usable.map((e) => e.name).join(', ')})` : ''}` +
          `${busy.length ? `, busy in another run: ${busy.map((e) => e.name).join(', ')}` : ''}` +
          `${other.length ? `, of another botswarm version than ${packageVersion()}: ${other.map((e) => `${e.name} (${e.botswarm})`).join(', ')}` : ''}` +
          `; start \`botswarm agent --queue ${options.address.display}\` on each load host`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
