import type { AppStatus } from '../../state/app-status.js';

/** One entry of `GET /api/v1/apps`: exactly the fields the contract names. */
export interface AppSummary {
  name: string;
  namespace: string;
  cluster: string;
  revision: string | null;
  syncStatus: AppStatus['syncStatus'];
  health: AppStatus['health'];
  message: string;
  lastSync: string | null;
}

/** `GET /api/v1/apps/:name`: the summary and what else baton knows of the app. */
export interface AppDetail extends AppSummary {
  observedRevision: string | null;
  manifestDigest: string | null;
  /** Set by a rollback; the app stays at this revision until a manual sync. */
  pinnedRevision: string | null;
  lastFailedRevision: string | null;
  /** The state of the app's queued or running sync, null when none. */
  pendingSync: 'active' | 'waiting' | 'delayed' | null;
}

export function appSummary(s: AppStatus): AppSummary {
  return {
    name: s.name,
    namespace: s.namespace,
    cluster: s.cluster,
    revision: s.revision ?? null,
    syncStatus: s.syncStatus,
    health: s.health,
    message: s.message ?? '',
    lastSync: s.lastSync ?? null,
  };
}

export function appDetail(s: AppStatus, pendingSync: AppDetail['pendingSync'] | undefined): AppDetail {
  return {
    ...appSummary(s),
    observedRevision: s.observedRevision ?? null,
    manifestDigest: s.manifestDigest ?? null,
    pinnedRevision: s.pinnedRevision ?? null,
    lastFailedRevision: s.lastFailedRevision ?? null,
    pendingSync: pendingSync ?? null,
  };
}
