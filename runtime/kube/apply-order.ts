/**
 * Apply order, by kind: what others refer to goes first (Namespaces, then
 * what pods mount or run as, then Services so their variables exist before
 * pods start, then workloads, then whatever routes to them). Kinds not named
 * here (Ingress, custom resources…) go last. Helm's install order, with
 * CustomResourceDefinitions early so custom resources after them resolve.
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

/** The kind's place in apply order: lower goes first. */
export function applyRank(kind: string | undefined): number {
  return RANK[kind ?? ''] ?? OTHERS;
}
