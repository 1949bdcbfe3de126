export { UnrecoverableError } from 'bullmq';
export { RetryLaterError } from './retry-later-error.js';
export { syncBackoffDelay, type SyncBackoffOptions } from './sync-backoff.js';
export { SYNC_TRIGGERS, type SyncJobData, type SyncJobResult, type SyncOutcome, type SyncRequest, type SyncTrigger } from './sync-job.js';
export { SyncQueue, type EnqueueResult, type QueueDepth, type SyncQueueOptions } from './sync-queue.js';
export {
  SyncWorker,
  type SyncJobContext,
  type SyncJobEvent,
  type SyncProcessor,
  type SyncWorkerEvents,
  type SyncWorkerOptions,
} from './sync-worker.js';
