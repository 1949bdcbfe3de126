import type { HealthStatus, SyncStatus } from '../apps/app-spec.js';

/** What baton knows about one app; the REST API's `GET /api/v1/apps` entries are built from it. */
export interface AppStatus {
  name: string;
  namespace: string;
  cluster: string;
  /** The revision live in the cluster; null before the first sync. */
  revision: string | null;
  syncStatus: SyncStatus;
  health: HealthStatus;
  /** Why the app is as it is, in a sentence ('' when there is nothing to say). */
  message: string;
  /** ISO 8601 end of the last finished sync, null before the first. */
  lastSync: string | null;
  /** The newest revision seen at the source (may not be synced yet). */
  observedRevision: string | null;
  /** Digest of the rendered manifests of `revision`: an unchanged digest needs no apply. */
  manifestDigest: string | null;
  /** Set by `baton rollback NAME REVISION`: the app stays there until unpinned. */
  pinnedRevision?: string;
  /** The newest revision whose sync failed or was rolled back, so it is not retried for ever. */
  lastFailedRevision?: string;
}

/** The status of an app baton has registered but not yet synced. */
export function initialAppStatus(app: { name: string; namespace: string; cluster: string }): AppStatus {
  return {
    name: app.name,
    namespace: app.namespace,
    cluster: app.cluster,
    revision: null,
    syncStatus: 'Unknown',
    health: 'Unknown',
    message: '',
    lastSync: null,
    observedRevision: null,
    manifestDigest: null,
  };
}
