import type { Command } from 'commander';
import type { Logger } from '../../core/log.ts';
import { createLogger } from '../../core/log.ts';
import { moduleIds } from '../../game/registry.ts';
import { ConfigError, readSettings, schemaFromDefaults } from '../../game/settings.ts';
import {
  CompareError,
  type CompareOptions,
  type Comparison,
  compareRuns,
  DEFAULT_COMPARE,
  formatComparisonTable,
  parseMicros,
  parseTolerance,
  readRun,
  renderComparisonReport,
} from '../../load/compare.ts';
import {
  DEFAULT_BOTS,
  DEFAULT_DURATION,
  DEFAULT_MAX_BOTS,
  DEFAULT_MAX_DURATION,
  defaultScenarioFor,
  formatSummaryTable,
  LoadConfigError,
  type LoadRecorder,
  type LoadScenario,
  type LoadSettings,
  LoadTestError,
  loadScenario,
  MAX_THREADS,
  mergeSettings,
  parsePairs,
  readScenarioFile,
  resolveLoadConfig,
  runLoadTest,
  scenarioIds,
  type TimePoint,
  threadData,
} from '../../load/index.ts';
import { limitOldGenerationGrowth } from '../../load/old-generation.ts';
import type { LoadTestOptions } from '../../load/runner.ts';
import { writeAtomic } from '../../load/summary.ts';
import { parseDurationMs } from '../../load/workload.ts';
import { capYoungGeneration } from '../../load/young-generation.ts';
import { loadProtocol, type RunningServer } from '../../protocols/registry.ts';
import { CliError, EXIT, parseIntOption } from '../errors.ts';

/** Ctrl-C: the summary and report of what ran are still written. */
const EXIT_INTERRUPTED = 130;

const collect = (value: string, previous: string[] = []) => [...previous, value];

function statusLine(point: TimePoint, recorder: LoadRecorder): string {
  // The busiest round trip of the second, for its percentiles.
  let shown: [string, { count: number; p50: number; p99: number }] | undefined;
  for (const [name, l] of Object.entries(point.latency)) {
    if (l.count > 0 && (!shown || l.count > shown[1].count)) shown = [name, l];
  }
  const ms = (us: number) => (us / 1000).toFixed(us >= 100_000 ? 0 : 1);
  return [
    `[${String(Math.round(point.t)).padStart(4)}s]`,
    `bots ${point.activeSessions}`,
    `msgs/s ${point.messagesOutPerSec}↑ ${point.messagesInPerSec}↓`,
    shown ? `${shown[0]} p50 ${ms(shown[1].p50)} ms p99 ${ms(shown[1].p99)} ms` : 'no round trips',
    `errors ${recorder.errorTotal}${point.errors ? ` (+${point.errors})` : ''}`,
    recorder.droppedSessions ? `dropped ${recorder.droppedSessions}` : '',
    `lag ${point.eventLoopLagP99Ms} ms cpu ${point.cpuPercent}%`,
  ]
    .filter(Boolean)
    .join(' | ');
}

