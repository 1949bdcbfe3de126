import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * Apply order, by kind: what others refer to goes first (Namespaces, then
 * what pods mount or run as, then Services so their variables exist before
 * pods start, then workloads, then whatever routes to them). Kinds not named
 * here (Ingress, custom resources…) go last.
 */
const RANK: Record<string, number> = {
  Namespace: 0,
  CustomResourceDefinition: 1,
  ResourceQuota: 2,
  LimitRange: 2,
  NetworkPolicy: 2,
  PodDisruptionBudget: 2,
  ServiceAccount: 2,
  Secret: 3,
  ConfigMap: 3,
  StorageClass: 4,
  PersistentVolume: 4,
  PersistentVolumeClaim: 4,
  ClusterRole: 5,
  ClusterRoleBinding: 5,
  Role: 5,
  RoleBinding: 5,
  Service: 6,
  Pod: 7,
  ReplicaSet: 7,
  Deployment: 7,
  StatefulSet: 7,
  DaemonSet: 7,
  Job: 7,
  CronJob: 7,
  HorizontalPodAutoscaler: 8,
};
const OTHERS = 9;

export function applyRank(kind: string | undefined): number {
  return RANK[kind ?? ''] ?? OTHERS;
}

/** The objects in apply order; stable, so objects of one rank keep the order they were rendered in. */
export function sortForApply<T extends KubernetesObject>(objects: readonly T[]): T[] {
  return objects
    .map((object, index) => ({ object, index, rank: applyRank(object.kind) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((e) => e.object);
}

/** Kinds that live outside namespaces; everything else is given the app's namespace when it names none. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'APIService',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'CSIDriver',
  'VolumeSnapshotClass',
]);

export function isClusterScoped(kind: string | undefined): boolean {
  return CLUSTER_SCOPED.has(kind ?? '');
}
