import { recordEvent } from '../../objects/record-event.js';
import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { isControlledBy, newControllerRef } from '../controller-ref.js';
import { REVISION, maxRevision, setNewReplicaSetAnnotations } from './annotations.js';
import { getCondition, newCondition, Reason, setCondition } from './conditions.js';
import { COMPONENT, replaceRS, type DeploymentCtx } from './context.js';
import { desiredReplicas, hasProgressDeadline, maxSurge, minReadySeconds } from './deployment-spec.js';
import { computePodTemplateHash, equalIgnoreHash, POD_TEMPLATE_HASH_LABEL, replicaSetTemplateText, templateText } from './pod-template-hash.js';
import { byCreation } from './replica-sets.js';
import { newRSNewReplicas } from './rollout-math.js';

/** The oldest RS whose template equals the Deployment's but for the hash label (deploymentutil.FindNewReplicaSet). */
export function findNewReplicaSet(d: KubeObject, rss: KubeObject[]): KubeObject | undefined {
  const want = templateText(d.spec?.template);
  return [...rss].sort(byCreation).find((rs) => replicaSetTemplateText(rs) === want);
}

/**
 * Splits the RSs into new and old and brings the new one's revision to
 * max(old)+1 — which is how a rollback to an old template gets the newest
 * revision — creating it when asked (getAllReplicaSetsAndSyncRevision).
 */
export async function syncRevision(ctx: DeploymentCtx, createIfMissing: boolean): Promise<void> {
  const existing = findNewReplicaSet(ctx.d, ctx.rss);
  ctx.oldRSs = ctx.rss.filter((rs) => rs !== existing);
  ctx.newRS = existing;
  const newRevision = maxRevision(ctx.oldRSs) + 1;
  const desired = desiredReplicas(ctx.d);
  const max = desired + maxSurge(ctx.d);

  if (existing) {
    const next = structuredClone(existing);
    const annotationsChanged = setNewReplicaSetAnnotations(ctx.d, next, newRevision, true, desired, max);
    const minReady = minReadySeconds(ctx.d);
    if (annotationsChanged || (next.spec.minReadySeconds ?? 0) !== minReady) {
      next.spec.minReadySeconds = minReady;
      replaceRS(ctx, await ctx.cluster.update(resources.replicasets, next, { fieldManager: COMPONENT }));
    }
    await setDeploymentRevision(ctx, ctx.newRS!.metadata.annotations?.[REVISION]);
    if (hasProgressDeadline(ctx.d) && !getCondition(ctx.d.status ?? {}, 'Progressing')) {
      ctx.d.status ??= {};
      setCondition(ctx.d.status, newCondition('Progressing', 'True', Reason.FoundNewReplicaSet, `Found new replica set "${existing.metadata.name}"`, ctx.now));
    }
    return;
  }
  if (!createIfMissing) return;

  const d = ctx.d;
  const hash = computePodTemplateHash(d.spec.template, d.status?.collisionCount);
  const template = structuredClone(d.spec.template ?? {});
  template.metadata ??= {};
  template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const rs: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      ownerReferences: [newControllerRef(d)],
    },
    spec: { replicas: 0, minReadySeconds: minReadySeconds(d), selector, template },
  };
  rs.spec.replicas = newRSNewReplicas(d, [...ctx.oldRSs, rs], rs);
  setNewReplicaSetAnnotations(d, rs, newRevision, false, desired, max);

  let created: KubeObject;
  let alreadyExisted = false;
  try {
    created = await ctx.cluster.create(resources.replicasets, rs);
  } catch (err: any) {
    if (err?.reason !== 'AlreadyExists') {
      if (hasProgressDeadline(d)) {
        ctx.d.status ??= {};
        setCondition(ctx.d.status, newCondition('Progressing', 'False', Reason.FailedReplicaSetCreate, String(err?.message ?? err), ctx.now));
        ctx.statusMode = 'sync';
      }
      throw err;
    }
    const other = await ctx.cluster.get(resources.replicasets, d.metadata.namespace, String(rs.metadata.name));
    if (!isControlledBy(other, d) || !equalIgnoreHash(other.spec?.template, d.spec.template)) {
      // A different template hashed to the same name: change the hash input and try again.
      ctx.d.status ??= {};
      ctx.d.status.collisionCount = (ctx.d.status.collisionCount ?? 0) + 1;
      ctx.statusMode = 'sync';
      throw new Error(`hash collision for ReplicaSet ${rs.metadata.name}; collisionCount is now ${ctx.d.status.collisionCount}`);
    }
    created = other;
    alreadyExisted = true;
  }
  replaceRS(ctx, created);
  ctx.newRS = created;
  if (!alreadyExisted && (created.spec?.replicas ?? 0) > 0) {
    await recordEvent(ctx.cluster, d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${created.spec.replicas}`, COMPONENT);
  }
  await setDeploymentRevision(ctx, String(newRevision));
  if (!alreadyExisted && hasProgressDeadline(d)) {
    ctx.d.status ??= {};
    setCondition(ctx.d.status, newCondition('Progressing', 'True', Reason.NewReplicaSetCreated, `Created new replica set "${created.metadata.name}"`, ctx.now));
  }
}

/** Writes the revision annotation onto the Deployment itself (deploymentutil.SetDeploymentRevision). */
async function setDeploymentRevision(ctx: DeploymentCtx, revision: string | undefined): Promise<void> {
  if (revision === undefined || ctx.d.metadata.annotations?.[REVISION] === revision) return;
  const next = structuredClone(ctx.d);
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: revision };
  const status = ctx.d.status;
  ctx.d = await ctx.cluster.update(resources.deployments, next, { fieldManager: COMPONENT });
  // Keep conditions set earlier in this sync; the status is written at the end.
  ctx.d.status = status;
}
