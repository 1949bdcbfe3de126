import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../objects/cluster.js';
import { loadRegistriesConfig } from '../images/registries-config.js';
import { openImageStore, type OpenedImageStore } from '../images/image-store.js';
import { NetworkError, startPodNetwork } from '../network/index.js';
import type { PodNetwork } from '../network/network-types.js';
import { startKubelet, type Kubelet } from './kubelet.js';
import { createOciDriver } from './oci/oci-driver.js';
import { createProcessDriver } from './process-driver.js';

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
  /** @defaultValue 10000 */
  resyncMs?: number;
}

export interface RunningNode {
  kubelet: Kubelet;
  images: OpenedImageStore;
  /** The pod network, once started (at start when image pods are the default, else on first need). */
  network(): PodNetwork | undefined;
  /** What keeps image pods from running on this machine, with the fix; empty when nothing does. */
  warnings: string[];
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
    setup: async (uid) => (await get()).setup(uid),
    teardown: async (uid) => (await get()).teardown(uid),
    sweep: async (keep) => (running ? running.sweep(keep) : 0),
    close: async () => running?.close(),
    destroy: async () => (await get()).destroy(),
  };
  return { network, start: get, started: () => running };
}

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
  const lazy = lazyNetwork(() => startPodNetwork({ stateDir: options.stateDir, podCidr: options.podCidr }));
  // A network an earlier run made is adopted at once: its sandboxes must be found again or swept.
  const eager = defaultRuntimeClass === 'oci' || !!options.podCidr || existsSync(join(options.stateDir, 'network', 'allocations.json'));
  const warnings: string[] = [];
  try {
    if (eager) await lazy.start();
  } catch (err) {
    // A machine without root, ip or nft still runs host-program pods (the example shop); image pods then say why they wait.
    if (err instanceof NetworkError && err.code === 'UNSUPPORTED_HOST' && !options.podCidr) {
      warnings.push(`image pods cannot run here: ${err.message}`);
    } else {
      await images.close();
      throw err;
    }
  }
  if (!commandRuns('runc', ['--version'])) warnings.push('image pods cannot run here: runc is not installed (apt-get install runc)');
  const kubelet = await startKubelet({
    cluster: options.cluster,
    stateDir: join(options.stateDir, 'node'),
    drivers: [createOciDriver({ stateDir: options.stateDir, images, allowPrivileged: options.allowPrivileged }), createProcessDriver({ hiddenPaths: [options.stateDir], allowRoot: options.allowPrivileged })],
    defaultRuntimeClass,
    protectedPaths: [options.stateDir],
    images,
    network: lazy.network,
    resyncMs: options.resyncMs,
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
    async stop() {
      clearInterval(gc);
      await kubelet.stop();
      await lazy.started()?.close();
      await images.close();
    },
  };
}
