import type { Cluster } from '../../objects/cluster.js';
import type { KubeObject } from '../../kube/object.js';
import { semanticEqual } from '../../kube/canonical-json.js';
import { formatQuantity } from '../../kube/quantity-format.js';
import { addUsage, quotaUsageOf, typeCountedBy, type Usage } from '../../objects/quota-usage.js';
import { resources, type ResourceType } from '../../resources/registry.js';
import { done, keyOf, splitKey, startReconciler, type ReconcilerLogger, type RunningReconciler } from '../reconciler.js';

const COMPONENT = 'resourcequota-controller';

/** The kinds whose changes recompute their namespace's quotas at once; other `count/` kinds wait for the resync. */
const WATCHED: ResourceType[] = [
  resources.pods,
  resources.services,
  resources.configmaps,
  resources.secrets,
  resources.persistentvolumeclaims,
  resources.replicationcontrollers,
  resources.deployments,
  resources.replicasets,
  resources.statefulsets,
  resources.daemonsets,
  resources.jobs,
  resources.cronjobs,
];

export interface ResourceQuotaControllerOptions {
  cluster: Cluster;
  /** @defaultValue the reconcilers' default logger */
  logger?: ReconcilerLogger;
  /**
   * Recompute every quota this often (kube-controller-manager's --resource-quota-sync-period is 5 minutes).
   * @defaultValue 60000
   */
  resyncMs?: number;
}

/**
 * kube-controller-manager's resourcequota controller: each quota's
 * status.hard is its spec.hard and status.used what the namespace's objects
 * use of each name, recomputed when the quota or an object it counts changes
 * (the admission plugin charges creates in between).
 */
export function startResourceQuotaController(options: ResourceQuotaControllerOptions): Promise<RunningReconciler> {
  const { cluster } = options;
  return startReconciler({
    name: COMPONENT,
    cluster,
    primary: resources.resourcequotas,
    logger: options.logger,
    resyncMs: options.resyncMs ?? 60_000,
    reconcile: (key) => reconcileQuota(cluster, key),
    watches: WATCHED.map((type) => ({
      type,
      // Most namespaces have no quota: their objects' changes are not even copied for this watch.
      onlyInNamespacesWith: resources.resourcequotas,
      keysFor: async (event) => {
        const namespace = event.object.metadata.namespace;
        if (!namespace) return [];
        const quotas = (await cluster.list(resources.resourcequotas, { namespace })).items;
        return quotas.filter((q) => Object.keys(q.spec?.hard ?? {}).some((n) => typeCountedBy(n) === type)).map(keyOf);
      },
    })),
  });
}

/** What the namespace's objects use of each name in `hard` (CalculateUsage). */
export async function calculateUsage(cluster: Cluster, namespace: string, names: string[]): Promise<Usage> {
  const byType = new Map<ResourceType, string[]>();
  for (const name of names) {
    const type = typeCountedBy(name);
    if (type) byType.set(type, [...(byType.get(type) ?? []), name]);
  }
  let total: Usage = {};
  const now = Date.now();
  for (const [type, wanted] of byType) {
    for (const item of (await cluster.list(type, { namespace })).items) {
      const usage = quotaUsageOf(type, item, now);
      total = addUsage(total, Object.fromEntries(wanted.filter((n) => usage[n]).map((n) => [n, usage[n]!])));
    }
  }
  return total;
}

async function reconcileQuota(cluster: Cluster, key: string) {
  const { namespace, name } = splitKey(key);
  let quota: KubeObject;
  try {
    quota = await cluster.get(resources.resourcequotas, namespace, name);
  } catch (err) {
    if ((err as { code?: number }).code === 404) return done;
    throw err;
  }
  if (quota.metadata.deletionTimestamp) return done;
  const hard: Record<string, string> = quota.spec?.hard ?? {};
  const usage = await calculateUsage(cluster, String(namespace), Object.keys(hard));
  const used = Object.fromEntries(Object.keys(hard).map((n) => [n, formatQuantity(usage[n] ?? { value: 0, format: 'DecimalSI' })]));
  const status = { hard: { ...hard }, used };
  if (semanticEqual(status, quota.status ?? {})) return done;
  // Written with the resourceVersion read: a create charged meanwhile makes this a conflict, and the retry counts it.
  await cluster.update(resources.resourcequotas, { ...quota, status }, { status: true, fieldManager: COMPONENT });
  return done;
}
