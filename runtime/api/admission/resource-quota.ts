import type { Cluster } from '../../objects/cluster.js';
import type { KubeObject } from '../../kube/object.js';
import { formatQuantity, toQuantity } from '../../kube/quantity-format.js';
import { addUsage, COMPUTE_CONSTRAINED, containerUsageNames, quotaUsageOf, typeCountedBy, type Usage } from '../../objects/quota-usage.js';
import { resources, type ResourceType } from '../../resources/registry.js';

/** Kubernetes retries a quota's status write this often before giving up on a busy namespace. */
const ATTEMPTS = 5;

/** A refusal worded as the ResourceQuota admission plugin words it (after `<kind> "<name>" is forbidden: `). */
export class QuotaRefusal extends Error {}

function usageOf(list: Record<string, string | number> | undefined): Usage {
  const out: Usage = {};
  for (const [k, v] of Object.entries(list ?? {})) out[k] = toQuantity(v);
  return out;
}

/** `a=1,b=2`, sorted by name (prettyPrint). */
function pretty(usage: Usage, names: string[]): string {
  return [...names]
    .sort()
    .map((n) => `${n}=${formatQuantity(usage[n] ?? { value: 0, format: 'DecimalSI' })}`)
    .join(',');
}

/** The pod evaluator's Constraints: with cpu or memory under quota, every container must say how much it asks for. */
function podConstraints(pod: KubeObject, restricted: string[]): string | undefined {
  const required = restricted.filter((n) => COMPUTE_CONSTRAINED.includes(n));
  if (required.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const has = containerUsageNames(c);
    for (const n of required) if (!has.includes(n)) missing.set(n, (missing.get(n) ?? new Set()).add(String(c.name)));
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((n) => `${n} for: ${[...missing.get(n)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

/**
 * The ResourceQuota admission plugin for a create: every quota of the
 * namespace whose status.hard names something `obj` uses must have room for
 * it; the usage is then charged to each such quota's status.used with its
 * resourceVersion (a concurrent create charged first: read again, check
 * again), so two creates can never both take the last unit. A quota the
 * controller has not yet given a status limits nothing, as in Kubernetes.
 * Throws a QuotaRefusal; `charge: false` (dry run) checks only.
 */
export async function admitToQuotas(cluster: Cluster, type: ResourceType, obj: KubeObject, charge: boolean): Promise<void> {
  const namespace = obj.metadata.namespace;
  if (!namespace || !type.namespaced) return;
  // Worked out at the first quota that limits this type: most namespaces have none.
  let delta: Usage | undefined;
  for (let attempt = 1; ; attempt++) {
    const quotas = (await cluster.list(resources.resourcequotas, { namespace })).items;
    const charged: KubeObject[] = [];
    for (const quota of quotas) {
      const hard = usageOf(quota.status?.hard);
      const restricted = Object.keys(hard).filter((n) => typeCountedBy(n) === type);
      if (restricted.length === 0) continue;
      if (type === resources.pods) {
        const problem = podConstraints(obj, restricted);
        if (problem) throw new QuotaRefusal(`failed quota: ${quota.metadata.name}: ${problem}`);
      }
      const used = usageOf(quota.status?.used);
      const unknown = restricted.filter((n) => !(n in used));
      if (unknown.length) throw new QuotaRefusal(`status unknown for quota: ${quota.metadata.name}, resources: ${unknown.sort().join(',')}`);
      delta ??= quotaUsageOf(type, obj);
      const requested = Object.fromEntries(Object.entries(delta).filter(([n, q]) => n in hard && q.value !== 0));
      if (Object.keys(requested).length === 0) continue;
      const next = addUsage(used, requested);
      const exceeded = Object.keys(requested).filter((n) => next[n]!.value > hard[n]!.value + 1e-9);
      if (exceeded.length) {
        throw new QuotaRefusal(
          `exceeded quota: ${quota.metadata.name}, requested: ${pretty(requested, exceeded)}, used: ${pretty(used, exceeded)}, limited: ${pretty(hard, exceeded)}`,
        );
      }
      const updated = structuredClone(quota);
      updated.status.used = { ...quota.status.used };
      for (const n of Object.keys(requested)) updated.status.used[n] = formatQuantity(next[n]!);
      charged.push(updated);
    }
    if (!charge || charged.length === 0) return;
    try {
      for (const quota of charged) await cluster.update(resources.resourcequotas, quota, { status: true, fieldManager: 'resourcequota-admission' });
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== 409 || attempt >= ATTEMPTS) throw err;
    }
  }
}
