import { AppsV1Api } from '../../clusters/kube-client.js';
import type { V1ContainerState, V1Deployment, V1Endpoints, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import { bounded } from '../../clusters/bounded-request.js';
import type { ClusterTarget, ClusterTargets } from '../../clusters/cluster-target.js';
import { APP_LABEL, appSelector } from '../../apps/track-objects.js';
import type { AppStatus } from '../../state/app-status.js';
import type { AppResourceTree, ContainerNode, DeploymentNode, EndpointNode, PodNode, ReplicaSetNode, ServiceNode } from './contract-resource-tree.js';

export interface AppResourcesDeps {
  clusters: Pick<ClusterTargets, 'get'>;
}

const appsApis = new WeakMap<ClusterTarget, AppsV1Api>();

/**
 * A `resources` provider for the REST API: the app's Deployments (found by
 * baton's tracking labels) with their ReplicaSets and pods (by owner
 * reference), and its Services with their endpoints, read live from the app's
 * cluster.
 */
export function appResources(deps: AppResourcesDeps): (app: AppStatus) => Promise<AppResourceTree> {
  return async (app) => {
    const target = deps.clusters.get(app.cluster);
    let apps = appsApis.get(target);
    if (!apps) appsApis.set(target, (apps = target.kubeConfig.makeApiClient(AppsV1Api)));
    const namespace = app.namespace;
    const labelSelector = appSelector(app.name);
    const [deployments, services, replicaSets, pods] = await Promise.all([
      bounded(apps.listNamespacedDeployment({ namespace, labelSelector })),
      bounded(target.core.listNamespacedService({ namespace, labelSelector })),
      bounded(apps.listNamespacedReplicaSet({ namespace })),
      bounded(target.core.listNamespacedPod({ namespace })),
    ]);
    const endpoints = await Promise.all(
      services.items.map((s) => bounded(target.core.readNamespacedEndpoints({ name: s.metadata!.name!, namespace })).catch(() => undefined)),
    );

    const podsByOwner = groupByOwner(pods.items);
    const setsByOwner = groupByOwner(replicaSets.items);
    const owned = new Set<string>();
    const deploymentNodes = deployments.items.map((d) => {
      const sets = (setsByOwner.get(d.metadata!.uid!) ?? []).map((rs) => {
        const rsPods = podsByOwner.get(rs.metadata!.uid!) ?? [];
        for (const p of rsPods) owned.add(p.metadata!.uid!);
        return replicaSetNode(rs, rsPods);
      });
      sets.sort((a, b) => Number(b.revision ?? 0) - Number(a.revision ?? 0));
      return deploymentNode(d, sets);
    });
    const otherPods = pods.items.filter((p) => p.metadata?.labels?.[APP_LABEL] === app.name && !owned.has(p.metadata!.uid!)).map(podNode);
    return {
      app: app.name,
      namespace,
      cluster: app.cluster,
      deployments: byName(deploymentNodes),
      services: byName(services.items.map((s, i) => serviceNode(s, endpoints[i]))),
      otherPods: byName(otherPods),
      readAt: new Date().toISOString(),
    };
  };
}

function groupByOwner<T extends V1Pod | V1ReplicaSet>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const owner = item.metadata?.ownerReferences?.find((r) => r.controller) ?? item.metadata?.ownerReferences?.[0];
    if (!owner) continue;
    const group = groups.get(owner.uid);
    if (group) group.push(item);
    else groups.set(owner.uid, [item]);
  }
  return groups;
}

function deploymentNode(d: V1Deployment, replicaSets: ReplicaSetNode[]): DeploymentNode {
  return {
    name: d.metadata!.name!,
    replicas: d.spec?.replicas ?? 1,
    readyReplicas: d.status?.readyReplicas ?? 0,
    updatedReplicas: d.status?.updatedReplicas ?? 0,
    availableReplicas: d.status?.availableReplicas ?? 0,
    conditions: (d.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason ?? null, message: c.message ?? null })),
    replicaSets,
  };
}

function replicaSetNode(rs: V1ReplicaSet, pods: V1Pod[]): ReplicaSetNode {
  return {
    name: rs.metadata!.name!,
    revision: rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? null,
    replicas: rs.status?.replicas ?? 0,
    readyReplicas: rs.status?.readyReplicas ?? 0,
    images: (rs.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
    pods: byName(pods.map(podNode)),
  };
}

function podNode(p: V1Pod): PodNode {
  const statuses = p.status?.containerStatuses ?? [];
  const containers = (p.spec?.containers ?? []).map((c): ContainerNode => {
    const s = statuses.find((x) => x.name === c.name);
    return { name: c.name, image: c.image ?? '', ready: s?.ready ?? false, restarts: s?.restartCount ?? 0, state: containerState(s?.state) };
  });
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  const waiting = statuses.map((s) => s.state?.waiting ?? s.state?.terminated).find((w) => w?.reason);
  return {
    name: p.metadata!.name!,
    phase: p.status?.phase ?? 'Unknown',
    ready: ready?.status === 'True',
    restarts: containers.reduce((n, c) => n + c.restarts, 0),
    podIP: p.status?.podIP ?? null,
    createdAt: toIso(p.metadata?.creationTimestamp),
    reason: ready?.status === 'True' ? null : (ready?.message ?? waiting?.message ?? waiting?.reason ?? p.status?.reason ?? null),
    containers,
  };
}

function containerState(state: V1ContainerState | undefined): string {
  if (state?.running) return 'running';
  if (state?.waiting) return `waiting: ${state.waiting.reason ?? 'unknown'}`;
  if (state?.terminated) return `terminated: ${state.terminated.reason ?? 'unknown'} (exit ${state.terminated.exitCode})`;
  return 'unknown';
}

function serviceNode(s: V1Service, ep: V1Endpoints | undefined): ServiceNode {
  const endpoints: EndpointNode[] = [];
  for (const subset of ep?.subsets ?? []) {
    const ports = (subset.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`);
    for (const [list, ready] of [[subset.addresses, true], [subset.notReadyAddresses, false]] as const) {
      for (const a of list ?? []) endpoints.push({ ip: a.ip, pod: a.targetRef?.kind === 'Pod' ? (a.targetRef.name ?? null) : null, ready, ports });
    }
  }
  return {
    name: s.metadata!.name!,
    type: s.spec?.type ?? 'ClusterIP',
    clusterIP: s.spec?.clusterIP ?? null,
    ports: (s.spec?.ports ?? []).map((p) => `${p.port}→${p.targetPort ?? p.port}/${p.protocol ?? 'TCP'}`),
    endpoints: endpoints.sort((a, b) => (a.pod ?? a.ip).localeCompare(b.pod ?? b.ip)),
  };
}

function toIso(t: Date | string | undefined): string | null {
  if (!t) return null;
  return t instanceof Date ? t.toISOString() : new Date(t).toISOString();
}

function byName<T extends { name: string }>(items: T[]): T[] {
  return items.sort((a, b) => a.name.localeCompare(b.name));
}
