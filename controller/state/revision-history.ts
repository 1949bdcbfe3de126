import type { KubeObject } from '../../runtime/kube/object.js';
import type { SyncTrigger } from '../queue/sync-job.js';

/** One finished sync of an app, as `baton history NAME` lists it. */
export interface RevisionHistoryEntry {
  /** Increasing per app; the newest entry has the highest. */
  id: number;
  revision: string;
  /** Digest of the rendered manifests that were applied. */
  digest: string;
  result: 'Succeeded' | 'Failed' | 'RolledBack';
  /** ISO 8601 times. */
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  trigger: SyncTrigger;
  message: string;
  /** What the sync deleted (prune, or a rollback's prune); absent when nothing. */
  pruned?: ObjectRef[];
}

/** One object, as history names it. */
export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * The rendered objects of a revision that went healthy, kept so a rollback
 * re-applies them without Git or a re-render.
 */
export interface HealthyManifests {
  revision: string;
  digest: string;
  objects: KubeObject[];
  /** ISO 8601 time it was recorded. */
  recordedAt: string;
}
