import type { KubeObject } from '../../kube/object.js';
import { isPodReady, isPodTerminal, podAvailability } from '../pod-conditions.js';
import { ordinalOf, REVISION_LABEL } from './stateful-pods.js';

/** What one pass of the StatefulSet controller does, in order: create, then delete. */
export interface StatefulSetPlan {
  /** Ordinals whose pod (and claims) to make, ascending. */
  create: number[];
  /** Pods to delete: failed ones to replace, condemned ones (scale down, highest first), outdated ones (rolling update). */
  remove: KubeObject[];
  /** Pods whose ordinal is out of range, highest first (their claims follow whenScaled). */
  condemned: KubeObject[];
  status: Record<string, unknown>;
  /** When a ready pod turns available (minReadySeconds), the pass to look again. */
  requeueAfterMs?: number;
}

export interface Revisions {
  /** The revision the pods of ordinals below the partition keep (status.currentRevision). */
  current: string;
  /** The revision of the set's template now. */
  update: string;
}

const revisionOf = (pod: KubeObject) => pod.metadata.labels?.[REVISION_LABEL];
const deleting = (pod: KubeObject) => Boolean(pod.metadata.deletionTimestamp);
/** isRunningAndReady: what OrderedReady waits for before the next ordinal. */
export const runningAndReady = (pod: KubeObject) => pod.status?.phase === 'Running' && isPodReady(pod);

/** The ordinals the set should have: `[start, start + replicas)` (spec.ordinals.start, default 0). */
export function ordinalRange(set: KubeObject): { start: number; end: number } {
  const start = Number(set.spec?.ordinals?.start ?? 0);
  return { start, end: start + Number(set.spec?.replicas ?? 1) };
}

/**
 * One pass of Kubernetes' StatefulSet control (updateStatefulSet): with
 * OrderedReady, create the lowest missing ordinal only once every lower one
 * is Running and Ready, and remove condemned pods one at a time from the
 * highest, only while all others are healthy; with Parallel, do all of it at
 * once. Then, with RollingUpdate and nothing else to do, delete the highest
 * outdated pod at or above the partition, only when every higher one is
 * updated and ready. Failed pods are deleted to be recreated.
 */
export function planStatefulSet(set: KubeObject, pods: readonly KubeObject[], revisions: Revisions, now = Date.now()): StatefulSetPlan {
  const setName = String(set.metadata.name);
  const { start, end } = ordinalRange(set);
  const parallel = set.spec?.podManagementPolicy === 'Parallel';
  const byOrdinal = new Map<number, KubeObject>();
  const condemned: KubeObject[] = [];
  for (const pod of pods) {
    const ordinal = ordinalOf(setName, pod);
    if (ordinal === undefined) continue;
    if (ordinal >= start && ordinal < end) byOrdinal.set(ordinal, pod);
    else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(setName, b)! - ordinalOf(setName, a)!);
  const plan: StatefulSetPlan = { create: [], remove: [], condemned, status: statusOf(set, pods, revisions, now) };
  const minReady = Number(set.spec?.minReadySeconds ?? 0);
  // isRunningAndAvailable: Running, Ready, and Ready for minReadySeconds.
  const available = (pod: KubeObject): boolean => {
    if (!runningAndReady(pod)) return false;
    const a = podAvailability(pod, minReady, now);
    if (a.inMs !== undefined) plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, a.inMs);
    return a.available;
  };

  const unhealthy = [...byOrdinal.values(), ...condemned].filter((p) => !available(p) || deleting(p));
  let blocked = false;
  for (let ordinal = start; ordinal < end && !blocked; ordinal++) {
    const pod = byOrdinal.get(ordinal);
    if (!pod) {
      plan.create.push(ordinal);
      blocked = !parallel;
    } else if (isPodTerminal(pod) && !deleting(pod)) {
      plan.remove.push(pod);
      blocked = !parallel;
    } else if (!available(pod) || deleting(pod)) {
      blocked = !parallel;
    }
  }
  for (const pod of condemned) {
    if (blocked) break;
    if (deleting(pod)) {
      blocked = !parallel;
      continue;
    }
    if (!parallel && unhealthy.some((p) => p !== pod)) {
      blocked = true;
      break;
    }
    plan.remove.push(pod);
    blocked = !parallel;
  }
  if (blocked || plan.create.length || plan.remove.length || condemned.length) return plan;
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return plan;
  const partition = Number(set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0);
  for (let ordinal = end - 1; ordinal >= Math.max(start, partition); ordinal--) {
    const pod = byOrdinal.get(ordinal)!;
    if (revisionOf(pod) !== revisions.update) {
      if (!deleting(pod)) plan.remove.push(pod);
      break;
    }
    if (!available(pod)) break;
  }
  return plan;
}

/**
 * The set's status from its pods (not counting terminating ones as
 * replicas); currentRevision moves to updateRevision once every pod is
 * updated and ready, as completeRollingUpdate does.
 */
export function statusOf(set: KubeObject, pods: readonly KubeObject[], revisions: Revisions, now = Date.now()): Record<string, unknown> {
  const live = pods.filter((p) => !deleting(p) && !isPodTerminal(p));
  const ready = live.filter(runningAndReady).length;
  const minReady = Number(set.spec?.minReadySeconds ?? 0);
  const available = live.filter((p) => runningAndReady(p) && podAvailability(p, minReady, now).available).length;
  let current = revisions.current;
  const replicas = Number(set.spec?.replicas ?? 1);
  const updated = live.filter((p) => revisionOf(p) === revisions.update).length;
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && updated === replicas && ready === replicas && live.length === replicas) current = revisions.update;
  const status: Record<string, unknown> = {
    observedGeneration: set.metadata.generation,
    replicas: live.length,
    readyReplicas: ready,
    currentReplicas: live.filter((p) => revisionOf(p) === current).length,
    updatedReplicas: updated,
    availableReplicas: available,
    currentRevision: current,
    updateRevision: revisions.update,
    collisionCount: set.status?.collisionCount ?? 0,
  };
  // Zero counts of omitempty fields are left out, as Kubernetes serializes them.
  for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas'] as const) if (status[k] === 0) delete status[k];
  return status;
}
