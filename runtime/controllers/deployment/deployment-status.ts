import type { KubeObject } from '../../kube/object.js';
import { getCondition, newCondition, Reason, setCondition, type DeploymentCondition } from './conditions.js';
import { desiredReplicas, hasProgressDeadline, maxUnavailable, progressDeadlineSeconds } from './deployment-spec.js';
import { sumSpecReplicas, sumStatus } from './replica-sets.js';

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  terminatingReplicas?: number;
  collisionCount?: number;
  conditions?: DeploymentCondition[];
}

/**
 * The status fields `kubectl rollout status` reads, summed over the
 * ReplicaSets, with the Available condition (sync.go's calculateStatus).
 */
export function calculateStatus(allRSs: KubeObject[], newRS: KubeObject | undefined, d: KubeObject, now: Date): DeploymentStatus {
  const available = sumStatus(allRSs, 'availableReplicas');
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: sumStatus(allRSs, 'replicas'),
    updatedReplicas: sumStatus([newRS], 'replicas'),
    readyReplicas: sumStatus(allRSs, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sumSpecReplicas(allRSs) - available),
    terminatingReplicas: sumStatus(allRSs, 'terminatingReplicas'),
  };
  // Kubernetes omits zero counts (omitempty); clients must read absence as 0 there too.
  for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'terminatingReplicas'] as const) {
    if (status[k] === 0) delete status[k];
  }
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  status.conditions = structuredClone(d.status?.conditions ?? []);
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', Reason.MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', Reason.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** Every replica updated and available, and the latest spec observed (deploymentutil.DeploymentComplete). */
export function deploymentComplete(d: KubeObject, s: DeploymentStatus): boolean {
  const desired = desiredReplicas(d);
  return (
    (s.updatedReplicas ?? 0) === desired &&
    (s.replicas ?? 0) === desired &&
    (s.availableReplicas ?? 0) === desired &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** More updated, fewer old, more ready or more available pods than the recorded status (DeploymentProgressing). */
export function deploymentProgressing(d: KubeObject, s: DeploymentStatus): boolean {
  const old: DeploymentStatus = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** No progress for progressDeadlineSeconds since the Progressing condition last moved (DeploymentTimedOut). */
export function deploymentTimedOut(d: KubeObject, s: DeploymentStatus, now: Date): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === Reason.NewReplicaSetAvailable) return false;
  if (c.reason === Reason.ProgressDeadlineExceeded) return true;
  return Date.parse(c.lastUpdateTime) + progressDeadlineSeconds(d) * 1000 < now.getTime();
}

/**
 * The Progressing condition after this sync (sync.go's syncRolloutStatus):
 * complete, still progressing (lastUpdateTime moves, so the deadline restarts),
 * or timed out. Mutates `s`.
 */
export function updateProgressing(d: KubeObject, s: DeploymentStatus, newRS: KubeObject | undefined, now: Date): void {
  if (!hasProgressDeadline(d)) {
    s.conditions = (s.conditions ?? []).filter((c) => c.type !== 'Progressing');
    return;
  }
  const current = getCondition(s, 'Progressing');
  const complete = s.replicas === s.updatedReplicas && current?.reason === Reason.NewReplicaSetAvailable;
  if (complete) return;
  const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
  if (deploymentComplete(d, s)) {
    setCondition(s, newCondition('Progressing', 'True', Reason.NewReplicaSetAvailable, `${subject} has successfully progressed.`, now));
  } else if (deploymentProgressing(d, s)) {
    const c = newCondition('Progressing', 'True', Reason.ReplicaSetUpdated, `${subject} is progressing.`, now);
    if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
    s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== 'Progressing'), c];
  } else if (deploymentTimedOut(d, s, now)) {
    setCondition(s, newCondition('Progressing', 'False', Reason.ProgressDeadlineExceeded, `${subject} has timed out progressing.`, now));
  }
}

/** When to look again so the deadline is noticed even if nothing else happens (requeueStuckDeployment); undefined for never. */
export function stuckRequeueMs(d: KubeObject, s: DeploymentStatus, now: Date): number | undefined {
  const c = getCondition(s, 'Progressing');
  if (!hasProgressDeadline(d) || !c || deploymentComplete(d, s) || c.reason === Reason.ProgressDeadlineExceeded) return undefined;
  const after = Date.parse(c.lastUpdateTime) + progressDeadlineSeconds(d) * 1000 - now.getTime();
  // Condition times have second precision; come back just past the deadline.
  return Math.max(0, after) + 1000;
}
