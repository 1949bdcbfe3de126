import type { LogLine } from '../apps/app-log.js';
import type { ClusterTargets } from '../clusters/cluster-target.js';
import type { PreviewStore } from '../previews/preview-store.js';
import type { SyncProcessor } from '../queue/sync-worker.js';
import type { SyncOutcome } from '../queue/sync-job.js';
import type { FileTree } from '../../renderer/index.js';
import type { PlannedRenders } from '../plan/planned-renders.js';
import { planRenderer } from './adapters/plan-renderer.js';
import { registrySource } from './adapters/registry-source.js';
import { targetClusters } from './adapters/target-clusters.js';
import { systemClock } from './ports/clock-port.js';
import type { StatePort } from './ports/state-port.js';
import { reconcileApp } from './reconcile-app.js';
import type { SourceCache } from './source-cache.js';
import type { SyncRegistry } from '../state/sync-registry.js';

export interface SyncAppDeps {
  /** The app's status, history and kept manifests (a StateStore). */
  state: StatePort;
  registry: Pick<SyncRegistry, 'repositoryOf' | 'repository'>;
  sources: Pick<SourceCache, 'get'>;
  clusters: ClusterTargets;
  /** baton's bundled charts (a DiskTree of `charts/`). */
  chartsTree: FileTree;
  /** The app controller's renders of queued syncs, used when their inputs key still holds. @defaultValue none: every sync renders */
  planned?: Pick<PlannedRenders, 'take'>;
  /** Open previews, for syncs of preview apps (`pr-N.<app>`). @defaultValue none: preview syncs are skipped */
  previews?: Pick<PreviewStore, 'get'>;
  /** How long a sync waiting on its dependencies waits before looking again. @defaultValue 3000 */
  dependencyRetryMs?: number;
  /** Receives one line per step worth telling a person. @defaultValue nothing is logged */
  log?: LogLine;
}

/**
 * The app sync reconciler (reconcile-app.ts) over baton's real parts: the
 * registry and Git mirrors, planApp, the cluster targets and the state store.
 */
export function createSyncProcessor(deps: SyncAppDeps): SyncProcessor<SyncOutcome> {
  return reconcileApp({
    source: registrySource(deps),
    renderer: planRenderer(deps),
    clusters: targetClusters(deps.clusters),
    state: deps.state,
    clock: systemClock,
    log: deps.log ?? (() => undefined),
    retryMs: deps.dependencyRetryMs ?? 3000,
  });
}
