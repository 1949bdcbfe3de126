import { pino, type Logger } from 'pino';
import { keyOf, splitKey, startReconciler, done, type RunningReconciler } from '../../controllers/index.js';
import { batchedLoad } from '../../network/batched-load.js';
import { forgetConnections } from '../../network/conntrack.js';
import type { PodNetwork } from '../../network/network-types.js';
import type { ChainOwner } from '../../network/table-groups.js';
import type { Cluster } from '../../objects/cluster.js';
import { getIfExists } from '../../objects/get-if-exists.js';
import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { serviceRules, udpEndpoints, type ServiceEntry } from './service-rules.js';

export interface KernelProxyOptions {
  cluster: Cluster;
  /** A network started with a `serviceCidr`: its table gets the service chains. */
  network: PodNetwork;
  /**
   * Changes arriving within this window are loaded in one nft transaction.
   * @defaultValue 10
   */
  batchMs?: number;
  /** @defaultValue 30000 */
  resyncMs?: number;
  /** @defaultValue a pino logger named `kernel-proxy` */
  logger?: Logger;
}

export interface KernelProxy {
  /** Re-reads every Service and Endpoints from the store and resolves once the kernel holds them (tests, and the bench). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const OWNER: ChainOwner = {
  name: 'services',
  owns: (name) => name === 'services' || name === 'nodeports' || /^(svc|sep|snp|aff)-/.test(name),
};

/**
 * kube-proxy's nftables mode for the built-in runtime: Services and their
 * Endpoints, watched, become the service chains of the network's table. The
 * rules are built from the store at start, before the watch begins, and each
 * later change is batched for `batchMs` and loaded as a diff.
 */
export async function startKernelServiceProxy(options: KernelProxyOptions): Promise<KernelProxy> {
  const { cluster, network } = options;
  const logger = options.logger ?? pino({ name: 'kernel-proxy' });
  const batchMs = options.batchMs ?? 10;
  const entries = new Map<string, ServiceEntry>();
  let loadedUdp = new Map<string, Set<string>>();

  const batch = batchedLoad({
    what: 'service rules',
    batchMs,
    logger,
    load: async () => {
      const list = [...entries.values()];
      await network.applyChains(OWNER, serviceRules(list));
      // A UDP "connection" to an endpoint that left would stick to it until it times out: drop those.
      const udp = udpEndpoints(list);
      for (const [clusterIp, ips] of loadedUdp) {
        for (const ip of ips) if (!udp.get(clusterIp)?.has(ip)) await forgetConnections(ip, 'udp');
      }
      loadedUdp = udp;
    },
  });

  const read = async (key: string): Promise<void> => {
    const { namespace, name } = splitKey(key);
    const service = await getIfExists(cluster, resources.services, namespace, name);
    if (!service || service.metadata.deletionTimestamp) entries.delete(key);
    else entries.set(key, { service, endpoints: await getIfExists(cluster, resources.endpoints, namespace, name) });
  };

  const readAll = async (): Promise<void> => {
    const endpointsByKey = new Map((await cluster.list(resources.endpoints)).items.map((e: KubeObject) => [keyOf(e), e] as const));
    entries.clear();
    for (const service of (await cluster.list(resources.services)).items) {
      if (!service.metadata.deletionTimestamp) entries.set(keyOf(service), { service, endpoints: endpointsByKey.get(keyOf(service)) });
    }
  };
  // Built from the store before anything is served, so a restart never loads a partial table.
  await readAll();
  await batch.now();

  const reconciler: RunningReconciler = await startReconciler({
    name: 'kernel-proxy',
    cluster,
    primary: resources.services,
    // Endpoints are named after their Service, so their key is the Service's key.
    watches: [{ type: resources.endpoints, keysFor: (event) => [keyOf(event.object)] }],
    reconcile: async (key) => {
      await read(key);
      batch.schedule();
      return done;
    },
    resyncMs: options.resyncMs ?? 30_000,
    logger,
  });
  // The resync relists existing Services only; one deleted while a watch was down is found by revisiting known keys.
  const sweep = setInterval(() => {
    for (const key of entries.keys()) reconciler.enqueue(key);
  }, options.resyncMs ?? 30_000);
  sweep.unref();

  return {
    async settled() {
      await readAll();
      await batch.now();
    },
    async stop() {
      clearInterval(sweep);
      await reconciler.stop();
      await batch.stop();
    },
  };
}
