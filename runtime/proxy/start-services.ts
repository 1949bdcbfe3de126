import type { PodNetwork } from '../network/network-types.js';
import type { Cluster } from '../objects/cluster.js';
import { startKernelServiceProxy, type KernelProxy } from './kernel/kernel-proxy.js';
import { startServiceProxy, type ServiceProxy } from './service-proxy.js';

export interface ServicesOptions {
  cluster: Cluster;
  /** The pod network, when it carries Services in the kernel. */
  kernelNetwork?: PodNetwork;
  /** Address the userspace proxy's NodePorts listen on. */
  nodePortHost: string;
}

export interface RunningServices {
  /** The userspace proxy: it serves ClusterIPs itself, or (kernel mode) only keeps the ingress' endpoint pickers. */
  proxy: ServiceProxy;
  /** The kernel's service rules, when they carry Services. */
  kernel?: KernelProxy;
  stop(): Promise<void>;
}

/** Starts whichever carries Services: nftables rules on the pod network, or the userspace proxy. */
export async function startServices(options: ServicesOptions): Promise<RunningServices> {
  const { cluster, kernelNetwork } = options;
  const kernel = kernelNetwork ? await startKernelServiceProxy({ cluster, network: kernelNetwork }) : undefined;
  let proxy: ServiceProxy;
  try {
    proxy = await startServiceProxy({ cluster, nodePortHost: options.nodePortHost, listen: !kernel });
  } catch (err) {
    await kernel?.stop();
    throw err;
  }
  return {
    proxy,
    kernel,
    async stop() {
      await proxy.stop();
      await kernel?.stop();
    },
  };
}
