import { pino, type Logger } from 'pino';
import { keyOf, startReconciler, type RunningReconciler } from '../controllers/index.js';
import type { Cluster } from '../objects/cluster.js';
import { resources } from '../resources/registry.js';
import type { EndpointPicker } from './endpoint-picker.js';
import type { ServiceProxyStats } from './proxy-stats.js';
import { ServiceTable } from './service-table.js';

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
  /**
   * Listen on ClusterIPs and node ports. Off when the kernel carries Services
   * (see `startKernelServiceProxy`): the proxy then only keeps the endpoint
   * pickers the ingress balances with.
   * @defaultValue true
   */
  listen?: boolean;
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
  const resyncMs = options.resyncIntervalMs ?? 30_000;
  const table = new ServiceTable({
    cluster,
    nodePortHost: options.nodePortHost ?? '0.0.0.0',
    connectTimeoutMs: options.connectTimeoutMs ?? 1000,
    listen: options.listen ?? true,
    logger,
    requeue: (key) => reconciler.enqueue(key),
  });
  const reconciler: RunningReconciler = await startReconciler({
    name: 'service-proxy',
    cluster,
    primary: resources.services,
    // Endpoints are named after their Service, so their key is the Service's key.
    watches: [{ type: resources.endpoints, keysFor: (event) => [keyOf(event.object)] }],
    reconcile: (key) => table.reconcile(key),
    resyncMs,
    logger,
  });
  // The resync relists existing Services only; a deletion missed while a watch
  // was down would leave its sockets open, so served keys are revisited too.
  const sweep = setInterval(() => {
    for (const key of table.keys()) reconciler.enqueue(key);
  }, resyncMs);
  sweep.unref();

  let stopped = false;
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(sweep);
      await reconciler.stop();
      table.closeAll();
    },
    stats: () => table.stats(),
    picker: (namespace, name, port) => table.picker(namespace, name, port),
  };
}
