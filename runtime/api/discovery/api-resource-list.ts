import { allResources, apiGroups, resourceVerbs, type ResourceType } from '../../resources/registry.js';
import { reviewApiGroups } from '../auth/review-discovery.js';
import { metricsApiGroup } from '../../metrics/metrics-api.js';

/** The Kubernetes version the runtime reports; kubectl 1.32 is the client it is tested with. */
export const SERVED_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-baton' };

export function versionInfo(): Record<string, unknown> {
  return {
    ...SERVED_VERSION,
    gitCommit: 'baton',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

function subresourceEntries(t: ResourceType): Record<string, unknown>[] {
  return t.subresources.map((sub) => {
    if (sub === 'scale') {
      return { name: `${t.plural}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    }
    if (sub === 'eviction') return { name: `${t.plural}/eviction`, singularName: '', namespaced: t.namespaced, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    if (sub === 'token') return { name: `${t.plural}/token`, singularName: '', namespaced: t.namespaced, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] };
    if (sub === 'log') return { name: `${t.plural}/log`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get'] };
    if (sub === 'exec' || sub === 'attach' || sub === 'portforward') {
      const kind = { exec: 'PodExecOptions', attach: 'PodAttachOptions', portforward: 'PodPortForwardOptions' }[sub];
      return { name: `${t.plural}/${sub}`, singularName: '', namespaced: t.namespaced, kind, verbs: ['create', 'get'] };
    }
    return { name: `${t.plural}/${sub}`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] };
  });
}

/** `APIResourceList` for one group/version, subresources included (`deployments/scale`). */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const types = allResources.filter((t) => t.group === group && t.version === version);
  const reviews = reviewApiGroups.find((g) => g.group === group && g.version === version);
  if (reviews) return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources: reviews.resources };
  if (types.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const t of types) {
    resources.push({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: [...resourceVerbs],
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length ? { categories: t.categories } : {}),
    });
    resources.push(...subresourceEntries(t));
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(name: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function apiGroupList(): Record<string, unknown> {
  // metrics.k8s.io is served beside the registry, read-only, as metrics-server's aggregated group is (runtime/metrics).
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...apiGroups().map((g) => apiGroup(g.name, g.versions)), metricsApiGroup(), ...reviewApiGroups.map((g) => apiGroup(g.group, [g.version]))] };
}

export function apiGroupInfo(name: string): Record<string, unknown> | undefined {
  const reviews = reviewApiGroups.find((g) => g.group === name);
  if (reviews) return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(reviews.group, [reviews.version]) };
  const found = apiGroups().find((g) => g.name === name);
  return found ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(found.name, found.versions) } : undefined;
}
