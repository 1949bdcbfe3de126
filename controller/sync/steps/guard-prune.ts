import { shortRevision } from '../../../runtime/kube/revision.js';
import type { SyncPolicy } from '../../apps/app-spec.js';
import type { PrunePlan } from '../../apply/prune-objects.js';
import { conclude, type Step } from '../sync-context.js';

/** How many of the objects to prune the refusal names. */
const NAMED = 5;

/**
 * Refuses, before anything is written, a sync whose prune would delete every
 * live object of the app (unless `syncPolicy.allowEmpty`) or more than
 * `syncPolicy.pruneLimit` of them: a commit that empties an app by mistake
 * would otherwise take its objects down and still report Healthy. A sync
 * asked with prune forced (`baton sync NAME --prune`) passes. The revision is
 * recorded as failed, so automated triggers do not try it again.
 */
export const guardPrune: Step = async (ctx, { log }) => {
  const { name, app, revision } = ctx;
  if (ctx.request.prune || !app.syncPolicy.prune) return undefined;
  const plan = await ctx.cluster.planPrune({ app, objects: ctx.objects, signal: ctx.signal });
  const why = pruneRefusal(plan, app.syncPolicy);
  if (why === undefined) {
    ctx.prunePlan = plan;
    return undefined;
  }
  const named = plan.prune.slice(0, NAMED).map((o) => `${o.kind}/${o.name}`);
  const more = plan.prune.length > NAMED ? ` and ${plan.prune.length - NAMED} more` : '';
  const message =
    `${shortRevision(revision)} refused: it would delete ${plan.prune.length} of the app's ${plan.live} live objects (${named.join(', ')}${more}), ${why}; nothing was applied. ` +
    `To proceed, set syncPolicy.allowEmpty: true or raise syncPolicy.pruneLimit in baton.yaml, or run baton sync ${name} --prune`;
  log(message, { app: name, revision });
  return conclude(
    { result: 'Failed', revision, message },
    {
      status: { syncStatus: 'OutOfSync', message, observedRevision: revision, lastFailedRevision: revision },
      history: { result: 'Failed', message },
    },
  );
};

/** Why the policy refuses this prune, or undefined when it allows it. Deleting everything is `allowEmpty`'s call; anything less, `pruneLimit`'s. */
export function pruneRefusal(plan: PrunePlan, policy: Pick<SyncPolicy, 'allowEmpty' | 'pruneLimit'>): string | undefined {
  const count = plan.prune.length;
  if (count === 0) return undefined;
  if (count >= plan.live) return policy.allowEmpty ? undefined : 'every object the app has (syncPolicy.allowEmpty is false)';
  const limit = pruneLimitObjects(policy.pruneLimit, plan.live);
  return count > limit ? `more than syncPolicy.pruneLimit ${JSON.stringify(policy.pruneLimit)} allows (${limit})` : undefined;
}

/** `pruneLimit` as a number of objects out of `live`: `"50%"` of 7 is 3. */
export function pruneLimitObjects(limit: SyncPolicy['pruneLimit'], live: number): number {
  if (typeof limit === 'number') return limit;
  return Math.floor((live * Number.parseInt(limit, 10)) / 100);
}