async function pickScenario(settings: LoadSettings): Promise<LoadScenario> {
  if (settings.scenario) {
    let scenario: LoadScenario;
    try {
      scenario = await loadScenario(settings.scenario);
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    if (settings.protocol && settings.protocol !== scenario.protocol) {
      throw new CliError(`scenario ${scenario.id} is for ${scenario.protocol}, not --protocol ${settings.protocol}`);
    }
    return scenario;
  }
  if (!settings.protocol) {
    throw new CliError(`give --protocol <id> or --scenario <id> (scenarios: ${scenarioIds().join(', ')})`);
  }
  const scenario = await defaultScenarioFor(settings.protocol);
  if (!scenario)
    throw new CliError(`no load scenario for protocol "${settings.protocol}" (scenarios: ${scenarioIds().join(', ')})`);
  return scenario;
}

async function listScenarios(): Promise<void> {
  for (const id of scenarioIds()) {
    try {
      const s = await loadScenario(id);
      const params = Object.entries(s.params ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      process.stdout.write(
        `${s.id.padEnd(18)} ${s.protocol.padEnd(8)} ${s.description}${params ? ` [${params}]` : ''}\n`,
      );
    } catch (error) {
      process.stdout.write(`${id.padEnd(18)} (cannot load: ${(error as Error).message})\n`);
    }
  }
}

export function registerLoadtest(program: Command): void {
  const loadtest = program
    .command('loadtest')
    .description('run N bots against a server: latency percentiles, errors, throughput, thresholds and reports')
    .argument('[file]', 'scenario file (JSON with the same settings as the flags; flags override it)')
    .option('--protocol <id>', `protocol (${moduleIds().join(', ')}); its first scenario unless --scenario`)
    .option('--scenario <id>', 'load scenario (see --list)')
    .option(
      '--target <host:port>',
      "server to load (loopback only unless --allow-remote; default port: the protocol's)",
    )
    .option('--embedded', "start the protocol's reference server in-process on a free port and load it")
    .option('--server-set <key=value>', 'setting of the embedded server, repeatable (e.g. maxYear=20)', collect)
    .option('--bots <n>', `closed model: concurrent bots (default ${DEFAULT_BOTS})`, parseIntOption('--bots', 1))
    .option('--duration <d>', `run length with --bots or --rate (default ${DEFAULT_DURATION})`)
    .option('--stages <list>', 'ramping stages: 10s:100,20s:100,5s:0 (bots) or 10s:20/s,30s:50/s (arrival rates)')
    .option('--rate <r>', 'open model: new bot sessions per second, e.g. 50/s')
    .option(
      '--max-bots <n>',
      `open model: most concurrent sessions; arrivals past it are dropped (default ${DEFAULT_MAX_BOTS})`,
      parseIntOption('--max-bots', 1),
    )
    .option('--think <d>', "think time between a bot's actions (drawn 50%..150% around it), e.g. 100ms")
    .option('--request-timeout <d>', 'reply timeout of one request (default 10s)')
    .option('--graceful-stop <d>', 'after the duration, let running sessions finish for up to this long (default 0s)')
    .option(
      '--gap-threshold <d>',
      'server response gaps longer than this count as stalls (server_gaps_over, the share of bot-time), e.g. 250ms (default 500ms)',
    )
    .option('--max-duration <d>', `refuse runs longer than this (default ${DEFAULT_MAX_DURATION})`)
    .option(
      '--threshold <expr>',
      "pass/fail criterion, repeatable: 'p99(move_rtt) < 50ms', 'error_rate < 0.01'",
      collect,
    )
    .option('--param <key=value>', 'scenario parameter, repeatable (see --list)', collect)
    .option('--out <dir>', 'write summary.json (every second), timeseries.csv and report.html here')
    .option('--seed <s>', "seed of the bots' random streams (default 1)")
    .option(
      '--threads <n>',
      'worker threads running the bot sessions (default 1); this thread keeps the schedule and reports',
      parseIntOption('--threads', 1, MAX_THREADS),
    )
    .option(
      '--agents <url>',
      'run the bot sessions on load agents (botswarm agent --queue URL on each load host) through this Redis',
    )
    .option(
      '--agent-count <n>',
      'with --agents: how many agents the run needs',
      parseIntOption('--agent-count', 1, 1000),
    )
    .option('--agent-wait <d>', 'with --agents: how long to wait for them to register (default 60s)')
    .option('--agent-timeout <d>', 'with --agents: an agent silent for this long is lost (default 5s)')
    .option(
      '--agent-loss <what>',
      'with --agents: a lost agent fails the run at once (fail, default) or the run goes on without it (continue)',
    )
    .option(
      '--abort-on-fail',
      'evaluate the upper-bound thresholds (<, <=) every second over the whole run and stop at the first failing',
    )
    .option('--allow-remote', 'allow a target that is not on this machine')
    .option('--json', 'print the summary as JSON on stdout instead of the table')
    .option('--quiet', 'no progress line on stderr')
    .option('--list', 'list the load scenarios and their parameters')
    .option('--log-level <level>', 'pino level on stderr', 'warn')
    .addHelpText(
      'after',
      `
Exit codes: 0 all thresholds hold, 99 a threshold failed, 1 the run broke (target unreachable), 2 bad
arguments, 130 interrupted (Ctrl-C; the summary and report of what ran are still written).

Examples:
  botswarm loadtest --protocol galax --embedded --bots 20 --duration 20s --server-set maxYear=30
  botswarm loadtest --protocol galax --target 127.0.0.1:42529 --stages 10s:100,20s:100,5s:0 --think 100ms \\
      --threshold 'p99(move_rtt) < 50ms' --threshold 'error_rate < 0.01' --out results/
  botswarm loadtest --protocol galax --embedded --rate 5/s --duration 30s --max-bots 200
  botswarm loadtest --protocol galax --embedded --bots 10000 --duration 60s --think 1s --threads 2
  botswarm loadtest galax-load.json      (a JSON file of the same settings; see docs/loadtest.md)
  botswarm loadtest compare results/before results/after --tolerance 10%   (a regression gate: exit 99 if worse)`,
    )
    .action(async (file: string | undefined, opts) => {
      if (opts.list) {
        await listScenarios();
        return;
      }
      let settings: LoadSettings;
      try {
        const fromFile = file ? readScenarioFile(file) : {};
        const flags: LoadSettings = {
          protocol: opts.protocol,
          scenario: opts.scenario,
          target: opts.target,
          embedded: opts.embedded,
          serverSettings: opts.serverSet ? parsePairs(opts.serverSet, '--server-set') : undefined,
          bots: opts.bots,
          duration: opts.duration,
          maxDuration: opts.maxDuration,
          stages: opts.stages,
          rate: opts.rate,
          maxBots: opts.maxBots,
          think: opts.think,
          requestTimeout: opts.requestTimeout,
          gracefulStop: opts.gracefulStop,
          gapThreshold: opts.gapThreshold,
          thresholds: opts.threshold,
          params: opts.param ? parsePairs(opts.param, '--param') : undefined,
          out: opts.out,
          seed: opts.seed,
          allowRemote: opts.allowRemote,
          threads: opts.threads,
        };
        settings = mergeSettings(fromFile, flags);
      } catch (error) {
        if (error instanceof LoadConfigError) throw new CliError(error.message);
        throw error;
      }
      const scenario = await pickScenario(settings);
      let defaultPort = 0;
      try {
        defaultPort = (await loadProtocol(scenario.protocol)).defaultPort;
      } catch {
        // A scenario may target a protocol without a reference server: then --target must carry a port.
      }
      let config;
      try {
        config = resolveLoadConfig(settings, defaultPort);
      } catch (error) {
        if (error instanceof LoadConfigError) throw new CliError(error.message);
        throw error;
      }
      if (config.threads > 1 && (!scenario.threads || 'refused' in scenario.threads)) {
        throw new CliError((threadData(scenario, undefined) as { refused: string }).refused);
      }
      // The one settings reader: the scenario's parameters are typed by their defaults, text converted strictly.
      let params: Record<string, string | number | boolean>;
      try {
        params = readSettings(schemaFromDefaults(scenario.params ?? {}), config.params) as typeof params;
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(`scenario ${scenario.id}: ${error.message}`);
        throw error;
      }
      const log = createLogger({ level: opts.logLevel, name: 'loadtest' });
      const pool = opts.agents ? await agentOptions(opts, settings, log) : undefined;

      let server: RunningServer | undefined;
      let host: string;
      let port: number;
      if (settings.embedded) {
        const serverSettings: Record<string, string> = { ...scenario.serverSettings };
        for (const [k, v] of Object.entries(settings.serverSettings ?? {})) serverSettings[k] = String(v);
        try {
          const protocol = await loadProtocol(scenario.protocol);
          server = await protocol.start({
            host: '127.0.0.1',
            port: 0,
            log: log.child({ server: protocol.id }),
            settings: serverSettings,
          });
        } catch (error) {
          throw new CliError(
            `cannot start the embedded ${scenario.protocol} server: ${(error as Error).message}`,
            EXIT.usage,
          );
        }
        host = server.host;
        port = server.port;
      } else {
        host = config.target!.host;
        port = config.target!.port;
      }

      const stop = new AbortController();
      let interrupts = 0;
      const onSignal = () => {
        interrupts++;
        if (interrupts > 1) process.exit(EXIT_INTERRUPTED);
        process.stderr.write('\nbotswarm: stopping; writing the summary of what ran (Ctrl-C again to quit at once)\n');
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);

      const tty = process.stderr.isTTY === true && !opts.quiet;
      let lastPlain = 0;
      const onTick = (point: TimePoint, recorder: LoadRecorder) => {
        if (opts.quiet) return;
        const line = statusLine(point, recorder);
        if (tty) process.stderr.write(`\r\x1b[K${line}`);
        else if (point.t - lastPlain >= 5) {
          lastPlain = point.t;
          process.stderr.write(`${line}\n`);
        }
      };

      // The generator's memory per bot: V8's young generation kept at its initial size, and with the sessions on
      // this thread its old generation grown by at most 1.3× what is live (docs/performance.md).
      capYoungGeneration();
      if (config.threads <= 1) limitOldGenerationGrowth();
      let result;
      try {
        result = await runLoadTest({
          scenario,
          host,
          port,
          workload: config.workload,
          thinkTimeMs: config.thinkTimeMs,
          requestTimeoutMs: config.requestTimeoutMs,
          stopGraceMs: config.stopGraceMs,
          gracefulStopMs: config.gracefulStopMs,
          gapThresholdMs: config.gapThresholdMs,
          params,
          seed: config.seed,
          threads: config.threads,
          thresholds: config.thresholds,
          ...(settings.out ? { outDir: settings.out } : {}),
          log,
          signal: stop.signal,
          onTick,
          target: `${host}:${port}`,
          embedded: Boolean(settings.embedded),
          ...(server ? { serverStats: server.stats.bind(server) } : {}),
          ...(pool ? { pool } : {}),
          ...(opts.abortOnFail ? { abortOnFail: true } : {}),
        });
      } catch (error) {
        if (error instanceof LoadTestError) throw new CliError(error.message, EXIT.failure);
        throw error;
      } finally {
        if (tty) process.stderr.write('\r\x1b[K');
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await server?.close();
      }
      const { summary } = result;
      process.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummaryTable(summary));
      if (result.files.report) {
        process.stderr.write(
          `botswarm: wrote ${result.files.summary}, ${result.files.timeseries} and ${result.files.report}\n`,
        );
      }
      // Sessions abandoned after the stop grace must not keep the process alive.
      setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
      if (result.status === 'interrupted') {
        process.exitCode = EXIT_INTERRUPTED;
        return;
      }
      if (result.abortedBy) throw new CliError(`load test aborted: ${summary.failure}`, EXIT.thresholds);
      if (result.status === 'failed') throw new CliError(`load test failed: ${summary.failure}`, EXIT.failure);
      if (!summary.thresholdsOk) {
        const failed = summary.thresholds.filter((t) => !t.ok);
        throw new CliError(
          `${failed.length} of ${summary.thresholds.length} thresholds failed: ${failed.map((t) => `${t.threshold} (${t.message})`).join('; ')}`,
          EXIT.thresholds,
        );
      }
    });
  registerCompare(loadtest);
}

/**
 * `--agents URL --agent-count N`: the runner's pool of load agents, or a usage error. Loaded only then: a local
 * run does not load the Redis client.
 */
async function agentOptions(
  // biome-ignore lint/suspicious/noExplicitAny: commander's parsed options.
  opts: Record<string, any>,
  settings: LoadSettings,
  log: Logger,
): Promise<NonNullable<LoadTestOptions['pool']>> {
  const { parseQueueUrl, QueueUrlError } = await import('../../distributed/connection.ts');
  const { agentPool } = await import('../../distributed/load-coordinator.ts');
  let address: ReturnType<typeof parseQueueUrl>;
  try {
    address = parseQueueUrl(String(opts.agents));
  } catch (error) {
    if (error instanceof QueueUrlError) throw new CliError(`--agents: ${error.message}`);
    throw error;
  }
  if (opts.agentCount === undefined)
    throw new CliError('--agents needs --agent-count <n>: how many agents the run needs');
  if (settings.embedded) {
    throw new CliError(
      '--embedded listens on this host only: with --agents start the server (botswarm serve) and give --target',
    );
  }
  if (settings.threads !== undefined && settings.threads > 1) {
    throw new CliError('with --agents each agent sets its threads (botswarm agent --threads N); drop --threads');
  }
  const loss = opts.agentLoss ?? 'fail';
  if (loss !== 'fail' && loss !== 'continue')
    throw new CliError(`--agent-loss must be fail or continue, got "${loss}"`);
  const duration = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    try {
      return parseDurationMs(String(text));
    } catch (error) {
      throw new CliError(`${flag}: ${(error as Error).message}`);
    }
  };
  const waitMs = duration('--agent-wait', opts.agentWait);
  const heartbeatTimeoutMs = duration('--agent-timeout', opts.agentTimeout);
  return agentPool({
    address,
    count: opts.agentCount as number,
    onLoss: loss,
    log,
    ...(waitMs !== undefined ? { waitMs } : {}),
    ...(heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs } : {}),
    onClock: (a) =>
      process.stderr.write(
        `botswarm: load agent ${a.name} (${a.host}, ${a.threads} threads): clock offset ${a.clockOffsetMs} ms ` +
          `(±${Math.round(a.clockRttMs * 50) / 100} ms)\n`,
      ),
  });
}

