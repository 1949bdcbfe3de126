import type { KubeObject } from '../kube/object.js';
import { toQuantity, type Quantity } from '../kube/quantity-format.js';
import { allResources, resources, type ResourceType } from '../resources/registry.js';

/** What one object counts against a ResourceQuota, by quota resource name. */
export type Usage = Record<string, Quantity>;

const ONE: Quantity = { value: 1, format: 'DecimalSI' };

/** Names a pod's usage is counted under (besides `count/pods`). */
const POD_RESOURCES = [
  'pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
];

/** The object-count names Kubernetes had before `count/<resource>`, counted by the same evaluators. */
const LEGACY_COUNTS: Partial<Record<string, ResourceType>> = {
  services: resources.services,
  configmaps: resources.configmaps,
  secrets: resources.secrets,
  persistentvolumeclaims: resources.persistentvolumeclaims,
  replicationcontrollers: resources.replicationcontrollers,
};

/** `count/deployments.apps`, `count/pods`. */
export function countName(type: ResourceType): string {
  return type.group ? `count/${type.plural}.${type.group}` : `count/${type.plural}`;
}

/**
 * The type whose objects a quota resource name counts, or undefined when the
 * runtime does not evaluate that name (ValidateResourceQuota refuses it).
 */
export function typeCountedBy(name: string): ResourceType | undefined {
  if (POD_RESOURCES.includes(name)) return resources.pods;
  if (name === 'services.nodeports' || name === 'services.loadbalancers') return resources.services;
  if (name === 'requests.storage') return resources.persistentvolumeclaims;
  if (name === 'resourcequotas') return allResources.find((t) => t.kind === 'ResourceQuota');
  if (LEGACY_COUNTS[name]) return LEGACY_COUNTS[name];
  if (name.startsWith('count/')) return allResources.find((t) => t.namespaced && countName(t) === name);
  return undefined;
}

function add(into: Usage, name: string, q: Quantity): void {
  const had = into[name];
  // resource.Quantity.Add keeps the receiver's format unless it is zero.
  into[name] = had ? { value: had.value + q.value, format: had.value === 0 ? q.format : had.format } : { ...q };
}

/** The sum of containers' requests (or limits), or the largest init container's where that is more (resourcehelper.PodRequests). */
function podTotal(pod: KubeObject, field: 'requests' | 'limits'): Usage {
  const total: Usage = {};
  for (const c of pod.spec?.containers ?? []) {
    for (const [k, v] of Object.entries((c?.resources?.[field] ?? {}) as Record<string, string>)) add(total, k, toQuantity(v));
  }
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries((c?.resources?.[field] ?? {}) as Record<string, string>)) {
      const q = toQuantity(v);
      if (c.restartPolicy === 'Always') add(total, k, q);
      else if (!total[k] || total[k]!.value < q.value) total[k] = q;
    }
  }
  return total;
}

/** QuotaV1Pod: terminal pods, and pods past their deletion grace, no longer count compute resources. */
function podCountsCompute(pod: KubeObject, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const deletion = Date.parse(pod.metadata.deletionTimestamp ?? '');
  const grace = pod.metadata.deletionGracePeriodSeconds;
  if (!Number.isNaN(deletion) && typeof grace === 'number' && now > deletion + grace * 1000) return false;
  return true;
}

/** podComputeUsageHelper: requests and limits under the quota names. */
function podUsage(pod: KubeObject, now: number): Usage {
  const usage: Usage = {};
  if (!podCountsCompute(pod, now)) return usage;
  usage.pods = ONE;
  const requests = podTotal(pod, 'requests');
  const limits = podTotal(pod, 'limits');
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[r]) {
      usage[r] = requests[r]!;
      usage[`requests.${r}`] = requests[r]!;
    }
    if (limits[r]) usage[`limits.${r}`] = limits[r]!;
  }
  return usage;
}

function serviceUsage(svc: KubeObject): Usage {
  const usage: Usage = { services: ONE };
  const type = svc.spec?.type;
  const ports = Array.isArray(svc.spec?.ports) ? svc.spec.ports.length : 0;
  if (type === 'NodePort' || (type === 'LoadBalancer' && svc.spec?.allocateLoadBalancerNodePorts !== false)) {
    usage['services.nodeports'] = { value: ports, format: 'DecimalSI' };
  }
  if (type === 'LoadBalancer') usage['services.loadbalancers'] = ONE;
  return usage;
}

/** Everything `obj` of `type` counts against a quota in its namespace (the quota evaluators' Usage). */
export function quotaUsageOf(type: ResourceType, obj: KubeObject, now = Date.now()): Usage {
  const usage: Usage = { [countName(type)]: ONE };
  if (type === resources.pods) Object.assign(usage, podUsage(obj, now));
  else if (type === resources.services) Object.assign(usage, serviceUsage(obj));
  else if (type.kind === 'ResourceQuota') usage.resourcequotas = ONE;
  else {
    const legacy = Object.entries(LEGACY_COUNTS).find(([, t]) => t === type);
    if (legacy) usage[legacy[0]] = ONE;
  }
  if (type === resources.persistentvolumeclaims) {
    const storage = obj.spec?.resources?.requests?.storage;
    if (storage !== undefined) usage['requests.storage'] = toQuantity(storage);
  }
  return usage;
}

/** The sum of usages, as quota.Add does. */
export function addUsage(a: Usage, b: Usage): Usage {
  const out: Usage = { ...a };
  for (const [k, q] of Object.entries(b)) add(out, k, q);
  return out;
}

/** The quota names a pod must set requests or limits for, per container (the pod evaluator's Constraints). */
export const COMPUTE_CONSTRAINED = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

/** The names among `hard` that `usage` of a pod's container provides, for the constraint check. */
export function containerUsageNames(container: any): string[] {
  const names: string[] = [];
  const requests = container?.resources?.requests ?? {};
  const limits = container?.resources?.limits ?? {};
  for (const r of ['cpu', 'memory']) {
    if (requests[r] !== undefined) names.push(r, `requests.${r}`);
    if (limits[r] !== undefined) names.push(`limits.${r}`);
  }
  return names;
}
