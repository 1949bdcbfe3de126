/**
 * What asked for a sync; recorded in the app's history. `retry` tries again a
 * failed revision that stayed live because there was nothing to roll back to
 * (see failedRevisionRetry).
 */
export type SyncTrigger = 'poll' | 'webhook' | 'manual' | 'rollback' | 'selfHeal' | 'retry';

/** A request to bring one app to one revision. */
export interface SyncRequest {
  app: string;
  /** The commit (or, for a rollback, the recorded revision) to sync to. */
  revision: string;
  trigger: SyncTrigger;
  /** Why, in words, e.g. "push by alice" or "rollback after failed health gate". @defaultValue undefined */
  message?: string;
  /** Prune for this sync even past the prune guard (and when the app's policy does not prune): `baton sync NAME --prune`. @defaultValue false */
  prune?: boolean;
}

/**
 * A request as stored in the queue. `seq` orders requests across all
 * enqueuers: of two requests for one app, the one with the higher `seq` is
 * the newer and wins.
 */
export interface SyncJobData extends SyncRequest {
  seq: number;
  /** ISO 8601 time of the enqueue. */
  requestedAt: string;
}

/** What a sync did, as the caller's processor reports it (stored as the job's return value). */
export interface SyncOutcome {
  result: 'Succeeded' | 'Failed' | 'RolledBack' | 'Skipped';
  /** The revision now live. */
  revision: string;
  message?: string;
}

/** A job's stored return value: the processor's outcome, or why it was not called. */
export type SyncJobResult<O> =
  | { skipped: false; request: SyncJobData; outcome: O }
  /** The request had already been served by an earlier job (requests coalesce). */
  | { skipped: true; request: SyncJobData };

export const SYNC_TRIGGERS: readonly SyncTrigger[] = ['poll', 'webhook', 'manual', 'rollback', 'selfHeal', 'retry'];
