import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../objects/cluster.js';
import { loadRegistriesConfig } from '../images/registries-config.js';
import { openImageStore, type OpenedImageStore } from '../images/image-store.js';
import { checkHostSupport, chooseServiceCidr, clusterDnsAddress, DEFAULT_POD_CIDR, NetworkError, parsePodCidr, startPodNetwork } from '../network/index.js';
import type { PodNetwork } from '../network/network-types.js';
import { startKubelet, type Kubelet } from './kubelet.js';
import { createOciDriver } from './oci/oci-driver.js';
import { createProcessDriver } from './process-driver.js';
import { KERNEL_PATHS } from './host-path.js';
import { ensureHostMountPoint, type ServiceAccountTokenSource } from './service-account-volume.js';

export interface NodeOptions {
  cluster: Cluster;
  /** The node's state: `node/` (pods), `images/`, `network/`, `runc/` below it. */
  stateDir: string;
  /**
   * Handler for pods that name no `runtimeClassName`: `oci` runs the image, `process` a host program.
   * @defaultValue 'oci'
   */
  defaultRuntimeClass?: 'oci' | 'process';
  /** @defaultValue '10.244.0.0/16' */
  podCidr?: string;
  /**
   * k3s-format mirrors, credentials and TLS for registries.
   * @defaultValue `<stateDir>/registries.yaml` when it exists
   */
  registriesFile?: string;
  /**
   * A failed mirror never falls back to the registry's own endpoint (k3s's flag).
   * @defaultValue false
   */
  disableDefaultRegistryEndpoint?: boolean;
  /** @defaultValue false */
  allowPrivileged?: boolean;
  /**
   * Who carries Services: `kernel` (nftables rules on the pod network, with
   * cluster DNS), `userspace` (the runtime listens on loopback ClusterIPs), or
   * `auto`: the kernel when the pod network starts with the node and the
   * machine allows it, else userspace.
   * @defaultValue 'auto'
   */
  serviceProxy?: 'auto' | 'kernel' | 'userspace';
  /**
   * ClusterIP range when the kernel carries Services.
   * @defaultValue the range an earlier start chose, else 10.96.0.0/16 or the next /16 no route of the machine overlaps
   */
  serviceCidr?: string;
  /**
   * Address NodePorts answer on (`0.0.0.0`: every local address).
   * @defaultValue '127.0.0.1'
   */
  nodePortAddress?: string;
  /** @defaultValue 10000 */
  resyncMs?: number;
  /**
   * Issues pod-bound service account tokens for the API credentials volume.
   * @defaultValue undefined — pods get no credentials
   */
  serviceAccountTokens?: ServiceAccountTokenSource;
}

export interface RunningNode {
  kubelet: Kubelet;
  images: OpenedImageStore;
  /** The pod network, once started (at start when image pods are the default, else on first need). */
  network(): PodNetwork | undefined;
  /** What keeps image pods from running on this machine, with the fix; empty when nothing does. */
  warnings: string[];
  /** Who carries Services, and why not the kernel when it does not. */
  services: ServiceCarrier;
  stop(): Promise<void>;
}

/**
 * The pod network starts when the first image-based pod needs it, so a
 * runtime that runs only host programs makes no bridge; with image pods as
 * the default it starts at once and a bad `--pod-cidr` stops the runtime.
 */
function lazyNetwork(start: () => Promise<PodNetwork>): { network: PodNetwork; start(): Promise<PodNetwork>; started(): PodNetwork | undefined } {
  let starting: Promise<PodNetwork> | undefined;
  let running: PodNetwork | undefined;
  const get = (): Promise<PodNetwork> => (starting ??= start().then((n) => (running = n), (err) => {
    starting = undefined;
    throw err;
  }));
  const network: PodNetwork = {
    get bridge() { return running?.bridge ?? ''; },
    get gateway() { return running?.gateway ?? ''; },
    get podCidr() { return running?.podCidr ?? ''; },
    get serviceCidr() { return running?.serviceCidr; },
    applyChains: async (owner, wanted) => (await get()).applyChains(owner, wanted),
    setup: async (uid) => (await get()).setup(uid),
    teardown: async (uid) => (await get()).teardown(uid),
    sweep: async (keep) => (running ? running.sweep(keep) : 0),
    close: async () => running?.close(),
    destroy: async () => (await get()).destroy(),
  };
  return { network, start: get, started: () => running };
}

/** Who carries Services; in the kernel, with cluster DNS at `clusterDns` (a ClusterIP) answered on the bridge's `gateway`. */
export type ServiceCarrier = { mode: 'kernel'; serviceCidr: string; clusterDns: string } | { mode: 'userspace'; reason: string };

/** The port cluster DNS answers on, on the bridge's gateway address. */
export const CLUSTER_DNS_PORT = 53;

/** How often the image store's disk is checked (the kubelet's image GC runs every 5 minutes). */
const IMAGE_GC_MS = 5 * 60 * 1000;

function commandRuns(file: string, args: string[]): boolean {
  return spawnSync(file, args, { stdio: 'ignore', timeout: 5000 }).status === 0;
}

