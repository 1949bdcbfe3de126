import type { Cluster } from '../../objects/cluster.js';
import { getIfExists } from '../../objects/get-if-exists.js';
import { resources } from '../../resources/registry.js';
import { done, startReconciler, type RunningReconciler } from '../reconciler.js';

/**
 * kube-controller-manager's serviceaccounts controller: every active
 * namespace has a ServiceAccount named `default`, made again if deleted.
 * Keys are namespace names (the primary type is cluster-scoped).
 */
export async function startServiceAccountController(options: { cluster: Cluster; resyncMs?: number }): Promise<RunningReconciler> {
  const { cluster } = options;
  return startReconciler({
    name: 'serviceaccount',
    cluster,
    primary: resources.namespaces,
    watches: [
      {
        type: resources.serviceaccounts,
        keysFor: (event) => (event.type === 'DELETED' && event.object.metadata.name === 'default' ? [event.object.metadata.namespace ?? ''] : []),
      },
    ],
    reconcile: async (key) => {
      const name = key;
      const namespace = await getIfExists(cluster, resources.namespaces, undefined, name);
      if (!namespace || namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating') return done;
      if (await getIfExists(cluster, resources.serviceaccounts, name, 'default')) return done;
      try {
        await cluster.create(resources.serviceaccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } });
      } catch (err) {
        // Made meanwhile (409), or the namespace began terminating (403): nothing to do either way.
        const code = (err as { code?: unknown }).code;
        if (code !== 409 && code !== 403) throw err;
      }
      return done;
    },
    resyncMs: options.resyncMs ?? 60_000,
  });
}
