import type { HealthStatus, SyncStatus } from '../apps/app-spec.js';
import { parsePreviewAppName } from '../apps/preview-names.js';

/** Where an app's desired state comes from: a followed branch, or the preview of `app` for pull/merge request `number`. */
export type AppOrigin = { kind: 'branch' } | { kind: 'preview'; number: number; app: string };

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
  /**
   * What is wrong with reading the app's repository, the same on every app of it
   * (`source unreachable since 10:42: ECONNREFUSED`, a force push; see sourceProblem);
   * '' or absent while it reads fine.
   */
  sourceMessage?: string;
  /** Set when the app is registered (read it with `appOrigin`); absent only in statuses kept before it was recorded. */
  origin?: AppOrigin;
}

/** The status of an app baton has registered but not yet synced. */
export function initialAppStatus(app: { name: string; namespace: string; cluster: string; origin?: AppOrigin }): AppStatus {
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
    origin: app.origin ?? { kind: 'branch' },
  };
}

/**
 * Whether the app follows a branch or previews a request, as recorded when it
 * was registered. A status kept before origins were recorded has none until
 * its app is registered again (the next start, or the request's next event);
 * until then its `pr-N.<app>` name tells, the only place a name is read back.
 */
export function appOrigin(status: Pick<AppStatus, 'name' | 'origin'>): AppOrigin {
  if (status.origin) return status.origin;
  const preview = parsePreviewAppName(status.name);
  return preview ? { kind: 'preview', ...preview } : { kind: 'branch' };
}