/** The kubelet with both drivers, the image store and the pod network. */
export async function startNode(options: NodeOptions): Promise<RunningNode> {
  const defaultRuntimeClass = options.defaultRuntimeClass ?? 'oci';
  const images = openImageStore({
    dir: join(options.stateDir, 'images'),
    registries: loadRegistriesConfig(options.registriesFile ?? join(options.stateDir, 'registries.yaml')),
    disableDefaultEndpoint: options.disableDefaultRegistryEndpoint,
  });
  // A network an earlier run made is adopted at once: its sandboxes must be found again or swept.
  const eager = defaultRuntimeClass === 'oci' || !!options.podCidr || existsSync(join(options.stateDir, 'network', 'allocations.json'));
  const warnings: string[] = [];
  let services: ServiceCarrier;
  let lazy: ReturnType<typeof lazyNetwork>;
  try {
    ({ lazy, services } = await startNetwork(options, eager, warnings));
  } catch (err) {
    await images.close();
    throw err;
  }
  if (!commandRuns('runc', ['--version'])) warnings.push('image pods cannot run here: runc is not installed (apt-get install runc)');
  const mountPointWarning = options.serviceAccountTokens && ensureHostMountPoint();
  if (mountPointWarning) warnings.push(mountPointWarning);
  const kubelet = await startKubelet({
    cluster: options.cluster,
    stateDir: join(options.stateDir, 'node'),
    drivers: [createOciDriver({ stateDir: options.stateDir, images, allowPrivileged: options.allowPrivileged }), createProcessDriver({ hiddenPaths: [options.stateDir], allowPrivileged: options.allowPrivileged })],
    defaultRuntimeClass,
    protectedPaths: [options.stateDir, ...(options.allowPrivileged ? [] : KERNEL_PATHS)],
    images,
    network: lazy.network,
    // With Services in the kernel the network runs from the start: host programs join it, with cluster DNS and policies.
    hostProgramsOnPodNetwork: services.mode === 'kernel',
    clusterDns: services.mode === 'kernel' ? services.clusterDns : undefined,
    resyncMs: options.resyncMs,
    serviceAccountTokens: options.serviceAccountTokens,
    allowUnsafeSysctls: options.allowPrivileged,
  });
  // As the kubelet's image GC: unused images go when the disk holding them fills up.
  const gc = setInterval(() => {
    try {
      images.gcIfDiskShort();
    } catch {
      // A store being changed by `baton image` right now: the next round tries again.
    }
  }, IMAGE_GC_MS);
  gc.unref();
  return {
    kubelet,
    images,
    network: lazy.started,
    warnings,
    services,
    async stop() {
      clearInterval(gc);
      await kubelet.stop();
      await lazy.started()?.close();
      await images.close();
    },
  };
}

const USERSPACE_MODE_REASON = 'the pod network does not start with the node (no image pods by default); pass --pod-cidr or --default-runtime-class oci';

/**
 * Starts the pod network when the node needs it from the start, with
 * Services in the kernel when asked for or possible. In `auto` mode a machine
 * that cannot (no root, ip, nft or br_netfilter) falls back to userspace, and
 * one that cannot make a bridge at all still runs host-program pods (the
 * example shop): image pods then say why they wait.
 */
async function startNetwork(options: NodeOptions, eager: boolean, warnings: string[]): Promise<{ lazy: ReturnType<typeof lazyNetwork>; services: ServiceCarrier }> {
  const mode = options.serviceProxy ?? 'auto';
  const plain = { stateDir: options.stateDir, podCidr: options.podCidr, nodePortAddress: options.nodePortAddress };
  // The userspace carrier still runs the pod network, at start when the node needs it from the start.
  const userspace = async (reason: string) => {
    const lazy = lazyNetwork(() => startPodNetwork(plain));
    try {
      if (eager) await lazy.start();
    } catch (err) {
      if (!(err instanceof NetworkError && err.code === 'UNSUPPORTED_HOST') || options.podCidr) throw err;
      warnings.push(`image pods cannot run here: ${err.message}`);
    }
    return { lazy, services: { mode: 'userspace', reason } as ServiceCarrier };
  };
  if (mode === 'userspace') return userspace('--service-proxy userspace');
  if (!eager && mode === 'auto') return userspace(USERSPACE_MODE_REASON);
  try {
    await checkHostSupport();
    const serviceCidr = await chooseServiceCidr(options.stateDir, parsePodCidr(options.podCidr ?? DEFAULT_POD_CIDR), options.serviceCidr);
    const kernel = lazyNetwork(() =>
      startPodNetwork({
        ...plain,
        serviceCidr,
        hostPortsOpenToPods: [
          { protocol: 'udp', port: CLUSTER_DNS_PORT },
          { protocol: 'tcp', port: CLUSTER_DNS_PORT },
        ],
      }),
    );
    await kernel.start();
    return { lazy: kernel, services: { mode: 'kernel', serviceCidr, clusterDns: clusterDnsAddress(serviceCidr) } };
  } catch (err) {
    if (!(err instanceof NetworkError && err.code === 'UNSUPPORTED_HOST') || mode === 'kernel') throw err;
    return userspace(err.message);
  }
}
