import { shortRevision } from '../../../runtime/kube/revision.js';
import type { BatonError } from '../../../runtime/kube/baton-error.js';
import { syncProgress } from '../../health/sync-progress.js';
import type { Step } from '../sync-context.js';

/**
 * Applies the objects (and prunes, by the app's policy). The app shows
 * Syncing meanwhile and `sync.started` goes out: progress signals, not the
 * sync's conclusion. An object the cluster refuses (ObjectRejectedError, not
 * retryable) fails the revision; other cluster errors are thrown and retried.
 */
export const apply: Step = async (ctx, { state, log }) => {
  const { name, objects, revision } = ctx;
  const short = shortRevision(revision);
  ctx.progress = syncProgress({ events: state, app: name, objects: objects.length });
  await state.updateApp(name, { syncStatus: 'Syncing', health: 'Progressing', message: `syncing to ${short}`, observedRevision: revision });
  await state.publish({ type: 'sync.started', app: name, data: { revision, trigger: ctx.request.trigger } });
  log(`applying ${short} (${objects.length} objects)`, { app: name, revision });
  try {
    await ctx.cluster.apply({ app: ctx.app, objects, signal: ctx.signal, onProgress: ctx.progress.applied });
  } catch (err) {
    if ((err as Partial<BatonError>).retryable !== false) throw err;
    ctx.failure = (err as Error).message;
  }
  return undefined;
};
