import { shortRevision } from '../../../runtime/kube/revision.js';
import type { SyncContext } from '../sync-context.js';

/**
 * Live equals the synced revision. A rollback's pin behind the branch's
 * newest commit is OutOfSync all the same (as Argo CD shows an app rolled
 * back), saying how to follow the branch again.
 */
export function syncedOrPinned(ctx: SyncContext): { syncStatus: 'Synced' | 'OutOfSync'; message: string; observedRevision: string } {
  const head = ctx.branchHead;
  if (ctx.status.pinnedRevision === undefined || !head || head === ctx.revision) return { syncStatus: 'Synced', message: '', observedRevision: ctx.revision };
  return {
    syncStatus: 'OutOfSync',
    message: `pinned to ${shortRevision(ctx.revision)} by a rollback; the branch is at ${shortRevision(head)} (\`baton sync ${ctx.name}\` follows it again)`,
    observedRevision: head,
  };
}
