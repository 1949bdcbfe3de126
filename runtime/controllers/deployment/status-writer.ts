import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { semanticEqual } from '../../kube/canonical-json.js';
import { newCondition, removeCondition, setCondition } from './conditions.js';
import { COMPONENT, type DeploymentCtx } from './context.js';
import { calculateStatus, stuckRequeueMs, updateProgressing, type DeploymentStatus } from './deployment-status.js';

/**
 * Writes the Deployment's status at the end of a sync: counts and Available
 * always, Progressing for rollouts, ReplicaSet failures surfaced as
 * ReplicaFailure. Skips the write when nothing changed. Returns when to look
 * again for the progress deadline.
 */
export async function writeDeploymentStatus(ctx: DeploymentCtx): Promise<number | undefined> {
  const { d, newRS } = ctx;
  const all = ctx.rss;
  const status = calculateStatus(all, newRS, d, ctx.now);
  let requeueMs: number | undefined;
  if (ctx.statusMode === 'rollout') {
    updateProgressing(d, status, newRS, ctx.now);
    const failure = replicaFailure(newRS, all);
    if (failure) setCondition(status, newCondition('ReplicaFailure', failure.status, failure.reason, failure.message, ctx.now));
    else removeCondition(status, 'ReplicaFailure');
    requeueMs = stuckRequeueMs(d, status, ctx.now);
  }
  if (!semanticEqual(status, ctx.observedStatus)) await put(ctx, status);
  return requeueMs;
}

/** The ReplicaFailure condition of the new RS first, else of any RS (getReplicaFailures). */
function replicaFailure(newRS: KubeObject | undefined, all: KubeObject[]) {
  for (const rs of [newRS, ...all]) {
    const c = rs?.status?.conditions?.find((x: { type: string }) => x.type === 'ReplicaFailure');
    if (c) return c as { status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
  }
  return undefined;
}

/** Status written as-is (observedGeneration bumped) without recomputing counts: for a deployment we cannot act on. */
export async function writeObservedGeneration(ctx: DeploymentCtx): Promise<void> {
  const status: DeploymentStatus = { ...(ctx.d.status ?? {}) };
  if ((status.observedGeneration ?? 0) >= (ctx.d.metadata.generation ?? 0)) return;
  status.observedGeneration = ctx.d.metadata.generation;
  await put(ctx, status);
}

async function put(ctx: DeploymentCtx, status: DeploymentStatus): Promise<void> {
  const next = structuredClone(ctx.d);
  next.status = status;
  // Only this controller writes Deployment status; a concurrent spec edit must not make it fail.
  delete next.metadata.resourceVersion;
  try {
    ctx.d = await ctx.cluster.update(resources.deployments, next, { status: true, fieldManager: COMPONENT });
  } catch (err: any) {
    if (err?.code !== 404) throw err;
  }
}
