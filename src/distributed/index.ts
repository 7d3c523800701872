export {
  KEY_PREFIX,
  openRedis,
  parseQueueUrl,
  type QueueAddress,
  QueueConnectionError,
  QueueUrlError,
} from './connection.ts';
export { type LoadAgentOptions, runLoadAgent } from './load-agent.ts';
export {
  AGENT_LOST,
  type AgentLoss,
  AgentPool,
  type AgentPoolOptions,
  agentPool,
} from './load-coordinator.ts';
export { AGENTS_KEY, type AgentEntry } from './load-messages.ts';
export { QueueCoordinator, type QueueCoordinatorOptions, runIdOf } from './tournament-coordinator.ts';
export {
  type BatchJob,
  type BatchOutcome,
  type Refusal,
  TOURNAMENT_QUEUE,
  type WorkerEntry,
} from './tournament-jobs.ts';
export { type QueueWorkerOptions, runQueueWorker, type WorkerEnd } from './tournament-worker.ts';
export { describeStamp, type EngineStamp, engineStamp } from './version.ts';
