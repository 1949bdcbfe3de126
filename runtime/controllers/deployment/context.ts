import type { Cluster } from '../../objects/cluster.js';
import { recordEvent } from '../../objects/record-event.js';
import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { setReplicasAnnotations } from './annotations.js';
import { desiredReplicas, maxSurge } from './deployment-spec.js';
import type { DeploymentStatus } from './deployment-status.js';
import { rsReplicas } from './replica-sets.js';

export const COMPONENT = 'deployment-controller';

/** Which status a sync writes at its end: with the Progressing condition (a rollout) or without (a scale or pause). */
export type StatusMode = 'rollout' | 'sync';

/** What one reconcile of a Deployment reads and writes, shared by its steps. */
export interface DeploymentCtx {
  cluster: Cluster;
  now: Date;
  /** The Deployment as last read or written; its status carries conditions set during this sync. */
  d: KubeObject;
  /** Status as read, to skip writing when nothing changed. */
  observedStatus: DeploymentStatus;
  /** ReplicaSets this Deployment controls, kept current as the sync scales them. */
  rss: KubeObject[];
  newRS?: KubeObject;
  oldRSs: KubeObject[];
  statusMode?: StatusMode;
}

export function replaceRS(ctx: DeploymentCtx, rs: KubeObject): void {
  const name = rs.metadata.name;
  const swap = (x: KubeObject): KubeObject => (x.metadata.name === name ? rs : x);
  const known = ctx.rss.some((x) => x.metadata.name === name);
  ctx.rss = known ? ctx.rss.map(swap) : [...ctx.rss, rs];
  if (ctx.newRS?.metadata.name === name) ctx.newRS = rs;
  ctx.oldRSs = ctx.oldRSs.map(swap);
}

/**
 * Sets an RS's size and its desired/max-replicas annotations
 * (scaleReplicaSetAndRecordEvent). Returns whether the size changed.
 */
export async function scaleReplicaSet(ctx: DeploymentCtx, rs: KubeObject, size: number): Promise<boolean> {
  const from = rsReplicas(rs);
  const desired = desiredReplicas(ctx.d);
  const next = structuredClone(rs);
  next.spec.replicas = size;
  const annotationsChanged = setReplicasAnnotations(next, desired, desired + maxSurge(ctx.d));
  if (from === size && !annotationsChanged) return false;
  const updated = await ctx.cluster.update(resources.replicasets, next, { fieldManager: COMPONENT });
  replaceRS(ctx, updated);
  if (from !== size) {
    const direction = size > from ? 'up' : 'down';
    await recordEvent(ctx.cluster, ctx.d, 'Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${rs.metadata.name} from ${from} to ${size}`, COMPONENT);
  }
  return from !== size;
}