/** `botswarm loadtest compare <run-a> <run-b>`: see src/load/compare.ts. */
function registerCompare(loadtest: Command): void {
  loadtest
    .command('compare')
    .description(
      'two runs side by side (percentiles, throughput, errors, gaps, generator health); exit 99 if B is worse',
    )
    .argument('<run-a>', 'the reference run: its --out directory or its summary.json')
    .argument('<run-b>', 'the run to judge against it')
    .option('--tolerance <t>', 'how much a latency may grow or a throughput shrink, relative to A (default 10%)')
    .option('--min-diff <d>', 'latency differences smaller than this are noise (default 1ms)')
    .option('--error-tolerance <r>', 'how much the error rate may grow, absolute (default 0.001)')
    .option('--out <file>', 'also write the comparison as one self-contained HTML page')
    .option('--json', 'print the comparison as JSON instead of the table')
    .addHelpText(
      'after',
      `
Exit codes: 0 B is not worse than A beyond the tolerance, 99 it is (a regression), 2 bad arguments or a file
that is not a load-test summary.`,
    )
    .action((runA: string, runB: string, own) => {
      // `loadtest` itself has --out and --json, and commander gives them to it wherever they appear.
      const opts = { ...loadtest.opts(), ...own };
      let comparison: Comparison;
      try {
        const options: CompareOptions = {
          tolerance: opts.tolerance ? parseTolerance(opts.tolerance, '--tolerance') : DEFAULT_COMPARE.tolerance,
          minDiffMicros: opts.minDiff ? parseMicros(opts.minDiff, '--min-diff') : DEFAULT_COMPARE.minDiffMicros,
          errorTolerance: opts.errorTolerance
            ? parseTolerance(opts.errorTolerance, '--error-tolerance')
            : DEFAULT_COMPARE.errorTolerance,
        };
        comparison = compareRuns(readRun(runA), readRun(runB), options, [runA, runB]);
      } catch (error) {
        if (error instanceof CompareError) throw new CliError(error.message);
        throw error;
      }
      process.stdout.write(opts.json ? `${JSON.stringify(comparison, null, 2)}\n` : formatComparisonTable(comparison));
      if (opts.out) {
        try {
          writeAtomic(opts.out, renderComparisonReport(comparison));
        } catch (error) {
          throw new CliError(`cannot write ${opts.out}: ${(error as Error).message}`, EXIT.failure);
        }
        process.stderr.write(`botswarm: wrote ${opts.out}\n`);
      }
      if (comparison.regressions.length > 0) {
        throw new CliError(
          `run B is worse than run A in ${comparison.regressions.length} figure(s): ${comparison.regressions.map((r) => r.name).join(', ')}`,
          EXIT.thresholds,
        );
      }
    });
}
