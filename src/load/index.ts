/** `botswarm loadtest`: workload models, metrics, thresholds, reports, and the scenario plug-in interface. */
export {
  DEFAULT_BOTS,
  DEFAULT_DURATION,
  DEFAULT_MAX_BOTS,
  DEFAULT_MAX_DURATION,
  LoadConfigError,
  type LoadSettings,
  MAX_THREADS,
  mergeSettings,
  parsePairs,
  type ResolvedLoadConfig,
  readScenarioFile,
  resolveLoadConfig,
} from './config.ts';
export {
  type GapSummary,
  type IntervalLatency,
  type LatencyStats,
  LoadRecorder,
  type MetricTiming,
  type SessionMetrics,
  type ThreadInterval,
  type TimePoint,
} from './metrics.ts';
export { renderReport } from './report.ts';
export {
  describeWorkload,
  LoadTestError,
  type LoadTestOptions,
  type LoadTestResult,
  probeTarget,
  runLoadTest,
} from './runner.ts';
export { defaultScenarioFor, loadAllScenarios, loadScenario, scenarioIds } from './scenarios.ts';
export {
  type AgentReport,
  buildSummary,
  formatSummaryTable,
  formatTimeseriesCsv,
  type LoadSummary,
  type RunStatus,
  SUMMARY_FORMAT,
} from './summary.ts';
export { type PoolRun, type SessionPool, shareOf, THREAD_FAILED, threadData } from './threads.ts';
export {
  evaluateThreshold,
  evaluateThresholds,
  parseThreshold,
  parseThresholds,
  type Threshold,
  ThresholdError,
  type ThresholdResult,
} from './thresholds.ts';
export type { LoadMetrics, LoadScenario, PrepareOptions, SessionContext, ThreadSupport } from './types.ts';
export {
  ArrivalSchedule,
  closedTarget,
  parseRate,
  parseStages,
  type Workload,
  WorkloadError,
  workloadDurationMs,
} from './workload.ts';
