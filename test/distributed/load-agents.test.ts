import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/log.ts';
import { AGENT_LOST, type AgentLoss, agentPool, parseQueueUrl } from '../../src/distributed/index.ts';
import {
  evaluateThresholds,
  LoadRecorder,
  type LoadTestResult,
  parseThresholds,
  runLoadTest,
  type Workload,
} from '../../src/load/index.ts';
import { loadProtocol, type RunningServer } from '../../src/protocols/registry.ts';
import type { RecordedSession } from './fixtures/recording-scenario.ts';
import { recordingScenario } from './fixtures/recording-scenario.ts';
import { createHosts, type TestHosts } from './hosts.ts';
import { type CliProcess, startCli, stopCli } from './processes.ts';
import { hasRedis, REDIS_INSTALL, type RedisFixture, startRedis } from './redis-server.ts';

const SCENARIO_MODULE = new URL('./fixtures/recording-scenario.ts', import.meta.url).href;
const scratch = mkdtempSync(join(tmpdir(), 'botswarm-agents-'));
let dirs = 0;
const log = createLogger({ level: 'silent', name: 'test' });

/** Every session each process-thread recorded, from the scenario's sample files. */
function recorded(dir: string): RecordedSession[] {
  return readdirSync(dir).flatMap((file) =>
    readFileSync(join(dir, file), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as RecordedSession),
  );
}

/** A recorder holding exactly `sessions`' samples, as a one-process run would have recorded them. */
function central(sessions: readonly RecordedSession[], open: boolean): LoadRecorder {
  const recorder = new LoadRecorder({
    open,
    monitorLag: false,
    ...(recordingScenario.reactive ? { reactive: recordingScenario.reactive } : {}),
  });
  for (const s of sessions) {
    const m = recorder.session();
    recorder.sessionStarted(m);
    for (const [metric, micros, uncorrected] of s.samples) recorder.latency(metric, micros, uncorrected);
    recorder.sessionEnded(m);
  }
  recorder.tick();
  recorder.end();
  return recorder;
}

/** The next "joined a run" in an agent's log (its log holds those of the runs before). */
const nthJoin = (agent: CliProcess): RegExp =>
  new RegExp(`(?:joined a run[\\s\\S]*?){${(agent.stderr.match(/joined a run/g) ?? []).length + 1}}`);

