/** Collection path of a workload kind in a namespace, for watching it. */
const PLURALS: Record<string, { prefix: string; plural: string }> = {
  Deployment: { prefix: '/apis/apps/v1', plural: 'deployments' },
  StatefulSet: { prefix: '/apis/apps/v1', plural: 'statefulsets' },
  DaemonSet: { prefix: '/apis/apps/v1', plural: 'daemonsets' },
  ReplicaSet: { prefix: '/apis/apps/v1', plural: 'replicasets' },
  Pod: { prefix: '/api/v1', plural: 'pods' },
};

export function workloadPath(ref: { kind: string; namespace: string }): string {
  const p = PLURALS[ref.kind];
  if (!p) throw new Error(`${ref.kind} is not a workload kind the health gate watches`);
  return `${p.prefix}/namespaces/${encodeURIComponent(ref.namespace)}/${p.plural}`;
}
