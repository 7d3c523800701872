/**
 * A load test's settings, from a scenario file (JSON) and command-line flags (flags win), validated into what
 * `runLoadTest` needs. Every problem is a `LoadConfigError` with a message naming the setting (exit code 2).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { TObject } from 'typebox';
import { ConfigError, parsePairs as parseSettingPairs, Setting, validateDocument } from '../game/settings.ts';
import { isLoopback, parseHostPort } from '../net/client.ts';
import { parseThresholds, type Threshold, ThresholdError } from './thresholds.ts';
import {
  parseDurationMs,
  parseRate,
  parseStages,
  type Workload,
  WorkloadError,
  workloadDurationMs,
} from './workload.ts';

export class LoadConfigError extends Error {
  override name = 'LoadConfigError';
}

/** The settings as written, in a scenario file or as flags; durations and rates as text. */
export interface LoadSettings {
  protocol?: string;
  scenario?: string;
  target?: string;
  embedded?: boolean;
  /** Settings of the embedded server (`--server-set key=value`). */
  serverSettings?: Record<string, string | number | boolean>;
  bots?: number;
  duration?: string;
  maxDuration?: string;
  stages?: string | { duration: string; target: number | string }[];
  rate?: string;
  maxBots?: number;
  think?: string;
  requestTimeout?: string;
  stopGrace?: string;
  gracefulStop?: string;
  /** Server response gaps longer than this are stalls (`500ms`); a unit is required. */
  gapThreshold?: string;
  thresholds?: string[];
  params?: Record<string, string | number | boolean>;
  out?: string;
  seed?: string | number;
  allowRemote?: boolean;
  /** Worker threads running the sessions (default 1). */
  threads?: number;
}

const FILE_FIELDS: readonly (keyof LoadSettings)[] = [
  'protocol',
  'scenario',
  'target',
  'embedded',
  'serverSettings',
  'bots',
  'duration',
  'maxDuration',
  'stages',
  'rate',
  'maxBots',
  'think',
  'requestTimeout',
  'stopGrace',
  'gracefulStop',
  'gapThreshold',
  'thresholds',
  'params',
  'out',
  'seed',
  'allowRemote',
  'threads',
];

const require = createRequire(import.meta.url);
let loadFileSchema: TObject | undefined;

/**
 * The schema of a load file (`botswarm loadtest <file>`): the flags' settings as JSON; durations and rates as text.
 * Built on first use: TypeBox's builders take about a quarter of a CPU-second to load, and a run from flags alone
 * (the usual load test) never needs them.
 */
export function getLoadFileSchema(): TObject {
  loadFileSchema ??= buildLoadFileSchema();
  return loadFileSchema;
}

function buildLoadFileSchema(): TObject {
  const Type = (require('typebox') as typeof import('typebox')).default;
  const text = (help: string) => Type.Optional(Type.String({ description: help }));
  const count = (min: number, help: string) =>
    Type.Optional(Setting.integer({ min, max: Number.MAX_SAFE_INTEGER, help }));
  return Type.Object(
    {
      $schema: text('The schema this file follows (for editors).'),
      description: text('Free text, for people.'),
      protocol: text('protocol id; its first scenario unless scenario is given'),
      scenario: text('load scenario id'),
      target: text('host:port of the server under test'),
      embedded: Type.Optional(Setting.boolean({ help: 'start the reference server in-process' })),
      serverSettings: Type.Optional(
        Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
      ),
      bots: count(0, 'bots at once (closed workload)'),
      duration: text('how long the run lasts, e.g. 30s'),
      maxDuration: text('hard limit of the run'),
      stages: Type.Optional(
        Type.Union([
          Type.String(),
          Type.Array(Type.Object({ duration: Type.String(), target: Type.Union([Type.Integer(), Type.String()]) })),
        ]),
      ),
      rate: text('arrivals per second (open workload), e.g. 5/s'),
      maxBots: count(0, 'most bots at once in an open workload'),
      think: text("pause between a bot's actions"),
      requestTimeout: text('reply timeout of one request'),
      stopGrace: text('time sessions get to leave at the end'),
      gracefulStop: text('time sessions get to leave at the end'),
      gapThreshold: text('server response gaps longer than this are stalls, e.g. 500ms'),
      thresholds: Type.Optional(Type.Array(Type.String())),
      params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
      out: text('output directory'),
      seed: Type.Optional(Setting.seed({ help: 'root seed of the sessions' })),
      allowRemote: Type.Optional(Setting.boolean({ help: 'allow a target that is not a loopback address' })),
      threads: count(1, 'worker threads running the sessions'),
    },
    { additionalProperties: false },
  );
}

