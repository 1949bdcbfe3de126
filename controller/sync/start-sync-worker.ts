import { clusterTargets, type ClusterTargets } from '../clusters/cluster-target.js';
import { SyncWorker, type SyncWorkerOptions } from '../queue/sync-worker.js';
import type { RepositorySource } from '../source/repository.js';
import { StateStore } from '../state/state-store.js';
import { DiskTree } from '../../renderer/index.js';
import type { LogLine } from '../apps/app-log.js';
import { bundledChartsDir } from '../apps/bundled-paths.js';
import { SourceCache } from './source-cache.js';
import { createSyncProcessor } from './sync-app.js';
import { SyncRegistry } from '../state/sync-registry.js';
import { PreviewStore } from '../previews/preview-store.js';
import { processPlannedRenders, type PlannedRenders } from '../plan/planned-renders.js';

export interface StartSyncWorkerOptions {
  /** baton's state dir: repository mirrors and the runtime's kubeconfig are read from it. */
  stateDir: string;
  redisUrl: string;
  /** Syncs of different apps run at once. @defaultValue 4 */
  concurrency?: number;
  /** Cluster targets by name. @defaultValue `local` from `<stateDir>/kubeconfig`, others from $KUBECONFIG */
  clusters?: ClusterTargets;
  /** The controller's repositories, when the worker runs in its process (saves a second read of each). @defaultValue none */
  sharedSource?: (id: string) => RepositorySource | undefined;
  /** Renders of queued syncs from an app controller in this process (used when their inputs key still holds). @defaultValue the process's (processPlannedRenders) */
  plannedRenders?: PlannedRenders;
  /** Directory of bundled charts. @defaultValue baton's charts/ */
  chartsDir?: string;
  /** How long a sync waiting on its dependencies waits before looking again. @defaultValue 3000 */
  dependencyRetryMs?: number;
  /** Passed on to the BullMQ worker (lock duration, stalled-job checks). @defaultValue SyncWorker's defaults */
  worker?: Omit<SyncWorkerOptions, 'redisUrl' | 'concurrency'>;
  log?: LogLine;
}

export interface RunningSyncWorker {
  worker: SyncWorker;
  /** Stops taking jobs; running syncs finish, or with `force` are abandoned (another worker recovers them). */
  close(force?: boolean): Promise<void>;
}

/** A worker taking sync jobs from the queue and running the app sync reconciler on them. */
export async function startSyncWorker(options: StartSyncWorkerOptions): Promise<RunningSyncWorker> {
  const state = new StateStore({ redisUrl: options.redisUrl, secretsKeyDir: options.stateDir });
  const registry = new SyncRegistry(options.redisUrl);
  const previews = new PreviewStore(options.redisUrl);
  const processor = createSyncProcessor({
    previews,
    state,
    registry,
    sources: new SourceCache(options.stateDir, options.sharedSource),
    clusters: options.clusters ?? clusterTargets({ stateDir: options.stateDir }),
    chartsTree: new DiskTree(options.chartsDir ?? bundledChartsDir()),
    planned: options.plannedRenders ?? processPlannedRenders,
    dependencyRetryMs: options.dependencyRetryMs,
    log: options.log,
  });
  const worker = new SyncWorker(processor, { ...options.worker, redisUrl: options.redisUrl, concurrency: options.concurrency ?? 4 });
  // A sync that threw (cluster unreachable, Git unreadable) recorded nothing itself: say so on the app.
  worker.on('failed', ({ request, error, willRetry }) => {
    const message = `sync failed${willRetry ? ' (will retry)' : ''}: ${error.message}`;
    options.log?.(message, { app: request.app, revision: request.revision });
    state.updateApp(request.app, { syncStatus: 'OutOfSync', message }).catch(() => undefined);
  });
  await worker.waitUntilReady();
  return {
    worker,
    async close(force = false) {
      await worker.close(force);
      await Promise.all([state.close(), registry.close(), previews.close()]);
    },
  };
}
