import type { Cluster } from '../../objects/cluster.js';
import { recordEvent } from '../../objects/record-event.js';
import type { KubeObject, WatchEvent } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { claimChildren } from '../claim-children.js';
import { controllerRefOf } from '../controller-ref.js';
import { selectorIsEmpty, selectorMatches } from '../../kube/label-selector.js';
import {
  done,
  next,
  requeueAfter,
  runSteps,
  splitKey,
  startReconciler,
  stop,
  type ReconcileResult,
  type ReconcilerLogger,
  type RunningReconciler,
  type Step,
} from '../reconciler.js';
import { getCondition, newCondition, Reason, setCondition } from './conditions.js';
import { COMPONENT, type DeploymentCtx } from './context.js';
import { hasProgressDeadline, isRollingUpdate } from './deployment-spec.js';
import { syncRevision } from './new-replica-set.js';
import { forgetReplicaSetTemplateText } from './pod-template-hash.js';
import { isScalingEvent, rolloutRecreate, rolloutRolling, syncScale } from './rollout-strategies.js';
import { writeDeploymentStatus, writeObservedGeneration } from './status-writer.js';

export interface DeploymentControllerOptions {
  cluster: Cluster;
  /** @defaultValue the reconcilers' default logger */
  logger?: ReconcilerLogger;
  /** @defaultValue 4 */
  concurrency?: number;
}

/** Rolls Deployments out through ReplicaSets as Kubernetes' deployment controller does. */
export function startDeploymentController(options: DeploymentControllerOptions): Promise<RunningReconciler> {
  const { cluster } = options;
  // RS key → owning Deployment key, so a deleted pod (Recreate waits for them) can wake its Deployment.
  const rsOwner = new Map<string, string>();
  return startReconciler({
    name: COMPONENT,
    cluster,
    primary: resources.deployments,
    logger: options.logger,
    concurrency: options.concurrency,
    reconcile: (key) => reconcileDeployment(cluster, key, rsOwner),
    watches: [
      { type: resources.replicasets, keysFor: (e) => replicaSetKeys(cluster, rsOwner, e) },
      { type: resources.pods, keysFor: (e) => podKeys(rsOwner, e) },
    ],
  });
}

async function replicaSetKeys(cluster: Cluster, rsOwner: Map<string, string>, e: WatchEvent): Promise<string[]> {
  const rs = e.object;
  if (e.type === 'DELETED') forgetReplicaSetTemplateText(rs.metadata.uid);
  const ns = rs.metadata.namespace;
  const rsKey = `${ns}/${rs.metadata.name}`;
  const ref = controllerRefOf(rs);
  if (ref) {
    if (ref.kind !== 'Deployment') return [];
    const key = `${ns}/${ref.name}`;
    if (e.type === 'DELETED') rsOwner.delete(rsKey);
    else rsOwner.set(rsKey, key);
    return [key];
  }
  rsOwner.delete(rsKey);
  if (e.type === 'DELETED') return [];
  const ds = await cluster.list(resources.deployments, { namespace: ns });
  return ds.items
    .filter((d) => !selectorIsEmpty(d.spec?.selector) && selectorMatches(d.spec.selector, rs.metadata.labels))
    .map((d) => `${ns}/${d.metadata.name}`);
}

function podKeys(rsOwner: Map<string, string>, e: WatchEvent): string[] {
  if (e.type !== 'DELETED') return [];
  const ref = controllerRefOf(e.object);
  if (ref?.kind !== 'ReplicaSet') return [];
  const key = rsOwner.get(`${e.object.metadata.namespace}/${ref.name}`);
  return key ? [key] : [];
}

export async function reconcileDeployment(cluster: Cluster, key: string, rsOwner?: Map<string, string>): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  let d: KubeObject;
  try {
    d = await cluster.get(resources.deployments, namespace, name);
  } catch (err: any) {
    if (err?.code === 404) return done;
    throw err;
  }
  const ctx: DeploymentCtx = {
    cluster,
    now: new Date(),
    d,
    observedStatus: structuredClone(d.status ?? {}),
    rss: [],
    oldRSs: [],
  };
  let result: ReconcileResult = done;
  try {
    result = await runSteps(steps, ctx, d);
  } finally {
    // Known owners let pod deletions wake this Deployment even before any RS event after a restart.
    for (const rs of ctx.rss) rsOwner?.set(`${namespace}/${rs.metadata.name}`, key);
    if (ctx.statusMode) {
      const deadlineMs = await writeDeploymentStatus(ctx);
      if (deadlineMs !== undefined) result = requeueAfter(Math.min(result.requeueAfterMs ?? Infinity, deadlineMs));
    }
  }
  return result;
}

/** Kubernetes refuses to act on a Deployment that selects every pod. */
const refuseEmptySelector: Step<DeploymentCtx, KubeObject> = async (ctx, d) => {
  if (!selectorIsEmpty(d.spec?.selector)) return next;
  await recordEvent(ctx.cluster, d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.', COMPONENT);
  await writeObservedGeneration(ctx);
  return stop();
};

/** Adopt matching orphan RSs, release ones that no longer match. */
const claimReplicaSets: Step<DeploymentCtx, KubeObject> = async (ctx, d) => {
  const listed = await ctx.cluster.list(resources.replicasets, { namespace: d.metadata.namespace });
  ctx.rss = await claimChildren(ctx.cluster, resources.replicasets, d, d.spec.selector, listed.items);
  return next;
};

/** A Deployment being deleted only reports status; the garbage collector removes its RSs. */
const handleDeletion: Step<DeploymentCtx, KubeObject> = async (ctx, d) => {
  if (!d.metadata.deletionTimestamp) return next;
  ctx.statusMode = 'sync';
  await syncRevision(ctx, false);
  return stop();
};

/** Progressing=Unknown with DeploymentPaused / DeploymentResumed, so the deadline does not run while paused. */
const pausedConditions: Step<DeploymentCtx, KubeObject> = async (ctx) => {
  const d = ctx.d;
  if (!hasProgressDeadline(d)) return next;
  d.status ??= {};
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === Reason.ProgressDeadlineExceeded) return next;
  const pausedShown = cond?.reason === Reason.DeploymentPaused;
  if (d.spec?.paused && !pausedShown) {
    setCondition(d.status, newCondition('Progressing', 'Unknown', Reason.DeploymentPaused, 'Deployment is paused', ctx.now));
    ctx.statusMode ??= 'sync';
  } else if (!d.spec?.paused && pausedShown) {
    setCondition(d.status, newCondition('Progressing', 'Unknown', Reason.DeploymentResumed, 'Deployment is resumed', ctx.now));
    ctx.statusMode ??= 'sync';
  }
  return next;
};

/** Paused: scale only, no rollout. A changed spec.replicas: scale proportionally, no rollout step. */
const scaleWhenPausedOrScaled: Step<DeploymentCtx, KubeObject> = async (ctx) => {
  if (ctx.d.spec?.paused || (await isScalingEvent(ctx))) return syncScale(ctx);
  return next;
};

const rollout: Step<DeploymentCtx, KubeObject> = async (ctx) =>
  isRollingUpdate(ctx.d) ? rolloutRolling(ctx) : rolloutRecreate(ctx);

const steps = [refuseEmptySelector, claimReplicaSets, handleDeletion, pausedConditions, scaleWhenPausedOrScaled, rollout];
