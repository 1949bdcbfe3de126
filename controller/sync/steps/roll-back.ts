import { shortRevision } from '../../../runtime/kube/revision.js';
import { syncProgress } from '../../health/sync-progress.js';
import { withNamespace } from '../../clusters/live-objects.js';
import { conclude, type Step } from '../sync-context.js';
import { recordPruned } from './apply.js';
import { syncFailHooks } from './hooks.js';

/**
 * The revision failed (refused, unhealthy, or a Sync/PostSync hook failed):
 * its SyncFail hooks run, then the last healthy manifests are put back when
 * the app allows it and they differ, and the revision is remembered so it is
 * not retried until a new commit (only a revision that passed the gate is
 * rolled back to: invariant 9).
 */
export const rollBack: Step = async (ctx, ports) => {
  const { state, log } = ports;
  if (ctx.failure === undefined) return undefined;
  const reason = `${ctx.failure}${await syncFailHooks(ctx, ports)}`;
  const { name, app, revision, digest } = ctx;
  const short = shortRevision(revision);
  const healthy = app.rollout.autoRollback ? await state.getHealthyManifests(name) : undefined;
  if (!healthy || healthy.digest === digest) {
    const message = `${short} failed: ${reason}`;
    log(message, { app: name, revision });
    return conclude(
      { result: 'Failed', revision, message },
      {
        status: { revision, manifestDigest: digest, syncStatus: 'OutOfSync', health: 'Degraded', message, observedRevision: revision, lastFailedRevision: revision },
        history: { result: 'Failed', message },
      },
    );
  }
  log(`${short} failed, rolling back to ${shortRevision(healthy.revision)}: ${reason}`, { app: name, revision, event: 'rollback' });
  const undo = syncProgress({ events: state, app: name, objects: healthy.objects.length, phase: 'rollback' });
  const back = await ctx.cluster.rollbackTo({ app, manifests: withNamespace(healthy.objects, app.namespace), signal: ctx.signal, onApplied: recordPruned(ctx, undo.applied), onProgress: undo.workload });
  await undo.flush();
  const after = back.health.healthy ? '' : `\nthe rollback is not healthy either: ${back.health.reason}`;
  const message = `${short} failed and was rolled back to ${shortRevision(healthy.revision)}: ${reason}${after}`;
  return conclude(
    { result: 'RolledBack', revision: healthy.revision, message },
    {
      status: { revision: healthy.revision, manifestDigest: healthy.digest, syncStatus: 'OutOfSync', health: 'Degraded', message, observedRevision: revision, lastFailedRevision: revision },
      history: { result: 'RolledBack', message },
    },
  );
};