export const DEFAULT_DURATION = '30s';
export const DEFAULT_MAX_DURATION = '1h';
export const DEFAULT_BOTS = 10;
export const DEFAULT_MAX_BOTS = 1000;
export const DEFAULT_REQUEST_TIMEOUT = '10s';
export const DEFAULT_GAP_THRESHOLD = '500ms';
/** More threads than this only adds contention (each is a full V8 isolate). */
export const MAX_THREADS = 64;

/** Reads a scenario file: a JSON object with the fields of LoadSettings. */
export function readScenarioFile(path: string): LoadSettings {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LoadConfigError(`cannot read scenario file ${path}: ${(error as Error).message}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new LoadConfigError(`${path}: a scenario file is a JSON object (fields: ${FILE_FIELDS.join(', ')})`);
  }
  // The one schema reader: unknown fields named, each field checked against its type and range.
  const errors = validateDocument(getLoadFileSchema(), data);
  if (errors.length > 0) throw new LoadConfigError(`${path}: ${errors[0]!.path}: ${errors[0]!.message}`);
  const s = data as Record<string, unknown>;
  return s as LoadSettings;
}

/** Settings from a file overlaid by flags (only the flags that were given). */
export function mergeSettings(file: LoadSettings, flags: LoadSettings): LoadSettings {
  const out: LoadSettings = { ...file };
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined) continue;
    if (k === 'thresholds') out.thresholds = [...(file.thresholds ?? []), ...(v as string[])];
    else if (k === 'params') out.params = { ...file.params, ...(v as object) };
    else if (k === 'serverSettings') out.serverSettings = { ...file.serverSettings, ...(v as object) };
    else (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/**
 * `key=value` pairs as text (`--param`, `--server-set`): the scenario's parameter schema, or the server's
 * settings schema, converts and checks them (src/game/settings.ts), exactly as `--set` everywhere else.
 */
export function parsePairs(pairs: readonly string[], flag: string): Record<string, string> {
  try {
    return parseSettingPairs(pairs, flag);
  } catch (error) {
    if (error instanceof ConfigError) throw new LoadConfigError(error.message);
    throw error;
  }
}

export interface ResolvedLoadConfig {
  readonly workload: Workload;
  readonly durationMs: number;
  readonly thinkTimeMs: number;
  readonly requestTimeoutMs: number;
  readonly stopGraceMs: number;
  readonly gracefulStopMs: number;
  /** Server response gaps longer than this are stalls. */
  readonly gapThresholdMs: number;
  readonly thresholds: Threshold[];
  readonly params: Record<string, string | number | boolean>;
  readonly seed: string;
  readonly threads: number;
  /** Undefined with --embedded (the port is known once the server runs). */
  readonly target?: { host: string; port: number };
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof WorkloadError || error instanceof ThresholdError) throw new LoadConfigError(error.message);
    throw error;
  }
}

/**
 * `--gap-threshold`: a duration with its unit. A bare number would read as seconds, like every duration here, and
 * `--gap-threshold 500` meant as milliseconds would silently make every stall invisible.
 */
function parseGapThreshold(text: string): number {
  if (!/[a-z]\s*$/i.test(text)) {
    throw new LoadConfigError(`--gap-threshold needs a unit: "${text}" (examples: 500ms, 2s)`);
  }
  const ms = parseDurationMs(text);
  if (ms < 1) throw new LoadConfigError('--gap-threshold must be at least 1ms');
  return ms;
}

/** Validates merged settings. `defaultPort` is the protocol's, for a target given without one. */
export function resolveLoadConfig(s: LoadSettings, defaultPort: number): ResolvedLoadConfig {
  return wrap(() => {
    const maxDurationMs = parseDurationMs(s.maxDuration ?? DEFAULT_MAX_DURATION);
    let workload: Workload;
    if (s.stages !== undefined) {
      if (s.bots !== undefined) throw new LoadConfigError('give either --bots (with --duration) or --stages, not both');
      if (s.rate !== undefined) throw new LoadConfigError('give either --rate (with --duration) or --stages, not both');
      if (s.duration !== undefined) throw new LoadConfigError('--stages sets the duration: drop --duration');
      const text = Array.isArray(s.stages) ? s.stages.map((st) => `${st.duration}:${st.target}`).join(',') : s.stages;
      const parsed = parseStages(text);
      workload =
        parsed.kind === 'closed'
          ? { kind: 'closed', start: 0, stages: parsed.stages }
          : { kind: 'open', start: 0, stages: parsed.stages, maxSessions: s.maxBots ?? DEFAULT_MAX_BOTS };
    } else {
      const durationMs = parseDurationMs(s.duration ?? DEFAULT_DURATION);
      if (durationMs <= 0) throw new LoadConfigError('--duration must be above 0');
      if (s.rate !== undefined) {
        if (s.bots !== undefined) {
          throw new LoadConfigError(
            '--bots is the closed model, --rate the open one: give one (cap an open run with --max-bots)',
          );
        }
        const rate = parseRate(s.rate);
        workload = {
          kind: 'open',
          start: rate,
          stages: [{ durationMs, rate }],
          maxSessions: s.maxBots ?? DEFAULT_MAX_BOTS,
        };
      } else {
        const bots = s.bots ?? DEFAULT_BOTS;
        if (!Number.isInteger(bots) || bots < 1)
          throw new LoadConfigError('--bots must be a whole number of at least 1');
        workload = { kind: 'closed', start: bots, stages: [{ durationMs, target: bots }] };
      }
    }
    if (workload.kind === 'open' && (!Number.isInteger(workload.maxSessions) || workload.maxSessions < 1)) {
      throw new LoadConfigError('--max-bots must be a whole number of at least 1');
    }
    const durationMs = workloadDurationMs(workload);
    if (durationMs > maxDurationMs) {
      throw new LoadConfigError(
        `the run would last ${durationMs / 1000}s, over the ${maxDurationMs / 1000}s limit (raise it with --max-duration)`,
      );
    }
    const gracefulStopMs = parseDurationMs(s.gracefulStop ?? '0s');
    if (durationMs + gracefulStopMs > maxDurationMs) {
      throw new LoadConfigError(
        `the run and its graceful stop would last ${(durationMs + gracefulStopMs) / 1000}s, over the ${maxDurationMs / 1000}s limit (raise it with --max-duration)`,
      );
    }
    const thinkTimeMs = parseDurationMs(s.think ?? '0ms');
    const requestTimeoutMs = parseDurationMs(s.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT);
    if (requestTimeoutMs < 1) throw new LoadConfigError('--request-timeout must be above 0');
    const stopGraceMs = parseDurationMs(s.stopGrace ?? '5s');
    const gapThresholdMs = parseGapThreshold(s.gapThreshold ?? DEFAULT_GAP_THRESHOLD);
    const threads = s.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
      throw new LoadConfigError(`--threads must be a whole number from 1 to ${MAX_THREADS}`);
    }
    const thresholds = parseThresholds(s.thresholds ?? []);
    let target: { host: string; port: number } | undefined;
    if (s.embedded) {
      if (s.target !== undefined) throw new LoadConfigError('--embedded starts its own server: drop --target');
    } else {
      try {
        target = parseHostPort(s.target ?? '127.0.0.1', defaultPort);
      } catch (error) {
        throw new LoadConfigError(`--target: ${(error as Error).message}`);
      }
      if (!isLoopback(target.host) && !s.allowRemote) {
        throw new LoadConfigError(
          `--target ${target.host} is not a loopback address: load tests only run against this machine unless --allow-remote is given (and you own the target)`,
        );
      }
    }
    return {
      workload,
      durationMs,
      thinkTimeMs,
      requestTimeoutMs,
      stopGraceMs,
      gracefulStopMs,
      gapThresholdMs,
      thresholds,
      params: { ...(s.params ?? {}) },
      seed: String(s.seed ?? 1),
      threads,
      ...(target ? { target } : {}),
    };
  });
}
