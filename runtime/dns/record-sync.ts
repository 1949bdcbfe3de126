import { done, keyOf, splitKey, startReconciler, type ReconcilerLogger, type WatchSource } from '../controllers/index.js';
import { ObjectCache } from '../controllers/object-cache.js';
import type { Cluster } from '../objects/cluster.js';
import type { KubeObject, WatchEvent } from '../kube/object.js';
import { resources, type ResourceType } from '../resources/registry.js';
import type { DnsTable } from './dns-table.js';
import { serviceEntry } from './service-entry.js';

export interface RecordSyncOptions {
  cluster: Cluster;
  table: DnsTable;
  logger: ReconcilerLogger;
  /**
   * Every Service is recomputed this often even without a watch event.
   * @defaultValue 60000
   */
  resyncMs?: number;
}

/**
 * Keeps `table` equal to the cluster: watch-fed caches of Services,
 * Endpoints, pods that name a Service as subdomain, and namespaces, and one
 * reconcile per Service key that recomputes its records from those caches —
 * no store reads per query, nor per reconcile.
 */
export async function startRecordSync(options: RecordSyncOptions): Promise<{ stop(): Promise<void> }> {
  const { table } = options;
  const services = new ObjectCache();
  const endpoints = new ObjectCache();
  const pods = new ObjectCache();
  const reconciler = await startReconciler({
    name: 'cluster-dns',
    cluster: options.cluster,
    primary: resources.services,
    logger: options.logger,
    resyncMs: options.resyncMs,
    concurrency: 1,
    reconcile: async (key) => {
      const { namespace, name } = splitKey(key);
      const ns = String(namespace);
      const service = named(services, ns, name);
      const subdomainPods = service?.spec?.clusterIP === 'None' ? pods.list(ns).filter((p) => p.spec?.subdomain === name) : [];
      table.setService(key, service && serviceEntry(service, named(endpoints, ns, name), subdomainPods));
      return done;
    },
    watches: [
      // The primary watch only wakes keys; this one keeps the Services themselves.
      cacheOf(resources.services, services),
      cacheOf(resources.endpoints, endpoints),
      {
        type: resources.pods,
        onSync: (items) => pods.replaceAll(items.filter(hasDnsName)),
        keysFor: (event: WatchEvent) => {
          // hostname and subdomain are immutable, so a pod is either always or never of interest.
          if (!hasDnsName(event.object)) return [];
          pods.apply(event);
          return [`${event.object.metadata.namespace}/${event.object.spec.subdomain}`];
        },
      },
      {
        type: resources.namespaces,
        onSync: (items) => table.setNamespaces(items.map((n) => String(n.metadata.name))),
        keysFor: (event: WatchEvent) => {
          if (event.type === 'DELETED') table.removeNamespace(String(event.object.metadata.name));
          else table.addNamespace(String(event.object.metadata.name));
          return [];
        },
      },
    ],
  });
  // A Service deleted while a watch was down is never listed again: revisit every key that has records.
  const sweep = setInterval(() => {
    for (const key of table.keys()) reconciler.enqueue(key);
  }, options.resyncMs ?? 60_000);
  sweep.unref();
  return {
    async stop() {
      clearInterval(sweep);
      await reconciler.stop();
    },
  };
}

function cacheOf(type: ResourceType, cache: ObjectCache): WatchSource {
  return {
    type,
    onSync: (items: KubeObject[]) => cache.replaceAll(items),
    keysFor: (event: WatchEvent) => {
      cache.apply(event);
      return [keyOf(event.object)];
    },
  };
}

function named(cache: ObjectCache, namespace: string, name: string): KubeObject | undefined {
  return cache.list(namespace).find((o) => o.metadata.name === name);
}

function hasDnsName(pod: KubeObject): boolean {
  return !!pod.spec?.hostname && !!pod.spec?.subdomain;
}
