import type { Logger } from 'pino';
import type { SyncJobEvent, SyncWorker, SyncWorkerEvents } from '../../queue/sync-worker.js';
import type { SyncOutcome } from '../../queue/sync-job.js';
import { withLogContext } from './log-context.js';

type Event<E extends keyof SyncWorkerEvents> = SyncWorkerEvents[E][0];

/**
 * Logs every job of a SyncWorker with `app`, `revision` and `jobId` on the
 * line: start (with its queue wait), result, failure (with whether it
 * retries), deferral and coalesced skips. Returns a function that stops.
 */
export function logSyncWorker(logger: Logger, worker: SyncWorker<SyncOutcome>): () => void {
  const child = (e: SyncJobEvent) => withLogContext(logger, { app: e.request.app, revision: e.request.revision, jobId: e.jobId });
  const started = (e: Event<'started'>) => child(e).info({ trigger: e.request.trigger, attempt: e.attempt, waitMs: e.waitMs }, 'sync started');
  const completed = (e: Event<'completed'>) => {
    const level = e.outcome.result === 'Succeeded' || e.outcome.result === 'Skipped' ? 'info' : 'warn';
    child(e)[level]({ result: e.outcome.result, live: e.outcome.revision, durationMs: e.durationMs }, e.outcome.message ?? `sync ${e.outcome.result}`);
  };
  const failed = (e: Event<'failed'>) =>
    child(e)[e.willRetry ? 'warn' : 'error']({ err: e.error, attempt: e.attempt, durationMs: e.durationMs, willRetry: e.willRetry }, 'sync failed');
  const deferred = (e: Event<'deferred'>) => child(e).info({ delayMs: e.delayMs, reason: e.reason }, 'sync deferred');
  const skipped = (e: Event<'skipped'>) => child(e).debug('request already served by an earlier job');
  const error = (err: Error) => logger.error({ err }, 'sync worker error');
  worker.on('started', started).on('completed', completed).on('failed', failed).on('deferred', deferred).on('skipped', skipped).on('error', error);
  return () => {
    worker.off('started', started).off('completed', completed).off('failed', failed).off('deferred', deferred).off('skipped', skipped).off('error', error);
  };
}
