import { shortRevision } from '../../../runtime/kube/revision.js';
import type { BatonError } from '../../../runtime/kube/baton-error.js';
import { syncProgress } from '../../health/sync-progress.js';
import type { AppliedObject } from '../../apply/applied-object.js';
import { byWave, hooksOf, objectWave } from '../../apply/sync-waves.js';
import type { PrunePlan } from '../../apply/prune-objects.js';
import { runPhase } from './hooks.js';
import type { Step, SyncContext } from '../sync-context.js';

/**
 * Applies the objects (and prunes, by the app's policy), wave by wave when
 * they carry `argocd.argoproj.io/sync-wave`, then runs the Sync hooks. The app shows
 * Syncing meanwhile and `sync.started` goes out: progress signals, not the
 * sync's conclusion. An object the cluster refuses (ObjectRejectedError, not
 * retryable) fails the revision; other cluster errors are thrown and retried.
 */
export const apply: Step = async (ctx, ports) => {
  const { state, log } = ports;
  const { name, objects, revision } = ctx;
  const short = shortRevision(revision);
  ctx.progress = syncProgress({ events: state, app: name, objects: objects.length });
  await state.updateApp(name, { syncStatus: 'Syncing', health: 'Progressing', message: `syncing to ${short}`, observedRevision: revision });
  await state.publish({ type: 'sync.started', app: name, data: { revision, trigger: ctx.request.trigger } });
  log(`applying ${short} (${objects.length} objects)`, { app: name, revision });
  try {
    // `baton sync NAME --prune` prunes this once even when the app's policy does not.
    const app = ctx.request.prune ? { ...ctx.app, syncPolicy: { ...ctx.app.syncPolicy, prune: true } } : ctx.app;
    const onProgress = recordPruned(ctx, ctx.progress.applied);
    const waves = byWave(objects, objectWave);
    // Sync waves: each wave but the last is applied (never pruning) and must be healthy before the next.
    for (const wave of waves.slice(0, -1)) {
      await ctx.cluster.apply({ app: { ...app, syncPolicy: { ...app.syncPolicy, prune: false } }, objects: wave, signal: ctx.signal, onProgress });
      const gate = await ctx.cluster.waitForHealthy({ objects: wave, namespace: app.namespace, deadlineSeconds: app.rollout.progressDeadlineSeconds, signal: ctx.signal, onProgress: ctx.progress.workload });
      if (!gate.healthy) {
        ctx.failure = `sync wave ${objectWave(wave[0]!)}: ${gate.reason}`;
        return undefined;
      }
    }
    // The last wave goes with the whole set, so prune sees every object the revision keeps.
    await ctx.cluster.apply({ app, objects, prunePlan: reusablePrunePlan(ctx, waves.length), signal: ctx.signal, onProgress });
  } catch (err) {
    if ((err as Partial<BatonError>).retryable !== false) throw err;
    ctx.failure = (err as Error).message;
    return undefined;
  } finally {
    // Queues the last applied count now, before anything that follows (the gate awaits it).
    void ctx.progress.flush();
  }
  const sync = await runPhase(ctx, ports, 'Sync');
  if (!sync.ok) ctx.failure = sync.reason;
  return undefined;
};

/**
 * The prune guard's plan, when this apply's prune may delete it rather than
 * list the app's objects again: applying only adds kept objects, so the plan
 * still holds unless something else wrote in between (PreSync hooks may
 * create objects labelled as the app's) or earlier waves waited on health.
 */
function reusablePrunePlan(ctx: SyncContext, waves: number): PrunePlan | undefined {
  if (waves > 1 || hooksOf(ctx.hooks ?? [], 'PreSync').length > 0) return undefined;
  return ctx.prunePlan;
}

/** `onProgress` that also notes each pruned object in `ctx.pruned` for the history entry. */
export function recordPruned(ctx: SyncContext, onProgress: (object: AppliedObject) => void): (object: AppliedObject) => void {
  return (object) => {
    if (object.action === 'pruned') ctx.pruned.push({ kind: object.kind, ...(object.namespace ? { namespace: object.namespace } : {}), name: object.name });
    onProgress(object);
  };
}
