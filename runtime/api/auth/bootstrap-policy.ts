import type { Cluster } from '../../objects/cluster.js';
import { getIfExists } from '../../objects/get-if-exists.js';
import type { KubeObject } from '../../kube/object.js';
import { resources, type ResourceType } from '../../resources/registry.js';
import type { PolicyRule } from './rbac-rules.js';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const meta = (name: string) => ({
  name,
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
});
const rule = (verbs: string[], apiGroups: string[], list: string[]): PolicyRule => ({ verbs, apiGroups, resources: list });

/** What `view` aggregates in Kubernetes (bootstrappolicy's viewRules plus metrics' aggregated reader), for the groups served. */
const VIEW: PolicyRule[] = [
  rule(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
  rule(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
  rule(READ, ['metrics.k8s.io'], ['pods', 'nodes']),
];

/** What `edit` adds to view: writing workloads, Secrets and ServiceAccount tokens (no Roles or bindings). */
const EDIT_OWN: PolicyRule[] = [
  rule(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  rule(['create'], [''], ['pods/eviction']),
  rule(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule([...READ, ...WRITE], ['coordination.k8s.io'], ['leases']),
];

/** What `admin` adds to edit: Roles and RoleBindings within a namespace. */
const ADMIN_OWN: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule([...READ, ...WRITE], ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
];

const AGGREGATE_TO = (role: string) => `rbac.authorization.k8s.io/aggregate-to-${role}`;
const aggregating = (role: string) => ({ clusterRoleSelectors: [{ matchLabels: { [AGGREGATE_TO(role)]: 'true' } }] });
const labelled = (name: string, into: string) => {
  const m = meta(name);
  return { ...m, labels: { ...m.labels, [AGGREGATE_TO(into)]: 'true' } };
};

/**
 * admin, edit and view aggregate as in Kubernetes: each gathers the ClusterRoles labelled
 * `aggregate-to-<it>` (a chart's CRD roles among them), `edit` is labelled into admin, `view`
 * into edit. Their rules are written out as the aggregation controller computes them (roles by
 * name, each rule once), so they hold from the first request.
 */
const VIEW_ROLE = { metadata: labelled('view', 'edit'), aggregationRule: aggregating('view'), rules: VIEW };
const EDIT_ROLE = { metadata: labelled('edit', 'admin'), aggregationRule: aggregating('edit'), rules: [...EDIT_OWN, ...VIEW] };
const ADMIN_ROLE = { metadata: meta('admin'), aggregationRule: aggregating('admin'), rules: [...EDIT_ROLE.rules, ...ADMIN_OWN] };

const CLUSTER_ROLES: KubeObject[] = [
  { metadata: meta('cluster-admin'), rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }] },
  ADMIN_ROLE,
  EDIT_ROLE,
  VIEW_ROLE,
  { metadata: labelled('system:aggregate-to-admin', 'admin'), rules: ADMIN_OWN },
  { metadata: labelled('system:aggregate-to-edit', 'edit'), rules: EDIT_OWN },
  { metadata: labelled('system:aggregate-to-view', 'view'), rules: VIEW },
  {
    metadata: meta('system:discovery'),
    rules: [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'] }],
  },
  {
    metadata: meta('system:basic-user'),
    rules: [rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']), rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'])],
  },
  { metadata: meta('system:public-info-viewer'), rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] }] },
].map((o) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', ...o }));

const group = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });
const binding = (name: string, groups: string[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: meta(name),
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
  subjects: groups.map(group),
});

const CLUSTER_ROLE_BINDINGS: KubeObject[] = [
  binding('cluster-admin', ['system:masters']),
  binding('system:discovery', ['system:authenticated']),
  binding('system:basic-user', ['system:authenticated']),
  binding('system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
];

async function ensure(cluster: Cluster, type: ResourceType, objects: KubeObject[]): Promise<void> {
  for (const obj of objects) {
    const live = await getIfExists(cluster, type, undefined, obj.metadata.name!);
    if (live) {
      await aggregateOnUpgrade(cluster, type, live, obj);
      continue;
    }
    await cluster.create(type, structuredClone(obj)).catch((err: { code?: unknown }) => {
      if (err.code !== 409) throw err;
    });
  }
}

/**
 * A state dir from before aggregation has admin, edit and view written out flat: as kube-apiserver's
 * reconciliation does for a role still marked `autoupdate`, it gains its aggregation rule and labels
 * (the aggregation controller then fills its rules). A role the user took over is left alone.
 */
async function aggregateOnUpgrade(cluster: Cluster, type: ResourceType, live: KubeObject, wanted: KubeObject): Promise<void> {
  if (!wanted.aggregationRule || live.aggregationRule || live.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'] !== 'true') return;
  const updated = { ...live, metadata: { ...live.metadata, labels: { ...live.metadata.labels, ...wanted.metadata.labels } }, aggregationRule: structuredClone(wanted.aggregationRule) };
  await cluster.update(type, updated).catch((err: { code?: unknown }) => {
    // Changed meanwhile: the next start looks again.
    if (err.code !== 409) throw err;
  });
}

/**
 * kube-apiserver's bootstrap policy: the user-facing ClusterRoles (aggregated,
 * their rules written out) and the bindings that let every
 * authenticated user discover the API and review itself. Made when missing,
 * so an edited one is left as the user keeps it.
 */
export async function ensureBootstrapPolicy(cluster: Cluster): Promise<void> {
  await ensure(cluster, resources.clusterroles, CLUSTER_ROLES);
  await ensure(cluster, resources.clusterrolebindings, CLUSTER_ROLE_BINDINGS);
}