describe.skipIf(!hasRedis)(
  `load tests over load agents on separate hosts (needs redis-server: ${REDIS_INSTALL})`,
  () => {
    let hosts: TestHosts;
    let redis: RedisFixture;
    let server: RunningServer;
    const agents: CliProcess[] = [];

    const startAgent = (i: number, name = `agent-${i + 1}`) => {
      const proc = startCli(
        ['agent', '--queue', redis.url, '--name', name, '--threads', '1', '--log-level', 'info'],
        (c) => hosts.on(i % 3, c),
      );
      agents.push(proc);
      return proc;
    };

    beforeAll(async () => {
      hosts = createHosts(3);
      redis = await startRedis({ bind: [hosts.serverAddress], password: 'agents-secret' });
      const chat = await loadProtocol('chat');
      server = await chat.start({ host: hosts.serverAddress, port: 0, log, settings: {} });
      for (const i of [0, 1, 2]) startAgent(i);
      await Promise.all(agents.map((a) => a.waitFor(/agent waiting for load tests/)));
    }, 240_000);

    afterAll(async () => {
      await Promise.all(agents.map((a) => stopCli(a)));
      await server?.close();
      await redis?.stop();
      hosts?.remove();
      rmSync(scratch, { recursive: true, force: true });
    });

    const run = async (
      workload: Workload,
      extra: { thresholds?: string[]; abortOnFail?: boolean; onLoss?: AgentLoss; messages?: number } = {},
    ): Promise<{ result: LoadTestResult; samples: string }> => {
      const samples = join(scratch, `samples-${dirs++}`);
      mkdirSync(samples);
      const result = await runLoadTest({
        scenario: recordingScenario,
        scenarioModule: SCENARIO_MODULE,
        host: server.host,
        port: server.port,
        workload,
        thinkTimeMs: 50,
        requestTimeoutMs: 10_000,
        params: {
          ...recordingScenario.params,
          messages: extra.messages ?? 3,
          rate: 10,
          pairTimeoutMs: 10_000,
          drainTimeoutMs: 5000,
          sampleDir: samples,
        },
        seed: 'agents',
        thresholds: parseThresholds(extra.thresholds ?? []),
        stopGraceMs: 5000,
        log,
        outDir: join(scratch, `out-${dirs}`),
        ...(extra.abortOnFail ? { abortOnFail: true } : {}),
        pool: agentPool({
          address: parseQueueUrl(redis.url),
          count: 3,
          waitMs: 30_000,
          heartbeatTimeoutMs: 5000,
          onLoss: extra.onLoss ?? 'fail',
          log,
        }),
      });
      return { result, samples };
    };

    it('merges three agents into the histogram of every sample recorded, each session index once, clocks reported', async () => {
      // A ramp: partners that ask for each other's contact in the same instant may both wait (chat-converse).
      const { result, samples } = await run({
        kind: 'closed',
        start: 0,
        stages: [
          { durationMs: 2000, target: 6 },
          { durationMs: 4000, target: 6 },
        ],
      });
      const { summary } = result;
      expect(summary.status, summary.failure).toBe('completed');
      const sessions = recorded(samples);
      expect(sessions.length).toBeGreaterThanOrEqual(6);
      expect(summary.sessions.started).toBe(sessions.length);
      // The dealing of a one-process run of 3 threads: session index i ran on thread i mod 3, each index once.
      const indexes = sessions.map((s) => s.session);
      expect(new Set(indexes).size).toBe(indexes.length);
      const files = readdirSync(samples);
      expect(files).toHaveLength(3);
      for (const file of files) {
        const mine = readFileSync(join(samples, file), 'utf8')
          .trim()
          .split('\n')
          .map((line) => (JSON.parse(line) as RecordedSession).session % 3);
        expect(new Set(mine).size).toBe(1);
      }
      // The merged histograms are those of every sample, bucket for bucket (every statistic of the summary).
      const all = central(sessions, false);
      expect(Object.keys(summary.latency).sort()).toEqual(all.latencyNames());
      expect(summary.latency.register_rtt?.corrected.count ?? 0).toBeGreaterThan(0);
      for (const name of all.latencyNames()) {
        const mine = all.latencySummary(name)!;
        expect(summary.latency[name]!.corrected, name).toEqual(mine.corrected);
        expect(summary.latency[name]!.uncorrected, name).toEqual(mine.uncorrected);
      }
      // Every agent, with its clock offset (one machine's clock here: within a few ms) and its health.
      expect(summary.agents?.map((a) => [a.name, a.firstThread, a.threads, a.state])).toEqual([
        ['agent-1', 0, 1, 'ok'],
        ['agent-2', 1, 1, 'ok'],
        ['agent-3', 2, 1, 'ok'],
      ]);
      for (const a of summary.agents ?? []) {
        expect(Math.abs(a.clockOffsetMs)).toBeLessThan(50);
        expect(a.clockRttMs).toBeGreaterThan(0);
        expect(a.cpuPercent).toBeGreaterThan(0);
        expect(a.maxRssMB).toBeGreaterThan(0);
      }
      expect(summary.run.threads).toBe(3);
      const report = readFileSync(result.files.report!, 'utf8');
      expect(report).toContain('<h2>Load agents</h2>');
      expect(report).toMatch(/<td>agent-3<\/td>/);
    }, 120_000);

    it('fails a threshold on the merged data that no agent fails on its own, and the abort stops every agent', async () => {
      // 3 arrivals a second for 30 s: the run reaches 10 sessions after about 3.3 s, no agent before 10 s.
      const threshold = 'count(sessions) < 10';
      const { result, samples } = await run(
        { kind: 'open', start: 3, stages: [{ durationMs: 30_000, rate: 3 }], maxSessions: 100 },
        { thresholds: [threshold], abortOnFail: true, messages: 1 },
      );
      const { summary } = result;
      expect(summary.status).toBe('failed');
      expect(summary.failure).toMatch(/threshold count\(sessions\) < 10 failed at [\d.]+ s/);
      expect(result.abortedBy).toBe(threshold);
      expect(summary.thresholds[0]).toMatchObject({ threshold, ok: false });
      // Stopped long before the 30 s (generous margins for a loaded machine), every agent answering the stop.
      const at = Number(/failed at ([\d.]+) s/.exec(summary.failure ?? '')?.[1]);
      expect(at).toBeLessThan(12);
      expect(summary.elapsedSeconds).toBeLessThan(22);
      expect(summary.agents?.every((a) => a.state === 'ok')).toBe(true);
      // Each agent's own sessions pass the same threshold.
      const sessions = recorded(samples);
      expect(sessions.length).toBe(summary.sessions.started);
      for (const thread of [0, 1, 2]) {
        const own = central(
          sessions.filter((s) => s.session % 3 === thread),
          true,
        );
        expect(own.sessionsStarted).toBeGreaterThan(0);
        expect(evaluateThresholds(parseThresholds([threshold]), own.lookup())[0]!.ok).toBe(true);
      }
    }, 120_000);

    it('runs from the command line: clock offsets on stderr, the merged table on stdout, exit 0', async () => {
      const out = join(scratch, 'cli-out');
      const coordinator = startCli([
        'loadtest',
        '--protocol',
        'chat',
        '--target',
        `${server.host}:${server.port}`,
        '--allow-remote',
        '--stages',
        '2s:6,3s:6',
        '--think',
        '50ms',
        '--param',
        'messages=2',
        '--param',
        'rate=10',
        '--agents',
        redis.url,
        '--agent-count',
        '3',
        '--threshold',
        'count(sessions) >= 6',
        '--out',
        out,
      ]);
      agents.push(coordinator);
      expect(await coordinator.exited, coordinator.stderr).toBe(0);
      for (const name of ['agent-1', 'agent-2', 'agent-3']) {
        expect(coordinator.stderr).toMatch(
          new RegExp(`botswarm: load agent ${name} \\(\\S+, 1 threads\\): clock offset -?[\\d.]+ ms`),
        );
        expect(coordinator.stdout).toMatch(new RegExp(`agent ${name} \\(\\S+, 1 threads\\): ok, clock offset`));
      }
      expect(coordinator.stdout).not.toContain('redis-secret');
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      expect(summary.run.threads).toBe(3);
      expect(summary.agents).toHaveLength(3);
    }, 120_000);

    it('reports an agent SIGKILLed mid-run by name: the run fails, or goes on with --agent-loss continue', async () => {
      const victim = agents[2]!;
      const running = run({ kind: 'closed', start: 6, stages: [{ durationMs: 20_000, target: 6 }] });
      await victim.waitFor(nthJoin(victim));
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await stopCli(victim, 'SIGKILL');
      const { result } = await running;
      const { summary } = result;
      expect(summary.status).toBe('failed');
      expect(summary.failure).toMatch(/load agent agent-3 \(\S+\) lost: no heartbeat for \d+ ms/);
      expect(summary.errors.byKind[AGENT_LOST]).toBe(1);
      expect(summary.agents?.find((a) => a.name === 'agent-3')?.state).toBe('lost');
      // Failed at once, not at the end of the 20 s.
      expect(summary.elapsedSeconds).toBeLessThan(15);

      // The run goes on without a lost agent when told so, and still says which one it lost.
      const second = startAgent(2, 'agent-4');
      await second.waitFor(/agent waiting for load tests/);
      const going = run(
        { kind: 'closed', start: 6, stages: [{ durationMs: 12_000, target: 6 }] },
        { onLoss: 'continue' },
      );
      await second.waitFor(nthJoin(second));
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await stopCli(second, 'SIGKILL');
      const kept = (await going).result.summary;
      expect(kept.status, kept.failure).toBe('completed');
      expect(kept.errors.byKind[AGENT_LOST]).toBe(1);
      expect(kept.agents?.map((a) => [a.name, a.state])).toEqual([
        ['agent-1', 'ok'],
        ['agent-2', 'ok'],
        ['agent-4', 'lost'],
      ]);
      expect(kept.elapsedSeconds).toBeGreaterThan(11);
    }, 180_000);
  },
);
