import { diffObjects } from '../../plan/diff/diff-objects.js';
import { conclude, type Step } from '../sync-context.js';
import { syncedOrPinned } from './synced-or-pinned.js';

/**
 * Live already equals desired (and was recorded so): the app is Synced without
 * touching the cluster. A manual sync applies anyway, and a retry of a failed
 * revision runs the health gate again.
 */
export const skipWhenInSync: Step = async (ctx) => {
  if (ctx.digest !== ctx.status.manifestDigest || ctx.request.trigger === 'manual' || ctx.request.trigger === 'retry') return undefined;
  const live = await ctx.cluster.readLive(ctx.objects);
  if (!diffObjects(ctx.objects, live, { app: ctx.name }).inSync) return undefined;
  const health = await ctx.cluster.assessHealth(ctx.objects, ctx.app.namespace);
  return conclude({ result: 'Skipped', revision: ctx.revision, message: 'already in sync' }, { status: { ...syncedOrPinned(ctx), health, revision: ctx.revision } });
};
