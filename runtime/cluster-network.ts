import { pino, type Logger } from 'pino';
import { ensureKubeDnsService, startClusterDns, type RunningClusterDns } from './dns/index.js';
import { CLUSTER_DNS_PORT, type ServiceCarrier } from './kubelet/start-node.js';
import type { PodNetwork } from './network/network-types.js';
import { startPolicyEnforcer, type PolicyEnforcer, type PolicyPod } from './network-policy/index.js';
import type { Cluster } from './objects/cluster.js';
import { resources } from './resources/registry.js';
import { startKernelServiceProxy, startServiceProxy, type KernelProxy, type ServiceProxy } from './proxy/index.js';

export interface ClusterNetworkOptions {
  cluster: Cluster;
  /** Who carries Services (from the node), and the pod network when it is the kernel. */
  carrier?: ServiceCarrier;
  network?: PodNetwork;
  /** Address the userspace proxy's NodePorts listen on. */
  nodePortHost: string;
  /** Where cluster DNS forwards names outside the cluster; the host's resolv.conf when unset. */
  dnsUpstreams?: string[];
  /** Parent of the proxy's, DNS's and NetworkPolicy's loggers. @defaultValue each part's own pino logger */
  logger?: Logger;
}

export interface RunningClusterNetwork {
  /** The userspace proxy: it serves ClusterIPs itself, or (kernel mode) only keeps the ingress' endpoint pickers. */
  proxy: ServiceProxy;
  /** Resolves once the kernel holds every Service, Endpoints and NetworkPolicy the store has now (tests). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** Cluster DNS as a NetworkPolicy peer, so `namespaceSelector: kube-system` + `k8s-app: kube-dns` allows it as on Kubernetes. */
function clusterDnsPeer(ip: string): PolicyPod {
  return {
    namespace: 'kube-system',
    name: 'cluster-dns',
    labels: { 'k8s-app': 'kube-dns' },
    ip,
    ports: [
      { name: 'dns', containerPort: CLUSTER_DNS_PORT, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: CLUSTER_DNS_PORT, protocol: 'TCP' },
    ],
  };
}

/** Who carries Services, as annotations on the Node (`kubectl describe node` shows them). */
async function showOnNodes(cluster: Cluster, carrier: ServiceCarrier): Promise<void> {
  const shown: Record<string, string> =
    carrier.mode === 'kernel'
      ? { 'baton.dev/service-proxy': 'kernel', 'baton.dev/service-cidr': carrier.serviceCidr, 'baton.dev/cluster-dns': carrier.clusterDns }
      : { 'baton.dev/service-proxy': 'userspace', 'baton.dev/service-proxy-reason': carrier.reason };
  const ours = (key: string) => key.startsWith('baton.dev/service-') || key === 'baton.dev/cluster-dns';
  for (const { metadata } of (await cluster.list(resources.nodes)).items) {
    // The kubelet's heartbeat writes the same object: re-read and retry on a conflict.
    for (let attempt = 0; ; attempt++) {
      const node = await cluster.get(resources.nodes, undefined, metadata.name!);
      const kept = Object.entries(node.metadata.annotations ?? {}).filter(([key]) => !ours(key));
      try {
        await cluster.update(resources.nodes, { ...node, metadata: { ...node.metadata, annotations: { ...Object.fromEntries(kept), ...shown } } });
        break;
      } catch (err) {
        if ((err as { code?: unknown }).code !== 409 || attempt >= 5) throw err;
      }
    }
  }
}

/**
 * What makes pods find and reach each other: in the kernel (root, pod network
 * up) Service rules, cluster DNS on the bridge's gateway behind the
 * `kube-dns` Service, and NetworkPolicy enforcement; otherwise the userspace
 * proxy on loopback ClusterIPs, without DNS or policies.
 */
export async function startClusterNetwork(options: ClusterNetworkOptions): Promise<RunningClusterNetwork> {
  const { cluster, carrier, network } = options;
  const started: Array<{ stop(): Promise<void> }> = [];
  const stop = async () => {
    for (const part of started.reverse()) await part.stop();
  };
  try {
    let kernel: KernelProxy | undefined;
    let policies: PolicyEnforcer | undefined;
    if (carrier?.mode === 'kernel' && network) {
      kernel = await startKernelServiceProxy({ cluster, network });
      started.push(kernel);
      policies = await startPolicyEnforcer({ cluster, network, extraPeers: [clusterDnsPeer(network.gateway)], ...(options.logger ? { logger: options.logger.child({ component: 'network-policy' }) } : {}) });
      started.push(policies);
      await ensureKubeDnsService(cluster, carrier.clusterDns, network.gateway);
      const dns: RunningClusterDns = await startClusterDns({ cluster, host: network.gateway, port: CLUSTER_DNS_PORT, upstreams: options.dnsUpstreams, logger: options.logger?.child({ component: 'cluster-dns' }) ?? pino({ name: 'cluster-dns', level: 'warn' }) });
      started.push(dns);
    }
    const proxy = await startServiceProxy({ cluster, nodePortHost: options.nodePortHost, listen: !kernel, ...(options.logger ? { logger: options.logger.child({ component: 'service-proxy' }) } : {}) });
    started.push(proxy);
    if (carrier) await showOnNodes(cluster, carrier);
    return {
      proxy,
      async settled() {
        await kernel?.settled();
        await policies?.settled();
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
