import { isClusterScoped } from '../kube/cluster-scoped.js';

/**
 * The resources the built-in runtime serves: one entry each, the single source
 * for discovery, routing, OpenAPI trimming and the in-process client.
 */
export interface ResourceType {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Lower-case plural used in URLs, e.g. `deployments`. */
  plural: string;
  singular: string;
  shortNames: string[];
  /** false for the kinds in runtime/kube/cluster-scoped.ts, which decides scope for every part of baton. */
  namespaced: boolean;
  /** Subresources served beside the resource. */
  /** exec, attach and portforward are served as upgraded streams (runtime/api/streaming). */
  subresources: Array<'status' | 'scale' | 'log' | 'exec' | 'attach' | 'portforward' | 'eviction' | 'token'>;
  /** Kubernetes' discovery categories (`kubectl get all`). */
  categories: string[];
  /** true when the object has a spec whose changes bump metadata.generation. */
  hasGeneration: boolean;
  /** Set on custom resources: the name of the CustomResourceDefinition that serves them (runtime/api/extension). */
  crd?: string;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
export const resourceVerbs: readonly string[] = VERBS;

function r(def: Omit<ResourceType, 'listKind' | 'singular' | 'namespaced' | 'categories' | 'subresources' | 'hasGeneration'> &
  Partial<Pick<ResourceType, 'categories' | 'subresources' | 'hasGeneration'>>): ResourceType {
  return {
    listKind: `${def.kind}List`,
    singular: def.kind.toLowerCase(),
    namespaced: !isClusterScoped(def.kind),
    categories: [],
    subresources: [],
    hasGeneration: false,
    ...def,
  };
}

export const resources = {
  namespaces: r({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', shortNames: ['ns'], subresources: ['status'] }),
  nodes: r({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', shortNames: ['no'], subresources: ['status'] }),
  pods: r({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', shortNames: ['po'], subresources: ['status', 'log', 'exec', 'attach', 'portforward', 'eviction'], categories: ['all'] }),
  services: r({ group: '', version: 'v1', kind: 'Service', plural: 'services', shortNames: ['svc'], subresources: ['status'], categories: ['all'] }),
  endpoints: r({ group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'] }),
  configmaps: r({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'] }),
  secrets: r({ group: '', version: 'v1', kind: 'Secret', plural: 'secrets', shortNames: [] }),
  serviceaccounts: r({ group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', shortNames: ['sa'], subresources: ['token'] }),
  events: r({ group: '', version: 'v1', kind: 'Event', plural: 'events', shortNames: ['ev'] }),
  resourcequotas: r({ group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', shortNames: ['quota'], subresources: ['status'] }),
  limitranges: r({ group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', shortNames: ['limits'] }),
  deployments: r({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], subresources: ['status', 'scale'], categories: ['all'], hasGeneration: true }),
  replicasets: r({ group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', shortNames: ['rs'], subresources: ['status', 'scale'], categories: ['all'], hasGeneration: true }),
  replicationcontrollers: r({ group: '', version: 'v1', kind: 'ReplicationController', plural: 'replicationcontrollers', shortNames: ['rc'], subresources: ['status', 'scale'], categories: ['all'], hasGeneration: true }),
  daemonsets: r({ group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', shortNames: ['ds'], subresources: ['status'], categories: ['all'], hasGeneration: true }),
  poddisruptionbudgets: r({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', shortNames: ['pdb'], subresources: ['status'], hasGeneration: true }),
  jobs: r({ group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', shortNames: [], subresources: ['status'], categories: ['all'], hasGeneration: true }),
  persistentvolumes: r({ group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', shortNames: ['pv'], subresources: ['status'] }),
  persistentvolumeclaims: r({ group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', shortNames: ['pvc'], subresources: ['status'] }),
  controllerrevisions: r({ group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', shortNames: [] }),
  statefulsets: r({ group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', shortNames: ['sts'], subresources: ['status', 'scale'], categories: ['all'], hasGeneration: true }),
  storageclasses: r({ group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', shortNames: ['sc'] }),
  cronjobs: r({ group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', shortNames: ['cj'], subresources: ['status'], categories: ['all'], hasGeneration: true }),
  horizontalpodautoscalers: r({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', shortNames: ['hpa'], subresources: ['status'], categories: ['all'], hasGeneration: true }),
  priorityclasses: r({ group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', shortNames: ['pc'] }),
  leases: r({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', shortNames: [] }),
  runtimeclasses: r({ group: 'node.k8s.io', version: 'v1', kind: 'RuntimeClass', plural: 'runtimeclasses', shortNames: [] }),
  ingresses: r({ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], subresources: ['status'], hasGeneration: true }),
  ingressclasses: r({ group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', shortNames: [], hasGeneration: true }),
  customresourcedefinitions: r({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', shortNames: ['crd', 'crds'], subresources: ['status'], categories: ['api-extensions'], hasGeneration: true }),
  networkpolicies: r({ group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', shortNames: ['netpol'], hasGeneration: true }),
  roles: r({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', shortNames: [] }),
  clusterroles: r({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', shortNames: [] }),
  rolebindings: r({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', shortNames: [] }),
  clusterrolebindings: r({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', shortNames: [] }),
} satisfies Record<string, ResourceType>;

export type ResourceName = keyof typeof resources;

/** The built-in kinds, then the custom resources of established CRDs (added and removed by runtime/api/extension). */
/**
 * autoscaling/v1's view of HorizontalPodAutoscalers (`kubectl autoscale` writes it): the same stored
 * objects as `resources.horizontalpodautoscalers`, converted on the way (runtime/api/conversion).
 * Listed after v2, so discovery prefers v2, as Kubernetes does.
 */
export const horizontalPodAutoscalersV1: ResourceType = r({ group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', shortNames: ['hpa'], subresources: ['status'], categories: ['all'], hasGeneration: true });

const served: ResourceType[] = [...Object.values(resources), horizontalPodAutoscalersV1];
export const allResources: readonly ResourceType[] = served;

/** Serves `types` for the CustomResourceDefinition `crd`, in place of what it served before (none: it serves nothing now). */
export function serveCustomResources(crd: string, types: ResourceType[]): void {
  for (let i = served.length - 1; i >= 0; i--) if (served[i].crd === crd) served.splice(i, 1);
  served.push(...types.map((t) => ({ ...t, crd })));
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** `deployments.apps`, or `pods` for the core group: the name used in Status messages. */
export function qualifiedName(t: ResourceType): string {
  return t.group ? `${t.plural}.${t.group}` : t.plural;
}

export function findByPlural(group: string, version: string, plural: string): ResourceType | undefined {
  return allResources.find((t) => t.group === group && t.version === version && t.plural === plural);
}

export function findByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return allResources.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}

/** API groups other than core, with their versions, for `/apis`. */
export function apiGroups(): Array<{ name: string; versions: string[] }> {
  const groups = new Map<string, Set<string>>();
  for (const t of allResources) {
    if (!t.group) continue;
    if (!groups.has(t.group)) groups.set(t.group, new Set());
    groups.get(t.group)!.add(t.version);
  }
  return [...groups].map(([name, versions]) => ({ name, versions: [...versions] }));
}
