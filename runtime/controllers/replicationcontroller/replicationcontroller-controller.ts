import type { KubeObject } from '../../kube/object.js';
import type { LabelSelector } from '../../kube/label-selector.js';
import { resources } from '../../resources/registry.js';
import type { RunningReconciler } from '../reconciler.js';
import { startReplicaSetController, type ReplicaKind, type ReplicaSetControllerOptions } from '../replicaset/replicaset-controller.js';

/** An RC's equality selector (`{app: web}`) as the LabelSelector the shared machinery reads; an empty map selects nothing. */
export function rcSelector(rc: KubeObject): LabelSelector | undefined {
  const selector = rc.spec?.selector as Record<string, string> | undefined;
  return selector && Object.keys(selector).length > 0 ? { matchLabels: selector } : undefined;
}

export const replicationControllerKind: ReplicaKind = {
  type: resources.replicationcontrollers,
  selectorOf: rcSelector,
  // The event source Kubernetes' RC manager gives the ReplicaSet machinery it wraps.
  component: 'replication-controller',
  countsTerminating: false,
};

/** Keeps spec.replicas pods of each ReplicationController running: the ReplicaSet controller over an equality selector. */
export function startReplicationControllerController(options: Omit<ReplicaSetControllerOptions, 'kind'>): Promise<RunningReconciler> {
  return startReplicaSetController({ ...options, kind: replicationControllerKind });
}
