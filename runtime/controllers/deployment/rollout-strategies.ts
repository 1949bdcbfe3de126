import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { selectorToString } from '../../kube/label-selector.js';
import { controllerRefOf } from '../controller-ref.js';
import { stop, type StepResult } from '../reconciler.js';
import { scaleReplicaSet, type DeploymentCtx } from './context.js';
import { desiredReplicas } from './deployment-spec.js';
import { deploymentComplete } from './deployment-status.js';
import { cleanupHistory } from './history-cleanup.js';
import { syncRevision } from './new-replica-set.js';
import { filterActive, rsReplicas, sumStatus } from './replica-sets.js';
import { newRSNewReplicas, planOldScaleDown, planScale } from './rollout-math.js';

/**
 * One rolling-update step (rolling.go's rolloutRolling): grow the new RS into
 * the surge room; if it could not grow, shrink old RSs as far as
 * availability allows; once complete, prune history.
 */
export async function rolloutRolling(ctx: DeploymentCtx): Promise<StepResult> {
  ctx.statusMode = 'rollout';
  await syncRevision(ctx, true);
  const newRS = ctx.newRS!;
  const desired = desiredReplicas(ctx.d);
  const current = rsReplicas(newRS);
  const target = current > desired ? desired : newRSNewReplicas(ctx.d, [...ctx.oldRSs, newRS], newRS);
  if (current !== desired && (await scaleReplicaSet(ctx, newRS, target))) return stop();

  const plan = planOldScaleDown(ctx.d, filterActive(ctx.oldRSs), ctx.newRS);
  let scaledDown = false;
  for (const rs of filterActive(ctx.oldRSs)) {
    const size = plan.get(String(rs.metadata.name));
    if (size !== undefined && size !== rsReplicas(rs) && (await scaleReplicaSet(ctx, rs, size))) scaledDown = true;
  }
  if (scaledDown) return stop();

  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) await cleanupHistory(ctx, ctx.oldRSs);
  return stop();
}

/** Recreate (recreate.go): all old pods gone before the new RS scales up. */
export async function rolloutRecreate(ctx: DeploymentCtx): Promise<StepResult> {
  ctx.statusMode = 'rollout';
  await syncRevision(ctx, false);
  let scaledDown = false;
  for (const rs of filterActive(ctx.oldRSs)) if (await scaleReplicaSet(ctx, rs, 0)) scaledDown = true;
  if (scaledDown) return stop();
  if (await oldPodsRunning(ctx)) return stop();
  if (!ctx.newRS) await syncRevision(ctx, true);
  await scaleReplicaSet(ctx, ctx.newRS!, desiredReplicas(ctx.d));
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) await cleanupHistory(ctx, ctx.oldRSs);
  return stop();
}

/** Any pod of an old RS not yet finished, terminating ones included. */
async function oldPodsRunning(ctx: DeploymentCtx): Promise<boolean> {
  if (sumStatus(ctx.oldRSs, 'replicas') > 0) return true;
  const oldUids = new Set(ctx.oldRSs.map((rs) => rs.metadata.uid));
  const pods = await ctx.cluster.list(resources.pods, {
    namespace: ctx.d.metadata.namespace,
    labelSelector: selectorToString(ctx.d.spec.selector),
  });
  return pods.items.some((pod: KubeObject) => {
    const ref = controllerRefOf(pod);
    if (!ref || !oldUids.has(ref.uid)) return false;
    const phase = pod.status?.phase;
    return phase !== 'Failed' && phase !== 'Succeeded';
  });
}

/**
 * A scale or paused sync (sync.go's sync): resize RSs proportionally,
 * prune history when paused; no Progressing change.
 */
export async function syncScale(ctx: DeploymentCtx): Promise<StepResult> {
  ctx.statusMode = 'sync';
  await syncRevision(ctx, false);
  const plan = planScale(ctx.d, ctx.newRS, ctx.oldRSs);
  for (const [name, size] of plan) {
    const rs = ctx.rss.find((x) => x.metadata.name === name);
    if (rs) await scaleReplicaSet(ctx, rs, size);
  }
  if (ctx.d.spec?.paused) await cleanupHistory(ctx, ctx.oldRSs);
  return stop();
}

/** An active RS whose desired-replicas annotation differs from spec.replicas means the user scaled (isScalingEvent). */
export async function isScalingEvent(ctx: DeploymentCtx): Promise<boolean> {
  await syncRevision(ctx, false);
  const desired = desiredReplicas(ctx.d);
  return filterActive(ctx.rss).some((rs) => {
    const v = rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'];
    return v !== undefined && Number.parseInt(v, 10) !== desired;
  });
}
