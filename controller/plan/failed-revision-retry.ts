import { backoffDelay, type BackoffPolicy } from '../../runtime/kube/reconcile/backoff.js';
import type { AppStatus } from '../state/app-status.js';
import type { RevisionHistoryEntry } from '../state/revision-history.js';

/** What of an app's status decides a retry. */
type RetryFields = Pick<AppStatus, 'revision' | 'lastFailedRevision' | 'pinnedRevision' | 'lastSync'>;

/** 15 s after the first failure, then doubling, never more than 5 minutes apart. */
export const FAILED_REVISION_RETRY: BackoffPolicy = { base: 15_000, cap: 300_000 };

export interface RetryDue {
  revision: string;
  /** Failed syncs of the revision in a row so far (1 after the first failure). */
  failures: number;
}

/**
 * Whether a failed revision that stayed live is due to be tried again, as
 * Flux retries a failed Kustomization every retryInterval. Only a failure
 * that left its revision live qualifies: a first deploy (nothing healthy to
 * roll back to) or an app with autoRollback off. Its pods may still come up
 * (a slow start, a dependency that came later), and a sync of that same
 * revision runs the health gate again. A rolled-back, pinned, refused or
 * unrenderable revision is never retried: it waits for a new commit or a person.
 */
export function failedRevisionRetry(status: RetryFields, history: readonly RevisionHistoryEntry[], now: Date, policy = FAILED_REVISION_RETRY): RetryDue | undefined {
  const failed = status.lastFailedRevision;
  if (failed === undefined || status.lastSync === null || !failedRevisionLeftLive(status)) return undefined;
  let failures = 0;
  for (const entry of history) {
    if (entry.revision !== failed || entry.result !== 'Failed') break;
    failures++;
  }
  if (failures === 0) return undefined;
  const due = Date.parse(status.lastSync) + backoffDelay(failures - 1, policy);
  return now.getTime() >= due ? { revision: failed, failures } : undefined;
}

/** The status alone says its failed revision is live and may be retried (the history then says when): the cheap check first. */
export function failedRevisionLeftLive(status: RetryFields): boolean {
  return status.lastFailedRevision !== undefined && status.revision === status.lastFailedRevision && status.pinnedRevision === undefined && status.lastSync !== null;
}
