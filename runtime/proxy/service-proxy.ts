import { pino, type Logger } from 'pino';
import type { Cluster } from '../objects/cluster.js';
import { resources } from '../resources/registry.js';
import type { EndpointPicker } from './endpoint-picker.js';
import type { ServiceProxyStats } from './proxy-stats.js';
import { ReconcileQueue } from './reconcile-queue.js';
import { ServiceTable } from './service-table.js';
import { objectKey, watchKeys } from './watch-keys.js';

export interface ServiceProxyOptions {
  cluster: Cluster;
  /**
   * Address NodePort Services listen on, as a node's addresses would be.
   * @defaultValue '0.0.0.0'
   */
  nodePortHost?: string;
  /**
   * Every Service is reconciled this often even without a watch event, to heal
   * a missed event or a lost watch.
   * @defaultValue 30000
   */
  resyncIntervalMs?: number;
  /**
   * A connect attempt to one endpoint is abandoned (and another tried) after this long.
   * @defaultValue 1000
   */
  connectTimeoutMs?: number;
  /** @defaultValue a pino logger named `service-proxy` at level `info` */
  logger?: Logger;
}

export interface ServiceProxy {
  /** Closes every listener and every proxied connection; stops watching. */
  stop(): Promise<void>;
  /** A snapshot of the per-Service counters, keyed by `namespace/name`. */
  stats(): ServiceProxyStats;
  /**
   * The round-robin picker over the ready endpoints of a Service port (by
   * number or name), for an HTTP router that balances as the proxy does.
   */
  picker(namespace: string, name: string, port: number | string): EndpointPicker | undefined;
}

/**
 * The runtime's kube-proxy: for every Service with a ClusterIP it listens on
 * `clusterIP:port` (and `nodePortHost:nodePort` for NodePort Services) and
 * splices each connection to one ready endpoint, round-robin.
 */
export async function startServiceProxy(options: ServiceProxyOptions): Promise<ServiceProxy> {
  const { cluster } = options;
  const logger = options.logger ?? pino({ name: 'service-proxy' });
  const table = new ServiceTable({
    cluster,
    nodePortHost: options.nodePortHost ?? '0.0.0.0',
    connectTimeoutMs: options.connectTimeoutMs ?? 1000,
    logger,
    requeue: (key) => queue.add(key),
  });
  const queue = new ReconcileQueue((key) => table.reconcile(key), {
    onError: (key, error) => logger.warn({ service: key, err: error }, `service ${key}: reconcile failed; retrying`),
  });

  const watchOptions = { onError: (error: unknown) => logger.warn({ err: error }, 'service proxy watch broke; listing again') };
  const stopWatches = [
    watchKeys(cluster, resources.services, (key) => queue.add(key), watchOptions),
    // Endpoints are named after their Service, so their key is the Service's key.
    watchKeys(cluster, resources.endpoints, (key) => queue.add(key), watchOptions),
  ];

  const resync = async () => {
    try {
      const { items } = await cluster.list(resources.services);
      for (const key of new Set([...items.map(objectKey), ...table.keys()])) queue.add(key);
    } catch (error) {
      logger.warn({ err: error }, 'service proxy resync failed');
    }
  };
  const resyncTimer = setInterval(() => void resync(), options.resyncIntervalMs ?? 30_000);
  resyncTimer.unref();

  let stopped = false;
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(resyncTimer);
      for (const stop of stopWatches) stop();
      await queue.stop();
      table.closeAll();
    },
    stats: () => table.stats(),
    picker: (namespace, name, port) => table.picker(namespace, name, port),
  };
}
