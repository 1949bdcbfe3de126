/**
 * Patch metadata of the served kinds: the `patchStrategy` / `patchMergeKey`
 * struct tags of k8s.io/api (what strategic merge patch reads) and the
 * `listType` / `structType` / `mapType` markers (what server-side apply reads).
 *
 * Paths are field names joined by `.`, with `[]` for "any item of this list",
 * e.g. `spec.containers[].env`. A list that is not in the table is atomic:
 * a patch replaces it whole, as Kubernetes does for untagged lists.
 */
export interface FieldMeta {
  /**
   * `map`: an associative list, items identified by `key` (patchStrategy=merge + patchMergeKey).
   * `set`: a list of scalars merged as a set (patchStrategy=merge, no key).
   */
  list?: 'map' | 'set';
  /** The merge key of a `map` list. */
  key?: string;
  /**
   * Server-side apply identifies items by these fields (listMapKey), each with its
   * schema default; when absent, by `key` alone.
   */
  ssaKeys?: Record<string, unknown>;
  /** patchStrategy includes retainKeys: a `$retainKeys` directive may clear sibling fields. */
  retainKeys?: boolean;
  /**
   * Server-side apply treats this field as one value (structType/mapType/listType=atomic)
   * even though strategic merge patch merges into it.
   */
  ssaAtomic?: boolean;
}

type Table = Record<string, FieldMeta>;

const OBJECT_META: Table = {
  finalizers: { list: 'set' },
  ownerReferences: { list: 'map', key: 'uid' },
};

const CONTAINER: Table = {
  ports: { list: 'map', key: 'containerPort', ssaKeys: { containerPort: undefined, protocol: 'TCP' } },
  env: { list: 'map', key: 'name' },
  volumeMounts: { list: 'map', key: 'mountPath' },
  volumeDevices: { list: 'map', key: 'devicePath' },
};

const POD: Table = {
  'spec.volumes': { list: 'map', key: 'name', retainKeys: true },
  'spec.containers': { list: 'map', key: 'name' },
  'spec.initContainers': { list: 'map', key: 'name' },
  'spec.ephemeralContainers': { list: 'map', key: 'name' },
  'spec.imagePullSecrets': { list: 'map', key: 'name' },
  'spec.hostAliases': { list: 'map', key: 'ip' },
  'spec.topologySpreadConstraints': {
    list: 'map',
    key: 'topologyKey',
    ssaKeys: { topologyKey: undefined, whenUnsatisfiable: undefined },
  },
  'spec.schedulingGates': { list: 'map', key: 'name' },
  'spec.resourceClaims': { list: 'map', key: 'name', retainKeys: true },
  'status.conditions': { list: 'map', key: 'type' },
  'status.podIPs': { list: 'map', key: 'ip' },
  'status.hostIPs': { list: 'map', key: 'ip' },
  'status.resourceClaimStatuses': { list: 'map', key: 'name', retainKeys: true },
};
for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
  for (const [field, meta] of Object.entries(CONTAINER)) POD[`spec.${list}[].${field}`] = meta;
}

const TEMPLATED: Table = {
  'spec.selector': { ssaAtomic: true },
  'status.conditions': { list: 'map', key: 'type' },
};

const KINDS: Record<string, Table> = {
  Pod: POD,
  Deployment: { ...TEMPLATED, 'spec.strategy': { retainKeys: true } },
  ReplicaSet: TEMPLATED,
  DaemonSet: TEMPLATED,
  ReplicationController: TEMPLATED,
  PodDisruptionBudget: { 'spec.selector': { ssaAtomic: true }, 'status.conditions': { list: 'map', key: 'type' } },
  Service: {
    'spec.ports': { list: 'map', key: 'port', ssaKeys: { port: undefined, protocol: 'TCP' } },
    'spec.selector': { ssaAtomic: true },
    'status.conditions': { list: 'map', key: 'type' },
  },
  Node: {
    'spec.podCIDRs': { list: 'set' },
    'status.conditions': { list: 'map', key: 'type' },
    // Merged by type for strategic merge patch, but listType=atomic for apply (types may repeat).
    'status.addresses': { list: 'map', key: 'type', ssaAtomic: true },
  },
  Namespace: { 'status.conditions': { list: 'map', key: 'type' } },
};

/** Kinds whose `spec.template` is a PodTemplateSpec. */
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'ReplicaSet', 'DaemonSet', 'ReplicationController']);

export function lookupFieldMeta(kind: string, path: string): FieldMeta | undefined {
  if (path.startsWith('metadata.')) return OBJECT_META[path.slice('metadata.'.length)];
  if (POD_TEMPLATE_KINDS.has(kind) && path.startsWith('spec.template.')) {
    return lookupFieldMeta('Pod', path.slice('spec.template.'.length));
  }
  return KINDS[kind]?.[path];
}

export function fieldPath(parent: string, field: string): string {
  return parent === '' ? field : `${parent}.${field}`;
}

export function itemPath(listPath: string): string {
  return `${listPath}[]`;
}
