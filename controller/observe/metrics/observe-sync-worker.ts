import type { SyncOutcome } from '../../queue/sync-job.js';
import type { SyncJobEvent, SyncWorker, SyncWorkerEvents } from '../../queue/sync-worker.js';
import type { BatonMetrics } from './baton-metrics.js';

export interface ObserveSyncWorkerOptions {
  /** The destination namespace of an app, for the `namespace` label. @defaultValue '' for every app */
  namespaceOf?: (app: string) => string | undefined;
}

type Event<E extends keyof SyncWorkerEvents> = SyncWorkerEvents[E][0];

/**
 * Feeds sync totals and durations, rollbacks, queue wait and coalesced and
 * deferred jobs from a SyncWorker's events. Returns a function that stops.
 */
export function observeSyncWorker(metrics: BatonMetrics, worker: SyncWorker<SyncOutcome>, options: ObserveSyncWorkerOptions = {}): () => void {
  const labels = (e: SyncJobEvent) => ({ name: e.request.app, namespace: options.namespaceOf?.(e.request.app) ?? '' });
  const started = (e: Event<'started'>) => metrics.queueWait.observe(e.waitMs / 1000);
  const completed = (e: Event<'completed'>) => {
    const app = labels(e);
    const phase = e.outcome.result;
    metrics.appSync.inc({ ...app, phase });
    metrics.appSyncDuration.observe({ ...app, phase }, e.durationMs / 1000);
    if (phase === 'RolledBack') metrics.appRollbacks.inc({ ...app, reason: 'auto' });
    else if (e.request.trigger === 'rollback' && phase === 'Succeeded') metrics.appRollbacks.inc({ ...app, reason: 'manual' });
  };
  const failed = (e: Event<'failed'>) => {
    const app = labels(e);
    metrics.appSync.inc({ ...app, phase: 'Error' });
    metrics.appSyncDuration.observe({ ...app, phase: 'Error' }, e.durationMs / 1000);
  };
  const skipped = () => metrics.queueCoalesced.inc();
  const deferred = (e: Event<'deferred'>) => metrics.queueDeferred.inc({ name: e.request.app });
  worker.on('started', started).on('completed', completed).on('failed', failed).on('skipped', skipped).on('deferred', deferred);
  return () => {
    worker.off('started', started).off('completed', completed).off('failed', failed).off('skipped', skipped).off('deferred', deferred);
  };
}
