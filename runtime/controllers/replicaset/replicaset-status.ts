import type { KubeObject } from '../../kube/object.js';
import { isPodReady, podAvailability } from '../pod-conditions.js';

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  /** Pods being deleted, not yet gone (Kubernetes 1.33+'s terminatingReplicas). */
  terminatingReplicas?: number;
  observedGeneration?: number;
  conditions?: Array<{ type: string; status: string; lastTransitionTime: string; reason: string; message: string }>;
  [field: string]: unknown;
}

/**
 * Status from the active pods the RS owns and the count of its terminating ones
 * (replica_set_utils' calculateStatus),
 * and when a ready pod will turn available (minReadySeconds), so the
 * controller can look again then.
 */
export function calculateReplicaSetStatus(
  rs: KubeObject,
  pods: KubeObject[],
  terminating: number,
  manageError: unknown,
  now: Date,
): { status: ReplicaSetStatus; availableInMs?: number } {
  const templateLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  let availableInMs: number | undefined;
  for (const pod of pods) {
    const labels = pod.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (!isPodReady(pod)) continue;
    ready++;
    const a = podAvailability(pod, minReady, now.getTime());
    if (a.available) available++;
    else if (a.inMs !== undefined) availableInMs = Math.min(availableInMs ?? Infinity, a.inMs);
  }
  const status: ReplicaSetStatus = {
    ...(rs.status ?? {}),
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    terminatingReplicas: terminating,
    observedGeneration: rs.metadata.generation,
  };
  // As Kubernetes serializes it: replicas always, the other counts only when non-zero.
  for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'terminatingReplicas'] as const) if (status[k] === 0) delete status[k];
  const failure = status.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (manageError !== undefined && !failure) {
    const creating = (manageError as { action?: string }).action !== 'delete';
    status.conditions = [
      ...(status.conditions ?? []),
      {
        type: 'ReplicaFailure',
        status: 'True',
        lastTransitionTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        reason: creating ? 'FailedCreate' : 'FailedDelete',
        message: manageError instanceof Error ? manageError.message : String(manageError),
      },
    ];
  } else if (manageError === undefined && failure) {
    status.conditions = status.conditions!.filter((c) => c.type !== 'ReplicaFailure');
    if (status.conditions.length === 0) delete status.conditions;
  }
  return { status, availableInMs };
}
