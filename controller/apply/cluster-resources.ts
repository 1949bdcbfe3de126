import type { KubeObject } from '../../runtime/kube/object.js';

/** Namespaces that belong to the cluster itself, never to an app unless it says `allowClusterResources: true`. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

/** What an app may write, as far as the cluster's own resources go. */
export interface ClusterResourceApp {
  namespace: string;
  /** @defaultValue false */
  allowClusterResources?: boolean;
}

const HOW = 'set allowClusterResources: true for the app in baton.yaml to allow it';

/**
 * Why the app may not write `object`, or undefined when it may. As an Argo CD
 * AppProject with an empty `clusterResourceWhitelist` (every namespaced kind
 * allowed, every cluster-scoped kind denied), except that an app may create
 * its own namespaces: the one it syncs into and those its namespaced objects
 * live in. The system namespaces are off limits either way.
 * `clusterScoped` is the kind's scope as the cluster (or baton's table) says.
 */
export function clusterResourceRefusal(object: KubeObject, clusterScoped: boolean, app: ClusterResourceApp, ownNamespaces: ReadonlySet<string>): string | undefined {
  if (app.allowClusterResources) return undefined;
  const { kind, metadata } = object;
  if (kind === 'Namespace') {
    const name = metadata.name ?? '';
    if (SYSTEM_NAMESPACES.has(name)) return `is off limits: namespace ${name} belongs to the cluster (${HOW})`;
    if (ownNamespaces.has(name)) return undefined;
    return `is off limits: the app neither syncs into it nor puts any of its objects in it (${HOW})`;
  }
  if (clusterScoped) return `is off limits: ${kind} is cluster-scoped (${HOW})`;
  const namespace = metadata.namespace ?? app.namespace;
  if (SYSTEM_NAMESPACES.has(namespace)) return `is off limits: namespace ${namespace} belongs to the cluster (${HOW})`;
  return undefined;
}

/** The namespaces an app may create: the one it syncs into and those its namespaced objects live in. */
export function ownNamespaces(objects: readonly KubeObject[], app: ClusterResourceApp, isClusterScoped: (o: KubeObject) => boolean): Set<string> {
  const own = new Set([app.namespace]);
  for (const o of objects) if (o.kind !== 'Namespace' && !isClusterScoped(o) && o.metadata.namespace) own.add(o.metadata.namespace);
  return own;
}
