export {
  KEY_PREFIX,
  openRedis,
  parseQueueUrl,
  type QueueAddress,
  QueueConnectionError,
  QueueUrlError,
} from './connection.ts';
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
