import type { AppStatus } from '../../state/app-status.js';
import type { AppDetail, AppSummary } from './contract.js';

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
    ...(s.sourceMessage ? { sourceMessage: s.sourceMessage } : {}),
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
