import type { SyncTrigger } from '../queue/sync-job.js';

export interface DesiredRevisionInput {
  /** The app's pin from `baton rollback NAME REVISION`: it wins over everything. */
  pinnedRevision?: string;
  /** A preview's request: its head commit is the preview's revision. */
  preview?: { headSha: string };
  /** The newest commit the controller saw of the followed branch. */
  branchHead?: string;
  /** The sync request being served: a rollback's revision wins over the branch; any other is the fallback. */
  request?: { trigger: SyncTrigger; revision: string };
  /** Used when nothing above names a revision (the app controller: the last one seen or synced). */
  fallback?: string | null;
}

/**
 * The one answer to "which revision should this app be at": the pin, else a
 * preview's head, else a rollback's revision, else the branch's newest
 * commit, else what the request or the caller names. The sync and the app
 * controller (`baton sync`, `baton diff`) both ask here; it lives beside the
 * app's status (its pin) because both of them may import state/.
 */
export function desiredRevision(input: DesiredRevisionInput): string | undefined {
  if (input.pinnedRevision !== undefined) return input.pinnedRevision;
  if (input.preview) return input.preview.headSha;
  if (input.request?.trigger === 'rollback') return input.request.revision;
  return input.branchHead ?? input.request?.revision ?? input.fallback ?? undefined;
}
